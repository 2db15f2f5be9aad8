// The TX queue: owner of a TX descriptor ring (SDM §3.3, §3.4; ixy's ixgbe_tx_batch). The
// only code that reads or writes a TX ring's cursors, and the only code that writes TDT
// (writeTdt, below). Every port has two TX rings in its slice of the DMA region: the normal
// one (RING_TX, queue 0) and the fault path's (RING_FAULT: its own queue, or queue 0 after a
// takeover reset); docs/rings.md.
//
//   txqPost / txqPostSwap   put a frame in the next free slot (copied, or by buffer swap)
//   txqKick                 the doorbell: one TDT write for everything posted since the last
//   txqReclaim              free what the NIC finished, by DD (memory only)
//   txqReclaimToHead        free what the head register has passed
//   txqProgram / txqAdopt   point a hardware queue at the ring; adopt a ring a takeover reclaimed
//   txqConfirm*, txqRering  one confirmation poll of TDH/TDT, and the doorbell written again
//
// Cursors: descriptors in [cleanIndex, useIndex) are queued; [tailWritten, useIndex) are
// queued but not yet announced to the NIC (TDT). One slot always stays empty: TDT == TDH
// means "empty", so a ring of N descriptors holds at most N - 1 frames (DPDK's igb notes a
// full ring can wedge the engine). The lead copy: after a takeover the NIC may hold a
// half-gathered packet of the dead driver's (descriptors without EOP) and append the next
// descriptor to it, so a ring flagged RING_FLAG_LEAD queues one sacrificial copy before the next frame.

import {
  DESC_SIZE, TXD_OFF_ADDR, TXD_OFF_LENGTH, TXD_OFF_CSO, TXD_OFF_CMD, TXD_OFF_STA, TXD_OFF_CSS,
  TXD_OFF_SPECIAL, TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS, TXD_CMD_DEXT, TXD_STA_DD, TXD_OFF_DTYP,
  TXD_DTYP_DATA, TXQ_OFF_TDBAL, TXQ_OFF_TDBAH, TXQ_OFF_TDLEN, TXQ_OFF_TDH, TXQ_OFF_TDT,
  TCTL_EN, TCTL_PSP, TCTL_CT_DEFAULT, TCTL_COLD_FD, txQueueBase,
} from "../shared/e1000";
import {
  RING_TX, RING_FLAG_SIZED, RING_FLAG_LIVE, RING_FLAG_LEAD, PORT_DMA_TX_DESC, PORT_DMA_TX_BUFS, PORT_DMA_FAULT_DESC, PORT_DMA_FAULT_BUFS, NIC_BUF_SIZE,
  TUNE_POLL_US, OPINFO_POLLS, RINGINFO_SIZE, RINGINFO_USE, RINGINFO_CLEAN, RINGINFO_TAIL, RINGINFO_QUEUE,
  RINGINFO_HEAD, RINGINFO_FLAGS, RINGINFO_DESC, RINGINFO_BUFS, RINGINFO_FREE, portDmaBase,
} from "../shared/rings";
import { E_RING_FULL, E_ARG } from "../shared/status";
import { STATE_NIC_TXQ, STATE_NIC_FAULTQ, NIC_QUEUE_STRIDE } from "../state";
import { DMA_BASE } from "../shared/memmap";
import { opWrite, opRead, opDelay } from "./ops";
import { nicOp, tune, infoAdd } from "./op";
import { nicPort, physOf, portMultiQueue } from "./port";
import { slotBuf, slotSet, txSlotTable } from "./bufs";
import { RxQueue, rxqSwapCurrent } from "./rxq";

/** TCTL while the core transmits: enabled, pad short packets, SDM-recommended CT/COLD. */
export const TCTL_RUN: u32 = <u32>(TCTL_EN | TCTL_PSP | TCTL_CT_DEFAULT | TCTL_COLD_FD);

// Every frame is one descriptor: end of packet, NIC appends the FCS, report status so the
// NIC writes DD back (on the 8254x DD is written only where RS or RPS is set).
const TX_CMD: u8 = <u8>(TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS);

@unmanaged
export class TxQueue {
  physDelta: u64; // physical address of a core address a in the DMA region: a + physDelta
  flags: u32; // RING_FLAG_*
  size: u32; // descriptors (0: not configured)
  useIndex: i32; // next descriptor to fill
  cleanIndex: i32; // next descriptor to reclaim
  tailWritten: i32; // last value written to TDT
  headRead: i32; // last TDH read
  hwQueue: i32; // the hardware queue whose registers point at this ring
  port: i32;
  desc: usize; // core address of descriptor 0
  bufs: usize; // core address of the ring's own buffer 0
  slots: usize; // which buffer each slot holds (bufs.ts); 0 for the fault ring
}

/** Port's normal TX ring (RING_TX). */
@inline
export function txQueue(port: i32): TxQueue {
  return changetype<TxQueue>(STATE_NIC_TXQ + <usize>port * NIC_QUEUE_STRIDE);
}

/** Port's fault-path TX ring (RING_FAULT). */
@inline
export function faultQueue(port: i32): TxQueue {
  return changetype<TxQueue>(STATE_NIC_FAULTQ + <usize>port * NIC_QUEUE_STRIDE);
}

/** A TX ring by kind: RING_TX or RING_FAULT. */
@inline
export function txQueueOf(port: i32, kind: i32): TxQueue {
  return kind == RING_TX ? txQueue(port) : faultQueue(port);
}

/** The TX ring the port's doorbell and confirm act on now (NicPort.activeTx). */
@inline
export function activeTxQueue(port: i32): TxQueue {
  return txQueueOf(port, <i32>nicPort(port).activeTx);
}

/** Register offset of hardware queue q's TX register at off (TXQ_OFF_*). */
@inline
export function txReg(q: i32, off: i32): i32 {
  return txQueueBase(q) + off;
}

// ---- configuration and flags ----------------------------------------------------------------

/** Configures the ring's size (0: none) and where it lives; forgets everything else. */
export function txqConfigure(port: i32, kind: i32, size: i32): void {
  const q = txQueueOf(port, kind);
  memory.fill(changetype<usize>(q), 0, offsetof<TxQueue>());
  const base = <usize>portDmaBase(port);
  q.size = <u32>size;
  q.flags = size > 0 ? RING_FLAG_SIZED : 0;
  q.port = port;
  q.desc = base + <usize>(kind == RING_TX ? PORT_DMA_TX_DESC : PORT_DMA_FAULT_DESC);
  q.bufs = base + <usize>(kind == RING_TX ? PORT_DMA_TX_BUFS : PORT_DMA_FAULT_BUFS);
  q.slots = kind == RING_TX ? txSlotTable(port) : 0;
  q.physDelta = physOf(port, DMA_BASE) - <u64>DMA_BASE;
}

@inline export function txqSized(q: TxQueue): bool { return (q.flags & RING_FLAG_SIZED) != 0; }
@inline export function txqLive(q: TxQueue): bool { return (q.flags & RING_FLAG_LIVE) != 0; }
@inline export function txqSize(q: TxQueue): i32 { return <i32>q.size; }
@inline export function txqHwQueue(q: TxQueue): i32 { return q.hwQueue; }

@inline
function setFlag(q: TxQueue, flag: u32, on: bool): void {
  q.flags = on ? q.flags | flag : q.flags & ~flag;
}

export function txqSetLive(q: TxQueue, on: bool): void { setFlag(q, RING_FLAG_LIVE, on); }

/** Hardware queue 0 is about to point at another ring: neither TX ring that pointed there is live. */
export function txqRetireQueue0(port: i32): void {
  const tx = txQueue(port);
  if (txqLive(tx) && tx.hwQueue == 0) setFlag(tx, RING_FLAG_LIVE, false);
  const fq = faultQueue(port);
  if (txqLive(fq) && fq.hwQueue == 0) setFlag(fq, RING_FLAG_LIVE, false);
}
export function txqSetLead(q: TxQueue, on: bool): void { setFlag(q, RING_FLAG_LEAD, on); }

/** Core address of the buffer slot i holds now. */
export function txqSlotBuf(q: TxQueue, i: i32): usize {
  return slotBuf(q.slots, q.bufs + <usize>i * NIC_BUF_SIZE, i);
}

@inline
function descAddr(q: TxQueue, i: i32): usize {
  return q.desc + <usize>i * DESC_SIZE;
}

@inline
function next(q: TxQueue, i: i32): i32 {
  return i + 1 == <i32>q.size ? 0 : i + 1;
}

// ---- the one TDT write ------------------------------------------------------------------------

/** TDT := v on the ring's hardware queue (appended to this round's list); remembered. */
function writeTdt(q: TxQueue, v: i32): void {
  opWrite(q.port, txReg(q.hwQueue, TXQ_OFF_TDT), <u32>v);
  q.tailWritten = v;
}

/**
 * The doorbell: one TDT write announcing everything posted since the last one, none when
 * nothing is new. Appends to the list being built, so it travels in the same round as
 * whatever the caller (or a takeover that handed the ring over) put there. True if written.
 */
export function txqKick(q: TxQueue): bool {
  const use = q.useIndex;
  if (use == q.tailWritten) return false;
  writeTdt(q, use);
  return true;
}

/** The tail last announced to the NIC (diagnostics: OPINFO_TAIL). */
export function txqAnnounced(q: TxQueue): i32 {
  return q.tailWritten;
}

// ---- programming a hardware queue -------------------------------------------------------------

/**
 * Forgets all queued work, zeroes the descriptors and points hardware queue hw at the ring:
 * base, length, head 0, tail 0 (SDM §14.5). The NIC must not be transmitting from hw while
 * this runs (TCTL.EN or TXDCTL.QUEUE_ENABLE clear). On the i210 TDH is read-only and setting
 * QUEUE_ENABLE zeroes head and tail (I210 §8.12.13, §8.12.15), so only base and length are
 * written there.
 */
export function txqProgram(q: TxQueue, hw: i32): void {
  memory.fill(q.desc, 0, <usize>q.size * DESC_SIZE);
  q.useIndex = 0;
  q.cleanIndex = 0;
  q.tailWritten = 0;
  q.headRead = 0;
  q.hwQueue = hw;
  const port = q.port;
  const phys = physOf(port, q.desc);
  opWrite(port, txReg(hw, TXQ_OFF_TDBAL), <u32>phys);
  opWrite(port, txReg(hw, TXQ_OFF_TDBAH), <u32>(phys >> 32));
  opWrite(port, txReg(hw, TXQ_OFF_TDLEN), <u32>(q.size * DESC_SIZE));
  if (portMultiQueue(port)) return;
  opWrite(port, txReg(hw, TXQ_OFF_TDH), 0);
  writeTdt(q, 0);
}

/** The ring's registers as read back point at this ring (base low nibble not compared). */
export function txqRegistersMatch(q: TxQueue, bal: u32, bah: u32, len: u32): bool {
  const phys = physOf(q.port, q.desc);
  return (bal & 0xfffffff0) == (<u32>phys & 0xfffffff0) && bah == <u32>(phys >> 32) && len == q.size * DESC_SIZE;
}

/** A head or tail value the NIC may hold for this ring. */
export function txqIndexValid(q: TxQueue, i: i32): bool {
  return i >= 0 && i < <i32>q.size;
}

/**
 * Takes over a ring this core set up whose registers still point at it (a takeover's
 * RECLAIM), with the NIC's head at head: nothing is queued any more, every cursor stands at
 * head. rewind: TX was stopped, so [head, TDT) was never fetched: TDT := head cancels it.
 * The next frame leads with a sacrificial copy unless the descriptor the NIC processed last
 * closed a packet.
 */
export function txqAdopt(q: TxQueue, head: i32, rewind: bool): void {
  if (rewind) writeTdt(q, head);
  setFlag(q, RING_FLAG_LEAD, halfGathered(q, head));
  q.useIndex = head;
  q.cleanIndex = head;
  q.tailWritten = head;
  q.headRead = head;
}

/**
 * Did the descriptor the NIC processed last (head - 1) close a packet? Only a data
 * descriptor with EOP does (a context descriptor carries no EOP meaning, SDM §3.3.6):
 * otherwise the NIC may hold a half-gathered packet and the next frame would be appended to
 * it. Conservative on purpose: a needless lead copy costs one frame.
 */
function halfGathered(q: TxQueue, head: i32): bool {
  const d = descAddr(q, head == 0 ? <i32>q.size - 1 : head - 1);
  const cmd = <i32>load<u8>(d + TXD_OFF_CMD);
  const data = (cmd & TXD_CMD_DEXT) == 0 || (<i32>load<u8>(d + TXD_OFF_DTYP) & TXD_DTYP_DATA) != 0;
  return !(data && (cmd & TXD_CMD_EOP) != 0);
}

// ---- posting frames (memory only) -------------------------------------------------------------

/** Descriptors queued (announced or not) and not yet reclaimed. */
export function txqInFlight(q: TxQueue): i32 {
  const d = q.useIndex - q.cleanIndex;
  return d < 0 ? d + <i32>q.size : d;
}

/** Free descriptors, keeping the one slot that must stay empty. */
export function txqFree(q: TxQueue): i32 {
  return <i32>q.size - 1 - txqInFlight(q);
}

/** Writes one legacy descriptor for the frame already in buf, the slot's buffer. */
function writeDesc(q: TxQueue, slot: i32, buf: usize, len: i32): void {
  const d = descAddr(q, slot);
  store<u64>(d + TXD_OFF_ADDR, <u64>buf + q.physDelta);
  store<u16>(d + TXD_OFF_LENGTH, <u16>len);
  store<u8>(d + TXD_OFF_CSO, 0);
  store<u8>(d + TXD_OFF_CMD, TX_CMD);
  // STA last: on hardware the NIC only looks at the descriptor after the doorbell, but a
  // stale DD must never survive into a reused slot (reclaim by DD would free it early).
  store<u8>(d + TXD_OFF_CSS, 0);
  store<u16>(d + TXD_OFF_SPECIAL, 0);
  store<u8>(d + TXD_OFF_STA, 0);
}

/** Copies a frame into the next free slot and queues it (no doorbell). */
function postOne(q: TxQueue, src: usize, len: i32): void {
  const slot = q.useIndex;
  const buf = txqSlotBuf(q, slot);
  memory.copy(buf, src, <usize>len);
  writeDesc(q, slot, buf, len);
  q.useIndex = next(q, slot);
}

/**
 * Queues `copies` descriptors of one frame, copied from src (len already checked against
 * NIC_BUF_SIZE), plus the sacrificial lead copy first when one is due (RING_FLAG_LEAD). Returns the
 * descriptors queued or E_RING_FULL (nothing queued then). No register is touched.
 */
export function txqPost(q: TxQueue, src: usize, len: i32, copies: i32): i32 {
  const lead = (q.flags & RING_FLAG_LEAD) != 0 ? 1 : 0;
  const need = copies + lead;
  if (need > txqFree(q)) return E_RING_FULL;
  for (let i = 0; i < need; i++) postOne(q, src, len);
  if (lead) setFlag(q, RING_FLAG_LEAD, false);
  return need;
}

/**
 * Zero copy: queues the frame the RX queue's current slot holds without copying it. The TX
 * slot takes the RX slot's buffer and gives the RX slot its own idle one; the RX queue re-arms
 * its slot with it when the caller recycles it. A due lead copy is queued first, copied.
 * len already checked against NIC_BUF_SIZE. Returns the descriptors queued (1, or 2 with a
 * lead copy) or E_RING_FULL (nothing queued, nothing swapped).
 */
export function txqPostSwap(q: TxQueue, rx: RxQueue, rxBuf: usize, len: i32): i32 {
  const lead = (q.flags & RING_FLAG_LEAD) != 0 ? 1 : 0;
  if (1 + lead > txqFree(q)) return E_RING_FULL;
  if (lead) {
    postOne(q, rxBuf, len);
    setFlag(q, RING_FLAG_LEAD, false);
  }
  const slot = q.useIndex;
  // [clean, use) is queued; slot == use is free (txqFree > 0): its buffer is idle.
  const own = q.bufs + <usize>slot * NIC_BUF_SIZE;
  const frame = rxqSwapCurrent(rx, slotBuf(q.slots, own, slot)); // the RX slot takes our idle buffer
  slotSet(q.slots, own, slot, frame);
  writeDesc(q, slot, frame, len);
  q.useIndex = next(q, slot);
  return 1 + lead;
}

// ---- reclaim ----------------------------------------------------------------------------------

/**
 * Reclaims finished descriptors by their DD bit, oldest first, stopping at the first one not
 * done (the NIC completes them in order). Returns the count.
 */
export function txqReclaim(q: TxQueue): i32 {
  const size = <i32>q.size;
  const use = q.useIndex;
  let clean = q.cleanIndex;
  let n = 0;
  while (clean != use && n < size) {
    const d = descAddr(q, clean);
    if ((load<u8>(d + TXD_OFF_STA) & TXD_STA_DD) == 0) break;
    store<u8>(d + TXD_OFF_STA, 0);
    clean = next(q, clean);
    n++;
  }
  q.cleanIndex = clean;
  return n;
}

/**
 * Reclaims every descriptor the head register has passed: [clean, head) is done whether or
 * not DD was written (no RS, a deferred write-back, or a driver that died before reading it).
 * A head outside [clean, use] is not believed beyond `use`. Returns the count.
 */
export function txqReclaimToHead(q: TxQueue, head: i32): i32 {
  const size = <i32>q.size;
  if (head < 0 || head >= size) return 0;
  q.headRead = head;
  const use = q.useIndex;
  let clean = q.cleanIndex;
  let n = 0;
  while (clean != head && clean != use && n < size) {
    store<u8>(descAddr(q, clean) + TXD_OFF_STA, 0);
    clean = next(q, clean);
    n++;
  }
  q.cleanIndex = clean;
  return n;
}

// ---- confirmation by the head register ----------------------------------------------------------

export const CONFIRMED = 0; // the head reached the announced tail
export const CONFIRM_PENDING = 1; // not yet
export const CONFIRM_TAIL_LOST = 2; // not yet, and TDT read back different: the doorbell was lost

/** Appends one poll of the ring's hardware queue: [delay], read TDH, read TDT (at readIdx + 1). */
export function txqEmitPoll(q: TxQueue, delay: bool): void {
  if (delay) {
    opDelay(tune(TUNE_POLL_US));
    infoAdd(OPINFO_POLLS, 1);
  }
  nicOp().readIdx = opRead(q.port, txReg(q.hwQueue, TXQ_OFF_TDH));
  opRead(q.port, txReg(q.hwQueue, TXQ_OFF_TDT));
}

/** One poll's answer (TDH and TDT as read): reclaims up to the head, says where it stands. */
export function txqConfirmAnswer(q: TxQueue, head: i32, tailRead: i32): i32 {
  if (head >= 0 && head < <i32>q.size) txqReclaimToHead(q, head);
  const target = q.tailWritten;
  if (head == target) return CONFIRMED;
  return tailRead != target ? CONFIRM_TAIL_LOST : CONFIRM_PENDING;
}

/** Writes the announced tail again (a doorbell that did not land). */
export function txqRering(q: TxQueue): void {
  writeTdt(q, q.tailWritten);
}

// ---- diagnostics (nic_ring_info) ----------------------------------------------------------------

export function txqInfo(q: TxQueue, field: i32): i32 {
  switch (field) {
    case RINGINFO_SIZE: return <i32>q.size;
    case RINGINFO_USE: return q.useIndex;
    case RINGINFO_CLEAN: return q.cleanIndex;
    case RINGINFO_TAIL: return q.tailWritten;
    case RINGINFO_QUEUE: return q.hwQueue;
    case RINGINFO_HEAD: return q.headRead;
    case RINGINFO_FLAGS: return <i32>q.flags;
    case RINGINFO_DESC: return <i32>q.desc;
    case RINGINFO_BUFS: return <i32>q.bufs;
    case RINGINFO_FREE: return txqFree(q);
  }
  return E_ARG;
}
