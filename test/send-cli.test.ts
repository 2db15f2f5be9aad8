// `lastgasp send` without touching any interface: bad input exits 2 with one line naming the
// argument; --dry-run builds exactly the frame `encode` builds. The bad inputs go through
// main() in this process (a CLI start-up costs seconds on a loaded machine); one case and
// the dry run go through the bin script as a user runs it. (The frames on a real
// interface: test/linux-neigh.test.ts.)

import { test } from "uvu";
import * as assert from "uvu/assert";
import { FRAME_SOURCES } from "../host/cli/frame-sources";
import { spawnCli, runCliInProcess } from "./helpers/cli";
import { receiver } from "../host/campaign/gasp-fixture";
import { GASP_TYPE_GASP, GASP_CAUSE_WATCHDOG } from "../assembly/shared/gasp";
import * as fs from "fs";
import * as path from "path";
import { tmpDir } from "./helpers/tshark";
import * as rawsock from "../host/native/rawsock";

/** main(argv) with stdout/stderr captured. */
const runInProcess = (...args: string[]) => runCliInProcess(args);
const run = (...args: string[]) => spawnCli(args);

const IP = ["--ip", "203.0.113.9", "--mac", "02:00:00:aa:bb:cc"];
const dir = tmpDir("send-cli");
const KEY_HEX = "3f".repeat(32);
const KEY = path.join(dir, "chassis.key");
fs.writeFileSync(KEY, `${KEY_HEX}\n`, { mode: 0o600 });
const GASP = ["--key-file", KEY, "--mac", "02:00:00:aa:bb:cc"];
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
  [["send", "gasp", "--iface", "lo", "--mac", "02:00:00:aa:bb:cc"], /--key-file: required/],
  [["send", "gasp", "--iface", "lo", "--mac", "02:00:00:aa:bb:cc", "--key", "secret"], /--key: not accepted: a key on the command line is visible to every user/],
  [["send", "garp", "--iface", "lo", "--ip", "203.0.113.9", "--mac", "01:00:5e:00:00:01"], /--mac: 01:00:5e:00:00:01 is a multicast address/],
  [["send", "garp", "--iface", "lo", "--ip", "203.0.113.9", "--mac", "ff:ff:ff:ff:ff:ff"], /--mac: ff:ff:ff:ff:ff:ff is the broadcast address/],
  [["send", "gasp", "--iface", "lo", ...GASP, "--cause", "boom"], /--cause: "boom" is not one of trap, exception/],
  [["send", "gasp", "--iface", "lo", ...GASP, "--encap", "tcp"], /--encap: "tcp" is not raw or udp/],
  [["send", "gasp", "--iface", "lo", ...GASP, "--ip", "192.0.2.1"], /--ip: only with --encap udp/],
  [["send", "gasp", "--iface", "lo", ...GASP, "--encap", "udp", "--ip", "192.0.2.1"], /--peer-ip: required with --encap udp/],
  [["send", "gasp", "--iface", "lo", ...GASP, "--chassis", "0x1ffffffff"], /--chassis/],
  [["send", "gasp", "--iface", "lo", ...GASP, "--unit", "256"], /--unit/],
  [["send", "gasp", "--iface", "lo", ...GASP, "--peer-mac", "02:00"], /--peer-mac/],
  [["send", "garp", "--iface", "lo", ...IP, "--key-file", "k"], /--key-file: not an option of garp/],
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
  // The dialect kinds' own options (the frames themselves: test/dialect-cli.test.ts).
  const extra: Record<string, string[]> = {
    vrrp: ["--vrid", "7", "--vip", "203.0.113.1"],
    bfd: ["--peer-ip", "203.0.113.10", "--peer-mac", "02:00:00:aa:bb:dd", "--my-disc", "1", "--your-disc", "2"],
  };
  for (const s of FRAME_SOURCES.filter((x) => x.kind !== "gasp")) {
    const ip = s.kind === "na" ? "2001:db8::9" : "203.0.113.9";
    const args = [...(s.kind === "oam" ? [] : ["--ip", ip, "--vlan", "7"]), ...(s.kind === "vrrp" ? [] : ["--mac", "02:00:00:aa:bb:cc"]), ...(extra[s.kind] ?? [])];
    const sent = s.kind === "garp"
      ? run("send", s.kind, "--iface", "lo", ...args, "--dry-run", "--json")
      : await runInProcess("send", s.kind, "--iface", "lo", ...args, "--dry-run", "--json");
    const enc = await runInProcess("encode", s.kind, ...args, "--json");
    assert.is(sent.code, 0, sent.err);
    assert.is(JSON.parse(sent.out).hex, JSON.parse(enc.out).hex, s.kind);
    assert.is(JSON.parse(sent.out).sent, 0);
  }
});

test("send gasp --dry-run: a genuine gasp the receiver authenticates (raw and UDP, tagged); a wrong key is refused", async () => {
  const cases = [
    ["--encap", "raw", "--peer-mac", "02:00:00:0b:00:01"],
    ["--encap", "udp", "--ip", "192.0.2.2", "--peer-ip", "192.0.2.3", "--vlan", "7"],
  ];
  for (const extra of cases) {
    const r = await runInProcess("send", "gasp", "--iface", "lo", ...GASP, "--unit", "5", "--boot", "9", "--cause", "watchdog", "--chassis", "0x2a", "--excerpt", "hung", ...extra, "--dry-run", "--json");
    assert.is(r.code, 0, r.err);
    const frame = Uint8Array.from(Buffer.from(JSON.parse(r.out).hex, "hex"));
    const rx = receiver({ chassis: 0x2a }, [[1, Buffer.from(KEY_HEX, "hex")]]);
    const got = rx.receive(frame);
    assert.ok(got.ok, got.ok ? "" : got.reason);
    if (!got.ok) continue;
    assert.equal([got.message.type, got.message.unit, got.message.boot, got.message.cause, new TextDecoder().decode(got.message.excerpt)], [GASP_TYPE_GASP, 5, 9, GASP_CAUSE_WATCHDOG, "hung"]);
    assert.is(got.message.encap, extra[1]);
    assert.is(rx.receive(frame).ok, false, "a second copy is a duplicate");
    const wrong = receiver({ chassis: 0x2a }, [[1, new TextEncoder().encode("another key")]]);
    const bad = wrong.receive(frame);
    assert.is(bad.ok ? "accepted" : bad.reason, "E_GASP_BAD_MAC");
  }
});

test("--dry-run needs neither root nor the raw-socket addon: the interface's MAC comes from sysfs", async () => {
  const real = rawsock.loadRawSocket;
  (rawsock as unknown as { loadRawSocket: () => never }).loadRawSocket = () => {
    throw new Error("the addon must not be loaded for a dry run");
  };
  try {
    const r = await runInProcess("send", "garp", "--iface", "lo", "--ip", "203.0.113.9", "--dry-run", "--json");
    assert.is(r.code, 0, r.err);
    const mac = fs.readFileSync("/sys/class/net/lo/address", "utf8").trim();
    assert.is(JSON.parse(r.out).hex.slice(12, 24), mac.replace(/:/g, ""), "source MAC = lo's");
    // The stub is in the way of a real send: it is what a dry run did not reach.
    const real_ = await runInProcess("send", "garp", "--iface", "lo", "--ip", "203.0.113.9");
    assert.is(real_.code, 70);
    assert.match(real_.err, /the addon must not be loaded for a dry run/);
  } finally {
    (rawsock as unknown as { loadRawSocket: typeof real }).loadRawSocket = real;
  }
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
