// tshark as the judge of the sync frames: a whole sync at 30% loss, captured at the senders,
// dissects as UDP/IPv4 with Good IP and UDP checksums, no malformed packets and no expert
// warnings. Then the Lua dissector (tools/wireshark/lastgasp-sync.lua, written from the
// format description) reads every segment: its fields and its own CRC-32 agree with ours.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { requireTshark, tmpDir, writePcap, fields, expertItems } from "./helpers/tshark";
import { SimulatedPair, codec, ACTIVE_END, STANDBY_END } from "../host/sync/sim";
import { shipped } from "../host/sync/images";
import { parseSegment, SEG_FLAG_FIRST, SEG_DATA } from "../host/sync/segment";
import { parseIPv4, parseMac } from "../host/util/addr";
import { exampleConfig } from "../host/campaign/sync-images";

requireTshark();
const dir = tmpDir("sync-tshark");
const LUA = ["-X", `lua_script:${path.join(__dirname, "..", "tools", "wireshark", "lastgasp-sync.lua")}`];
const GOOD = "1";

const sim = new SimulatedPair({
  registry: shipped(), active: "2.0", standby: "1.1", config: exampleConfig("2.0"), seed: 8, capture: true,
  link: { loss: 0.3, duplicate: 0.02, delayNs: 50_000, jitterNs: 300_000 },
});
sim.bulkSync();
for (const c of ["failover timers heartbeat 250 dead-multiplier 4", "slb farm WEB backend 198.51.100.29 port 8080", "no failover vip 203.0.113.11"]) sim.configure(c);
sim.verify();
const frames = sim.link.tap!.map((t) => t.frame);
const file = path.join(dir, "sync.pcap");
sim.pcap().save(file);

test("every frame on the link dissects as UDP/IPv4 between the chassis-link addresses, checksums Good", () => {
  const rows = fields(file, ["frame.protocols", "ip.src", "ip.dst", "ip.checksum.status", "udp.checksum.status", "udp.srcport", "udp.dstport", "ip.dsfield.dscp", "ip.flags.df"]);
  assert.is(rows.length, sim.link.stats.sent);
  assert.ok(rows.length > 50, `${rows.length} frames`);
  for (const [i, r] of rows.entries()) {
    const where = `frame ${i + 1}`;
    assert.is(r["frame.protocols"], "eth:ethertype:ip:udp:data", where);
    assert.ok([ACTIVE_END.ip, STANDBY_END.ip].includes(r["ip.src"]) && r["ip.src"] !== r["ip.dst"], where);
    assert.is(r["ip.checksum.status"], GOOD, where);
    assert.is(r["udp.checksum.status"], GOOD, where);
    assert.is(r["udp.srcport"], "50613", where);
    assert.is(r["udp.dstport"], "50613", where);
    assert.is(r["ip.dsfield.dscp"], "48", `${where}: CS6`);
    assert.is(r["ip.flags.df"], "1", where);
  }
});

test("no malformed packets, no expert warnings or errors (with and without the Lua dissector)", () => {
  for (const extra of [[], LUA]) {
    const bad = expertItems(file, extra).filter((e) => e.severity === "warning" || e.severity === "error");
    assert.equal(bad, []);
  }
});

test("the Lua dissector's reading of every segment equals ours, and its CRC-32 says Good", () => {
  const rows = fields(file, ["lgsync.type", "lgsync.session", "lgsync.seq", "lgsync.ack", "lgsync.sack", "lgsync.length", "lgsync.flags", "lgsync.crc.status", "lgsync.msg"], LUA);
  assert.is(rows.length, frames.length);
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const d = codec().decodeUdp4(frames[i]);
    assert.ok(d.ok);
    if (!d.ok) return;
    const p = parseSegment(d.payload);
    assert.ok(p.ok);
    if (!p.ok) return;
    const s = p.seg;
    const where = `frame ${i + 1}`;
    assert.is(r["lgsync.crc.status"], GOOD, where);
    assert.is(r["lgsync.type"], String(s.type), where);
    assert.is(r["lgsync.session"], String(s.session), where);
    assert.is(r[s.type === SEG_DATA ? "lgsync.seq" : "lgsync.ack"], String(s.seq), where);
    assert.is(Number(r["lgsync.sack"]), s.sack, where);
    assert.is(r["lgsync.length"], String(s.payload.length), where);
    assert.is(Number(r["lgsync.flags"]), s.flags, where);
    const first = s.type === SEG_DATA && s.flags & SEG_FLAG_FIRST;
    assert.is(r["lgsync.msg"], first ? String(s.payload[0]) : "", where);
    if (first) seen.add(r["lgsync.msg"]);
  });
  // Bulk sync and line-by-line: DUMP_BEGIN, DUMP_DATA, DIFF, COMPAT, CONFIG_BEGIN,
  // CONFIG_DATA, VERIFY, RESULT, CMD, CMD_ACK, VERIFY_REQ.
  assert.equal([...seen].map(Number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

test("a segment with a flipped bit: the Lua dissector flags a Bad CRC-32 and our parser refuses it", () => {
  const seg = frames.map((f) => codec().decodeUdp4(f)).find((d) => d.ok && d.payload.length > 100);
  assert.ok(seg && seg.ok);
  if (!seg || !seg.ok) return;
  const payload = Uint8Array.from(seg.payload);
  payload[60] ^= 0x10;
  assert.not.ok(parseSegment(payload).ok);
  // Built by the core, so IP and UDP checksums are right: only the segment's own CRC is wrong.
  const frame = codec().encodeUdp4(
    { dst: parseMac(STANDBY_END.mac), src: parseMac(ACTIVE_END.mac), ethertype: 0x0800 },
    { src: parseIPv4(ACTIVE_END.ip), dst: parseIPv4(STANDBY_END.ip), protocol: 17, ttl: 64, tos: 0xc0, ident: 1, frag: 0x4000, payloadLen: 0 },
    { srcPort: 50613, dstPort: 50613 },
    payload,
  );
  const f = path.join(dir, "bad-crc.pcap");
  writePcap(f, [frame]);
  const [r] = fields(f, ["udp.checksum.status", "lgsync.crc.status"], LUA);
  assert.equal(r, { "udp.checksum.status": GOOD, "lgsync.crc.status": "2" });
  assert.ok(expertItems(f, LUA).some((e) => e.severity === "error" && /Bad CRC-32/.test(e.message)));
});

test.run();
