// The RX ring reader (SDM §3.2 receive descriptors; ixy ixgbe_rx_batch; Linux
// e1000_clean_rx_irq): arm every descriptor with its buffer, harvest by DD, recycle in place.
//
// DD is read before any other field: the NIC writes the descriptor first and its status byte
// with DD last (QEMU e1000_receive_iov), so the other fields are only meaningful once DD is
// seen (on hardware a read barrier goes between the two, Linux's dma_rmb()). RDT is kept one
// behind the next descriptor to check, so RDT never equals RDH while buffers are free.

import {
  DESC_SIZE, RXD_OFF_ADDR, RXD_OFF_LENGTH, RXD_OFF_CSUM, RXD_OFF_STATUS, RXD_OFF_ERRORS,
  RXD_OFF_SPECIAL, RXD_STA_DD, RXD_STA_EOP, RXD_ERR_FRAME,
} from "../shared/e1000";
import { NIC_BUF_SIZE, RING_RX } from "../shared/rings";
import { E_RX_ERROR, E_CAP } from "../shared/status";
import { physOf } from "./port";
import { ringSize, ringClean, ringSetClean, ringSetUse, ringSetTail, descAddr, slotBuf, ringNext, ringPrev } from "./ring";

/**
 * Gives descriptor i the buffer its slot holds (its own, or the one a zero-copy forward
 * swapped in: ring.ts slotBuf), status cleared.
 */
export function rxArm(port: i32, i: i32): void {
  const d = descAddr(port, RING_RX, i);
  store<u64>(d + RXD_OFF_ADDR, physOf(port, slotBuf(port, RING_RX, i)));
  store<u16>(d + RXD_OFF_LENGTH, 0);
  store<u16>(d + RXD_OFF_CSUM, 0);
  store<u8>(d + RXD_OFF_ERRORS, 0);
  store<u16>(d + RXD_OFF_SPECIAL, 0);
  store<u8>(d + RXD_OFF_STATUS, 0);
}

/** Arms the whole ring; the next descriptor to check is 0. */
export function rxArmAll(port: i32): void {
  const size = ringSize(port, RING_RX);
  memory.fill(descAddr(port, RING_RX, 0), 0, <usize>size * DESC_SIZE);
  for (let i = 0; i < size; i++) rxArm(port, i);
  ringSetClean(port, RING_RX, 0);
  ringSetUse(port, RING_RX, 0);
  ringSetTail(port, RING_RX, size - 1);
}

/** The RDT value that keeps the tail one behind the next descriptor to check. */
export function rxTailTarget(port: i32): i32 {
  return ringPrev(ringClean(port, RING_RX), ringSize(port, RING_RX));
}

/**
 * What descriptor i holds: the frame length when the NIC is done with it (in the slot's
 * buffer, slotBuf), 0 when it is not done, E_RX_ERROR for a frame to drop (an error bit, no
 * EOP, a length of 0 or beyond the buffer). Nothing is changed.
 */
export function rxFrameLen(port: i32, i: i32): i32 {
  const d = descAddr(port, RING_RX, i);
  const status = <i32>load<u8>(d + RXD_OFF_STATUS);
  if ((status & RXD_STA_DD) == 0) return 0;
  const len = <i32>load<u16>(d + RXD_OFF_LENGTH);
  const errors = <i32>load<u8>(d + RXD_OFF_ERRORS);
  if ((status & RXD_STA_EOP) == 0 || (errors & RXD_ERR_FRAME) != 0 || len == 0 || len > NIC_BUF_SIZE) return E_RX_ERROR;
  return len;
}

/**
 * Harvests one frame into out (cap bytes). Returns its length, 0 when the next descriptor
 * is not done, E_RX_ERROR for a bad frame (dropped, descriptor recycled), or E_CAP when it
 * does not fit (left in place).
 */
export function rxHarvest(port: i32, out: usize, cap: i32): i32 {
  const size = ringSize(port, RING_RX);
  const i = ringClean(port, RING_RX);
  const rc = rxFrameLen(port, i);
  if (rc == 0) return 0;
  if (rc > 0) {
    if (rc > cap) return E_CAP;
    memory.copy(out, slotBuf(port, RING_RX, i), <usize>rc);
  }
  rxArm(port, i);
  ringSetClean(port, RING_RX, ringNext(i, size));
  return rc;
}
