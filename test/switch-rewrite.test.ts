// Forwarding and rewriting: MAC always, NAT destination IP/port with RFC 1624 incremental
// checksum updates, reverse NAT for replies, DSR (IPv4 and IPv6) untouched past Ethernet.
// Every rewritten checksum is recomputed from scratch (host/campaign/frames.ts) and judged
// by tshark with checksum validation on.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import {
  fixture, VIP4, VIP6, clientIp4, clientIp6, backendIp4, backendMac, MAC_PORT0, MAC_PORT1, MAC_ROUTER,
  PORT_BACKENDS, PORT_CLIENTS, BE_PORT, V6_BASE,
} from "../host/campaign/switch-fixture";
import { frame, parse, TCP, hex, macs, u16 } from "../host/campaign/frames";
import { requireTshark, tmpDir, writePcap, fields, expertItems, NO_TCP_ANALYSIS } from "./helpers/tshark";
import { Rng } from "../host/util/rng";

requireTshark();
const GOOD = "1";
// Random payloads are no valid DNS or HTTP: judge the headers, not the application bytes.
const PREFS = [...NO_TCP_ANALYSIS, "--disable-protocol", "dns", "--disable-protocol", "http"];
const rng = new Rng(515);
const { sw } = fixture();
const backendIndexOf = (mac: Uint8Array) => mac[5];
const eq = (a: Uint8Array, b: Uint8Array) => hex(a) === hex(b);

test("NAT TCP: destination MAC/IP/port rewritten, checksums equal a from-scratch recomputation", () => {
  const payload = rng.bytes(33);
  const f = frame({ src: clientIp4(7), dst: VIP4, proto: "tcp", sport: 41000, dport: 80, flags: TCP.PSH | TCP.ACK, seq: 77, ack: 99, payload });
  const { verdict, frame: out } = sw.process(f, PORT_CLIENTS);
  assert.is(verdict.action, "forward");
  assert.is(verdict.port, PORT_BACKENDS);
  assert.is(verdict.length, f.length);
  const be = backendIndexOf(macs(out).dst);
  assert.ok(eq(macs(out).dst, backendMac(be)));
  assert.ok(eq(macs(out).src, MAC_PORT1), "source MAC is the egress port's own");
  const p = parse(out);
  assert.ok(eq(p.dst, backendIp4(be)));
  assert.ok(eq(p.src, clientIp4(7)), "source untouched");
  assert.is(p.dport, BE_PORT);
  assert.is(p.sport, 41000);
  assert.is(p.ipChecksum, p.recomputedIpChecksum);
  assert.ok(p.l4ChecksumOk, `tcp ${p.l4Checksum.toString(16)} vs ${p.recomputedL4Checksum.toString(16)}`);
  assert.is(out[p.l3 + 8], 64, "TTL untouched");
  assert.is(hex(out.subarray(p.l4 + 20, p.end)), hex(payload), "payload untouched");
  assert.is(sw.backendStats(be).packets >= 1, true);
});

test("NAT UDP: checksum updated, a zero checksum (none) stays zero", () => {
  const f = frame({ src: clientIp4(8), dst: VIP4, proto: "udp", sport: 5353, dport: 53, payload: rng.bytes(20) });
  const r = sw.process(f, PORT_CLIENTS);
  const p = parse(r.frame);
  assert.is(r.verdict.action, "forward");
  assert.is(p.dport, BE_PORT);
  assert.ok(p.l4ChecksumOk);
  assert.is(p.ipChecksum, p.recomputedIpChecksum);
  const g = frame({ src: clientIp4(9), dst: VIP4, proto: "udp", sport: 5353, dport: 53, payload: rng.bytes(20), udpChecksum: "none" });
  const q = parse(sw.process(g, PORT_CLIENTS).frame);
  assert.is(q.l4Checksum, 0, "RFC 768: zero means no checksum; it must stay zero");
  assert.is(q.ipChecksum, q.recomputedIpChecksum);
});

test("reverse NAT: a back end's reply leaves from the VIP and service port, to the router, on the client port", () => {
  const client = clientIp4(10);
  const syn = parse(sw.process(frame({ src: client, dst: VIP4, proto: "tcp", sport: 42000, dport: 80, flags: TCP.SYN, seq: 500 }), PORT_CLIENTS).frame);
  const be = syn.dst;
  const reply = frame({ src: be, dst: client, proto: "tcp", sport: BE_PORT, dport: 42000, flags: TCP.SYN | TCP.ACK, seq: 9000, ack: 501, dstMac: MAC_PORT1, srcMac: backendMac(0) });
  const r = sw.process(reply, PORT_BACKENDS);
  assert.is(r.verdict.action, "forward");
  assert.is(r.verdict.port, PORT_CLIENTS);
  const p = parse(r.frame);
  assert.ok(eq(p.src, VIP4));
  assert.is(p.sport, 80);
  assert.ok(eq(p.dst, client));
  assert.is(p.dport, 42000);
  assert.ok(eq(macs(r.frame).dst, MAC_ROUTER));
  assert.ok(eq(macs(r.frame).src, MAC_PORT0));
  assert.ok(p.ipChecksumOk && p.l4ChecksumOk);
  assert.is(sw.counters().forward_reply, 1);
  // the same reply from another back end (not the one the connection went to) is no reply
  const other = [0, 1, 2, 3].map(backendIp4).find((a) => !eq(a, be))!;
  const spoof = frame({ src: other, dst: client, proto: "tcp", sport: BE_PORT, dport: 42000, flags: TCP.ACK, seq: 1, ack: 501 });
  assert.is(sw.process(spoof, PORT_BACKENDS).verdict.action, "answer", "no connection: answered with a RST");
});

test("DSR IPv4 and IPv6: only the Ethernet addresses change", () => {
  const cases = [
    frame({ src: clientIp4(11), dst: VIP4, proto: "tcp", sport: 43000, dport: 443, flags: TCP.SYN, payload: rng.bytes(10) }),
    frame({ src: clientIp6(11), dst: VIP6, proto: "tcp", sport: 43000, dport: 80, flags: TCP.SYN, payload: rng.bytes(10) }),
    frame({ src: clientIp6(12), dst: VIP6, proto: "udp", sport: 43001, dport: 53, payload: rng.bytes(31) }),
    // Hop-by-Hop (PadN) and Destination Options before TCP: walked, left in place
    frame({
      src: clientIp6(13), dst: VIP6, proto: "tcp", sport: 43002, dport: 80, flags: TCP.SYN,
      ext6: [{ code: 0, body: Uint8Array.from([0, 0, 1, 4, 0, 0, 0, 0]) }, { code: 60, body: Uint8Array.from([0, 1, 1, 12, ...new Array(12).fill(0)]) }],
    }),
  ];
  for (const f of cases) {
    const r = sw.process(f, PORT_CLIENTS);
    assert.is(r.verdict.action, "forward", hex(f));
    const be = backendIndexOf(macs(r.frame).dst);
    assert.ok(eq(macs(r.frame).dst, backendMac(be)));
    assert.ok(eq(macs(r.frame).src, MAC_PORT1));
    assert.is(hex(r.frame.subarray(12)), hex(f.subarray(12)), "nothing past the Ethernet addresses changed");
    if (f[12] === 0x86) assert.ok(be >= V6_BASE, "IPv6 service goes to an IPv6 back end");
  }
});

test("802.1Q tag kept; IPv4 options and TCP options survive NAT with correct checksums", () => {
  const f = frame({
    vlan: 0x2064, src: clientIp4(12), dst: VIP4, proto: "tcp", sport: 44000, dport: 80, flags: TCP.SYN,
    ipOptions: Uint8Array.from([1, 1, 1, 0]), tcpOptions: Uint8Array.from([2, 4, 5, 0xb4]),
  });
  const r = sw.process(f, PORT_CLIENTS);
  assert.is(r.verdict.action, "forward");
  assert.is(u16(r.frame, 12), 0x8100);
  assert.is(u16(r.frame, 14), 0x2064);
  const p = parse(r.frame);
  assert.is(p.l3, 18);
  assert.is(p.l4 - p.l3, 24);
  assert.is(p.dport, BE_PORT);
  assert.ok(p.ipChecksumOk && p.l4ChecksumOk);
});

const rewritten: Uint8Array[] = [];

test("property: 3,000 random TCP/UDP frames and replies keep valid checksums after NAT", () => {
  const { sw: s2 } = fixture({ capacity: 1 << 14 });
  for (let i = 0; i < 1500; i++) {
    const udp = rng.bool();
    const client = clientIp4(rng.int(1 << 16));
    const sport = 1024 + rng.int(60000);
    const f = frame({
      src: client, dst: VIP4, proto: udp ? "udp" : "tcp", sport, dport: udp ? 53 : 80,
      flags: TCP.ACK | (rng.bool() ? TCP.PSH : 0), seq: rng.u32(), ack: rng.u32(), payload: rng.bytes(rng.int(200)), ttl: 1 + rng.int(255),
      ipOptions: rng.bool(0.1) ? Uint8Array.from([1, 1, 1, 0]) : undefined, // NOP x3, EOL
    });
    const r = s2.process(f, PORT_CLIENTS);
    assert.is(r.verdict.action, "forward");
    const p = parse(r.frame);
    assert.ok(p.ipChecksumOk, `ip checksum, frame ${i}`);
    assert.ok(p.l4ChecksumOk, `l4 checksum ${p.l4Checksum.toString(16)} != ${p.recomputedL4Checksum.toString(16)}, frame ${i}`);
    if (rewritten.length < 400) rewritten.push(r.frame);
    const reply = frame({ src: p.dst, dst: client, proto: udp ? "udp" : "tcp", sport: BE_PORT, dport: sport, flags: TCP.ACK, seq: rng.u32(), ack: rng.u32(), payload: rng.bytes(rng.int(200)) });
    const rr = s2.process(reply, PORT_BACKENDS);
    assert.is(rr.verdict.action, "forward", `reply ${i}`);
    const q = parse(rr.frame);
    assert.ok(eq(q.src, VIP4) && q.sport === (udp ? 53 : 80));
    assert.ok(q.ipChecksumOk && q.l4ChecksumOk, `reply checksums, frame ${i}`);
    if (rewritten.length < 400) rewritten.push(rr.frame);
  }
});

test("tshark: rewritten frames dissect cleanly, IP/TCP/UDP checksums Good", () => {
  const file = path.join(tmpDir("switch-rewrite"), "rewritten.pcap");
  writePcap(file, rewritten);
  const rows = fields(file, ["ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "ip.dst", "ip.src"], PREFS);
  assert.is(rows.length, rewritten.length);
  rows.forEach((r, i) => {
    assert.is(r["ip.checksum.status"], GOOD, `frame ${i + 1}`);
    assert.is(r["tcp.checksum.status"] || r["udp.checksum.status"], GOOD, `frame ${i + 1}`);
  });
  assert.ok(rows.some((r) => r["ip.src"] === "203.0.113.10") && rows.some((r) => r["ip.dst"].startsWith("198.51.100.")));
  const bad = expertItems(file, PREFS).filter((e) => e.severity === "warning" || e.severity === "error");
  assert.equal(bad, []);
});

test.run();
