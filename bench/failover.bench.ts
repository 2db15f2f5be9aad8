// Failover on the virtual chassis, measured side by side in one run: the active line card
// crashes (its guest OS traps) and the standby takes over, detected by
//   - the gasp (the fault core's, from the exception handler),
//   - heartbeats only at keepalived's defaults (1 s × 3 + (256 − 100)/256 s skew),
//   - heartbeats only at BFD-class timers (50 ms × 3),
//   - heartbeats only at BFD-in-hardware timers (3.3 ms × 3).
// Figures (simulated time, from the trap): crash → the standby's first GARP on the wire and
// crash → the first host packet received by the standby's OS. Medians over seeds; the crash
// time moves with the seed so that it falls at every phase of the heartbeat and of the
// hosts' traffic (one packet per VIP per millisecond). Ratios against the gasp.

import { runChassis } from "../host/chassis/chassis";
import { figures } from "../host/chassis/report";
import { scenario } from "../host/campaign/chassis-fixture";
import type { HeartbeatPresetName } from "../host/chassis/scenario";
import { median } from "./stats";

const SEEDS = Number(process.env.FAILOVER_BENCH_SEEDS ?? 9);

interface Mode {
  label: string;
  gasp: boolean;
  preset: HeartbeatPresetName;
  /** Simulated time to run after the crash. */
  afterMs: number;
}

const MODES: Mode[] = [
  { label: "gasp", gasp: true, preset: "keepalived", afterMs: 100 },
  { label: "keepalived 1 s × 3 + skew", gasp: false, preset: "keepalived", afterMs: 3800 },
  { label: "BFD 50 ms × 3", gasp: false, preset: "bfd", afterMs: 300 },
  { label: "BFD-hw 3.3 ms × 3", gasp: false, preset: "bfd-hw", afterMs: 100 },
];

const garp = new Map<string, number[]>();
const pkt = new Map<string, number[]>();
const t0 = Date.now();
for (let seed = 1; seed <= SEEDS; seed++) {
  const crashMs = 1500 + seed * 113.7;
  for (const m of MODES) {
    const loaded = scenario("default", (s) => {
      s.durationMs = crashMs + m.afterMs;
      s.faults = [{ kind: "crash", unit: "linecard-a", atMs: crashMs }];
      s.compare = [];
    });
    const f = figures(runChassis(loaded, { seed, gasp: m.gasp, heartbeat: { preset: m.preset } }));
    if (f.firstGarpNs === null || f.firstHostPacketNs === null) throw new Error(`${m.label}, seed ${seed}: no takeover`);
    garp.set(m.label, [...(garp.get(m.label) ?? []), f.firstGarpNs]);
    pkt.set(m.label, [...(pkt.get(m.label) ?? []), f.firstHostPacketNs]);
  }
}

const fmt = (ns: number) => (ns < 10e6 ? `${(ns / 1000).toFixed(1)} µs` : `${(ns / 1e6).toFixed(1)} ms`);
const base = { garp: median(garp.get("gasp")!), pkt: median(pkt.get("gasp")!) };
console.log(`crash of the active → standby, virtual chassis, medians of ${SEEDS} seeds (simulated time; ${((Date.now() - t0) / 1000).toFixed(0)} s of host time):`);
console.log(`  ${"detection".padEnd(28)} ${"→ first GARP".padStart(13)} ${"ratio".padStart(9)} ${"→ first host packet".padStart(20)} ${"ratio".padStart(8)}   (range of first GARP)`);
for (const m of MODES) {
  const g = median(garp.get(m.label)!);
  const p = median(pkt.get(m.label)!);
  const gs = garp.get(m.label)!;
  console.log(`  ${m.label.padEnd(28)} ${fmt(g).padStart(13)} ${(g / base.garp).toFixed(0).padStart(8)}× ${fmt(p).padStart(20)} ${(p / base.pkt).toFixed(1).padStart(7)}×   (${fmt(Math.min(...gs))} .. ${fmt(Math.max(...gs))})`);
}
console.log("  host traffic: one packet per VIP per ms, so 'first host packet' includes waiting for the host's next one (0..1 ms)");
