// Byte-order helpers and the bounds check every pointer-taking export starts with.

import { HOST_BASE, MEM_END } from "../shared/memmap";

/** True when [ptr, ptr+len) lies inside host-visible memory. Never overflows: both are i32. */
@inline
export function hostRange(ptr: i32, len: i32): bool {
  return ptr >= HOST_BASE && len >= 0 && ptr <= MEM_END && len <= MEM_END - ptr;
}

@inline
export function ld8(p: usize): i32 {
  return <i32>load<u8>(p);
}

@inline
export function ld16be(p: usize): i32 {
  return (<i32>load<u8>(p) << 8) | <i32>load<u8>(p + 1);
}

@inline
export function ld32be(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

@inline
export function st8(p: usize, v: i32): void {
  store<u8>(p, <u8>v);
}

@inline
export function st16be(p: usize, v: i32): void {
  store<u8>(p, <u8>(v >> 8));
  store<u8>(p + 1, <u8>v);
}

@inline
export function st32be(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

/** Byte-wise equality of two ranges. */
export function memEqual(a: usize, b: usize, len: usize): bool {
  for (let i: usize = 0; i < len; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}
