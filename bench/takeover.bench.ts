// Takeover figures. Two kinds, reported side by side, never asserted:
//  - simulated time (deterministic, integer ns): crash → detection for the heartbeat
//    presets over random phases, and a host's convergence after a takeover with and without
//    gratuitous ARP (the Linux-like neighbour cache);
//  - wall clock under V8 (noisy, medians): building a takeover burst with the core's
//    encoders, one neighbour-cache update, one split-brain arbitration through the core.
//
// node bench/run.js takeover

import { Core } from "../host/core/core";
import { WireCodec } from "../host/wire/codec";
import { Announcer } from "../host/ha/announcer";
import { HeartbeatMonitor, heartbeatPreset, HeartbeatPreset, detectionNs } from "../host/ha/heartbeat";
import { SimHost } from "../host/sim/endhost";
import { NeighborCache } from "../host/sim/neighbor";
import { ArpResponder } from "../host/ha/responder";
import { coreArbiter } from "../host/ha/arbiter";
import { Rng } from "../host/util/rng";
import { parseMac, formatMac } from "../host/util/addr";
import { ms, sec } from "../host/ha/timeline";
import { quantile } from "./stats";

const core = Core.load();
const codec = new WireCodec(core);

const fmtMs = (ns: number) => `${(ns / 1e6).toFixed(1)} ms`;

// ---- simulated: crash → detection ------------------------------------------------------------
function detection(preset: HeartbeatPreset, rng: Rng): number {
  const o = heartbeatPreset(preset);
  const m = new HeartbeatMonitor({ name: "peer", ...o });
  m.start(0);
  const phase = rng.int(o.intervalNs);
  const crash = sec(10) + rng.int(o.intervalNs);
  for (let t = phase; t < crash; t += o.intervalNs) {
    m.tick(t);
    m.heard(t);
  }
  for (;;) {
    const d = m.nextDeadline()!;
    const ch = m.tick(d).changes;
    if (ch.length) return ch[0].tNs - crash;
  }
}

console.log("simulated crash → detection (400 random heartbeat phases each):");
const rng = new Rng(1);
const med: Record<string, number> = {};
for (const p of ["keepalived", "bfd", "bfd-hw", "bonding-arp"] as const) {
  const xs = Array.from({ length: 400 }, () => detection(p, rng));
  med[p] = quantile(xs, 0.5);
  console.log(`  ${p.padEnd(12)} median ${fmtMs(med[p]).padStart(10)}  max ${fmtMs(Math.max(...xs)).padStart(10)}  (nominal ${fmtMs(detectionNs(heartbeatPreset(p)))})`);
}
console.log(`  ratio keepalived / bfd = ${(med.keepalived / med.bfd).toFixed(1)}, bfd / bfd-hw = ${(med.bfd / med["bfd-hw"]).toFixed(1)}`);

// ---- simulated: host convergence after a takeover ----------------------------------------------
const VIP = "203.0.113.10";
const OLD = "02:00:00:00:0d:01";
const NEW = "02:00:00:00:0e:01";
function converge(withGarp: boolean, seed: number) {
  let owner = OLD;
  const h = new SimHost({ name: "h", mac: "02:00:00:00:aa:01", ip4: "203.0.113.1", prefixLen: 24, codec, rng: new Rng(seed), owner: () => owner });
  const newOwner = new ArpResponder("u2", codec, parseMac(NEW));
  const r = new Rng(seed + 1000);
  h.cache.replace(VIP, OLD, "reachable", r.int(sec(30))); // learned at a random moment before
  const crash = sec(30);
  let remapped: number | null = null;
  for (let t = sec(30) - sec(1); t <= sec(120) && remapped === null; t += ms(10)) {
    if (t >= crash && owner === OLD) {
      owner = NEW;
      newOwner.hold(VIP);
      if (withGarp) h.receive(codec.announce("garp", parseMac(NEW), Uint8Array.from([203, 0, 113, 10])), t);
    }
    for (const f of [...h.tick(t).frames, ...h.send(VIP, t).frames]) {
      const d = codec.decodeEth(f);
      if (!d.ok || (formatMac(d.eth.dst) === OLD && t >= crash)) continue;
      const rep = newOwner.receive(f, t).reply;
      if (rep) h.receive(rep, t);
    }
    if (t >= crash && h.mapping(VIP) === NEW) remapped = t - crash;
  }
  return { remapped: remapped ?? Infinity, misdelivered: h.countersFor(VIP).misdelivered, dropped: h.countersFor(VIP).dropped };
}
console.log("\nsimulated host after a takeover (100 packets/s to the VIP, 30 seeds, Linux NUD defaults):");
for (const g of [true, false]) {
  const runs = Array.from({ length: 30 }, (_, i) => converge(g, i + 1));
  console.log(
    `  ${g ? "with GARP   " : "without GARP"}  remapped after median ${fmtMs(quantile(runs.map((x) => x.remapped), 0.5)).padStart(10)}` +
      `  max ${fmtMs(Math.max(...runs.map((x) => x.remapped))).padStart(10)}` +
      `  misdelivered median ${quantile(runs.map((x) => x.misdelivered), 0.5)}  dropped median ${quantile(runs.map((x) => x.dropped), 0.5)}`,
  );
}

// ---- wall clock ----------------------------------------------------------------------------
function timeit(n: number, f: () => void): number {
  const samples: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    samples.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return quantile(samples, 0.5);
}
const ann = new Announcer({ name: "u", encoder: codec, mac: NEW, vips: ["203.0.113.10", "203.0.113.11", "2001:db8::10"] });
const burst = timeit(300, () => {
  ann.start(0);
  ann.tick(0);
});
const cache = new NeighborCache({ ip4: [{ ip: "203.0.113.1", prefixLen: 24 }] }, new Rng(1));
cache.replace(VIP, OLD, "stale", 0);
const sha = parseMac(NEW);
let tt = 0;
const upd = timeit(20000, () => {
  cache.arpIn({ op: 1, sha, spa: VIP, tha: new Uint8Array(6), tpa: VIP, unicastToUs: false }, (tt += 2e9));
});
const arb = coreArbiter(core);
const a = { epoch: 3, priority: 100, unit: 0 };
const b = { epoch: 3, priority: 200, unit: 1 };
const arbNs = timeit(200000, () => void arb(a, b));
console.log("\nwall clock (V8, median of 15 batches):");
console.log(`  takeover burst, 25 frames (5 rounds × 2 IPv4 VIPs × 2 variants + 1 IPv6 VIP), built by the core: ${(burst / 1000).toFixed(1)} µs (${(burst / 25 / 1000).toFixed(2)} µs/frame)`);
console.log(`  neighbour-cache update from one announcement: ${upd.toFixed(0)} ns`);
console.log(`  split-brain arbitration through the core (ha_arbitrate): ${arbNs.toFixed(0)} ns`);
