// The flash layout the host configures (flash_config): the device's geometry and the four
// regions (state area, golden, A, B), checked once; then the map from a region's logical
// blocks to its good physical blocks (NAND bad blocks are skipped, as nandwrite -p does), so
// the writer and the boot stage always agree on where an image's bytes are.

import { OK, E_FLASH_LAYOUT } from "../shared/status";
import * as L from "../shared/flash";
import { STATE_FLASH_LAYOUT, STATE_FLASH_BAD } from "../state";

// Stored layout (STATE_FLASH_LAYOUT): the FLC_* fields as given, plus derived values.
const D_VALID: usize = 20; // u32: 1 once flash_config accepted a layout
const D_SHIFT: usize = 24; // u32: log2(erase size)
const D_STRIDE: usize = 28; // u32: distance of the two record copies in a state copy
const BAD_MAP_BYTES: usize = <usize>L.FLASH_MAX_BAD_MAP / 8;

@inline function lget(off: usize): u32 { return load<u32>(STATE_FLASH_LAYOUT + off); }

export function layoutValid(): bool { return lget(D_VALID) == 1; }
export function eraseSize(): u32 { return lget(L.FLC_ERASE_SIZE); }
export function writeSize(): u32 { return lget(L.FLC_WRITE_SIZE); }
export function eraseShift(): u32 { return lget(D_SHIFT); }
export function attempts(): u32 { return lget(L.FLC_ATTEMPTS); }
export function hasBadBlocks(): bool { return (lget(L.FLC_FLAGS) & L.FLC_F_BAD_BLOCKS) != 0; }
/** Distance between the two copies of the record inside a state copy (write-unit aligned). */
export function recordStride(): u32 { return lget(D_STRIDE); }
export function regionOffset(r: i32): u32 { return lget(<usize>L.FLC_REGION + <usize>r * 8); }
export function regionSize(r: i32): u32 { return lget(<usize>L.FLC_REGION + <usize>r * 8 + 4); }
export function regionBlocks(r: i32): u32 { return regionSize(r) >> eraseShift(); }

function pow2(v: u32): bool { return v != 0 && (v & (v - 1)) == 0; }
function roundUp(v: u32, unit: u32): u32 { return (v + unit - 1) & ~(unit - 1); }

/** Checks and stores the layout at p (FLC_LEN bytes); E_FLASH_LAYOUT when it is not usable. */
export function layoutConfigure(p: usize): i32 {
  memory.fill(STATE_FLASH_LAYOUT, 0, 64);
  memory.fill(STATE_FLASH_BAD, 0, <usize>L.FL_REGIONS * BAD_MAP_BYTES);
  const size = load<u32>(p + L.FLC_DEVICE_SIZE);
  const erase = load<u32>(p + L.FLC_ERASE_SIZE);
  const write = load<u32>(p + L.FLC_WRITE_SIZE);
  const flags = load<u32>(p + L.FLC_FLAGS);
  const tries = load<u32>(p + L.FLC_ATTEMPTS);
  if (!pow2(erase) || erase < 512 || erase > <u32>L.FLASH_MAX_ERASE) return E_FLASH_LAYOUT;
  if (!pow2(write) || write > erase) return E_FLASH_LAYOUT;
  if ((flags & ~(<u32>L.FLC_F_BAD_BLOCKS)) != 0) return E_FLASH_LAYOUT;
  if (tries < 1 || tries > <u32>L.FLASH_MAX_ATTEMPTS) return E_FLASH_LAYOUT;
  if (size < erase || (size & (erase - 1)) != 0) return E_FLASH_LAYOUT;
  const stride = roundUp(<u32>L.SR_LEN, write);
  if (<u64>stride * 2 > <u64>erase) return E_FLASH_LAYOUT; // both record copies in one block
  for (let r = 0; r < L.FL_REGIONS; r++) {
    const off = load<u32>(p + L.FLC_REGION + <usize>r * 8);
    const len = load<u32>(p + L.FLC_REGION + <usize>r * 8 + 4);
    if (len == 0 || ((off | len) & (erase - 1)) != 0) return E_FLASH_LAYOUT;
    if (<u64>off + <u64>len > <u64>size) return E_FLASH_LAYOUT;
    if ((flags & L.FLC_F_BAD_BLOCKS) != 0 && (len / erase) > <u32>L.FLASH_MAX_BAD_MAP) return E_FLASH_LAYOUT;
    for (let q = 0; q < r; q++) {
      const o2 = load<u32>(p + L.FLC_REGION + <usize>q * 8);
      const l2 = load<u32>(p + L.FLC_REGION + <usize>q * 8 + 4);
      if (<u64>off < <u64>o2 + <u64>l2 && <u64>o2 < <u64>off + <u64>len) return E_FLASH_LAYOUT; // overlap
    }
  }
  if (load<u32>(p + L.FLC_REGION + <usize>L.FL_STATE * 8 + 4) < erase * 2) return E_FLASH_LAYOUT; // two copies
  memory.copy(STATE_FLASH_LAYOUT, p, <usize>L.FLC_LEN);
  store<u32>(STATE_FLASH_LAYOUT + D_SHIFT, <u32>ctz<u32>(erase));
  store<u32>(STATE_FLASH_LAYOUT + D_STRIDE, stride);
  store<u32>(STATE_FLASH_LAYOUT + D_VALID, 1);
  return OK;
}

export function layoutForget(): void {
  store<u32>(STATE_FLASH_LAYOUT + D_VALID, 0);
}

// ---- bad blocks ------------------------------------------------------------------------------

export function badSet(r: i32, block: u32, bad: bool): void {
  if (block >= <u32>L.FLASH_MAX_BAD_MAP) return;
  const a = STATE_FLASH_BAD + <usize>r * BAD_MAP_BYTES + <usize>(block >> 3);
  const bit = <u8>(<u32>1 << (block & 7));
  store<u8>(a, bad ? load<u8>(a) | bit : load<u8>(a) & ~bit);
}

export function isBad(r: i32, block: u32): bool {
  if (!hasBadBlocks() || block >= <u32>L.FLASH_MAX_BAD_MAP) return false;
  return (load<u8>(STATE_FLASH_BAD + <usize>r * BAD_MAP_BYTES + <usize>(block >> 3)) & <u8>(<u32>1 << (block & 7))) != 0;
}

/** Good blocks in region r. */
export function goodBlocks(r: i32): u32 {
  const n = regionBlocks(r);
  let good: u32 = 0;
  for (let b: u32 = 0; b < n; b++) if (!isBad(r, b)) good++;
  return good;
}

/** Flash offset of region r's logical block `logical` (its logical-th good block), or -1. */
export function physBlock(r: i32, logical: u32): i64 {
  const n = regionBlocks(r);
  let seen: u32 = 0;
  for (let b: u32 = 0; b < n; b++) {
    if (isBad(r, b)) continue;
    if (seen == logical) return <i64>regionOffset(r) + (<i64>b << eraseShift());
    seen++;
  }
  return -1;
}

/** Bytes an image may take in region r: its good blocks. */
export function capacity(r: i32): u64 {
  return <u64>goodBlocks(r) << eraseShift();
}
