// The packet engine's poll round written again in plain TypeScript, for bench/engine.bench.ts
// to measure side by side with the core's eng_poll: the same RX harvest (DD first, length and
// error checks, re-arm), the switching logic of bench/switch-ts-reference.ts through the same
// batch pipeline (stage the batch, look ahead, then decide and post frame by frame), the same
// zero-copy post (the TX slot takes the RX buffer, the RX slot the TX slot's idle one), an
// honest legacy TX descriptor write (address, length, CMD = EOP|IFCS|RS, status 0 last),
// reclaim by DD once per round, and the round's doorbell list (TDT, RDT) written out.
//
// Memory: one ArrayBuffer laid out as the core's DMA window (shared/rings.ts PORT_DMA_*),
// addressed by descriptors as physBase + offset, so the same NIC emulation drives both.
// Typed-array views over descriptor words, no allocation per packet: the form that is fast
// in JavaScript. bench/engine.bench.ts checks it puts the same bytes on the TX ring as the core.

import * as RINGS from "../assembly/shared/rings";
import { RXD_ERR_FRAME } from "../assembly/shared/e1000";
import { SwitchReference, V_FORWARD } from "./switch-ts-reference";

const TX_CMD = (1 | 2 | 8) << 24; // EOP | IFCS | RS in the length word's top byte
const BUF_SHIFT = 11;

export class EngineReference {
  readonly mem: Uint8Array;
  private readonly w32: Uint32Array;
  private readonly tailTx: Int32Array;
  private readonly useTx: Int32Array;
  private readonly cleanTx: Int32Array;
  private readonly cleanRx: Int32Array;
  private readonly tailRx: Int32Array;
  /** Buffer (offset >> 11) each slot holds: [port][kind TX 0 / RX 1][slot]. */
  private readonly slots: Uint16Array;
  /** The batch being switched: slot k held a good frame. */
  private readonly good = new Uint8Array(64);
  /** The round's doorbells: (port, register, value) triples, as the core's REGOP list. */
  readonly regops = new Uint32Array(3 * 2 * RINGS.NIC_MAX_PORTS);
  regopCount = 0;
  readonly counters = { rx: 0, forward: 0, drop: 0, txFull: 0, tdt: 0, rdt: 0 };

  constructor(readonly sw: SwitchReference, readonly ports: number, readonly ringSize: number, readonly physLo: number, readonly physHi: number) {
    this.mem = new Uint8Array(ports * RINGS.PORT_DMA_STRIDE);
    this.w32 = new Uint32Array(this.mem.buffer);
    this.tailTx = new Int32Array(ports);
    this.useTx = new Int32Array(ports);
    this.cleanTx = new Int32Array(ports);
    this.cleanRx = new Int32Array(ports);
    this.tailRx = new Int32Array(ports).fill(ringSize - 1);
    this.slots = new Uint16Array(ports * 2 * RINGS.TX_RING_MAX);
    for (let p = 0; p < ports; p++) {
      for (let i = 0; i < RINGS.TX_RING_MAX; i++) {
        this.slots[(p * 2) * RINGS.TX_RING_MAX + i] = (p * RINGS.PORT_DMA_STRIDE + RINGS.PORT_DMA_TX_BUFS + i * 2048) >>> BUF_SHIFT;
        this.slots[(p * 2 + 1) * RINGS.TX_RING_MAX + i] = (p * RINGS.PORT_DMA_STRIDE + RINGS.PORT_DMA_RX_BUFS + i * 2048) >>> BUF_SHIFT;
      }
      for (let i = 0; i < ringSize; i++) this.arm(p, i);
    }
  }

  rxDesc(port: number, i: number): number {
    return port * RINGS.PORT_DMA_STRIDE + RINGS.PORT_DMA_RX_DESC + i * 16;
  }

  txDesc(port: number, i: number): number {
    return port * RINGS.PORT_DMA_STRIDE + RINGS.PORT_DMA_TX_DESC + i * 16;
  }

  private arm(port: number, i: number): void {
    const w = this.rxDesc(port, i) >>> 2;
    this.w32[w] = (this.slots[(port * 2 + 1) * RINGS.TX_RING_MAX + i] << BUF_SHIFT) + this.physLo;
    this.w32[w + 1] = this.physHi;
    this.w32[w + 2] = 0; // length, checksum
    this.w32[w + 3] = 0; // status, errors, special
  }

  private reclaim(port: number): void {
    const use = this.useTx[port];
    let clean = this.cleanTx[port];
    while (clean !== use) {
      const d = this.txDesc(port, clean);
      if ((this.mem[d + 12] & 1) === 0) break;
      this.mem[d + 12] = 0;
      clean = clean + 1 === this.ringSize ? 0 : clean + 1;
    }
    this.cleanTx[port] = clean;
  }

  /** One round over port rxPort's RX ring (batch frames at most); returns frames handled. */
  poll(rxPort: number, batch: number, now: number): number {
    this.sw.now = now;
    this.regopCount = 0;
    let reclaimed = 0;
    let posted = 0;
    const size = this.ringSize;
    const mem = this.mem;
    const rxSlots = (rxPort * 2 + 1) * RINGS.TX_RING_MAX;
    // the batch pipeline: harvest and stage every finished frame, look ahead, then decide and post in order
    const budget = Math.min(batch, size);
    let i = this.cleanRx[rxPort];
    let n = 0;
    for (let j = i; n < budget; n++) {
      const d = this.rxDesc(rxPort, j);
      const status = mem[d + 12];
      if ((status & 1) === 0) break;
      const len = mem[d + 8] | (mem[d + 9] << 8);
      const good = (status & 2) !== 0 && (mem[d + 13] & RXD_ERR_FRAME) === 0 && len > 0 && len <= 2048;
      this.good[n] = good ? 1 : 0;
      if (good) this.sw.stage(n, mem, this.slots[rxSlots + j] << BUF_SHIFT, len);
      else this.sw.stageNothing(n);
      j = j + 1 === size ? 0 : j + 1;
    }
    this.sw.lookAhead(n);
    for (let k = 0; k < n; k++) {
      if (this.good[k]) {
        const rxSlot = rxSlots + i;
        const buf = this.slots[rxSlot] << BUF_SHIFT;
        const v = this.sw.decide(k, mem);
        if (v >>> 24 === V_FORWARD) {
          const out = (v >>> 16) & 0xff;
          if ((reclaimed & (1 << out)) === 0) {
            this.reclaim(out);
            reclaimed |= 1 << out;
          }
          const use = this.useTx[out];
          const inFlight = use - this.cleanTx[out];
          if ((inFlight < 0 ? inFlight + size : inFlight) < size - 1) {
            // zero copy: swap buffers, write the descriptor, status last
            const txSlot = out * 2 * RINGS.TX_RING_MAX + use;
            const txBuf = this.slots[txSlot];
            this.slots[txSlot] = this.slots[rxSlot];
            this.slots[rxSlot] = txBuf;
            const w = this.txDesc(out, use) >>> 2;
            this.w32[w] = (buf + this.physLo) >>> 0;
            this.w32[w + 1] = this.physHi;
            this.w32[w + 2] = (v & 0xffff) | TX_CMD;
            this.w32[w + 3] = 0;
            this.useTx[out] = use + 1 === size ? 0 : use + 1;
            posted |= 1 << out;
            this.counters.forward++;
          } else this.counters.txFull++;
        } else this.counters.drop++;
      }
      this.arm(rxPort, i);
      i = i + 1 === size ? 0 : i + 1;
    }
    this.cleanRx[rxPort] = i;
    this.counters.rx += n;
    for (let p = 0; p < this.ports; p++) {
      if ((posted & (1 << p)) !== 0 && this.useTx[p] !== this.tailTx[p]) {
        this.pushRegop(p, 0x3818, this.useTx[p]);
        this.tailTx[p] = this.useTx[p];
        this.counters.tdt++;
      }
    }
    const t = i === 0 ? size - 1 : i - 1;
    if (t !== this.tailRx[rxPort]) {
      this.pushRegop(rxPort, 0x2818, t);
      this.tailRx[rxPort] = t;
      this.counters.rdt++;
    }
    return n;
  }

  private pushRegop(port: number, reg: number, value: number): void {
    const k = this.regopCount++ * 3;
    this.regops[k] = port;
    this.regops[k + 1] = reg;
    this.regops[k + 2] = value;
  }
}
