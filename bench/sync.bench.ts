// Config-sync figures. Transport: segments, retransmissions and simulated completion time of
// a bulk sync plus 20 live commands, by link loss rate (medians over seeds; simulated time is
// deterministic, not a measurement of this machine). Engine: wall-clock time to plan a bulk
// sync (sync-check's work) for configs of growing size, medians of repeated runs, side by side.

import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { shipped } from "../host/sync/images";
import { SimulatedPair } from "../host/sync/sim";
import { planBulkSync } from "../host/sync/plan";
import { Rng } from "../host/util/rng";
import { randomCommand } from "../host/campaign/sync-gen";
import { median } from "./stats";

const reg = shipped();
const config = fs.readFileSync(path.join(__dirname, "..", "configs", "lb-2.0.conf"), "utf8");

console.log("transport: 2.0→1.1, lb-2.0.conf bulk sync + 20 live commands, jitter 300 us, 2% duplicates; medians of 15 seeds");
console.log("loss   frames  lost  segments  retransmitted  ratio   simulated ms");
for (const loss of [0, 0.1, 0.3, 0.5]) {
  const rows: { frames: number; lost: number; seg: number; re: number; ms: number }[] = [];
  for (let seed = 1; seed <= 15; seed++) {
    const sim = new SimulatedPair({ registry: reg, active: "2.0", standby: "1.1", config, seed, link: { loss, duplicate: 0.02, delayNs: 50_000, jitterNs: 300_000 } });
    sim.bulkSync();
    const rng = new Rng(seed);
    for (let i = 0; i < 20 && sim.active.state === "hot"; i++) sim.configure(randomCommand(rng, reg.get("2.0").grammar, sim.active.running));
    sim.verify();
    const seg = sim.channels[0].stats.segmentsSent + sim.channels[1].stats.segmentsSent;
    const re = sim.channels[0].stats.retransmissions + sim.channels[1].stats.retransmissions;
    rows.push({ frames: sim.link.stats.sent, lost: sim.link.stats.lost, seg, re, ms: sim.clock.now() / 1e6 });
  }
  const m = (k: keyof (typeof rows)[0]) => median(rows.map((r) => r[k]));
  console.log(`${String(loss * 100).padStart(3)}%  ${String(m("frames")).padStart(7)} ${String(m("lost")).padStart(5)} ${String(m("seg")).padStart(9)} ${String(m("re")).padStart(14)}  ${(m("re") / m("seg")).toFixed(2).padStart(5)}  ${m("ms").toFixed(1).padStart(12)}`);
}

console.log("\nengine: planBulkSync 2.0→1.1 (parse, diff lists, convert, report) of lb-2.0.conf plus N ACL entries");
console.log("(carried unchanged) and N/2 back ends (transformed); medians of 15 warm runs (parses are memoised)");
const base: number[] = [];
for (const n of [0, 100, 400, 1600]) {
  const extra: string[] = [];
  for (let i = 1; i <= n; i++) extra.push(`ip access-list BIG seq ${i} permit tcp 0.0.0.0/0 203.0.113.${i % 256}/32 eq ${i}`);
  for (let i = 1; i <= n / 2; i++) extra.push(`slb farm F${i % 8} backend 198.51.100.${(i % 250) + 1} port ${1000 + i}`);
  const text = config + extra.join("\n") + "\n";
  const t: number[] = [];
  let lines = 0;
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    lines = planBulkSync(reg.pair("2.0", "1.1"), "x", text).rows.length;
    t.push(performance.now() - t0);
  }
  base.push(median(t));
  console.log(`${String(lines).padStart(5)} config lines: ${median(t).toFixed(2).padStart(8)} ms  (${((median(t) * 1000) / lines).toFixed(1)} us/line, ${(median(t) / base[0]).toFixed(1)}x the smallest)`);
}
