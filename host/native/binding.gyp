{
  "targets": [
    {
      "target_name": "lastgasp_raw",
      "sources": ["rawsock.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "lastgasp_mtd",
      "sources": ["mtd.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "lastgasp_board",
      "sources": ["board.c", "regops.c", "softnic.c", "linux.c", "crash.c", "pci.c", "tap.c"],
      "include_dirs": ["../../build/native/gen", "/usr/share/wabt/wasm2c"],
      "libraries": ["<(module_root_dir)/../../build/native/gen/libcore.a", "-ldl", "-lpthread"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2", "-std=gnu11", "-fvisibility=hidden"],
      "defines": ["NAPI_VERSION=8", "WASM_RT_MEMCHECK_SIGNAL_HANDLER=0"]
    }
  ]
}
