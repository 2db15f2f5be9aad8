// The packet engine's throughput: RX harvest + parse + lookup + rewrite + TX descriptor, the
// real ring code (eng_poll: DD-first harvest, zero-copy post, a legacy TX descriptor per
// frame, re-arm, reclaim by DD, the round's doorbell list), 64-byte frames (60 + FCS), batches
// of 32, at 1K and 1M flows; the same round in plain TypeScript (bench/engine-ts-reference.ts,
// over bench/switch-ts-reference.ts) measured in the same run, alternating, medians.
//
// The NIC is emulated in memory, identically for both: before each round 32 frames are
// written into the buffers the next 32 RX descriptors point at, with length and DD|EOP
// (what RX DMA does); after it, DD is set on the 32 new TX descriptors (what TX write-back
// does). The doorbell list is built but not performed: on hardware that is two MMIO writes
// per round. The emulation alone is timed too; "net" subtracts it.
//
// Also: zero copy against copy mode (64 and 1514-byte frames), and the whole loop over the
// virtual board's e1000 model (RX DMA, eng_poll, the TDT write running the model's TX engine),
// with what its time is spent on.
//
// usage: node bench/run.js engine    (env ENGINE_BENCH_ROUNDS, ENGINE_BENCH_PACKETS)

import { performance } from "perf_hooks";
import { Rng } from "../host/util/rng";
import * as MAP from "../assembly/shared/memmap";
import * as RINGS from "../assembly/shared/rings";
import * as E from "../assembly/shared/engine";
import { SwitchReference } from "./switch-ts-reference";
import { EngineReference } from "./engine-ts-reference";
import { median } from "./stats";
import { runModelLoop } from "./model-loop";
import * as path from "path";
import { BATCH, RING, CAPACITY, SEED, BACKENDS, template, NicEmulation, configure, TABLE, coreSetup } from "./engine-rig";

const ROUNDS = Number(process.env.ENGINE_BENCH_ROUNDS ?? 5);
const PACKETS = Number(process.env.ENGINE_BENCH_PACKETS ?? 1 << 20);

function tsSetup() {
  const sw = new SwitchReference(CAPACITY, SEED);
  configure(null, sw);
  sw.setTables(new Map([[0, TABLE]]));
  return new EngineReference(sw, 2, RING, 0, 1);
}

interface Row {
  label: string;
  coreNs: number;
  tsNs: number | null;
  genNs: number;
  ratio: number | null;
  netRatio: number | null;
  newCoreNs: number;
  newTsNs: number | null;
}

function measure(label: string, flows: number, frameLen: number, mode: number, withTs: boolean): Row {
  const tmpl = template(frameLen);
  const { core } = coreSetup(mode);
  const ref = withTs ? tsSetup() : null;
  const scratch = tsSetup(); // the emulation alone runs on a memory no engine reads
  const x = core.exports;
  const emuCore = new NicEmulation(core.bytes, MAP.DMA_BASE, RINGS.portDmaBase(0) + RINGS.PORT_DMA_RX_DESC, RINGS.portDmaBase(1) + RINGS.PORT_DMA_TX_DESC, tmpl);
  const emuTs = ref ? new NicEmulation(ref.mem, 0, ref.rxDesc(0, 0), ref.txDesc(1, 0), tmpl) : null;
  const emuGen = new NicEmulation(scratch.mem, 0, scratch.rxDesc(0, 0), scratch.txDesc(1, 0), tmpl);
  const rng = new Rng(flows);
  const order = Uint32Array.from({ length: 1 << 20 }, (_, i) => i % flows);
  const seq = new Uint32Array(1 << 20);
  for (let i = 0; i < seq.length; i++) seq[i] = rng.int(flows);

  const warm = (fn: (k: number) => void) => {
    const t0 = performance.now();
    for (let k = 0; k < flows; k += BATCH) fn(k);
    return ((performance.now() - t0) * 1e6) / flows;
  };
  const newCoreNs = warm((k) => {
    emuCore.deliver(order, k);
    x.eng_poll(0, 1000);
    emuCore.complete(BATCH);
  });
  const newTsNs = emuTs ? warm((k) => {
    emuTs.deliver(order, k);
    ref!.poll(0, BATCH, 1000);
    emuTs.complete(BATCH);
  }) : null;
  if (ref && emuTs) check(core.bytes, () => x.eng_poll(0, 1500), ref, emuCore, emuTs, seq);

  const run = (fn: (k: number) => void) => {
    const t0 = performance.now();
    for (let k = 0; k < PACKETS; k += BATCH) fn(k);
    return ((performance.now() - t0) * 1e6) / PACKETS;
  };
  const c: number[] = [], t: number[] = [], g: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    c.push(run((k) => {
      emuCore.deliver(seq, k);
      x.eng_poll(0, 2000);
      emuCore.complete(BATCH);
    }));
    if (ref && emuTs) t.push(run((k) => {
      emuTs.deliver(seq, k);
      ref.poll(0, BATCH, 2000);
      emuTs.complete(BATCH);
    }));
    g.push(run((k) => {
      emuGen.deliver(seq, k);
      emuGen.complete(BATCH);
    }));
  }
  const counters = new Uint32Array(core.bytes.buffer, MAP.ABI_BASE + 60 * MAP.ABI_SLOT_SIZE, E.ECTR_COUNT);
  x.eng_counters(0, MAP.ABI_BASE + 60 * MAP.ABI_SLOT_SIZE, E.ECTR_COUNT);
  const total = counters[E.ECTR_RX];
  if (counters[E.ECTR_FORWARD] !== total || counters[E.ECTR_TX_FULL] !== 0) throw new Error(`engine did not forward everything: ${counters.join(",")}`);
  return {
    label, coreNs: median(c), tsNs: t.length ? median(t) : null, genNs: median(g),
    ratio: t.length ? median(c.map((v, i) => t[i] / v)) : null,
    netRatio: t.length ? median(c.map((v, i) => (t[i] - g[i]) / (v - g[i]))) : null,
    newCoreNs, newTsNs,
  };
}

/** Same frames in, same TX descriptors and bytes out: the reference is the same round. */
function check(coreMem: Uint8Array, corePoll: () => number, ref: EngineReference, emuCore: NicEmulation, emuTs: NicEmulation, seq: Uint32Array): void {
  const txCore = RINGS.portDmaBase(1) + RINGS.PORT_DMA_TX_DESC;
  const txTs = ref.txDesc(1, 0);
  const cv = new DataView(coreMem.buffer);
  const tv = new DataView(ref.mem.buffer);
  // both TX rings are at the same index after the same number of rounds
  for (let k = 0; k < 64 * BATCH; k += BATCH) {
    emuCore.deliver(seq, k);
    emuTs.deliver(seq, k);
    corePoll();
    ref.poll(0, BATCH, 1500);
    for (let i = 0; i < RING; i++) {
      const a = cv.getUint32(txCore + 16 * i + 8, true);
      const b = tv.getUint32(txTs + 16 * i + 8, true);
      if (a !== b) throw new Error(`TX descriptor ${i} differs: length/cmd ${a.toString(16)} vs ${b.toString(16)}`);
      if (cv.getUint8(txCore + 16 * i + 12) !== tv.getUint8(txTs + 16 * i + 12)) throw new Error(`TX descriptor ${i} status differs`);
      const len = a & 0xffff;
      const fa = coreMem.subarray(MAP.DMA_BASE + cv.getUint32(txCore + 16 * i, true), MAP.DMA_BASE + cv.getUint32(txCore + 16 * i, true) + len);
      const fb = ref.mem.subarray(tv.getUint32(txTs + 16 * i, true), tv.getUint32(txTs + 16 * i, true) + len);
      if (!Buffer.from(fa).equals(Buffer.from(fb))) throw new Error(`TX frame ${i} differs:\n${Buffer.from(fa).toString("hex")}\n${Buffer.from(fb).toString("hex")}`);
    }
    emuCore.complete(BATCH);
    emuTs.complete(BATCH);
  }
}

function main() {
  console.log(`packet engine: RX harvest + parse + lookup + rewrite + TX descriptor, batch ${BATCH}, rings of ${RING}, ${PACKETS.toLocaleString()} packets x ${ROUNDS} rounds per figure (medians), capacity ${CAPACITY.toLocaleString()}, NAT, ${BACKENDS} back ends, Maglev 65537, random flow order`);
  const rows: Row[] = [];
  for (const flows of [1000, 1_000_000]) rows.push(measure(`64 B zero copy, ${flows >= 1e6 ? "1M" : "1K"} flows`, flows, 60, E.ENG_ZERO_COPY, true));
  for (const flows of [1000, 1_000_000]) rows.push(measure(`64 B copy mode, ${flows >= 1e6 ? "1M" : "1K"} flows`, flows, 60, E.ENG_COPY, false));
  rows.push(measure("1514 B zero copy, 1K flows", 1000, 1514, E.ENG_ZERO_COPY, true));
  rows.push(measure("1514 B copy mode, 1K flows", 1000, 1514, E.ENG_COPY, false));
  const mpps = (ns: number) => (1000 / ns).toFixed(2);
  console.log("\nconfiguration                core Mpps  TS Mpps  core/TS | net of NIC emulation: core Mpps  TS Mpps  core/TS | emulation ns/pkt");
  for (const r of rows) {
    const ts = r.tsNs !== null ? mpps(r.tsNs) : "-";
    const netTs = r.tsNs !== null ? mpps(r.tsNs - r.genNs) : "-";
    console.log(
      `${r.label.padEnd(28)} ${mpps(r.coreNs).padStart(9)} ${ts.padStart(8)}  ${(r.ratio?.toFixed(2) ?? "-").padStart(7)} |` +
        `                      ${mpps(r.coreNs - r.genNs).padStart(9)} ${netTs.padStart(8)}  ${(r.netRatio?.toFixed(2) ?? "-").padStart(7)} | ${r.genNs.toFixed(1).padStart(8)}`,
    );
  }
  const z1k = rows[0], z1m = rows[1], c1k = rows[2], c1m = rows[3], zb = rows[4], cb = rows[5];
  console.log(`\nper packet, core, net of the emulation: ${(z1k.coreNs - z1k.genNs).toFixed(1)} ns at 1K flows, ${(z1m.coreNs - z1m.genNs).toFixed(1)} ns at 1M flows`);
  console.log(`zero copy vs copy (core, net): 64 B ${((c1k.coreNs - c1k.genNs) / (z1k.coreNs - z1k.genNs)).toFixed(2)}x at 1K, ${((c1m.coreNs - c1m.genNs) / (z1m.coreNs - z1m.genNs)).toFixed(2)}x at 1M; 1514 B ${((cb.coreNs - cb.genNs) / (zb.coreNs - zb.genNs)).toFixed(2)}x (copy time / zero-copy time)`);
  console.log(`new connections through the engine (1M fresh flows, emulation included): core ${z1m.newCoreNs.toFixed(0)} ns, TS ${z1m.newTsNs!.toFixed(0)} ns per connection`);
  const m = runModelLoop(path.join(__dirname, ".."), 100_000);
  console.log(`\nthe whole loop over the e1000 model (1K flows, 100,000 frames): ${mpps(m.nsPerFrame)} Mpps (${m.nsPerFrame.toFixed(0)} ns/frame): ` +
    `model RX DMA ${(m.rx * 100).toFixed(0)} %, eng_poll ${(m.poll * 100).toFixed(0)} % (${m.pollNs.toFixed(0)} ns/frame), TDT/RDT writes + model TX engine ${(m.txAndDoorbells * 100).toFixed(0)} %`);
}

main();
