// A test rig for the NIC models: host memory mapped into a DmaSpace, a SimClock, a NIC
// whose wire side is recorded, and small descriptor-writing helpers for the TX and RX
// rings. These stand in for a driver; the core's own ring writer (assembly/nic/) is tested
// against the same model elsewhere.

import * as R from "../../assembly/shared/e1000";
import { SimClock } from "../../host/sim/clock";
import { DmaSpace } from "../../host/nic/dma";
import { E1000 } from "../../host/nic/e1000";

export const RIG_MAC = Uint8Array.from([0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]);
/** Above 4 GiB on purpose: TDBAH/RDBAH and 64-bit descriptor addresses must matter. */
export const RIG_PHYS = 0x2_0000_0000;
export const RIG_MEM = 1 << 20;

export interface Sent {
  t: number;
  frame: Uint8Array;
}

export class NicRig {
  readonly clock = new SimClock();
  readonly dma = new DmaSpace();
  readonly mem = new Uint8Array(RIG_MEM);
  readonly view = new DataView(this.mem.buffer);
  readonly nic: E1000;
  readonly sent: Sent[] = [];

  constructor(opts: { txQueues?: number; seed?: number; queueEnableLatencyNs?: number } = {}) {
    this.dma.map(RIG_PHYS, this.mem, 0, RIG_MEM, "host");
    this.nic = new E1000({ name: "rig0", mac: RIG_MAC, dma: this.dma, clock: this.clock, ...opts });
    this.nic.attach((frame) => this.sent.push({ t: this.clock.now(), frame }));
  }

  phys(off: number): number {
    return RIG_PHYS + off;
  }

  rd(off: number): number {
    return this.nic.read32(off) >>> 0;
  }

  wr(off: number, v: number): void {
    this.nic.write32(off, v >>> 0);
  }

  /** Enables a TX queue the way igb does (i210: TXDCTL.ENABLE, then poll on the SimClock). */
  enableQueue(q: number): void {
    const off = R.txQueueBase(q) + R.TXQ_OFF_TXDCTL;
    this.wr(off, this.rd(off) | R.TXDCTL_QUEUE_ENABLE);
    for (let i = 0; i < 100 && !(this.rd(off) & R.TXDCTL_QUEUE_ENABLE); i++) this.clock.advance(1_000);
    if (!(this.rd(off) & R.TXDCTL_QUEUE_ENABLE)) throw new Error(`queue ${q} did not enable`);
  }

  /** Programs a TX ring of `slots` descriptors at memory offset ringOff (TCTL.EN too unless told not to). */
  txRing(opts: { queue?: number; ringOff?: number; slots?: number; bufOff?: number; enable?: boolean } = {}): TxRing {
    const q = opts.queue ?? 0;
    const ring = new TxRing(this, q, opts.ringOff ?? 0x1000 + q * 0x1000, opts.slots ?? 8, opts.bufOff ?? 0x20000 + q * 0x20000);
    const b = R.txQueueBase(q);
    this.wr(b + R.TXQ_OFF_TDBAL, this.phys(ring.ringOff) % 0x1_0000_0000);
    this.wr(b + R.TXQ_OFF_TDBAH, Math.floor(this.phys(ring.ringOff) / 0x1_0000_0000));
    this.wr(b + R.TXQ_OFF_TDLEN, ring.slots * R.DESC_SIZE);
    if (this.nic.model === "e1000") {
      this.wr(b + R.TXQ_OFF_TDH, 0);
      this.wr(b + R.TXQ_OFF_TDT, 0);
    }
    if (opts.enable ?? true) {
      if (this.nic.model === "i210") this.enableQueue(q);
      this.wr(R.REG_TCTL, this.rd(R.REG_TCTL) | R.TCTL_EN | R.TCTL_PSP);
    }
    return ring;
  }

  /** Programs an RX ring with every descriptor given a buffer; RDT one behind RDH (all free but one). */
  rxRing(opts: { ringOff?: number; slots?: number; bufOff?: number; bufSize?: number; rctl?: number } = {}): RxRing {
    const ring = new RxRing(this, opts.ringOff ?? 0x8000, opts.slots ?? 8, opts.bufOff ?? 0x80000, opts.bufSize ?? 2048);
    for (let i = 0; i < ring.slots; i++) ring.arm(i);
    this.wr(R.REG_RDBAL, this.phys(ring.ringOff) % 0x1_0000_0000);
    this.wr(R.REG_RDBAH, Math.floor(this.phys(ring.ringOff) / 0x1_0000_0000));
    this.wr(R.REG_RDLEN, ring.slots * R.DESC_SIZE);
    this.wr(R.REG_RDH, 0); // read-only on the i210 (0 after reset anyway)
    // i210: the queue must be enabled before RDT writes count (I210 §8.10.8)
    if (this.nic.model === "i210") this.wr(R.REG_RXDCTL, this.rd(R.REG_RXDCTL) | R.TXDCTL_QUEUE_ENABLE);
    this.wr(R.REG_RDT, ring.slots - 1);
    this.wr(R.REG_RCTL, opts.rctl ?? R.RCTL_EN | R.RCTL_BAM | R.RCTL_SECRC);
    return ring;
  }
}

export interface TxDescFields {
  addr: number;
  length: number;
  cmd: number;
  sta: number;
  upper: number;
}

export class TxRing {
  /** Software's tail: the next descriptor it will fill. */
  tail = 0;
  private bufNext: number;

  constructor(readonly rig: NicRig, readonly queue: number, readonly ringOff: number, readonly slots: number, readonly bufOff: number) {
    this.bufNext = bufOff;
  }

  descOff(i: number): number {
    return this.ringOff + i * R.DESC_SIZE;
  }

  /** Writes descriptor i raw. */
  writeDesc(i: number, addr: number, length: number, cmd: number, sta = 0, extra: { dtyp?: number; css?: number; special?: number } = {}): void {
    const v = this.rig.view;
    const o = this.descOff(i);
    v.setUint32(o + R.TXD_OFF_ADDR, addr % 0x1_0000_0000, true);
    v.setUint32(o + R.TXD_OFF_ADDR + 4, Math.floor(addr / 0x1_0000_0000), true);
    v.setUint16(o + R.TXD_OFF_LENGTH, length, true);
    v.setUint8(o + R.TXD_OFF_CSO, extra.dtyp ?? 0);
    v.setUint8(o + R.TXD_OFF_CMD, cmd);
    v.setUint8(o + R.TXD_OFF_STA, sta);
    v.setUint8(o + R.TXD_OFF_CSS, extra.css ?? 0);
    v.setUint16(o + R.TXD_OFF_SPECIAL, extra.special ?? 0, true);
  }

  desc(i: number): TxDescFields {
    const v = this.rig.view;
    const o = this.descOff(i);
    return {
      addr: v.getUint32(o, true) + v.getUint32(o + 4, true) * 0x1_0000_0000,
      length: v.getUint16(o + R.TXD_OFF_LENGTH, true),
      cmd: v.getUint8(o + R.TXD_OFF_CMD),
      sta: v.getUint8(o + R.TXD_OFF_STA),
      upper: v.getUint32(o + 12, true),
    };
  }

  dd(i: number): boolean {
    return (this.desc(i).sta & R.TXD_STA_DD) !== 0;
  }

  /** Copies bytes into a fresh buffer; returns its physical address. */
  buffer(bytes: Uint8Array): number {
    const off = this.bufNext;
    this.rig.mem.set(bytes, off);
    this.bufNext += Math.ceil(Math.max(bytes.length, 1) / 64) * 64;
    if (this.bufNext > this.bufOff + 0x1f000) this.bufNext = this.bufOff; // reuse the area cyclically
    return this.rig.phys(off);
  }

  /** Queues one frame split over descriptors (one per part); EOP|IFCS on the last, RS where asked. Does not ring. */
  put(parts: Uint8Array[] | Uint8Array, opts: { rs?: "last" | "all" | "none"; ifcs?: boolean } = {}): number[] {
    const list = parts instanceof Uint8Array ? [parts] : parts;
    const rs = opts.rs ?? "last";
    const used: number[] = [];
    list.forEach((p, k) => {
      const last = k === list.length - 1;
      let cmd = opts.ifcs === false ? 0 : R.TXD_CMD_IFCS;
      if (last) cmd |= R.TXD_CMD_EOP;
      if (rs === "all" || (rs === "last" && last)) cmd |= R.TXD_CMD_RS;
      this.writeDesc(this.tail, this.buffer(p), p.length, cmd);
      used.push(this.tail);
      this.tail = (this.tail + 1) % this.slots;
    });
    return used;
  }

  /** Writes TDT = tail. */
  ring(): void {
    this.rig.wr(R.txQueueBase(this.queue) + R.TXQ_OFF_TDT, this.tail);
  }

  get tdh(): number {
    return this.rig.rd(R.txQueueBase(this.queue) + R.TXQ_OFF_TDH);
  }

  get tdt(): number {
    return this.rig.rd(R.txQueueBase(this.queue) + R.TXQ_OFF_TDT);
  }
}

export interface RxDesc {
  addr: number;
  length: number;
  status: number;
  errors: number;
  special: number;
}

export class RxRing {
  /** Software's next descriptor to harvest. */
  next = 0;

  constructor(readonly rig: NicRig, readonly ringOff: number, readonly slots: number, readonly bufOff: number, readonly bufSize: number) {}

  descOff(i: number): number {
    return this.ringOff + i * R.DESC_SIZE;
  }

  bufferOff(i: number): number {
    return this.bufOff + i * this.bufSize;
  }

  /** Gives descriptor i its buffer and clears its status (addr 0 to leave it without one). */
  arm(i: number, addr = this.rig.phys(this.bufferOff(i))): void {
    const v = this.rig.view;
    const o = this.descOff(i);
    v.setUint32(o, addr % 0x1_0000_0000, true);
    v.setUint32(o + 4, Math.floor(addr / 0x1_0000_0000), true);
    for (let k = 8; k < 16; k++) v.setUint8(o + k, 0);
  }

  desc(i: number): RxDesc {
    const v = this.rig.view;
    const o = this.descOff(i);
    return {
      addr: v.getUint32(o, true) + v.getUint32(o + 4, true) * 0x1_0000_0000,
      length: v.getUint16(o + R.RXD_OFF_LENGTH, true),
      status: v.getUint8(o + R.RXD_OFF_STATUS),
      errors: v.getUint8(o + R.RXD_OFF_ERRORS),
      special: v.getUint16(o + R.RXD_OFF_SPECIAL, true),
    };
  }

  /** The bytes the NIC wrote for descriptor i. */
  data(i: number): Uint8Array {
    const d = this.desc(i);
    return this.rig.mem.slice(this.bufferOff(i), this.bufferOff(i) + d.length);
  }

  /** Harvests completed descriptors by DD (read first), re-arms them, RDT one behind. Returns the frames (joined over EOP). */
  harvest(): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let parts: Uint8Array[] = [];
    let last = -1;
    while (this.desc(this.next).status & R.RXD_STA_DD) {
      const d = this.desc(this.next);
      if (d.addr !== 0) parts.push(this.data(this.next));
      if (d.status & R.RXD_STA_EOP) {
        frames.push(Buffer.concat(parts));
        parts = [];
      }
      this.arm(this.next);
      last = this.next;
      this.next = (this.next + 1) % this.slots;
    }
    if (last >= 0) this.rig.wr(R.REG_RDT, last);
    return frames;
  }
}

/** An Ethernet frame: dst, src, EtherType 0x88b5 (local experimental), payload. */
export function ethFrame(dst: Uint8Array | number[], payload: Uint8Array | number, src: Uint8Array = Uint8Array.from([0x02, 0, 0, 0, 0, 0x99])): Uint8Array {
  const body = typeof payload === "number" ? Uint8Array.from({ length: payload }, (_, i) => (i * 7 + 1) & 0xff) : payload;
  const f = new Uint8Array(14 + body.length);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  f.set(body, 14);
  return f;
}

export const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
