// Register operations of the normal (OS-side) ring life: TX and RX initialisation, waiting
// for link, doorbells, reclaim by head (confirming a transmit is confirm.ts). Each is a phase function that
// nic_step() calls (step.ts); the ring side of each is the TX or RX queue's (txq.ts, rxq.ts).
// The i210's TX initialisation is qenable.ts txQueueInitPhase.

import {
  REG_TCTL, REG_TIPG, REG_RCTL, REG_STATUS, REG_RXDCTL, REG_RAL0, REG_RAH0, RAH_AV, STATUS_LU,
  TIPG_COPPER, RCTL_EN, RCTL_BAM, RCTL_SECRC, RCTL_BSIZE_2048, RCTL_RDMTS_HALF, TXQ_OFF_TDH,
  RXDCTL_QUEUE_ENABLE, I210_RXDCTL_RESET,
} from "../shared/e1000";
import { STEP_IO, STEP_DONE } from "../shared/regop";
import { E_LINK_DOWN } from "../shared/status";
import { RING_TX, OPINFO_RECLAIMED, OPINFO_POLLS } from "../shared/rings";
import { opWrite, opRead, opDelay, opValue } from "./ops";
import { nicPort, portMultiQueue } from "./port";
import { txQueueOf, activeTxQueue, txReg, txqProgram, txqSetLive, txqSetLead, txqRetireQueue0, txqKick, txqReclaimToHead, txqHwQueue, TCTL_RUN } from "./txq";
import { rxQueue, rxqProgram, rxqStart, rxqKick } from "./rxq";
import { nicOp, opLoopStart, infoSet, infoAdd } from "./op";

const RCTL_RUN: u32 = <u32>(RCTL_EN | RCTL_BAM | RCTL_SECRC | RCTL_BSIZE_2048 | RCTL_RDMTS_HALF);

// ---- TX init (SDM §14.5): queue 0 gets the port's TX ring (e1000) ----
export function txInitPhase(): i32 {
  const o = nicOp();
  if (o.phase != 0) return STEP_DONE;
  const port = o.port;
  const q = txQueueOf(port, RING_TX);
  opWrite(port, REG_TCTL, 0);
  txqRetireQueue0(port); // queue 0 no longer points at the fault ring if a takeover had put it there
  txqProgram(q, 0);
  opWrite(port, REG_TIPG, TIPG_COPPER);
  opWrite(port, REG_TCTL, TCTL_RUN);
  txqSetLead(q, false);
  txqSetLive(q, true);
  nicPort(port).activeTx = RING_TX;
  o.phase = 1;
  return STEP_IO;
}

// ---- RX init (SDM §14.4; i210 §4.7.5): the RX ring, RA0 = the MAC, RDT one behind ----
export function rxInitPhase(): i32 {
  const o = nicOp();
  if (o.phase != 0) return STEP_DONE;
  const port = o.port;
  const p = nicPort(port);
  const i210 = portMultiQueue(port);
  opWrite(port, REG_RCTL, 0);
  // i210: the queue is disabled while it is programmed, and must be enabled before RDT
  // writes count (I210 §8.10.8).
  if (i210) opWrite(port, REG_RXDCTL, <u32>I210_RXDCTL_RESET);
  const q = rxQueue(port);
  rxqProgram(q);
  if (p.macSet == 1) {
    opWrite(port, REG_RAL0, p.ral);
    opWrite(port, REG_RAH0, p.rah | <u32>RAH_AV);
  }
  if (i210) opWrite(port, REG_RXDCTL, <u32>(I210_RXDCTL_RESET | RXDCTL_QUEUE_ENABLE));
  rxqStart(q); // all descriptors but one belong to the NIC
  opWrite(port, REG_RCTL, RCTL_RUN);
  o.phase = 1;
  return STEP_IO;
}

// ---- link wait: poll STATUS.LU (SDM §13.4.2) argPolls times, argUs apart ----
export function linkWaitPhase(): i32 {
  const o = nicOp();
  if (o.phase == 0) {
    opLoopStart(0);
    o.readIdx = opRead(o.port, REG_STATUS);
    o.phase = 1;
    return STEP_IO;
  }
  if ((opValue(o.readIdx) & <u32>STATUS_LU) != 0) return STEP_DONE;
  if (o.polls >= o.argPolls) return E_LINK_DOWN;
  o.polls++;
  opDelay(o.argUs);
  infoAdd(OPINFO_POLLS, 1);
  o.readIdx = opRead(o.port, REG_STATUS);
  return STEP_IO;
}

// ---- TX doorbell: one TDT write for everything queued since the last one ----
export function txDoorbellPhase(): i32 {
  const o = nicOp();
  if (o.phase != 0) return STEP_DONE;
  if (!txqKick(activeTxQueue(o.port))) return STEP_DONE;
  o.phase = 1;
  return STEP_IO;
}

// ---- RX doorbell: RDT one behind the next descriptor to check ----
export function rxDoorbellPhase(): i32 {
  const o = nicOp();
  if (o.phase != 0) return STEP_DONE;
  if (!rxqKick(rxQueue(o.port))) return STEP_DONE;
  o.phase = 1;
  return STEP_IO;
}

// ---- reclaim by head: read TDH, free everything before it ----
export function txReclaimHeadPhase(): i32 {
  const o = nicOp();
  const q = activeTxQueue(o.port);
  if (o.phase == 0) {
    o.readIdx = opRead(o.port, txReg(txqHwQueue(q), TXQ_OFF_TDH));
    o.phase = 1;
    return STEP_IO;
  }
  infoSet(OPINFO_RECLAIMED, txqReclaimToHead(q, <i32>opValue(o.readIdx)));
  return STEP_DONE;
}
