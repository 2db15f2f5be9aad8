// Exports of the NIC rings (assembly/nic/, docs/rings.md): configuration, the TX writer and
// RX reader, and the register operations — begun by one export, driven by nic_step().
//
// Calling pattern for anything that touches registers:
//   rc = nic_tx_init(port)            // OK or a negative status; nothing performed yet
//   while ((rc = nic_step()) == STEP_IO) host performs the REGOP list (host/nic/regops.ts)
//   rc is STEP_DONE or a negative status; nic_op_info(field) explains what happened.

import { OK, E_ARG, E_RANGE, E_NO_PORT } from "../shared/status";
import { RING_TX, RING_RX, RING_FAULT, OPINFO_FIELDS, ringMax } from "../shared/rings";
import { hostRange } from "../lib/mem";
import * as api from "../nic/api";
import { nicStep } from "../nic/step";
import { nicPort, portConfigured, portSetMac } from "../nic/port";
import { txQueueOf, activeTxQueue, txqReclaim, txqFree, txqInFlight, txqInfo, txqSlotBuf } from "../nic/txq";
import { rxQueue, rxqHarvest, rxqInfo, rxqSlotBuf } from "../nic/rxq";
import { infoGet, tuneSet, tuneFieldValid } from "../nic/op";

// ---- configuration ----

/** Port's NIC sees DMA_BASE at phys_hi:phys_lo; tx_queues 1 (e1000) or more; fault_queue -1 = none. */
export function nic_port_config(port: i32, phys_lo: i32, phys_hi: i32, tx_queues: i32, fault_queue: i32): i32 {
  return api.portConfig(port, phys_lo, phys_hi, tx_queues, fault_queue);
}

/** Ring size of a kind (RING_TX / RING_RX / RING_FAULT): a multiple of 8, 8 .. the kind's max. */
export function nic_ring_config(port: i32, kind: i32, size: i32): i32 {
  return api.ringConfig(port, kind, size);
}

/** The port's MAC (6 bytes at mac): RX init programs RAL0/RAH0, the self-test checks them. */
export function nic_port_mac(port: i32, mac: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  if (!hostRange(mac, 6)) return E_RANGE;
  portSetMac(port, load<u32>(mac), <u32>load<u16>(mac + 4));
  return OK;
}

/** Sets a poll bound (TUNE_*); 0 restores the default. */
export function nic_tune(field: i32, value: i32): i32 {
  if (!tuneFieldValid(field) || value < 0) return E_ARG;
  tuneSet(field, value);
  return OK;
}

// ---- register operations: begin, then nic_step() until it stops answering STEP_IO ----

export function nic_step(): i32 { return nicStep(); }
export function nic_regtest(port: i32): i32 { return api.regtestBegin(port); }
export function nic_tx_init(port: i32): i32 { return api.txInitBegin(port); }
export function nic_rx_init(port: i32): i32 { return api.rxInitBegin(port); }
export function nic_link_wait(port: i32, polls: i32, interval_us: i32): i32 { return api.linkWaitBegin(port, polls, interval_us); }
export function nic_tx_doorbell(port: i32): i32 { return api.txDoorbellBegin(port); }
export function nic_rx_doorbell(port: i32): i32 { return api.rxDoorbellBegin(port); }
export function nic_tx_reclaim_head(port: i32): i32 { return api.txReclaimHeadBegin(port); }
export function nic_tx_confirm(port: i32): i32 { return api.txConfirmBegin(port); }
export function nic_takeover(port: i32): i32 { return api.takeoverBegin(port); }
export function nic_fault_send(port: i32, frame: i32, len: i32, copies: i32): i32 { return api.faultSendBegin(port, frame, len, copies); }

// ---- the TX writer and RX reader (memory only, no register access) ----

/** Queues one frame on the active TX ring; returns descriptors used (2 with a lead copy). */
export function nic_tx_enqueue(port: i32, frame: i32, len: i32): i32 {
  return api.txEnqueueCopiesChecked(port, frame, len, 1);
}

export function nic_tx_enqueue_copies(port: i32, frame: i32, len: i32, copies: i32): i32 {
  return api.txEnqueueCopiesChecked(port, frame, len, copies);
}

/** Reclaims finished descriptors by DD; returns how many. */
export function nic_tx_reclaim(port: i32): i32 {
  const rc = api.activeTxLive(port);
  return rc < 0 ? rc : txqReclaim(activeTxQueue(port));
}

export function nic_tx_free(port: i32): i32 {
  const rc = api.activeTxLive(port);
  return rc < 0 ? rc : txqFree(activeTxQueue(port));
}

export function nic_tx_in_flight(port: i32): i32 {
  const rc = api.activeTxLive(port);
  return rc < 0 ? rc : txqInFlight(activeTxQueue(port));
}

/** One received frame into out: its length, 0 if none, E_RX_ERROR (dropped), E_CAP. */
export function nic_rx_harvest(port: i32, out: i32, cap: i32): i32 {
  const rc = api.rxLive(port);
  if (rc < 0) return rc;
  if (cap < 0 || !hostRange(out, cap)) return E_RANGE;
  return rxqHarvest(rxQueue(port), <usize>out, cap);
}

// ---- diagnostics ----

/** A field (OPINFO_*) the last register operation left behind. */
export function nic_op_info(field: i32): i32 {
  if (field < 0 || field >= OPINFO_FIELDS) return E_ARG;
  return infoGet(field);
}

/** The ring kind the port's doorbell and confirm act on (RING_TX or RING_FAULT). */
export function nic_active_tx(port: i32): i32 {
  return portConfigured(port) ? <i32>nicPort(port).activeTx : E_NO_PORT;
}

/**
 * Core address of the packet buffer descriptor i of a ring holds now: its own at first; the
 * packet engine's zero-copy forwarding exchanges buffers between TX and RX slots.
 */
export function nic_slot_buf(port: i32, kind: i32, i: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  if (kind != RING_TX && kind != RING_RX && kind != RING_FAULT) return E_ARG;
  if (i < 0 || i >= ringMax(kind)) return E_ARG;
  return <i32>(kind == RING_RX ? rxqSlotBuf(rxQueue(port), i) : txqSlotBuf(txQueueOf(port, kind), i));
}

/** A field (RINGINFO_*) of a ring's soft state. */
export function nic_ring_info(port: i32, kind: i32, field: i32): i32 {
  if (!portConfigured(port)) return E_NO_PORT;
  if (kind != RING_TX && kind != RING_RX && kind != RING_FAULT) return E_ARG;
  return kind == RING_RX ? rxqInfo(rxQueue(port), field) : txqInfo(txQueueOf(port, kind), field);
}
