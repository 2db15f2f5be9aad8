// `lastgasp demo` as a user runs it: the default scenario's timeline, milestones, checks and the
// comparison with heartbeat-only failover, as text and as JSON with the same figures; a pcap
// per link that tshark reads (the gasp on the backplane, the takeover's GARPs); the whole
// timeline as JSON lines and CSV; a failed expectation exits 1; progress on a terminal; bad input.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { requireTshark, tmpDir, fields } from "./helpers/tshark";
import { fmtNs } from "../host/chassis/report";
import { spawnCli, runCliInProcess, BIN } from "./helpers/cli";
import { Progress } from "../host/cli/progress";

const ROOT = path.join(__dirname, "..");
const dir = tmpDir("demo-cli");
const run = (...args: string[]) => spawnCli(args, dir);
const runInProcess = async (...args: string[]) => {
  const r = await runCliInProcess(args, dir);
  return { ...r, out: r.out.trimEnd(), err: r.err.trimEnd() };
};

const json = run("demo", "--json", "--out", "caps", "--events", "caps/events.jsonl");
const text = run("demo", "--pcap-dir", "caps-text", "--events", "events.csv");

test("--json: the figures, the timeline, and the comparison rows with their ratios", () => {
  assert.is(json.code, 0, json.err);
  const r = JSON.parse(json.out);
  assert.is(r.scenario.kind, "failover");
  assert.is(r.scenario.name, "default");
  const f = r.run.figures;
  for (const k of ["gaspOnWireNs", "gaspAcceptedNs", "takeoverNs", "firstGarpNs", "hostsMovedNs", "firstHostPacketNs"]) {
    assert.type(f[k], "number", k);
    assert.ok(f[k] > 0, k);
  }
  assert.ok(f.gaspOnWireNs <= f.gaspAcceptedNs && f.gaspAcceptedNs <= f.takeoverNs && f.takeoverNs <= f.firstGarpNs && f.firstGarpNs <= f.hostsMovedNs);
  assert.is(f.takeoverUnit, "linecard-b");
  assert.equal(f.activeAtEnd, ["linecard-b"]);
  assert.is(f.hosts.length, 2);
  for (const h of f.hosts) for (const k of ["offered", "delivered", "lost", "misdelivered"]) assert.type(h[k], "number");
  const names = r.run.timeline.map((e: { name: string }) => e.name);
  for (const n of ["fault.inject", "fault.handler", "fault.doorbell", "gasp.wire", "gasp.accepted", "role.takeover", "announce.wire", "hosts.moved", "service.first-rx"]) assert.ok(names.includes(n), n);
  assert.equal(r.comparison.map((c: { heartbeat: string; gasp: boolean }) => [c.gasp, c.heartbeat]), [[true, "keepalived"], [false, "keepalived"], [false, "bfd"], [false, "bfd-hw"]]);
  const [gasp, keepalived, bfd, bfdHw] = r.comparison;
  assert.is(gasp.ratioFirstGarp, 1);
  for (const c of [keepalived, bfd, bfdHw]) {
    assert.is(c.takeoverReason, "heartbeat lost");
    assert.ok(c.firstGarpNs > gasp.firstGarpNs && c.ratioFirstGarp > 1, c.mode);
    assert.ok(Math.abs(c.ratioFirstGarp - c.firstGarpNs / gasp.firstGarpNs) < 1e-9);
    assert.ok(c.lost > gasp.lost, `${c.mode} loses more packets`);
  }
  // keepalived: 3 × 1 s + (256 − 100)/256 s after the last advert: 2.6 .. 3.61 s after the crash.
  assert.ok(keepalived.firstGarpNs > 2.6e9 && keepalived.firstGarpNs <= 3.61e9, String(keepalived.firstGarpNs));
  assert.ok(bfd.firstGarpNs > 0.075e9 && bfd.firstGarpNs <= 0.15e9);
  assert.ok(bfdHw.firstGarpNs <= 0.0099e9);
  assert.ok(r.pcaps.length >= 5);
  assert.is(r.ok, true);
  assert.equal(r.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [["one-active", true], ["no-dead-mac", true], ["vips-moved", true], ["active-at-end", true], ["max-lost", true]]);
});

test("--events: every event of every run, as JSON lines and as CSV, the same events in both", () => {
  const r = JSON.parse(json.out);
  assert.is(r.events, "caps/events.jsonl");
  const rows = fs.readFileSync(path.join(dir, "caps", "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const runs = new Set(rows.map((x) => x.run));
  assert.equal([...runs], ["gasp", "heartbeat-keepalived", "heartbeat-bfd", "heartbeat-bfd-hw"]);
  const main = rows.filter((x) => x.run === "gasp");
  assert.ok(main.length > r.run.timeline.length, `${main.length} events, the report's timeline has ${r.run.timeline.length}`);
  assert.ok(main.filter((x) => x.event === "gasp.wire").length > 1, "repeated events are all there, not only the first");
  for (const e of r.run.timeline.filter((x: { name: string }) => x.name !== "service.first-rx")) {
    assert.ok(main.some((x) => x.event === e.name && x.tNs === e.tNs && x.source === e.source), `${e.name} at ${e.tNs}`);
  }
  const fault = main.find((x) => x.event === "fault.inject");
  assert.is(fault.tFromFaultNs, 0);
  assert.is(fault.tNs, r.run.figures.faultNs);
  const csv = fs.readFileSync(path.join(dir, "events.csv"), "utf8").trimEnd().split("\r\n");
  assert.is(csv[0], "run,t_ns,t_from_fault_ns,source,event,detail");
  assert.is(csv.length - 1, rows.length, "the CSV has the same rows");
  const inject = csv.find((l) => l.includes(",fault.inject,"))!;
  assert.match(inject, new RegExp(`^gasp,${fault.tNs},0,linecard-a,fault.inject,"\\{.*""kind"":""crash"".*\\}"$`));
});

test("text: the same figures as the JSON, the timeline from the fault, the comparison table", () => {
  assert.is(text.code, 0, text.err);
  const r = JSON.parse(json.out);
  assert.match(text.out, /timeline \(t = 0 at the fault: crash on linecard-a/);
  for (const label of ["gasp on the wire", "gasp accepted", "takeover (linecard-b: gasp)", "first GARP on the wire", "hosts moved", "first host packet"]) assert.ok(text.out.includes(label), label);
  assert.ok(text.out.includes(fmtNs(r.run.figures.firstGarpNs)), "the text shows the JSON's first-GARP time");
  for (const c of r.comparison) assert.ok(text.out.includes(c.mode) && text.out.includes(fmtNs(c.firstGarpNs)), c.mode);
  assert.match(text.out, /heartbeat only: keepalived\s+\d+\.\d+ ms\s+\d+×/);
});

test("--pcap-dir: one capture per link, tshark reads the gasp on the backplane and the standby's GARPs", () => {
  requireTshark();
  const caps = path.join(dir, "caps");
  const files = fs.readdirSync(caps).filter((f) => f.endsWith(".pcap"));
  assert.equal(files.sort(), ["h1--switch.pcap", "h2--switch.pcap", "linecard-a.bp0--linecard-b.bp0.pcap", "linecard-a.fp0--switch.pcap", "linecard-b.fp0--switch.pcap"]);
  const bp = fields(path.join(caps, "linecard-a.bp0--linecard-b.bp0.pcap"), ["eth.type", "eth.src"]);
  assert.ok(bp.length > 4 && bp.every((x) => x["eth.type"] === "0x88b5"), "the backplane carries gasps and hellos only");
  const garps = fields(path.join(caps, "h1--switch.pcap"), ["arp.isannouncement", "arp.src.hw_mac"], ["-Y", "arp.isannouncement == 1"]);
  assert.ok(garps.some((g) => g["arp.src.hw_mac"] === "02:00:00:0b:00:02"), "h1 heard the standby's announcement");
  for (const sub of ["heartbeat-keepalived", "heartbeat-bfd", "heartbeat-bfd-hw"]) assert.ok(fs.existsSync(path.join(caps, sub)), sub);
});

test("another scenario by --scenario; --no-pcap writes no capture; bad input exits 2 with one line naming it", async () => {
  const p = run("demo", "--scenario", path.join(ROOT, "scenarios", "power-loss.json"), "--json", "--no-pcap");
  assert.is(p.code, 0, p.err);
  const r = JSON.parse(p.out);
  assert.is(r.run.figures.takeoverReason, "heartbeat lost");
  assert.is(r.run.figures.gaspOnWireNs, null);
  assert.is(r.comparison.length, 1);
  assert.equal([r.pcaps, r.outDir], [[], null]);
  const bad: [string[], RegExp][] = [
    [["demo", "--scenario", "nope.json"], /^lastgasp demo: nope\.json: \/: no such file$/],
    [["demo", "--scenario", path.join(ROOT, "test", "fixtures", "scenarios", "fault-unit.json")], /fault-unit\.json:21:7: \/faults\/0\/unit: "linecard-c" is not one of the boards/],
    [["demo", "--scenario", path.join(ROOT, "test", "fixtures", "scenarios", "unknown-kind.json")], /\/kind: "tour" is not a known scenario kind/],
    [["demo", "--seed", "x"], /--seed/],
    [["demo", "extra"], /extra: unexpected argument/],
  ];
  for (const [args, msg] of bad) {
    const b = await runInProcess(...args);
    assert.is(b.code, 2, `${args.join(" ")}: ${b.err}`);
    assert.is(b.out, "");
    assert.is(b.err.split("\n").length, 1, b.err);
    assert.match(b.err, msg);
  }
});

test("expectations gate CI: hosts left on a dead unit's MAC, too many packets lost, the wrong unit active: exit 1", () => {
  // Power lost with keepalived's 3 s detection and a run that ends 0.5 s later: nobody takes
  // over. Then BFD, which fails over, but the scenario allows no lost packet and names the
  // wrong survivor.
  const base = JSON.parse(fs.readFileSync(path.join(ROOT, "scenarios", "power-loss.json"), "utf8"));
  const write = (name: string, patch: (s: any) => void) => {
    const s = JSON.parse(JSON.stringify(base));
    s.chassis.boards = s.chassis.boards.map((b: string) => path.join(ROOT, "scenarios", b));
    patch(s);
    fs.writeFileSync(path.join(dir, name), JSON.stringify(s));
    return path.join(dir, name);
  };
  const stuck = run("demo", "--scenario", write("stuck.json", (s) => { s.durationMs = 2000; s.timers.heartbeat = { preset: "keepalived" }; delete s.expect; }), "--no-pcap");
  assert.is(stuck.code, 1, stuck.err);
  assert.match(stuck.out, /FAIL {2}one-active +0 units active at the end/);
  assert.match(stuck.out, /FAIL {2}no-dead-mac +hosts still sending to a dead unit's MAC: h1, h2/);
  assert.match(stuck.out, /checks: 3 FAILED/);
  const strict = run("demo", "--scenario", write("strict.json", (s) => (s.expect = { activeAtEnd: "linecard-a", maxLost: 0 })), "--no-pcap", "--json");
  assert.is(strict.code, 1, strict.err);
  const r = JSON.parse(strict.out);
  assert.is(r.ok, false);
  const failed = r.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string; detail: string }) => `${c.name}: ${c.detail}`);
  assert.equal(failed.length, 2, failed.join("\n"));
  assert.match(failed[0], /^active-at-end: expected linecard-a active at the end, linecard-b is$/);
  assert.match(failed[1], /^max-lost: \d+ packets lost \(at most 0 expected\)$/);
});

test("progress on a terminal: one line rewritten in place, cleared at the end; nothing when stderr is not a terminal", () => {
  // A pseudo-terminal from script(1); LASTGASP_PROGRESS_AFTER_MS=0 shows progress however fast the run is.
  const cmd = `${process.execPath} ${BIN} demo --no-pcap --scenario ${path.join(ROOT, "scenarios", "hang.json")} >/dev/null`;
  const env: NodeJS.ProcessEnv = { ...process.env, LASTGASP_PROGRESS_AFTER_MS: "0" };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  const tty = spawnSync("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8", env });
  assert.is(tty.status, 0, tty.stdout + tty.stderr);
  const frames = tty.stdout.split("\r\x1b[K").filter((x) => x !== "");
  assert.ok(frames.length >= 2, JSON.stringify(tty.stdout.slice(0, 200)));
  assert.match(frames[0], /^demo hang: run 1, simulated \d+\.\d\d of 3\.00 s \(\d+ %\)/);
  assert.ok(tty.stdout.endsWith("\r\x1b[K"), `the line is cleared at the end: ${JSON.stringify(tty.stdout.slice(-60))}`);
  const piped = spawnCli(["demo", "--no-pcap", "--scenario", path.join(ROOT, "scenarios", "hang.json")], dir, { env: { LASTGASP_PROGRESS_AFTER_MS: "0" } });
  assert.is(piped.code, 0);
  assert.is(piped.err, "", "no progress into a pipe");
  // The reporter itself: counts runs, waits its second, draws at most every 100 ms.
  let now = 0;
  const out: string[] = [];
  const p = new Progress("x", { isTTY: true, write: (t: string) => out.push(t) }, () => now);
  p.update(5e8, 1e9);
  assert.is(out.length, 0, "nothing in the first second");
  now = 1500;
  p.update(6e8, 1e9);
  now = 1550;
  p.update(7e8, 1e9);
  now = 1700;
  p.update(1e8, 1e9);
  assert.equal(out.map((t) => t.replace(/, [\d.]+ s$/, "")), ["\r\x1b[Kx: run 1, simulated 0.60 of 1.00 s (60 %)", "\r\x1b[Kx: run 2, simulated 0.10 of 1.00 s (10 %)"]);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
