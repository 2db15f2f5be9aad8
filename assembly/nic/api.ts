// The ring API with its argument checks, shared by the exports (exports/nic.ts) and by
// in-core callers such as the fault path: nothing here allocates, every loop is bounded.
//
// The fault path's whole job on a NIC is two calls and a bounded drive loop:
//   faultSendBegin(port, frame, len, copies)     takeover + queue copies + doorbell + confirm
//   while ((rc = nicStep()) == STEP_IO) { perform the REGOP list }
// or, step by step: takeoverBegin(port); drive; txEnqueueCopiesChecked(...); txDoorbellBegin;
// drive; txConfirmBegin; drive.

import { OK, E_ARG, E_RANGE, E_NO_PORT, E_RING_INIT, E_RING_SIZE, E_DMA_BASE, E_FRAME_LEN } from "../shared/status";
import { I210_TX_QUEUES } from "../shared/e1000";
import { DMA_BASE, DMA_SIZE } from "../shared/memmap";
import {
  RING_TX, RING_RX, RING_FAULT, RING_MIN, RING_ALIGN, NIC_BUF_SIZE, FRAME_MIN_LEN, MAX_COPIES,
  FAULT_QUEUE_NONE, OP_TX_INIT, OP_RX_INIT, OP_LINK_WAIT, OP_TX_DOORBELL, OP_RX_DOORBELL,
  OP_TX_RECLAIM_HEAD, OP_TX_CONFIRM, OP_TAKEOVER, OP_FAULT_SEND, OP_REGTEST, ringMax,
} from "../shared/rings";
import { hostRange } from "../lib/mem";
import { portInRange, portConfigured, portSet, portActiveTx, portMultiQueue } from "./port";
import { TK_Q_START } from "./takeover";
import { ringConfigure, ringSized, ringLive } from "./ring";
import { txEnqueueCopies } from "./tx";
import { opBegin, opSetArgs, opSetFrame, opSetThen, opSetQueue, opSetPhase, THEN_DONE, THEN_SEND, THEN_HANDOFF } from "./opstate";

/** Port p's NIC sees this core's DMA_BASE at physical phys_hi:phys_lo (4 KiB aligned). */
export function portConfig(port: i32, physLo: i32, physHi: i32, txQueues: i32, faultQueue: i32): i32 {
  if (!portInRange(port)) return E_NO_PORT;
  if ((physLo & 0xfff) != 0) return E_DMA_BASE;
  if (txQueues < 1 || txQueues > I210_TX_QUEUES) return E_ARG;
  // Queue 0 is the OS's; the fault path's own queue must be another one the NIC has.
  if (faultQueue != FAULT_QUEUE_NONE && (faultQueue < 1 || faultQueue >= txQueues)) return E_ARG;
  portSet(port, <u32>physLo, <u32>physHi, txQueues, faultQueue);
  for (let k = 0; k < 3; k++) ringConfigure(port, k, 0);
  return OK;
}

export function ringConfig(port: i32, kind: i32, size: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  if (kind != RING_TX && kind != RING_RX && kind != RING_FAULT) return E_ARG;
  if (size < RING_MIN || size > ringMax(kind) || size % RING_ALIGN != 0) return E_RING_SIZE;
  ringConfigure(port, kind, size);
  return OK;
}

function needRing(port: i32, kind: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  return ringSized(port, kind) ? OK : E_RING_INIT;
}

/** A frame the writer may copy: host-visible, outside the DMA region, a sane length. */
export function frameCheck(src: i32, len: i32): i32 {
  if (len < FRAME_MIN_LEN || len > NIC_BUF_SIZE) return E_FRAME_LEN;
  if (!hostRange(src, len)) return E_RANGE;
  if (src < DMA_BASE + DMA_SIZE && src + len > DMA_BASE) return E_RANGE;
  return OK;
}

export function txInitBegin(port: i32): i32 {
  const rc = needRing(port, RING_TX);
  if (rc != OK) return rc;
  opBegin(OP_TX_INIT, port, RING_TX);
  if (portMultiQueue(port)) {
    // i210: queue 0 is disabled, programmed and enabled like any other queue.
    opSetQueue(0);
    opSetPhase(TK_Q_START);
  }
  return OK;
}

export function rxInitBegin(port: i32): i32 {
  const rc = needRing(port, RING_RX);
  if (rc == OK) opBegin(OP_RX_INIT, port, RING_RX);
  return rc;
}

export function linkWaitBegin(port: i32, polls: i32, intervalUs: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  if (polls < 0 || intervalUs < 0) return E_ARG;
  opBegin(OP_LINK_WAIT, port, RING_TX);
  opSetArgs(polls, intervalUs);
  return OK;
}

function needLiveTx(port: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  return ringLive(port, portActiveTx(port)) ? OK : E_RING_INIT;
}

export function txDoorbellBegin(port: i32): i32 {
  const rc = needLiveTx(port);
  if (rc == OK) opBegin(OP_TX_DOORBELL, port, portActiveTx(port));
  return rc;
}

export function rxDoorbellBegin(port: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  if (!ringLive(port, RING_RX)) return E_RING_INIT;
  opBegin(OP_RX_DOORBELL, port, RING_RX);
  return OK;
}

export function txReclaimHeadBegin(port: i32): i32 {
  const rc = needLiveTx(port);
  if (rc == OK) opBegin(OP_TX_RECLAIM_HEAD, port, portActiveTx(port));
  return rc;
}

export function txConfirmBegin(port: i32): i32 {
  const rc = needLiveTx(port);
  if (rc == OK) opBegin(OP_TX_CONFIRM, port, portActiveTx(port));
  return rc;
}

export function regtestBegin(port: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  opBegin(OP_REGTEST, port, RING_TX);
  return OK;
}

/** Takeover only: afterwards the active TX ring is one the fault path may write. */
export function takeoverBegin(port: i32): i32 {
  const rc = needRing(port, RING_FAULT);
  if (rc != OK) return rc;
  opBegin(OP_TAKEOVER, port, RING_FAULT);
  opSetThen(THEN_DONE);
  return OK;
}

/**
 * Takeover for the fault path (assembly/fault/): drive it with nicAdvance(); it ends with
 * STEP_DONE and possibly writes still in the list, which the caller performs in its round.
 */
export function takeoverHandoffBegin(port: i32): i32 {
  const rc = needRing(port, RING_FAULT);
  if (rc != OK) return rc;
  opBegin(OP_TAKEOVER, port, RING_FAULT);
  opSetThen(THEN_HANDOFF);
  return OK;
}

/** Takeover, then `copies` copies of the frame, one doorbell, confirmation by TDH. */
export function faultSendBegin(port: i32, src: i32, len: i32, copies: i32): i32 {
  const rc = needRing(port, RING_FAULT);
  if (rc != OK) return rc;
  const f = frameCheck(src, len);
  if (f != OK) return f;
  if (copies < 1 || copies > MAX_COPIES) return E_ARG;
  opBegin(OP_FAULT_SEND, port, RING_FAULT);
  opSetFrame(src, len, copies);
  opSetThen(THEN_SEND);
  return OK;
}

/** Queues copies of a frame on the port's active TX ring (no doorbell). */
export function txEnqueueCopiesChecked(port: i32, src: i32, len: i32, copies: i32): i32 {
  const rc = needLiveTx(port);
  if (rc != OK) return rc;
  const f = frameCheck(src, len);
  if (f != OK) return f;
  if (copies < 1 || copies > MAX_COPIES) return E_ARG;
  return txEnqueueCopies(port, portActiveTx(port), <usize>src, len, copies);
}

export function activeTxLive(port: i32): i32 {
  return needLiveTx(port);
}

export function rxLive(port: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  return ringLive(port, RING_RX) ? OK : E_RING_INIT;
}
