// 802.1Q-tagged frames where the host looks into frames itself (host/wire/frame.ts): the
// chassis's timeline tap names a tagged gasp or announcement as it names an untagged one, and
// a unit's OS hands a tagged gasp to its gasp receiver (the core's parser takes the tag), so a
// standby on a tagged segment takes over on it. Frames are built by the core.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { WireCodec } from "../host/wire/codec";
import { ethView, ipv4View } from "../host/wire/frame";
import { wireEvent } from "../host/chassis/wire-events";
import { Chassis } from "../host/chassis/chassis";
import { armedSender } from "../host/campaign/gasp-fixture";
import { scenario } from "../host/campaign/chassis-fixture";
import { parseIPv4, parseIPv6, parseMac } from "../host/util/addr";
import { ETHERTYPE_ARP, ETHERTYPE_LOCAL_EXP1, ETHERTYPE_VLAN } from "../assembly/shared/wire";
import { GASP_CAUSE_TRAP } from "../assembly/shared/gasp";
import { ms } from "../host/ha/timeline";

const TCI = 0x2064; // PCP 1, VID 100

/** The frame with an 802.1Q tag inserted after the source address. */
function tag(f: Uint8Array, tci = TCI): Uint8Array {
  const out = new Uint8Array(f.length + 4);
  out.set(f.subarray(0, 12), 0);
  out.set([ETHERTYPE_VLAN >> 8, ETHERTYPE_VLAN & 0xff, tci >> 8, tci & 0xff], 12);
  out.set(f.subarray(12), 16);
  return out;
}

test("ethView: the EtherType after the tag and where L3 starts; short frames refused", () => {
  const garp = new WireCodec(Core.load()).announce("garp", parseMac("02:00:00:00:00:01"), parseIPv4("192.0.2.1"));
  assert.equal(ethView(garp), { type: ETHERTYPE_ARP, l3: 14, tagged: false });
  assert.equal(ethView(tag(garp)), { type: ETHERTYPE_ARP, l3: 18, tagged: true });
  assert.is(ethView(garp.subarray(0, 13)), null);
  assert.is(ethView(tag(garp).subarray(0, 17)), null);
});

test("ipv4View: protocol and payload offset from IHL; a bad version or IHL is refused", () => {
  const f = new Uint8Array(60);
  f[14] = 0x46; // IHL 6: 4 bytes of options
  f[14 + 9] = 17;
  assert.equal(ipv4View(f, 14), { protocol: 17, l4: 38 });
  f[14] = 0x44;
  assert.is(ipv4View(f, 14), null);
  f[14] = 0x65;
  assert.is(ipv4View(f, 14), null);
  assert.is(ipv4View(f.subarray(0, 33), 14), null);
});

test("wireEvent: gasps (raw and UDP) and announcements named alike, tagged or not; hellos and probes not", () => {
  const tx = armedSender();
  const gasp = tx.fire({ cause: GASP_CAUSE_TRAP, excerpt: "trap" });
  // Port 0 of the helper's board is untagged, port 1 tagged: the core built both.
  assert.equal([...new Set(gasp.frames.map((f) => `${f.port}:${ethView(f.bytes)!.tagged}`))].sort(), ["0:false", "1:true"]);
  for (const f of gasp.frames) {
    assert.equal(wireEvent(f.bytes), { name: "gasp.wire", detail: { encap: f.encap } }, `port ${f.port} ${f.encap}`);
    if (!ethView(f.bytes)!.tagged) assert.equal(wireEvent(tag(f.bytes)), { name: "gasp.wire", detail: { encap: f.encap } }, `port ${f.port} ${f.encap}, tagged by hand`);
    assert.is(wireEvent(f.bytes.subarray(0, ethView(f.bytes)!.l3 + 3)), null, "truncated before the message type");
  }
  for (const f of armedSender().hello().frames) assert.is(wireEvent(f.bytes), null, "a HELLO is not a gasp");

  const codec = new WireCodec(Core.load());
  const mac = parseMac("02:00:00:00:00:01");
  const ip = parseIPv4("192.0.2.1");
  for (const vlanTci of [undefined, TCI]) {
    assert.equal(wireEvent(codec.announce("garp", mac, ip, vlanTci)), { name: "announce.wire", detail: { kind: "garp" } });
    assert.equal(wireEvent(codec.announce("garp-reply", mac, ip, vlanTci)), { name: "announce.wire", detail: { kind: "garp-reply" } });
    assert.is(wireEvent(codec.announce("arp-probe", mac, ip, vlanTci)), null, "a probe is not an announcement");
    assert.equal(wireEvent(codec.unsolicitedNa(mac, parseIPv6("2001:db8::1"), { vlanTci })), { name: "announce.wire", detail: { kind: "na" } });
  }
});

test("a tagged gasp reaches the standby's gasp receiver: accepted, and the standby takes over", () => {
  const ch = new Chassis(scenario("default", (s) => (s.faults = [])));
  const [active, standby] = ch.units;
  for (const u of ch.units) u.boot();
  ch.clock.runUntil(ms(200));
  assert.is(standby.holdsVips, false);
  // The active's fault core builds its gasp; its raw backplane copy arrives tagged at the standby.
  const built = active.sender.fire({ cause: GASP_CAUSE_TRAP, excerpt: "tagged" });
  const raw = built.frames.find((f) => f.encap === "raw" && active.board.ports[f.port].role === "backplane")!;
  assert.is(ethView(raw.bytes)!.type, ETHERTYPE_LOCAL_EXP1);
  const to = standby.board.ports.findIndex((p) => p.macBytes.every((b, i) => b === raw.bytes[i]));
  assert.ok(to >= 0, "the gasp is addressed to a standby port");
  const before = ch.timeline.events.length;
  standby.endpoint(to).receive(tag(raw.bytes));
  ch.clock.runUntil(ms(201));
  const accepted = ch.timeline.events.slice(before).filter((e) => e.name === "gasp.accepted" && e.source === standby.id);
  assert.is(accepted.length, 1, "one gasp accepted");
  assert.is(accepted[0].detail!.port, standby.board.ports[to].name);
  assert.is(standby.holdsVips, true, "the standby took the VIPs");
  assert.is(standby.receiver.counters().accepted, 1);
});

test.run();
