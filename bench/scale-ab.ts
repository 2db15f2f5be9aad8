// Old against new, side by side in one run: the packet engine at 1K and 1M flows (this
// checkout's core, an older checkout's core, and each one's plain-TypeScript reference), the
// connection table's bytes per entry and lookup cost at 1K, 64K and 1M entries, and the whole
// loop over the virtual board's e1000 model. The older checkout must be built (its
// build/core.wasm); nothing is asserted, medians are printed.
//
//   d=$(mktemp -d) && git clone -q . $d && git -C $d checkout -q OLD_COMMIT &&
//   (cd $d && npm install --no-audit --no-fund --ignore-scripts && node scripts/build-core.js)
//   TS_NODE_TRANSPILE_ONLY=1 node -r ts-node/register bench/scale-ab.ts $d
//
// How each figure is taken:
//   - engine: eng_poll over a two-port board's rings of 256, NAT, 64-byte frames, batch 32,
//     16 back ends, Maglev 65537, capacity 2^20, flows in random order after every flow was
//     opened once; the NIC emulated in memory as in bench/engine.bench.ts (the emulation is
//     timed alone too: "net" subtracts it). Both cores run under this checkout's host code
//     (the ABI is the same); the contestants take turns every 8,192 packets, and each
//     figure is the median of ENGINE_AB_ROUNDS turns.
//   - lookup cost: sw_batch (parse, connection lookup, rewrite; no rings) over batches of 32
//     fresh frames, net of the frame generator, at 1K, 64K and 1M entries (flows), old and
//     new core in turns; "memory" is what a lookup costs beyond the 1K figure.
//   - the whole loop over the model: bench/model-loop.ts for either checkout, each sample a
//     fresh process (the model's garbage never lands on the other's collector), in turns,
//     MODEL_AB_SAMPLES samples of 100,000 frames each.

import { performance } from "perf_hooks";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Core, CORE_WASM } from "../host/core/core";
import { SwitchPath } from "../host/switch/switch";
import { LbTables } from "../host/switch/lbtables";
import { Rng } from "../host/util/rng";
import * as MAP from "../assembly/shared/memmap";
import * as RINGS from "../assembly/shared/rings";
import * as S from "../assembly/shared/switch";
import { BATCH, RING, CAPACITY, SEED, template, NicEmulation, configure, TABLE, coreSetup } from "./engine-rig";
import { median } from "./stats";

const OLD = path.resolve(process.env.OLD_TREE ?? process.argv[2] ?? "");
if (!fs.existsSync(path.join(OLD, "build", "core.wasm"))) {
  console.error("usage: node -r ts-node/register bench/scale-ab.ts OLD_TREE   (a checkout with build/core.wasm)");
  process.exit(2);
}
const NEW = path.resolve(__dirname, "..");
const ROUNDS = Number(process.env.ENGINE_AB_ROUNDS ?? 401);
const SAMPLES = Number(process.env.MODEL_AB_SAMPLES ?? 7);
const N = 8192; // packets per turn

// ---- cores of either checkout under this checkout's host ---------------------------------------

const modules = new Map<string, WebAssembly.Module>();
function withCore<T>(file: string, fn: () => T): T {
  const realLoad = Core.load;
  (Core as unknown as { load: () => Core }).load = () => {
    if (!modules.has(file)) modules.set(file, new WebAssembly.Module(fs.readFileSync(file)));
    const c = new (Core as unknown as new (i: WebAssembly.Instance) => Core)(new WebAssembly.Instance(modules.get(file)!, {}));
    c.call("init");
    return c;
  };
  try {
    return fn();
  } finally {
    (Core as unknown as { load: () => Core }).load = realLoad;
  }
}
const CORES: Record<string, string> = { old: path.join(OLD, "build", "core.wasm"), new: CORE_WASM };

// ---- the engine -------------------------------------------------------------------------------

interface Contestant {
  poll(k: number): void; // one round over the 32 frames for flows seq[k..]
  deliver(seq: Uint32Array, k: number): void;
  complete(): void;
}

function coreContestant(file: string, tmpl: Uint8Array): Contestant {
  const { core } = withCore(file, () => coreSetup(0));
  const emu = new NicEmulation(core.bytes, MAP.DMA_BASE, RINGS.portDmaBase(0) + RINGS.PORT_DMA_RX_DESC, RINGS.portDmaBase(1) + RINGS.PORT_DMA_TX_DESC, tmpl);
  const x = core.exports;
  return { poll: () => void x.eng_poll(0, 2000), deliver: (s, k) => emu.deliver(s, k), complete: () => emu.complete(BATCH) };
}

/** A checkout's plain-TypeScript engine (its bench/engine-ts-reference.ts over its switch reference). */
function tsContestant(tree: string, tmpl: Uint8Array): Contestant {
  /* eslint-disable @typescript-eslint/no-var-requires */
  const { SwitchReference } = require(path.join(tree, "bench", "switch-ts-reference"));
  const { EngineReference } = require(path.join(tree, "bench", "engine-ts-reference"));
  const rig = require(path.join(tree, "bench", "engine-rig"));
  /* eslint-enable @typescript-eslint/no-var-requires */
  const sw = new SwitchReference(CAPACITY, SEED);
  rig.configure(null, sw);
  sw.setTables(new Map([[0, rig.TABLE]]));
  const ref = new EngineReference(sw, 2, RING, 0, 1);
  const emu = new NicEmulation(ref.mem, 0, ref.rxDesc(0, 0), ref.txDesc(1, 0), tmpl);
  return { poll: () => void ref.poll(0, BATCH, 2000), deliver: (s, k) => emu.deliver(s, k), complete: () => emu.complete(BATCH) };
}

/** The emulation alone, on memory no engine reads. */
function emulationOnly(tmpl: Uint8Array): Contestant {
  const mem = new Uint8Array(2 * RINGS.PORT_DMA_STRIDE);
  for (let i = 0; i < RING; i++) new DataView(mem.buffer).setUint32(RINGS.PORT_DMA_RX_DESC + 16 * i, RINGS.PORT_DMA_RX_BUFS + 2048 * i, true);
  const emu = new NicEmulation(mem, 0, RINGS.PORT_DMA_RX_DESC, RINGS.PORT_DMA_STRIDE + RINGS.PORT_DMA_TX_DESC, tmpl);
  return { poll: () => {}, deliver: (s, k) => emu.deliver(s, k), complete: () => emu.complete(BATCH) };
}

function engineAt(flows: number): Record<string, number> {
  const tmpl = template(60);
  const who: Record<string, Contestant> = {
    "old core": coreContestant(CORES.old, tmpl),
    "new core": coreContestant(CORES.new, tmpl),
    "old TS": tsContestant(OLD, tmpl),
    "new TS": tsContestant(NEW, tmpl),
    emulation: emulationOnly(tmpl),
  };
  const order = Uint32Array.from({ length: 1 << 20 }, (_, i) => i % flows);
  for (const c of Object.values(who)) {
    for (let k = 0; k < flows; k += BATCH) { // every flow opened once
      c.deliver(order, k);
      c.poll(k);
      c.complete();
    }
  }
  const rng = new Rng(flows);
  const seq = new Uint32Array(1 << 20);
  for (let i = 0; i < seq.length; i++) seq[i] = rng.int(flows);
  const names = Object.keys(who);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  let at = 0;
  for (let r = 0; r < ROUNDS + 4; r++) {
    const turn = r % 2 ? names : [...names].reverse();
    for (const k of turn) {
      const c = who[k];
      const t0 = performance.now();
      for (let i = 0; i < N; i += BATCH) {
        c.deliver(seq, at + i);
        c.poll(at + i);
        c.complete();
      }
      if (r >= 4) samples[k].push(((performance.now() - t0) * 1e6) / N);
    }
    at += N;
  }
  return Object.fromEntries(names.map((k) => [k, median(samples[k])]));
}

// ---- lookup cost: sw_batch alone ------------------------------------------------------------------

const STRIDE = 128;
const DESCS = Core.frame(26);

function batchContestant(file: string): { run(seq: Uint32Array, k: number): void; gen(seq: Uint32Array, k: number): void } {
  return withCore(file, () => {
    const sw = SwitchPath.create({ capacity: CAPACITY, seed: SEED, policy: "evict" });
    configure(sw, null);
    new LbTables(sw.core).publish(new Map([[0, TABLE]]));
    const core = sw.core;
    const tmpl = template(60);
    for (let i = 0; i < BATCH; i++) {
      const d = DESCS + i * S.BD_SIZE;
      core.view.setUint32(d + S.BD_BUF, MAP.DMA_BASE + i * STRIDE, true);
      core.view.setUint16(d + S.BD_LEN, 60, true);
      core.view.setUint16(d + S.BD_CAP, STRIDE, true);
      core.view.setUint8(d + S.BD_IN_PORT, 0);
    }
    const gen = (seq: Uint32Array, k: number) => {
      for (let i = 0; i < BATCH; i++) {
        const o = MAP.DMA_BASE + i * STRIDE;
        core.bytes.set(tmpl, o);
        const f = seq[(k + i) & (seq.length - 1)];
        const a = f >>> 3;
        core.bytes[o + 27] = 18 + (a >>> 16);
        core.bytes[o + 28] = (a >>> 8) & 0xff;
        core.bytes[o + 29] = a & 0xff;
        const port = 10000 + (f & 7);
        core.bytes[o + 34] = port >> 8;
        core.bytes[o + 35] = port & 0xff;
      }
    };
    return { gen, run: (seq, k) => { gen(seq, k); core.exports.sw_batch(DESCS, BATCH, 2000); } };
  });
}

function lookupAt(flows: number): Record<string, number> {
  const who = { old: batchContestant(CORES.old), new: batchContestant(CORES.new) };
  const order = Uint32Array.from({ length: 1 << 20 }, (_, i) => i % flows);
  for (const c of Object.values(who)) for (let k = 0; k < flows; k += BATCH) c.run(order, k);
  const rng = new Rng(flows + 1);
  const seq = new Uint32Array(1 << 20);
  for (let i = 0; i < seq.length; i++) seq[i] = rng.int(flows);
  const samples: Record<string, number[]> = { old: [], new: [], generator: [] };
  let at = 0;
  for (let r = 0; r < ROUNDS + 4; r++) {
    for (const k of r % 2 ? ["old", "new", "generator"] : ["generator", "new", "old"]) {
      const t0 = performance.now();
      for (let i = 0; i < N; i += BATCH) (k === "generator" ? who.new.gen : (who as Record<string, { run(s: Uint32Array, k: number): void }>)[k].run)(seq, at + i);
      if (r >= 4) samples[k].push(((performance.now() - t0) * 1e6) / N);
    }
    at += N;
  }
  return { old: median(samples.old) - median(samples.generator), new: median(samples.new) - median(samples.generator) };
}

// ---- the whole loop over the model ------------------------------------------------------------

function modelLoop(): Record<string, { ns: number; pollShare: number; pollNs: number }> {
  const out: Record<string, { ns: number[]; poll: number[]; pollNs: number[] }> = { old: { ns: [], poll: [], pollNs: [] }, new: { ns: [], poll: [], pollNs: [] } };
  const trees: Record<string, string> = { old: OLD, new: NEW };
  for (let s = 0; s < SAMPLES; s++) {
    for (const k of s % 2 ? ["old", "new"] : ["new", "old"]) {
      const r = spawnSync(process.execPath, ["-r", "ts-node/register", path.join(NEW, "bench", "model-loop.ts"), "--tree", trees[k], "--frames", "100000"], {
        cwd: trees[k], encoding: "utf8", env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
      });
      if (r.status !== 0) throw new Error(`model loop (${k}) failed: ${r.stderr}`);
      const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
      out[k].ns.push(j.nsPerFrame);
      out[k].poll.push(j.poll);
      out[k].pollNs.push(j.pollNs);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { ns: median(v.ns), pollShare: median(v.poll), pollNs: median(v.pollNs) }]));
}

// ---- the report ---------------------------------------------------------------------------------

const mpps = (ns: number) => (1000 / ns).toFixed(2);
const commit = (tree: string) => spawnSync("git", ["-C", tree, "log", "-1", "--format=%h"], { encoding: "utf8" }).stdout.trim();

function main() {
  console.log(`old = ${OLD} (${commit(OLD)}), new = ${NEW} (${commit(NEW)}); ${os.cpus()[0].model}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  console.log(`\nengine: eng_poll, 64-byte frames, batch ${BATCH}, rings of ${RING}, NAT, capacity ${CAPACITY.toLocaleString()}, random flow order; medians of ${ROUNDS} turns of ${N.toLocaleString()} packets (ns per packet, Mpps; net = minus the NIC emulation)`);
  const eng: Record<string, Record<string, number>> = {};
  for (const [label, flows] of [["1K", 1000], ["1M", 1_000_000]] as [string, number][]) eng[label] = engineAt(flows);
  console.log(`${"flows".padEnd(6)} ${["old core", "new core", "old TS", "new TS"].map((h) => `${h} ns  Mpps`.padStart(20)).join("")} | ${"net old core".padStart(14)} ${"net new core".padStart(14)} | new/old core`);
  for (const label of ["1K", "1M"]) {
    const e = eng[label];
    const cells = ["old core", "new core", "old TS", "new TS"].map((k) => `${e[k].toFixed(1)}  ${mpps(e[k])}`.padStart(20)).join("");
    const net = (k: string) => e[k] - e.emulation;
    console.log(`${label.padEnd(6)} ${cells} | ${`${net("old core").toFixed(1)} ns`.padStart(14)} ${`${net("new core").toFixed(1)} ns`.padStart(14)} | ${(e["old core"] / e["new core"]).toFixed(2)}x faster (net ${(net("old core") / net("new core")).toFixed(2)}x)`);
  }
  const ratio = (k: string) => ((eng["1M"][k] - eng["1M"].emulation) / (eng["1K"][k] - eng["1K"].emulation)).toFixed(2);
  console.log(`1M-flow cost / 1K-flow cost (net): old core ${ratio("old core")}, new core ${ratio("new core")}, old TS ${ratio("old TS")}, new TS ${ratio("new TS")}; NIC emulation ${eng["1K"].emulation.toFixed(1)} ns/packet`);
  console.log(`1M-flow Mpps, new core / old core: ${(eng["1M"]["old core"] / eng["1M"]["new core"]).toFixed(2)}x (net ${((eng["1M"]["old core"] - eng["1M"].emulation) / (eng["1M"]["new core"] - eng["1M"].emulation)).toFixed(2)}x)`);

  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const oldS = require(path.join(OLD, "assembly", "shared", "switch"));
  console.log(`\nconnection table: ${oldS.CONN_BYTES_PER_ENTRY} bytes per entry old (${oldS.CONN_WAYS}-way buckets of ${oldS.CONN_BUCKET_SIZE} bytes), ${S.CONN_BYTES_PER_ENTRY} new (${S.CONN_WAYS}-way buckets of ${S.CONN_BUCKET_SIZE} bytes: a ${S.CONN_LINE}-byte signature line, ${S.CONN_ENTRY_SIZE}-byte entries ${S.CONN_ENTRIES_PER_LINE} to a line)`);
  console.log(`lookup cost, sw_batch net of the frame generator (ns per packet; memory = beyond the 1K figure): medians of ${ROUNDS} turns`);
  const look: Record<string, Record<string, number>> = {};
  for (const [label, flows] of [["1K", 1000], ["64K", 65536], ["1M", 1_000_000]] as [string, number][]) look[label] = lookupAt(flows);
  for (const label of ["1K", "64K", "1M"]) {
    const l = look[label];
    console.log(`  ${label.padEnd(4)} entries: old ${l.old.toFixed(1).padStart(6)} ns (memory ${(l.old - look["1K"].old).toFixed(1).padStart(6)}), new ${l.new.toFixed(1).padStart(6)} ns (memory ${(l.new - look["1K"].new).toFixed(1).padStart(6)}); new/old ${(l.new / l.old).toFixed(2)}`);
  }

  console.log(`\nthe whole loop over the e1000 model (1K flows, RX by E1000.receive, eng_poll, TDT/RDT performed: the model's TX engine runs), medians of ${SAMPLES} samples of 100,000 frames, a fresh process each`);
  const m = modelLoop();
  for (const k of ["old", "new"]) console.log(`  ${k}: ${m[k].ns.toFixed(0)} ns per frame (${mpps(m[k].ns)} Mpps); eng_poll ${m[k].pollNs.toFixed(0)} ns, ${(m[k].pollShare * 100).toFixed(0)} % of the loop`);
  console.log(`  new/old: ${(m.old.ns / m.new.ns).toFixed(2)}x faster`);
  console.log(`\nload average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
}

main();
