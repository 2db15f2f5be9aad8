// `lastgasp upgrade` and `lastgasp demo --scenario scenarios/upgrade*.json` as a user runs them:
// the report as JSON and as text (every step with its time and the packets lost so far, the
// phases, the units, the checks); exit 0 for an upgrade that succeeded, 1 for one that
// reverted (the service kept), 2 for bad input with every problem listed; the cards' flash
// files kept with --out, which `lastgasp flash-status` reads; the captures, whose config-sync
// segments tshark dissects with checksums good; the campaign.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { spawnCli } from "./helpers/cli";
import { requireTshark, tmpDir } from "./helpers/tshark";

const ROOT = path.join(__dirname, "..");
const dir = tmpDir("upgrade-cli");
const run = (...args: string[]) => spawnCli(args, dir);
const scenario = (name: string) => path.join(ROOT, "scenarios", `${name}.json`);
const fixture = (name: string) => path.join(ROOT, "test", "fixtures", "upgrade", `${name}.json`);

const happy = run("upgrade", "--json", "--out", "caps", "--events", "caps/events.csv");

test("--json: upgraded, exit 0; every phase with its duration and packets lost; the timeline with the losses so far", () => {
  assert.is(happy.code, 0, happy.err);
  const r = JSON.parse(happy.out);
  assert.is(r.ok, true);
  assert.is(r.outcome, "upgraded");
  assert.is(r.scenario.kind, "upgrade");
  assert.equal([r.from, r.to], ["1.1.0", "2.0.0"]);
  assert.is(r.lost, 0);
  assert.is(r.phases.length, 12);
  for (const p of r.phases) for (const k of ["startMs", "ms", "lost"]) assert.type(p[k], "number", k);
  assert.ok(r.timeline.every((t: { tMs: number; lost: number; text: string }) => typeof t.tMs === "number" && t.lost === 0 && t.text.length > 0));
  assert.equal(r.units.map((u: { version: string; confirmed: string }) => [u.version, u.confirmed]), [["2.0.0", "B"], ["2.0.0", "B"]]);
  assert.ok(r.checks.every((c: { ok: boolean }) => c.ok));
  assert.ok(r.pcaps.length >= 5);
  // The whole timeline as CSV: every event, times from the start of the upgrade.
  const csv = fs.readFileSync(path.join(dir, "caps", "events.csv"), "utf8").split(/\r?\n/);
  assert.is(csv[0], "run,t_ns,t_from_fault_ns,source,event,detail");
  assert.ok(csv.some((l) => l.includes(",upgrade,upgrade.done,")));
  assert.ok(csv.length > r.timeline.length);
});

test("--out keeps each card's flash model file: lastgasp flash-status reads the confirmed 2.0.0 in slot B; 1.1.0 in A is refused now (anti-rollback), golden is not", () => {
  for (const board of ["linecard-a", "linecard-b"]) {
    const target = path.join("caps", `${board}.flash`);
    const s = run("flash-status", "--board", path.join(ROOT, "boards", `${board}.json`), "--target", target, "--json");
    assert.is(s.code, 0, s.err);
    const r = JSON.parse(s.out).report;
    assert.is(r.state.confirmed, "B", board);
    assert.is(r.state.trial, null);
    assert.is(r.state.securityCounter, 1);
    const slots = Object.fromEntries(r.slots.map((x: { slot: string; version: string; verdict: string }) => [x.slot, `${x.version} ${x.verdict}`]));
    // The confirmation raised the card's security counter to 2.0.0's (1): the 1.1.0 left in A
    // (counter 0) can no longer boot; golden is not held to the counter (docs/flashing.md).
    assert.equal(slots, { golden: "1.1.0 ok", A: "1.1.0 E_FLASH_ROLLBACK", B: "2.0.0 ok" }, board);
  }
});

test("the backplane capture: the config-sync segments dissect under tshark with good UDP checksums", () => {
  requireTshark();
  const pcap = path.join(dir, "caps", "linecard-a.bp0--linecard-b.bp0.pcap");
  const lua = path.join(ROOT, "tools", "wireshark", "lastgasp-sync.lua");
  const r = spawnSync("tshark", ["-X", `lua_script:${lua}`, "-o", "udp.check_checksum:TRUE", "-r", pcap, "-Y", "udp.port == 50613", "-T", "fields", "-e", "udp.checksum.status"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split("\n").filter(Boolean);
  assert.ok(rows.length > 20, `${rows.length} sync segments`);
  assert.ok(rows.every((x) => x === "2" || x === "Good" || x === "1"), [...new Set(rows)].join(","));
});

test("a failure that reverts: exit 1, the text report names it, every check still passes", () => {
  const r = run("demo", "--scenario", scenario("upgrade-config"), "--no-pcap");
  assert.is(r.code, 1, r.err);
  assert.match(r.out, /timeline \(t = 0 when the upgrade starts/);
  assert.match(r.out, /\n\s+\d+\.\d{3} ms\s+0\s+upgrade\s+FAILED \(config\): the new version cannot take the running configuration/);
  assert.match(r.out, /\nphases\n/);
  assert.match(r.out, /linecard-b\s+revert/);
  assert.match(r.out, /upgrade: REVERTED after a config failure on linecard-b/);
  assert.match(r.out, /checks: all passed/);
  assert.is(r.err, "");
});

test("bad input: every problem of a scenario at once (file:line:column: pointer: message), exit 2; options", () => {
  const r = run("upgrade", "--scenario", fixture("many-problems"));
  assert.is(r.code, 2);
  const lines = r.err.trim().split("\n");
  assert.ok(lines.length >= 8, r.err);
  for (const l of lines) assert.match(l, /^lastgasp upgrade: .*many-problems\.json:\d+:\d+: \//);
  for (const p of ["/hosts/0/mac", "/timers/watchdogMS", "/images/from/version", "/images/to/version: version 3.0.0 speaks configuration 3.0", "/config: ../../../configs/nope.conf", "/policy/health/windowMs", "/failure/unit", "/expect/versions/linecard-q"]) {
    assert.ok(lines.some((l) => l.includes(p)), p);
  }
  const c = run("upgrade", "--scenario", fixture("bad-config"), "--json");
  assert.is(c.code, 2);
  assert.match(c.err, /bad-config\.json:\d+:\d+: \/config: \.\.\/\.\.\/\.\.\/configs\/lb-2\.0\.conf line 8: "ip" is not valid after "interface eth0" .* \(for release 1\.0\.0, configuration 1\.0\)/);
  assert.is(JSON.parse(c.out).error.exitCode, 2);
  assert.is(run("upgrade", "--scenario", scenario("default")).code, 2, "a failover scenario is not an upgrade");
  assert.is(run("upgrade", "--campaign", "0").code, 2);
  assert.is(run("upgrade", "--campaign", "2", "--out", "x").code, 2);
  assert.is(run("upgrade", "--out", "o", "--no-pcap").code, 2);
});

test("--campaign N: N runs with random failures, the invariants held, exit 0", () => {
  const r = run("upgrade", "--campaign", "4", "--seed", "3", "--json");
  assert.is(r.code, 0, r.err);
  const c = JSON.parse(r.out);
  assert.is(c.ok, true);
  assert.is(c.runs, 4);
  assert.equal(c.failed, []);
  assert.equal(Object.keys(c.byFailure).map((k) => k.split(/[:+]/)[0]).sort(), ["boot", "crash", "health", "none"]);
  const t = run("upgrade", "--campaign", "1");
  assert.is(t.code, 0, t.err);
  assert.match(t.out, /never two actives, never both units down, never an unverified image/);
});

test.run();
