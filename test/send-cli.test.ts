// `lastgasp send` without touching any interface: bad input exits 2 with one line naming the
// argument; --dry-run builds exactly the frame `encode` builds. The bad inputs go through
// main() in this process (a CLI start-up costs seconds on a loaded machine); one case and
// the dry run go through the bin script as a user runs it. (The frames on a real
// interface: test/linux-neigh.test.ts.)

import { test } from "uvu";
import * as assert from "uvu/assert";
import { FRAME_SOURCES } from "../host/cli/frame-sources";
import { spawnCli, runCliInProcess } from "./helpers/cli";

/** main(argv) with stdout/stderr captured. */
const runInProcess = (...args: string[]) => runCliInProcess(args);
const run = (...args: string[]) => spawnCli(args);

const IP = ["--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb:cc"];
const badInputs: [string[], RegExp][] = [
  [["send", "garp", ...IP], /--iface: required/],
  [["send", "garp", "--iface", "lo", "--ip", "203.0.113.300", "--mac", "02:00:00:aa:bb:cc"], /--ip/],
  [["send", "na", "--iface", "lo", ...IP], /--ip/],
  [["send", "garp", "--iface", "lo", "--ip", "203.0.113.9", "--mac", "zz:00:00:aa:bb:cc"], /--mac/],
  [["send", "garp", "--iface", "lo", ...IP, "--count", "0"], /--count/],
  [["send", "garp", "--iface", "lo", ...IP, "--interval-ms", "soon"], /--interval-ms/],
  [["send", "garp", "--iface", "lo", ...IP, "--vlan", "4095"], /--vlan/],
  [["send", "garp", "--iface", "lo", ...IP, "--router"], /--router/],
  [["send", "garp", "--iface", "a/b", ...IP], /--iface/],
  [["send", "rarp", "--iface", "lo", ...IP], /rarp/],
  [["send", "garp", "--iface", "lgnosuch0", ...IP], /--iface: lgnosuch0: no such interface/],
];
for (const [args, names] of badInputs) {
  test(`bad input exits 2 with one line naming it: ${args.slice(1).join(" ")}`, async () => {
    const r = await runInProcess(...args);
    assert.is(r.code, 2, r.err);
    assert.is(r.out, "");
    assert.is(r.err.trim().split("\n").length, 1, r.err);
    assert.match(r.err, names);
  });
}

test("through the bin script: a bad argument exits 2 with one line", () => {
  const r = run("send", "garp", "--iface", "lo", ...IP, "--count", "1001");
  assert.is(r.code, 2);
  assert.is(r.out, "");
  assert.match(r.err.trim(), /^lastgasp send: --count: "1001" is not an integer in 1\.\.1000$/);
});

test("--dry-run builds the same bytes as `encode` for every kind, VLAN tag included", async () => {
  for (const s of FRAME_SOURCES) {
    const ip = s.kind === "na" ? "2001:db8::9" : "203.0.113.9";
    const sent = s.kind === "garp"
      ? run("send", s.kind, "--iface", "lo", "--ip", ip, "--mac", "02:00:00:aa:bb:cc", "--vlan", "7", "--dry-run", "--json")
      : await runInProcess("send", s.kind, "--iface", "lo", "--ip", ip, "--mac", "02:00:00:aa:bb:cc", "--vlan", "7", "--dry-run", "--json");
    const enc = await runInProcess("encode", s.kind, "--ip", ip, "--mac", "02:00:00:aa:bb:cc", "--vlan", "7", "--json");
    assert.is(sent.code, 0, sent.err);
    assert.is(JSON.parse(sent.out).hex, JSON.parse(enc.out).hex, s.kind);
    assert.is(JSON.parse(sent.out).sent, 0);
  }
});

test.run();
