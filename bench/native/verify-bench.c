/* Ed25519 and image verification in the wasm2c translation of build/core.wasm, compiled with
 * gcc -O2: the route onto boards without a WebAssembly runtime. Driven by
 * bench/ed25519.bench.ts, which writes the inputs and reads one JSON line back.
 *
 * usage: verify-bench INPUT RUNS PUB SIG WIN IMGWIN2
 *   INPUT: pub[32] sig[64] u32 msglen, msg, u32 imglen, image, imgpub[32]
 *   the numbers are linear-memory addresses (ABI slots and the image window) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core.h"

static Z_core_instance_t core;

static unsigned long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
  return x < y ? -1 : x > y;
}

static unsigned char *readall(const char *file, long *len) {
  FILE *f = fopen(file, "rb");
  if (!f) { perror(file); exit(2); }
  fseek(f, 0, SEEK_END);
  *len = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc((size_t)*len);
  if (!b || fread(b, 1, (size_t)*len, f) != (size_t)*len) { fprintf(stderr, "short read\n"); exit(2); }
  fclose(f);
  return b;
}

static u32 rd32(const unsigned char *p) { return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: verify-bench INPUT RUNS PUB SIG WIN WIN2\n"); return 2; }
  long len;
  unsigned char *in = readall(argv[1], &len);
  int runs = atoi(argv[2]);
  u32 PUB = (u32)strtoul(argv[3], 0, 0), SIG = (u32)strtoul(argv[4], 0, 0);
  u32 WIN = (u32)strtoul(argv[5], 0, 0), WIN2 = (u32)strtoul(argv[6], 0, 0);
  const unsigned char *pub = in, *sig = in + 32;
  u32 msglen = rd32(in + 96);
  const unsigned char *msg = in + 100;
  u32 imglen = rd32(msg + msglen);
  const unsigned char *img = msg + msglen + 4;
  const unsigned char *imgpub = img + imglen;

  wasm_rt_init();
  Z_core_init_module();
  Z_core_instantiate(&core);
  u8 *mem = core.w2c_memory.data;
  if (Z_coreZ_init(&core) != 0) { fprintf(stderr, "init failed\n"); return 1; }
  int selftest = (int)Z_coreZ_selftest(&core);

  memcpy(mem + PUB, pub, 32);
  memcpy(mem + SIG, sig, 64);
  memcpy(mem + WIN, msg, msglen);
  unsigned long long *t = calloc((size_t)runs, sizeof *t);
  int rc = 0;
  for (int i = 0; i < runs / 10; i++) rc |= (int)Z_coreZ_ed25519_verify(&core, PUB, WIN, msglen, SIG);
  for (int i = 0; i < runs; i++) {
    unsigned long long t0 = now_ns();
    rc |= (int)Z_coreZ_ed25519_verify(&core, PUB, WIN, msglen, SIG);
    t[i] = now_ns() - t0;
  }
  qsort(t, (size_t)runs, sizeof *t, cmp);
  unsigned long long verify_med = t[runs / 2];

  /* A whole image: header, trailer, the rest in window-sized chunks, finish. */
  memcpy(mem + PUB, imgpub, 32);
  rc |= (int)Z_coreZ_img_trust_key(&core, 0, PUB);
  int img_runs = runs / 10 > 20 ? runs / 10 : 20;
  int img_rc = 0;
  for (int i = 0; i < img_runs; i++) {
    unsigned long long t0 = now_ns();
    img_rc |= (int)Z_coreZ_img_begin(&core, imglen, 1);
    memcpy(mem + WIN, img, 64);
    Z_coreZ_img_update(&core, WIN, 64);
    memcpy(mem + WIN2, img + imglen - 96, 96);
    img_rc |= (int)Z_coreZ_img_trailer(&core, WIN2);
    for (u32 at = 64; at < imglen;) {
      u32 n = imglen - at < 0x10000 ? imglen - at : 0x10000;
      memcpy(mem + WIN, img + at, n);
      int r = (int)Z_coreZ_img_update(&core, WIN, n);
      if (r < 0) img_rc |= r;
      at += n;
    }
    img_rc |= (int)Z_coreZ_img_finish(&core);
    t[i] = now_ns() - t0;
  }
  qsort(t, (size_t)img_runs, sizeof *t, cmp);
  printf("{\"selftest\":%d,\"verify_rc\":%d,\"verify_median_ns\":%llu,\"image_rc\":%d,\"image_median_ns\":%llu,\"runs\":%d,\"image_runs\":%d}\n",
         selftest, rc, verify_med, img_rc, t[img_runs / 2], runs, img_runs);
  Z_core_free(&core);
  return 0;
}
