// `lastgasp sync-check` and `lastgasp sync-demo` as a user runs them: exit codes (0 syncs
// hot, 1 incompatible or unsyncable, 2 bad input with one line naming it), the --json
// report's shape, and the demo's pcap.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { requireTshark, tmpDir, fields } from "./helpers/tshark";
import { CONFIGS } from "../host/campaign/sync-images";
import { parseConfigText } from "../host/sync/config";
import { shipped } from "../host/sync/images";
import { spawnCli, runCliInProcess } from "./helpers/cli";

const dir = tmpDir("sync-cli");
const spawn = (...args: string[]) => spawnCli(args, dir);
const run = (...args: string[]) => runCliInProcess(args, dir);

const conf = (name: string) => path.join(CONFIGS, name);
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

const EXIT: [string, string, string, number][] = [
  ["1.0", "1.1", "lb-1.0.conf", 0],
  ["1.1", "2.0", "lb-1.1.conf", 0],
  ["2.0", "1.1", "lb-2.0.conf", 0],
  ["1.1", "1.1", "lb-1.1.conf", 0],
  ["1.1", "1.0", "lb-1.1.conf", 1], // IPv6 ACLs: out of sync
  ["2.0", "1.1", "lb-2.0-dualstack.conf", 1], // policy resets the standby
  ["2.0", "1.0", "lb-2.0.conf", 1], // incompatible images
  ["1.0", "2.0", "lb-1.0.conf", 1],
];

for (const [a, s, file, code] of EXIT) {
  test(`sync-check --active ${a} --standby ${s} ${file}: exit ${code}`, async () => {
    const r = await run("sync-check", "--active", a, "--standby", s, conf(file));
    assert.is(r.code, code, r.err);
    assert.is(r.err, "");
    assert.match(r.out, /^sync-check /);
    assert.match(r.out, code === 0 ? /Mode: SSO/ : /Mode: (RPR|non-redundant)/);
  });
}

test("the incompatible pair's report names the diff-list entries with no way across", async () => {
  const r = await run("sync-check", "--active", "2.0", "--standby", "1.0", conf("lb-2.0.conf"));
  assert.is(r.code, 1);
  assert.match(r.out, /Images INCOMPATIBLE \(\d+ entries without a way across\)/);
  assert.match(r.out, /ADL failover timers heartbeat <10-10000> dead-multiplier <2-20>: image 2\.0 has no 1\.1→1\.0 transform/);
  assert.match(r.out, /Standby configuration: not synced/);
});

test("--json: one object with the diff lists, a fate per config line, the mode and the standby config", async () => {
  const r = await run("sync-check", "--active", "2.0", "--standby", "1.1", conf("lb-2.0.conf"), "--json");
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  for (const k of ["file", "active", "standby", "direction", "table", "compatible", "reasons", "adl", "sdl", "lines", "counts", "policyEvents", "mode", "inSync", "syncable", "standbyConfig"]) assert.ok(k in j, k);
  assert.is(j.direction, "downgrade");
  assert.is(j.mode, "sso");
  const cmds = parseConfigText(shipped().get("2.0").grammar, fs.readFileSync(conf("lb-2.0.conf"), "utf8")).lines;
  assert.equal(j.lines.map((l: any) => l.line), cmds.map((c) => c.lineNo));
  const kinds = new Set(j.lines.map((l: any) => l.fate));
  for (const k of kinds) assert.ok(["unchanged", "transformed", "dcl", "policy", "superseded", "noop"].includes(k as string), String(k));
  assert.ok(kinds.has("transformed") && kinds.has("dcl") && kinds.has("policy") && kinds.has("unchanged"));
  const vip = j.lines.find((l: any) => l.text === "failover vip 2001:db8:0:1::10 interface eth0");
  assert.equal(vip.result, ["vip6 2001:db8:0:1::10 interface eth0"]);
  assert.equal(vip.steps.map((s: any) => `${s.from}→${s.to}`), ["2.0→1.1"]);
  const refresh = j.lines.find((l: any) => l.text.startsWith("failover announce refresh"));
  assert.is(refresh.policy.action, "warn");
  assert.is(j.adl.length, 16);
  assert.ok(j.adl.every((e: any) => ["transform", "dcl", "policy"].includes(e.status)));
  const expected = parseConfigText(shipped().get("1.1").grammar, fs.readFileSync(path.join(CONFIGS, "expected", "lb-2.0.to-1.1.conf"), "utf8")).lines.map((l) => l.cmd.text);
  assert.equal([...j.standbyConfig].sort(), [...expected].sort());
});

test("--strict turns warnings into out-of-sync: exit 1", async () => {
  const r = await run("sync-check", "--active", "2.0", "--standby", "1.1", conf("lb-2.0.conf"), "--strict", "--json");
  assert.is(r.code, 1);
  assert.is(JSON.parse(r.out).mode, "rpr");
});

const bad = write("bad.conf", "hostname lb-a\n! fine so far\ninterface eth0 mtu 99999\nfailover heartbeat 100 3\nfrobnicate\n");
const BAD: [string[], RegExp][] = [
  [["sync-check", "--active", "3.0", "--standby", "1.1", conf("lb-2.0.conf")], /--active: unknown version 3\.0 \(known: 1\.0, 1\.1, 2\.0\)/],
  [["sync-check", "--active", "2.0", conf("lb-2.0.conf")], /--standby: required/],
  [["sync-check", "--active", "2.0", "--standby", "1.1"], /missing argument/],
  [["sync-check", "--active", "2.0", "--standby", "1.1", path.join(dir, "nope.conf")], /nope\.conf: no such file/],
  [["sync-check", "--active", "1.0", "--standby", "1.1", bad], /bad\.conf line 3: mtu: 99999 is out of range 576\.\.9216: "interface eth0 mtu 99999" \(and 1 more bad line\)/],
  [["sync-check", "--active", "2.0", "--standby", "1.1", conf("lb-1.0.conf")], /lb-1\.0\.conf line 8: "access-group" is not valid after "interface eth0" \(expected .*\): "interface eth0 access-group in OUTSIDE-IN" \(and 27 more bad lines\)/],
  [["sync-check", "--active", "2.0", "--standby", "1.1", conf("lb-2.0.conf"), "--frobnicate"], /--frobnicate: unknown option/],
  [["sync-check", "--active", "2.0", "--standby", "1.1", conf("lb-2.0.conf"), "extra"], /extra: unexpected argument/],
  [["sync-demo", "--loss", "2"], /--loss: "2" is not a number in 0\.\.0\.9/],
  [["sync-demo", "--active", "9"], /--active: unknown version 9/],
  [["sync-demo", "--config", bad, "--active", "1.0"], /--config: .*bad\.conf line 3/],
];
for (const [args, names] of BAD) {
  test(`bad input exits 2 with one line: ${args.slice(0, 5).map((a) => path.basename(a)).join(" ")}`, async () => {
    const r = await run(...args);
    assert.is(r.code, 2, r.out + r.err);
    assert.is(r.out, "");
    assert.is(r.err.trim().split("\n").length, 1, r.err);
    assert.match(r.err, names);
  });
}

test("sync-demo: bulk sync, live changes, verification, transport figures, a pcap tshark reads", async () => {
  requireTshark();
  const r = await run("sync-demo", "--pcap", "sd.pcap", "--seed", "4");
  assert.is(r.code, 0, r.err);
  for (const s of ["== bulk sync", "== live changes", "== final verification", "standby running config == expected", "== transport", "retransmitted"]) assert.ok(r.out.includes(s), s);
  assert.match(r.out, /result: hot standby \(SSO\), standby configuration as expected/);
  const rows = fields(path.join(dir, "sd.pcap"), ["frame.protocols", "udp.dstport"]);
  assert.ok(rows.length > 20);
  assert.ok(rows.every((x) => x["frame.protocols"].startsWith("eth:ethertype:ip:udp") && x["udp.dstport"] === "50613"));
  const again = await run("sync-demo", "--pcap", "sd2.pcap", "--seed", "4");
  assert.is(again.out.replace(/sd2/g, "sd"), r.out, "the same seed replays the same run");
});

test("sync-demo for an upgrade pair and an incompatible pair", async () => {
  // The live changes include one 1.1 cannot take (MTU 1000): the pair falls back to RPR, and a
  // pair that is not hot at the end is a failed check, as sync-check says for it.
  const up = await run("sync-demo", "--active", "1.0", "--standby", "1.1", "--pcap", "up.pcap");
  assert.is(up.code, 1, up.err);
  assert.match(up.out, /result: NOT hot: mode rpr/);
  assert.match(up.out, /console baud 9600\n\s+dcl/);
  assert.match(up.out, /interface eth3 mtu 1000\n\s+policy.*MTU 1000 is below 1\.1's minimum/);
  const cold = await run("sync-demo", "--active", "2.0", "--standby", "1.0", "--pcap", "cold.pcap");
  assert.is(cold.code, 1, cold.err);
  assert.match(cold.out, /result: NOT hot: mode rpr, standby running config != expected/);
  assert.match(cold.out, /images incompatible/);
  assert.match(cold.out, /not-synced/);
});

test("as a user runs it (child processes): exit 0, exit 1, and exit 2 with one line on stderr", () => {
  const hot = spawn("sync-check", "--active", "1.0", "--standby", "1.1", conf("lb-1.0.conf"), "--json");
  assert.is(hot.code, 0, hot.err);
  assert.is(JSON.parse(hot.out).mode, "sso");
  const cold = spawn("sync-check", "--active", "2.0", "--standby", "1.0", conf("lb-2.0.conf"));
  assert.is(cold.code, 1, cold.err);
  assert.match(cold.out, /INCOMPATIBLE/);
  const bad = spawn("sync-check", "--active", "2.0", "--standby", "0.9", conf("lb-2.0.conf"));
  assert.is(bad.code, 2);
  assert.is(bad.out, "");
  assert.equal(bad.err.trim().split("\n"), ["lastgasp sync-check: --standby: unknown version 0.9 (known: 1.0, 1.1, 2.0)"]);
});

test.run();
