// Scalars modulo the group order L = 2^252 + 27742317777372353535851937790883648493
// (RFC 8032 §5.1): the strict range check of S, the reduction of SHA-512 output, and the
// signed-digit recoding the verifier's sliding window walks.

import { SC_L } from "./ed25519-tables";

/** True when the 32-byte little-endian s is below L (RFC 8032 §5.1.7: S must be in [0, L)). */
export function scBelowL(s: usize): bool {
  for (let i: isize = 31; i >= 0; i--) {
    const a = load<u8>(s + i);
    const l = load<u8>(SC_L + i);
    if (a < l) return true;
    if (a > l) return false;
  }
  return false; // s == L
}

/**
 * out (32 bytes) = in (64 bytes, little-endian) mod L, with x (64 x i64) as working space.
 * Radix 2^8: each byte above 2^256 is folded down with 2^256 = 16 (L - 2^252) * ... that is,
 * x_i 2^(8i) is replaced by x_i 2^(8i) - 16 x_i L 2^(8(i - 32)), which removes it exactly
 * (the top byte of L is 0x10) and leaves signed digits that carries put back in range.
 */
export function scReduce(out: usize, inp: usize, x: usize): void {
  for (let i: usize = 0; i < 64; i++) store<i64>(x + (i << 3), <i64>load<u8>(inp + i));
  for (let i: isize = 63; i >= 32; i--) {
    const xi = load<i64>(x + (<usize>i << 3));
    let carry: i64 = 0;
    let j: isize = i - 32;
    for (; j < i - 12; j++) {
      const pj = x + (<usize>j << 3);
      let v = load<i64>(pj) + carry - 16 * xi * <i64>load<u8>(SC_L + <usize>(j - (i - 32)));
      carry = (v + 128) >> 8;
      v -= carry << 8;
      store<i64>(pj, v);
    }
    store<i64>(x + (<usize>j << 3), load<i64>(x + (<usize>j << 3)) + carry);
    store<i64>(x + (<usize>i << 3), 0);
  }
  // Now x < 2^256 in signed digits: subtract (x_31 >> 4) L to clear bits 252 and up.
  let carry: i64 = 0;
  const top = load<i64>(x + (31 << 3)) >> 4;
  for (let j: usize = 0; j < 32; j++) {
    let v = load<i64>(x + (j << 3)) + carry - top * <i64>load<u8>(SC_L + j);
    carry = v >> 8;
    v &= 255;
    store<i64>(x + (j << 3), v);
  }
  // carry is 0 or -1: add L back once when the subtraction went below zero.
  for (let j: usize = 0; j < 32; j++) store<i64>(x + (j << 3), load<i64>(x + (j << 3)) - carry * <i64>load<u8>(SC_L + j));
  for (let j: usize = 0; j < 32; j++) {
    const v = load<i64>(x + (j << 3));
    if (j < 31) store<i64>(x + ((j + 1) << 3), load<i64>(x + ((j + 1) << 3)) + (v >> 8));
    store<u8>(out + j, <u8>(v & 255));
  }
}

/**
 * Signed sliding-window recoding (width 5): r[i] in {0, ±1, ±3, ..., ±15}, sum r[i] 2^i = a,
 * every non-zero digit followed by at least four zeros. a is a 32-byte scalar below 2^253.
 */
export function scSlide(r: usize, a: usize): void {
  for (let i: usize = 0; i < 256; i++) store<i8>(r + i, <i8>((load<u8>(a + (i >> 3)) >> <u8>(i & 7)) & 1));
  for (let i: usize = 0; i < 256; i++) {
    if (load<i8>(r + i) == 0) continue;
    for (let b: usize = 1; b <= 6 && i + b < 256; b++) {
      const rb = <i32>load<i8>(r + i + b) << <i32>b;
      if (rb == 0) continue;
      const ri = <i32>load<i8>(r + i);
      if (ri + rb <= 15) {
        store<i8>(r + i, <i8>(ri + rb));
        store<i8>(r + i + b, 0);
      } else if (ri - rb >= -15) {
        store<i8>(r + i, <i8>(ri - rb));
        for (let k = i + b; k < 256; k++) {
          if (load<i8>(r + k) == 0) {
            store<i8>(r + k, 1);
            break;
          }
          store<i8>(r + k, 0);
        }
      } else {
        break;
      }
    }
  }
}
