// IPv4/IPv6 address predicates over addresses stored as on the wire. IPv4 addresses are 4
// bytes; in 16-byte record fields they occupy the first 4 bytes, the rest zero.

import { FAMILY_V4, FAMILY_V6 } from "../shared/switch";

@inline
export function addrEq(a: usize, b: usize, family: i32): bool {
  if (family == FAMILY_V6) return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8);
  return load<u32>(a) == load<u32>(b);
}

/** Copies an address into a 16-byte record field, zero-filling the IPv4 tail. */
@inline
export function addrStore16(field: usize, addr: usize, family: i32): void {
  if (family == FAMILY_V6) {
    store<u64>(field, load<u64>(addr));
    store<u64>(field, load<u64>(addr, 8), 8);
  } else {
    store<u32>(field, load<u32>(addr));
    store<u32>(field, 0, 4);
    store<u64>(field, 0, 8);
  }
}

/**
 * Multicast, broadcast or class E (IPv4 224.0.0.0/3) or IPv6 multicast (ff00::/8): never a
 * unicast peer, so never a source to answer nor a destination to serve.
 */
@inline
export function isGroupAddr(addr: usize, family: i32): bool {
  const first = <u32>load<u8>(addr);
  return family == FAMILY_V4 ? first >= 224 : first == 0xff;
}

/** 0.0.0.0 or :: */
export function isUnspecified(addr: usize, family: i32): bool {
  if (family == FAMILY_V6) return load<u64>(addr) == 0 && load<u64>(addr, 8) == 0;
  return load<u32>(addr) == 0;
}
