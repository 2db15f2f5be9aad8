// Register sequences the ring code emits more than once: programming a TX queue with a ring,
// the TCTL value the core runs with, and one poll of a TX queue's head and tail.

import {
  txQueueBase, TXQ_OFF_TDBAL, TXQ_OFF_TDBAH, TXQ_OFF_TDLEN, TXQ_OFF_TDH, TXQ_OFF_TDT,
  DESC_SIZE, TCTL_EN, TCTL_PSP, TCTL_CT_DEFAULT, TCTL_COLD_FD,
} from "../shared/e1000";
import { TUNE_POLL_US, OPINFO_POLLS } from "../shared/rings";
import { opWrite, opRead, opDelay } from "./ops";
import { physOf, portMultiQueue } from "./port";
import { ringSize, ringQueue, descAddr } from "./ring";
import { opSetIdx, tune, infoAdd } from "./opstate";

/** TCTL while the core transmits: enabled, pad short packets, SDM-recommended CT/COLD. */
export const TCTL_RUN: u32 = <u32>(TCTL_EN | TCTL_PSP | TCTL_CT_DEFAULT | TCTL_COLD_FD);

/** Register offset of queue q's TX register at off (TXQ_OFF_*). */
@inline
export function txReg(q: i32, off: i32): i32 {
  return txQueueBase(q) + off;
}

/**
 * Points TX queue q at ring (port, kind): base, length, head 0, tail 0 (SDM §14.5). The NIC
 * must not be transmitting from q while this runs (TCTL.EN or TXDCTL.QUEUE_ENABLE clear).
 * On the i210 TDH is read-only and setting QUEUE_ENABLE zeroes head and tail (I210 §8.12.13,
 * §8.12.15), so only base and length are written there.
 */
export function emitProgramTx(port: i32, kind: i32, q: i32): void {
  const phys = physOf(port, descAddr(port, kind, 0));
  opWrite(port, txReg(q, TXQ_OFF_TDBAL), <u32>phys);
  opWrite(port, txReg(q, TXQ_OFF_TDBAH), <u32>(phys >> 32));
  opWrite(port, txReg(q, TXQ_OFF_TDLEN), <u32>(ringSize(port, kind) * DESC_SIZE));
  if (portMultiQueue(port)) return;
  opWrite(port, txReg(q, TXQ_OFF_TDH), 0);
  opWrite(port, txReg(q, TXQ_OFF_TDT), 0);
}

/** One poll of the ring's queue: [delay], read TDH, read TDT (TDT at the returned index + 1). */
export function emitTxPoll(port: i32, kind: i32, delay: bool): void {
  if (delay) {
    opDelay(tune(TUNE_POLL_US));
    infoAdd(OPINFO_POLLS, 1);
  }
  const q = ringQueue(port, kind);
  opSetIdx(opRead(port, txReg(q, TXQ_OFF_TDH)));
  opRead(port, txReg(q, TXQ_OFF_TDT));
}
