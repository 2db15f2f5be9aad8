// The virtual board's Intel 8254x (e1000) NIC, and with txQueues > 1 the "i210-like" model:
// a register file driven by the table in e1000-regs.ts, the interrupt registers and line,
// device reset, link state, statistics, and the wire side. The TX engine is e1000-tx.ts,
// the receive path e1000-rx.ts, fault injection faults.ts. Behaviour follows QEMU
// hw/net/e1000.c unless docs/nic-model.md says otherwise (and why).
//
// Everything runs on the SimClock: register accesses act at clock.now(); the only timed
// behaviour is what faults and the i210 queue enable latency schedule.

import * as R from "../../assembly/shared/e1000";
import type { NicDevice } from "./device";
import type { DmaSpace } from "./dma";
import type { SimClock } from "../sim/clock";
import { BAR0_SIZE, registerTable, type NicModel, type RegDef } from "./e1000-regs";
import { TxQueue } from "./e1000-tx";
import { receiveFrame } from "./e1000-rx";
import { NicFaults } from "./faults";
import { Rng } from "../util/rng";

export interface E1000Options {
  /** Port name, used in pcap/debug output (e.g. "lc-a.eth0"). */
  name: string;
  /** The port's MAC: RAL0/RAH0 and the EEPROM are loaded from it at reset. */
  mac: Uint8Array;
  dma: DmaSpace;
  clock: SimClock;
  /** 1 = e1000 (82540EM); 2..4 = the i210-like model with that many TX queues. */
  txQueues?: number;
  /** i210: time TXDCTL.ENABLE takes to read back a change (default 5 µs). */
  queueEnableLatencyNs?: number;
  /** Seed for the probabilistic faults (lost doorbells). */
  seed?: number;
}

/** What the model saw that registers do not show (for tests, bring-up and debugging). */
export interface NicCounters {
  /** DMA accesses outside every window (each drops the frame it belonged to). */
  dmaErrors: number;
  txFrames: number;
  txBytes: number;
  /** Frames dropped by the TX side: link down (drop mode), bad FCS without IFCS, DMA error. */
  txDropped: number;
  /** TX descriptors without IFCS whose last 4 bytes were not the frame's FCS. */
  txBadFcs: number;
  /** Times the bogus-TDT/TDLEN guard stopped the engine (QEMU "TDH wraparound"). */
  txBogusRing: number;
  /** TDT writes the lost-doorbell fault swallowed. */
  doorbellsLost: number;
  rxFrames: number;
  /** Frames refused: link down, receiver disabled, oversize, no descriptor, DMA error. */
  rxDropped: number;
  /** Frames the address filter rejected (not an error). */
  rxFiltered: number;
  /** Register accesses at unaligned offsets or beyond BAR0 (reads 0, writes ignored). */
  badAccesses: number;
  /** Writes to read-only or unknown registers (ignored). */
  ignoredWrites: number;
}

export type TxSink = (frame: Uint8Array) => void;

export const DEFAULT_QUEUE_ENABLE_LATENCY_NS = 5_000;

/** A 4-byte-aligned offset inside BAR0. */
const isRegisterOffset = (offset: number) => Number.isInteger(offset) && offset >= 0 && offset < BAR0_SIZE && offset % 4 === 0;

export class E1000 implements NicDevice {
  readonly name: string;
  readonly mac: Uint8Array;
  readonly model: NicModel;
  readonly dma: DmaSpace;
  readonly clock: SimClock;
  /** The register table this model decodes (shared by tests and bring-up). */
  readonly registers: readonly RegDef[];
  readonly txQueues: TxQueue[];
  readonly faults: NicFaults;
  readonly counters: NicCounters = {
    dmaErrors: 0, txFrames: 0, txBytes: 0, txDropped: 0, txBadFcs: 0, txBogusRing: 0, doorbellsLost: 0,
    rxFrames: 0, rxDropped: 0, rxFiltered: 0, badAccesses: 0, ignoredWrites: 0,
  };
  readonly queueEnableLatencyNs: number;
  /** Called whenever the interrupt line changes level. */
  onIrq: ((level: boolean) => void) | undefined;

  /** Register storage, one u32 per 4-byte offset of BAR0. */
  private readonly mem = new Uint32Array(BAR0_SIZE / 4);
  /** Register definition per BAR0 word (aliases point at their register). */
  private readonly decode: (RegDef | undefined)[] = new Array(BAR0_SIZE / 4);
  private readonly eeprom = new Uint16Array(64);
  private sink: TxSink | undefined;
  private linkUp = true;
  /** The partner's carrier (the cable, the far end) and our PHY's power (MII control bit 11). */
  private partnerUp = true;
  private phyPowered = true;
  /** The PHY registers behind MDIC (only the control register acts: power down). */
  private readonly phy = new Uint16Array(32);
  private irqLevel = false;
  /** Called when this port's PHY powers down or up: the wire takes the far end's carrier too. */
  onCarrier: ((up: boolean) => void) | undefined;

  constructor(opts: E1000Options) {
    const queues = opts.txQueues ?? 1;
    if (!Number.isInteger(queues) || queues < 1 || queues > R.I210_TX_QUEUES) throw new RangeError(`${opts.name}: txQueues must be 1..${R.I210_TX_QUEUES}`);
    if (opts.mac.length !== 6) throw new RangeError(`${opts.name}: MAC must be 6 bytes`);
    this.name = opts.name;
    this.mac = Uint8Array.from(opts.mac);
    this.model = queues > 1 ? "i210" : "e1000";
    this.dma = opts.dma;
    this.clock = opts.clock;
    this.queueEnableLatencyNs = opts.queueEnableLatencyNs ?? DEFAULT_QUEUE_ENABLE_LATENCY_NS;
    this.registers = registerTable(this.model, this.mac);
    for (const r of this.registers) for (const off of [r.offset, ...(r.aliases ?? [])]) this.decode[off >> 2] = r;
    this.loadEeprom();
    this.phy[R.PHY_REG_CTRL] = R.PHY_CTRL_RESET_VALUE;
    this.txQueues = Array.from({ length: queues }, (_, n) => new TxQueue(this, n));
    this.faults = new NicFaults(this, new Rng(opts.seed ?? 1));
    this.reset();
  }

  // ---------------------------------------------------------------- NicDevice

  read32(offset: number): number {
    const def = this.defAt(offset);
    if (!def) return 0;
    const slot = def.offset >> 2;
    switch (def.access) {
      case "RC": {
        const v = this.mem[slot];
        this.mem[slot] = 0;
        for (const o of def.alsoClears ?? []) this.mem[o >> 2] = 0;
        if (def.effect === "icr") this.updateIrq(); // QEMU mac_icr_read → set_interrupt_cause(0)
        return v;
      }
      case "WO":
        return def.readsAs === undefined ? 0 : this.mem[def.readsAs >> 2];
      default:
        if (def.effect === "eerd") return this.readEerd();
        return this.mem[slot];
    }
  }

  write32(offset: number, value: number): void {
    const def = this.defAt(offset);
    if (!def) {
      if (offset % 4 === 0 && offset >= 0 && offset < BAR0_SIZE) this.counters.ignoredWrites++;
      return;
    }
    const v = value >>> 0;
    if (def.access === "RO" || (def.access === "RC" && def.effect === undefined)) {
      this.counters.ignoredWrites++;
      return;
    }
    switch (def.effect) {
      case "ctrl":
        if (v & R.CTRL_RST) return this.reset(); // self-clearing: CTRL reads its reset value after
        return this.store(def, v);
      case "icr":
        return this.setIcr(this.reg(R.REG_ICR) & ~v);
      case "ics":
        return this.raise(v);
      case "ims":
        this.setReg(R.REG_IMS, this.reg(R.REG_IMS) | v);
        return this.updateIrq();
      case "imc":
        this.setReg(R.REG_IMS, this.reg(R.REG_IMS) & ~v);
        return this.updateIrq();
      case "tctl":
        this.store(def, v);
        for (const q of this.txQueues) q.doorbell();
        return;
      case "tdt": {
        const q = this.txQueues[def.queue ?? 0];
        if (this.faults.swallowDoorbell(q.n)) {
          this.counters.doorbellsLost++;
          return;
        }
        this.store(def, v);
        return q.doorbell();
      }
      case "txdctl":
        return this.txQueues[def.queue ?? 0].writeTxdctl(v & def.writeMask);
      case "mdic":
        return this.mdic(v);
      case "rdt":
        if (!this.rxEnabled) {
          this.counters.ignoredWrites++; // I210 §8.10.8: "ignored ... while the queue is disabled"
          return;
        }
        return this.store(def, v);
      default:
        return this.store(def, v);
    }
  }

  // ---------------------------------------------------------------- wire side

  /** Connects the port's transmit side: every frame the NIC puts on the wire (without FCS). */
  attach(tx: TxSink): void {
    this.sink = tx;
  }

  /** A frame (without FCS) arriving from the wire. Returns whether it reached host memory. */
  receive(frame: Uint8Array): boolean {
    return receiveFrame(this, frame);
  }

  /** Interrupt line: some cause in ICR is enabled in IMS (QEMU set_interrupt_cause). */
  get irq(): boolean {
    return this.irqLevel;
  }

  get link(): boolean {
    return this.linkUp;
  }

  /** The RX queue may receive: always on the e1000; RXDCTL.ENABLE on the i210 (I210 §8.10.9). */
  get rxEnabled(): boolean {
    return this.model === "e1000" || (this.reg(R.REG_RXDCTL) & R.RXDCTL_QUEUE_ENABLE) !== 0;
  }

  /**
   * Link partner up or down (cable, partner, PHY). STATUS.LU follows and LSC is raised
   * when it changes (QEMU e1000_set_link_status). With the link up again, a TX engine that
   * stalled on link loss resumes.
   */
  setLink(up: boolean): void {
    this.partnerUp = up;
    this.updateLink();
  }

  /** Whether the PHY is powered (MII control POWER_DOWN clear). */
  get phyUp(): boolean {
    return this.phyPowered;
  }

  /** Link = the partner's carrier and our PHY powered. */
  private updateLink(): void {
    const up = this.partnerUp && this.phyPowered;
    if (up === this.linkUp) return;
    this.linkUp = up;
    const s = this.reg(R.REG_STATUS);
    this.setReg(R.REG_STATUS, up ? s | R.STATUS_LU : s & ~R.STATUS_LU);
    this.raise(R.ICR_LSC);
    if (up) for (const q of this.txQueues) q.doorbell();
  }

  /**
   * MDIC (SDM §13.4.6): one access to the internal PHY (address 1), complete at once with
   * READY, as QEMU's set_mdic; another PHY address answers ERROR. Writing the MII control
   * register's POWER_DOWN bit (IEEE 802.3 22.2.4.1.5) powers the PHY down: the link drops at
   * both ends (onCarrier tells the wire). The PHY keeps its registers across CTRL.RST (a MAC
   * reset; the PHY has its own, CTRL.PHY_RST, not modelled).
   */
  private mdic(v: number): void {
    const op = v & (3 << 26);
    const addr = (v >>> R.MDIC_PHY_SHIFT) & 31;
    const reg = (v >>> R.MDIC_REG_SHIFT) & 31;
    let out = (v & ~(R.MDIC_READY | R.MDIC_ERROR)) >>> 0;
    if (addr !== R.PHY_ADDR_INTERNAL || (op !== R.MDIC_OP_WRITE && op !== R.MDIC_OP_READ)) {
      out |= R.MDIC_ERROR;
    } else if (op === R.MDIC_OP_WRITE) {
      this.phy[reg] = v & R.MDIC_DATA_MASK;
      if (reg === R.PHY_REG_CTRL) {
        const powered = (v & R.MII_CR_POWER_DOWN) === 0;
        if (powered !== this.phyPowered) {
          this.phyPowered = powered;
          this.updateLink();
          this.onCarrier?.(powered);
        }
      }
    } else {
      out = ((out & ~R.MDIC_DATA_MASK) | this.phy[reg]) >>> 0;
    }
    this.setReg(R.REG_MDIC, (out | R.MDIC_READY) >>> 0);
  }

  /** Device reset (CTRL.RST, SDM §13.4 CTRL; power-on): registers to reset values, engines idle. */
  reset(): void {
    this.mem.fill(0);
    for (const r of this.registers) this.mem[r.offset >> 2] = r.reset;
    if (!this.linkUp) this.setReg(R.REG_STATUS, this.reg(R.REG_STATUS) & ~R.STATUS_LU);
    for (const q of this.txQueues ?? []) q.reset();
    this.faults?.onReset();
    this.updateIrq();
  }

  // ---------------------------------------------------------------- for the engines (internal)

  /** @internal Raw register value (no read side effects). */
  reg(offset: number): number {
    return this.mem[offset >> 2];
  }

  /** @internal Raw register store (no write side effects, no mask). */
  setReg(offset: number, value: number): void {
    this.mem[offset >> 2] = value >>> 0;
  }

  /** @internal Sets interrupt causes (QEMU set_ics). */
  raise(cause: number): void {
    this.setIcr(this.reg(R.REG_ICR) | cause);
  }

  /** @internal Adds to a statistics counter, saturating as QEMU e1000x_inc_reg_if_not_full. */
  count(offset: number, n = 1): void {
    const v = this.reg(offset) + n;
    this.setReg(offset, v > 0xffffffff ? 0xffffffff : v);
  }

  /** @internal Adds to a 64-bit counter pair (QEMU e1000x_grow_8reg_if_not_full). */
  count64(lo: number, n: number): void {
    const low = this.mem[lo >> 2] + n;
    if (low <= 0xffffffff) {
      this.mem[lo >> 2] = low; // no carry into the high half: nothing to saturate
      return;
    }
    const total = this.reg(lo + 4) * 0x1_0000_0000 + this.reg(lo) + n;
    const sat = Math.min(total, Number.MAX_SAFE_INTEGER);
    this.setReg(lo, sat % 0x1_0000_0000);
    this.setReg(lo + 4, Math.floor(sat / 0x1_0000_0000));
  }

  /** @internal Puts a frame on the wire. */
  emit(frame: Uint8Array): void {
    this.sink?.(frame);
  }

  // ---------------------------------------------------------------- private

  /** The register a BAR0 offset reaches (aliases included), or undefined. Counts nothing. */
  registerAt(offset: number): RegDef | undefined {
    return isRegisterOffset(offset) ? this.decode[offset >> 2] : undefined;
  }

  private defAt(offset: number): RegDef | undefined {
    if (!isRegisterOffset(offset)) {
      this.counters.badAccesses++;
      return undefined;
    }
    return this.decode[offset >> 2];
  }

  private store(def: RegDef, v: number): void {
    this.mem[def.offset >> 2] = (v & def.writeMask & ~(def.selfClearing ?? 0)) >>> 0;
  }

  private setIcr(v: number): void {
    this.setReg(R.REG_ICR, v);
    this.updateIrq();
  }

  private updateIrq(): void {
    const level = (this.reg(R.REG_ICR) & this.reg(R.REG_IMS)) !== 0;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.onIrq?.(level);
  }

  /** EEPROM words 0-2 hold the MAC; word 0x3F makes the sum 0xBABA (SDM §5.6; QEMU e1000x_core_prepare_eeprom). */
  private loadEeprom(): void {
    for (let i = 0; i < 3; i++) this.eeprom[i] = this.mac[2 * i] | (this.mac[2 * i + 1] << 8);
    let sum = 0;
    for (let i = 0; i < 0x3f; i++) sum += this.eeprom[i];
    this.eeprom[0x3f] = (0xbaba - sum) & 0xffff;
  }

  /** EERD: with START set, the read completes at once (QEMU flash_eerd_read). */
  private readEerd(): number {
    const v = this.reg(R.REG_EERD);
    if (!(v & R.EERD_START)) return v;
    const r = (v & ~R.EERD_START) >>> 0;
    const word = r >>> R.EERD_ADDR_SHIFT;
    if (word >= this.eeprom.length) return (r | R.EERD_DONE) >>> 0;
    return ((this.eeprom[word] << R.EERD_DATA_SHIFT) | R.EERD_DONE | (r & 0xffff)) >>> 0;
  }
}
