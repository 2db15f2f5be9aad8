// The register file of the e1000 and i210-like models, as data (Snabb style): one row per
// 32-bit register with its access kind, reset value and write mask. host/nic/e1000.ts
// stores and reads registers from this table alone; behaviour beyond storage (doorbells,
// interrupts, reset, queue enable) is named by `effect` and implemented there. The tests
// walk this table (test/nic-regs.test.ts), and bring-up can too.
//
// Offsets and bits: assembly/shared/e1000.ts (declared once, shared with the core).
// Reset values and write masks follow QEMU hw/net/e1000.c (mac_reg_init, the set_* write
// handlers, macreg_readops/macreg_writeops) where QEMU models the register, and the 8254x
// SDM §13 or the I210 datasheet §8 where it does not (marked "SDM only").

import * as R from "../../assembly/shared/e1000";
import { ETHERTYPE_VLAN } from "../../assembly/shared/wire";

/**
 * How software sees a register:
 *  RW  read returns what was stored; a write stores value & writeMask (bits outside read 0)
 *  RO  writes are ignored (hardware-owned: STATUS, i210 TDH, the low half of 64-bit counters)
 *  RC  read returns the value and clears it (statistics; ICR); writes ignored unless `effect`
 *  WO  reads return 0 (or the register named by `readsAs`); a write acts through `effect`
 *  W1S writing 1 to a bit sets it, writing 0 leaves it (IMS); read returns the bits set
 */
export type Access = "RW" | "RO" | "RC" | "WO" | "W1S";

/** Behaviour beyond storage, implemented by the model (host/nic/e1000.ts). */
export type Effect =
  | "ctrl" // CTRL.RST: device reset, the bit self-clears (SDM §13.4; QEMU set_ctrl)
  | "icr" // write 1 clears a cause (QEMU set_icr); read clears all (mac_icr_read)
  | "ics" // write sets causes (QEMU set_ics)
  | "ims" // write 1 enables a cause (QEMU set_ims)
  | "imc" // write 1 disables a cause (QEMU set_imc)
  | "rctl" // receive buffer size and threshold recomputed (QEMU set_rx_control)
  | "tctl" // TX engine runs (QEMU set_tctl)
  | "tdt" // TX doorbell: engine runs for the queue (QEMU set_tctl via TDT)
  | "rdt" // RX tail moved: receive may resume (QEMU set_rdt)
  | "eerd" // EEPROM read: START → DONE with data (QEMU flash_eerd_read)
  | "txdctl" // i210 queue enable/disable with latency (I210 §8.12 TXDCTL)
  | "mdic"; // one PHY register access, complete at once (SDM §13.4.6; QEMU set_mdic)

export interface RegDef {
  /** Register name as in the SDM/datasheet; arrays as MTA[5], queues as TDT(1). */
  name: string;
  /** Byte offset in BAR0. */
  offset: number;
  /** Further offsets that reach the same register (i210 queue aliases). */
  aliases?: number[];
  access: Access;
  /** Value after power-on or CTRL.RST (u32). */
  reset: number;
  /** Bits a write stores (u32); the rest read back 0. */
  writeMask: number;
  /** Bits that a write acts on but that never read back set (CTRL.RST). */
  selfClearing?: number;
  /** RC: other registers the read also clears (the low half of a 64-bit counter). */
  alsoClears?: number[];
  /** WO: reads return this register's value instead of 0 (ICS mirrors ICR, as QEMU). */
  readsAs?: number;
  effect?: Effect;
  /** TX queue this register belongs to (ring registers only). */
  queue?: number;
  /** Where the behaviour comes from. */
  ref: string;
}

export type NicModel = "e1000" | "i210";

const ALL = 0xffffffff;
const LOW16 = R.HEAD_TAIL_MASK;

function rw(name: string, offset: number, reset: number, writeMask: number, ref: string, extra: Partial<RegDef> = {}): RegDef {
  return { name, offset, access: "RW", reset: reset >>> 0, writeMask: writeMask >>> 0, ref, ...extra };
}

function stat(name: string, offset: number, ref = "SDM §13.7; QEMU mac_read_clr4"): RegDef {
  return { name, offset, access: "RC", reset: 0, writeMask: 0, ref };
}

/** A 64-bit counter: the low half is read-only, reading the high half clears both (SDM §13.7). */
function stat64(name: string, lo: number, hi: number): RegDef[] {
  return [
    { name: `${name}L`, offset: lo, access: "RO", reset: 0, writeMask: 0, ref: "SDM §13.7: cleared when the high half is read; QEMU mac_readreg" },
    { name: `${name}H`, offset: hi, access: "RC", reset: 0, writeMask: 0, alsoClears: [lo], ref: "SDM §13.7; QEMU mac_read_clr8" },
  ];
}

/** Receive address pair n: entry 0 holds the board's MAC with Address Valid (QEMU e1000x_reset_mac_addr). */
function receiveAddress(n: number, mac: Uint8Array): RegDef[] {
  let lo = 0;
  let hi = 0;
  if (n === 0) {
    lo = (mac[0] | (mac[1] << 8) | (mac[2] << 16) | (mac[3] << 24)) >>> 0;
    hi = (mac[4] | (mac[5] << 8) | R.RAH_AV) >>> 0;
  }
  const at = R.REG_RAL0 + 8 * n;
  return [
    rw(`RAL[${n}]`, at, lo, ALL, "SDM §13.4; QEMU mac_writereg (RA)"),
    rw(`RAH[${n}]`, at + 4, hi, ALL, "SDM §13.4 (bit 31 AV); QEMU mac_writereg (RA)"),
  ];
}

/** TX queue n's ring registers. The e1000 has queue 0 only, at the classic offsets. */
function txQueue(n: number, model: NicModel): RegDef[] {
  const base = R.txQueueBase(n);
  const i210 = model === "i210";
  const alias = (off: number) => (i210 ? { aliases: [R.I210_TXQ_ALT_BASE + R.I210_TXQ_ALT_STRIDE * n + off] } : {});
  const q = (name: string) => (i210 ? `${name}(${n})` : name);
  const refQ = i210 ? "I210 §8.12" : "SDM §13.4";
  const regs: RegDef[] = [
    rw(q("TDBAL"), base + R.TXQ_OFF_TDBAL, 0, R.BASE_LO_MASK, `${refQ} TDBAL: bits 3:0 ignored on write, read 0 (QEMU keeps them, ignores them in tx_desc_base)`, { queue: n, ...alias(R.TXQ_OFF_TDBAL) }),
    rw(q("TDBAH"), base + R.TXQ_OFF_TDBAH, 0, ALL, `${refQ} TDBAH`, { queue: n, ...alias(R.TXQ_OFF_TDBAH) }),
    rw(q("TDLEN"), base + R.TXQ_OFF_TDLEN, 0, R.DLEN_MASK, `${refQ} TDLEN; QEMU set_dlen`, { queue: n, ...alias(R.TXQ_OFF_TDLEN) }),
    i210
      ? { name: q("TDH"), offset: base + R.TXQ_OFF_TDH, access: "RO", reset: 0, writeMask: 0, queue: n, ref: "I210 §8.12.13 TDH: RO, hardware controls it", ...alias(R.TXQ_OFF_TDH) }
      : rw(q("TDH"), base + R.TXQ_OFF_TDH, 0, LOW16, "SDM §13.4; QEMU set_16bit", { queue: n }),
    rw(q("TDT"), base + R.TXQ_OFF_TDT, 0, LOW16, `${refQ} TDT; QEMU set_tctl (TDT & 0xffff, start_xmit)`, { queue: n, effect: "tdt", ...alias(R.TXQ_OFF_TDT) }),
    i210
      ? rw(q("TXDCTL"), base + R.TXQ_OFF_TXDCTL, 0, ALL & ~R.TXDCTL_SWFLSH, "I210 §8.12 TXDCTL: ENABLE (bit 25) reads back set once the queue runs", { queue: n, effect: "txdctl", ...alias(R.TXQ_OFF_TXDCTL) })
      : rw("TXDCTL", base + R.TXQ_OFF_TXDCTL, 0, ALL, "SDM §13.4; QEMU mac_writereg", { queue: n }),
  ];
  if (n === 0) {
    regs.push(
      rw("TIDV", R.REG_TIDV, 0, LOW16, "SDM §13.4 (SDM only: QEMU does not model it)"),
      rw("TADV", R.REG_TADV, 0, LOW16, "SDM §13.4; QEMU set_16bit (mitigation not modelled here)"),
    );
  }
  return regs;
}

/** The receive ring's registers (one RX queue on both models; the i210's also at 0xC000). */
function rxQueue(model: NicModel): RegDef[] {
  const i210 = model === "i210";
  const alias = (reg: number) => (i210 ? { aliases: [R.I210_RXQ_ALT_BASE + (reg - R.REG_RDBAL)] } : {});
  return [
    rw("RDBAL", R.REG_RDBAL, 0, R.BASE_LO_MASK, "SDM §13.4 RDBAL: bits 3:0 ignored on write, read 0 (QEMU keeps them, ignores them in rx_desc_base)", alias(R.REG_RDBAL)),
    rw("RDBAH", R.REG_RDBAH, 0, ALL, "SDM §13.4 RDBAH", alias(R.REG_RDBAH)),
    rw("RDLEN", R.REG_RDLEN, 0, R.DLEN_MASK, "SDM §13.4 RDLEN; QEMU set_dlen", alias(R.REG_RDLEN)),
    i210
      ? { name: "RDH", offset: R.REG_RDH, access: "RO", reset: 0, writeMask: 0, ref: "I210 §8.10.7: RO", ...alias(R.REG_RDH) }
      : rw("RDH", R.REG_RDH, 0, LOW16, "SDM §13.4 RDH; QEMU set_16bit"),
    rw("RDT", R.REG_RDT, 0, LOW16, i210 ? "I210 §8.10.8: writes ignored while the queue is disabled" : "SDM §13.4 RDT; QEMU set_rdt", { effect: "rdt", ...alias(R.REG_RDT) }),
    rw("RDTR", R.REG_RDTR, 0, LOW16, "SDM §13.4 RDTR; QEMU set_16bit"),
    i210
      ? rw("RXDCTL", R.REG_RXDCTL, R.I210_RXDCTL_RESET, ALL, "I210 §8.10.9: ENABLE (bit 25) gates reception", alias(R.REG_RXDCTL))
      : rw("RXDCTL", R.REG_RXDCTL, 0, ALL, "SDM §13.4 RXDCTL (SDM only)"),
    rw("RADV", R.REG_RADV, 0, LOW16, "SDM §13.4 RADV; QEMU set_16bit"),
    rw("RXCSUM", R.REG_RXCSUM, 0, ALL, "SDM §13.4 RXCSUM (SDM only; no checksum offload modelled)"),
  ];
}

/** The register table of a model. `mac` fills RAL0/RAH0 (and the EEPROM behind EERD). */
export function registerTable(model: NicModel, mac: Uint8Array): RegDef[] {
  if (mac.length !== 6) throw new RangeError("registerTable: MAC must be 6 bytes");
  const regs: RegDef[] = [
    // general
    rw("CTRL", R.REG_CTRL, R.CTRL_RESET_VALUE, ALL, "SDM §13.4; QEMU mac_reg_init, set_ctrl (RST self-clearing)", { effect: "ctrl", selfClearing: R.CTRL_RST }),
    { name: "STATUS", offset: R.REG_STATUS, access: "RO", reset: R.STATUS_RESET_VALUE >>> 0, writeMask: 0, ref: "SDM §13.4; QEMU mac_reg_init (LU|FD|1000 Mb/s)" },
    rw("EERD", R.REG_EERD, 0, ALL, "SDM §13.4; QEMU flash_eerd_read", { effect: "eerd" }),
    rw("CTRL_EXT", R.REG_CTRL_EXT, 0, ALL, "SDM §13.4 (SDM only)"),
    rw("MDIC", R.REG_MDIC, 0, ALL, "SDM §13.4.6; QEMU set_mdic (READY at once; PHY 1 only, else ERROR)", { effect: "mdic" }),
    rw("VET", R.REG_VET, ETHERTYPE_VLAN, ALL, "SDM §13.4; QEMU resets it to ETH_P_VLAN (init-vet)"),
    // interrupts
    { name: "ICR", offset: R.REG_ICR, access: "RC", reset: 0, writeMask: ALL, effect: "icr", ref: "SDM §13.4; QEMU mac_icr_read, set_icr" },
    rw("ITR", R.REG_ITR, 0, LOW16, "SDM §13.4; QEMU set_16bit (no mitigation modelled)"),
    { name: "ICS", offset: R.REG_ICS, access: "WO", reset: 0, writeMask: ALL, effect: "ics", readsAs: R.REG_ICR, ref: "SDM §13.4; QEMU set_ics (reads mirror ICR without clearing, as QEMU)" },
    { name: "IMS", offset: R.REG_IMS, access: "W1S", reset: 0, writeMask: ALL, effect: "ims", ref: "SDM §13.4; QEMU set_ims" },
    { name: "IMC", offset: R.REG_IMC, access: "WO", reset: 0, writeMask: ALL, effect: "imc", ref: "SDM §13.4; QEMU set_imc" },
    // receive and transmit control
    rw("RCTL", R.REG_RCTL, 0, ALL, "SDM §13.4; QEMU set_rx_control", { effect: "rctl" }),
    rw("TCTL", R.REG_TCTL, 0, ALL, "SDM §13.4; QEMU set_tctl (runs start_xmit)", { effect: "tctl" }),
    rw("TIPG", R.REG_TIPG, 0, ALL, "SDM §13.4 (SDM only)"),
    rw("LEDCTL", R.REG_LEDCTL, 0x602, ALL, "SDM §13.4; QEMU mac_reg_init"),
    rw("PBA", R.REG_PBA, 0x00100030, ALL, "SDM §13.4; QEMU mac_reg_init"),
    // receive ring
    ...rxQueue(model),
    // transmit rings
    ...Array.from({ length: model === "i210" ? R.I210_TX_QUEUES : 1 }, (_, n) => txQueue(n, model)).flat(),
    // statistics
    stat("CRCERRS", R.REG_CRCERRS, "SDM §13.7 (QEMU reads it without clearing)"),
    stat("MPC", R.REG_MPC, "SDM §13.7 (QEMU reads it without clearing)"),
    stat("PRC64", R.REG_PRC64),
    stat("PRC127", R.REG_PRC127),
    stat("PRC255", R.REG_PRC255),
    stat("PRC511", R.REG_PRC511),
    stat("PRC1023", R.REG_PRC1023),
    stat("PRC1522", R.REG_PRC1522),
    stat("GPRC", R.REG_GPRC),
    stat("BPRC", R.REG_BPRC),
    stat("MPRC", R.REG_MPRC),
    stat("GPTC", R.REG_GPTC),
    ...stat64("GORC", R.REG_GORCL, R.REG_GORCH),
    ...stat64("GOTC", R.REG_GOTCL, R.REG_GOTCH),
    stat("RNBC", R.REG_RNBC, "SDM §13.7 (QEMU reads it without clearing)"),
    stat("RUC", R.REG_RUC),
    stat("ROC", R.REG_ROC),
    ...stat64("TOR", R.REG_TORL, R.REG_TORH),
    ...stat64("TOT", R.REG_TOTL, R.REG_TOTH),
    stat("TPR", R.REG_TPR),
    stat("TPT", R.REG_TPT),
    stat("PTC64", R.REG_PTC64),
    stat("PTC127", R.REG_PTC127),
    stat("PTC255", R.REG_PTC255),
    stat("PTC511", R.REG_PTC511),
    stat("PTC1023", R.REG_PTC1023),
    stat("PTC1522", R.REG_PTC1522),
    stat("MPTC", R.REG_MPTC),
    stat("BPTC", R.REG_BPTC),
    // address filters
    ...Array.from({ length: R.MTA_WORDS }, (_, i) => rw(`MTA[${i}]`, R.REG_MTA + 4 * i, 0, ALL, "SDM §13.4, §13.5.1; QEMU mac_writereg (MTA)")),
    ...Array.from({ length: R.RA_ENTRIES }, (_, n) => receiveAddress(n, mac)).flat(),
    ...Array.from({ length: 128 }, (_, i) => rw(`VFTA[${i}]`, R.REG_VFTA + 4 * i, 0, ALL, "SDM §13.4 (stored; VLAN filtering not modelled)")),
  ];
  checkTable(regs);
  return regs;
}

/** Size of BAR0 (QEMU PNPMMIO_SIZE): offsets at or above it decode to nothing. */
export const BAR0_SIZE = 0x20000;

/** The table must be self-consistent: aligned, inside BAR0, no two rows at one offset. */
function checkTable(regs: RegDef[]): void {
  const seen = new Map<number, string>();
  for (const r of regs) {
    for (const off of [r.offset, ...(r.aliases ?? [])]) {
      if (off % 4 !== 0 || off < 0 || off >= BAR0_SIZE) throw new Error(`register ${r.name}: offset 0x${off.toString(16)} is not an aligned BAR0 offset`);
      const other = seen.get(off);
      if (other) throw new Error(`registers ${other} and ${r.name} both at 0x${off.toString(16)}`);
      seen.set(off, r.name);
    }
  }
}

/** Bits that read back after writing `value` to an RW register (mask, minus self-clearing bits). */
export function readBackOf(r: RegDef, value: number): number {
  return (value & r.writeMask & ~(r.selfClearing ?? 0)) >>> 0;
}
