// Soft state of one descriptor ring (ixy's ixgbe_tx_queue / ixgbe_rx_queue, kept in core
// state instead of the heap): size, the software cursors and which hardware queue's
// registers point at it. Layout: STATE_NIC_RINGS + (port * RINGS_PER_PORT + kind) * 64.
//
// TX cursors: descriptors in [clean, use) are queued; [tail, use) are queued but not yet
// announced to the NIC (the doorbell writes TDT = use). RX cursors: clean is the next
// descriptor to check for DD; the NIC owns [RDH, RDT).

import { STATE_NIC_RINGS, STATE_NIC_SLOT_BUFS } from "../state";
import { RINGS_PER_PORT, NIC_BUF_SIZE, RING_FAULT, TX_RING_MAX, portDmaBase, ringDescOffset, ringBufOffset } from "../shared/rings";
import { DMA_BASE } from "../shared/memmap";
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

// ---- which buffer a TX/RX descriptor slot holds ---------------------------------------------
//
// Every slot owns exactly one 2 KiB buffer. At first each slot holds its own (bufAddr); the
// packet engine's zero-copy forward swaps buffers between an RX slot it harvested and the TX
// slot it posts the frame on (netmap's buffer swap): the frame leaves from the buffer the NIC
// received it into, and the RX slot is re-armed with the TX slot's idle buffer. Swaps only
// permute buffers among the slots of every port's TX and RX rings, so no buffer is ever lost
// or shared, whatever the ring sizes (slots beyond a ring's size keep theirs). The fault
// ring never swaps.
//
// Per slot (TX_RING_MAX == RX_RING_MAX slots per kind) a u16 in core state (never in host-visible memory: the core does not trust a
// buffer address it could not have written): (buffer index) XOR (own index), a buffer index
// being its offset from DMA_BASE in NIC_BUF_SIZE units. Zeroed state = every slot its own.

const BUF_SHIFT = 11; // log2(NIC_BUF_SIZE)

@inline
function slotEntry(port: i32, kind: i32, i: i32): usize {
  return STATE_NIC_SLOT_BUFS + ((<usize>(port * 2 + kind) * TX_RING_MAX + <usize>i) << 1);
}

@inline
function bufIndex(addr: usize): u32 {
  return <u32>((addr - <usize>DMA_BASE) >> BUF_SHIFT);
}

/** Core address of the buffer descriptor slot i of a ring holds now. */
export function slotBuf(port: i32, kind: i32, i: i32): usize {
  const own = bufAddr(port, kind, i);
  if (kind == RING_FAULT) return own;
  const x = <u32>load<u16>(slotEntry(port, kind, i));
  return <usize>DMA_BASE + (<usize>(bufIndex(own) ^ x) << BUF_SHIFT);
}

function slotSet(port: i32, kind: i32, i: i32, buf: usize): void {
  store<u16>(slotEntry(port, kind, i), <u16>(bufIndex(buf) ^ bufIndex(bufAddr(port, kind, i))));
}

/** Exchanges the buffers of two TX/RX slots (both must be the software's, not the NIC's). */
export function slotSwap(portA: i32, kindA: i32, a: i32, portB: i32, kindB: i32, b: i32): void {
  const bufA = slotBuf(portA, kindA, a);
  slotSet(portA, kindA, a, slotBuf(portB, kindB, b));
  slotSet(portB, kindB, b, bufA);
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
