// The gasp receiver's private state (state.ts STATE_GASP_RX*): its configuration, the bytes
// the classifier found, and the per-reason counters.

import { STATE_GASP_RX, STATE_GASP_RX_COUNTERS } from "../state";
import { OK } from "../shared/status";

export const RX_CONFIGURED: usize = STATE_GASP_RX + 0; // u32 1 after gasp_rx_config
export const RX_CHASSIS: usize = STATE_GASP_RX + 4; // u32
export const RX_UDP_PORT: usize = STATE_GASP_RX + 8; // u16
export const RX_OWN_UNIT: usize = STATE_GASP_RX + 10; // u8
export const RX_FLAGS: usize = STATE_GASP_RX + 11; // u8 GASP_RXF_*
export const RX_MSG_AVAIL: usize = STATE_GASP_RX + 16; // u32 bytes from the message start
export const RX_MSG_EXACT: usize = STATE_GASP_RX + 20; // u32 1: AVAIL is the exact length (UDP)

// Counters: index 0 counts accepted messages, index 1..32 the statuses -64..-95.
export const RX_COUNTER_SLOTS: i32 = 33;
const FIRST_CODE: i32 = -64;
const LAST_CODE: i32 = -95;

/** Counter index of a status (OK or -64..-95), or -1 for any other value. */
export function counterIndex(code: i32): i32 {
  if (code == OK) return 0;
  if (code <= FIRST_CODE && code >= LAST_CODE) return FIRST_CODE - code + 1;
  return -1;
}

/** Adds one to the counter of code (wrapping at 2^32); returns code, so callers can `return count(rc)`. */
export function count(code: i32): i32 {
  const i = counterIndex(code);
  if (i >= 0) {
    const p = STATE_GASP_RX_COUNTERS + (<usize>i << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  return code;
}

export function counterValue(code: i32): u32 {
  return load<u32>(STATE_GASP_RX_COUNTERS + (<usize>counterIndex(code) << 2));
}
