// The punt rings: frames for the control processor reach its applications through the UP
// ring; their replies come back through the DOWN ring and leave through the switching path.
// Replies judged by tshark. Ring full, oversize frames, bad slots and broken indices are
// counted, never a trap.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { fixture, VIP4, CP4, CP6, clientIp4, clientIp6, PORT_CLIENTS, PORT_BACKENDS, MAC_PORT0, VIP6 } from "../host/campaign/switch-fixture";
import { frame, parse, TCP, hex, macs, u16, MAC_CLIENT, csum, pseudoHeader } from "../host/campaign/frames";
import { requireTshark, tmpDir, writePcap, fields, expertItems } from "./helpers/tshark";
import { PuntService, PuntRings } from "../host/switch/punt";
import { IcmpEchoResponder, ArpResponder } from "../host/switch/apps";
import { WireCodec } from "../host/wire/codec";
import { parseIPv4, parseIPv6 } from "../host/util/addr";
import * as MAP from "../assembly/shared/memmap";
import * as S from "../assembly/shared/switch";
import { Rng } from "../host/util/rng";

requireTshark();
const rng = new Rng(4711);
const eq = (a: Uint8Array, b: Uint8Array) => hex(a) === hex(b);
const replies: Uint8Array[] = [];

function setup() {
  const f = fixture();
  const service = new PuntService(f.sw.core);
  const echo = new IcmpEchoResponder([CP4, CP6]);
  const arp = new ArpResponder(f.sw.core, [{ ip: CP4, mac: MAC_PORT0 }]);
  service.register(echo).register(arp);
  return { ...f, service, echo, arp };
}

test("ICMP echo to the CP's IPv4 address: punted, answered by the application, sent back out of the ingress port", () => {
  const { sw, service, echo } = setup();
  const req = frame({ src: clientIp4(1), dst: CP4, proto: "icmp", payload: rng.bytes(56) });
  const r = sw.process(req, 3);
  assert.is(r.verdict.action, "punt");
  assert.is(r.verdict.port, 3);
  assert.is(new PuntRings(sw.core).pending(), 1);
  assert.is(service.poll(), 1);
  assert.is(echo.answered.v4, 1);
  const out = sw.injectNext();
  assert.ok(out);
  assert.is(out!.verdict.action, "forward");
  assert.is(out!.verdict.port, 3, "the reply leaves where the request came in");
  const p = parse(out!.frame);
  assert.ok(eq(p.src, CP4) && eq(p.dst, clientIp4(1)));
  assert.ok(eq(macs(out!.frame).dst, MAC_CLIENT));
  assert.is(out!.frame[p.l4], 0, "echo reply");
  assert.ok(p.ipChecksumOk && p.l4ChecksumOk);
  assert.is(hex(out!.frame.subarray(p.l4 + 4, p.end)), hex(req.subarray(p.l4 + 4, 14 + 20 + 64)), "identifier, sequence, data echoed");
  assert.is(sw.injectNext(), null, "nothing more queued");
  const c = sw.counters();
  assert.is(c.punt, 1);
  assert.is(c.inject_tx, 1);
  replies.push(out!.frame);
});

test("ICMPv6 echo to the CP's IPv6 address and ARP for its IPv4 address are answered", () => {
  const { sw, service, echo, arp } = setup();
  const req6 = frame({ src: clientIp6(2), dst: CP6, proto: "icmp", payload: rng.bytes(32) });
  assert.is(sw.process(req6, PORT_CLIENTS).verdict.action, "punt");
  const codec = new WireCodec(sw.core);
  const who = codec.encodeArp(
    { dst: Uint8Array.from([255, 255, 255, 255, 255, 255]), src: MAC_CLIENT, ethertype: 0x0806, tci: 7 },
    { op: 1, sha: MAC_CLIENT, spa: clientIp4(2), tha: new Uint8Array(6), tpa: CP4 },
  );
  assert.is(sw.process(who, PORT_CLIENTS).verdict.action, "punt");
  assert.is(service.poll(), 2);
  assert.is(echo.answered.v6, 1);
  assert.is(arp.answered.requests, 1);
  const a = sw.injectNext()!;
  const b = sw.injectNext()!;
  assert.is(a.verdict.port, PORT_CLIENTS);
  // ICMPv6 reply checksum recomputed here from scratch
  const l3 = 14;
  const plen = u16(a.frame, l3 + 4);
  const icmp = a.frame.slice(l3 + 40, l3 + 40 + plen);
  const c0 = u16(icmp, 2);
  icmp[2] = icmp[3] = 0;
  assert.is(c0, csum([pseudoHeader(6, a.frame.subarray(l3 + 8, l3 + 24), a.frame.subarray(l3 + 24, l3 + 40), 58, plen), icmp]));
  assert.is(a.frame[l3 + 40], 129);
  const d = codec.decodeArp(b.frame);
  assert.ok(d.ok);
  if (d.ok) {
    assert.is(d.arp.op, 2);
    assert.ok(eq(d.arp.sha, MAC_PORT0) && eq(d.arp.spa, CP4) && eq(d.arp.tpa, clientIp4(2)));
    assert.is(d.eth.tci, 7, "same VLAN as the request");
  }
  replies.push(a.frame, b.frame);
});

test("what is punted and what is not: CP traffic of any protocol, ARP/NDP for our addresses, ICMP to a VIP", () => {
  const { sw } = setup();
  const codec = new WireCodec(sw.core);
  const arpFor = (tpa: Uint8Array) => codec.encodeArp(
    { dst: Uint8Array.from([255, 255, 255, 255, 255, 255]), src: MAC_CLIENT, ethertype: 0x0806 },
    { op: 1, sha: MAC_CLIENT, spa: clientIp4(3), tha: new Uint8Array(6), tpa },
  );
  const ns = (target: Uint8Array) => {
    const body = new Uint8Array(24);
    body.set(target, 8);
    return frame({ src: clientIp6(3), dst: parseIPv6("ff02::1:ff00:1"), proto: "icmp", icmpType: 135, payload: body.subarray(8), ttl: 255 });
  };
  const cases: [string, Uint8Array, string][] = [
    ["ssh to the CP", frame({ src: clientIp4(3), dst: CP4, proto: "tcp", sport: 5000, dport: 22, flags: TCP.SYN }), "punt"],
    ["udp to the CP (v6)", frame({ src: clientIp6(3), dst: CP6, proto: "udp", sport: 5000, dport: 161 }), "punt"],
    ["ARP for the CP", arpFor(CP4), "punt"],
    ["ARP for a VIP", arpFor(VIP4), "punt"],
    ["ARP for someone else", arpFor(parseIPv4("203.0.113.77")), "drop"],
    ["NS for the CP", ns(CP6), "punt"],
    ["NS for a VIP", ns(VIP6), "punt"],
    ["NS for someone else", ns(parseIPv6("2001:db8::77")), "drop"],
    ["echo to the VIP", frame({ src: clientIp4(3), dst: VIP4, proto: "icmp" }), "punt"],
    ["RA", frame({ src: parseIPv6("fe80::1"), dst: parseIPv6("ff02::1"), proto: "icmp", icmpType: 134, payload: new Uint8Array(8) }), "punt"],
  ];
  for (const [name, f, want] of cases) assert.is(sw.process(f, PORT_CLIENTS).verdict.action, want, name);
  const up = new PuntRings(sw.core).take();
  assert.equal(up.map((p) => p.reason), [S.PUNT_CP_ADDR, S.PUNT_CP_ADDR, S.PUNT_ARP, S.PUNT_ARP, S.PUNT_NDP, S.PUNT_NDP, S.PUNT_ICMP_VIP, S.PUNT_NDP]);
  assert.is(hex(up[0].frame), hex(cases[0][1]), "punted byte for byte");
});

test("an unclaimed punt is counted by the service; replies can be re-injected through the switching path", () => {
  const { sw, service } = setup();
  sw.process(frame({ src: clientIp4(4), dst: CP4, proto: "udp", sport: 1, dport: 9 }), PORT_CLIENTS);
  service.poll();
  assert.is(service.stats.unclaimed, 1);
  // the CP opens a connection to a VIP: INJECT_SWITCH runs it through the path (load balanced)
  const rings = new PuntRings(sw.core);
  assert.ok(rings.inject({ frame: frame({ src: CP4, dst: VIP4, proto: "tcp", sport: 33333, dport: 80, flags: TCP.SYN }), port: PORT_CLIENTS, via: "switch" }));
  const out = sw.injectNext()!;
  assert.is(out.verdict.action, "forward");
  assert.is(out.verdict.port, PORT_BACKENDS);
  assert.is(parse(out.frame).dport, 8080);
  assert.is(sw.counters().inject_switched, 1);
});

test("UP ring full: drops are counted, punting resumes once the host drains; ring indices wrap", () => {
  const { sw, service } = setup();
  const req = (i: number) => frame({ src: clientIp4(i), dst: CP4, proto: "icmp", payload: rng.bytes(8) });
  for (let i = 0; i < S.PUNT_SLOTS; i++) assert.is(sw.process(req(i), PORT_CLIENTS).verdict.action, "punt");
  const r = sw.process(req(999), PORT_CLIENTS);
  assert.is(r.verdict.reason, "drop_punt_full");
  assert.is(service.poll(), S.PUNT_SLOTS);
  let sent = 0;
  while (sw.injectNext()) sent++;
  assert.is(sent, S.PUNT_SLOTS);
  // many rounds through the rings: counters go well past the slot count
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 100; i++) assert.is(sw.process(req(i), PORT_CLIENTS).verdict.action, "punt");
    assert.is(service.poll(), 100);
    let n = 0;
    while (sw.injectNext()) n++;
    assert.is(n, 100);
  }
  assert.is(sw.counters().drop_punt_full, 1);
});

test("oversize frames, invalid DOWN slots and broken indices are counted and skipped, never a trap", () => {
  const { sw } = setup();
  const big = new Uint8Array(2040);
  big.set(frame({ src: clientIp4(5), dst: CP4, proto: "udp", sport: 1, dport: 2 }));
  assert.is(sw.process(big, PORT_CLIENTS).verdict.reason, "drop_punt_too_big");
  const core = sw.core;
  const down = MAP.SW_RING_HDR_BASE + S.PUNT_DOWN * S.PUNT_HDR_SIZE;
  const slot = (i: number) => MAP.SW_PUNT_DOWN_BASE + (i & (S.PUNT_SLOTS - 1)) * S.PUNT_SLOT_SIZE;
  const good = frame({ src: CP4, dst: clientIp4(5), proto: "udp", sport: 2, dport: 1 });
  const write = (i: number, len: number, port: number, kind: number) => {
    core.view.setUint16(slot(i) + S.RS_LEN, len, true);
    core.bytes[slot(i) + S.RS_PORT] = port;
    core.bytes[slot(i) + S.RS_KIND] = kind;
    core.write(slot(i) + S.RS_FRAME, good);
  };
  write(0, 0, 0, S.INJECT_TX);
  write(1, 3000, 0, S.INJECT_TX);
  write(2, good.length, 99, S.INJECT_TX);
  write(3, good.length, 0, 7);
  write(4, good.length, 2, S.INJECT_TX);
  core.view.setUint32(down + S.PUNT_HEAD, 5, true);
  const verdicts = [];
  for (let i = 0; i < 5; i++) verdicts.push(sw.injectNext()!.verdict);
  assert.equal(verdicts.slice(0, 4).map((v) => v.reason), ["inject_bad", "inject_bad", "inject_bad", "inject_bad"]);
  assert.is(verdicts[4].action, "forward");
  assert.is(verdicts[4].port, 2);
  assert.is(sw.injectNext(), null);
  // a head from nowhere: the core resynchronises to it and reports the skip
  core.view.setUint32(down + S.PUNT_HEAD, 0x7000_0000, true);
  assert.is(sw.injectNext()!.verdict.reason, "inject_bad");
  assert.is(sw.injectNext(), null);
  // a tail from nowhere on the UP ring: treated as full, not as room
  const up = MAP.SW_RING_HDR_BASE + S.PUNT_UP * S.PUNT_HDR_SIZE;
  core.view.setUint32(up + S.PUNT_TAIL, 0x7000_0000, true);
  assert.is(sw.process(frame({ src: clientIp4(6), dst: CP4, proto: "icmp" }), PORT_CLIENTS).verdict.reason, "drop_punt_full");
  assert.is(sw.counters().inject_bad, 5);
});

test("tshark: the applications' replies dissect cleanly with Good checksums", () => {
  const file = path.join(tmpDir("switch-punt"), "replies.pcap");
  writePcap(file, replies);
  const rows = fields(file, ["icmp.type", "icmp.checksum.status", "icmpv6.type", "icmpv6.checksum.status", "ip.checksum.status", "arp.opcode"]);
  assert.is(rows.length, 3);
  assert.is(rows[0]["icmp.type"], "0");
  assert.is(rows[0]["icmp.checksum.status"], "1");
  assert.is(rows[0]["ip.checksum.status"], "1");
  assert.is(rows[1]["icmpv6.type"], "129");
  assert.is(rows[1]["icmpv6.checksum.status"], "1");
  assert.is(rows[2]["arp.opcode"], "2");
  assert.equal(expertItems(file).filter((e) => e.severity === "warning" || e.severity === "error"), []);
});

test.run();
