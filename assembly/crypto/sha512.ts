// SHA-512 (FIPS 180-4 §6.4), the hash inside Ed25519 (RFC 8032 §5.1). Streaming contexts at
// fixed addresses, nothing allocated; same shape as sha256.ts.
//
// Context layout (SHA512_CTX_SIZE bytes):
//   +0    H[8]       u64 working hash
//   +64   bytes      u64 message length so far, in bytes (messages stay far below 2^61 bytes)
//   +72   fill       u32 bytes waiting in the block buffer
//   +128  block[128] partial block

import { STATE_SHA512_SCHEDULE } from "../state";

export const SHA512_CTX_SIZE: usize = 256;
const CTX_H: usize = 0;
const CTX_BYTES: usize = 64;
const CTX_FILL: usize = 72;
const CTX_BLOCK: usize = 128;

// FIPS 180-4 §4.2.3: first 64 bits of the fractional parts of the cube roots of the first
// 80 primes.
const K: usize = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
  0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
  0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
  0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
  0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
  0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
  0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
  0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
  0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
  0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
  0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
  0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
  0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]);

// FIPS 180-4 §5.3.5: initial hash value.
const H0: usize = memory.data<u64>([
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
  0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
]);

// Message schedule W[80] (640 bytes), at a fixed address in core state (scratch) so
// compress512() needs no stack frame in memory and nothing writes the compiler-static region.
const W: usize = STATE_SHA512_SCHEDULE;

/** Processes one 128-byte block at p into the hash state at h (FIPS 180-4 §6.4.2). */
function compress512(h: usize, p: usize): void {
  for (let t: usize = 0; t < 16; t++) store<u64>(W + (t << 3), bswap<u64>(load<u64>(p + (t << 3))));
  for (let t: usize = 16; t < 80; t++) {
    const w15 = load<u64>(W + ((t - 15) << 3));
    const w2 = load<u64>(W + ((t - 2) << 3));
    const s0 = rotr<u64>(w15, 1) ^ rotr<u64>(w15, 8) ^ (w15 >> 7);
    const s1 = rotr<u64>(w2, 19) ^ rotr<u64>(w2, 61) ^ (w2 >> 6);
    store<u64>(W + (t << 3), load<u64>(W + ((t - 16) << 3)) + s0 + load<u64>(W + ((t - 7) << 3)) + s1);
  }
  let a = load<u64>(h), b = load<u64>(h, 8), c = load<u64>(h, 16), d = load<u64>(h, 24);
  let e = load<u64>(h, 32), f = load<u64>(h, 40), g = load<u64>(h, 48), hh = load<u64>(h, 56);
  for (let t: usize = 0; t < 80; t++) {
    const S1 = rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41);
    const ch = (e & f) ^ (~e & g);
    const t1 = hh + S1 + ch + load<u64>(K + (t << 3)) + load<u64>(W + (t << 3));
    const S0 = rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  store<u64>(h, load<u64>(h) + a);
  store<u64>(h, load<u64>(h, 8) + b, 8);
  store<u64>(h, load<u64>(h, 16) + c, 16);
  store<u64>(h, load<u64>(h, 24) + d, 24);
  store<u64>(h, load<u64>(h, 32) + e, 32);
  store<u64>(h, load<u64>(h, 40) + f, 40);
  store<u64>(h, load<u64>(h, 48) + g, 48);
  store<u64>(h, load<u64>(h, 56) + hh, 56);
}

export function sha512Init(ctx: usize): void {
  memory.copy(ctx + CTX_H, H0, 64);
  store<u64>(ctx + CTX_BYTES, 0);
  store<u32>(ctx + CTX_FILL, 0);
}

export function sha512Update(ctx: usize, p: usize, len: usize): void {
  let fill = <usize>load<u32>(ctx + CTX_FILL);
  store<u64>(ctx + CTX_BYTES, load<u64>(ctx + CTX_BYTES) + <u64>len);
  if (fill > 0) {
    const take = min<usize>(128 - fill, len);
    memory.copy(ctx + CTX_BLOCK + fill, p, take);
    fill += take;
    p += take;
    len -= take;
    if (fill < 128) {
      store<u32>(ctx + CTX_FILL, <u32>fill);
      return;
    }
    compress512(ctx + CTX_H, ctx + CTX_BLOCK);
    fill = 0;
  }
  while (len >= 128) {
    compress512(ctx + CTX_H, p);
    p += 128;
    len -= 128;
  }
  memory.copy(ctx + CTX_BLOCK, p, len);
  store<u32>(ctx + CTX_FILL, <u32>len);
}

/** Pads (FIPS 180-4 §5.1.2), finishes and writes the 64-byte digest to out; wipes the context. */
export function sha512Final(ctx: usize, out: usize): void {
  let fill = <usize>load<u32>(ctx + CTX_FILL);
  const bytes = load<u64>(ctx + CTX_BYTES);
  const block = ctx + CTX_BLOCK;
  store<u8>(block + fill, 0x80);
  fill++;
  if (fill > 112) {
    memory.fill(block + fill, 0, 128 - fill);
    compress512(ctx + CTX_H, block);
    fill = 0;
  }
  memory.fill(block + fill, 0, 112 - fill);
  // The 128-bit big-endian bit length: the high word holds the three bits shifted out.
  store<u64>(block + 112, bswap<u64>(bytes >> 61));
  store<u64>(block + 120, bswap<u64>(bytes << 3));
  compress512(ctx + CTX_H, block);
  for (let i: usize = 0; i < 8; i++) store<u64>(out + (i << 3), bswap<u64>(load<u64>(ctx + CTX_H + (i << 3))));
  memory.fill(ctx, 0, SHA512_CTX_SIZE);
  memory.fill(W, 0, 640);
}

/** One-shot digest. */
export function sha512(ctx: usize, p: usize, len: usize, out: usize): void {
  sha512Init(ctx);
  sha512Update(ctx, p, len);
  sha512Final(ctx, out);
}
