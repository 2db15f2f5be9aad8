// Hashes for the connection table, the load-distribution slot and fragment tracking.
// A multiply-rotate accumulation over 32-bit words (the xxHash32 round) and the murmur3
// finaliser; seeded by the host at sw_init so that a client cannot aim its flows at one
// bucket without knowing the seed. Not cryptographic, and need not be: the table's
// worst case is bounded by its set size and full-table policy, not by the hash.

import { FAMILY_V6 } from "../shared/switch";
import { SW_ST_SEED } from "../state";

const PRIME1: u32 = 0x9e3779b1;
const PRIME2: u32 = 0x85ebca77;

@inline
export function hashStep(acc: u32, word: u32): u32 {
  return rotl<u32>(acc + word * PRIME2, 13) * PRIME1;
}

/** murmur3's fmix32: every input bit affects every output bit. */
@inline
export function hashFinal(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

/** Accumulates an address: one word for IPv4, four for IPv6 (read in native order). */
@inline
export function hashAddr(acc: u32, addr: usize, family: i32): u32 {
  acc = hashStep(acc, load<u32>(addr));
  if (family == FAMILY_V6) {
    acc = hashStep(acc, load<u32>(addr, 4));
    acc = hashStep(acc, load<u32>(addr, 8));
    acc = hashStep(acc, load<u32>(addr, 12));
  }
  return acc;
}

/** A second, independent hash derived from the first (tag and second bucket). */
@inline
export function hashAlt(h: u32): u32 {
  return hashFinal(h ^ 0x6a09e667);
}

/**
 * The connection table's key: the hash of a connection's client side (address, port,
 * protocol), the same for both directions, seeded by the host (sw_init).
 */
@inline
export function clientHash(family: i32, addr: usize, port: i32, proto: i32): u32 {
  const h = hashAddr(load<u32>(SW_ST_SEED), addr, family);
  return hashFinal(hashStep(h, <u32>(port | (proto << 16) | (family << 24))));
}
