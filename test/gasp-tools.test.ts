// The gasp's tools for users, on real captures: the demo's (a NIC hang then a crash: gasps in
// both encapsulations on the front port, hellos on every link) and `lastgasp encode gasp`'s
// (802.1Q-tagged, both encapsulations). The Wireshark dissector (tools/wireshark/
// lastgasp-gasp.lua, under tshark) names every field as the core's receiver reads it and
// verifies the MAC with the key; `lastgasp verify-gasp` accepts every message of a genuine
// capture and refuses altered, replayed and wrongly keyed ones, saying why.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { spawnCli, ROOT } from "./helpers/cli";
import { requireTshark, tmpDir, fields } from "./helpers/tshark";
import { Core } from "../host/core/core";
import { GaspReceiver, GaspSender } from "../host/gasp/gasp";
import { DEMO_KEY_HEX } from "../host/gasp/key";
import { readPcap, PcapWriter } from "../host/pcap";
import { formatMac } from "../host/util/addr";

requireTshark();
const LUA = path.join(ROOT, "tools", "wireshark", "lastgasp-gasp.lua");
const dir = tmpDir("gasp-tools");
const run = (...args: string[]) => spawnCli(args, dir);
const KEY = path.join(dir, "chassis.key");
fs.writeFileSync(KEY, `${DEMO_KEY_HEX}\n`, { mode: 0o600 });
const WRONG = path.join(dir, "wrong.key");
fs.writeFileSync(WRONG, "5a".repeat(32), { mode: 0o600 });

const demo = run("demo", "--scenario", path.join(ROOT, "scenarios", "nic-hang.json"), "--out", "demo", "--json");
const FRONT = path.join(dir, "demo", "linecard-a.fp0--switch.pcap");
const BACKPLANE = path.join(dir, "demo", "linecard-a.bp0--linecard-b.bp0.pcap");

// encode gasp: tagged, raw and UDP, three copies each, into one capture.
const TAGGED = path.join(dir, "tagged.pcap");
{
  const w = new PcapWriter();
  for (const [i, encap] of [["1", ["--encap", "raw", "--peer-mac", "02:00:00:0b:00:01"]], ["2", ["--encap", "udp", "--ip", "192.0.2.2", "--peer-ip", "192.0.2.3"]]] as const) {
    const r = run("encode", "gasp", "--key-file", KEY, "--mac", "02:00:00:0a:00:01", "--vlan", "7", "--unit", "3", "--boot", i, "--cause", "watchdog", "--excerpt", `hung ${i}`, "--count", "3", "--pcap", `t${i}.pcap`, ...encap);
    assert.is(r.code, 0, r.err);
    for (const rec of readPcap(fs.readFileSync(path.join(dir, `t${i}.pcap`)))) w.add({ timeUs: w.count * 10, data: rec.data });
  }
  w.save(TAGGED);
}

/** What the core's receiver reads from every gasp or hello of a capture, by frame number. */
function coreView(file: string) {
  const core = Core.load();
  new GaspSender(core).setKey(0, Buffer.from(DEMO_KEY_HEX, "hex"), 1);
  const rx = new GaspReceiver(core);
  rx.configure({ chassis: 0x4c470001 });
  const out = new Map<string, Record<string, string>>();
  readPcap(fs.readFileSync(file)).forEach((rec, i) => {
    const r = rx.receive(rec.data);
    const m = r.message;
    if (!m) return;
    const msgStart = rec.data.length - (52 + m.excerpt.length + 16);
    out.set(String(i + 1), {
      "lgasp.type": String(m.type), "lgasp.chassis": `0x${m.chassis.toString(16).padStart(8, "0")}`, "lgasp.unit": String(m.unit),
      "lgasp.role": String(m.role), "lgasp.priority": String(m.priority), "lgasp.key_id": String(m.keyId), "lgasp.boot": String(m.boot),
      "lgasp.epoch": String(m.epoch), "lgasp.seq": m.seq.toString(), "lgasp.uptime": m.uptimeUs.toString(), "lgasp.flags": `0x${m.flags.toString(16).padStart(2, "0")}`,
      "lgasp.cause": String(m.cause), "lgasp.excerpt": Buffer.from(m.excerpt).toString(), "lgasp.mac": Buffer.from(rec.data.subarray(rec.data.length - 16)).toString("hex"),
      "lgasp.mac.status": "1", msgStart: String(msgStart), src: formatMac(m.ethSrc),
    });
  });
  return out;
}

const NAMES = ["frame.number", "lgasp.type", "lgasp.chassis", "lgasp.unit", "lgasp.role", "lgasp.priority", "lgasp.key_id", "lgasp.boot", "lgasp.epoch", "lgasp.seq", "lgasp.uptime", "lgasp.flags", "lgasp.cause", "lgasp.excerpt", "lgasp.mac", "lgasp.mac.status"];
const dissect = (file: string, key?: string, extra: string[] = []) =>
  fields(file, NAMES, ["-X", `lua_script:${LUA}`, ...(key ? ["-o", `lgasp.key:${key}`] : []), "-Y", "lgasp", ...extra]);

test("the demo ran and failed over (its captures are the material)", () => {
  assert.is(demo.code, 0, demo.err);
  assert.ok(fs.existsSync(FRONT) && fs.existsSync(BACKPLANE));
});

for (const [name, file] of [["the demo's front port (raw and UDP gasps, hellos)", () => FRONT], ["the demo's backplane (hellos)", () => BACKPLANE], ["encode gasp, 802.1Q-tagged, both encapsulations", () => TAGGED]] as const) {
  test(`dissector on ${name}: every field as the core reads it, the MAC verified with the key`, () => {
    const core = coreView(file());
    const rows = dissect(file(), DEMO_KEY_HEX);
    assert.ok(rows.length >= 4, `${rows.length} messages`);
    assert.is(rows.length, core.size, "the dissector and the core find the same messages");
    for (const r of rows) {
      const want = core.get(r["frame.number"]);
      assert.ok(want, `frame ${r["frame.number"]}`);
      for (const k of NAMES.slice(1)) assert.is(r[k], want![k], `frame ${r["frame.number"]}: ${k}`);
    }
    assert.ok(rows.some((r) => r["lgasp.type"] === "1") || file() === BACKPLANE, "gasps among them");
    // Without a key the MAC is shown, unverified; with another key it is Bad.
    assert.ok(dissect(file()).every((r) => r["lgasp.mac.status"] === "0" && r["lgasp.mac"].length === 32));
    assert.ok(dissect(file(), "5a".repeat(32)).every((r) => r["lgasp.mac.status"] === "2"));
  });
}

test("dissector: both encapsulations and the tag are named; a genuine capture has no expert error; a damaged MAC and a cut message have one", () => {
  const enc = fields(TAGGED, ["vlan.id", "eth.type", "udp.dstport", "lgasp.excerpt"], ["-X", `lua_script:${LUA}`]);
  assert.equal(enc.map((r) => [r["vlan.id"], r["udp.dstport"] ? "udp" : "raw", r["lgasp.excerpt"]]), [["7", "raw", "hung 1"], ["7", "raw", "hung 1"], ["7", "raw", "hung 1"], ["7", "udp", "hung 2"], ["7", "udp", "hung 2"], ["7", "udp", "hung 2"]]);
  const expertOf = (file: string) => execFileSync("tshark", ["-r", file, "-X", `lua_script:${LUA}`, "-o", `lgasp.key:${DEMO_KEY_HEX}`, "-q", "-z", "expert,error"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  assert.not.match(expertOf(FRONT), /lgasp|Malformed/);
  const recs = readPcap(fs.readFileSync(TAGGED));
  const bad = new PcapWriter();
  const flipped = Uint8Array.from(recs[0].data);
  flipped[flipped.length - 1] ^= 1;
  bad.add({ timeUs: 0, data: flipped });
  bad.add({ timeUs: 10, data: recs[0].data.subarray(0, 18 + 40) });
  bad.save(path.join(dir, "bad.pcap"));
  const x = expertOf(path.join(dir, "bad.pcap"));
  assert.match(x, /MAC does not verify with the configured key/);
  assert.match(x, /Message shorter than its fixed part/);
});

test("verify-gasp: every message of the demo's captures accepted or an authentic duplicate; the counts are the core's", () => {
  for (const file of [FRONT, BACKPLANE]) {
    const r = run("verify-gasp", "--pcap", file, "--key-file", KEY, "--json");
    assert.is(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.is(j.summary.refused, 0);
    assert.is(j.summary.messages, coreView(file).size);
    assert.ok(j.summary.accepted > 0);
    if (file === FRONT) assert.ok(j.summary.duplicates > 0, "the gasp's copies");
    assert.is(j.summary.messages + j.summary.otherFrames, j.frames);
  }
  const text = run("verify-gasp", "--pcap", FRONT, "--key-file", KEY);
  assert.match(text.out, /GASP +1 +1 +\d+ +accepted, cause trap, "trap: unreachable"/);
  assert.match(text.out, /duplicate \(authentic copy\)/);
});

test("verify-gasp refuses, saying why: another key, an altered message, a replay; a capture without gasps fails; pcapng reads the same", () => {
  const wrong = run("verify-gasp", "--pcap", TAGGED, "--key-file", WRONG);
  assert.is(wrong.code, 1);
  assert.match(wrong.out, /REFUSED E_GASP_BAD_MAC: the MAC does not verify/);
  assert.match(wrong.out, /0 accepted, 0 authentic duplicates, 6 refused/);
  const recs = readPcap(fs.readFileSync(TAGGED));
  const w = new PcapWriter();
  const altered = Uint8Array.from(recs[3].data);
  altered[altered.length - 20] ^= 0x20; // in the excerpt: the UDP checksum catches it first
  const raw = Uint8Array.from(recs[0].data);
  raw[raw.length - 20] ^= 0x20; // raw: no checksum, the MAC catches it
  [recs[3].data, altered, raw, recs[0].data].forEach((data, i) => w.add({ timeUs: i, data }));
  w.save(path.join(dir, "mixed.pcap"));
  const m = run("verify-gasp", "--pcap", "mixed.pcap", "--key-file", KEY, "--json");
  assert.is(m.code, 1);
  const results = JSON.parse(m.out).messages.map((x: { result: string; reason?: string }) => x.reason ?? x.result);
  // boot 2 accepted; the altered UDP copy fails its checksum; the altered raw one its MAC; the
  // genuine boot-1 gasp after boot 2 is a replay.
  assert.equal(results, ["accepted", "E_GASP_CHECKSUM", "E_GASP_BAD_MAC", "E_GASP_REPLAY"]);
  assert.is(run("encode", "garp", "--ip", "192.0.2.1", "--mac", "02:00:00:0a:00:02", "--pcap", "garp.pcap").code, 0);
  const none = run("verify-gasp", "--pcap", "garp.pcap", "--key-file", KEY);
  assert.is(none.code, 1);
  assert.match(none.out, /no gasp or hello in the capture: nothing verified/);
  execFileSync("editcap", ["-F", "pcapng", FRONT, path.join(dir, "front.pcapng")]);
  const ng = run("verify-gasp", "--pcap", "front.pcapng", "--key-file", KEY, "--json");
  const classic = run("verify-gasp", "--pcap", FRONT, "--key-file", KEY, "--json");
  assert.is(ng.code, 0, ng.err);
  const strip = (s: string) => JSON.parse(s).messages.map((x: { frame: number; result: string; seq: string; timeUs: number }) => [x.frame, x.result, x.seq, x.timeUs]);
  assert.equal(strip(ng.out), strip(classic.out));
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
