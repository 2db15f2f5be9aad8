// Which packet buffer a TX or RX descriptor slot holds (state.ts STATE_NIC_SLOT_BUFS).
//
// Every slot owns exactly one 2 KiB buffer. At first each slot holds its own (the ring's
// buffer area + i * NIC_BUF_SIZE); the packet engine's zero-copy forward swaps buffers
// between an RX slot it harvested and the TX slot it posts the frame on (netmap's buffer
// swap): the frame leaves from the buffer the NIC received it into, and the RX slot is
// re-armed with the TX slot's idle buffer. Swaps only permute buffers among the slots of
// every port's TX and RX rings, so no buffer is ever lost or shared, whatever the ring sizes
// (slots beyond a ring's size keep theirs). The fault ring never swaps: its table is 0.
//
// Per slot a u16 in core state (never in host-visible memory: the core does not trust a
// buffer address it could not have written): (buffer index) XOR (own index), a buffer index
// being its offset from DMA_BASE in NIC_BUF_SIZE units. Zeroed state = every slot its own.
// Only the queue code (txq.ts, rxq.ts) calls these.

import { STATE_NIC_SLOT_BUFS } from "../state";
import { DMA_BASE } from "../shared/memmap";
import { NIC_MAX_PORTS, TX_RING_MAX, RX_RING_MAX } from "../shared/rings";

export const BUF_SHIFT = 11; // log2(NIC_BUF_SIZE): init() checks it

/** Port's TX table, then port's RX table: one u16 per slot. */
export function txSlotTable(port: i32): usize {
  return STATE_NIC_SLOT_BUFS + <usize>(port * TX_RING_MAX) * 2;
}

export function rxSlotTable(port: i32): usize {
  return STATE_NIC_SLOT_BUFS + <usize>(NIC_MAX_PORTS * TX_RING_MAX + port * RX_RING_MAX) * 2;
}

@inline
function bufIndex(addr: usize): u32 {
  return <u32>((addr - <usize>DMA_BASE) >> BUF_SHIFT);
}

/**
 * Core address of the buffer slot i holds now: own is the slot's own buffer, table the
 * ring's slot table (0: a ring that never swaps).
 */
@inline
export function slotBuf(table: usize, own: usize, i: i32): usize {
  if (table == 0) return own;
  const x = <u32>load<u16>(table + (<usize>i << 1));
  return <usize>DMA_BASE + (<usize>(bufIndex(own) ^ x) << BUF_SHIFT);
}

/** Slot i (own buffer own) holds buf from now on. */
@inline
export function slotSet(table: usize, own: usize, i: i32, buf: usize): void {
  store<u16>(table + (<usize>i << 1), <u16>(bufIndex(buf) ^ bufIndex(own)));
}
