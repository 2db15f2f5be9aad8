// The lossy-link sweep: the default crash on a chassis whose every link loses 0..50 % of its
// frames (heartbeats, gasps, GARPs, the hosts' own ARP). Whatever was lost — the gasp, a
// burst of heartbeats (a spurious takeover and its split brain), announcements — each run
// ends with exactly one active unit and no host mapping a VIP to the dead unit's MAC.
// (The scenario and its checks are the failover campaign's, host/campaign/failover.ts:
// `lastgasp campaign failover` draws the loss and the seed at random, at any count.)

import { test } from "uvu";
import * as assert from "uvu/assert";
import { runChassis } from "../host/chassis/chassis";
import { figures } from "../host/chassis/report";
import { lossyScenario, failoverProblems, takeoverReason } from "../host/campaign/failover";

/** Every takeover reason seen in the sweep. */
const reasons = new Set<string>();
for (const seed of [1, 2]) {
  for (const loss of [0, 0.1, 0.2, 0.3, 0.4, 0.5]) {
    test(`seed ${seed}, loss ${loss * 100} % on every link: one active unit at the end, no host on the dead unit's MAC`, () => {
      const run = runChassis(lossyScenario(), { loss, seed });
      assert.equal(failoverProblems(run), []);
      if (loss === 0) assert.is(figures(run).takeoverReason, "gasp");
      reasons.add(takeoverReason(run));
    });
  }
}

test("the sweep went through the gasp and through heartbeat loss (a spurious takeover and its split brain)", () => {
  assert.ok(reasons.has("gasp"), [...reasons].join(","));
  assert.ok(reasons.has("heartbeat lost"), [...reasons].join(","));
});

test.run();
