// The CLI as a user runs it: bin/lastgasp.js, the compiled host, in a child process. The
// exit-code convention of docs/cli.md (0 success, 1 the check failed, 2 bad input) and its
// errors: one line per problem on stderr, a JSON error object on stdout under --json, never a
// stack trace — for a broad list of bad inputs: output paths that are directories, in
// missing folders or under a file, missing/empty/directory inputs, bad numbers, bad MACs.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnCli, ROOT } from "./helpers/cli";
import * as fs from "fs";
import * as path from "path";
import { readPcap } from "../host/pcap";
import { requireTshark, tmpDir, fields } from "./helpers/tshark";
import { COMMANDS } from "../host/cli/commands";

const dir = tmpDir("cli");
const run = (...args: string[]) => spawnCli(args, dir);
const MAC = ["--mac", "02:00:00:aa:bb:cc"];
const GARP = ["encode", "garp", "--ip", "203.0.113.9", ...MAC];

// Places for the path cases: a directory, a file, an empty file, a missing folder.
fs.mkdirSync(path.join(dir, "adir"));
fs.writeFileSync(path.join(dir, "afile"), "x");
fs.writeFileSync(path.join(dir, "empty.json"), "");
fs.writeFileSync(path.join(dir, "key.hex"), "ab".repeat(32), { mode: 0o600 });
fs.writeFileSync(path.join(dir, "open.key"), "ab".repeat(32), { mode: 0o644 });
fs.writeFileSync(path.join(dir, "short.key"), "ab".repeat(16), { mode: 0o600 });
fs.writeFileSync(path.join(dir, "text.key"), "not a hex key at all, but long enough to pass a length test", { mode: 0o600 });
fs.writeFileSync(path.join(dir, "notpcap.pcap"), "this is not a capture");

/** No stack trace, no "Error:" dump: what a user sees is our own lines. */
function noTrace(err: string): void {
  assert.not.match(err, /\n\s+at |Error:|node:internal/, err);
}

test("--help lists every command; every command has --help; --version; help TOPIC", () => {
  const r = run("--help");
  assert.is(r.code, 0);
  for (const c of COMMANDS) assert.ok(r.out.includes(c.name), c.name);
  assert.match(r.out, /exit status: 0 success; 1 what was checked failed; 2 bad input/);
  for (const c of COMMANDS) {
    const h = run(c.name, "--help");
    assert.is(h.code, 0, c.name);
    assert.ok(h.out.startsWith(`usage: lastgasp ${c.name}`), `${c.name}: ${h.out.slice(0, 80)}`);
    assert.match(h.out, /exit status: 0/, `${c.name} --help states its exit status`);
  }
  const v = run("--version");
  assert.is(v.code, 0);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  assert.match(v.out.trim(), new RegExp(`^lastgasp ${pkg.version.replace(/\./g, "\\.")} \\(core ABI \\d+\\)$`));
  const t = run("help", "encode");
  assert.is(t.code, 0);
  assert.ok(t.out.startsWith("usage: lastgasp encode"));
});

test("encode garp --pcap writes a 60-byte broadcast ARP request tshark reads as an announcement", () => {
  requireTshark();
  const r = run(...GARP, "--pcap", "x.pcap");
  assert.is(r.code, 0, r.err);
  const recs = readPcap(fs.readFileSync(path.join(dir, "x.pcap")));
  assert.is(recs.length, 1);
  assert.is(recs[0].data.length, 60);
  const [f] = fields(path.join(dir, "x.pcap"), ["eth.dst", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "arp.isannouncement"]);
  assert.equal(f, { "eth.dst": "ff:ff:ff:ff:ff:ff", "arp.opcode": "1", "arp.src.proto_ipv4": "203.0.113.9", "arp.dst.proto_ipv4": "203.0.113.9", "arp.isannouncement": "1" });
  // An existing file is replaced, as tcpdump -w does.
  const again = run(...GARP, "--count", "2", "--pcap", "x.pcap");
  assert.is(again.code, 0, again.err);
  assert.is(readPcap(fs.readFileSync(path.join(dir, "x.pcap"))).length, 2);
});

test("encode na: Override set, hop limit 255, checksum Good", () => {
  const r = run("encode", "na", "--ip", "2001:db8::9", ...MAC, "--pcap", "na.pcap", "--json");
  assert.is(r.code, 0, r.err);
  assert.is(JSON.parse(r.out).length, 86);
  const [f] = fields(path.join(dir, "na.pcap"), ["icmpv6.nd.na.flag.o", "ipv6.hlim", "icmpv6.checksum.status"]);
  assert.equal(f, { "icmpv6.nd.na.flag.o": "1", "ipv6.hlim": "255", "icmpv6.checksum.status": "1" });
});

/** Bad input: exit 2, nothing on stdout, one line on stderr naming it, no stack trace. */
const BAD: [string, string[], RegExp][] = [
  // the command line
  ["no command", [], /^lastgasp: missing command/],
  ["unknown command", ["nosuchcommand"], /nosuchcommand: unknown command/],
  ["unknown global option", ["--frobnicate"], /--frobnicate: unknown option/],
  ["help for no such command", ["help", "nosuch"], /nosuch: unknown command/],
  ["unknown option", [...GARP, "--frobnicate"], /--frobnicate: unknown option/],
  ["an option twice", [...GARP, "--vlan", "1", "--vlan", "2"], /--vlan: given more than once/],
  ["a missing value", [...GARP, "--vlan"], /--vlan: needs a value/],
  ["unknown frame kind", ["encode", "rarp", "--ip", "203.0.113.9", ...MAC], /rarp: unknown frame kind/],
  // numbers
  ["--vlan -1", [...GARP, "--vlan", "-1"], /--vlan: "-1" is not a VLAN ID in 0\.\.4094/],
  ["--vlan 4095", [...GARP, "--vlan", "4095"], /--vlan: "4095" is not a VLAN ID/],
  ["--vlan 1.5", [...GARP, "--vlan", "1.5"], /--vlan: "1\.5" is not a VLAN ID/],
  ["--vlan x", [...GARP, "--vlan", "x"], /--vlan: "x" is not a VLAN ID/],
  ["--count 0", [...GARP, "--count", "0"], /--count: "0" is not an integer in 1\.\.1000/],
  ["--seed -1", ["demo", "--seed", "-1"], /--seed: "-1" is not an integer/],
  ["--loss -0.1", ["sync-demo", "--loss", "-0.1"], /--loss: "-0\.1" is not a number in 0\.\.0\.9/],
  ["send --interval-ms -5", ["send", "garp", "--iface", "lo", "--ip", "203.0.113.9", ...MAC, "--interval-ms", "-5", "--dry-run"], /--interval-ms: "-5" is not an integer/],
  // addresses
  ["a bad IPv4", ["encode", "garp", "--ip", "203.0.113.256", ...MAC], /--ip: not an IPv4 address/],
  ["IPv4 for na", ["encode", "na", "--ip", "203.0.113.9", ...MAC], /--ip: not an IPv6 address/],
  ["a short MAC", ["encode", "garp", "--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb"], /--mac: not a MAC address/],
  ["a multicast source MAC", ["encode", "garp", "--ip", "203.0.113.9", "--mac", "01:00:5e:00:00:01"], /--mac: 01:00:5e:00:00:01 is a multicast address/],
  ["the broadcast MAC as source", ["encode", "na", "--ip", "2001:db8::1", "--mac", "ff:ff:ff:ff:ff:ff"], /--mac: ff:ff:ff:ff:ff:ff is the broadcast address/],
  ["encode without --mac", ["encode", "garp", "--ip", "203.0.113.9"], /--mac: required/],
  // output paths
  ["encode --pcap a directory", [...GARP, "--pcap", "adir"], /--pcap: adir: is a directory/],
  ["encode --pcap in a missing folder", [...GARP, "--pcap", "missing/x.pcap"], /--pcap: missing\/x\.pcap: no such directory missing/],
  ["encode --pcap under a file", [...GARP, "--pcap", "afile/x.pcap"], /--pcap: afile\/x\.pcap: afile is not a directory/],
  ["encode --pcap ending in /", [...GARP, "--pcap", "new/"], /--pcap: new\/: names a directory/],
  ["bringup --pcap an existing file", ["bringup", path.join(ROOT, "boards", "linecard-a.json"), "--pcap", "afile"], /--pcap: afile: exists and is not a directory/],
  ["bringup --pcap under a file", ["bringup", path.join(ROOT, "boards", "linecard-a.json"), "--pcap", "afile/caps"], /--pcap: afile\/caps: afile is a file, not a directory/],
  ["sync-demo --pcap a directory", ["sync-demo", "--pcap", "adir"], /--pcap: adir: is a directory/],
  ["sync-demo --pcap in a missing folder", ["sync-demo", "--pcap", "missing/sd.pcap"], /--pcap: missing\/sd\.pcap: no such directory/],
  ["sync-demo --pcap with --no-pcap", ["sync-demo", "--pcap", "x.pcap", "--no-pcap"], /--pcap: not with --no-pcap/],
  ["demo --out an existing file", ["demo", "--out", "afile"], /--out: afile: exists and is not a directory/],
  ["demo --pcap-dir an existing file", ["demo", "--pcap-dir", "afile"], /--pcap-dir: afile: exists and is not a directory/],
  ["demo --out under a file", ["demo", "--out", "afile/demo"], /--out: afile\/demo: afile is a file, not a directory/],
  ["demo --out with --no-pcap", ["demo", "--out", "x", "--no-pcap"], /--out: not with --no-pcap/],
  ["demo --events a directory", ["demo", "--no-pcap", "--events", "adir"], /--events: adir: is a directory/],
  ["demo --events in a missing folder", ["demo", "--no-pcap", "--events", "missing/e.csv"], /--events: missing\/e\.csv: no such directory/],
  ["demo --events-format xml", ["demo", "--no-pcap", "--events", "e.txt", "--events-format", "xml"], /--events-format: "xml" is not jsonl or csv/],
  // input files
  ["bringup a missing board", ["bringup", "nope.json"], /nope\.json: \/: no such file/],
  ["bringup an empty board", ["bringup", "empty.json"], /empty\.json: \/: is empty/],
  ["bringup a directory", ["bringup", "adir"], /adir: \/: is a directory, not a file/],
  ["demo a missing scenario", ["demo", "--scenario", "nope.json"], /: nope\.json: \/: no such file/],
  ["demo an empty scenario", ["demo", "--scenario", "empty.json"], /: empty\.json: \/: is empty/],
  ["demo a directory as scenario", ["demo", "--scenario", "adir"], /: adir: \/: is a directory/],
  ["sync-check a missing config", ["sync-check", "--active", "2.0", "--standby", "1.1", "nope.conf"], /nope\.conf: no such file/],
  ["sync-check an empty config", ["sync-check", "--active", "2.0", "--standby", "1.1", "empty.json"], /empty\.json: is empty/],
  ["sync-check a directory", ["sync-check", "--active", "2.0", "--standby", "1.1", "adir"], /adir: is a directory/],
  ["sync-demo a missing config", ["sync-demo", "--config", "nope.conf"], /--config: nope\.conf: no such file/],
  ["verify-gasp a missing capture", ["verify-gasp", "--pcap", "nope.pcap", "--key-file", "key.hex"], /--pcap: nope\.pcap: no such file/],
  ["verify-gasp an empty capture", ["verify-gasp", "--pcap", "empty.json", "--key-file", "key.hex"], /--pcap: empty\.json: is empty/],
  ["verify-gasp not a capture", ["verify-gasp", "--pcap", "notpcap.pcap", "--key-file", "key.hex"], /--pcap: notpcap\.pcap: not a pcap or pcapng file/],
  // keys
  ["a key on the command line", ["encode", "gasp", ...MAC, "--key", "secret"], /--key: not accepted: a key on the command line is visible/],
  ["no key file", ["encode", "gasp", ...MAC], /--key-file: required/],
  ["a missing key file", ["encode", "gasp", ...MAC, "--key-file", "nope.key"], /--key-file: nope\.key: no such file/],
  ["a key file others can read", ["encode", "gasp", ...MAC, "--key-file", "open.key"], /--key-file: open\.key: chassis key is readable by group or others \(mode 0644\); chmod 600 open\.key/],
  ["a 16-byte key", ["encode", "gasp", ...MAC, "--key-file", "short.key"], /--key-file: short\.key: is 16 bytes: a chassis key has at least 32/],
  ["a key that is not hex", ["encode", "gasp", ...MAC, "--key-file", "text.key"], /--key-file: text\.key: is not hex/],
  ["an empty key file", ["verify-gasp", "--pcap", "x.pcap", "--key-file", "empty.json"], /--key-file: empty\.json: chassis key is readable by group or others|--key-file: empty\.json: is empty/],
  ["a key file that is a directory", ["verify-gasp", "--pcap", "x.pcap", "--key-file", "adir"], /--key-file: adir: is a directory/],
];
for (const [name, args, msg] of BAD) {
  test(`bad input exits 2 with one line: ${name}`, () => {
    const r = run(...args);
    assert.is(r.code, 2, `${r.out}${r.err}`);
    assert.is(r.out, "");
    assert.is(r.err.trim().split("\n").length, 1, r.err);
    assert.match(r.err, msg);
    noTrace(r.err);
  });
}

test("nothing half-applied: a bad scenario leaves no output directory behind", () => {
  const r = run("demo", "--scenario", path.join(ROOT, "test", "fixtures", "scenarios", "fault-unit.json"), "--out", "never/made", "--events", "never/made/e.csv");
  assert.is(r.code, 2);
  assert.not.ok(fs.existsSync(path.join(dir, "never")), "the run created nothing");
});

test("--json: bad input is also a JSON error object on stdout (exit code, message, problems)", () => {
  const r = run(...GARP, "--vlan", "-1", "--json");
  assert.is(r.code, 2);
  assert.match(r.err, /--vlan/);
  const e = JSON.parse(r.out).error;
  assert.equal([e.command, e.exitCode], ["encode", 2]);
  assert.match(e.message, /--vlan: "-1" is not a VLAN ID/);
  const s = run("demo", "--scenario", path.join(ROOT, "test", "fixtures", "scenarios", "heartbeat-both.json"), "--json", "--no-pcap");
  assert.is(s.code, 2);
  const p = JSON.parse(s.out).error.problems;
  assert.equal(p.map((x: { path: string }) => x.path), ["/timers/heartbeat/intervalMs", "/timers/heartbeat/multiplier"]);
  assert.ok(p.every((x: { file: string; line: number; column: number }) => x.file.endsWith("heartbeat-both.json") && x.line > 0 && x.column > 0));
  assert.is(s.err.trim().split("\n").length, 2, "one line per problem");
});

test("demo writes a capture per link that tshark reads (test/demo-cli.test.ts has the rest)", () => {
  const r = run("demo", "--scenario", path.join(ROOT, "scenarios", "power-loss.json"), "--out", "demo/nested");
  assert.is(r.code, 0, r.err);
  const rows = fields(path.join(dir, "demo", "nested", "h1--switch.pcap"), ["frame.protocols"]);
  assert.ok(rows.length >= 2);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
