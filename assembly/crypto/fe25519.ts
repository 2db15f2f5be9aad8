// Arithmetic in GF(p), p = 2^255 - 19, for Ed25519 verification (RFC 8032 §5.1).
//
// A field element is ten signed 32-bit limbs at a fixed address (FE_SIZE bytes), radix
// 2^25.5: limb i has weight 2^ceil(25.5 i), so limbs alternate 26 and 25 bits and
// 2^255 = 19 (mod p) folds the high half of a product back with a factor 19. Products are
// formed in i64 locals (the exports stay i32: DEVELOPERS.md); after a multiplication the
// limbs are carried to |limb| <= 2^25 (even) / 2^24 (odd), so a sum or difference of two
// carried elements can be multiplied again without overflowing i64 (each product term is
// below 2^58, ten of them below 2^62). Additions and subtractions do not carry.
//
// Nothing here allocates: every function takes the addresses of its operands; outputs may
// alias inputs (all limbs are loaded before any is stored). Time does not depend on the
// values except in the final comparisons — verification handles public data only.

export const FE_SIZE: usize = 40;

@inline function ld(p: usize, i: usize): i64 {
  return <i64>load<i32>(p + (i << 2));
}

export function feZero(h: usize): void {
  memory.fill(h, 0, FE_SIZE);
}

export function feOne(h: usize): void {
  memory.fill(h, 0, FE_SIZE);
  store<i32>(h, 1);
}

export function feCopy(h: usize, f: usize): void {
  memory.copy(h, f, FE_SIZE);
}

export function feAdd(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < 40; i += 4) store<i32>(h + i, load<i32>(f + i) + load<i32>(g + i));
}

export function feSub(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < 40; i += 4) store<i32>(h + i, load<i32>(f + i) - load<i32>(g + i));
}

export function feNeg(h: usize, f: usize): void {
  for (let i: usize = 0; i < 40; i += 4) store<i32>(h + i, -load<i32>(f + i));
}

/** Carries the ten i64 limbs down to 26/25 bits (rounding) and stores them at h. */
@inline function carryStore(h: usize, h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64): void {
  let c: i64;
  c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
  c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
  c = (h1 + (1 << 24)) >> 25; h2 += c; h1 -= c << 25;
  c = (h5 + (1 << 24)) >> 25; h6 += c; h5 -= c << 25;
  c = (h2 + (1 << 25)) >> 26; h3 += c; h2 -= c << 26;
  c = (h6 + (1 << 25)) >> 26; h7 += c; h6 -= c << 26;
  c = (h3 + (1 << 24)) >> 25; h4 += c; h3 -= c << 25;
  c = (h7 + (1 << 24)) >> 25; h8 += c; h7 -= c << 25;
  c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
  c = (h8 + (1 << 25)) >> 26; h9 += c; h8 -= c << 26;
  c = (h9 + (1 << 24)) >> 25; h0 += c * 19; h9 -= c << 25;
  c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
  store<i32>(h, <i32>h0);
  store<i32>(h, <i32>h1, 4);
  store<i32>(h, <i32>h2, 8);
  store<i32>(h, <i32>h3, 12);
  store<i32>(h, <i32>h4, 16);
  store<i32>(h, <i32>h5, 20);
  store<i32>(h, <i32>h6, 24);
  store<i32>(h, <i32>h7, 28);
  store<i32>(h, <i32>h8, 32);
  store<i32>(h, <i32>h9, 36);
}

/**
 * h = f * g. The product term f_i g_j has weight 2^(w_i + w_j); that is 2^w_(i+j), doubled
 * when i and j are both odd (two 25-bit limbs), and for i + j >= 10 it wraps with 19.
 */
export function feMul(h: usize, f: usize, g: usize): void {
  const f0 = ld(f, 0), f1 = ld(f, 1), f2 = ld(f, 2), f3 = ld(f, 3), f4 = ld(f, 4);
  const f5 = ld(f, 5), f6 = ld(f, 6), f7 = ld(f, 7), f8 = ld(f, 8), f9 = ld(f, 9);
  const g0 = ld(g, 0), g1 = ld(g, 1), g2 = ld(g, 2), g3 = ld(g, 3), g4 = ld(g, 4);
  const g5 = ld(g, 5), g6 = ld(g, 6), g7 = ld(g, 7), g8 = ld(g, 8), g9 = ld(g, 9);
  const g1_19 = g1 * 19, g2_19 = g2 * 19, g3_19 = g3 * 19, g4_19 = g4 * 19, g5_19 = g5 * 19;
  const g6_19 = g6 * 19, g7_19 = g7 * 19, g8_19 = g8 * 19, g9_19 = g9 * 19;
  const f1_2 = f1 * 2, f3_2 = f3 * 2, f5_2 = f5 * 2, f7_2 = f7 * 2, f9_2 = f9 * 2;
  const h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
  const h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
  const h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
  const h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
  const h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
  const h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
  const h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
  const h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
  const h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
  const h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f^2 (times 2 when double): feMul's terms with f_i f_j = f_j f_i collected. */
@inline function square(h: usize, f: usize, double: bool): void {
  const f0 = ld(f, 0), f1 = ld(f, 1), f2 = ld(f, 2), f3 = ld(f, 3), f4 = ld(f, 4);
  const f5 = ld(f, 5), f6 = ld(f, 6), f7 = ld(f, 7), f8 = ld(f, 8), f9 = ld(f, 9);
  const f0_2 = f0 * 2, f1_2 = f1 * 2, f2_2 = f2 * 2, f3_2 = f3 * 2, f4_2 = f4 * 2;
  const f5_2 = f5 * 2, f6_2 = f6 * 2, f7_2 = f7 * 2;
  const f5_38 = f5 * 38, f6_19 = f6 * 19, f7_38 = f7 * 38, f8_19 = f8 * 19, f9_38 = f9 * 38;
  let h0 = f0 * f0 + f1_2 * f9_38 + f2_2 * f8_19 + f3_2 * f7_38 + f4_2 * f6_19 + f5 * f5_38;
  let h1 = f0_2 * f1 + f2 * f9_38 + f3_2 * f8_19 + f4 * f7_38 + f5_2 * f6_19;
  let h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4_2 * f8_19 + f5_2 * f7_38 + f6 * f6_19;
  let h3 = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5_2 * f8_19 + f6 * f7_38;
  let h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6_2 * f8_19 + f7 * f7_38;
  let h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7_2 * f8_19;
  let h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
  let h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
  let h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
  let h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
  if (double) {
    h0 += h0; h1 += h1; h2 += h2; h3 += h3; h4 += h4;
    h5 += h5; h6 += h6; h7 += h7; h8 += h8; h9 += h9;
  }
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

export function feSq(h: usize, f: usize): void {
  square(h, f, false);
}

/** h = 2 f^2 (the doubling formula's 2 Z^2). */
export function feSq2(h: usize, f: usize): void {
  square(h, f, true);
}

/** Decodes 32 little-endian bytes; bit 255 is ignored (the caller handles the sign bit). */
export function feFromBytes(h: usize, s: usize): void {
  // limb i = bits [w_i, w_i + width_i): a 32-bit read at byte w_i / 8 always covers them.
  store<i32>(h, <i32>(load<u32>(s) & 0x3ffffff));
  store<i32>(h, <i32>((load<u32>(s + 3) >> 2) & 0x1ffffff), 4);
  store<i32>(h, <i32>((load<u32>(s + 6) >> 3) & 0x3ffffff), 8);
  store<i32>(h, <i32>((load<u32>(s + 9) >> 5) & 0x1ffffff), 12);
  store<i32>(h, <i32>((load<u32>(s + 12) >> 6) & 0x3ffffff), 16);
  store<i32>(h, <i32>(load<u32>(s + 16) & 0x1ffffff), 20);
  store<i32>(h, <i32>((load<u32>(s + 19) >> 1) & 0x3ffffff), 24);
  store<i32>(h, <i32>((load<u32>(s + 22) >> 3) & 0x1ffffff), 28);
  store<i32>(h, <i32>((load<u32>(s + 25) >> 4) & 0x3ffffff), 32);
  store<i32>(h, <i32>((load<u32>(s + 28) >> 6) & 0x1ffffff), 36);
}

/** Writes the canonical encoding (the unique value in [0, p), 32 bytes little-endian). */
export function feToBytes(s: usize, f: usize): void {
  let h0 = load<i32>(f), h1 = load<i32>(f, 4), h2 = load<i32>(f, 8), h3 = load<i32>(f, 12), h4 = load<i32>(f, 16);
  let h5 = load<i32>(f, 20), h6 = load<i32>(f, 24), h7 = load<i32>(f, 28), h8 = load<i32>(f, 32), h9 = load<i32>(f, 36);
  // q = floor(h / p) in {0, 1} for a carried h: computed from the top, then h - q p.
  let q = (19 * h9 + (1 << 24)) >> 25;
  q = (h0 + q) >> 26; q = (h1 + q) >> 25; q = (h2 + q) >> 26; q = (h3 + q) >> 25; q = (h4 + q) >> 26;
  q = (h5 + q) >> 25; q = (h6 + q) >> 26; q = (h7 + q) >> 25; q = (h8 + q) >> 26; q = (h9 + q) >> 25;
  h0 += 19 * q;
  let c: i32;
  c = h0 >> 26; h1 += c; h0 -= c << 26;
  c = h1 >> 25; h2 += c; h1 -= c << 25;
  c = h2 >> 26; h3 += c; h2 -= c << 26;
  c = h3 >> 25; h4 += c; h3 -= c << 25;
  c = h4 >> 26; h5 += c; h4 -= c << 26;
  c = h5 >> 25; h6 += c; h5 -= c << 25;
  c = h6 >> 26; h7 += c; h6 -= c << 26;
  c = h7 >> 25; h8 += c; h7 -= c << 25;
  c = h8 >> 26; h9 += c; h8 -= c << 26;
  c = h9 >> 25; h9 -= c << 25; // 2^255 = p + 19: the +19 went in above
  // Pack 255 bits: an accumulator takes each limb, full bytes leave from the bottom.
  let acc: u64 = 0;
  let bits: u32 = 0;
  let o: usize = 0;
  for (let i = 0; i < 10; i++) {
    const v: i32 = i == 0 ? h0 : i == 1 ? h1 : i == 2 ? h2 : i == 3 ? h3 : i == 4 ? h4 : i == 5 ? h5 : i == 6 ? h6 : i == 7 ? h7 : i == 8 ? h8 : h9;
    acc |= (<u64><u32>v) << bits;
    bits += (i & 1) ? 25 : 26;
    while (bits >= 8) {
      store<u8>(s + o, <u8>acc);
      o++;
      acc >>= 8;
      bits -= 8;
    }
  }
  store<u8>(s + 31, <u8>acc); // the last 7 bits; bit 255 is zero
}

/** The least significant bit of the canonical value (RFC 8032: x is "negative" when odd). */
export function feIsNegative(f: usize, tmp: usize): bool {
  feToBytes(tmp, f);
  return (load<u8>(tmp) & 1) == 1;
}

export function feIsZero(f: usize, tmp: usize): bool {
  feToBytes(tmp, f);
  let acc: u64 = load<u64>(tmp) | load<u64>(tmp, 8) | load<u64>(tmp, 16) | load<u64>(tmp, 24);
  return acc == 0;
}

/**
 * out = z^(2^250 - 1) and, with t0 .. t2 as temporaries, the shared head of the two
 * exponentiations below (the usual addition chain: 11 multiplications, 249 squarings).
 * Leaves z^11 in t1 for feInvert.
 */
function pow2_250_1(out: usize, z: usize, t0: usize, t1: usize, t2: usize): void {
  feSq(t0, z); // z^2
  feSq(t1, t0);
  feSq(t1, t1); // z^8
  feMul(t1, z, t1); // z^9
  feMul(t0, t0, t1); // z^11
  feSq(t2, t0); // z^22
  feMul(t1, t1, t2); // z^31 = z^(2^5 - 1)
  feSq(t2, t1);
  for (let i = 1; i < 5; i++) feSq(t2, t2);
  feMul(t1, t2, t1); // z^(2^10 - 1)
  feSq(t2, t1);
  for (let i = 1; i < 10; i++) feSq(t2, t2);
  feMul(t2, t2, t1); // z^(2^20 - 1)
  feSq(out, t2);
  for (let i = 1; i < 20; i++) feSq(out, out);
  feMul(out, out, t2); // z^(2^40 - 1)
  for (let i = 0; i < 10; i++) feSq(out, out);
  feMul(t1, out, t1); // z^(2^50 - 1)
  feSq(t2, t1);
  for (let i = 1; i < 50; i++) feSq(t2, t2);
  feMul(t2, t2, t1); // z^(2^100 - 1)
  feSq(out, t2);
  for (let i = 1; i < 100; i++) feSq(out, out);
  feMul(out, out, t2); // z^(2^200 - 1)
  for (let i = 0; i < 50; i++) feSq(out, out);
  feMul(out, out, t1); // z^(2^250 - 1)
  feCopy(t1, t0); // z^11
}

/** out = z^(p - 2) = 1/z (0 for z = 0). */
export function feInvert(out: usize, z: usize, t0: usize, t1: usize, t2: usize): void {
  pow2_250_1(out, z, t0, t1, t2);
  for (let i = 0; i < 5; i++) feSq(out, out); // z^(2^255 - 32)
  feMul(out, out, t1); // z^(2^255 - 21) = z^(p - 2)
}

/** out = z^((p - 5) / 8) = z^(2^252 - 3), the square-root helper of RFC 8032 §5.1.3. */
export function fePow22523(out: usize, z: usize, t0: usize, t1: usize, t2: usize): void {
  pow2_250_1(out, z, t0, t1, t2);
  feSq(out, out);
  feSq(out, out); // z^(2^252 - 4)
  feMul(out, out, z); // z^(2^252 - 3)
}
