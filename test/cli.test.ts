// The CLI as a user runs it: `lastgasp` through its bin script, in a child process. The
// per-command --help and bad-input cases go through the same main() in this process: each
// child process costs a ts-node start-up of seconds on a loaded machine, and the bin script
// adds nothing but the exit code (checked by the first bad input, as a child).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnCli, runCliInProcess } from "./helpers/cli";
import * as fs from "fs";
import * as path from "path";
import { readPcap } from "../host/pcap";
import { requireTshark, tmpDir, fields } from "./helpers/tshark";
import { COMMANDS } from "../host/cli/commands";

const dir = tmpDir("cli");
const run = (...args: string[]) => spawnCli(args, dir);
const runHere = (...args: string[]) => runCliInProcess(args, dir);

test("lastgasp --help lists every command", () => {
  const r = run("--help");
  assert.is(r.code, 0);
  for (const c of COMMANDS) assert.ok(r.out.includes(c.name), c.name);
});

test("every command has --help (exit 0, usage line)", async () => {
  for (const c of COMMANDS) {
    const r = await runHere(c.name, "--help");
    assert.is(r.code, 0, c.name);
    assert.ok(r.out.startsWith(`usage: lastgasp ${c.name}`), `${c.name}: ${r.out.slice(0, 80)}`);
  }
});

test("encode garp --pcap writes a 60-byte broadcast ARP request tshark reads as an announcement", () => {
  requireTshark();
  const r = run("encode", "garp", "--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb:cc", "--pcap", "x.pcap");
  assert.is(r.code, 0, r.err);
  const recs = readPcap(fs.readFileSync(path.join(dir, "x.pcap")));
  assert.is(recs.length, 1);
  assert.is(recs[0].data.length, 60);
  const [f] = fields(path.join(dir, "x.pcap"), ["eth.dst", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "arp.isannouncement"]);
  assert.equal(f, { "eth.dst": "ff:ff:ff:ff:ff:ff", "arp.opcode": "1", "arp.src.proto_ipv4": "203.0.113.9", "arp.dst.proto_ipv4": "203.0.113.9", "arp.isannouncement": "1" });
});

test("encode na: Override set, hop limit 255, checksum Good", () => {
  const r = run("encode", "na", "--ip", "2001:db8::9", "--mac", "02:00:00:aa:bb:cc", "--pcap", "na.pcap", "--json");
  assert.is(r.code, 0, r.err);
  assert.is(JSON.parse(r.out).length, 86);
  const [f] = fields(path.join(dir, "na.pcap"), ["icmpv6.nd.na.flag.o", "ipv6.hlim", "icmpv6.checksum.status"]);
  assert.equal(f, { "icmpv6.nd.na.flag.o": "1", "ipv6.hlim": "255", "icmpv6.checksum.status": "1" });
});

const badInputs: [string[], RegExp][] = [
  [["encode", "garp", "--ip", "203.0.113.256", "--mac", "02:00:00:aa:bb:cc"], /--ip/],
  [["encode", "garp", "--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb"], /--mac/],
  [["encode", "garp", "--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb:cc", "--vlan", "4095"], /--vlan/],
  [["encode", "garp", "--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb:cc", "--vlan", "x"], /--vlan/],
  [["encode", "na", "--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb:cc"], /--ip/],
  [["encode", "garp", "--mac", "02:00:00:aa:bb:cc"], /--ip/],
  [["encode", "rarp", "--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb:cc"], /rarp/],
  [["encode", "garp", "--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb:cc", "--frobnicate"], /--frobnicate/],
  [["nosuchcommand"], /nosuchcommand/],
];
badInputs.forEach(([args, names], i) => {
  test(`bad input exits 2 with one line naming it: ${args.join(" ")}`, async () => {
    const r = i === 0 ? run(...args) : await runHere(...args);
    assert.is(r.code, 2, r.err);
    assert.is(r.out, "");
    assert.is(r.err.trim().split("\n").length, 1, r.err);
    assert.match(r.err, names);
  });
});

test("demo writes a capture per link that tshark reads (test/demo-cli.test.ts has the rest)", () => {
  const r = run("demo", "--scenario", path.join(__dirname, "..", "scenarios", "power-loss.json"), "--pcap-dir", "demo");
  assert.is(r.code, 0, r.err);
  const rows = fields(path.join(dir, "demo", "h1--switch.pcap"), ["frame.protocols"]);
  assert.ok(rows.length >= 2);
});

test.run();
