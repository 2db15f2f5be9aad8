// The register operation in progress (one at a time per core instance), the diagnostics it
// leaves behind, and the tunable bounds of every poll loop: state.ts STATE_NIC_OP,
// STATE_NIC_OP_INFO, STATE_NIC_TUNE.
//
// An operation is started by a begin export (nic_tx_init, nic_takeover, ...) and driven by
// nic_step(); its phase is a small integer, its loops count polls against fixed bounds, so
// every operation ends after a bounded number of rounds whatever the NIC answers. Every field
// means one thing for the whole operation.

import { STATE_NIC_OP, STATE_NIC_OP_INFO, STATE_NIC_TUNE } from "../state";
import {
  OPINFO_FIELDS, OPINFO_OP, OPINFO_PORT, TUNE_FIELDS, TUNE_POLL_US, TUNE_TX_POLLS,
  TUNE_STALL_POLLS, TUNE_LINK_POLLS, TUNE_QUEUE_POLLS, TUNE_RESET_US, DEFAULT_POLL_US, DEFAULT_TX_POLLS,
  DEFAULT_STALL_POLLS, DEFAULT_LINK_POLLS, DEFAULT_QUEUE_POLLS, DEFAULT_RESET_US, OP_NONE,
} from "../shared/rings";

/** Internal phase result: the phase changed, run the next one in the same step. */
export const CONTINUE = 2;

// What follows a takeover (NicOp.then).
export const THEN_DONE = 0; // takeover only
export const THEN_SEND = 1; // takeover, enqueue copies, doorbell, confirm
// Takeover, then hand the ring to the caller at once: the operation ends with STEP_DONE even
// when its last writes are still in the list, so the caller (the fault path) queues frames
// and adds the doorbell to the same round (nicAdvance, never nicStep).
export const THEN_HANDOFF = 2;

@unmanaged
export class NicOp {
  op: i32; // OP_* in progress (OP_NONE when idle)
  phase: i32; // the operation's phase (its own numbering)
  port: i32;
  kind: i32; // ring kind acted on (RING_TX / RING_FAULT; RING_RX for RX init)
  then: i32; // THEN_*: what follows a takeover
  src: i32; // fault send: frame address
  len: i32; // fault send: frame length
  copies: i32; // fault send: copies to send
  argPolls: i32; // link wait: polls
  argUs: i32; // link wait: interval
  polls: i32; // polls in the current loop
  stall: i32; // consecutive polls without the head moving
  lastHead: i32; // the head the stall count compares with
  readIdx: i32; // REGOP index of the read the next phase consumes
  queue: i32; // queue enable: the hardware queue being programmed
  queuePhase: i32; // queue enable: its own phase (nic/qenable.ts)
  tctlIdx: i32; // queue enable: REGOP index of the TCTL read of its first round
  tctl: u32; // queue enable: TCTL as that read returned it
}

/** The operation record. */
@inline
export function nicOp(): NicOp {
  return changetype<NicOp>(STATE_NIC_OP);
}

export function opBegin(op: i32, port: i32, kind: i32): NicOp {
  memory.fill(STATE_NIC_OP, 0, offsetof<NicOp>());
  memory.fill(STATE_NIC_OP_INFO, 0, <usize>OPINFO_FIELDS * 4);
  const o = nicOp();
  o.op = op;
  o.port = port;
  o.kind = kind;
  infoSet(OPINFO_OP, op);
  infoSet(OPINFO_PORT, port);
  return o;
}

/** Ends the operation; its diagnostics stay readable until the next begin. */
export function opEnd(): void {
  nicOp().op = OP_NONE;
}

/** Starts a new poll loop whose head comparison begins at head. */
export function opLoopStart(head: i32): void {
  const o = nicOp();
  o.polls = 0;
  o.stall = 0;
  o.lastHead = head;
}

// ---- diagnostics (nic_op_info) ----
export function infoGet(field: i32): i32 { return load<i32>(STATE_NIC_OP_INFO + <usize>field * 4); }
export function infoSet(field: i32, v: i32): void { store<i32>(STATE_NIC_OP_INFO + <usize>field * 4, v); }
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
