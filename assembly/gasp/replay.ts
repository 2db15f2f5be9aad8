// Replay protection without a clock. Each sender numbers its messages (boot counter, then a
// sequence number that restarts every boot); the receiver keeps the highest pair it has
// accepted per unit and accepts only a strictly higher one. The boot counter is persisted
// by the sender's host and incremented before each arming, so a restarted sender outranks
// everything it sent before; the receiver's table is persisted by its host
// (gasp_rx_highest / gasp_rx_restore) so a restarted receiver cannot be fed old messages.
//
// Entry (16 bytes, STATE_GASP_RX_REPLAY + unit * 16): +0 u32 valid, +4 u32 boot, +8 u64 seq.

import { STATE_GASP_RX_REPLAY } from "../state";
import { GASP_UNITS } from "../shared/gasp";

const ENTRY: usize = 16;
const E_VALID: usize = 0;
const E_BOOT: usize = 4;
const E_SEQ: usize = 8;

@inline
function entry(unit: i32): usize {
  return STATE_GASP_RX_REPLAY + <usize>(unit & 0xff) * ENTRY;
}

export function replayClearAll(): void {
  memory.fill(STATE_GASP_RX_REPLAY, 0, <usize>GASP_UNITS * ENTRY);
}

/** 1 when (boot, seq) is above the highest accepted, 0 when equal, -1 when below. */
export function replayCompare(unit: i32, boot: u32, seq: u64): i32 {
  const e = entry(unit);
  if (load<u32>(e + E_VALID) == 0) return 1; // first contact
  const hb = load<u32>(e + E_BOOT);
  if (boot != hb) return boot > hb ? 1 : -1;
  const hs = load<u64>(e + E_SEQ);
  if (seq != hs) return seq > hs ? 1 : -1;
  return 0;
}

export function replayRecord(unit: i32, boot: u32, seq: u64): void {
  const e = entry(unit);
  store<u32>(e + E_VALID, 1);
  store<u32>(e + E_BOOT, boot);
  store<u64>(e + E_SEQ, seq);
}

export function replayKnown(unit: i32): bool {
  return load<u32>(entry(unit) + E_VALID) != 0;
}

export function replayBoot(unit: i32): u32 {
  return load<u32>(entry(unit) + E_BOOT);
}

export function replaySeq(unit: i32): u64 {
  return load<u64>(entry(unit) + E_SEQ);
}

/**
 * Restores a persisted highest pair. Raise-only: a restore can never lower what is already
 * known, so a stale or forged state file cannot reopen a replay window. Returns true when
 * the entry changed.
 */
export function replayRaise(unit: i32, boot: u32, seq: u64): bool {
  if (replayCompare(unit, boot, seq) <= 0) return false;
  replayRecord(unit, boot, seq);
  return true;
}
