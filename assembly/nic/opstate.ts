// The register operation in progress (one at a time per core instance) and the diagnostics it
// leaves behind, plus the tunable bounds of every poll loop. Layout: STATE_NIC_OP.
//
// An operation is started by a begin export (nic_tx_init, nic_takeover, ...) and driven by
// nic_step(); its phase is a small integer, its loops count polls against fixed bounds, so
// every operation ends after a bounded number of rounds whatever the NIC answers.

import { STATE_NIC_OP, STATE_NIC_TUNE } from "../state";
import {
  OPINFO_FIELDS, OPINFO_OP, OPINFO_PORT, TUNE_FIELDS, TUNE_POLL_US, TUNE_TX_POLLS,
  TUNE_STALL_POLLS, TUNE_LINK_POLLS, TUNE_QUEUE_POLLS, TUNE_RESET_US, DEFAULT_POLL_US, DEFAULT_TX_POLLS,
  DEFAULT_STALL_POLLS, DEFAULT_LINK_POLLS, DEFAULT_QUEUE_POLLS, DEFAULT_RESET_US, OP_NONE,
} from "../shared/rings";

/** Internal phase result: the phase changed, run the next one in the same step. */
export const CONTINUE = 2;

const O_OP: usize = 0; // OP_* in progress (OP_NONE when idle)
const O_PHASE: usize = 4;
const O_PORT: usize = 8;
const O_KIND: usize = 12; // ring kind acted on
const O_SRC: usize = 16; // frame address (fault send)
const O_LEN: usize = 20; // frame length
const O_COPIES: usize = 24; // copies to send
const O_ARG_POLLS: usize = 28; // link wait: polls
const O_ARG_US: usize = 32; // link wait: interval
const O_POLLS: usize = 36; // polls in the current loop
const O_STALL: usize = 40; // consecutive polls without progress
const O_LAST_HEAD: usize = 44;
const O_IDX: usize = 48; // index of a pending read
const O_SAVED: usize = 52; // a register value kept across rounds (TCTL)
const O_QUEUE: usize = 56; // hardware queue being programmed
const O_THEN: usize = 60; // what follows a takeover: THEN_*
const O_INFO: usize = 64; // OPINFO_FIELDS u32

export const THEN_DONE = 0; // takeover only
export const THEN_SEND = 1; // takeover, enqueue copies, doorbell, confirm
// Takeover, then hand the ring to the caller at once: the operation ends with STEP_DONE even
// when its last writes are still in the list, so the caller (the fault path) queues frames
// and adds the doorbell to the same round (nicAdvance, never nicStep).
export const THEN_HANDOFF = 2;

@inline function get(off: usize): i32 { return load<i32>(STATE_NIC_OP + off); }
@inline function set(off: usize, v: i32): void { store<i32>(STATE_NIC_OP + off, v); }

export function opBegin(op: i32, port: i32, kind: i32): void {
  memory.fill(STATE_NIC_OP, 0, O_INFO + <usize>OPINFO_FIELDS * 4);
  set(O_OP, op);
  set(O_PORT, port);
  set(O_KIND, kind);
  infoSet(OPINFO_OP, op);
  infoSet(OPINFO_PORT, port);
}

/** Ends the operation; its diagnostics stay readable until the next begin. */
export function opEnd(): void { set(O_OP, OP_NONE); }

export function opKind(): i32 { return get(O_OP); }
export function opPhase(): i32 { return get(O_PHASE); }
export function opSetPhase(p: i32): void { set(O_PHASE, p); }
export function opPort(): i32 { return get(O_PORT); }
export function opRing(): i32 { return get(O_KIND); }
export function opSetRing(k: i32): void { set(O_KIND, k); }
export function opSrc(): usize { return <usize>get(O_SRC); }
export function opLen(): i32 { return get(O_LEN); }
export function opCopies(): i32 { return get(O_COPIES); }
export function opSetFrame(src: i32, len: i32, copies: i32): void { set(O_SRC, src); set(O_LEN, len); set(O_COPIES, copies); }
export function opArgPolls(): i32 { return get(O_ARG_POLLS); }
export function opArgUs(): i32 { return get(O_ARG_US); }
export function opSetArgs(polls: i32, us: i32): void { set(O_ARG_POLLS, polls); set(O_ARG_US, us); }
export function opPolls(): i32 { return get(O_POLLS); }
export function opSetPolls(n: i32): void { set(O_POLLS, n); }
export function opStall(): i32 { return get(O_STALL); }
export function opSetStall(n: i32): void { set(O_STALL, n); }
export function opLastHead(): i32 { return get(O_LAST_HEAD); }
export function opSetLastHead(h: i32): void { set(O_LAST_HEAD, h); }
export function opIdx(): i32 { return get(O_IDX); }
export function opSetIdx(i: i32): void { set(O_IDX, i); }
export function opSaved(): u32 { return <u32>get(O_SAVED); }
export function opSetSaved(v: u32): void { set(O_SAVED, <i32>v); }
export function opQueue(): i32 { return get(O_QUEUE); }
export function opSetQueue(q: i32): void { set(O_QUEUE, q); }
export function opThen(): i32 { return get(O_THEN); }
export function opSetThen(t: i32): void { set(O_THEN, t); }

/** Starts a new poll loop. */
export function opLoopStart(head: i32): void {
  set(O_POLLS, 0);
  set(O_STALL, 0);
  set(O_LAST_HEAD, head);
}

// ---- diagnostics (nic_op_info) ----
export function infoGet(field: i32): i32 { return load<i32>(STATE_NIC_OP + O_INFO + <usize>field * 4); }
export function infoSet(field: i32, v: i32): void { store<i32>(STATE_NIC_OP + O_INFO + <usize>field * 4, v); }
export function infoAdd(field: i32, d: i32): void { infoSet(field, infoGet(field) + d); }

// ---- tunable bounds (nic_tune) ----
export function tuneSet(field: i32, v: i32): void { store<i32>(STATE_NIC_TUNE + <usize>field * 4, v); }

export function tune(field: i32): i32 {
  const v = load<i32>(STATE_NIC_TUNE + <usize>field * 4);
  if (v > 0) return v;
  if (field == TUNE_POLL_US) return DEFAULT_POLL_US;
  if (field == TUNE_TX_POLLS) return DEFAULT_TX_POLLS;
  if (field == TUNE_STALL_POLLS) return DEFAULT_STALL_POLLS;
  if (field == TUNE_LINK_POLLS) return DEFAULT_LINK_POLLS;
  if (field == TUNE_QUEUE_POLLS) return DEFAULT_QUEUE_POLLS;
  if (field == TUNE_RESET_US) return DEFAULT_RESET_US;
  return 1;
}

export function tuneFieldValid(field: i32): bool {
  return field >= 0 && field < TUNE_FIELDS;
}
