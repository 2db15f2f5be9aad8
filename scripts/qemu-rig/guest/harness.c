/*
 * The board's thin host inside the QEMU guest: the release core.wasm, translated to C by
 * wasm2c, runs here exactly as it would on a board without a WASM runtime. This file only
 * maps things and performs register operations; all NIC logic is the core's.
 *
 *  - finds the e1000 (PCI 8086:100e) in sysfs, enables memory decoding and bus mastering
 *    (config space command register, PCI 3.0 §6.2.2: bit 1 memory space, bit 2 bus master),
 *    mmaps BAR0 (/sys/bus/pci/devices/<bdf>/resource0);
 *  - mmaps the kernel-reserved physical region (memmap=SIZE$PHYS, passed to init as the
 *    environment variable lgphys) through /dev/mem and makes it the core's linear memory:
 *    the instantiated memory (static data included) is copied there, then the memory's data
 *    pointer is swapped. The memory never grows, so the pointer stays valid. Linear offset X
 *    is then physical address PHYS + X: the e1000 DMAs the core's rings directly;
 *  - runs a script (one command per line, see docs/qemu-rig.md) and prints one JSON line per
 *    command, prefixed "LG ", on the console.
 *
 * The register-operation protocol is assembly/shared/regop.ts (host/nic/regops.ts is the
 * TypeScript twin of perform_regops below).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "wasm-rt-impl.h"

#include "shared.h" /* generated from assembly/shared/regop.ts and memmap.ts: declared once */

static Z_core_instance_t core;
#include "wasm2c-core.h" /* the export table, find_export, call_export (scripts/) */

#define STEP_MAX_ROUNDS 10000 /* bounds a core bug, as host/nic/regops.ts runSteps */

static volatile u32 *bar0;
static u32 bar0_size;
static int trace_regops;
static int script_line; /* every record names the script line it answers */
#define OUT(fmt, ...) printf("LG {\"line\":%d," fmt "}\n", script_line, ##__VA_ARGS__)

static u32 mem32(u32 a) { u32 v; memcpy(&v, core.w2c_memory.data + a, 4); return v; }
/* The console is a serial line: wait until everything printed has left the UART, or a
 * power-off right after exit cuts the last records. */
static void drain(void) { fflush(stdout); tcdrain(STDOUT_FILENO); }
static void die(const char *what) { printf("LG {\"op\":\"fatal\",\"what\":\"%s\"}\n", what); drain(); exit(1); }

static u64 now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (u64)t.tv_sec * 1000000u + t.tv_nsec / 1000;
}

static u32 reg_read(u32 off) { return off + 4 <= bar0_size ? bar0[off / 4] : 0xffffffffu; }
static void reg_write(u32 off, u32 v) { if (off + 4 <= bar0_size) bar0[off / 4] = v; }

/* The host's half of the protocol: perform the listed operations in order. */
static int perform_regops(void) {
  u32 count = mem32(REGOP_BASE);
  if (count > REGOP_MAX) return -1;
  __sync_synchronize(); /* the core's descriptor stores before any doorbell */
  for (u32 i = 0; i < count; i++) {
    u32 e = REGOP_BASE + REGOP_OFF_ENTRIES + i * REGOP_ENTRY_SIZE;
    u8 kind = core.w2c_memory.data[e], port = core.w2c_memory.data[e + 1];
    u32 off = mem32(e + 4), val = mem32(e + 8);
    if (kind == REGOP_DELAY_US) usleep(val);
    else if (port != 0) return -2; /* one NIC on this board */
    else if (kind == REGOP_WRITE) reg_write(off, val);
    else if (kind == REGOP_READ) { val = reg_read(off); memcpy(core.w2c_memory.data + e + 8, &val, 4); }
    else return -3;
    if (trace_regops)
      OUT("\"op\":\"regop\",\"kind\":%u,\"off\":%u,\"val\":%u", kind, off, val);
  }
  __sync_synchronize();
  return (int)count;
}

static int sysfs_read(const char *dir, const char *file, char *buf, size_t len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, len - 1, f);
  fclose(f);
  buf[n] = 0;
  return (int)n;
}

/* Finds the e1000, enables memory space and bus mastering, maps BAR0. */
static void map_nic(char *bdf, size_t bdflen) {
  DIR *d = opendir("/sys/bus/pci/devices");
  struct dirent *e;
  char dir[300] = "", id[32];
  if (!d) die("no /sys/bus/pci/devices");
  while ((e = readdir(d))) {
    char p[300];
    snprintf(p, sizeof p, "/sys/bus/pci/devices/%s", e->d_name);
    if (sysfs_read(p, "vendor", id, sizeof id) > 0 && strtoul(id, 0, 0) == 0x8086 &&
        sysfs_read(p, "device", id, sizeof id) > 0 && strtoul(id, 0, 0) == 0x100e) {
      strcpy(dir, p);
      snprintf(bdf, bdflen, "%s", e->d_name);
      break;
    }
  }
  closedir(d);
  if (!dir[0]) die("no e1000 (8086:100e) on the PCI bus");
  char path[340];
  snprintf(path, sizeof path, "%s/config", dir);
  int cfg = open(path, O_RDWR);
  u16 cmd;
  if (cfg < 0 || pread(cfg, &cmd, 2, 4) != 2) die("cannot read PCI config");
  cmd |= 0x6;
  if (pwrite(cfg, &cmd, 2, 4) != 2) die("cannot write PCI command register");
  close(cfg);
  snprintf(path, sizeof path, "%s/resource0", dir);
  int fd = open(path, O_RDWR | O_SYNC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) die("cannot open resource0");
  bar0_size = (u32)st.st_size;
  bar0 = mmap(NULL, bar0_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (bar0 == MAP_FAILED) die("cannot mmap BAR0");
}

/* Makes the reserved physical region the core's linear memory. */
static void map_memory(unsigned long phys) {
  u32 size = core.w2c_memory.size;
  int fd = open("/dev/mem", O_RDWR);
  if (fd < 0) die("cannot open /dev/mem");
  u8 *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)phys);
  if (m == MAP_FAILED) die("cannot mmap the reserved region through /dev/mem");
  memcpy(m, core.w2c_memory.data, size);
  free(core.w2c_memory.data); /* allocated with calloc: no guard pages, explicit bounds checks */
  core.w2c_memory.data = m;
}

static int parse_args(char **tok, int n, u32 *a) {
  for (int i = 0; i < n && i < 8; i++) a[i] = (u32)strtoul(tok[i], 0, 0);
  return n;
}

static void run_line(char *line) {
  char *tok[16];
  int n = 0;
  for (char *t = strtok(line, " \t\r\n"); t && n < 16; t = strtok(NULL, " \t\r\n")) tok[n++] = t;
  if (n == 0 || tok[0][0] == '#') return;
  u32 a[8] = {0};
  const char *op = tok[0];
  if (!strcmp(op, "call") || !strcmp(op, "step")) {
    const struct export *x = n > 1 ? find_export(tok[1]) : NULL;
    if (!x) { OUT("\"op\":\"%s\",\"fn\":\"%s\",\"error\":\"no such export\"", op, n > 1 ? tok[1] : ""); return; }
    if (n - 2 != x->arity) { OUT("\"op\":\"%s\",\"fn\":\"%s\",\"error\":\"takes %d arguments\"", op, x->name, x->arity); return; }
    parse_args(tok + 2, n - 2, a);
    int trap = 0, rounds = 0, ops = 0;
    u64 t0 = now_us();
    u32 rc = call_export(x, a, &trap);
    while (!trap && op[0] == 's' && rc == STEP_IO && ++rounds < STEP_MAX_ROUNDS) {
      int k = perform_regops();
      if (k < 0) { OUT("\"op\":\"step\",\"fn\":\"%s\",\"error\":\"bad regop list %d\"", x->name, k); return; }
      ops += k;
      rc = call_export(x, a, &trap);
    }
    OUT("\"op\":\"%s\",\"fn\":\"%s\",\"rc\":%d,\"trap\":%d,\"rounds\":%d,\"ops\":%d,\"us\":%llu",
           op, x->name, (int)rc, trap, rounds, ops, (unsigned long long)(now_us() - t0));
  } else if (!strcmp(op, "rd") && n == 2) {
    parse_args(tok + 1, 1, a);
    OUT("\"op\":\"rd\",\"off\":%u,\"val\":%u", a[0], reg_read(a[0]));
  } else if (!strcmp(op, "wr") && n == 3) {
    parse_args(tok + 1, 2, a);
    reg_write(a[0], a[1]);
    OUT("\"op\":\"wr\",\"off\":%u,\"val\":%u", a[0], a[1]);
  } else if (!strcmp(op, "mw32") && n == 3) { /* memory as a crashed driver left it */
    parse_args(tok + 1, 2, a);
    if ((u64)a[0] + 4 > core.w2c_memory.size) { OUT("\"op\":\"mw32\",\"error\":\"range\""); return; }
    memcpy(core.w2c_memory.data + a[0], &a[1], 4);
    OUT("\"op\":\"mw32\",\"addr\":%u,\"val\":%u", a[0], a[1]);
  } else if (!strcmp(op, "mwb") && n == 3) { /* arguments the host hands the core, as bytes */
    u32 len = (u32)strlen(tok[2]) / 2;
    parse_args(tok + 1, 1, a);
    if ((u64)a[0] + len > core.w2c_memory.size) { OUT("\"op\":\"mwb\",\"error\":\"range\""); return; }
    for (u32 i = 0; i < len; i++) { char h[3] = {tok[2][2 * i], tok[2][2 * i + 1], 0}; core.w2c_memory.data[a[0] + i] = (u8)strtoul(h, 0, 16); }
    OUT("\"op\":\"mwb\",\"addr\":%u,\"len\":%u", a[0], len);
  } else if (!strcmp(op, "dump") && n == 3) {
    parse_args(tok + 1, 2, a);
    if ((u64)a[0] + a[1] > core.w2c_memory.size || a[1] > 4096) { OUT("\"op\":\"dump\",\"error\":\"range\""); return; }
    __sync_synchronize();
    printf("LG {\"line\":%d,\"op\":\"dump\",\"addr\":%u,\"hex\":\"", script_line, a[0]);
    for (u32 i = 0; i < a[1]; i++) printf("%02x", core.w2c_memory.data[a[0] + i]);
    printf("\"}\n");
  } else if (!strcmp(op, "waitrd") && n == 5) { /* until (reg & mask) == val, or ms pass */
    parse_args(tok + 1, 4, a);
    u64 t0 = now_us();
    u32 v;
    while (((v = reg_read(a[0])) & a[1]) != a[2] && now_us() - t0 < (u64)a[3] * 1000) usleep(1000);
    OUT("\"op\":\"waitrd\",\"off\":%u,\"val\":%u,\"ok\":%s,\"us\":%llu", a[0], v,
           (v & a[1]) == a[2] ? "true" : "false", (unsigned long long)(now_us() - t0));
  } else if (!strcmp(op, "sleep") && n == 2) {
    parse_args(tok + 1, 1, a);
    usleep(a[0] * 1000);
    OUT("\"op\":\"sleep\",\"ms\":%u", a[0]);
  } else if (!strcmp(op, "trace") && n == 2) {
    trace_regops = (int)strtoul(tok[1], 0, 0);
    OUT("\"op\":\"trace\",\"on\":%d", trace_regops);
  } else if (!strcmp(op, "mark") && n == 2) {
    OUT("\"op\":\"mark\",\"text\":\"%s\"", tok[1]);
  } else {
    OUT("\"op\":\"%s\",\"error\":\"bad command\"", op);
  }
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 2 && !strcmp(argv[1], "--drain")) { drain(); return 0; } /* for /init */
  const char *physs = getenv("lgphys");
  if (argc != 2 || !physs) die("usage: lgphys=PHYS harness SCRIPT");
  unsigned long phys = strtoul(physs, 0, 0);
  char bdf[256] = "";
  u64 t0 = now_us();
  wasm_rt_init();
  Z_core_init_module();
  Z_core_instantiate(&core);
  map_nic(bdf, sizeof bdf);
  map_memory(phys);
  printf("LG {\"op\":\"ready\",\"bdf\":\"%s\",\"bar0_size\":%u,\"phys\":%lu,\"mem_size\":%u,\"exports\":%zu,\"us\":%llu}\n",
         bdf, bar0_size, phys, core.w2c_memory.size, EXPORT_COUNT,
         (unsigned long long)(now_us() - t0));
  FILE *f = fopen(argv[1], "r");
  if (!f) die("cannot open the script");
  char line[4096];
  while (fgets(line, sizeof line, f)) { script_line++; run_line(line); }
  fclose(f);
  printf("LG {\"op\":\"end\"}\n");
  drain();
  return 0;
}
