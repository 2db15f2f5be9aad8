// Bringing up a TX queue of the i210-like NIC (I210 §7.2.1.2.1, §8.12.13-15): disable it,
// wait for TXDCTL.QUEUE_ENABLE to read back clear, program it with a ring, enable it, set
// TCTL.EN if it was clear, wait for QUEUE_ENABLE to read back set. A hung queue with work
// pending never stops ("the queue stops once its transmit activity stopped"); setting ENABLE
// zeroes the queue's head and tail.
//
// Two operations use it: i210 TX initialisation (queue 0 with the normal TX ring, nic_tx_init:
// txQueueInitPhase below) and the takeover (the fault ring on the board's fault queue, or on
// queue 0 as a reset: takeover.ts). It has its own phase (NicOp.queuePhase), so either
// operation stays in one phase of its own while the queue comes up; its timeouts are the
// caller's to handle (the takeover may escalate to a device reset, initialisation never does).

import { REG_TCTL, REG_TIPG, TIPG_COPPER, TCTL_EN, TXDCTL_QUEUE_ENABLE, TXQ_OFF_TXDCTL } from "../shared/e1000";
import { STEP_IO, STEP_DONE } from "../shared/regop";
import { E_QUEUE_ENABLE_TIMEOUT, E_QUEUE_DISABLE_TIMEOUT } from "../shared/status";
import { RING_TX, TUNE_POLL_US, TUNE_QUEUE_POLLS, OPINFO_POLLS } from "../shared/rings";
import { opWrite, opRead, opDelay, opValue } from "./ops";
import { NicOp, nicOp, opLoopStart, tune, infoAdd } from "./op";
import { nicPort } from "./port";
import { txQueueOf, txReg, txqProgram, txqSetLive, txqSetLead, txqRetireQueue0, TCTL_RUN } from "./txq";

const QE_START = 0;
const QE_DISABLING = 1;
const QE_ENABLING = 2;

/** The queue enable answers this when the queue runs. */
export const QE_RUNNING = 0;

/** Prepares bringing hardware queue hw up with ring kind (RING_TX or RING_FAULT). */
export function queueEnableBegin(hw: i32, kind: i32): void {
  const o = nicOp();
  o.queue = hw;
  o.kind = kind;
  o.queuePhase = QE_START;
}


/** One more poll of TXDCTL(q), or false when the loop's bound is spent. */
function pollAgain(o: NicOp): bool {
  if (o.polls >= tune(TUNE_QUEUE_POLLS)) return false;
  o.polls++;
  opDelay(tune(TUNE_POLL_US));
  infoAdd(OPINFO_POLLS, 1);
  o.readIdx = opRead(o.port, txReg(o.queue, TXQ_OFF_TXDCTL));
  return true;
}

/** Round 1: note TCTL, TXDCTL := 0, read it back. */
function start(o: NicOp): i32 {
  opLoopStart(0);
  o.tctlIdx = opRead(o.port, REG_TCTL);
  opWrite(o.port, txReg(o.queue, TXQ_OFF_TXDCTL), 0);
  o.readIdx = opRead(o.port, txReg(o.queue, TXQ_OFF_TXDCTL));
  o.queuePhase = QE_DISABLING;
  return STEP_IO;
}

/** Waits for ENABLE to read clear, then programs the ring and enables the queue. */
function disabling(o: NicOp): i32 {
  if (o.polls == 0) o.tctl = opValue(o.tctlIdx); // the first answer carries TCTL too
  if ((opValue(o.readIdx) & <u32>TXDCTL_QUEUE_ENABLE) != 0) {
    return pollAgain(o) ? STEP_IO : E_QUEUE_DISABLE_TIMEOUT;
  }
  const port = o.port;
  if (o.queue == 0) txqRetireQueue0(port);
  txqProgram(txQueueOf(port, o.kind), o.queue);
  opWrite(port, txReg(o.queue, TXQ_OFF_TXDCTL), <u32>TXDCTL_QUEUE_ENABLE);
  if ((o.tctl & <u32>TCTL_EN) == 0) opWrite(port, REG_TCTL, TCTL_RUN);
  opLoopStart(0);
  o.readIdx = opRead(port, txReg(o.queue, TXQ_OFF_TXDCTL));
  o.queuePhase = QE_ENABLING;
  return STEP_IO;
}

/** Waits for ENABLE to read set: the ring is live on the queue. */
function enabling(o: NicOp): i32 {
  if ((opValue(o.readIdx) & <u32>TXDCTL_QUEUE_ENABLE) == 0) {
    return pollAgain(o) ? STEP_IO : E_QUEUE_ENABLE_TIMEOUT;
  }
  txqSetLive(txQueueOf(o.port, o.kind), true);
  return QE_RUNNING;
}

/**
 * One step of the queue enable: STEP_IO (operations listed), QE_RUNNING, or
 * E_QUEUE_DISABLE_TIMEOUT / E_QUEUE_ENABLE_TIMEOUT.
 */
export function queueEnableStep(): i32 {
  const o = nicOp();
  switch (o.queuePhase) {
    case QE_START: return start(o);
    case QE_DISABLING: return disabling(o);
  }
  return enabling(o);
}

// ---- i210 TX initialisation (OP_TX_INIT on a multi-queue NIC) -----------------------------------

/** TIPG, then queue 0 comes up with the normal TX ring; it never escalates. */
export function txQueueInitPhase(): i32 {
  const o = nicOp();
  if (o.phase == 0) {
    opWrite(o.port, REG_TIPG, TIPG_COPPER);
    queueEnableBegin(0, RING_TX);
    o.phase = 1;
  }
  const rc = queueEnableStep();
  if (rc != QE_RUNNING) return rc;
  txqSetLead(txQueueOf(o.port, RING_TX), false); // a queue brought up from reset is clean
  nicPort(o.port).activeTx = RING_TX;
  return STEP_DONE;
}

// ---- the fault entry's quiesce (FAULT_ARMF_QUIESCE) ------------------------------------------------

/**
 * Disables every TX queue of the port but the fault path's own (TXDCTL := 0, appended to the
 * round being built): nothing the dead OS queued there is fetched any more (I210 §7.2.1.2.1).
 * Returns the queues disabled.
 */
export function queuesQuiesce(port: i32): i32 {
  const np = nicPort(port);
  let n = 0;
  for (let q = 0; q < <i32>np.txQueues; q++) {
    if (q == <i32>np.faultQueue) continue;
    opWrite(port, txReg(q, TXQ_OFF_TXDCTL), 0);
    n++;
  }
  return n;
}
