// The RX queue: owner of a port's RX descriptor ring (SDM §3.2; ixy's ixgbe_rx_batch; Linux
// e1000_clean_rx_irq). The only code that reads or writes an RX ring's cursors, and the only
// code that writes RDT (writeRdt, below).
//
//   rxqNext / rxqBuf        the next received frame: its length, and the buffer it is in
//   rxqRecycle              re-arm that slot (with the buffer it holds now) and move on
//   rxqHarvest              the three above, copying the frame out (nic_rx_harvest)
//   rxqKick                 RDT one behind the next slot to check, written when it moved
//   rxqProgram / rxqStart   point the RX queue at the ring and arm it; hand it to the NIC
//
// DD is read before any other field: the NIC writes the descriptor first and its status byte
// with DD last (QEMU e1000_receive_iov), so the other fields are only meaningful once DD is
// seen (on hardware a read barrier goes between the two, Linux's dma_rmb()). RDT is kept one
// behind the next descriptor to check, so RDT never equals RDH while buffers are free and the
// NIC always owns size - 1 descriptors.

import {
  DESC_SIZE, RXD_OFF_ADDR, RXD_OFF_LENGTH, RXD_OFF_CSUM, RXD_OFF_STATUS, RXD_OFF_ERRORS,
  RXD_OFF_SPECIAL, RXD_STA_DD, RXD_STA_EOP, RXD_ERR_FRAME, REG_RDBAL, REG_RDBAH, REG_RDLEN,
  REG_RDH, REG_RDT,
} from "../shared/e1000";
import {
  NIC_BUF_SIZE, RING_FLAG_SIZED, RING_FLAG_LIVE, PORT_DMA_RX_DESC, PORT_DMA_RX_BUFS, RINGINFO_SIZE, RINGINFO_USE, RINGINFO_CLEAN,
  RINGINFO_TAIL, RINGINFO_QUEUE, RINGINFO_HEAD, RINGINFO_FLAGS, RINGINFO_DESC, RINGINFO_BUFS, portDmaBase,
} from "../shared/rings";
import { E_RX_ERROR, E_CAP, E_ARG } from "../shared/status";
import { DMA_BASE } from "../shared/memmap";
import { STATE_NIC_RXQ, NIC_QUEUE_STRIDE } from "../state";
import { opWrite } from "./ops";
import { physOf, portMultiQueue } from "./port";
import { slotBuf, slotSet, rxSlotTable } from "./bufs";


@unmanaged
export class RxQueue {
  physDelta: u64; // physical address of a core address a in the DMA region: a + physDelta
  flags: u32; // RING_FLAG_SIZED | RING_FLAG_LIVE
  size: u32; // descriptors (0: not configured)
  cleanIndex: i32; // next descriptor to check for DD
  tailWritten: i32; // last value written to RDT
  port: i32;
  desc: usize; // core address of descriptor 0
  bufs: usize; // core address of the ring's own buffer 0
  slots: usize; // which buffer each slot holds (bufs.ts)
  curBuf: usize; // the buffer slot cleanIndex holds, as rxqNext found it (a swap replaces it)
}

/** Port's RX ring (RING_RX, queue 0). */
@inline
export function rxQueue(port: i32): RxQueue {
  return changetype<RxQueue>(STATE_NIC_RXQ + <usize>port * NIC_QUEUE_STRIDE);
}

/** Configures the ring's size (0: none) and where it lives; forgets everything else. */
export function rxqConfigure(port: i32, size: i32): void {
  const q = rxQueue(port);
  memory.fill(changetype<usize>(q), 0, offsetof<RxQueue>());
  const base = <usize>portDmaBase(port);
  q.size = <u32>size;
  q.flags = size > 0 ? RING_FLAG_SIZED : 0;
  q.port = port;
  q.desc = base + <usize>PORT_DMA_RX_DESC;
  q.bufs = base + <usize>PORT_DMA_RX_BUFS;
  q.slots = rxSlotTable(port);
  q.physDelta = physOf(port, DMA_BASE) - <u64>DMA_BASE;
}

@inline export function rxqSized(q: RxQueue): bool { return (q.flags & RING_FLAG_SIZED) != 0; }
@inline export function rxqLive(q: RxQueue): bool { return (q.flags & RING_FLAG_LIVE) != 0; }

/** The NIC's registers no longer point at the ring (a device reset). */
export function rxqRetire(q: RxQueue): void {
  q.flags &= ~RING_FLAG_LIVE;
}

@inline
function descAddr(q: RxQueue, i: i32): usize {
  return q.desc + <usize>i * DESC_SIZE;
}

@inline
function ownBuf(q: RxQueue, i: i32): usize {
  return q.bufs + <usize>i * NIC_BUF_SIZE;
}

/** Core address of the buffer slot i holds now. */
export function rxqSlotBuf(q: RxQueue, i: i32): usize {
  return slotBuf(q.slots, ownBuf(q, i), i);
}

// ---- the one RDT write ------------------------------------------------------------------------

function writeRdt(q: RxQueue, v: i32): void {
  opWrite(q.port, REG_RDT, <u32>v);
  q.tailWritten = v;
}

/** RDT one behind the next slot to check, written when it moved. True if written. */
export function rxqKick(q: RxQueue): bool {
  const c = q.cleanIndex;
  const t = c == 0 ? <i32>q.size - 1 : c - 1;
  if (t == q.tailWritten) return false;
  writeRdt(q, t);
  return true;
}

// ---- initialisation ---------------------------------------------------------------------------

/** Gives descriptor i buffer buf (the one its slot holds), status cleared. */
@inline
function arm(q: RxQueue, i: i32, buf: usize): void {
  const d = descAddr(q, i);
  store<u64>(d + RXD_OFF_ADDR, <u64>buf + q.physDelta);
  store<u16>(d + RXD_OFF_LENGTH, 0);
  store<u16>(d + RXD_OFF_CSUM, 0);
  store<u8>(d + RXD_OFF_ERRORS, 0);
  store<u16>(d + RXD_OFF_SPECIAL, 0);
  store<u8>(d + RXD_OFF_STATUS, 0);
}

/**
 * Points the RX queue's registers at the ring (base, length; on the e1000 head and tail 0:
 * on the i210 RDH is read-only and RDT writes are ignored while the queue is disabled, I210
 * §8.10.8) and arms every descriptor with its buffer; the next descriptor to check is 0.
 * The receiver must be off (RCTL.EN clear).
 */
export function rxqProgram(q: RxQueue): void {
  const port = q.port;
  const phys = physOf(port, q.desc);
  opWrite(port, REG_RDBAL, <u32>phys);
  opWrite(port, REG_RDBAH, <u32>(phys >> 32));
  opWrite(port, REG_RDLEN, <u32>(q.size * DESC_SIZE));
  if (!portMultiQueue(port)) {
    opWrite(port, REG_RDH, 0);
    writeRdt(q, 0);
  }
  const size = <i32>q.size;
  memory.fill(q.desc, 0, <usize>size * DESC_SIZE);
  for (let i = 0; i < size; i++) arm(q, i, rxqSlotBuf(q, i));
  q.cleanIndex = 0;
}

/** Hands every descriptor but one to the NIC: RDT = size - 1 (RDT one behind slot 0). */
export function rxqStart(q: RxQueue): void {
  writeRdt(q, <i32>q.size - 1);
  q.flags |= RING_FLAG_LIVE;
}

// ---- receiving (memory only) ------------------------------------------------------------------

/** What descriptor i says (DD first): its frame's length, 0 (not done) or E_RX_ERROR. */
@inline
function received(q: RxQueue, i: i32): i32 {
  const d = descAddr(q, i);
  const status = <i32>load<u8>(d + RXD_OFF_STATUS);
  if ((status & RXD_STA_DD) == 0) return 0;
  const len = <i32>load<u16>(d + RXD_OFF_LENGTH);
  const errors = <i32>load<u8>(d + RXD_OFF_ERRORS);
  if ((status & RXD_STA_EOP) == 0 || (errors & RXD_ERR_FRAME) != 0 || len == 0 || len > NIC_BUF_SIZE) return E_RX_ERROR;
  return len;
}

/**
 * The next received frame: its length (in rxqBuf's buffer) when the NIC is done with the
 * slot, 0 when it is not, E_RX_ERROR for a frame to drop (an error bit, no EOP, a length of
 * 0 or beyond the buffer; recycle the slot all the same). Nothing is changed.
 */
@inline
export function rxqNext(q: RxQueue): i32 {
  const i = q.cleanIndex;
  const rc = received(q, i);
  if (rc != 0) q.curBuf = rxqSlotBuf(q, i);
  return rc;
}

@inline
function ahead(q: RxQueue, k: i32): i32 {
  const i = q.cleanIndex + k;
  return i >= <i32>q.size ? i - <i32>q.size : i;
}

/**
 * Looks k slots past the next one to check (k < size), as rxqNext would find it then, and
 * moves nothing: the engine reads a batch ahead (its frames are parsed before the first is
 * switched), then takes the same slots in order with rxqNext. A slot the NIC has finished
 * stays finished until it is recycled.
 */
@inline
export function rxqPeek(q: RxQueue, k: i32): i32 {
  return received(q, ahead(q, k));
}

/** The buffer the slot k past the next one to check holds (after rxqPeek found a frame there). */
@inline
export function rxqPeekBuf(q: RxQueue, k: i32): usize {
  return rxqSlotBuf(q, ahead(q, k));
}

/** Descriptors in the ring. */
@inline
export function rxqSize(q: RxQueue): i32 {
  return <i32>q.size;
}

/** The buffer the next received frame is in (after rxqNext found one). */
@inline
export function rxqBuf(q: RxQueue): usize {
  return q.curBuf;
}

/**
 * The current slot holds buf from now on (a zero-copy TX post takes its buffer and gives it
 * an idle one); returns the buffer it held. The caller recycles the slot next.
 */
@inline
export function rxqSwapCurrent(q: RxQueue, buf: usize): usize {
  const i = q.cleanIndex;
  const held = q.curBuf;
  slotSet(q.slots, ownBuf(q, i), i, buf);
  q.curBuf = buf;
  return held;
}

/** Re-arms the current slot with the buffer it holds now and moves to the next. */
@inline
export function rxqRecycle(q: RxQueue): void {
  const i = q.cleanIndex;
  arm(q, i, q.curBuf);
  q.cleanIndex = i + 1 == <i32>q.size ? 0 : i + 1;
}

/**
 * Harvests one frame into out (cap bytes). Returns its length, 0 when the next descriptor
 * is not done, E_RX_ERROR for a bad frame (dropped, descriptor recycled), or E_CAP when it
 * does not fit (left in place).
 */
export function rxqHarvest(q: RxQueue, out: usize, cap: i32): i32 {
  const rc = rxqNext(q);
  if (rc == 0) return 0;
  if (rc > 0) {
    if (rc > cap) return E_CAP;
    memory.copy(out, rxqBuf(q), <usize>rc);
  }
  rxqRecycle(q);
  return rc;
}

// ---- diagnostics (nic_ring_info) ----------------------------------------------------------------

export function rxqInfo(q: RxQueue, field: i32): i32 {
  switch (field) {
    case RINGINFO_SIZE: return <i32>q.size;
    case RINGINFO_USE: return 0; // the NIC fills RX descriptors: no software "next to use"
    case RINGINFO_CLEAN: return q.cleanIndex;
    case RINGINFO_TAIL: return q.tailWritten;
    case RINGINFO_QUEUE: return 0; // queue 0
    case RINGINFO_HEAD: return 0; // RDH is never read
    case RINGINFO_FLAGS: return <i32>q.flags;
    case RINGINFO_DESC: return <i32>q.desc;
    case RINGINFO_BUFS: return <i32>q.bufs;
  }
  return E_ARG; // RINGINFO_FREE has no meaning for RX
}
