// Register operations of the normal (OS-side) ring life: TX and RX initialisation, waiting
// for link, doorbells, reclaim by head, confirming a transmit. Each is a phase function that
// nic_step() calls; see opstate.ts for the operation record and ops.ts for emitting.

import {
  REG_TCTL, REG_TIPG, REG_RCTL, REG_STATUS, REG_RDBAL, REG_RDBAH, REG_RDLEN, REG_RDH, REG_RDT,
  REG_RXDCTL, REG_RAL0, REG_RAH0, RAH_AV, STATUS_LU, TIPG_COPPER, DESC_SIZE, RCTL_EN, RCTL_BAM,
  RCTL_SECRC, RCTL_BSIZE_2048, RCTL_RDMTS_HALF, TXQ_OFF_TXDCTL, TXQ_OFF_TDH, TXQ_OFF_TDT, TXDCTL_QUEUE_ENABLE,
  RXDCTL_QUEUE_ENABLE, I210_RXDCTL_RESET,
} from "../shared/e1000";
import { STEP_IO, STEP_DONE } from "../shared/regop";
import { E_LINK_DOWN, E_QUEUE_ENABLE_TIMEOUT, E_TX_HUNG } from "../shared/status";
import {
  RING_TX, RING_RX, RING_FAULT, OPINFO_RECLAIMED, OPINFO_POLLS, OPINFO_TAIL,
} from "../shared/rings";
import { opWrite, opRead, opDelay, opValue } from "./ops";
import { physOf, portMultiQueue, portHasMac, portRal, portRah, portSetActiveTx, portActiveTx } from "./port";
import {
  ringSize, ringUse, ringTail, ringSetTail, ringQueue, ringSetFlag, ringLive, RF_LIVE, RF_LEAD, descAddr,
} from "./ring";
import { txResetSoft, txReclaimToHead } from "./tx";
import { rxArmAll, rxTailTarget } from "./rx";
import { TCTL_RUN, txReg, emitProgramTx, emitTxPoll } from "./regs";
import { confirmConsume, CONFIRMED, CONFIRM_AGAIN } from "./confirm";
import {
  opPort, opPhase, opSetPhase, opIdx, opSetIdx, opPolls, opSetPolls, opArgPolls, opArgUs,
  opLoopStart, tune, infoSet, infoAdd,
} from "./opstate";

const RCTL_RUN: u32 = <u32>(RCTL_EN | RCTL_BAM | RCTL_SECRC | RCTL_BSIZE_2048 | RCTL_RDMTS_HALF);

/** Polls a register until (value & bit) == want; emits the next poll or returns a verdict. */
function pollBit(port: i32, reg: i32, bit: u32, want: bool, maxPolls: i32, us: i32): i32 {
  const v = opValue(opIdx());
  if (((v & bit) != 0) == want) return STEP_DONE;
  if (opPolls() >= maxPolls) return -1;
  opSetPolls(opPolls() + 1);
  opDelay(us);
  infoAdd(OPINFO_POLLS, 1);
  opSetIdx(opRead(port, reg));
  return STEP_IO;
}

// ---- TX init (SDM §14.5): queue 0 gets the port's TX ring (e1000; the i210-like NIC goes
// through the queue-enable sub-machine in takeover.ts, see api.ts txInitBegin) ----
export function txInitPhase(): i32 {
  const port = opPort();
  if (opPhase() != 0) return STEP_DONE;
  opWrite(port, REG_TCTL, 0);
  txResetSoft(port, RING_TX, 0);
  emitProgramTx(port, RING_TX, 0);
  opWrite(port, REG_TIPG, TIPG_COPPER);
  opWrite(port, REG_TCTL, TCTL_RUN);
  // Queue 0 no longer points at the fault ring if a takeover had put it there.
  if (ringLive(port, RING_FAULT) && ringQueue(port, RING_FAULT) == 0) ringSetFlag(port, RING_FAULT, RF_LIVE, false);
  ringSetFlag(port, RING_TX, RF_LEAD, false);
  ringSetFlag(port, RING_TX, RF_LIVE, true);
  portSetActiveTx(port, RING_TX);
  opSetPhase(1);
  return STEP_IO;
}

// ---- RX init (SDM §14.4; i210 §4.7.5): the RX ring, RA0 = the MAC, RDT one behind ----
export function rxInitPhase(): i32 {
  const port = opPort();
  if (opPhase() != 0) return STEP_DONE;
  const i210 = portMultiQueue(port);
  opWrite(port, REG_RCTL, 0);
  // i210: the queue is disabled while it is programmed, and must be enabled before RDT
  // writes count (I210 §8.10.8); RDH is read-only there.
  if (i210) opWrite(port, REG_RXDCTL, <u32>I210_RXDCTL_RESET);
  const phys = physOf(port, descAddr(port, RING_RX, 0));
  opWrite(port, REG_RDBAL, <u32>phys);
  opWrite(port, REG_RDBAH, <u32>(phys >> 32));
  opWrite(port, REG_RDLEN, <u32>(ringSize(port, RING_RX) * DESC_SIZE));
  if (!i210) {
    opWrite(port, REG_RDH, 0);
    opWrite(port, REG_RDT, 0);
  }
  if (portHasMac(port)) {
    opWrite(port, REG_RAL0, portRal(port));
    opWrite(port, REG_RAH0, portRah(port) | <u32>RAH_AV);
  }
  rxArmAll(port);
  if (i210) opWrite(port, REG_RXDCTL, <u32>(I210_RXDCTL_RESET | RXDCTL_QUEUE_ENABLE));
  // All descriptors but one belong to the NIC: RDT one behind the next to check (0).
  opWrite(port, REG_RDT, <u32>ringTail(port, RING_RX));
  opWrite(port, REG_RCTL, RCTL_RUN);
  ringSetFlag(port, RING_RX, RF_LIVE, true);
  opSetPhase(1);
  return STEP_IO;
}

// ---- link wait: poll STATUS.LU (SDM §13.4.2) opArgPolls() times, opArgUs() apart ----
export function linkWaitPhase(): i32 {
  const port = opPort();
  if (opPhase() == 0) {
    opLoopStart(0);
    opSetIdx(opRead(port, REG_STATUS));
    opSetPhase(1);
    return STEP_IO;
  }
  const rc = pollBit(port, REG_STATUS, <u32>STATUS_LU, true, opArgPolls(), opArgUs());
  return rc < 0 ? E_LINK_DOWN : rc;
}

// ---- TX doorbell: one TDT write for everything queued since the last one ----
export function txDoorbellPhase(): i32 {
  const port = opPort();
  if (opPhase() != 0) return STEP_DONE;
  const kind = portActiveTx(port);
  const use = ringUse(port, kind);
  if (use == ringTail(port, kind)) return STEP_DONE;
  opWrite(port, txReg(ringQueue(port, kind), TXQ_OFF_TDT), <u32>use);
  ringSetTail(port, kind, use);
  opSetPhase(1);
  return STEP_IO;
}

// ---- RX doorbell: RDT one behind the next descriptor to check ----
export function rxDoorbellPhase(): i32 {
  const port = opPort();
  if (opPhase() != 0) return STEP_DONE;
  const t = rxTailTarget(port);
  if (t == ringTail(port, RING_RX)) return STEP_DONE;
  opWrite(port, REG_RDT, <u32>t);
  ringSetTail(port, RING_RX, t);
  opSetPhase(1);
  return STEP_IO;
}

// ---- reclaim by head: read TDH, free everything before it ----
export function txReclaimHeadPhase(): i32 {
  const port = opPort();
  const kind = portActiveTx(port);
  if (opPhase() == 0) {
    opSetIdx(opRead(port, txReg(ringQueue(port, kind), TXQ_OFF_TDH)));
    opSetPhase(1);
    return STEP_IO;
  }
  infoSet(OPINFO_RECLAIMED, txReclaimToHead(port, kind, <i32>opValue(opIdx())));
  return STEP_DONE;
}

// ---- confirm: doorbell if needed, then poll until TDH reaches TDT (no reset: OS path) ----
export function txConfirmPhase(): i32 {
  const port = opPort();
  const kind = portActiveTx(port);
  if (opPhase() == 0) {
    const use = ringUse(port, kind);
    if (use != ringTail(port, kind)) opWrite(port, txReg(ringQueue(port, kind), TXQ_OFF_TDT), <u32>use);
    ringSetTail(port, kind, use);
    infoSet(OPINFO_TAIL, use);
    opLoopStart(-1);
    emitTxPoll(port, kind, false);
    opSetPhase(1);
    return STEP_IO;
  }
  const rc = confirmConsume(port, kind);
  if (rc == CONFIRMED) return STEP_DONE;
  if (rc == CONFIRM_AGAIN) return STEP_IO;
  return E_TX_HUNG;
}
