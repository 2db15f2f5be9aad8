// Confirming a transmit: poll the queue's head until it reaches the tail the core wrote.
//
// Trusts TDH, not DD: the head is the NIC's own statement of progress, DD write-back can be
// deferred (and is skipped for descriptors without RS). A tail that reads back different from
// what was written means the doorbell write was lost: it is written again. A head that does
// not move for TUNE_STALL_POLLS polls, or a transmit not finished within TUNE_TX_POLLS polls,
// means the engine is hung. The ring's side (cursors, the TDT write) is the TX queue's
// (txq.ts); this file keeps the poll loop's bounds.

import { TUNE_TX_POLLS, TUNE_STALL_POLLS, OPINFO_HEAD, OPINFO_RERINGS, OPINFO_TAIL } from "../shared/rings";
import { opValue } from "./ops";
import { STEP_IO, STEP_DONE } from "../shared/regop";
import { E_TX_HUNG } from "../shared/status";
import { TxQueue, activeTxQueue, txqKick, txqAnnounced, txqEmitPoll, txqConfirmAnswer, txqRering, CONFIRMED, CONFIRM_TAIL_LOST } from "./txq";
import { nicOp, opLoopStart, tune, infoSet, infoAdd } from "./op";

export const CONFIRM_DONE = 0;
export const CONFIRM_AGAIN = 1; // another poll was emitted
export const CONFIRM_HUNG = 2;

/**
 * Bookkeeping of one TDH poll: a moving head restarts the stall count. False when the
 * engine counts as hung — the head stalled for TUNE_STALL_POLLS polls, or TUNE_TX_POLLS
 * polls ran in all.
 */
export function headProgress(head: i32): bool {
  const o = nicOp();
  if (head != o.lastHead) {
    o.lastHead = head;
    o.stall = 0;
  } else {
    o.stall++;
  }
  o.polls++;
  return o.stall < tune(TUNE_STALL_POLLS) && o.polls < tune(TUNE_TX_POLLS);
}

/** The doorbell for what the ring holds (if anything is new) and the first poll, no delay. */
export function kickAndPoll(q: TxQueue): void {
  txqKick(q);
  infoSet(OPINFO_TAIL, txqAnnounced(q));
  opLoopStart(-1);
  txqEmitPoll(q, false);
}

/** Consumes one poll's TDH/TDT; on CONFIRM_AGAIN the next poll has been emitted. */
export function confirmConsume(q: TxQueue): i32 {
  const idx = nicOp().readIdx;
  const head = <i32>opValue(idx);
  const answer = txqConfirmAnswer(q, head, <i32>opValue(idx + 1));
  infoSet(OPINFO_HEAD, head);
  if (answer == CONFIRMED) return CONFIRM_DONE;
  if (!headProgress(head)) return CONFIRM_HUNG;
  if (answer == CONFIRM_TAIL_LOST) {
    // The doorbell did not land: ring it again. The stall count restarts, the poll bound
    // still ends the loop if the NIC drops every write.
    txqRering(q);
    infoAdd(OPINFO_RERINGS, 1);
    nicOp().stall = 0;
  }
  txqEmitPoll(q, true);
  return CONFIRM_AGAIN;
}

// ---- the confirm operation (nic_tx_confirm, and the fault entry's confirmation): doorbell if
// needed, then poll until TDH reaches TDT; no escalation (the takeover's send has its own) ----
export function txConfirmPhase(): i32 {
  const o = nicOp();
  const q = activeTxQueue(o.port);
  if (o.phase == 0) {
    kickAndPoll(q);
    o.phase = 1;
    return STEP_IO;
  }
  const rc = confirmConsume(q);
  if (rc == CONFIRM_DONE) return STEP_DONE;
  if (rc == CONFIRM_AGAIN) return STEP_IO;
  return E_TX_HUNG;
}
