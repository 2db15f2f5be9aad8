// A register-operation list performed in one native call (the addon's lg_perform_regops over
// the port table) against the same list performed register by register from TypeScript, one
// N-API call per register (host/nic/regops.ts performRegops over NicDevices that call the
// addon) — on a soft e1000 test port of the addon, so that no root is needed and the device
// side costs the same in both. Two workloads, interleaved in one run:
//   list-16    a 16-entry list (8 writes, 8 reads) as a fault-path round carries
//   frame      one frame out: nic_tx_enqueue, nic_tx_doorbell and its rounds (the TDT write
//              sends), nic_tx_reclaim
// Medians of BATCHES batches; figures only (RUNS=n for more).

import { performance } from "perf_hooks";
import { Core } from "../host/core/core";
import { CoreRings } from "../host/nic/rings";
import { performRegops } from "../host/nic/regops";
import { loadBoardAddon } from "../host/native/board";
import { DMA_BASE, DMA_SIZE, REGOP_BASE } from "../assembly/shared/memmap";
import * as RO from "../assembly/shared/regop";
import * as R from "../assembly/shared/e1000";
import type { NicDevice } from "../host/nic/device";
import { median, quantile } from "./stats";

const BATCHES = Number(process.env.RUNS ?? 11);
const MAC = Uint8Array.from([2, 0, 0, 0x0a, 0, 1]);
const BUS = 0x1_0000_0000;

const addon = loadBoardAddon();
const core = Core.load();
addon.portClose(0);
addon.dmaClear();
addon.dmaWindow(BUS, core.exports.memory.buffer, DMA_BASE, DMA_SIZE);
addon.softnicTest(0, MAC);
const perRegister: NicDevice[] = [{ read32: (o) => addon.read32(0, o), write32: (o, v) => addon.write32(0, o, v) }];
const delay = (us: number) => addon.delayUs(us);
const list = (view: DataView) => addon.regops(view.buffer as ArrayBuffer);
const each = (view: DataView) => performRegops(view, perRegister, delay);

// ---- list-16 ----
const v = core.view;
const writes = [R.REG_IMC, R.REG_IMS, R.REG_MTA, R.REG_MTA + 4, R.REG_MTA + 8, R.REG_MTA + 12, R.REG_TIPG, R.REG_RDTR];
const reads = [R.REG_STATUS, R.REG_TDH, R.REG_TDT, R.REG_TCTL, R.REG_TDBAL, R.REG_TDBAH, R.REG_TDLEN, R.REG_CTRL];
function fillList(): void {
  v.setUint32(REGOP_BASE + RO.REGOP_OFF_COUNT, 16, true);
  [...writes.map((o) => [RO.REGOP_WRITE, o]), ...reads.map((o) => [RO.REGOP_READ, o])].forEach(([kind, off], i) => {
    const e = REGOP_BASE + RO.REGOP_OFF_ENTRIES + i * RO.REGOP_ENTRY_SIZE;
    v.setUint8(e + RO.REGOP_E_KIND, kind);
    v.setUint8(e + RO.REGOP_E_PORT, 0);
    v.setUint32(e + RO.REGOP_E_OFFSET, off, true);
    v.setUint32(e + RO.REGOP_E_VALUE, 0, true);
  });
}

// ---- frame ----
const rings = { list: new CoreRings(core, perRegister, delay, list), each: new CoreRings(core, perRegister, delay, each) };
rings.list.configure(0, { dmaPhys: BUS, txQueues: 1, tx: 256, rx: 64, fault: 16, mac: MAC });
rings.list.must("nic_tx_init", 0);
const frame = new Uint8Array(60).fill(0xab);
frame.set(MAC, 6);
function sendOne(r: CoreRings): void {
  r.enqueue(0, [frame]);
  r.must("nic_tx_doorbell", 0);
  core.exports.nic_tx_reclaim(0);
  addon.softnicTestTake(0);
}

function timeIt(n: number, f: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return ((performance.now() - t0) * 1000) / n;
}

const N16 = 20_000;
const NFRAME = 5_000;
const res: Record<string, number[]> = { "list-16 one call": [], "list-16 per register": [], "frame one call": [], "frame per register": [] };
for (let b = 0; b < BATCHES + 1; b++) {
  fillList();
  const a = timeIt(N16, () => list(v));
  fillList();
  const c = timeIt(N16, () => each(v));
  const d = timeIt(NFRAME, () => sendOne(rings.list));
  const e = timeIt(NFRAME, () => sendOne(rings.each));
  if (b === 0) continue; // warm-up
  res["list-16 one call"].push(a);
  res["list-16 per register"].push(c);
  res["frame one call"].push(d);
  res["frame per register"].push(e);
}
const fmt = (x: number) => x.toFixed(2).padStart(7);
console.log(`register-operation lists on a soft e1000 test port, ${BATCHES} batches (list-16: ${N16} lists, frame: ${NFRAME} frames per batch); microseconds`);
console.log(`  ${"workload".padEnd(22)} median     p10     p90`);
for (const [k, xs] of Object.entries(res)) console.log(`  ${k.padEnd(22)} ${fmt(median(xs))} ${fmt(quantile(xs, 0.1))} ${fmt(quantile(xs, 0.9))}`);
console.log(`  ratio per register / one call: list-16 ${(median(res["list-16 per register"]) / median(res["list-16 one call"])).toFixed(1)}x, frame ${(median(res["frame per register"]) / median(res["frame one call"])).toFixed(2)}x`);
addon.portClose(0);
addon.dmaClear();
