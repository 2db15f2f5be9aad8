// `lastgasp demo` as a user runs it: the default scenario's timeline, milestones and the
// comparison with heartbeat-only failover, as text and as JSON with the same figures; a pcap
// per link that tshark reads (the gasp on the backplane, the takeover's GARPs); bad input.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { requireTshark, tmpDir, fields } from "./helpers/tshark";
import { fmtNs } from "../host/chassis/report";
import { main } from "../host/cli/main";

const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "bin", "lastgasp.js");
const dir = tmpDir("demo-cli");
const env = { ...process.env };
delete env.FORCE_COLOR;
delete env.NO_COLOR;

/** main(argv) with stdout/stderr captured. */
async function runInProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...xs: unknown[]) => void out.push(xs.join(" "));
  console.error = (...xs: unknown[]) => void err.push(xs.join(" "));
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const json = run("demo", "--json", "--pcap-dir", "caps");
const text = run("demo", "--pcap-dir", "caps-text");

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

test("another scenario by --scenario; bad input exits 2 with one line naming it", async () => {
  const p = run("demo", "--scenario", path.join(ROOT, "scenarios", "power-loss.json"), "--json", "--pcap-dir", "pl");
  assert.is(p.code, 0, p.err);
  const r = JSON.parse(p.out);
  assert.is(r.run.figures.takeoverReason, "heartbeat lost");
  assert.is(r.run.figures.gaspOnWireNs, null);
  assert.is(r.comparison.length, 1);
  const bad: [string[], RegExp][] = [
    [["demo", "--scenario", "nope.json"], /--scenario: nope\.json: \/: no such file/],
    [["demo", "--scenario", path.join(ROOT, "test", "fixtures", "scenarios", "fault-unit.json")], /\/faults\/0\/unit: "linecard-c" is not one of the boards/],
    [["demo", "--scenario", path.join(ROOT, "test", "fixtures", "scenarios", "unknown-kind.json")], /\/kind: "tour" is not a known scenario kind/],
    [["demo", "--seed", "x"], /--seed/],
    [["demo", "extra"], /extra: unexpected argument/],
  ];
  for (const [args, msg] of bad) {
    // In this process (a CLI start-up costs seconds on a loaded machine); the runs above went
    // through the bin script as a user runs it.
    const b = await runInProcess(...args);
    assert.is(b.code, 2, `${args.join(" ")}: ${b.err}`);
    assert.is(b.out, "");
    assert.is(b.err.trim().split("\n").length, 1, b.err);
    assert.match(b.err, msg);
  }
});

test.run();
