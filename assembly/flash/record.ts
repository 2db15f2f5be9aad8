// The state record (shared/flash.ts SR_*): encode and check. Two copies of the state live in
// two erase blocks of the state area; each copy holds the record twice. Which one is in
// force is decided by validity (magic, format, length, CRC-32, fields in range) and then the
// highest sequence number: writing the older copy can be cut at any point and the newer one
// still stands (docs/flashing.md, "The state area").

import * as L from "../shared/flash";
import { crc32 } from "../lib/crc32";
import { memEqual } from "../lib/mem";

function slotOk(v: u32): bool {
  return v == L.FL_A || v == L.FL_B || v == L.FL_NONE;
}

/** True when the record at p is a valid state record. */
export function recordValid(p: usize): bool {
  if (load<u32>(p + L.SR_OFF_MAGIC) != <u32>L.SR_MAGIC) return false;
  if (load<u16>(p + L.SR_OFF_FORMAT) != L.SR_FORMAT || load<u16>(p + L.SR_OFF_LEN) != L.SR_LEN) return false;
  if (crc32(p, <usize>L.SR_OFF_CRC) != load<u32>(p + L.SR_OFF_CRC)) return false;
  const confirmed = <u32>load<u8>(p + L.SR_OFF_CONFIRMED);
  const trial = <u32>load<u8>(p + L.SR_OFF_TRIAL);
  if (!slotOk(confirmed) || !slotOk(trial)) return false;
  const left = <u32>load<u8>(p + L.SR_OFF_ATTEMPTS);
  const max = <u32>load<u8>(p + L.SR_OFF_ATTEMPTS_MAX);
  if (left > max || max > <u32>L.FLASH_MAX_ATTEMPTS) return false;
  if (trial == L.FL_NONE && (left | max) != 0) return false;
  for (let i = L.SR_OFF_REJECTED_ID + L.FLASH_ID_LEN; i < L.SR_OFF_CRC; i++) if (load<u8>(p + i) != 0) return false;
  return true;
}

/** The state of a blank card: nothing confirmed, no trial, counter 0, sequence 0. */
export function recordInitial(p: usize): void {
  memory.fill(p, 0, <usize>L.SR_LEN);
  store<u8>(p + L.SR_OFF_CONFIRMED, <u8>L.FL_NONE);
  store<u8>(p + L.SR_OFF_TRIAL, <u8>L.FL_NONE);
}

/** Fills in magic, format, length and the CRC (the fields are the caller's). */
export function recordSeal(p: usize): void {
  store<u32>(p + L.SR_OFF_MAGIC, <u32>L.SR_MAGIC);
  store<u16>(p + L.SR_OFF_FORMAT, <u16>L.SR_FORMAT);
  store<u16>(p + L.SR_OFF_LEN, <u16>L.SR_LEN);
  store<u32>(p + L.SR_OFF_CRC, crc32(p, <usize>L.SR_OFF_CRC));
}

/**
 * Of the two records in a state copy at p (the second at p + stride), the valid one with the
 * higher sequence number, or 0 when neither is valid.
 */
export function copyBest(p: usize, stride: usize): usize {
  const a = recordValid(p);
  const b = recordValid(p + stride);
  if (a && b) return load<u32>(p + stride + L.SR_OFF_SEQ) > load<u32>(p + L.SR_OFF_SEQ) ? p + stride : p;
  if (a) return p;
  if (b) return p + stride;
  return 0;
}

export function recordSame(a: usize, b: usize): bool {
  return memEqual(a, b, <usize>L.SR_LEN);
}
