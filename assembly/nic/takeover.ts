// Fault-time ring takeover: from whatever a crashed driver left behind, get a TX ring the
// fault path can trust, then (nic_fault_send) queue the frame's copies, ring the doorbell and
// confirm by TDH. docs/rings.md has the state diagram. Paths (OPINFO_PATH):
//
//   OWN_QUEUE  the board gives the fault path a TX queue of its own (i210-like): disable it,
//              wait for QUEUE_ENABLE to read back clear, program it with the fault ring,
//              enable it, wait for QUEUE_ENABLE to read back set (I210 §7.2.1.2.1, §8.12.15).
//   RECLAIM    queue 0 points at a ring in this core's own memory (TDBAL/TDBAH/TDLEN read back
//              as ours): trust TDH over ring memory. TX disabled: pull TDT back to TDH, which
//              cancels what was never fetched, and enable TX. TX running with work pending:
//              wait (bounded) for TDH to reach TDT. Anything odd, or no progress: RESET.
//   RESET      disable TX, wait, point queue 0 at the fault ring (base, length, head = tail = 0),
//              enable TX (SDM §14.5). The dead driver's ring memory is never touched: in the
//              simulation it is not even addressable (another instance's memory).
//
// A transmit that hangs (TDH does not move) with the link up escalates: a reclaimed ring is
// reset; otherwise the NIC gets one device reset (CTRL.RST, what Linux e1000_reset_task does
// on a TX timeout) and the path is taken again. Hung after that: E_TX_HUNG. Link down (at the
// start, after the device reset, or while hung): E_LINK_DOWN. TXDCTL that never reads back:
// one device reset, then E_QUEUE_DISABLE_TIMEOUT / E_QUEUE_ENABLE_TIMEOUT. Every loop counts.
//
// The i210 queue sub-machine (TK_Q_*) also initialises the normal TX ring on multi-queue NICs
// (OP_TX_INIT), which never escalates.

import {
  REG_STATUS, REG_TCTL, REG_CTRL, REG_TIPG, STATUS_LU, TCTL_EN, CTRL_RST, CTRL_SLU, DESC_SIZE,
  TXDCTL_QUEUE_ENABLE, TIPG_COPPER, TXQ_OFF_TDBAL, TXQ_OFF_TDBAH, TXQ_OFF_TDLEN, TXQ_OFF_TDH,
  TXQ_OFF_TDT, TXQ_OFF_TXDCTL,
} from "../shared/e1000";
import { STEP_IO, STEP_DONE } from "../shared/regop";
import { E_LINK_DOWN, E_TX_HUNG, E_QUEUE_ENABLE_TIMEOUT, E_QUEUE_DISABLE_TIMEOUT } from "../shared/status";
import {
  RING_TX, RING_FAULT, PATH_OWN_QUEUE, PATH_RECLAIM, PATH_RESET, TUNE_POLL_US,
  TUNE_LINK_POLLS, TUNE_QUEUE_POLLS, TUNE_RESET_US, OPINFO_PATH,
  OPINFO_POLLS, OPINFO_RESETS, OPINFO_DEVICE_RESETS, OPINFO_QUEUED, OPINFO_LEAD, OPINFO_HEAD,
  OP_TX_INIT,
} from "../shared/rings";
import { opWrite, opRead, opDelay, opValue, opsCount } from "./ops";
import { physOf, portHasFaultQueue, portFaultQueue, portMultiQueue, portActiveTx, portSetActiveTx } from "./port";
import { ringSize, ringUse, ringLive, ringQueue, ringSetFlag, RF_LIVE, RF_LEAD, descAddr } from "./ring";
import { txResetSoft, txResetAt, txHalfGathered, txEnqueueCopies } from "./tx";
import { TCTL_RUN, txReg, emitProgramTx, emitTxPoll } from "./regs";
import { confirmConsume, emitDoorbellAndPoll, headProgress, CONFIRMED, CONFIRM_AGAIN } from "./confirm";
import {
  opKind, opPort, opPhase, opSetPhase, opRing, opSetRing, opIdx, opSetIdx, opPolls, opSetPolls,
  opLoopStart, opSaved, opSetSaved, opQueue,
  opSetQueue, opThen, opSrc, opLen, opCopies, tune, infoGet, infoSet, infoAdd, CONTINUE, THEN_SEND, THEN_HANDOFF,
} from "./opstate";

export const TK_START = 0;
const TK_LINK = 1;
const TK_CHOOSE = 2;
const TK_R_READ = 3;
const TK_R_CHECK = 4;
const TK_R_DRAIN = 5;
const TK_RESET = 6;
export const TK_Q_START = 7;
const TK_Q_DISABLED = 8;
const TK_Q_ENABLED = 9;
const TK_TAKEN = 10;
const TK_SEND = 11;
const TK_CONFIRM = 12;
const TK_HUNG = 13;
const TK_HUNG_CHECK = 14;
const TK_DEV_RESET = 15;
const TK_DEV_SLU = 16;
const TK_FINISH = 17;

@inline
function next(phase: i32): i32 {
  opSetPhase(phase);
  return CONTINUE;
}

/** One more poll of a register, or false when the loop's bound is spent. */
function pollAgain(port: i32, reg: i32, bound: i32): bool {
  if (opPolls() >= bound) return false;
  opSetPolls(opPolls() + 1);
  opDelay(tune(TUNE_POLL_US));
  infoAdd(OPINFO_POLLS, 1);
  opSetIdx(opRead(port, reg));
  return true;
}

/** A takeover may escalate to one device reset; initialisation never does. */
function mayResetDevice(): bool {
  return opKind() != OP_TX_INIT && infoGet(OPINFO_DEVICE_RESETS) == 0;
}

/** Queue 0 is about to point at another ring: neither ring that pointed there is live. */
function retireQueue0(port: i32): void {
  if (ringLive(port, RING_TX) && ringQueue(port, RING_TX) == 0) ringSetFlag(port, RING_TX, RF_LIVE, false);
  if (ringLive(port, RING_FAULT) && ringQueue(port, RING_FAULT) == 0) ringSetFlag(port, RING_FAULT, RF_LIVE, false);
}

/** Adopts a reclaimed ring whose head and tail both stand at head. */
function adopt(port: i32, kind: i32, head: i32): i32 {
  ringSetFlag(port, kind, RF_LEAD, txHalfGathered(port, kind, head));
  txResetAt(port, kind, head);
  portSetActiveTx(port, kind);
  opSetRing(kind);
  infoSet(OPINFO_HEAD, head);
  return next(TK_TAKEN);
}

export function takeoverPhase(): i32 {
  const port = opPort();
  const phase = opPhase();

  if (phase == TK_START) {
    opLoopStart(0);
    opSetIdx(opRead(port, REG_STATUS));
    opSetPhase(TK_LINK);
    return STEP_IO;
  }

  if (phase == TK_LINK) {
    if ((opValue(opIdx()) & <u32>STATUS_LU) != 0) return next(TK_CHOOSE);
    return pollAgain(port, REG_STATUS, tune(TUNE_LINK_POLLS)) ? STEP_IO : E_LINK_DOWN;
  }

  if (phase == TK_CHOOSE) {
    if (portHasFaultQueue(port)) {
      infoSet(OPINFO_PATH, PATH_OWN_QUEUE);
      opSetQueue(portFaultQueue(port));
      opSetRing(RING_FAULT);
      return next(TK_Q_START);
    }
    const kind = portActiveTx(port);
    if (ringLive(port, kind) && ringQueue(port, kind) == 0) {
      infoSet(OPINFO_PATH, PATH_RECLAIM);
      opSetRing(kind);
      return next(TK_R_READ);
    }
    return next(TK_RESET);
  }

  if (phase == TK_R_READ) {
    const first = opRead(port, REG_TCTL);
    opRead(port, txReg(0, TXQ_OFF_TDBAL));
    opRead(port, txReg(0, TXQ_OFF_TDBAH));
    opRead(port, txReg(0, TXQ_OFF_TDLEN));
    opRead(port, txReg(0, TXQ_OFF_TDH));
    opRead(port, txReg(0, TXQ_OFF_TDT));
    if (portMultiQueue(port)) opRead(port, txReg(0, TXQ_OFF_TXDCTL));
    opSetIdx(first);
    opSetPhase(TK_R_CHECK);
    return STEP_IO;
  }

  if (phase == TK_R_CHECK) {
    const i = opIdx();
    const tctl = opValue(i);
    const bal = opValue(i + 1);
    const bah = opValue(i + 2);
    const len = opValue(i + 3);
    const tdh = <i32>opValue(i + 4);
    const tdt = <i32>opValue(i + 5);
    const dctl = portMultiQueue(port) ? opValue(i + 6) : <u32>TXDCTL_QUEUE_ENABLE;
    const kind = opRing();
    const size = ringSize(port, kind);
    const phys = physOf(port, descAddr(port, kind, 0));
    // Base compared without its low nibble: some NICs drop it on write (the i210-like model).
    const ours = (bal & 0xfffffff0) == (<u32>phys & 0xfffffff0) && bah == <u32>(phys >> 32) && len == <u32>(size * DESC_SIZE);
    if (!ours || tdh < 0 || tdh >= size || tdt < 0 || tdt >= size || (dctl & <u32>TXDCTL_QUEUE_ENABLE) == 0) {
      return next(TK_RESET);
    }
    if ((tctl & <u32>TCTL_EN) == 0) {
      // TX stopped: nothing in [TDH, TDT) was fetched. Pulling the tail back to the head
      // cancels it (QEMU start_xmit runs nothing while TCTL.EN is clear); then enable.
      opWrite(port, txReg(0, TXQ_OFF_TDT), <u32>tdh);
      opWrite(port, REG_TCTL, TCTL_RUN);
      return adopt(port, kind, tdh);
    }
    if (tdh == tdt) return adopt(port, kind, tdh);
    opLoopStart(tdh);
    emitTxPoll(port, kind, true);
    opSetPhase(TK_R_DRAIN);
    return STEP_IO;
  }

  if (phase == TK_R_DRAIN) {
    const kind = opRing();
    const head = <i32>opValue(opIdx());
    const tail = <i32>opValue(opIdx() + 1);
    if (head < 0 || head >= ringSize(port, kind)) return next(TK_RESET);
    if (head == tail) return adopt(port, kind, head);
    if (!headProgress(head)) return next(TK_RESET);
    emitTxPoll(port, kind, true);
    return STEP_IO;
  }

  if (phase == TK_RESET) {
    infoSet(OPINFO_PATH, PATH_RESET);
    infoAdd(OPINFO_RESETS, 1);
    opSetRing(RING_FAULT);
    if (portMultiQueue(port)) {
      opSetQueue(0);
      return next(TK_Q_START);
    }
    // e1000: TX off, let in-flight DMA settle (Linux e1000_down sleeps after clearing
    // TCTL.EN), queue 0 -> the fault ring, TX on.
    retireQueue0(port);
    txResetSoft(port, RING_FAULT, 0);
    opWrite(port, REG_TCTL, 0);
    opDelay(tune(TUNE_POLL_US));
    emitProgramTx(port, RING_FAULT, 0);
    opWrite(port, REG_TCTL, TCTL_RUN);
    ringSetFlag(port, RING_FAULT, RF_LIVE, true);
    // The dead driver may have left a half-gathered packet inside the NIC (a device reset
    // would have dropped it).
    ringSetFlag(port, RING_FAULT, RF_LEAD, infoGet(OPINFO_DEVICE_RESETS) == 0);
    portSetActiveTx(port, RING_FAULT);
    return next(TK_TAKEN);
  }

  if (phase == TK_Q_START) {
    const q = opQueue();
    opLoopStart(0);
    if (opKind() == OP_TX_INIT) opWrite(port, REG_TIPG, TIPG_COPPER);
    opSetSaved(<u32>opRead(port, REG_TCTL)); // the index now, the value after this round
    opWrite(port, txReg(q, TXQ_OFF_TXDCTL), 0);
    opSetIdx(opRead(port, txReg(q, TXQ_OFF_TXDCTL)));
    opSetPhase(TK_Q_DISABLED);
    return STEP_IO;
  }

  if (phase == TK_Q_DISABLED) {
    const q = opQueue();
    const kind = opRing();
    if (opPolls() == 0) opSetSaved(opValue(<i32>opSaved()));
    if ((opValue(opIdx()) & <u32>TXDCTL_QUEUE_ENABLE) != 0) {
      // A hung queue with work pending never stops (I210 §8.12.15 "the queue stops once its
      // transmit activity stopped").
      if (pollAgain(port, txReg(q, TXQ_OFF_TXDCTL), tune(TUNE_QUEUE_POLLS))) return STEP_IO;
      return mayResetDevice() ? next(TK_DEV_RESET) : E_QUEUE_DISABLE_TIMEOUT;
    }
    if (q == 0) retireQueue0(port);
    txResetSoft(port, kind, q);
    emitProgramTx(port, kind, q);
    opWrite(port, txReg(q, TXQ_OFF_TXDCTL), <u32>TXDCTL_QUEUE_ENABLE);
    if ((opSaved() & <u32>TCTL_EN) == 0) opWrite(port, REG_TCTL, TCTL_RUN);
    opLoopStart(0);
    opSetIdx(opRead(port, txReg(q, TXQ_OFF_TXDCTL)));
    opSetPhase(TK_Q_ENABLED);
    return STEP_IO;
  }

  if (phase == TK_Q_ENABLED) {
    const q = opQueue();
    const kind = opRing();
    if ((opValue(opIdx()) & <u32>TXDCTL_QUEUE_ENABLE) == 0) {
      if (pollAgain(port, txReg(q, TXQ_OFF_TXDCTL), tune(TUNE_QUEUE_POLLS))) return STEP_IO;
      return mayResetDevice() ? next(TK_DEV_RESET) : E_QUEUE_ENABLE_TIMEOUT;
    }
    ringSetFlag(port, kind, RF_LIVE, true);
    // Queue 0 taken from a dead driver may hold a half-gathered packet; a queue of our own,
    // or any queue after a device reset, is clean.
    ringSetFlag(port, kind, RF_LEAD, kind == RING_FAULT && q == 0 && infoGet(OPINFO_DEVICE_RESETS) == 0);
    portSetActiveTx(port, kind);
    return next(TK_TAKEN);
  }

  if (phase == TK_TAKEN) {
    if (opThen() == THEN_SEND) return next(TK_SEND);
    if (opThen() == THEN_HANDOFF) return STEP_DONE;
    if (opsCount() > 0) {
      opSetPhase(TK_FINISH);
      return STEP_IO;
    }
    return STEP_DONE;
  }

  if (phase == TK_SEND) {
    const kind = opRing();
    const n = txEnqueueCopies(port, kind, opSrc(), opLen(), opCopies());
    if (n < 0) return n;
    infoSet(OPINFO_QUEUED, n);
    infoSet(OPINFO_LEAD, n > opCopies() ? 1 : 0);
    emitDoorbellAndPoll(port, kind, ringUse(port, kind));
    opSetPhase(TK_CONFIRM);
    return STEP_IO;
  }

  if (phase == TK_CONFIRM) {
    const rc = confirmConsume(port, opRing());
    if (rc == CONFIRMED) return STEP_DONE;
    if (rc == CONFIRM_AGAIN) return STEP_IO;
    return next(TK_HUNG);
  }

  if (phase == TK_HUNG) {
    opSetIdx(opRead(port, REG_STATUS));
    opSetPhase(TK_HUNG_CHECK);
    return STEP_IO;
  }

  if (phase == TK_HUNG_CHECK) {
    if ((opValue(opIdx()) & <u32>STATUS_LU) == 0) return E_LINK_DOWN;
    if (infoGet(OPINFO_PATH) == PATH_RECLAIM && infoGet(OPINFO_RESETS) == 0) return next(TK_RESET);
    return mayResetDevice() ? next(TK_DEV_RESET) : E_TX_HUNG;
  }

  if (phase == TK_DEV_RESET) {
    // CTRL.RST resets every register and engine (SDM §13.4.1); nothing this core programmed
    // survives it. The NIC is not touched again until the reset settled.
    infoAdd(OPINFO_DEVICE_RESETS, 1);
    for (let k = RING_TX; k <= RING_FAULT; k++) ringSetFlag(port, k, RF_LIVE, false);
    portSetActiveTx(port, RING_TX);
    opWrite(port, REG_CTRL, <u32>CTRL_RST);
    opDelay(tune(TUNE_RESET_US));
    opSetIdx(opRead(port, REG_CTRL));
    opSetPhase(TK_DEV_SLU);
    return STEP_IO;
  }

  if (phase == TK_DEV_SLU) {
    const ctrl = opValue(opIdx());
    if ((ctrl & <u32>CTRL_SLU) == 0) opWrite(port, REG_CTRL, ctrl | <u32>CTRL_SLU);
    opLoopStart(0);
    opSetIdx(opRead(port, REG_STATUS));
    opSetPhase(TK_LINK);
    return STEP_IO;
  }

  return STEP_DONE; // TK_FINISH
}
