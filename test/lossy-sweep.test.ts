// The lossy-link sweep: the default crash on a chassis whose every link loses 0..50 % of its
// frames (heartbeats, gasps, GARPs, the hosts' own ARP). Whatever was lost — the gasp, a
// burst of heartbeats (a spurious takeover and its split brain), announcements — each run
// ends with exactly one active unit and no host mapping a VIP to the dead unit's MAC.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { runChassis } from "../host/chassis/chassis";
import { figures } from "../host/chassis/report";
import { scenario, unit, mappings } from "../host/campaign/chassis-fixture";

const A = "linecard-a";
const MAC_A = "02:00:00:0a:00:02";

const sweep = scenario("default", (s) => {
  s.durationMs = 2500;
  s.traffic = { intervalUs: 5000, startMs: 100 };
  s.timers = { ...s.timers, heartbeat: { preset: "bfd" }, announce: { count: 10, secondBurstDelayMs: 300, secondBurstCount: 10 } };
});

/** Every takeover reason seen in the sweep. */
const reasons = new Set<string>();
for (const seed of [1, 2]) {
  for (const loss of [0, 0.1, 0.2, 0.3, 0.4, 0.5]) {
    test(`seed ${seed}, loss ${loss * 100} % on every link: one active unit at the end, no host on the dead unit's MAC`, () => {
      const run = runChassis(sweep, { loss, seed });
      const f = figures(run);
      assert.is(unit(run, A).state, "dead");
      assert.equal(f.activeAtEnd, ["linecard-b"], `active at the end: ${f.activeAtEnd.join(",")}`);
      for (const m of mappings(run)) assert.is.not(m, MAC_A);
      assert.equal(f.hostsOnDeadMac, []);
      if (loss === 0) assert.is(f.takeoverReason, "gasp");
      for (const e of run.timeline) if (e.name === "role.takeover" && e.source === "linecard-b") reasons.add(String(e.detail!.reason));
    });
  }
}

test("the sweep went through the gasp and through heartbeat loss (a spurious takeover and its split brain)", () => {
  assert.ok(reasons.has("gasp"), [...reasons].join(","));
  assert.ok(reasons.has("heartbeat lost"), [...reasons].join(","));
});

test.run();
