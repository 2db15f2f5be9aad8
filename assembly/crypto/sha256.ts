// SHA-256 (FIPS 180-4 §6.2). Contexts live at fixed addresses; nothing is allocated.
//
// Context layout (SHA_CTX_SIZE bytes):
//   +0   H[8]      u32 working hash
//   +32  bytes     u64 message length so far, in bytes
//   +40  fill      u32 bytes waiting in the block buffer
//   +64  block[64] partial block

import { STATE_SHA_COMPRESSIONS, STATE_SHA_SCHEDULE } from "../state";
import { ld32be, st32be } from "../lib/mem";

export const SHA_CTX_SIZE: usize = 128;
const CTX_H: usize = 0;
const CTX_BYTES: usize = 32;
const CTX_FILL: usize = 40;
const CTX_BLOCK: usize = 64;

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first
// 64 primes.
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 §5.3.3: initial hash value.
export const H0: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// Message schedule W[64] (256 bytes), at a fixed address in core state so compress() needs no
// stack frame in memory. Scratch: it holds the words of the last block compressed, which is
// key material while an HMAC key is set up (hmac.ts wipes it then).
const W: usize = STATE_SHA_SCHEDULE;
export const SHA_SCHEDULE_SIZE: usize = 256;

/** Processes one 64-byte block at p into the hash state at h (FIPS 180-4 §6.2.2). */
export function compress(h: usize, p: usize): void {
  for (let t: usize = 0; t < 16; t++) store<u32>(W + (t << 2), ld32be(p + (t << 2)));
  for (let t: usize = 16; t < 64; t++) {
    const w15 = load<u32>(W + ((t - 15) << 2));
    const w2 = load<u32>(W + ((t - 2) << 2));
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >> 10);
    store<u32>(W + (t << 2), load<u32>(W + ((t - 16) << 2)) + s0 + load<u32>(W + ((t - 7) << 2)) + s1);
  }
  let a = load<u32>(h), b = load<u32>(h, 4), c = load<u32>(h, 8), d = load<u32>(h, 12);
  let e = load<u32>(h, 16), f = load<u32>(h, 20), g = load<u32>(h, 24), hh = load<u32>(h, 28);
  for (let t: usize = 0; t < 64; t++) {
    const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = hh + S1 + ch + load<u32>(K + (t << 2)) + load<u32>(W + (t << 2));
    const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  store<u32>(h, load<u32>(h) + a);
  store<u32>(h, load<u32>(h, 4) + b, 4);
  store<u32>(h, load<u32>(h, 8) + c, 8);
  store<u32>(h, load<u32>(h, 12) + d, 12);
  store<u32>(h, load<u32>(h, 16) + e, 16);
  store<u32>(h, load<u32>(h, 20) + f, 20);
  store<u32>(h, load<u32>(h, 24) + g, 24);
  store<u32>(h, load<u32>(h, 28) + hh, 28);
  store<u32>(STATE_SHA_COMPRESSIONS, load<u32>(STATE_SHA_COMPRESSIONS) + 1);
}

export function shaInit(ctx: usize): void {
  memory.copy(ctx + CTX_H, H0, 32);
  store<u64>(ctx + CTX_BYTES, 0);
  store<u32>(ctx + CTX_FILL, 0);
}

/** Starts a context from a saved intermediate state h (32 bytes) after `bytes` bytes. */
export function shaResume(ctx: usize, h: usize, bytes: u64): void {
  memory.copy(ctx + CTX_H, h, 32);
  store<u64>(ctx + CTX_BYTES, bytes);
  store<u32>(ctx + CTX_FILL, 0);
}

export function shaUpdate(ctx: usize, p: usize, len: usize): void {
  let fill = <usize>load<u32>(ctx + CTX_FILL);
  store<u64>(ctx + CTX_BYTES, load<u64>(ctx + CTX_BYTES) + <u64>len);
  if (fill > 0) {
    const take = min<usize>(64 - fill, len);
    memory.copy(ctx + CTX_BLOCK + fill, p, take);
    fill += take;
    p += take;
    len -= take;
    if (fill < 64) {
      store<u32>(ctx + CTX_FILL, <u32>fill);
      return;
    }
    compress(ctx + CTX_H, ctx + CTX_BLOCK);
    fill = 0;
  }
  while (len >= 64) {
    compress(ctx + CTX_H, p);
    p += 64;
    len -= 64;
  }
  memory.copy(ctx + CTX_BLOCK, p, len);
  store<u32>(ctx + CTX_FILL, <u32>len);
}

/** Pads (FIPS 180-4 §5.1.1), finishes and writes the 32-byte digest to out. */
export function shaFinal(ctx: usize, out: usize): void {
  let fill = <usize>load<u32>(ctx + CTX_FILL);
  const bits = load<u64>(ctx + CTX_BYTES) << 3;
  const block = ctx + CTX_BLOCK;
  store<u8>(block + fill, 0x80);
  fill++;
  if (fill > 56) {
    memory.fill(block + fill, 0, 64 - fill);
    compress(ctx + CTX_H, block);
    fill = 0;
  }
  memory.fill(block + fill, 0, 56 - fill);
  st32be(block + 56, <u32>(bits >> 32));
  st32be(block + 60, <u32>bits);
  compress(ctx + CTX_H, block);
  for (let i: usize = 0; i < 8; i++) st32be(out + (i << 2), load<u32>(ctx + CTX_H + (i << 2)));
}

/** One-shot digest. */
export function sha256(ctx: usize, p: usize, len: usize, out: usize): void {
  shaInit(ctx);
  shaUpdate(ctx, p, len);
  shaFinal(ctx, out);
}
