// The TX ring writer, memory side (SDM §3.3 transmit descriptors; ixy ixgbe_tx_batch):
// enqueue frames into legacy descriptors, reclaim finished ones by DD or by the head register.
// Register access (doorbell, head reads) is in setup.ts and takeover.ts.
//
// One slot always stays empty: TDT == TDH means "empty", so a ring of N descriptors holds at
// most N - 1 frames (SDM §3.4; DPDK's igb notes a full ring can wedge the engine).

import {
  DESC_SIZE, TXD_OFF_ADDR, TXD_OFF_LENGTH, TXD_OFF_CSO, TXD_OFF_CMD, TXD_OFF_STA,
  TXD_OFF_CSS, TXD_OFF_SPECIAL, TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS, TXD_CMD_DEXT, TXD_STA_DD,
  TXD_OFF_DTYP, TXD_DTYP_DATA,
} from "../shared/e1000";
import { E_RING_FULL } from "../shared/status";
import { physOf } from "./port";
import {
  ringSize, ringUse, ringSetUse, ringClean, ringSetClean, ringSetTail, ringSetQueue,
  ringSetHead, ringFlags, ringSetFlag, RF_LEAD, descAddr, slotBuf, slotSwap, ringNext, ringPrev,
} from "./ring";
import { RING_RX } from "../shared/rings";

// Every frame is one descriptor: end of packet, NIC appends the FCS, report status so the
// NIC writes DD back (on the 8254x DD is written only where RS or RPS is set).
export const TX_CMD: u8 = <u8>(TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS);

/** Forgets all queued work and zeroes the descriptors: the ring is empty at index 0. */
export function txResetSoft(port: i32, kind: i32, queue: i32): void {
  const size = ringSize(port, kind);
  memory.fill(descAddr(port, kind, 0), 0, <usize>size * DESC_SIZE);
  ringSetUse(port, kind, 0);
  ringSetClean(port, kind, 0);
  ringSetTail(port, kind, 0);
  ringSetHead(port, kind, 0);
  ringSetQueue(port, kind, queue);
}

/** Puts every cursor at index i: the NIC's head and tail both point there, nothing queued. */
export function txResetAt(port: i32, kind: i32, i: i32): void {
  ringSetUse(port, kind, i);
  ringSetClean(port, kind, i);
  ringSetTail(port, kind, i);
  ringSetHead(port, kind, i);
}

/** Descriptors queued (announced or not) and not yet reclaimed. */
export function txInFlight(port: i32, kind: i32): i32 {
  const size = ringSize(port, kind);
  const d = ringUse(port, kind) - ringClean(port, kind);
  return d < 0 ? d + size : d;
}

/** Free descriptors, keeping the one slot that must stay empty. */
export function txFree(port: i32, kind: i32): i32 {
  return ringSize(port, kind) - 1 - txInFlight(port, kind);
}

/** Writes one legacy descriptor for the frame already in slot's buffer. */
function writeDesc(port: i32, kind: i32, slot: i32, len: i32): void {
  const d = descAddr(port, kind, slot);
  store<u64>(d + TXD_OFF_ADDR, physOf(port, slotBuf(port, kind, slot)));
  store<u16>(d + TXD_OFF_LENGTH, <u16>len);
  store<u8>(d + TXD_OFF_CSO, 0);
  store<u8>(d + TXD_OFF_CMD, TX_CMD);
  // STA last: on hardware the NIC only looks at the descriptor after the doorbell, but a
  // stale DD must never survive into a reused slot (reclaim by DD would free it early).
  store<u8>(d + TXD_OFF_CSS, 0);
  store<u16>(d + TXD_OFF_SPECIAL, 0);
  store<u8>(d + TXD_OFF_STA, 0);
}

/** Copies a frame into the next free slot and queues it (no doorbell). Returns the slot. */
function enqueueOne(port: i32, kind: i32, src: usize, len: i32): i32 {
  const slot = ringUse(port, kind);
  memory.copy(slotBuf(port, kind, slot), src, <usize>len);
  writeDesc(port, kind, slot, len);
  ringSetUse(port, kind, ringNext(slot, ringSize(port, kind)));
  return slot;
}

/**
 * Queues `copies` descriptors of one frame (len already checked against NIC_BUF_SIZE), plus
 * a sacrificial lead copy first when RF_LEAD is set: after a takeover the NIC may still
 * hold a half-gathered packet (descriptors without EOP) from the dead driver, and appends the
 * next descriptor to it. Returns the number of descriptors queued or E_RING_FULL (nothing
 * queued then).
 */
export function txEnqueueCopies(port: i32, kind: i32, src: usize, len: i32, copies: i32): i32 {
  const lead = (ringFlags(port, kind) & RF_LEAD) != 0 ? 1 : 0;
  const need = copies + lead;
  if (need > txFree(port, kind)) return E_RING_FULL;
  for (let i = 0; i < need; i++) enqueueOne(port, kind, src, len);
  if (lead) ringSetFlag(port, kind, RF_LEAD, false);
  return need;
}

/**
 * Zero copy: queues the frame held by RX slot (rxPort, rxSlot) without copying it. The TX
 * slot takes the RX slot's buffer and gives the RX slot its own idle one (slotSwap); the
 * caller re-arms the RX descriptor afterwards, with the buffer it now holds. A due lead copy
 * (RF_LEAD) is queued first, copied. len already checked against NIC_BUF_SIZE. Returns the
 * descriptors queued (1, or 2 with a lead copy) or E_RING_FULL (nothing queued, nothing
 * swapped).
 */
export function txPostSwap(port: i32, kind: i32, rxPort: i32, rxSlot: i32, len: i32): i32 {
  const lead = (ringFlags(port, kind) & RF_LEAD) != 0 ? 1 : 0;
  if (1 + lead > txFree(port, kind)) return E_RING_FULL;
  if (lead) {
    enqueueOne(port, kind, slotBuf(rxPort, RING_RX, rxSlot), len);
    ringSetFlag(port, kind, RF_LEAD, false);
  }
  const slot = ringUse(port, kind);
  // [clean, use) is queued; slot == use is free (txFree > 0): its buffer is idle.
  slotSwap(port, kind, slot, rxPort, RING_RX, rxSlot);
  writeDesc(port, kind, slot, len);
  ringSetUse(port, kind, ringNext(slot, ringSize(port, kind)));
  return 1 + lead;
}

/**
 * Reclaims finished descriptors by their DD bit, oldest first, stopping at the first one not
 * done (the NIC completes them in order). Returns the count.
 */
export function txReclaimByDone(port: i32, kind: i32): i32 {
  const size = ringSize(port, kind);
  const use = ringUse(port, kind);
  let clean = ringClean(port, kind);
  let n = 0;
  while (clean != use && n < size) {
    const d = descAddr(port, kind, clean);
    if ((load<u8>(d + TXD_OFF_STA) & TXD_STA_DD) == 0) break;
    store<u8>(d + TXD_OFF_STA, 0);
    clean = ringNext(clean, size);
    n++;
  }
  ringSetClean(port, kind, clean);
  return n;
}

/**
 * Reclaims every descriptor the head register has passed: [clean, head) is done whether or
 * not DD was written (no RS, a deferred write-back, or a driver that died before reading it).
 * A head outside [clean, use] is not believed beyond `use`. Returns the count.
 */
export function txReclaimToHead(port: i32, kind: i32, head: i32): i32 {
  const size = ringSize(port, kind);
  if (head < 0 || head >= size) return 0;
  ringSetHead(port, kind, head);
  const use = ringUse(port, kind);
  let clean = ringClean(port, kind);
  let n = 0;
  while (clean != head && clean != use && n < size) {
    store<u8>(descAddr(port, kind, clean) + TXD_OFF_STA, 0);
    clean = ringNext(clean, size);
    n++;
  }
  ringSetClean(port, kind, clean);
  return n;
}

/**
 * After a takeover by head: did the descriptor the NIC processed last (head - 1) close a
 * packet? Only a data descriptor with EOP does (a context descriptor carries no EOP meaning,
 * SDM §3.3.6): otherwise the NIC may hold a half-gathered packet and the next frame would
 * be appended to it. Conservative on purpose: a needless lead copy costs one frame.
 */
export function txHalfGathered(port: i32, kind: i32, head: i32): bool {
  const d = descAddr(port, kind, ringPrev(head, ringSize(port, kind)));
  const cmd = <i32>load<u8>(d + TXD_OFF_CMD);
  const data = (cmd & TXD_CMD_DEXT) == 0 || (<i32>load<u8>(d + TXD_OFF_DTYP) & TXD_DTYP_DATA) != 0;
  return !(data && (cmd & TXD_CMD_EOP) != 0);
}
