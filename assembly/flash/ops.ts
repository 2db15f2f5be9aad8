// The flash-operation list (FLASHOP region, shared/flash.ts FOP_*): the core appends, the
// host performs them in order and fills in each result. The count is kept in core state as
// well, and the core never trusts the region beyond the results of its own entries.

import * as L from "../shared/flash";
import { FLASH_OP_BASE } from "../shared/memmap";
import { STATE_FLASH_OP } from "../state";

const OPS: usize = <usize>FLASH_OP_BASE;
const COUNT: usize = STATE_FLASH_OP + 124; // u32: entries pushed (core's own copy)

function entry(i: u32): usize {
  return OPS + <usize>L.FOP_OFF_ENTRIES + <usize>i * <usize>L.FOP_ENTRY_SIZE;
}

export function fopsClear(): void {
  store<u32>(COUNT, 0);
  store<u32>(OPS + L.FOP_OFF_COUNT, 0);
}

export function fopsCount(): u32 {
  return load<u32>(COUNT);
}

/** Appends an operation; false when the list is full (the caller ends the round first). */
export function fopPush(kind: u32, addr: u32, win: u32, len: u32): bool {
  const n = load<u32>(COUNT);
  if (n >= <u32>L.FOP_MAX) return false;
  const e = entry(n);
  store<u32>(e + L.FOP_E_KIND, kind);
  store<u32>(e + L.FOP_E_ADDR, addr);
  store<u32>(e + L.FOP_E_WIN, win);
  store<u32>(e + L.FOP_E_LEN, len);
  store<i32>(e + L.FOP_E_RESULT, L.FOP_PENDING);
  store<u32>(COUNT, n + 1);
  store<u32>(OPS + L.FOP_OFF_COUNT, n + 1);
  return true;
}

export function fopResult(i: u32): i32 {
  return load<i32>(entry(i) + L.FOP_E_RESULT);
}

/** True when every operation of the last round was performed without error. */
export function fopsOk(): bool {
  const n = load<u32>(COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const r = fopResult(i);
    if (r != 0 && !(r == 1 && load<u32>(entry(i) + L.FOP_E_KIND) == L.FOP_ISBAD)) return false;
  }
  return true;
}
