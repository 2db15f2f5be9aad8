// Fault-time ring takeover: from whatever a crashed driver left behind, get a TX ring the
// fault path can trust, then (nic_fault_send) queue the frame's copies, ring the doorbell and
// confirm by TDH. docs/rings.md has the state diagram. Paths (OPINFO_PATH):
//
//   OWN_QUEUE  the board gives the fault path a TX queue of its own (i210-like): the queue
//              enable (qenable.ts) brings it up with the fault ring.
//   RECLAIM    queue 0 points at a ring in this core's own memory (TDBAL/TDBAH/TDLEN read back
//              as ours): trust TDH over ring memory. TX disabled: pull TDT back to TDH, which
//              cancels what was never fetched, and enable TX. TX running with work pending:
//              wait (bounded) for TDH to reach TDT. Anything odd, or no progress: RESET.
//   RESET      disable TX, wait, point queue 0 at the fault ring (base, length, head = tail = 0),
//              enable TX (SDM §14.5); on the i210 the queue enable on queue 0. The dead
//              driver's ring memory is never touched: in the simulation it is not even
//              addressable (another instance's memory).
//
// A transmit that hangs (TDH does not move) with the link up escalates: a reclaimed ring is
// reset; otherwise the NIC gets one device reset (CTRL.RST, what Linux e1000_reset_task does
// on a TX timeout) and the path is taken again. Hung after that: E_TX_HUNG. Link down (at the
// start, after the device reset, or while hung): E_LINK_DOWN. TXDCTL that never reads back:
// one device reset, then E_QUEUE_DISABLE_TIMEOUT / E_QUEUE_ENABLE_TIMEOUT. Every loop counts.
//
// One function per phase; takeoverPhase() dispatches on NicOp.phase as nic_step() asks.

import {
  REG_STATUS, REG_TCTL, REG_CTRL, STATUS_LU, TCTL_EN, CTRL_RST, CTRL_SLU, TXDCTL_QUEUE_ENABLE,
  TXQ_OFF_TDBAL, TXQ_OFF_TDBAH, TXQ_OFF_TDLEN, TXQ_OFF_TDH, TXQ_OFF_TDT, TXQ_OFF_TXDCTL,
} from "../shared/e1000";
import { STEP_IO, STEP_DONE } from "../shared/regop";
import { E_LINK_DOWN, E_TX_HUNG } from "../shared/status";
import {
  RING_TX, RING_FAULT, PATH_OWN_QUEUE, PATH_RECLAIM, PATH_RESET, TUNE_POLL_US, TUNE_LINK_POLLS,
  TUNE_RESET_US, OPINFO_PATH, OPINFO_POLLS, OPINFO_RESETS, OPINFO_DEVICE_RESETS, OPINFO_QUEUED,
  OPINFO_LEAD, OPINFO_HEAD,
} from "../shared/rings";
import { opWrite, opRead, opDelay, opValue, opsCount } from "./ops";
import { NicOp, nicOp, opLoopStart, tune, infoGet, infoSet, infoAdd, CONTINUE, THEN_SEND, THEN_HANDOFF } from "./op";
import { nicPort, portHasFaultQueue, portMultiQueue } from "./port";
import {
  TxQueue, txQueueOf, txReg, txqProgram, txqRetireQueue0, txqAdopt, txqPost, txqSetLive, txqSetLead, txqLive, txqHwQueue,
  txqRegistersMatch, txqIndexValid, txqEmitPoll, TCTL_RUN,
} from "./txq";
import { rxQueue, rxqRetire } from "./rxq";
import { queueEnableBegin, queueEnableStep, QE_RUNNING } from "./qenable";
import { confirmConsume, kickAndPoll, headProgress, CONFIRM_DONE, CONFIRM_AGAIN } from "./confirm";

const TK_START = 0;
const TK_LINK = 1;
const TK_CHOOSE = 2;
const TK_RECLAIM_READ = 3;
const TK_RECLAIM_CHECK = 4;
const TK_RECLAIM_DRAIN = 5;
const TK_RESET = 6;
const TK_QUEUE = 7;
const TK_TAKEN = 8;
const TK_SEND = 9;
const TK_CONFIRM = 10;
const TK_HUNG = 11;
const TK_HUNG_CHECK = 12;
const TK_DEVICE_RESET = 13;
const TK_DEVICE_SLU = 14;
const TK_FINISH = 15;

@inline
function next(o: NicOp, phase: i32): i32 {
  o.phase = phase;
  return CONTINUE;
}

/** The ring the takeover is working on (NicOp.kind). */
@inline
function ring(o: NicOp): TxQueue {
  return txQueueOf(o.port, o.kind);
}

/** A takeover may escalate to one device reset. */
function mayResetDevice(): bool {
  return infoGet(OPINFO_DEVICE_RESETS) == 0;
}

/** The ring is taken: the port's doorbell and confirm act on it from now on. */
function taken(o: NicOp): i32 {
  nicPort(o.port).activeTx = o.kind;
  return next(o, TK_TAKEN);
}

// ---- link ----------------------------------------------------------------------------------

function start(o: NicOp): i32 {
  opLoopStart(0);
  o.readIdx = opRead(o.port, REG_STATUS);
  o.phase = TK_LINK;
  return STEP_IO;
}

/** STATUS.LU: on to CHOOSE, or poll again within TUNE_LINK_POLLS. */
function link(o: NicOp): i32 {
  if ((opValue(o.readIdx) & <u32>STATUS_LU) != 0) return next(o, TK_CHOOSE);
  if (o.polls >= tune(TUNE_LINK_POLLS)) return E_LINK_DOWN;
  o.polls++;
  opDelay(tune(TUNE_POLL_US));
  infoAdd(OPINFO_POLLS, 1);
  o.readIdx = opRead(o.port, REG_STATUS);
  return STEP_IO;
}

function choose(o: NicOp): i32 {
  const port = o.port;
  if (portHasFaultQueue(port)) {
    infoSet(OPINFO_PATH, PATH_OWN_QUEUE);
    queueEnableBegin(nicPort(port).faultQueue, RING_FAULT);
    return next(o, TK_QUEUE);
  }
  const kind = <i32>nicPort(port).activeTx;
  const q = txQueueOf(port, kind);
  if (txqLive(q) && txqHwQueue(q) == 0) {
    infoSet(OPINFO_PATH, PATH_RECLAIM);
    o.kind = kind;
    return next(o, TK_RECLAIM_READ);
  }
  return next(o, TK_RESET);
}

// ---- RECLAIM: queue 0 points at a ring of ours ------------------------------------------------

function reclaimRead(o: NicOp): i32 {
  const port = o.port;
  const first = opRead(port, REG_TCTL);
  opRead(port, txReg(0, TXQ_OFF_TDBAL));
  opRead(port, txReg(0, TXQ_OFF_TDBAH));
  opRead(port, txReg(0, TXQ_OFF_TDLEN));
  opRead(port, txReg(0, TXQ_OFF_TDH));
  opRead(port, txReg(0, TXQ_OFF_TDT));
  if (portMultiQueue(port)) opRead(port, txReg(0, TXQ_OFF_TXDCTL));
  o.readIdx = first;
  o.phase = TK_RECLAIM_CHECK;
  return STEP_IO;
}

function reclaimCheck(o: NicOp): i32 {
  const i = o.readIdx;
  const tctl = opValue(i);
  const tdh = <i32>opValue(i + 4);
  const tdt = <i32>opValue(i + 5);
  const dctl = portMultiQueue(o.port) ? opValue(i + 6) : <u32>TXDCTL_QUEUE_ENABLE;
  const q = ring(o);
  if (
    !txqRegistersMatch(q, opValue(i + 1), opValue(i + 2), opValue(i + 3)) ||
    !txqIndexValid(q, tdh) || !txqIndexValid(q, tdt) || (dctl & <u32>TXDCTL_QUEUE_ENABLE) == 0
  ) {
    return next(o, TK_RESET);
  }
  if ((tctl & <u32>TCTL_EN) == 0) {
    // TX stopped: nothing in [TDH, TDT) was fetched. Pulling the tail back to the head
    // cancels it (QEMU start_xmit runs nothing while TCTL.EN is clear); then enable.
    txqAdopt(q, tdh, true);
    opWrite(o.port, REG_TCTL, TCTL_RUN);
    infoSet(OPINFO_HEAD, tdh);
    return taken(o);
  }
  if (tdh == tdt) return adopted(o, q, tdh);
  opLoopStart(tdh);
  txqEmitPoll(q, true);
  o.phase = TK_RECLAIM_DRAIN;
  return STEP_IO;
}

/** Work pending with TX running: wait for TDH to reach TDT, or give up on the ring. */
function reclaimDrain(o: NicOp): i32 {
  const q = ring(o);
  const head = <i32>opValue(o.readIdx);
  const tail = <i32>opValue(o.readIdx + 1);
  if (!txqIndexValid(q, head)) return next(o, TK_RESET);
  if (head == tail) return adopted(o, q, head);
  if (!headProgress(head)) return next(o, TK_RESET);
  txqEmitPoll(q, true);
  return STEP_IO;
}

function adopted(o: NicOp, q: TxQueue, head: i32): i32 {
  txqAdopt(q, head, false);
  infoSet(OPINFO_HEAD, head);
  return taken(o);
}

// ---- RESET: queue 0 gets the fault ring -------------------------------------------------------

function reset(o: NicOp): i32 {
  const port = o.port;
  infoSet(OPINFO_PATH, PATH_RESET);
  infoAdd(OPINFO_RESETS, 1);
  if (portMultiQueue(port)) {
    queueEnableBegin(0, RING_FAULT);
    return next(o, TK_QUEUE);
  }
  // e1000: TX off, let in-flight DMA settle (Linux e1000_down sleeps after clearing
  // TCTL.EN), queue 0 -> the fault ring, TX on.
  o.kind = RING_FAULT;
  const q = ring(o);
  txqRetireQueue0(port);
  opWrite(port, REG_TCTL, 0);
  opDelay(tune(TUNE_POLL_US));
  txqProgram(q, 0);
  opWrite(port, REG_TCTL, TCTL_RUN);
  txqSetLive(q, true);
  // The dead driver may have left a half-gathered packet inside the NIC (a device reset
  // would have dropped it).
  txqSetLead(q, infoGet(OPINFO_DEVICE_RESETS) == 0);
  return taken(o);
}

// ---- OWN_QUEUE, or RESET on the i210: the queue enable ------------------------------------------

function queue(o: NicOp): i32 {
  const rc = queueEnableStep();
  if (rc == STEP_IO) return STEP_IO;
  if (rc != QE_RUNNING) return mayResetDevice() ? next(o, TK_DEVICE_RESET) : rc;
  // Queue 0 taken from a dead driver may hold a half-gathered packet; a queue of our own,
  // or any queue after a device reset, is clean.
  txqSetLead(ring(o), o.queue == 0 && infoGet(OPINFO_DEVICE_RESETS) == 0);
  return taken(o);
}

// ---- TAKEN, and for nic_fault_send: send and confirm ----------------------------------------------

function takenPhase(o: NicOp): i32 {
  if (o.then == THEN_SEND) return next(o, TK_SEND);
  if (o.then == THEN_HANDOFF) return STEP_DONE; // its last writes stay in the list for the caller
  if (opsCount() > 0) {
    o.phase = TK_FINISH;
    return STEP_IO;
  }
  return STEP_DONE;
}

function send(o: NicOp): i32 {
  const q = ring(o);
  const n = txqPost(q, <usize>o.src, o.len, o.copies);
  if (n < 0) return n;
  infoSet(OPINFO_QUEUED, n);
  infoSet(OPINFO_LEAD, n > o.copies ? 1 : 0);
  kickAndPoll(q);
  o.phase = TK_CONFIRM;
  return STEP_IO;
}

function confirm(o: NicOp): i32 {
  const rc = confirmConsume(ring(o));
  if (rc == CONFIRM_DONE) return STEP_DONE;
  if (rc == CONFIRM_AGAIN) return STEP_IO;
  return next(o, TK_HUNG);
}

// ---- escalation ---------------------------------------------------------------------------------

function hung(o: NicOp): i32 {
  o.readIdx = opRead(o.port, REG_STATUS);
  o.phase = TK_HUNG_CHECK;
  return STEP_IO;
}

function hungCheck(o: NicOp): i32 {
  if ((opValue(o.readIdx) & <u32>STATUS_LU) == 0) return E_LINK_DOWN;
  if (infoGet(OPINFO_PATH) == PATH_RECLAIM && infoGet(OPINFO_RESETS) == 0) return next(o, TK_RESET);
  return mayResetDevice() ? next(o, TK_DEVICE_RESET) : E_TX_HUNG;
}

function deviceReset(o: NicOp): i32 {
  // CTRL.RST resets every register and engine (SDM §13.4.1); nothing this core programmed
  // survives it. The NIC is not touched again until the reset settled.
  const port = o.port;
  infoAdd(OPINFO_DEVICE_RESETS, 1);
  txqSetLive(txQueueOf(port, RING_TX), false);
  rxqRetire(rxQueue(port));
  txqSetLive(txQueueOf(port, RING_FAULT), false);
  nicPort(port).activeTx = RING_TX;
  opWrite(port, REG_CTRL, <u32>CTRL_RST);
  opDelay(tune(TUNE_RESET_US));
  o.readIdx = opRead(port, REG_CTRL);
  o.phase = TK_DEVICE_SLU;
  return STEP_IO;
}

/** After the reset: set link up if the reset cleared CTRL.SLU, then from LINK again. */
function deviceSlu(o: NicOp): i32 {
  const ctrl = opValue(o.readIdx);
  if ((ctrl & <u32>CTRL_SLU) == 0) opWrite(o.port, REG_CTRL, ctrl | <u32>CTRL_SLU);
  opLoopStart(0);
  o.readIdx = opRead(o.port, REG_STATUS);
  o.phase = TK_LINK;
  return STEP_IO;
}

export function takeoverPhase(): i32 {
  const o = nicOp();
  switch (o.phase) {
    case TK_START: return start(o);
    case TK_LINK: return link(o);
    case TK_CHOOSE: return choose(o);
    case TK_RECLAIM_READ: return reclaimRead(o);
    case TK_RECLAIM_CHECK: return reclaimCheck(o);
    case TK_RECLAIM_DRAIN: return reclaimDrain(o);
    case TK_RESET: return reset(o);
    case TK_QUEUE: return queue(o);
    case TK_TAKEN: return takenPhase(o);
    case TK_SEND: return send(o);
    case TK_CONFIRM: return confirm(o);
    case TK_HUNG: return hung(o);
    case TK_HUNG_CHECK: return hungCheck(o);
    case TK_DEVICE_RESET: return deviceReset(o);
    case TK_DEVICE_SLU: return deviceSlu(o);
  }
  return STEP_DONE; // TK_FINISH: the last writes went out
}
