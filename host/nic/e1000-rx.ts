// The receive path: a frame from the wire into host memory through the RX ring. Follows
// QEMU hw/net/e1000.c e1000_receive_iov, e1000_has_rxbufs, e1000_receiver_overrun and
// hw/net/e1000x_common.c (e1000x_rx_group_filter, e1000x_is_oversized, e1000x_rxbufsize,
// e1000x_update_rx_total_stats); SDM §3.2 (receive descriptors and ring), §13.5.1 (MTA).

import * as R from "../../assembly/shared/e1000";
import { physAddress } from "./dma";
import { ethernetFcs } from "../util/crc32";
import { ETH_FCS_LEN, ETH_MIN_FRAME, ETH_MAX_FRAME } from "../../assembly/shared/wire";
import { RX_SIZE_REGS, isBroadcast, sizeCounter, le32 } from "./e1000-tx";

/** The status byte written last, with DD (one scratch byte: the write copies it). */
const STATUS_BYTE = new Uint8Array(1);
/** The descriptor being filled (read into it, written back from it: both copy at once). */
const DESC = new Uint8Array(R.DESC_SIZE);
import type { E1000 } from "./e1000";

/** Longest frame without FCS accepted when RCTL.LPE is clear: header, VLAN tag, 1500 bytes. */
export const MAX_SHORT_FRAME = ETH_MAX_FRAME;
/** Longest with RCTL.LPE (QEMU: 16 KiB less the FCS). */
export const MAX_LONG_FRAME = 16384 - ETH_FCS_LEN;

/** Receive buffer size from RCTL.BSIZE/BSEX (QEMU e1000x_rxbufsize; SDM §13.4 RCTL). */
export function rxBufferSize(rctl: number): number {
  const bsize = (rctl & R.RCTL_BSIZE_MASK) >>> R.RCTL_BSIZE_SHIFT;
  if (rctl & R.RCTL_BSEX) return BSIZE_EXTENDED[bsize]; // BSEX with 00 is reserved: QEMU uses 2048
  return BSIZE[bsize];
}
const BSIZE = [2048, 1024, 512, 256];
const BSIZE_EXTENDED = [2048, 16384, 8192, 4096];

/**
 * The 12-bit MTA hash of a multicast address (SDM §13.5.1): RCTL.MO selects which address
 * bits, [47:36], [46:35], [45:34] or [43:32], counting byte 0 bit 0 as bit 0.
 */
export function mtaHash(dst: Uint8Array, rctl: number): number {
  const shift = MO_SHIFT[(rctl & R.RCTL_MO_MASK) >>> R.RCTL_MO_SHIFT];
  return (((dst[5] << 8) | dst[4]) >>> shift) & 0xfff;
}
const MO_SHIFT = [4, 3, 2, 0];

/** Whether the address filter passes the frame (QEMU e1000x_rx_group_filter). */
export function passesFilter(nic: E1000, frame: Uint8Array): boolean {
  const rctl = nic.reg(R.REG_RCTL);
  if (isBroadcast(frame)) {
    if (rctl & R.RCTL_BAM) return true;
  } else if (frame[0] & 1) {
    if (rctl & R.RCTL_MPE) return true;
  } else if (rctl & R.RCTL_UPE) {
    return true;
  }
  // Exact match against every valid receive address (broadcast included, as QEMU).
  for (let n = 0; n < R.RA_ENTRIES; n++) {
    const hi = nic.reg(R.REG_RAH0 + 8 * n);
    if (!(hi & R.RAH_AV)) continue;
    const lo = nic.reg(R.REG_RAL0 + 8 * n);
    if (frame[0] === (lo & 0xff) && frame[1] === ((lo >>> 8) & 0xff) && frame[2] === ((lo >>> 16) & 0xff) &&
        frame[3] === lo >>> 24 && frame[4] === (hi & 0xff) && frame[5] === ((hi >>> 8) & 0xff)) return true;
  }
  // Inexact (hash) match, which QEMU applies to unicast destinations too.
  const h = mtaHash(frame, rctl);
  return (nic.reg(R.REG_MTA + 4 * (h >>> 5)) & (1 << (h & 31))) !== 0;
}

/** Free descriptors would hold totalSize bytes (QEMU e1000_has_rxbufs). */
function hasRxBuffers(nic: E1000, totalSize: number, bufSize: number): boolean {
  const rdh = nic.reg(R.REG_RDH);
  const rdt = nic.reg(R.REG_RDT);
  if (totalSize <= bufSize) return rdh !== rdt;
  let bufs: number;
  if (rdh < rdt) bufs = rdt - rdh;
  else if (rdh > rdt) bufs = Math.floor(nic.reg(R.REG_RDLEN) / R.DESC_SIZE) + rdt - rdh;
  else return false;
  return totalSize <= bufs * bufSize;
}

/** No room: RNBC and MPC count it, RXO is raised (QEMU e1000_receiver_overrun). */
function overrun(nic: E1000): false {
  nic.count(R.REG_RNBC);
  nic.count(R.REG_MPC);
  nic.raise(R.ICR_RXO);
  nic.counters.rxDropped++;
  return false;
}

/** Delivers a frame (without FCS) from the wire. Returns whether it reached host memory. */
export function receiveFrame(nic: E1000, input: Uint8Array): boolean {
  const rctl = nic.reg(R.REG_RCTL);
  // e1000x_hw_rx_enabled: link up and receiver enabled (and, i210, the queue enabled).
  if (!nic.link || !(rctl & R.RCTL_EN) || !nic.rxEnabled) return (nic.counters.rxDropped++, false);
  let frame = input;
  if (frame.length < ETH_MIN_FRAME) {
    frame = new Uint8Array(ETH_MIN_FRAME); // pad to the minimum Ethernet frame, as a real MAC receives it
    frame.set(input);
  }
  if ((frame.length > MAX_LONG_FRAME || (frame.length > MAX_SHORT_FRAME && !(rctl & R.RCTL_LPE))) && !(rctl & R.RCTL_SBP)) {
    nic.count(R.REG_ROC);
    nic.counters.rxDropped++;
    return false;
  }
  if (!passesFilter(nic, frame)) return (nic.counters.rxFiltered++, false);

  const keepFcs = !(rctl & R.RCTL_SECRC);
  const data = keepFcs ? concat(frame, ethernetFcs(frame)) : frame;
  const total = data.length;
  const bufSize = rxBufferSize(rctl);
  if (!hasRxBuffers(nic, total, bufSize)) return overrun(nic);

  const ringBase = physAddress(nic.reg(R.REG_RDBAL) & R.BASE_LO_MASK, nic.reg(R.REG_RDBAH));
  const rdhStart = nic.reg(R.REG_RDH);
  let offset = 0;
  do {
    const rdh = nic.reg(R.REG_RDH);
    const descAddr = ringBase + R.DESC_SIZE * rdh;
    const desc = nic.dma.read(descAddr, R.DESC_SIZE, DESC);
    if (!desc) return dmaDrop(nic);
    // Fields byte by byte (little-endian): a DataView over this small copy would make V8
    // move it off the heap first.
    const bufAddr = physAddress(le32(desc, R.RXD_OFF_ADDR), le32(desc, R.RXD_OFF_ADDR + 4));
    let status = desc[R.RXD_OFF_STATUS] & ~R.RXD_STA_DD;
    desc[R.RXD_OFF_SPECIAL] = 0;
    desc[R.RXD_OFF_SPECIAL + 1] = 0;
    if (bufAddr !== 0) {
      const chunk = Math.min(total - offset, bufSize);
      if (!nic.dma.write(bufAddr, chunk === total ? data : data.subarray(offset, offset + chunk))) return dmaDrop(nic);
      offset += chunk;
      desc[R.RXD_OFF_LENGTH] = chunk & 0xff;
      desc[R.RXD_OFF_LENGTH + 1] = chunk >>> 8;
      // QEMU sets IXSM ("ignore checksum indication"): no checksum offload is modelled.
      status = offset >= total ? status | R.RXD_STA_EOP | R.RXD_STA_IXSM : status & ~R.RXD_STA_EOP;
    } // else: "skip descriptors with null buf addr" (QEMU, per Intel docs): written back, no data
    // The descriptor first, DD clear; then its status byte with DD, so that software polling
    // DD never sees a half-written descriptor (QEMU e1000_receive_iov).
    desc[R.RXD_OFF_STATUS] = status;
    if (!nic.dma.write(descAddr, desc, desc === DESC)) return dmaDrop(nic);
    STATUS_BYTE[0] = status | R.RXD_STA_DD; // DmaSpace.write copies it at once
    if (!nic.dma.write(descAddr + R.RXD_OFF_STATUS, STATUS_BYTE, true)) return dmaDrop(nic);
    let next = rdh + 1;
    if (next * R.DESC_SIZE >= nic.reg(R.REG_RDLEN)) next = 0;
    nic.setReg(R.REG_RDH, next);
    if (next === rdhStart || rdhStart >= Math.floor(nic.reg(R.REG_RDLEN) / R.DESC_SIZE)) return overrun(nic); // QEMU: RDH wraparound
  } while (offset < total);

  // e1000x_update_rx_total_stats: octet counters always include the FCS.
  const withFcs = frame.length + ETH_FCS_LEN;
  const bucket = sizeCounter(RX_SIZE_REGS, total);
  if (bucket !== undefined) nic.count(bucket);
  nic.count(R.REG_TPR);
  nic.count(R.REG_GPRC);
  nic.count64(R.REG_TORL, withFcs);
  nic.count64(R.REG_GORCL, withFcs);
  if (isBroadcast(frame)) nic.count(R.REG_BPRC);
  else if (frame[0] & 1) nic.count(R.REG_MPRC);
  nic.counters.rxFrames++;

  // RXT0 per frame (no receive timers modelled); RXDMT0 when free descriptors fall to the
  // RCTL.RDMTS fraction of the ring (QEMU rxbuf_min_shift).
  let cause = R.ICR_RXT0;
  const rdh = nic.reg(R.REG_RDH);
  let rdt = nic.reg(R.REG_RDT);
  const rdlen = nic.reg(R.REG_RDLEN);
  if (rdt < rdh) rdt += Math.floor(rdlen / R.DESC_SIZE);
  const minShift = ((rctl & R.RCTL_RDMTS_MASK) >>> R.RCTL_RDMTS_SHIFT) + 1;
  if ((rdt - rdh) * R.DESC_SIZE <= rdlen >>> minShift) cause |= R.ICR_RXDMT0;
  nic.raise(cause);
  return true;
}

function dmaDrop(nic: E1000): false {
  nic.counters.dmaErrors++;
  nic.counters.rxDropped++;
  return false;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
