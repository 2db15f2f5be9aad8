// The ring API with its argument checks, shared by the exports (exports/nic.ts) and by
// in-core callers such as the fault path: nothing here allocates, every loop is bounded.
//
// The fault path's whole job on a NIC is two calls and a bounded drive loop:
//   faultSendBegin(port, frame, len, copies)     takeover + queue copies + doorbell + confirm
//   while ((rc = nicStep()) == STEP_IO) { perform the REGOP list }
// or, step by step: takeoverBegin(port); drive; txEnqueueCopiesChecked(...) (txqPost);
// txDoorbellBegin; drive; txConfirmBegin; drive. The fault entry itself takes over with
// takeoverHandoffBegin and posts and kicks on the TX queue (txq.ts) in the same round.

import { OK, E_ARG, E_RANGE, E_NO_PORT, E_RING_INIT, E_RING_SIZE, E_DMA_BASE, E_FRAME_LEN } from "../shared/status";
import { I210_TX_QUEUES } from "../shared/e1000";
import { DMA_BASE, DMA_SIZE } from "../shared/memmap";
import {
  RING_TX, RING_RX, RING_FAULT, RING_MIN, RING_ALIGN, NIC_BUF_SIZE, FRAME_MIN_LEN, MAX_COPIES,
  FAULT_QUEUE_NONE, OP_TX_INIT, OP_RX_INIT, OP_LINK_WAIT, OP_TX_DOORBELL, OP_RX_DOORBELL,
  OP_TX_RECLAIM_HEAD, OP_TX_CONFIRM, OP_TAKEOVER, OP_FAULT_SEND, OP_REGTEST, ringMax,
} from "../shared/rings";
import { hostRange } from "../lib/mem";
import { nicPort, portInRange, portConfigured, portSet } from "./port";
import { txQueueOf, activeTxQueue, txqConfigure, txqSized, txqLive, txqPost } from "./txq";
import { rxQueue, rxqConfigure, rxqSized, rxqLive } from "./rxq";
import { opBegin, THEN_DONE, THEN_SEND, THEN_HANDOFF } from "./op";

/** Port p's NIC sees this core's DMA_BASE at physical phys_hi:phys_lo (4 KiB aligned). */
export function portConfig(port: i32, physLo: i32, physHi: i32, txQueues: i32, faultQueue: i32): i32 {
  if (!portInRange(port)) return E_NO_PORT;
  if ((physLo & 0xfff) != 0) return E_DMA_BASE;
  if (txQueues < 1 || txQueues > I210_TX_QUEUES) return E_ARG;
  // Queue 0 is the OS's; the fault path's own queue must be another one the NIC has.
  if (faultQueue != FAULT_QUEUE_NONE && (faultQueue < 1 || faultQueue >= txQueues)) return E_ARG;
  portSet(port, <u32>physLo, <u32>physHi, txQueues, faultQueue);
  txqConfigure(port, RING_TX, 0);
  rxqConfigure(port, 0);
  txqConfigure(port, RING_FAULT, 0);
  return OK;
}

export function ringConfig(port: i32, kind: i32, size: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  if (kind != RING_TX && kind != RING_RX && kind != RING_FAULT) return E_ARG;
  if (size < RING_MIN || size > ringMax(kind) || size % RING_ALIGN != 0) return E_RING_SIZE;
  if (kind == RING_RX) rxqConfigure(port, size);
  else txqConfigure(port, kind, size);
  return OK;
}

function needTxRing(port: i32, kind: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  return txqSized(txQueueOf(port, kind)) ? OK : E_RING_INIT;
}

/** A frame the writer may copy: host-visible, outside the DMA region, a sane length. */
export function frameCheck(src: i32, len: i32): i32 {
  if (len < FRAME_MIN_LEN || len > NIC_BUF_SIZE) return E_FRAME_LEN;
  if (!hostRange(src, len)) return E_RANGE;
  if (src < DMA_BASE + DMA_SIZE && src + len > DMA_BASE) return E_RANGE;
  return OK;
}

/** TX init: the e1000's queue 0 (setup.ts), or the i210's through its queue enable (qenable.ts). */
export function txInitBegin(port: i32): i32 {
  const rc = needTxRing(port, RING_TX);
  if (rc == OK) opBegin(OP_TX_INIT, port, RING_TX);
  return rc;
}

export function rxInitBegin(port: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  if (!rxqSized(rxQueue(port))) return E_RING_INIT;
  opBegin(OP_RX_INIT, port, RING_RX);
  return OK;
}

export function linkWaitBegin(port: i32, polls: i32, intervalUs: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  if (polls < 0 || intervalUs < 0) return E_ARG;
  const o = opBegin(OP_LINK_WAIT, port, RING_TX);
  o.argPolls = polls;
  o.argUs = intervalUs;
  return OK;
}

function needLiveTx(port: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  return txqLive(activeTxQueue(port)) ? OK : E_RING_INIT;
}

export function txDoorbellBegin(port: i32): i32 {
  const rc = needLiveTx(port);
  if (rc == OK) opBegin(OP_TX_DOORBELL, port, <i32>nicPort(port).activeTx);
  return rc;
}

export function rxDoorbellBegin(port: i32): i32 {
  const rc = rxLive(port);
  if (rc == OK) opBegin(OP_RX_DOORBELL, port, RING_RX);
  return rc;
}

export function txReclaimHeadBegin(port: i32): i32 {
  const rc = needLiveTx(port);
  if (rc == OK) opBegin(OP_TX_RECLAIM_HEAD, port, <i32>nicPort(port).activeTx);
  return rc;
}

export function txConfirmBegin(port: i32): i32 {
  const rc = needLiveTx(port);
  if (rc == OK) opBegin(OP_TX_CONFIRM, port, <i32>nicPort(port).activeTx);
  return rc;
}

export function regtestBegin(port: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  opBegin(OP_REGTEST, port, RING_TX);
  return OK;
}

/** Takeover only: afterwards the active TX ring is one the fault path may write. */
export function takeoverBegin(port: i32): i32 {
  const rc = needTxRing(port, RING_FAULT);
  if (rc == OK) opBegin(OP_TAKEOVER, port, RING_FAULT).then = THEN_DONE;
  return rc;
}

/**
 * Takeover for the fault path (assembly/fault/): drive it with nicAdvance(); it ends with
 * STEP_DONE and possibly writes still in the list, which the caller performs in its round.
 */
export function takeoverHandoffBegin(port: i32): i32 {
  const rc = needTxRing(port, RING_FAULT);
  if (rc == OK) opBegin(OP_TAKEOVER, port, RING_FAULT).then = THEN_HANDOFF;
  return rc;
}

/** Takeover, then `copies` copies of the frame, one doorbell, confirmation by TDH. */
export function faultSendBegin(port: i32, src: i32, len: i32, copies: i32): i32 {
  const rc = needTxRing(port, RING_FAULT);
  if (rc != OK) return rc;
  const f = frameCheck(src, len);
  if (f != OK) return f;
  if (copies < 1 || copies > MAX_COPIES) return E_ARG;
  const o = opBegin(OP_FAULT_SEND, port, RING_FAULT);
  o.src = src;
  o.len = len;
  o.copies = copies;
  o.then = THEN_SEND;
  return OK;
}

/** Queues copies of a frame on the port's active TX ring (no doorbell). */
export function txEnqueueCopiesChecked(port: i32, src: i32, len: i32, copies: i32): i32 {
  const rc = needLiveTx(port);
  if (rc != OK) return rc;
  const f = frameCheck(src, len);
  if (f != OK) return f;
  if (copies < 1 || copies > MAX_COPIES) return E_ARG;
  return txqPost(activeTxQueue(port), <usize>src, len, copies);
}

export function activeTxLive(port: i32): i32 {
  return needLiveTx(port);
}

export function rxLive(port: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  return rxqLive(rxQueue(port)) ? OK : E_RING_INIT;
}
