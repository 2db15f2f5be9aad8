// The Internet checksum (RFC 1071) and its incremental update (RFC 1624).

import { ld16be } from "../lib/mem";

/** Adds the bytes at [p, p+len) to acc as big-endian 16-bit words (odd tail zero-padded). */
export function sumWords(p: usize, len: usize, acc: u64): u64 {
  let i: usize = 0;
  for (; i + 1 < len; i += 2) acc += <u64>ld16be(p + i);
  if (i < len) acc += <u64>load<u8>(p + i) << 8;
  return acc;
}

/** Folds a running sum to 16 bits with end-around carry. */
export function fold(acc: u64): u32 {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return <u32>acc;
}

/** The checksum field value for a region whose checksum field is zero. */
export function finish(acc: u64): u32 {
  return ~fold(acc) & 0xffff;
}

/** True when a region that includes its checksum field sums to 0xffff (RFC 1071 check). */
export function verifies(acc: u64): bool {
  return fold(acc) == 0xffff;
}

/**
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum after a 16-bit word changes from
 * m to m2. Unlike eqn. 2 it never yields 0x0000 from a non-zero sum.
 */
export function update16(hc: u32, m: u32, m2: u32): u32 {
  const acc: u64 = <u64>(~hc & 0xffff) + <u64>(~m & 0xffff) + <u64>(m2 & 0xffff);
  return ~fold(acc) & 0xffff;
}

/** update16 for a 32-bit field (an IPv4 address), as two word changes. */
export function update32(hc: u32, m: u32, m2: u32): u32 {
  return update16(update16(hc, m >> 16, m2 >> 16), m & 0xffff, m2 & 0xffff);
}
