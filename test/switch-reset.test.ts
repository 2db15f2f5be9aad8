// The service check's "no": TCP gets a RST built per RFC 9293 §3.10.7.1, checked field by
// field and by tshark; UDP is dropped and counted; a RST is never answered; ICMP to a VIP is
// punted, other ICMP dropped; group addresses are never answered.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { fixture, VIP4, VIP6, clientIp4, clientIp6, PORT_CLIENTS } from "../host/campaign/switch-fixture";
import { frame, parse, TCP, hex, macs, u16, ip4 } from "../host/campaign/frames";
import { requireTshark, tmpDir, writePcap, fields, expertItems } from "./helpers/tshark";
import { parseIPv6 } from "../host/util/addr";
import { Rng } from "../host/util/rng";

requireTshark();
const { sw } = fixture();
const rng = new Rng(9293);
const eq = (a: Uint8Array, b: Uint8Array) => hex(a) === hex(b);
const answers: { f: Uint8Array; seq: number; ack: number; flags: number; sport: number; dport: number }[] = [];

/** What RFC 9293 §3.10.7.1 says the RST for segment (seq, ack, flags, payload) carries. */
function expected(seq: number, ack: number, flags: number, payloadLen: number) {
  if (flags & TCP.ACK) return { seq: ack, ack: 0, flags: TCP.RST };
  const segLen = payloadLen + (flags & TCP.SYN ? 1 : 0) + (flags & TCP.FIN ? 1 : 0);
  return { seq: 0, ack: (seq + segLen) >>> 0, flags: TCP.RST | TCP.ACK };
}

function checkRst(name: string, input: Uint8Array, inPort: number, seq: number, ack: number, flags: number, payloadLen: number, family: 4 | 6) {
  const inP = parse(input);
  const { verdict, frame: out } = sw.process(input, inPort);
  assert.is(verdict.action, "answer", name);
  assert.is(verdict.port, inPort, `${name}: answered on the ingress port`);
  const tagged = u16(input, 12) === 0x8100;
  const hdr = (tagged ? 18 : 14) + (family === 4 ? 20 : 40) + 20;
  assert.is(verdict.length, Math.max(60, hdr), `${name}: length`);
  assert.ok(eq(macs(out).dst, macs(input).src) && eq(macs(out).src, macs(input).dst), `${name}: MACs swapped`);
  if (tagged) assert.is(u16(out, 14), u16(input, 14), `${name}: tag kept`);
  const p = parse(out);
  assert.ok(eq(p.src, inP.dst) && eq(p.dst, inP.src), `${name}: addresses swapped`);
  assert.is(p.sport, inP.dport);
  assert.is(p.dport, inP.sport);
  const e = expected(seq, ack, flags, payloadLen);
  assert.is(p.seq, e.seq, `${name}: seq`);
  assert.is(p.ack, e.ack, `${name}: ack`);
  assert.is(p.flags, e.flags, `${name}: flags`);
  assert.is(out[p.l4 + 12] >> 4, 5, `${name}: data offset 5 (no options)`);
  assert.is(u16(out, p.l4 + 14), 0, `${name}: window 0`);
  assert.is(p.end, p.l4 + 20, `${name}: no payload`);
  if (family === 4) {
    assert.is(out[p.l3], 0x45, `${name}: no IP options`);
    assert.is(out[p.l3 + 8], 64, `${name}: TTL`);
    assert.is(u16(out, p.l3 + 6), 0x4000, `${name}: DF, not a fragment`);
  } else {
    assert.is(out[p.l3 + 6], 6, `${name}: next header TCP (extension headers dropped)`);
    assert.is(out[p.l3 + 7], 64, `${name}: hop limit`);
  }
  assert.ok(p.ipChecksumOk && p.l4ChecksumOk, `${name}: checksums`);
  for (let i = hdr; i < out.length; i++) assert.is(out[i], 0, `${name}: padding is zero`);
  answers.push({ f: out, seq: e.seq, ack: e.ack, flags: e.flags, sport: p.sport, dport: p.dport });
}

test("SYN to a VIP port with no service: RST|ACK, seq 0, ack = SEG.SEQ + 1", () => {
  const f = frame({ src: clientIp4(1), dst: VIP4, proto: "tcp", sport: 50000, dport: 8443, flags: TCP.SYN, seq: 123456 });
  checkRst("syn", f, PORT_CLIENTS, 123456, 0, TCP.SYN, 0, 4);
});

test("ACK segment with data: RST with seq = SEG.ACK, no ACK flag", () => {
  const f = frame({ src: clientIp4(2), dst: VIP4, proto: "tcp", sport: 50001, dport: 22, flags: TCP.ACK | TCP.PSH, seq: 1, ack: 0xdeadbeef, payload: rng.bytes(100) });
  checkRst("ack+data", f, 3, 1, 0xdeadbeef, TCP.ACK | TCP.PSH, 100, 4);
});

test("no ACK: SEG.LEN counts payload, SYN and FIN; the sum wraps modulo 2^32", () => {
  const f = frame({ src: clientIp4(3), dst: VIP4, proto: "tcp", sport: 50002, dport: 25, flags: TCP.SYN | TCP.FIN, seq: 0xfffffff0, payload: rng.bytes(20) });
  checkRst("syn+fin+data", f, PORT_CLIENTS, 0xfffffff0, 0, TCP.SYN | TCP.FIN, 20, 4);
  const g = frame({ src: clientIp4(4), dst: ip4("198.51.100.200"), proto: "tcp", sport: 50003, dport: 80, flags: TCP.FIN, seq: 7, payload: rng.bytes(3) });
  checkRst("fin to a non-VIP address", g, PORT_CLIENTS, 7, 0, TCP.FIN, 3, 4);
});

test("IPv4 and TCP options and a VLAN tag: the answer has none of the options, keeps the tag", () => {
  const f = frame({
    vlan: 0x0123, src: clientIp4(5), dst: VIP4, proto: "tcp", sport: 50004, dport: 81, flags: TCP.SYN, seq: 42,
    ipOptions: Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 0]), tcpOptions: Uint8Array.from([2, 4, 5, 0xb4, 1, 3, 3, 7]),
  });
  checkRst("options", f, PORT_CLIENTS, 42, 0, TCP.SYN, 0, 4);
});

test("IPv6: RST with the pseudo-header checksum, extension headers dropped", () => {
  const f = frame({ src: clientIp6(6), dst: VIP6, proto: "tcp", sport: 50005, dport: 8080, flags: TCP.SYN, seq: 1000 });
  checkRst("v6 syn", f, PORT_CLIENTS, 1000, 0, TCP.SYN, 0, 6);
  const g = frame({
    src: clientIp6(7), dst: parseIPv6("2001:db8::99"), proto: "tcp", sport: 50006, dport: 80, flags: TCP.ACK, seq: 5, ack: 77, payload: rng.bytes(40),
    ext6: [{ code: 60, body: Uint8Array.from([0, 0, 1, 4, 0, 0, 0, 0]) }],
  });
  checkRst("v6 ack with dst-opts", g, PORT_CLIENTS, 5, 77, TCP.ACK, 40, 6);
});

test("random segments: every RST field follows RFC 9293 (300 cases)", () => {
  for (let i = 0; i < 300; i++) {
    const flags = rng.int(256) & ~TCP.RST;
    const seq = rng.u32();
    const ack = rng.u32();
    const n = rng.int(80);
    const v6 = rng.bool(0.3);
    const f = frame({ src: v6 ? clientIp6(i) : clientIp4(i), dst: v6 ? VIP6 : VIP4, proto: "tcp", sport: 1024 + i, dport: 9000 + rng.int(100), flags, seq, ack, payload: rng.bytes(n) });
    checkRst(`random ${i}`, f, rng.int(8), seq, ack, flags, n, v6 ? 6 : 4);
  }
});

test("a RST is never answered; group destinations and group source MACs neither", () => {
  const before = sw.counters();
  const r = sw.process(frame({ src: clientIp4(8), dst: VIP4, proto: "tcp", sport: 1, dport: 9, flags: TCP.RST | TCP.ACK }), PORT_CLIENTS);
  assert.is(r.verdict.action, "drop");
  assert.is(r.verdict.reason, "drop_tcp_rst_no_service");
  const m = sw.process(frame({ src: clientIp4(8), dst: ip4("224.0.0.9"), proto: "tcp", sport: 1, dport: 9, flags: TCP.SYN }), PORT_CLIENTS);
  assert.is(m.verdict.reason, "drop_bad_addr");
  const b = sw.process(frame({ src: ip4("255.255.255.255"), dst: VIP4, proto: "tcp", sport: 1, dport: 9, flags: TCP.SYN }), PORT_CLIENTS);
  assert.is(b.verdict.reason, "drop_bad_addr");
  const g = sw.process(frame({ srcMac: Uint8Array.from([3, 0, 0, 0, 0, 1]), src: clientIp4(8), dst: VIP4, proto: "tcp", sport: 1, dport: 9, flags: TCP.SYN }), PORT_CLIENTS);
  assert.is(g.verdict.reason, "drop_bad_addr");
  const after = sw.counters();
  assert.is(after.drop_tcp_rst_no_service - before.drop_tcp_rst_no_service, 1);
  assert.is(after.drop_bad_addr - before.drop_bad_addr, 3);
  assert.is(after.answer_rst, before.answer_rst);
});

test("UDP to no service is dropped and counted, never answered", () => {
  const before = sw.counters();
  for (const dst of [VIP4, ip4("198.51.100.77")]) {
    for (const dport of [54, 123, 53 + 1000]) {
      const r = sw.process(frame({ src: clientIp4(9), dst, proto: "udp", sport: 999, dport, payload: rng.bytes(10) }), PORT_CLIENTS);
      assert.is(r.verdict.action, "drop");
      assert.is(r.verdict.reason, "drop_udp_no_service");
    }
  }
  const v6 = sw.process(frame({ src: clientIp6(9), dst: VIP6, proto: "udp", sport: 999, dport: 54 }), PORT_CLIENTS);
  assert.is(v6.verdict.reason, "drop_udp_no_service");
  const after = sw.counters();
  assert.is(after.drop_udp_no_service - before.drop_udp_no_service, 7);
  assert.is(after.drop - before.drop, 7);
});

test("ICMP to a VIP is punted; ICMP elsewhere and other protocols are dropped as unsupported", () => {
  const r = sw.process(frame({ src: clientIp4(10), dst: VIP4, proto: "icmp" }), PORT_CLIENTS);
  assert.is(r.verdict.action, "punt");
  const o = sw.process(frame({ src: clientIp4(10), dst: ip4("198.51.100.99"), proto: "icmp" }), PORT_CLIENTS);
  assert.is(o.verdict.reason, "drop_unsupported");
  const gre = sw.process(frame({ src: clientIp4(10), dst: VIP4, proto: 47, payload: rng.bytes(8) }), PORT_CLIENTS);
  assert.is(gre.verdict.reason, "drop_unsupported");
});

test("tshark: every RST dissects cleanly with Good checksums and the expected seq/ack/flags", () => {
  const file = path.join(tmpDir("switch-rst"), "rst.pcap");
  writePcap(file, answers.map((a) => a.f));
  const rows = fields(file, ["ip.checksum.status", "tcp.checksum.status", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.srcport", "tcp.dstport", "tcp.len", "eth.src"]);
  assert.is(rows.length, answers.length);
  rows.forEach((r, i) => {
    const a = answers[i];
    const where = `answer ${i + 1}`;
    if (r["ip.checksum.status"]) assert.is(r["ip.checksum.status"], "1", where);
    assert.is(r["tcp.checksum.status"], "1", where);
    assert.is(Number(r["tcp.seq_raw"]), a.seq, where);
    if (a.flags & TCP.ACK) assert.is(Number(r["tcp.ack_raw"]), a.ack, where);
    assert.is(Number(r["tcp.flags"]), a.flags, where);
    assert.is(Number(r["tcp.srcport"]), a.sport, where);
    assert.is(Number(r["tcp.dstport"]), a.dport, where);
    assert.is(r["tcp.len"], "0", where);
  });
  assert.ok(rows.some((r) => r["eth.src"] === "02:00:00:00:1b:01"), "answers come from the MAC the client addressed");
  const bad = expertItems(file).filter((e) => e.severity === "error" || e.message.toLowerCase().includes("malformed"));
  assert.equal(bad, []);
});

test.run();
