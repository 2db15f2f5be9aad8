// The transmit engine of one TX queue (the e1000 has one; the i210-like model up to four,
// each with its own registers and engine). Follows QEMU hw/net/e1000.c start_xmit,
// process_tx_desc and txdesc_writeback; SDM §3.3 (transmit descriptors) and §3.4
// (transmit descriptor ring structure); I210 datasheet §7.2 and §8.12 for queue enable.
//
// A doorbell (TDT or TCTL write) runs the engine synchronously, as QEMU does: walk TDH→TDT,
// fetch each 16-byte descriptor by DMA, gather buffers until EOP, put the frame on the
// wire, write back DD (upper dword only) where RS/RPS asked for it, advance TDH with wrap,
// and stop on a bogus TDT/TDLEN. Faults (faults.ts) can delay, hang or starve it.

import * as R from "../../assembly/shared/e1000";
import { ETH_ALEN, ETH_FCS_LEN, ETH_MIN_FRAME, ETH_OFF_DST } from "../../assembly/shared/wire";
import { physAddress } from "./dma";
import { ethernetFcs } from "../util/crc32";
import type { E1000 } from "./e1000";
import type { SimEvent } from "../sim/clock";

/** Most bytes one frame can gather (QEMU's tx.data buffer, 64 KiB); the rest is cut off. */
export const TX_MAX_FRAME = 0x10000;

const STA_CLEAR = R.TXD_STA_EC | R.TXD_STA_LC | R.TXD_STA_TU;

/** txdesc_writeback: only the upper dword (STA, CSS, SPECIAL), DD set, EC/LC/TU cleared. */
const writeBack = (d: Uint8Array) => ((le32(d, R.TXD_OFF_STA) | R.TXD_STA_DD) & ~STA_CLEAR) >>> 0;

/** Little-endian fields of a descriptor copy. */
export const le16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
export const le32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

/** Something the engine finished that the wire and host memory see, possibly later (deferred TX). */
interface TxCompletion {
  frame?: Uint8Array;
  /** Physical address of the descriptor's upper dword to write back, with its new value. */
  wbAddr?: number;
  wbValue?: number;
}

export class TxQueue {
  readonly n: number;
  /** Offset of this queue's register block in BAR0. */
  readonly base: number;
  /** i210: the queue runs (TXDCTL.ENABLE reads back set). Always true on the e1000. */
  enabled: boolean;
  private readonly nic: E1000;
  private busy = false;
  /** The frame being gathered: its buffers' copies, in parts[0 .. partCount). */
  private readonly parts: (Uint8Array | undefined)[] = [];
  private partCount = 0;
  private size = 0;
  private dropping = false;
  private ifcs = true;
  private deferredRun: SimEvent | undefined;
  private completions = new Set<SimEvent>();
  private enableChange: SimEvent | undefined;
  /** i210: a disable was asked while the queue was hung with work pending; it completes on thaw or reset. */
  private disableWaiting = false;
  /** The upper dword of a descriptor being written back (complete()). */
  private readonly upperDword = new Uint8Array(4);
  /** The descriptor being processed (processDescriptor reads each into it). */
  private readonly desc = new Uint8Array(R.DESC_SIZE);

  constructor(nic: E1000, n: number) {
    this.nic = nic;
    this.n = n;
    this.base = R.txQueueBase(n);
    this.enabled = nic.model === "e1000";
  }

  get tdh(): number {
    return this.nic.reg(this.base + R.TXQ_OFF_TDH);
  }

  get tdt(): number {
    return this.nic.reg(this.base + R.TXQ_OFF_TDT);
  }

  /** Descriptors the ring holds (TDLEN / 16). */
  get ringSize(): number {
    return Math.floor(this.nic.reg(this.base + R.TXQ_OFF_TDLEN) / R.DESC_SIZE);
  }

  /** 64-bit descriptor base, low 4 bits ignored (QEMU tx_desc_base). */
  get ringBase(): number {
    return physAddress(this.nic.reg(this.base + R.TXQ_OFF_TDBAL) & R.BASE_LO_MASK, this.nic.reg(this.base + R.TXQ_OFF_TDBAH));
  }

  /** Frames whose wire time and DD write-back a deferred-TX fault still holds back. */
  get inFlight(): number {
    return this.completions.size;
  }

  /** Drops everything in progress (device reset). */
  reset(): void {
    this.deferredRun?.cancel();
    this.deferredRun = undefined;
    for (const e of this.completions) e.cancel();
    this.completions.clear();
    this.enableChange?.cancel();
    this.enableChange = undefined;
    this.disableWaiting = false;
    this.clearFrame();
    this.busy = false;
    this.enabled = this.nic.model === "e1000";
  }

  /** TDT or TCTL written, link back up, or a fault lifted: run if the engine can. */
  doorbell(): void {
    const nic = this.nic;
    if (!(nic.reg(R.REG_TCTL) & R.TCTL_EN)) return; // QEMU start_xmit: "tx disabled"
    if (!this.enabled) return; // i210: queue not enabled (QEMU igb_tx_enabled)
    const f = nic.faults.tx[this.n];
    if (f.frozen) return; // hung engine: the doorbell is stored, nothing moves
    if (!nic.link && nic.faults.linkDownTx === "stall") return; // the MAC stops DMA without link (Linux e1000_watchdog)
    if (this.busy) return;
    if (f.deferNs > 0 && f.deferMode === "engine") {
      if (!this.deferredRun) {
        this.deferredRun = nic.clock.after(f.deferNs, () => {
          this.deferredRun = undefined;
          this.doorbellNow();
        });
      }
      return;
    }
    this.run();
  }

  /** The deferred engine run: conditions are checked again, time has passed. */
  private doorbellNow(): void {
    const nic = this.nic;
    const f = nic.faults.tx[this.n];
    if (!(nic.reg(R.REG_TCTL) & R.TCTL_EN) || !this.enabled || f.frozen) return;
    if (!nic.link && nic.faults.linkDownTx === "stall") return;
    this.run();
  }

  /** QEMU start_xmit: walk TDH→TDT. */
  private run(): void {
    const nic = this.nic;
    const f = nic.faults.tx[this.n];
    const tdhOff = this.base + R.TXQ_OFF_TDH;
    const tdtOff = this.base + R.TXQ_OFF_TDT;
    const tdhStart = nic.reg(tdhOff);
    const ringSize = this.ringSize;
    const ringBase = this.ringBase; // no register changes while the engine walks the ring
    let cause = R.ICR_TXQE;
    const done: TxCompletion[] = [];
    this.busy = true;
    while (nic.reg(tdhOff) !== nic.reg(tdtOff)) {
      const descAddr = ringBase + R.DESC_SIZE * nic.reg(tdhOff);
      this.processDescriptor(descAddr, done);
      let next = nic.reg(tdhOff) + 1;
      if (next * R.DESC_SIZE >= nic.reg(this.base + R.TXQ_OFF_TDLEN)) next = 0;
      nic.setReg(tdhOff, next);
      // QEMU: "the following could happen only if guest sw assigns bogus values to TDT/TDLEN"
      if (next === tdhStart || tdhStart >= ringSize) {
        nic.counters.txBogusRing++;
        break;
      }
    }
    this.busy = false;
    if (f.deferNs > 0 && f.deferMode === "writeback" && done.length) {
      const ev = nic.clock.after(f.deferNs, () => {
        this.completions.delete(ev);
        if (this.complete(done)) nic.raise(R.ICR_TXDW);
      });
      this.completions.add(ev);
    } else if (this.complete(done)) {
      cause |= R.ICR_TXDW;
    }
    nic.raise(cause);
  }

  /** QEMU process_tx_desc for legacy and extended/advanced data descriptors; context descriptors carry no data. */
  private processDescriptor(descAddr: number, done: TxCompletion[]): void {
    const nic = this.nic;
    const d = nic.dma.read(descAddr, R.DESC_SIZE, this.desc);
    if (!d) {
      // The descriptor itself is unreachable: whatever frame it belonged to is lost.
      nic.counters.dmaErrors++;
      this.dropping = true;
      return;
    }
    // Fields read byte by byte (little-endian): a DataView over this small copy would make
    // V8 move it off the heap first, which costs more than the whole descriptor.
    const cmd = d[R.TXD_OFF_CMD];
    const isContext = (cmd & R.TXD_CMD_DEXT) !== 0 && (d[R.TXD_OFF_DTYP] & R.TXD_DTYP_DATA) === 0;
    if (!isContext) {
      const len = le16(d, R.TXD_OFF_LENGTH);
      const take = Math.min(len, TX_MAX_FRAME - this.size);
      if (take > 0) {
        const addr = physAddress(le32(d, R.TXD_OFF_ADDR), le32(d, R.TXD_OFF_ADDR + 4));
        const data = nic.dma.read(addr, take);
        if (!data) {
          nic.counters.dmaErrors++;
          this.dropping = true;
        } else {
          this.parts[this.partCount++] = data;
          this.size += take;
        }
      }
      this.ifcs = (cmd & R.TXD_CMD_IFCS) !== 0; // the EOP descriptor's IFCS decides (SDM §3.3.3.1)
      if (cmd & R.TXD_CMD_EOP) {
        const frame = this.dropping ? undefined : this.finishFrame();
        if (this.dropping) nic.counters.txDropped++;
        this.clearFrame();
        if (frame) {
          // the frame, and its descriptor's write-back right after it (one completion)
          done.push(cmd & (R.TXD_CMD_RS | R.TXD_CMD_RPS) ? { frame, wbAddr: descAddr + R.TXD_OFF_STA, wbValue: writeBack(d) } : { frame });
          return;
        }
      }
    }
    if (cmd & (R.TXD_CMD_RS | R.TXD_CMD_RPS)) done.push({ wbAddr: descAddr + R.TXD_OFF_STA, wbValue: writeBack(d) });
  }

  /** The gathered frame as it goes on the wire (no FCS), or undefined when it must not. */
  private finishFrame(): Uint8Array | undefined {
    const nic = this.nic;
    let frame: Uint8Array;
    if (this.partCount === 1) {
      frame = this.parts[0]!; // one buffer: the copy DMA read is the frame (nothing else holds it)
    } else {
      frame = new Uint8Array(this.size);
      let at = 0;
      for (let i = 0; i < this.partCount; i++) {
        const p = this.parts[i]!;
        frame.set(p, at);
        at += p.length;
      }
    }
    if (!this.ifcs) {
      // Software supplied the FCS: the wire carries it; a receiver's MAC drops the frame
      // when it is wrong. Our wire carries frames without FCS, so check and strip it here.
      if (frame.length < ETH_FCS_LEN) return (nic.counters.txBadFcs++, nic.counters.txDropped++, undefined);
      const body = frame.subarray(0, frame.length - ETH_FCS_LEN);
      const fcs = ethernetFcs(body);
      if (fcs.some((b, i) => b !== frame[body.length + i])) return (nic.counters.txBadFcs++, nic.counters.txDropped++, undefined);
      frame = frame.slice(0, body.length);
    }
    if (frame.length < ETH_MIN_FRAME && nic.reg(R.REG_TCTL) & R.TCTL_PSP) {
      // PSP pads to 64 bytes with the FCS (SDM §13.4 TCTL); QEMU does not pad.
      const padded = new Uint8Array(ETH_MIN_FRAME);
      padded.set(frame);
      frame = padded;
    }
    return frame;
  }

  private clearFrame(): void {
    for (let i = 0; i < this.partCount; i++) this.parts[i] = undefined; // holds no frame it sent
    this.partCount = 0;
    this.size = 0;
    this.dropping = false;
    this.ifcs = true;
  }

  /** Sends frames and writes back descriptors in ring order; true when a write-back happened. */
  private complete(done: TxCompletion[]): boolean {
    const nic = this.nic;
    const b = this.upperDword; // DmaSpace.write copies it at once: one scratch serves every write-back
    let wrote = false;
    for (let i = 0; i < done.length; i++) {
      const c = done[i];
      if (c.frame) this.send(c.frame);
      if (c.wbAddr !== undefined) {
        const v = c.wbValue!;
        b[0] = v & 0xff;
        b[1] = (v >>> 8) & 0xff;
        b[2] = (v >>> 16) & 0xff;
        b[3] = v >>> 24;
        if (nic.dma.write(c.wbAddr, b, true)) wrote = true;
        else nic.counters.dmaErrors++;
      }
    }
    return wrote;
  }

  /** QEMU e1000_send_packet + the counters of xmit_seg. */
  private send(frame: Uint8Array): void {
    const nic = this.nic;
    if (!nic.link) {
      nic.counters.txDropped++; // linkDownTx "drop" (or a deferred frame caught by link loss)
      return;
    }
    const wireLen = frame.length + ETH_FCS_LEN; // counters include the FCS
    nic.count(R.REG_TPT);
    nic.count(R.REG_GPTC);
    nic.count64(R.REG_GOTCL, wireLen);
    nic.count64(R.REG_TOTL, wireLen);
    const bucket = sizeCounter(TX_SIZE_REGS, wireLen);
    if (bucket !== undefined) nic.count(bucket);
    if (isBroadcast(frame)) nic.count(R.REG_BPTC);
    else if (frame[0] & 1) nic.count(R.REG_MPTC);
    nic.counters.txFrames++;
    nic.counters.txBytes += frame.length;
    nic.emit(frame);
  }

  // ---------------------------------------------------------------- i210 queue enable

  /** TXDCTL(n) written: other fields stored at once, ENABLE changes after the latency. */
  writeTxdctl(v: number): void {
    const nic = this.nic;
    const off = this.base + R.TXQ_OFF_TXDCTL;
    const want = (v & R.TXDCTL_QUEUE_ENABLE) !== 0;
    const shown = nic.reg(off) & R.TXDCTL_QUEUE_ENABLE;
    nic.setReg(off, (v & ~R.TXDCTL_QUEUE_ENABLE) | shown);
    this.disableWaiting = false;
    if (want && !this.enabled) {
      // I210 §8.12 TXDCTL: "Setting this bit initializes the Tail and Head registers".
      nic.setReg(this.base + R.TXQ_OFF_TDH, 0);
      nic.setReg(this.base + R.TXQ_OFF_TDT, 0);
    }
    if (want === this.enabled) {
      this.enableChange?.cancel();
      this.enableChange = undefined;
      return;
    }
    if (this.enableChange) return; // the change already under way lands at its time
    this.enableChange = nic.clock.after(nic.queueEnableLatencyNs, () => {
      this.enableChange = undefined;
      if (want) this.setEnabled(true);
      else this.tryDisable();
    });
  }

  /** A queue stops only once its transmit activity stopped: a hung queue with work never does. */
  private tryDisable(): void {
    const f = this.nic.faults.tx[this.n];
    if (f.frozen && this.tdh !== this.tdt) {
      this.disableWaiting = true;
      return;
    }
    this.setEnabled(false);
  }

  /** A fault on this queue was lifted: finish a waiting disable, or run. */
  thawed(): void {
    if (this.disableWaiting) {
      this.disableWaiting = false;
      this.setEnabled(false);
      return;
    }
    this.doorbell();
  }

  private setEnabled(on: boolean): void {
    const nic = this.nic;
    const off = this.base + R.TXQ_OFF_TXDCTL;
    this.enabled = on;
    nic.setReg(off, on ? nic.reg(off) | R.TXDCTL_QUEUE_ENABLE : nic.reg(off) & ~R.TXDCTL_QUEUE_ENABLE);
    if (on) this.doorbell();
  }
}

const TX_SIZE_REGS = [R.REG_PTC64, R.REG_PTC127, R.REG_PTC255, R.REG_PTC511, R.REG_PTC1023, R.REG_PTC1522];
export const RX_SIZE_REGS = [R.REG_PRC64, R.REG_PRC127, R.REG_PRC255, R.REG_PRC511, R.REG_PRC1023, R.REG_PRC1522];

/** The size-bucket counter for a length with FCS (QEMU e1000x_increase_size_stats; under 64 counts nowhere). */
export function sizeCounter(regs: number[], len: number): number | undefined {
  if (len > 1023) return regs[5];
  if (len > 511) return regs[4];
  if (len > 255) return regs[3];
  if (len > 127) return regs[2];
  if (len > 64) return regs[1];
  return len === 64 ? regs[0] : undefined;
}

export function isBroadcast(frame: Uint8Array): boolean {
  for (let i = 0; i < ETH_ALEN; i++) if (frame[ETH_OFF_DST + i] !== 0xff) return false;
  return true;
}
