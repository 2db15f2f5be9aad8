// Confirming a transmit: poll the queue's head until it reaches the tail the core wrote.
//
// Trusts TDH, not DD: the head is the NIC's own statement of progress, DD write-back can be
// deferred (and is skipped for descriptors without RS). A tail that reads back different from
// what was written means the doorbell write was lost: it is written again. A head that does
// not move for TUNE_STALL_POLLS polls, or a transmit not finished within TUNE_TX_POLLS polls,
// means the engine is hung.

import { TXQ_OFF_TDT } from "../shared/e1000";
import { TUNE_TX_POLLS, TUNE_STALL_POLLS, OPINFO_HEAD, OPINFO_RERINGS, OPINFO_TAIL } from "../shared/rings";
import { opValue, opWrite } from "./ops";
import { ringSize, ringTail, ringSetTail, ringQueue } from "./ring";
import { txReclaimToHead } from "./tx";
import { emitTxPoll, txReg } from "./regs";
import {
  opIdx, opPolls, opSetPolls, opStall, opSetStall, opLastHead, opSetLastHead, opLoopStart,
  tune, infoSet, infoAdd,
} from "./opstate";

export const CONFIRMED = 0;
export const CONFIRM_AGAIN = 1; // another poll was emitted
export const CONFIRM_HUNG = 2;

/**
 * Bookkeeping of one TDH poll: a moving head restarts the stall count. False when the
 * engine counts as hung — the head stalled for TUNE_STALL_POLLS polls, or TUNE_TX_POLLS
 * polls ran in all.
 */
export function headProgress(head: i32): bool {
  if (head != opLastHead()) {
    opSetLastHead(head);
    opSetStall(0);
  } else {
    opSetStall(opStall() + 1);
  }
  opSetPolls(opPolls() + 1);
  return opStall() < tune(TUNE_STALL_POLLS) && opPolls() < tune(TUNE_TX_POLLS);
}

/** Appends the doorbell for the ring's queued frames and the first poll (no delay). */
export function emitDoorbellAndPoll(port: i32, kind: i32, use: i32): void {
  opWrite(port, txReg(ringQueue(port, kind), TXQ_OFF_TDT), <u32>use);
  ringSetTail(port, kind, use);
  infoSet(OPINFO_TAIL, use);
  opLoopStart(-1);
  emitTxPoll(port, kind, false);
}

/** Consumes one poll's TDH/TDT; on CONFIRM_AGAIN the next poll has been emitted. */
export function confirmConsume(port: i32, kind: i32): i32 {
  const idx = opIdx();
  const head = <i32>opValue(idx);
  const tailRead = <i32>opValue(idx + 1);
  const target = ringTail(port, kind);
  infoSet(OPINFO_HEAD, head);
  if (head >= 0 && head < ringSize(port, kind)) txReclaimToHead(port, kind, head);
  if (head == target) return CONFIRMED;
  if (!headProgress(head)) return CONFIRM_HUNG;
  if (tailRead != target) {
    // The doorbell did not land: ring it again. The stall count restarts, the poll bound
    // still ends the loop if the NIC drops every write.
    opWrite(port, txReg(ringQueue(port, kind), TXQ_OFF_TDT), <u32>target);
    infoAdd(OPINFO_RERINGS, 1);
    opSetStall(0);
  }
  emitTxPoll(port, kind, true);
  return CONFIRM_AGAIN;
}
