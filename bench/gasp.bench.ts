// Fault entry -> frames ready: gasp_fire (patch the per-message fields, bump the sequence,
// HMAC-SHA256 from the precomputed key states, fix IPv4/UDP lengths and checksums, publish
// the result table) on a board with 2 ports x 2 encapsulations = 4 frames, under V8.
// Each call is timed on its own (process.hrtime.bigint around the export call), >= 10^5
// calls per case, after a warm-up; medians and p99 reported side by side, never asserted.
//
// Not measured here: the ring part (descriptor writes and the doorbell) comes with the
// integration of the fault-time ring takeover; this is the part the gasp subsystem owns.
//
// usage: node bench/run.js gasp   (RUNS=200000 to change the count)

import { Core } from "../host/core/core";
import { GaspSender, GaspReceiver } from "../host/gasp/gasp";
import { Rng } from "../host/util/rng";
import { gaspMacCompressions } from "../assembly/shared/gasp";
import { parseIPv4, parseMac } from "../host/util/addr";

const RUNS = Math.max(100_000, Number(process.env.RUNS ?? 100_000));
const WARMUP = 20_000;
const rng = new Rng(0xbe7c);

const core = Core.load();
const tx = new GaspSender(core);
const KEY = rng.bytes(32);
tx.setKey(0, KEY, 1);
tx.setKey(1, KEY, 1);
const frames = tx.arm({
  chassis: 42, unit: 1, role: 1, priority: 200, keySlot: 0, boot: 1, copies: 3, selfFence: false,
  ports: [
    { ownMac: parseMac("02:00:00:00:00:01"), peerMac: parseMac("02:00:00:00:00:02"), ownIp: parseIPv4("192.0.2.1"), peerIp: parseIPv4("192.0.2.2"), encaps: ["raw", "udp"] },
    { ownMac: parseMac("02:00:00:00:01:01"), peerMac: parseMac("02:00:00:00:01:02"), ownIp: parseIPv4("198.51.100.1"), peerIp: parseIPv4("198.51.100.2"), vlanTci: 100, encaps: ["raw", "udp"] },
  ],
});
const ex = core.exports;
const EXCERPT = Core.frame(13);
const MSG = Core.frame(14);
const OUT = Core.slot(44);
core.write(EXCERPT, rng.bytes(64));
core.write(MSG, rng.bytes(132));

function measure(fn: () => number): { median: number; p99: number; mean: number } {
  for (let i = 0; i < WARMUP; i++) fn();
  const t = new Float64Array(RUNS);
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const rc = fn();
    t[i] = Number(process.hrtime.bigint() - t0);
    if (rc < 0) throw new Error(`status ${rc}`);
  }
  t.sort();
  return { median: t[RUNS >> 1], p99: t[Math.floor(RUNS * 0.99)], mean: t.reduce((a, b) => a + b, 0) / RUNS };
}

function compressions(fn: () => number): number {
  const before = ex.sha256_compressions();
  fn();
  return ex.sha256_compressions() - before;
}

const cases: [string, () => number][] = [
  ["timer + empty export call (abi_version)", () => ex.abi_version()],
  ["gasp_fire, no excerpt", () => ex.gasp_fire(1, 0x96000045, 0xffff, 0x12345678, 0, 1_000_000, EXCERPT, 0)],
  ["gasp_fire, 3-byte excerpt", () => ex.gasp_fire(1, 0x96000045, 0xffff, 0x12345678, 0, 1_000_000, EXCERPT, 3)],
  ["gasp_fire, 64-byte excerpt (maximum)", () => ex.gasp_fire(1, 0x96000045, 0xffff, 0x12345678, 0, 1_000_000, EXCERPT, 64)],
  ["gasp_hello", () => ex.gasp_hello(0, 1_000_000)],
  ["hmac_sha256 alone over 52 bytes (the MAC part)", () => ex.hmac_sha256(1, MSG, 52, OUT)],
  ["hmac_sha256 over 52 bytes, key states not precomputed", () => ex.hmac_set_key(1, EXCERPT, 32, 1) | ex.hmac_sha256(1, MSG, 52, OUT)],
];

console.log(`gasp fault path under V8 (Node ${process.version}): ${frames} frames per gasp (2 ports x raw+UDP), ${RUNS.toLocaleString()} timed calls per case`);
console.log("the MAC and frame building only; with descriptors, doorbells and the register protocol: bench/fault-entry.bench.ts\n");
const results = new Map<string, ReturnType<typeof measure>>();
const pad = Math.max(...cases.map(([n]) => n.length));
for (const [name, fn] of cases) {
  const c = compressions(fn);
  const r = measure(fn);
  results.set(name, r);
  console.log(`${name.padEnd(pad)}  median ${(r.median / 1000).toFixed(2).padStart(6)} µs  p99 ${(r.p99 / 1000).toFixed(2).padStart(6)} µs  SHA-256 compressions ${c}`);
}

const base = results.get(cases[1][0])!;
const mac = results.get(cases[5][0])!;
const noPre = results.get(cases[6][0])!;
console.log(`\ncompressions per gasp MAC: ${gaspMacCompressions(0)} (excerpt <= 3 bytes), ${gaspMacCompressions(64)} (4..64 bytes); without precomputed key states: +2`);
console.log(`ratios (same run): gasp_fire / its MAC alone = ${(base.median / mac.median).toFixed(2)}; MAC without / with precomputed states = ${(noPre.median / mac.median).toFixed(2)}`);

// The receiving side, for completeness: authenticate a genuine frame (as an authentic duplicate,
// which runs every check including the MAC).
const rxCore = Core.load();
new GaspSender(rxCore).setKey(0, KEY, 1);
const rx = new GaspReceiver(rxCore);
rx.configure({ chassis: 42 });
tx.fire({ cause: 1 });
const raw = tx.lastGasp().frames[0].bytes;
const udp = tx.lastGasp().frames[2].bytes;
rx.receive(raw);
const IN = Core.frame(12);
const OUTR = Core.slot(42);
for (const [name, f] of [["raw", raw], ["UDP", udp]] as const) {
  rxCore.write(IN, f);
  const r = measure(() => (rxCore.exports.gasp_receive(IN, f.length, OUTR), 0));
  console.log(`gasp_receive, ${name} frame, full authentication  median ${(r.median / 1000).toFixed(2)} µs  p99 ${(r.p99 / 1000).toFixed(2)} µs`);
}
