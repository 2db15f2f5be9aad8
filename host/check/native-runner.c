/*
 * `lastgasp check --engine native`: the core translated to C by wasm2c (scripts/wasm2c-core.sh),
 * compiled with the machine's C compiler, runs the check's call scripts on this machine as it
 * would on a board without a WASM runtime. Reads commands on stdin, one per line:
 *
 *   s NAME            a new script: a fresh instance of the core (its own linear memory)
 *   p ADDR HEX        write bytes into linear memory (the arguments a host hands the core)
 *   c FN A0 A1 ...    call an export with i32 arguments
 *   x                 the script ends
 *
 * and answers each p and c with one line: "r VALUE" (the i32 result; 0 for a poke), "t CODE"
 * (a trap, wasm2c's wasm_rt_trap_t), "e WHY" (no such export, wrong arity, a poke out of
 * range); each x with "d MICROSECONDS" since its s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "wasm-rt-impl.h"

static Z_core_instance_t core;
#include "wasm2c-core.h" /* the export table, find_export, call_export (scripts/) */

static int live;
static struct timespec t0;

static long long since_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)(t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000;
}

static int hexval(char h) {
  return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
}

int main(void) {
  static char line[1 << 20];
  wasm_rt_init();
  Z_core_init_module();
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  while (fgets(line, sizeof line, stdin)) {
    char *tok[16];
    int n = 0;
    for (char *t = strtok(line, " \t\r\n"); t && n < 16; t = strtok(NULL, " \t\r\n")) tok[n++] = t;
    if (n == 0) continue;
    if (tok[0][0] == 's') {
      if (live) Z_core_free(&core);
      clock_gettime(CLOCK_MONOTONIC, &t0);
      Z_core_instantiate(&core);
      live = 1;
    } else if (tok[0][0] == 'p' && (n == 2 || n == 3) && live) {
      unsigned long addr = strtoul(tok[1], 0, 0);
      size_t len = n == 3 ? strlen(tok[2]) / 2 : 0;
      if (addr + len > core.w2c_memory.size) { printf("e poke out of range\n"); continue; }
      for (size_t i = 0; i < len; i++) core.w2c_memory.data[addr + i] = (u8)(hexval(tok[2][2 * i]) << 4 | hexval(tok[2][2 * i + 1]));
      printf("r 0\n");
    } else if (tok[0][0] == 'c' && n >= 2 && live) {
      const struct export *x = find_export(tok[1]);
      if (!x) { printf("e no export %s\n", tok[1]); continue; }
      if (n - 2 != x->arity) { printf("e %s takes %d arguments\n", x->name, x->arity); continue; }
      u32 a[8] = {0};
      for (int i = 0; i < n - 2 && i < 8; i++) a[i] = (u32)strtol(tok[2 + i], 0, 0);
      int trap = 0;
      u32 rc = call_export(x, a, &trap);
      if (trap) printf("t %d\n", trap);
      else printf("r %d\n", (int)rc);
    } else if (tok[0][0] == 'x') {
      printf("d %lld\n", since_us());
    } else {
      printf("e bad command\n");
    }
  }
  if (live) Z_core_free(&core);
  fflush(stdout);
  return 0;
}
