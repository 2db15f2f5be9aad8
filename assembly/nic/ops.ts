// Emitting register operations for the host to perform (shared/regop.ts): the core's only
// way to touch a NIC. A step function clears the list, pushes writes, reads and delays, and
// returns STEP_IO; the host performs them in order and calls the step function again, which
// reads the values the host stored into the READ entries.
//
// Discipline that keeps this correct: a phase that consumes read values does so before it
// pushes anything, because pushing overwrites the entries from index 0.

import { REGOP_BASE } from "../shared/memmap";
import {
  REGOP_OFF_COUNT, REGOP_OFF_ENTRIES, REGOP_ENTRY_SIZE, REGOP_MAX,
  REGOP_E_KIND, REGOP_E_PORT, REGOP_E_OFFSET, REGOP_E_VALUE,
  REGOP_WRITE, REGOP_READ, REGOP_DELAY_US,
} from "../shared/regop";

import { STATE_NIC_REGOPS } from "../state";

const COUNT: usize = REGOP_BASE + REGOP_OFF_COUNT;
const ENTRIES: usize = REGOP_BASE + REGOP_OFF_ENTRIES;

// The count lives in core state as well: the REGOP region is host-visible, so the core never
// trusts what it finds there except the values of its own READ entries. In linear memory, not
// a wasm global: nothing of a call in progress may live outside memory (docs/core-abi.md).
@unmanaged
class RegopList {
  count: i32; // entries pushed since opsClear()
}

@inline
function list(): RegopList {
  return changetype<RegopList>(STATE_NIC_REGOPS);
}

@inline
function entry(i: i32): usize {
  return ENTRIES + <usize>i * REGOP_ENTRY_SIZE;
}

/** Starts a new list. */
export function opsClear(): void {
  list().count = 0;
  store<u32>(COUNT, 0);
}

/** Drops the operations pushed after the first n (an operation that failed mid-round). */
export function opsTruncate(n: i32): void {
  const l = list();
  if (n < 0 || n >= l.count) return;
  l.count = n;
  store<u32>(COUNT, <u32>n);
}

/** Number of operations pushed since opsClear(). */
export function opsCount(): i32 {
  return list().count;
}

function push(kind: i32, port: i32, offset: i32, value: u32): i32 {
  // Phases push at most a few hundred operations; a full list is a core bug. Dropping the
  // operation (and returning -1) keeps memory safe; the caller's bounded loop still ends.
  const l = list();
  const i = l.count;
  if (i >= REGOP_MAX) return -1;
  const e = entry(i);
  store<u8>(e + REGOP_E_KIND, <u8>kind);
  store<u8>(e + REGOP_E_PORT, <u8>port);
  store<u16>(e + 2, 0);
  store<u32>(e + REGOP_E_OFFSET, <u32>offset);
  store<u32>(e + REGOP_E_VALUE, value);
  store<u32>(e + 12, 0);
  l.count = i + 1;
  store<u32>(COUNT, <u32>(i + 1));
  return i;
}

export function opWrite(port: i32, reg: i32, value: u32): void {
  push(REGOP_WRITE, port, reg, value);
}

/** Queues a register read; returns the entry index whose value opValue() reads next round. */
export function opRead(port: i32, reg: i32): i32 {
  return push(REGOP_READ, port, reg, 0);
}

export function opDelay(us: i32): void {
  push(REGOP_DELAY_US, 0, 0, <u32>us);
}

/** The value the host read into entry i during the last round (0 for an index never pushed). */
export function opValue(i: i32): u32 {
  if (i < 0 || i >= REGOP_MAX) return 0;
  return load<u32>(entry(i) + REGOP_E_VALUE);
}
