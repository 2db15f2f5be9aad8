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
    }
  ]
}
