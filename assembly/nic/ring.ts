// Soft state of one descriptor ring (ixy's ixgbe_tx_queue / ixgbe_rx_queue, kept in core
// state instead of the heap): size, the software cursors and which hardware queue's
// registers point at it. Layout: STATE_NIC_RINGS + (port * RINGS_PER_PORT + kind) * 64.
//
// TX cursors: descriptors in [clean, use) are queued; [tail, use) are queued but not yet
// announced to the NIC (the doorbell writes TDT = use). RX cursors: clean is the next
// descriptor to check for DD; the NIC owns [RDH, RDT).

import { STATE_NIC_RINGS } from "../state";
import { RINGS_PER_PORT, NIC_BUF_SIZE, portDmaBase, ringDescOffset, ringBufOffset } from "../shared/rings";
import { DESC_SIZE } from "../shared/e1000";

const RING_SIZE_BYTES: usize = 64;
const R_FLAGS: usize = 0; // u32: RF_*
const R_SIZE: usize = 4; // u32: descriptors
const R_USE: usize = 8; // u32: next descriptor the writer fills (TX) / unused (RX)
const R_CLEAN: usize = 12; // u32: next descriptor to reclaim (TX) / to harvest (RX)
const R_TAIL: usize = 16; // u32: last value written to TDT / RDT
const R_QUEUE: usize = 20; // u32: hardware queue whose registers point at this ring
const R_HEAD: usize = 24; // u32: last head read from the NIC

export const RF_SIZED: u32 = 1; // size configured
export const RF_LIVE: u32 = 2; // this core programmed the NIC's registers with this ring
export const RF_LEAD: u32 = 4; // the NIC may hold a half-gathered packet: lead with a sacrificial copy

@inline
function ringPtr(port: i32, kind: i32): usize {
  return STATE_NIC_RINGS + <usize>(port * RINGS_PER_PORT + kind) * RING_SIZE_BYTES;
}

export function ringFlags(port: i32, kind: i32): u32 {
  return load<u32>(ringPtr(port, kind) + R_FLAGS);
}

export function ringSetFlag(port: i32, kind: i32, flag: u32, on: bool): void {
  const p = ringPtr(port, kind);
  const f = load<u32>(p + R_FLAGS);
  store<u32>(p + R_FLAGS, on ? f | flag : f & ~flag);
}

export function ringSized(port: i32, kind: i32): bool {
  return (ringFlags(port, kind) & RF_SIZED) != 0;
}

export function ringLive(port: i32, kind: i32): bool {
  return (ringFlags(port, kind) & RF_LIVE) != 0;
}

/** Configures a ring's size; clears everything else. */
export function ringConfigure(port: i32, kind: i32, size: i32): void {
  const p = ringPtr(port, kind);
  memory.fill(p, 0, RING_SIZE_BYTES);
  store<u32>(p + R_SIZE, <u32>size);
  store<u32>(p + R_FLAGS, size > 0 ? RF_SIZED : 0);
}

export function ringSize(port: i32, kind: i32): i32 {
  return <i32>load<u32>(ringPtr(port, kind) + R_SIZE);
}

export function ringUse(port: i32, kind: i32): i32 {
  return <i32>load<u32>(ringPtr(port, kind) + R_USE);
}

export function ringSetUse(port: i32, kind: i32, v: i32): void {
  store<u32>(ringPtr(port, kind) + R_USE, <u32>v);
}

export function ringClean(port: i32, kind: i32): i32 {
  return <i32>load<u32>(ringPtr(port, kind) + R_CLEAN);
}

export function ringSetClean(port: i32, kind: i32, v: i32): void {
  store<u32>(ringPtr(port, kind) + R_CLEAN, <u32>v);
}

export function ringTail(port: i32, kind: i32): i32 {
  return <i32>load<u32>(ringPtr(port, kind) + R_TAIL);
}

export function ringSetTail(port: i32, kind: i32, v: i32): void {
  store<u32>(ringPtr(port, kind) + R_TAIL, <u32>v);
}

export function ringQueue(port: i32, kind: i32): i32 {
  return <i32>load<u32>(ringPtr(port, kind) + R_QUEUE);
}

export function ringSetQueue(port: i32, kind: i32, q: i32): void {
  store<u32>(ringPtr(port, kind) + R_QUEUE, <u32>q);
}

export function ringHead(port: i32, kind: i32): i32 {
  return <i32>load<u32>(ringPtr(port, kind) + R_HEAD);
}

export function ringSetHead(port: i32, kind: i32, v: i32): void {
  store<u32>(ringPtr(port, kind) + R_HEAD, <u32>v);
}

/** Core address of descriptor i of a ring. */
@inline
export function descAddr(port: i32, kind: i32, i: i32): usize {
  return <usize>(portDmaBase(port) + ringDescOffset(kind)) + <usize>i * DESC_SIZE;
}

/** Core address of the packet buffer that belongs to descriptor i. */
@inline
export function bufAddr(port: i32, kind: i32, i: i32): usize {
  return <usize>(portDmaBase(port) + ringBufOffset(kind)) + <usize>i * NIC_BUF_SIZE;
}

/** (i + 1) mod size without a division. */
@inline
export function ringNext(i: i32, size: i32): i32 {
  return i + 1 == size ? 0 : i + 1;
}

/** (i - 1) mod size. */
@inline
export function ringPrev(i: i32, size: i32): i32 {
  return i == 0 ? size - 1 : i - 1;
}
