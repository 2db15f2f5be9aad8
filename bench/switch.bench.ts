// Switching-path throughput: parse + service check + connection lookup + rewrite, 64-byte
// frames (60 + FCS), batches of 32, at 1K and 1M flows, NAT and DSR — the core (sw_batch)
// and the same logic in plain TypeScript (bench/switch-ts-reference.ts) measured in the same
// run, alternating, medians of several rounds. Also: connection-table bytes per entry,
// new-connection rate, lookup cost at 1K vs 1M entries.
//
// What is in the timed loop, for both: a traffic generator that writes 32 fresh frames into
// the batch's buffers (copy a template, set the client address and port: what RX DMA would
// have written), then one batch call. The generator alone is timed too and reported; the
// "net" figures subtract it. Not in the loop: RX harvest and TX descriptors (the packet
// engine's round, measured by bench/engine.bench.ts).
//
// usage: node bench/run.js switch    (env SWITCH_BENCH_ROUNDS, SWITCH_BENCH_PACKETS)

import { performance } from "perf_hooks";
import { SwitchPath } from "../host/switch/switch";
import { LbTables } from "../host/switch/lbtables";
import { maglevTable } from "../host/switch/distribution";
import { Core } from "../host/core/core";
import { parseIPv4, parseMac } from "../host/util/addr";
import { Rng } from "../host/util/rng";
import * as MAP from "../assembly/shared/memmap";
import * as S from "../assembly/shared/switch";
import { SwitchReference, V_FORWARD } from "./switch-ts-reference";
import { median } from "./stats";

const ROUNDS = Number(process.env.SWITCH_BENCH_ROUNDS ?? 5);
const PACKETS = Number(process.env.SWITCH_BENCH_PACKETS ?? 1 << 20);
const BATCH = 32;
const FRAME_LEN = 60;
const STRIDE = 128;
const CAPACITY = 1 << 20;
const SEED = 0x1234567;
const BACKENDS = 16;
const VIP = parseIPv4("203.0.113.10");
const PORT_MAC = [parseMac("02:00:00:00:1b:00"), parseMac("02:00:00:00:1b:01")];
const beMac = (i: number) => parseMac(`02:00:00:00:be:${i.toString(16).padStart(2, "0")}`);
const beIp = (i: number) => parseIPv4(`198.51.100.${11 + i}`);


/** A 60-byte TCP ACK to VIP:dport from 198.18.0.0:10000 (checksums valid for that source). */
function template(dport: number): Uint8Array {
  const f = new Uint8Array(FRAME_LEN);
  f.set(PORT_MAC[0], 0);
  f.set(parseMac("02:00:00:00:c1:01"), 6);
  f.set([0x08, 0x00, 0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 0, ...VIP], 12);
  const sum = (a: number, b: number) => {
    let s = 0;
    for (let i = a; i < b; i += 2) s += (f[i] << 8) | f[i + 1];
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    return s;
  };
  const ipc = ~sum(14, 34) & 0xffff;
  f[24] = ipc >> 8;
  f[25] = ipc & 0xff;
  const t = 34;
  f.set([0x27, 0x10, dport >> 8, dport & 0xff, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0xff, 0xff], t);
  let s = sum(26, 34) + 6 + 20 + sum(t, t + 20);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff;
  f[t + 16] = c >> 8;
  f[t + 17] = c & 0xff;
  return f;
}

/** Writes 32 fresh frames for flows seq[k..k+31] into mem at base (+ i * STRIDE). */
function generate(mem: Uint8Array, base: number, tmpl: number, seq: Uint32Array, k: number): void {
  for (let i = 0; i < BATCH; i++) {
    const o = base + i * STRIDE;
    mem.copyWithin(o, tmpl, tmpl + FRAME_LEN);
    const f = seq[(k + i) & (seq.length - 1)];
    const a = f >>> 3;
    mem[o + 27] = 18 + (a >>> 16); // client 198.18.0.0/15 + a
    mem[o + 28] = (a >>> 8) & 0xff;
    mem[o + 29] = a & 0xff; // the IP checksum is not fixed up: neither path verifies it
    const port = 10000 + (f & 7);
    mem[o + 34] = port >> 8;
    mem[o + 35] = port & 0xff;
  }
}

interface Setup {
  sw: SwitchPath;
  ref: SwitchReference;
  refMem: Uint8Array;
  offsets: Uint32Array;
  lens: Uint16Array;
  out: Int32Array;
}

const DESCS = Core.frame(26);
const BUFS = MAP.DMA_BASE;
const TMPL_NAT = MAP.DMA_BASE + 0x10000;
const TMPL_DSR = TMPL_NAT + STRIDE;

function setup(core: Core): Setup {
  const sw = new SwitchPath(core);
  sw.init({ capacity: CAPACITY, seed: SEED, policy: "evict" });
  const ref = new SwitchReference(CAPACITY, SEED);
  PORT_MAC.forEach((m, p) => {
    sw.setPort(p, m);
    ref.setPort(p, m);
  });
  sw.setCpAddress(0, 4, parseIPv4("192.0.2.1"));
  ref.addCp(parseIPv4("192.0.2.1"));
  const nat = { family: 4 as const, vip: VIP, protocol: "tcp" as const, port: 80, mode: "nat" as const, returnPort: 0, returnMac: parseMac("02:00:00:00:00:fe") };
  sw.setService(0, nat);
  ref.setService(0, { family: 4, proto: 6, port: 80, vip: VIP, nat: true });
  sw.setService(1, { family: 4, vip: VIP, protocol: "tcp", port: 443, mode: "dsr" });
  ref.setService(1, { family: 4, proto: 6, port: 443, vip: VIP, nat: false });
  for (let i = 0; i < BACKENDS; i++) {
    sw.setBackend(i, { family: 4, addr: beIp(i), mac: beMac(i), txPort: 1, port: 8080 });
    ref.setBackend(i, { up: true, mac: beMac(i), addr: beIp(i), port: 8080, txPort: 1 });
  }
  const table = maglevTable([...Array(BACKENDS).keys()].map((i) => ({ index: i, name: `be${i}`, weight: 1 })), 65537);
  const tables = new Map<number, ArrayLike<number>>([[0, table], [1, table]]);
  new LbTables(core).publish(tables);
  ref.setTables(tables);
  for (let i = 0; i < BATCH; i++) {
    const d = DESCS + i * S.BD_SIZE;
    core.view.setUint32(d + S.BD_BUF, BUFS + i * STRIDE, true);
    core.view.setUint16(d + S.BD_LEN, FRAME_LEN, true);
    core.view.setUint16(d + S.BD_CAP, STRIDE, true);
    core.view.setUint8(d + S.BD_IN_PORT, 0);
  }
  core.write(TMPL_NAT, template(80));
  core.write(TMPL_DSR, template(443));
  const refMem = new Uint8Array(BATCH * STRIDE + 2 * STRIDE);
  refMem.set(template(80), BATCH * STRIDE);
  refMem.set(template(443), BATCH * STRIDE + STRIDE);
  const offsets = Uint32Array.from({ length: BATCH }, (_, i) => i * STRIDE);
  const lens = new Uint16Array(BATCH).fill(FRAME_LEN);
  return { sw, ref, refMem, offsets, lens, out: new Int32Array(BATCH) };
}

function check(s: Setup, tmplCore: number, tmplRef: number, seq: Uint32Array) {
  // same frames in, same verdicts and bytes out: the reference is the same logic
  for (let k = 0; k < 64 * BATCH; k += BATCH) {
    generate(s.sw.core.bytes, BUFS, tmplCore, seq, k);
    generate(s.refMem, 0, tmplRef, seq, k);
    s.sw.core.exports.sw_batch(DESCS, BATCH, 1000);
    s.ref.batch(s.refMem, s.offsets, s.lens, BATCH, 1000, s.out);
    for (let i = 0; i < BATCH; i++) {
      const v = s.sw.core.view.getInt32(DESCS + i * S.BD_SIZE + S.BD_VERDICT, true);
      if (v !== s.out[i] || v >>> 24 !== V_FORWARD) throw new Error(`reference disagrees: core ${v.toString(16)}, reference ${s.out[i].toString(16)}`);
      const a = Buffer.from(s.sw.core.bytes.subarray(BUFS + i * STRIDE, BUFS + i * STRIDE + FRAME_LEN));
      const b = Buffer.from(s.refMem.subarray(i * STRIDE, i * STRIDE + FRAME_LEN));
      if (!a.equals(b)) throw new Error(`reference rewrote differently:\n${a.toString("hex")}\n${b.toString("hex")}`);
    }
  }
}

function measure(mode: "nat" | "dsr", flows: number, core: Core) {
  const s = setup(core);
  const tmplCore = mode === "nat" ? TMPL_NAT : TMPL_DSR;
  const tmplRef = BATCH * STRIDE + (mode === "nat" ? 0 : STRIDE);
  const rng = new Rng(flows);
  const order = Uint32Array.from({ length: 1 << 20 }, (_, i) => i % flows); // generate() wraps at 2^20
  const seq = new Uint32Array(1 << 20);
  for (let i = 0; i < seq.length; i++) seq[i] = rng.int(flows);

  // warm-up pass in flow order: every flow becomes a connection (timed: new connections)
  const warm = (fn: (k: number) => void) => {
    const t0 = performance.now();
    for (let k = 0; k < flows; k += BATCH) fn(k);
    return (performance.now() - t0) / flows;
  };
  const newCore = warm((k) => {
    generate(core.bytes, BUFS, tmplCore, order, k);
    core.exports.sw_batch(DESCS, BATCH, 1000);
  });
  const newRef = warm((k) => {
    generate(s.refMem, 0, tmplRef, order, k);
    s.ref.batch(s.refMem, s.offsets, s.lens, BATCH, 1000, s.out);
  });
  check(s, tmplCore, tmplRef, seq);

  const evictedBefore = s.sw.counters().conn_evicted;
  const run = (fn: (k: number) => void) => {
    const t0 = performance.now();
    for (let k = 0; k < PACKETS; k += BATCH) fn(k);
    return ((performance.now() - t0) * 1e6) / PACKETS; // ns per packet
  };
  const wasm: number[] = [];
  const ts: number[] = [];
  const gen: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    wasm.push(run((k) => {
      generate(core.bytes, BUFS, tmplCore, seq, k);
      core.exports.sw_batch(DESCS, BATCH, 2000);
    }));
    ts.push(run((k) => {
      generate(s.refMem, 0, tmplRef, seq, k);
      s.ref.batch(s.refMem, s.offsets, s.lens, BATCH, 2000, s.out);
    }));
    gen.push(run((k) => generate(core.bytes, BUFS, tmplCore, seq, k)));
  }
  const c = s.sw.counters();
  const ratios = wasm.map((w, i) => ts[i] / w);
  const netRatios = wasm.map((w, i) => (ts[i] - gen[i]) / (w - gen[i]));

  // sw_conn_find through the export (includes the JS -> wasm call and writing the key)
  const key = Core.slot(51);
  const findNs = (() => {
    const n = 200_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const f = seq[i & (seq.length - 1)];
      const a = f >>> 3;
      core.view.setUint16(key + S.CK_SERVICE, mode === "nat" ? 0 : 1, true);
      core.view.setUint16(key + S.CK_CLIENT_PORT, 10000 + (f & 7), true);
      core.view.setUint32(key + S.CK_CLIENT_ADDR, (198 | ((18 + (a >>> 16)) << 8) | (((a >>> 8) & 0xff) << 16) | ((a & 0xff) << 24)) >>> 0, true);
      core.exports.sw_conn_find(key);
    }
    return ((performance.now() - t0) * 1e6) / n;
  })();
  return {
    mode, flows,
    wasmNs: median(wasm), tsNs: median(ts), genNs: median(gen),
    ratio: median(ratios), netRatio: median(netRatios),
    newCoreNs: newCore * 1e6, newRefNs: newRef * 1e6,
    live: c.conn_live, evictedPerPacket: (c.conn_evicted - evictedBefore) / (ROUNDS * PACKETS), findNs,
  };
}

function main() {
  const core = Core.load();
  console.log(`switching path: ${FRAME_LEN + 4}-byte frames, batch ${BATCH}, ${PACKETS.toLocaleString()} packets x ${ROUNDS} rounds per figure (medians), capacity ${CAPACITY.toLocaleString()} entries`);
  console.log(`connection table: ${S.CONN_BYTES_PER_ENTRY} bytes per entry (${S.CONN_WAYS}-way buckets of ${S.CONN_BUCKET_SIZE} bytes, two choices); ${((CAPACITY * S.CONN_BYTES_PER_ENTRY) / (1 << 20)).toFixed(0)} MiB at 2^20 entries`);
  const rows = [];
  for (const flows of [1000, 1_000_000]) for (const mode of ["nat", "dsr"] as const) rows.push(measure(mode, flows, core));
  const mpps = (ns: number) => (1000 / ns).toFixed(2);
  console.log("\nmode flows      core Mpps  TS Mpps  core/TS | net of generator: core Mpps  TS Mpps  core/TS | gen ns/pkt | evictions/pkt");
  for (const r of rows) {
    console.log(
      `${r.mode.padEnd(4)} ${r.flows.toLocaleString().padStart(9)}  ${mpps(r.wasmNs).padStart(9)} ${mpps(r.tsNs).padStart(8)}  ${r.ratio.toFixed(2).padStart(7)} |` +
        `                  ${mpps(r.wasmNs - r.genNs).padStart(9)} ${mpps(r.tsNs - r.genNs).padStart(8)}  ${r.netRatio.toFixed(2).padStart(7)} |` +
        ` ${r.genNs.toFixed(1).padStart(10)} | ${r.evictedPerPacket.toFixed(4)}`,
    );
  }
  const nat1k = rows.find((r) => r.mode === "nat" && r.flows === 1000)!;
  const nat1m = rows.find((r) => r.mode === "nat" && r.flows === 1_000_000)!;
  console.log(`\nlookup cost, NAT, core (net ns/packet): ${(nat1k.wasmNs - nat1k.genNs).toFixed(1)} at 1K entries, ${(nat1m.wasmNs - nat1m.genNs).toFixed(1)} at 1M entries (+${(nat1m.wasmNs - nat1m.genNs - (nat1k.wasmNs - nat1k.genNs)).toFixed(1)} ns: cache misses)`);
  // the 1K warm-up is 32 batches, too short to time; the 1M one inserts a million new flows
  console.log(`new connections (1M fresh flows into an empty table, generator included): core ${nat1m.newCoreNs.toFixed(0)} ns, TS ${nat1m.newRefNs.toFixed(0)} ns per connection`);
  console.log(`sw_conn_find export call (key write + JS->wasm call + lookup): ${nat1k.findNs.toFixed(0)} ns at 1K, ${nat1m.findNs.toFixed(0)} ns at 1M`);
  console.log(`live entries at 1M flows: ${nat1m.live.toLocaleString()} (two-choice buckets at ${((1e6 / CAPACITY) * 100).toFixed(0)} % load evict a few: see evictions/pkt)`);
}

main();
