// The upgrade's properties over random failure points (host/upgrade/campaign.ts): every run
// draws a failure — none, a release that does not boot, crashes after it takes over, fails its
// health check, a configuration it cannot take, a power cut at a random erase or program of a
// random flash operation on a random card, sometimes a second cut during the revert — and
// must never show two actives at once, both units down, or a unit running an image that does
// not verify; and must end with the pair serving. make test runs a few dozen runs; the full
// count is `lastgasp upgrade --campaign 1000` (docs/upgrade.md reports it). The monitor has
// teeth: forcing two actives, or handing it an image that does not verify, is caught.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { SCENARIOS_DIR } from "../host/paths";
import { loadUpgrade } from "../host/upgrade/scenario";
import { runCampaign } from "../host/upgrade/campaign";
import { runUpgrade } from "../host/upgrade/run";
import { ms } from "../host/ha/timeline";

const RUNS = Number(process.env.UPGRADE_CAMPAIGN_RUNS ?? 30);
const base = loadUpgrade(path.join(SCENARIOS_DIR, "upgrade.json"));

test(`${RUNS} upgrades with random failures: never two actives, never both down, never an unverified image; the pair serving at the end`, () => {
  const r = runCampaign(base, RUNS, 11);
  assert.equal(r.failed.map((f) => `run ${f.index} (seed ${f.seed}, ${f.failure}): ${f.problems.join("; ")}`), []);
  assert.is(r.runs, RUNS);
  // The draw reaches every kind of failure, and the outcomes follow.
  const kinds = new Set(Object.keys(r.byFailure).map((k) => k.split(/[:+]/)[0]));
  for (const k of ["none", "boot", "crash", "health", "config", "power-cut"]) assert.ok(kinds.has(k), `${k} drawn (${[...kinds].join(", ")})`);
  assert.ok(r.byOutcome.upgraded > 0 && r.byOutcome.reverted > 0, JSON.stringify(r.byOutcome));
  assert.ok(r.invariantChecks > 10 * RUNS && r.boots >= 4 * RUNS, `${r.invariantChecks} checks, ${r.boots} boots`);
  // No packet is lost unless the active itself went down (a crash, or its power cut).
  for (const [k, lost] of Object.entries(r.lostByFailure)) if (!/crash|power-cut:confirm/.test(k)) assert.is(lost, 0, k);
});

test("the monitor catches two actives: a standby promoted while the active keeps the VIPs", () => {
  const l = loadUpgrade(path.join(SCENARIOS_DIR, "upgrade.json"));
  l.scenario.policy = { ...l.scenario.policy, startMs: 100_000 };
  l.scenario.maxDurationMs = 1000;
  const r = runUpgrade(l, {
    flashDir: null,
    setup: (w) => w.clock.at(ms(600), () => {
      const b = w.up("linecard-b")!;
      b.os.run(() => b.route(b.ha.handle({ type: "operator", action: "promote" }, w.clock.now())));
    }),
  });
  assert.ok(r.invariants.violations.some((v) => /two actives: linecard-a, linecard-b/.test(v)), r.invariants.violations.join("; "));
});

test("the monitor catches an image that does not verify, and one the boot stage did not choose", () => {
  const l = loadUpgrade(path.join(SCENARIOS_DIR, "upgrade.json"));
  l.scenario.policy = { ...l.scenario.policy, startMs: 100_000 };
  l.scenario.maxDurationMs = 300;
  const r = runUpgrade(l, { flashDir: null });
  const boot = r.world.boots[0];
  const tampered = Uint8Array.from(boot.image.bytes);
  tampered[200] ^= 1;
  r.world.onBoot!({ ...boot, image: { ...boot.image, bytes: tampered } });
  r.world.onBoot!({ ...boot, image: { ...boot.image, id: "00".repeat(16) } });
  const v = r.invariants.violations.join("\n");
  assert.match(v, /runs an image that does not verify/);
  assert.match(v, /not the [0-9a-f]{32} its boot stage verified/);
});

test.run();
