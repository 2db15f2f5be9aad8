// The in-service upgrade on the virtual chassis, one shipped scenario at a time
// (scenarios/upgrade*.json): the happy path and every failure, each ending with both units on
// the expected release, exactly one active, no host on a dead MAC, the invariants held, and
// the packets lost counted exactly (the ledger books every packet by sequence number) —
// zero for the happy path and for every revert that involves no crash. Then unit restarts
// outside any upgrade: a crashed or hung active reboots through its boot stage and rejoins
// as the standby without taking the service back.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import * as fs from "fs";
import { SCENARIOS_DIR, CONFIGS_DIR } from "../host/paths";
import { loadUpgrade } from "../host/upgrade/scenario";
import { runUpgrade, UpgradeRun } from "../host/upgrade/run";
import { buildReport, UpgradeReport } from "../host/upgrade/report";
import { syncVersionOf } from "../host/upgrade/images";
import type { TimelineEvent } from "../host/ha/timeline";
import { ms } from "../host/ha/timeline";

const A = "linecard-a";
const B = "linecard-b";

function run(name: string, opts: Parameters<typeof runUpgrade>[1] = {}): { r: UpgradeRun; rep: UpgradeReport } {
  const r = runUpgrade(loadUpgrade(path.join(SCENARIOS_DIR, `${name}.json`)), opts);
  return { r, rep: buildReport(r) };
}

const events = (r: UpgradeRun, name: string, source?: string, after = 0): TimelineEvent[] =>
  r.chassis.timeline.filter((e) => e.name === name && (source === undefined || e.source === source) && e.tNs >= after);

/** What every run must show, whatever happened. */
function common(rep: UpgradeReport): void {
  const failed = rep.checks.filter((c) => !c.ok);
  assert.equal(failed, [], failed.map((c) => `${c.name}: ${c.detail}`).join("; "));
  assert.equal(rep.invariants.violations, []);
  assert.ok(rep.invariants.boots >= 2);
  assert.ok(rep.checks.some((c) => c.name === "one-active" && c.ok));
  assert.ok(rep.checks.some((c) => c.name === "no-dead-mac" && c.ok));
  const active = rep.units.filter((u) => u.role === "active" && u.state === "up");
  assert.is(active.length, 1, "exactly one active");
  for (const u of rep.units) {
    assert.is(u.state, "up", `${u.id} up at the end`);
    assert.is(u.trial, null, `${u.id}: no trial pending`);
  }
}

test("versions: a release speaks its MAJOR.MINOR's configuration", () => {
  assert.is(syncVersionOf("2.0.3+17"), "2.0");
  assert.is(syncVersionOf("1.1.0"), "1.1");
});

test("happy path: both cards on 2.0.0, the original active active again, not one packet lost, every phase in the timeline", () => {
  const { r, rep } = run("upgrade");
  common(rep);
  assert.is(rep.outcome, "upgraded");
  assert.is(rep.ok, true);
  assert.is(rep.lost, 0, "no packet lost");
  assert.ok(rep.offered > 10_000);
  assert.equal(rep.units.map((u) => [u.id, u.version, u.confirmed, u.securityCounter]), [[A, "2.0.0", "B", 1], [B, "2.0.0", "B", 1]]);
  // Each card went through every phase, the standby first.
  assert.equal(rep.phases.map((p) => `${p.card}:${p.phase}`), [B, A].flatMap((c) => ["flash", "boot", "sync", "switchover", "health", "confirm"].map((p) => `${c}:${p}`)));
  for (const p of rep.phases) assert.is(p.lost, 0, `${p.card} ${p.phase}`);
  // The bulk syncs crossed versions: 1.1 → 2.0 to the upgraded standby, 2.0 → 1.1 back to the old active.
  const syncs = rep.syncs.map((s) => `${s.activeVersion}→${s.standbyVersion}:${s.mode}:${s.verified}`);
  assert.ok(syncs.includes("1.1→2.0:sso:true") && syncs.includes("2.0→1.1:sso:true") && syncs.includes("2.0→2.0:sso:true"), syncs.join(" "));
  // Make before break: the new active claims, the old hands over in the same instant, keeps forwarding for the drain, then is fenced; no gasp anywhere.
  const sw = events(r, "upgrade.switchover");
  assert.is(sw.length, 2);
  for (const s of sw) {
    const to = String(s.detail!.to);
    const from = String(s.detail!.from);
    assert.is(events(r, "role.takeover", to, s.tNs)[0].tNs, s.tNs);
    assert.is(events(r, "role.handover", from, s.tNs)[0].tNs, s.tNs);
    assert.is(events(r, "switchover.fenced", from, s.tNs)[0].tNs - s.tNs, ms(50));
    const moved = events(r, "hosts.moved", undefined, s.tNs).find((e) => e.detail!.unit === to)!;
    assert.ok(moved.tNs - s.tNs < ms(1), "hosts follow the new active's announcements within a millisecond");
  }
  assert.is(events(r, "gasp.wire").length, 0, "a planned switchover sends no gasp");
  assert.is(events(r, "fault.handler").length, 0);
  // The timeline a person follows: each step with its time and the packets lost so far.
  assert.ok(rep.timeline.length > 30);
  assert.ok(rep.timeline.every((t) => t.lost === 0));
  assert.ok(rep.timeline.some((t) => /confirmed 2\.0\.0 in slot B/.test(t.text)));
  // The trial spent one attempt on each card, and the counter moved only at the confirmation.
  const stage = events(r, "unit.boot-stage").filter((e) => e.detail!.reason === "trial");
  assert.equal(stage.map((e) => `${e.source}:${e.detail!.attempt}`), [`${B}:1/3`, `${A}:1/3`]);
});

test("the new image does not boot: three trial boots fail, the boot stage reverts by itself, nothing is lost", () => {
  const { r, rep } = run("upgrade-boot");
  common(rep);
  assert.is(rep.outcome, "reverted");
  assert.is(rep.failure!.kind, "boot");
  assert.is(rep.lost, 0);
  const failed = events(r, "unit.boot-failed", B);
  assert.is(failed.length, 3, "one failed boot per trial attempt");
  assert.match(String(failed[0].detail!.reason), /core does not load \(CompileError/);
  const last = events(r, "unit.boot-stage", B).pop()!;
  assert.equal([last.detail!.slot, last.detail!.reason, last.detail!.reverted], ["A", "confirmed", true]);
  assert.is(events(r, "upgrade.switchover").length, 0, "never switched over");
  assert.equal(rep.units.map((u) => u.version), ["1.1.0", "1.1.0"]);
  assert.is(events(r, "role.takeover", B).length, 0);
});

test("the new release crashes after the switchover: gasp, the old active takes the service back, the crashed card rejoins as the standby and is reverted", () => {
  const { r, rep } = run("upgrade-crash");
  common(rep);
  assert.is(rep.outcome, "reverted");
  assert.is(rep.failure!.kind, "crash");
  assert.ok(rep.lost <= 10, `${rep.lost} lost`);
  const crash = events(r, "fault.handler", B)[0];
  assert.ok(crash, "the new active's OS trapped");
  const acc = events(r, "gasp.accepted", A, crash.tNs)[0];
  const back = events(r, "role.takeover", A, crash.tNs)[0];
  assert.equal(back.detail!.reason, "gasp");
  assert.ok(back.tNs - crash.tNs < ms(0.1), `A took over ${(back.tNs - crash.tNs) / 1e3} µs after the crash`);
  assert.ok(acc.tNs <= back.tNs);
  // B came back by itself (its watchdog), on the trial again, as the standby: no flap.
  const reset = events(r, "unit.reset", B, crash.tNs)[0];
  assert.is(reset.detail!.why, "watchdog");
  const ups = events(r, "unit.up", B, crash.tNs);
  assert.equal(ups.map((e) => e.detail!.version), ["2.0.0", "1.1.0"], "the trial again, then the confirmed image after the revert");
  assert.is(events(r, "role.takeover", B, crash.tNs).length, 0, "the crashed active never takes the service back");
  assert.is(events(r, "flash.revert", B).length, 1);
  assert.equal(rep.units.map((u) => [u.id, u.version, u.role]), [[A, "1.1.0", "active"], [B, "1.1.0", "backup"]]);
});

test("the new release fails its health check: a planned switchover back (make before break), the card reverted, nothing lost", () => {
  const { r, rep } = run("upgrade-health");
  common(rep);
  assert.is(rep.outcome, "reverted");
  assert.is(rep.failure!.kind, "health");
  assert.match(rep.failure!.reason, /neighbours: no ARP reply from h1/);
  assert.is(rep.lost, 0);
  assert.equal(rep.health.map((h) => h.verdict.checks.map((c) => `${c.name}:${c.ok}`).join(",")), ["service:true,peer:true,neighbours:false"]);
  const sw = events(r, "upgrade.switchover");
  assert.equal(sw.map((e) => `${e.detail!.from}→${e.detail!.to}`), [`${A}→${B}`, `${B}→${A}`]);
  assert.is(events(r, "gasp.wire").length, 0);
});

test("a configuration the new release cannot take: the bulk sync says so, the upgrade is refused before any switchover, nothing lost", () => {
  const { r, rep } = run("upgrade-config");
  common(rep);
  assert.is(rep.outcome, "reverted");
  assert.is(rep.failure!.kind, "config");
  assert.match(rep.failure!.reason, /failover gasp-key 7 .* 2\.0 needs a 256-bit gasp key/);
  assert.is(rep.lost, 0);
  assert.is(events(r, "upgrade.switchover").length, 0);
  const s = rep.syncs.find((x) => x.standbyVersion === "2.0")!;
  assert.is(s.mode, "none");
  assert.is(s.events[0].action, "reset-standby");
});

test("a power cut while the standby writes the image: the torn slot is never booted, the card comes back on its confirmed image, nothing lost", () => {
  const { r, rep } = run("upgrade-power-cut");
  common(rep);
  assert.is(rep.outcome, "reverted");
  assert.is(rep.failure!.kind, "power-cut");
  assert.is(rep.lost, 0);
  assert.equal(rep.units.map((u) => u.powerCuts), [0, 1]);
  const stage = events(r, "unit.boot-stage", B).pop()!;
  assert.equal([stage.detail!.slot, stage.detail!.reason, stage.detail!.version], ["A", "confirmed", "1.1.0"]);
});

test("a power cut while the new active confirms: heartbeats fail over (no gasp without power), the card comes back confirmed on 2.0.0 as the standby: stopped, serving", () => {
  const { r, rep } = run("upgrade-power-cut-active");
  common(rep);
  assert.is(rep.outcome, "stopped");
  assert.equal(rep.units.map((u) => u.version), ["1.1.0", "2.0.0"]);
  const takeover = events(r, "role.takeover", A).pop()!;
  assert.is(takeover.detail!.reason, "heartbeat lost");
  // Lost: what the hosts offered during BFD's detection time (150 ms, 4 packets per ms), reported.
  assert.ok(rep.lost > 0 && rep.lost <= 4 * 150 + 10, `${rep.lost} lost`);
  assert.is(rep.phases.reduce((a, p) => a + p.lost, 0), rep.lostDuringUpgrade, "the phases account for every packet lost");
  assert.is(rep.phases.find((p) => p.phase === "revert")!.lost, rep.lost, "all of them while the service went back");
});

test("a command the new release cannot take: refused by default (configLoss refuse), listed and dropped with configLoss accept; releases that cannot sync are refused before anything is flashed", () => {
  const conf = fs.readFileSync(path.join(CONFIGS_DIR, "lb-1.0.conf"), "utf8").replace("interface eth1 mtu 9000", "interface eth1 mtu 1000");
  const at = (loss: "refuse" | "accept") => {
    const l = loadUpgrade(path.join(SCENARIOS_DIR, "upgrade.json"));
    l.scenario.images = { from: { version: "1.0.0" }, to: { version: "1.1.0" } };
    l.scenario.policy = { ...l.scenario.policy, configLoss: loss };
    return buildReport(runUpgrade(l, { flashDir: null, configText: conf }));
  };
  const refused = at("refuse");
  assert.is(refused.outcome, "reverted");
  assert.is(refused.failure!.kind, "config");
  assert.match(refused.failure!.reason, /would lose 1 command on 1\.1 \(policy: configLoss refuse\): "interface eth1 mtu 1000" \(out-of-sync: MTU 1000 is below 1\.1's minimum of 1280 bytes\)/);
  assert.is(refused.lost, 0);
  const accepted = at("accept");
  assert.is(accepted.outcome, "upgraded");
  assert.equal(accepted.lostCommands, ["interface eth1 mtu 1000: MTU 1000 is below 1.1's minimum of 1280 bytes"]);
  assert.equal(accepted.units.map((u) => u.version), ["1.1.0", "1.1.0"]);
  assert.is(accepted.lost, 0);
  // 1.0 and 2.0 cannot sync at all (2.0 has no way back to 1.0): refused up front.
  const l = loadUpgrade(path.join(SCENARIOS_DIR, "upgrade.json"));
  l.scenario.images = { from: { version: "1.0.0" }, to: { version: "2.0.0" } };
  const r = runUpgrade(l, { flashDir: null, configText: fs.readFileSync(path.join(CONFIGS_DIR, "lb-1.0.conf"), "utf8") });
  const rep = buildReport(r);
  assert.is(rep.outcome, "refused");
  assert.match(rep.failure!.reason, /configuration 1\.0 and 2\.0 cannot sync/);
  assert.is(events(r, "flash.write").length, 0, "nothing flashed");
  assert.equal(rep.units.map((u) => u.version), ["1.0.0", "1.0.0"]);
});

test("unit restarts outside an upgrade: a crashed active and a hung one reboot through their boot stage and rejoin as the standby, no flap", () => {
  for (const kind of ["crash", "hang"] as const) {
    const l = loadUpgrade(path.join(SCENARIOS_DIR, "upgrade.json"));
    l.scenario.policy = { ...l.scenario.policy, startMs: 100_000 };
    l.scenario.maxDurationMs = 2500;
    const r = runUpgrade(l, { setup: (w) => w.clock.at(ms(800), () => w.up(A)!.inject(kind)) });
    const halt = events(r, "fault.handler", A)[0];
    assert.ok(halt, kind);
    assert.equal(events(r, "role.takeover", B).map((e) => e.detail!.reason), ["gasp"], `${kind}: B takes over on the gasp`);
    const up = events(r, "unit.up", A, halt.tNs);
    assert.is(up.length, 1, `${kind}: A came back once`);
    assert.equal(up[0].detail!.version, "1.1.0");
    assert.is(events(r, "role.takeover", A, halt.tNs).length, 0, `${kind}: A, priority 200, does not take the service back`);
    const units = r.chassis.units.map((u) => [u.id, u.state, u.role]);
    assert.equal(units, [[A, "up", "backup"], [B, "up", "active"]], kind);
    // It rejoined with a new boot counter (the peer's receiver accepts it) and the epoch it had.
    assert.ok(r.world.node(A).bootCounter === 2 && r.world.node(A).epoch >= 0);
    assert.ok(r.world.sync.outcomes.some((o) => o.standby === A && o.endNs > up[0].tNs && o.verified), `${kind}: resynced as the standby`);
    assert.equal(r.invariants.violations, []);
  }
});

test.run();
