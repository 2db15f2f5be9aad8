// The addon's soft e1000 (host/native/softnic.c, behind every linux port) against the
// TypeScript e1000 model (host/nic/e1000*.ts), differentially: two identical pairs of core
// instances drive one NIC each — the model on the virtual board, the soft e1000 as a test port
// of the addon (no interface: what it sends is kept, what it receives is injected) — through
// the same random sequence of core operations (register self-test, ring init, batches of
// frames out, frames in from the wire with every kind of destination and length, harvest and
// refill, fault-path sends and takeovers), direct register writes (receive filters, buffer
// sizes, CRC stripping, PSP, interrupt masks), PHY accesses through MDIC (its power-down drops
// the link), link loss and device resets. After every step:
// the same results, the same frames on the wire, the same DMA memory in both cores, and the
// same value in every register both NICs read without side effects. The statistics are
// compared (and cleared) at the end of each run. Needs the addon (make native), not root.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { SimBoard } from "../host/board/sim";
import { CoreRings, TX_STAGE } from "../host/nic/rings";
import { loadBoardAddon, BoardAddon } from "../host/native/board";
import { registerTable } from "../host/nic/e1000-regs";
import { DMA_BASE, DMA_SIZE } from "../assembly/shared/memmap";
import * as R from "../assembly/shared/e1000";
import { Rng } from "../host/util/rng";
import { frame, MAC_A, OS_PHYS, FAULT_PHYS } from "../host/campaign/rig";
import type { NicDevice } from "../host/nic/device";

const addon: BoardAddon = loadBoardAddon();
const TABLE = registerTable("e1000", MAC_A);
/** Registers a read leaves as they are (no clear-on-read, no EEPROM handshake). */
const PLAIN = TABLE.filter((r) => r.access !== "RC" && r.access !== "WO" && r.effect !== "eerd");
const STATS = TABLE.filter((r) => r.access === "RC" && r.effect === undefined);

interface Side {
  /** The model's own counters (what registers do not show), for the coverage check. */
  counters?: () => Record<string, number>;
  os: CoreRings;
  fault: CoreRings;
  nic: NicDevice;
  sent: () => Uint8Array[];
  inject: (f: Uint8Array) => boolean;
  link: (up: boolean) => void;
  mem: (c: "os" | "fault") => Uint8Array;
}

function modelSide(rings: { tx: number; rx: number; fault: number }): Side {
  const board = new SimBoard({ osDmaPhys: OS_PHYS, faultDmaPhys: FAULT_PHYS, ports: [{ name: "model", mac: MAC_A, model: "e1000", txQueues: 1, rings }] });
  const wire: Uint8Array[] = [];
  board.nics[0].attach((f) => wire.push(Uint8Array.from(f)));
  return {
    counters: () => ({ ...board.nics[0].counters }),
    os: board.osRings,
    fault: board.faultRings,
    nic: board.nics[0],
    sent: () => wire.splice(0),
    inject: (f) => board.nics[0].receive(f),
    link: (up) => board.nics[0].setLink(up),
    mem: (c) => (c === "os" ? board.os : board.fault).bytes.subarray(DMA_BASE, DMA_BASE + DMA_SIZE),
  };
}

function softSide(rings: { tx: number; rx: number; fault: number }): Side {
  const os = Core.load();
  const fault = Core.load();
  addon.portClose(0);
  addon.dmaClear();
  addon.dmaWindow(OS_PHYS, os.exports.memory.buffer, DMA_BASE, DMA_SIZE);
  addon.dmaWindow(FAULT_PHYS, fault.exports.memory.buffer, DMA_BASE, DMA_SIZE);
  addon.softnicTest(0, MAC_A);
  const t = addon;
  const nic: NicDevice = { read32: (o) => addon.read32(0, o), write32: (o, v) => addon.write32(0, o, v >>> 0) };
  const delay = () => {};
  const perform = (view: DataView) => addon.regops(view.buffer as ArrayBuffer);
  const mk = (core: Core, phys: number) => {
    const r = new CoreRings(core, [nic], delay, perform);
    r.configure(0, { dmaPhys: phys, txQueues: 1, ...rings, mac: MAC_A });
    return r;
  };
  return {
    os: mk(os, OS_PHYS),
    fault: mk(fault, FAULT_PHYS),
    nic,
    sent: () => t.softnicTestTake(0).map((b) => Uint8Array.from(b)),
    inject: (f) => t.softnicTestInject(0, f),
    link: (up) => t.softnicTestLink(0, up),
    mem: (c) => new Uint8Array((c === "os" ? os : fault).exports.memory.buffer, DMA_BASE, DMA_SIZE),
  };
}

const hex = (f: Uint8Array) => Buffer.from(f).toString("hex");
const OTHER = Uint8Array.from([0x02, 0x00, 0x00, 0x0b, 0x00, 0x07]);
const BCAST = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const MCAST = Uint8Array.from([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);

/** One random run; returns what the model saw (coverage). */
function run(seed: number, steps: number): Record<string, number> {
  const rng = new Rng(seed);
  const sizes = [8, 16, 32, 64];
  const rings = { tx: sizes[rng.int(4)], rx: sizes[rng.int(4)], fault: sizes[rng.int(3)] };
  const sides = [modelSide(rings), softSide(rings)];
  const trail: string[] = [`rings ${JSON.stringify(rings)}`];
  const both = <T>(what: string, f: (s: Side) => T): T => {
    const [a, b] = sides.map(f);
    assert.equal(b, a, `seed ${seed}, after ${trail.join(" / ")}: ${what}: soft e1000 ${JSON.stringify(b)}, model ${JSON.stringify(a)}`);
    return a;
  };
  const compare = () => {
    both("frames on the wire", (s) => s.sent().map(hex));
    for (const c of ["os", "fault"] as const) {
      const [a, b] = sides.map((s) => s.mem(c));
      const at = Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0 ? -1 : a.findIndex((x, i) => x !== b[i]);
      assert.is(at, -1, `seed ${seed}, after ${trail.join(" / ")}: ${c} core DMA memory differs at +0x${at.toString(16)}`);
    }
    both("registers", (s) => PLAIN.map((r) => `${r.name}=${(s.nic.read32(r.offset) >>> 0).toString(16)}`));
  };
  const op = (name: string, f: (s: Side) => number) => both(name, (s) => {
    const rc = f(s);
    return rc;
  });

  trail.push("regtest");
  op("nic_regtest", (s) => s.os.run("nic_regtest", 0));
  compare();
  trail.push("init");
  op("nic_tx_init", (s) => s.os.run("nic_tx_init", 0));
  op("nic_rx_init", (s) => s.os.run("nic_rx_init", 0));
  compare();
  let seq = 0;
  for (let k = 0; k < steps; k++) {
    const pick = rng.int(100);
    if (pick < 25) {
      const n = 1 + rng.int(Math.max(1, rings.tx - 1));
      const frames = Array.from({ length: n }, () => frame(rng.bool(0.7) ? OTHER : BCAST, MAC_A, seq++, 14 + rng.int(1520), rng));
      trail.push(`send ${n}`);
      both("enqueued", (s) => s.os.enqueue(0, frames));
      op("nic_tx_doorbell", (s) => s.os.run("nic_tx_doorbell", 0));
      op("nic_tx_confirm", (s) => s.os.run("nic_tx_confirm", 0));
      both("reclaimed", (s) => s.os.core.exports.nic_tx_reclaim(0));
    } else if (pick < 50) {
      const n = 1 + rng.int(rings.rx + 2);
      trail.push(`receive ${n}`);
      for (let i = 0; i < n; i++) {
        const dst = [MAC_A, BCAST, MCAST, OTHER][rng.int(4)];
        const len = rng.bool(0.1) ? 1519 + rng.int(600) : 14 + rng.int(1505);
        const f = frame(dst, OTHER, seq++, len, rng);
        both(`frame ${i} (${len} bytes to ${hex(dst)}) delivered`, (s) => s.inject(f));
      }
    } else if (pick < 65) {
      trail.push("harvest");
      both("harvested", (s) => {
        const h = s.os.harvest(0);
        return { frames: h.frames.map(hex), errors: h.errors };
      });
      op("nic_rx_doorbell", (s) => s.os.run("nic_rx_doorbell", 0));
    } else if (pick < 75) {
      const copies = 1 + rng.int(3);
      const f = frame(OTHER, MAC_A, seq++, 42 + rng.int(100), rng);
      trail.push(`fault send ${copies}`);
      op("nic_fault_send", (s) => {
        s.fault.stage(f);
        return s.fault.run("nic_fault_send", 0, TX_STAGE, f.length, copies);
      });
      both("op info", (s) => s.fault.info());
    } else if (pick < 80) {
      trail.push("takeover");
      op("nic_takeover", (s) => s.fault.run("nic_takeover", 0));
    } else if (pick < 90) {
      const choices: [string, number, number][] = [
        ["RCTL", R.REG_RCTL, (R.RCTL_EN | R.RCTL_BAM | R.RCTL_SECRC | [0, R.RCTL_UPE, R.RCTL_MPE, R.RCTL_LPE, 1 << 16, R.RCTL_BSEX | (3 << 16)][rng.int(6)] | (rng.bool(0.2) ? 0 : 0)) & ~(rng.bool(0.15) ? R.RCTL_SECRC : 0)],
        ["TCTL", R.REG_TCTL, rng.bool(0.8) ? 0x400fa : 0x400f2],
        ["IMS", R.REG_IMS, rng.u32()],
        ["IMC", R.REG_IMC, rng.u32()],
        ["ICS", R.REG_ICS, rng.u32() & 0xff],
        ["ICR", R.REG_ICR, rng.u32()],
        ["MTA", R.REG_MTA + 4 * rng.int(128), rng.u32()],
      ];
      const [name, off, v] = choices[rng.int(choices.length)];
      trail.push(`${name}=${(v >>> 0).toString(16)}`);
      for (const s of sides) s.nic.write32(off, v >>> 0);
    } else if (pick < 92) {
      // MDIC: a PHY register read or write; the MII control register's POWER_DOWN drops the link.
      const addr = rng.bool(0.85) ? R.PHY_ADDR_INTERNAL : 2;
      const reg = rng.bool(0.6) ? R.PHY_REG_CTRL : rng.int(32);
      const write = rng.bool(0.6);
      const data = reg === R.PHY_REG_CTRL ? R.PHY_CTRL_RESET_VALUE | (rng.bool(0.5) ? R.MII_CR_POWER_DOWN : 0) : rng.u32() & R.MDIC_DATA_MASK;
      const v = (write ? R.MDIC_OP_WRITE : R.MDIC_OP_READ) | (addr << R.MDIC_PHY_SHIFT) | (reg << R.MDIC_REG_SHIFT) | (write ? data : 0);
      trail.push(`MDIC ${write ? "write" : "read"} phy ${addr} reg ${reg}${write ? ` = ${data.toString(16)}` : ""}`);
      for (const s of sides) s.nic.write32(R.REG_MDIC, v >>> 0);
    } else if (pick < 95) {
      const up = rng.bool(0.5);
      trail.push(`link ${up ? "up" : "down"}`);
      for (const s of sides) s.link(up);
    } else {
      trail.push("CTRL.RST");
      for (const s of sides) s.nic.write32(R.REG_CTRL, R.CTRL_RST);
      op("nic_tx_init", (s) => s.os.run("nic_tx_init", 0));
      op("nic_rx_init", (s) => s.os.run("nic_rx_init", 0));
    }
    compare();
  }
  const stats = both("statistics", (s) => STATS.map((r) => `${r.name}=${s.nic.read32(r.offset) >>> 0}`));
  const counters = sides[0].counters!();
  counters.missed = Number(stats.find((x) => x.startsWith("MPC="))!.slice(4));
  return counters;
}

test("the soft e1000 and the TypeScript model agree, step for step, over 30 random runs", () => {
  const seen: Record<string, number> = {};
  for (let seed = 1; seed <= 30; seed++) {
    for (const [k, v] of Object.entries(run(seed, 50))) seen[k] = (seen[k] ?? 0) + v;
  }
  // The runs reached every behaviour they are meant to compare.
  for (const k of ["txFrames", "rxFrames", "rxFiltered", "rxDropped", "txBogusRing", "missed"]) assert.ok(seen[k] > 0, `no run exercised ${k}: ${JSON.stringify(seen)}`);
  console.log(`  model side over 30 runs: ${JSON.stringify(seen)}`);
});

test("a register-operation list names a port beyond the table: refused before anything is performed", () => {
  const core = Core.load();
  const v = core.view;
  v.setUint32(0x40000, 2, true);
  v.setUint8(0x40010, 1); // WRITE
  v.setUint8(0x40011, 0);
  v.setUint32(0x40014, R.REG_IMS, true);
  v.setUint32(0x40018, 1, true);
  v.setUint8(0x40020, 2); // READ on port 9
  v.setUint8(0x40021, 9);
  assert.throws(() => addon.regops(core.exports.memory.buffer), /names a port beyond/);
  v.setUint32(0x40000, 5000, true);
  assert.throws(() => addon.regops(core.exports.memory.buffer), /too long/);
});

test.after(() => {
  addon.portClose(0);
  addon.dmaClear();
});

test.run();
