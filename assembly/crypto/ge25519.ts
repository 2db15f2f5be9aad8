// The edwards25519 group for verification: -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19)
// (RFC 8032 §5.1), in the coordinate systems of Bernstein, Duif, Lange, Schwabe and Yang,
// "High-speed high-security signatures" (2011):
//   P2     (X : Y : Z)          x = X/Z, y = Y/Z
//   P3     (X : Y : Z : T)      x = X/Z, y = Y/Z, x y = T/Z          (extended)
//   P1P1   ((X : Z), (Y : T))   x = X/Z, y = Y/T                     (a sum, before dividing out)
//   CACHED (Y+X, Y-X, Z, 2dT)   a P3 prepared for repeated addition
//   NIELS  (y+x, y-x, 2dxy)     an affine point prepared for addition (the base-point table)
// A point is consecutive field elements at a fixed address; nothing is allocated.

import { FE_SIZE, feAdd, feSub, feMul, feSq, feSq2, feCopy, feZero, feOne, feFromBytes, feToBytes, feIsNegative, feIsZero, feNeg, fePow22523, feInvert } from "./fe25519";
import { FE_D, FE_D2, FE_SQRTM1 } from "./ed25519-tables";
import { S_T0, S_T1, S_T2, S_T3, S_T4, S_T5, S_T6, S_BYTES } from "./ed-scratch";

export const X: usize = 0;
export const Y: usize = FE_SIZE;
export const Z: usize = 2 * FE_SIZE;
export const T: usize = 3 * FE_SIZE;
export const P2_SIZE: usize = 3 * FE_SIZE;
export const P3_SIZE: usize = 4 * FE_SIZE;
export const CACHED_SIZE: usize = 4 * FE_SIZE;
export const NIELS_SIZE: usize = 3 * FE_SIZE;
// CACHED and NIELS field names (same offsets as X, Y, Z, T).
const YPX: usize = 0;
const YMX: usize = FE_SIZE;
const CZ: usize = 2 * FE_SIZE;
const T2D: usize = 3 * FE_SIZE;
const XY2D: usize = 2 * FE_SIZE;

export function p2Identity(r: usize): void {
  feZero(r + X);
  feOne(r + Y);
  feOne(r + Z);
}

/** r (P1P1) = 2 p (P2): 4 squarings. */
export function p2Dbl(r: usize, p: usize, t0: usize): void {
  feSq(r + X, p + X); // XX
  feSq(r + Z, p + Y); // YY
  feSq2(r + T, p + Z); // 2 ZZ
  feAdd(r + Y, p + X, p + Y);
  feSq(t0, r + Y); // (X + Y)^2
  feAdd(r + Y, r + Z, r + X); // YY + XX
  feSub(r + Z, r + Z, r + X); // YY - XX
  feSub(r + X, t0, r + Y); // 2XY
  feSub(r + T, r + T, r + Z);
}

export function p1p1ToP2(r: usize, p: usize): void {
  feMul(r + X, p + X, p + T);
  feMul(r + Y, p + Y, p + Z);
  feMul(r + Z, p + Z, p + T);
}

export function p1p1ToP3(r: usize, p: usize): void {
  feMul(r + X, p + X, p + T);
  feMul(r + Y, p + Y, p + Z);
  feMul(r + Z, p + Z, p + T);
  feMul(r + T, p + X, p + Y);
}

export function p3ToCached(r: usize, p: usize): void {
  feAdd(r + YPX, p + Y, p + X);
  feSub(r + YMX, p + Y, p + X);
  feCopy(r + CZ, p + Z);
  feMul(r + T2D, p + T, FE_D2);
}

/**
 * r (P1P1) = p (P3) + q, or p - q when subtract; q is CACHED, or NIELS (affine, Z = 1) when
 * affine — then its Z multiplication drops out.
 */
@inline function addTo(r: usize, p: usize, q: usize, subtract: bool, affine: bool, t0: usize): void {
  feAdd(r + X, p + Y, p + X);
  feSub(r + Y, p + Y, p + X);
  feMul(r + Z, r + X, q + (subtract ? YMX : YPX));
  feMul(r + Y, r + Y, q + (subtract ? YPX : YMX));
  feMul(r + T, q + (affine ? XY2D : T2D), p + T);
  if (affine) {
    feAdd(t0, p + Z, p + Z);
  } else {
    feMul(r + X, p + Z, q + CZ);
    feAdd(t0, r + X, r + X);
  }
  feSub(r + X, r + Z, r + Y);
  feAdd(r + Y, r + Z, r + Y);
  if (subtract) {
    feSub(r + Z, t0, r + T);
    feAdd(r + T, t0, r + T);
  } else {
    feAdd(r + Z, t0, r + T);
    feSub(r + T, t0, r + T);
  }
}

/** r (P1P1) = p (P3) + q (CACHED), or p - q when subtract. */
export function geAdd(r: usize, p: usize, q: usize, subtract: bool, t0: usize): void {
  addTo(r, p, q, subtract, false, t0);
}

/** r (P1P1) = p (P3) + q (NIELS, affine), or p - q when subtract. */
export function geMadd(r: usize, p: usize, q: usize, subtract: bool, t0: usize): void {
  addTo(r, p, q, subtract, true, t0);
}

// Decoding results.
export const DECODE_OK = 0;
export const DECODE_NONCANONICAL = 1; // y >= p, or x = 0 with the sign bit set
export const DECODE_NOT_ON_CURVE = 2; // (y^2 - 1) / (d y^2 + 1) has no square root

/** True when the 255-bit y of an encoding is >= p = 2^255 - 19 (a non-canonical encoding). */
export function yNonCanonical(s: usize): bool {
  if ((load<u8>(s + 31) & 0x7f) != 0x7f) return false;
  for (let i: usize = 30; i >= 1; i--) if (load<u8>(s + i) != 0xff) return false;
  return load<u8>(s) >= 0xed;
}

/**
 * Decodes a point (RFC 8032 §5.1.3), strictly: y must be below p, and x = 0 must come with
 * the sign bit clear. Writes P3 coordinates to r.
 */
export function p3Decode(r: usize, s: usize): i32 {
  if (yNonCanonical(s)) return DECODE_NONCANONICAL;
  const u = S_T0, v = S_T1, v3 = S_T2, chk = S_T3;
  feFromBytes(r + Y, s);
  feOne(r + Z);
  feSq(u, r + Y);
  feMul(v, u, FE_D);
  feSub(u, u, r + Z); // u = y^2 - 1
  feAdd(v, v, r + Z); // v = d y^2 + 1
  feSq(v3, v);
  feMul(v3, v3, v); // v^3
  feSq(S_T5, v3);
  feMul(S_T5, S_T5, v);
  feMul(S_T5, S_T5, u); // u v^7
  fePow22523(r + X, S_T5, S_T3, S_T4, S_T6); // (u v^7)^((p-5)/8)
  feMul(r + X, r + X, v3);
  feMul(r + X, r + X, u); // x = u v^3 (u v^7)^((p-5)/8)
  feSq(chk, r + X);
  feMul(chk, chk, v); // v x^2
  feSub(S_T4, chk, u);
  if (!feIsZero(S_T4, S_BYTES)) {
    feAdd(S_T4, chk, u);
    if (!feIsZero(S_T4, S_BYTES)) return DECODE_NOT_ON_CURVE;
    feMul(r + X, r + X, FE_SQRTM1); // v x^2 = -u: x * sqrt(-1) is the root
  }
  const sign = (load<u8>(s + 31) >> 7) == 1;
  if (feIsZero(r + X, S_BYTES) && sign) return DECODE_NONCANONICAL;
  if (feIsNegative(r + X, S_BYTES) != sign) feNeg(r + X, r + X);
  feMul(r + T, r + X, r + Y);
  return DECODE_OK;
}

/** Writes the encoding of p (P2): y with the sign of x in bit 255. */
export function p2Encode(s: usize, p: usize): void {
  const recip = S_T0, x = S_T1, y = S_T2;
  feInvert(recip, p + Z, S_T3, S_T4, x);
  feMul(x, p + X, recip);
  feMul(y, p + Y, recip);
  feToBytes(s, y);
  if (feIsNegative(x, S_BYTES)) store<u8>(s + 31, load<u8>(s + 31) | 0x80);
}

/** True when p (P3) has order dividing 8: [8]p is the identity (X = 0, Y = Z). */
export function p3IsSmallOrder(p: usize, p2: usize, p1p1: usize): bool {
  memory.copy(p2, p, P2_SIZE);
  for (let i = 0; i < 3; i++) {
    p2Dbl(p1p1, p2, S_T0);
    p1p1ToP2(p2, p1p1);
  }
  if (!feIsZero(p2 + X, S_BYTES)) return false;
  feSub(S_T0, p2 + Y, p2 + Z);
  return feIsZero(S_T0, S_BYTES);
}

/** r (P3) = -p (P3). */
export function p3Neg(r: usize, p: usize): void {
  feNeg(r + X, p + X);
  feCopy(r + Y, p + Y);
  feCopy(r + Z, p + Z);
  feNeg(r + T, p + T);
}
