// Fragments (docs/switching-path.md "Fragments"): the first fragment carries the ports and is
// tracked; later fragments follow it to the same back end, NAT rewriting their IPv4 header;
// the reassembled datagram's UDP checksum is right (judged from scratch and by tshark, which
// reassembles). Later fragments without a tracked first, fragments to no service, and tiny
// first fragments are dropped and counted.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { fixture, VIP4, VIP6, clientIp4, clientIp6, PORT_CLIENTS, BE_PORT, backendIp4, SVC_UDP_NAT } from "../host/campaign/switch-fixture";
import { frame, fragment4, TCP, hex, macs, u16, csum, pseudoHeader } from "../host/campaign/frames";
import { requireTshark, tmpDir, writePcap, fields, expertItems } from "./helpers/tshark";
import * as S from "../assembly/shared/switch";
import { Rng } from "../host/util/rng";

requireTshark();
const rng = new Rng(1858);
const GOOD = "1";
const forwarded: Uint8Array[] = [];

/** Reassembles IPv4 fragments (already in order) into the datagram's payload. */
function reassemble(frags: Uint8Array[]): { src: Uint8Array; dst: Uint8Array; payload: Uint8Array } {
  const parts = frags.map((g) => {
    const hl = (g[14] & 0xf) * 4;
    return { off: (u16(g, 20) & 0x1fff) * 8, data: g.slice(14 + hl, 14 + u16(g, 16)) };
  });
  const len = Math.max(...parts.map((p) => p.off + p.data.length));
  const payload = new Uint8Array(len);
  for (const p of parts) payload.set(p.data, p.off);
  return { src: frags[0].slice(26, 30), dst: frags[0].slice(30, 34), payload };
}

test("a fragmented UDP datagram to a NAT service: every fragment to the same back end, checksum right after reassembly", () => {
  const { sw } = fixture();
  for (let k = 0; k < 20; k++) {
    const whole = frame({ src: clientIp4(k), dst: VIP4, proto: "udp", sport: 7000 + k, dport: 53, payload: rng.bytes(1200 + rng.int(600)), ident: 100 + k });
    const frags = fragment4(whole, 8 * (20 + rng.int(40)));
    assert.ok(frags.length >= 3);
    const outs = frags.map((g) => sw.process(g, PORT_CLIENTS));
    outs.forEach((o, i) => assert.is(o.verdict.action, "forward", `fragment ${i}`));
    const bes = new Set(outs.map((o) => macs(o.frame).dst[5]));
    assert.is(bes.size, 1, "one back end for the whole datagram");
    const be = [...bes][0];
    for (const o of outs) {
      const hl = (o.frame[14] & 0xf) * 4;
      const h = o.frame.slice(14, 14 + hl);
      const c = u16(h, 10);
      h[10] = h[11] = 0;
      assert.is(c, csum([h]), "IPv4 header checksum");
      assert.is(hex(o.frame.subarray(30, 34)), hex(backendIp4(be)), "every fragment's destination rewritten");
    }
    const d = reassemble(outs.map((o) => o.frame));
    assert.is(u16(d.payload, 2), BE_PORT, "port rewritten in the first fragment");
    const udp = d.payload.slice();
    const c = u16(udp, 6);
    udp[6] = udp[7] = 0;
    let want = csum([pseudoHeader(4, d.src, d.dst, 17, udp.length), udp]);
    if (want === 0) want = 0xffff;
    assert.is(c, want, "the reassembled datagram's UDP checksum");
    if (k < 5) forwarded.push(...outs.map((o) => o.frame));
  }
  const c = sw.counters();
  assert.is(c.frag_tracked, 20);
  assert.ok(c.frag_followed >= 40);
  assert.is(sw.connectionBackend(SVC_UDP_NAT, clientIp4(0), 7000) !== null, true, "the datagram's flow is a connection");
});

test("later fragments go where the unfragmented packets of the same flow went", () => {
  const { sw } = fixture();
  const plain = sw.process(frame({ src: clientIp4(50), dst: VIP4, proto: "udp", sport: 5050, dport: 53, payload: rng.bytes(20) }), PORT_CLIENTS);
  const be = macs(plain.frame).dst[5];
  const frags = fragment4(frame({ src: clientIp4(50), dst: VIP4, proto: "udp", sport: 5050, dport: 53, payload: rng.bytes(3000), ident: 9 }), 1480);
  for (const g of frags) assert.is(macs(sw.process(g, PORT_CLIENTS).frame).dst[5], be);
});

test("a later fragment without its first, after the first expired, or to no service is dropped and counted", () => {
  const { sw } = fixture();
  sw.setTimeout(S.TMO_FRAG, 1000);
  const frags = fragment4(frame({ src: clientIp4(60), dst: VIP4, proto: "udp", sport: 6060, dport: 53, payload: rng.bytes(2000), ident: 77 }), 1000);
  assert.is(sw.process(frags[1], PORT_CLIENTS).verdict.reason, "drop_frag_untracked", "out of order: before the first");
  sw.tick(2000);
  assert.is(sw.process(frags[0], PORT_CLIENTS).verdict.action, "forward");
  sw.tick(3500);
  assert.is(sw.process(frags[1], PORT_CLIENTS).verdict.reason, "drop_frag_untracked", "the first is older than TMO_FRAG");
  const other = fragment4(frame({ src: clientIp4(61), dst: VIP4, proto: "udp", sport: 6061, dport: 54, payload: rng.bytes(2000), ident: 78 }), 1000);
  assert.is(sw.process(other[0], PORT_CLIENTS).verdict.reason, "drop_frag_no_service");
  const tcp = fragment4(frame({ src: clientIp4(62), dst: VIP4, proto: "tcp", sport: 6062, dport: 9999, flags: TCP.ACK, payload: rng.bytes(2000), ident: 79 }), 1000);
  assert.is(sw.process(tcp[0], PORT_CLIENTS).verdict.reason, "drop_frag_no_service", "no RST for a fragment");
  const c = sw.counters();
  assert.is(c.drop_frag_untracked, 2);
  assert.is(c.drop_frag_no_service, 2);
});

test("RFC 1858: a first fragment too short for the whole TCP header is malformed", () => {
  const { sw } = fixture();
  const f = frame({ src: clientIp4(70), dst: VIP4, proto: "tcp", sport: 7070, dport: 80, flags: TCP.SYN, payload: rng.bytes(100), ident: 5 });
  const tiny = fragment4(f, 8)[0]; // 8 bytes of TCP header: ports and sequence only
  assert.is(sw.process(tiny, PORT_CLIENTS).verdict.reason, "drop_malformed");
});

test("IPv6 (DSR): first and later fragments go to the same back end, bytes untouched past Ethernet", () => {
  const { sw } = fixture();
  // build by hand: Fragment header (44) then UDP, split in two
  const whole = frame({ src: clientIp6(80), dst: VIP6, proto: "udp", sport: 8080, dport: 53, payload: rng.bytes(1000) });
  const udp = whole.subarray(54, 54 + u16(whole, 18));
  const part = (off: number, data: Uint8Array, more: boolean) => {
    const g = new Uint8Array(54 + 8 + data.length);
    g.set(whole.subarray(0, 54));
    g[20] = 44;
    g[18] = (8 + data.length) >> 8;
    g[19] = (8 + data.length) & 0xff;
    g[54] = 17;
    g[56] = (off >> 5) & 0xff;
    g[57] = ((off << 3) & 0xf8) | (more ? 1 : 0);
    g.set([0, 0, 0x12, 0x34], 58);
    g.set(data, 62);
    return g;
  };
  const f1 = part(0, udp.subarray(0, 504), true);
  const f2 = part(504 / 8, udp.subarray(504), false);
  const o1 = sw.process(f1, PORT_CLIENTS);
  const o2 = sw.process(f2, PORT_CLIENTS);
  assert.is(o1.verdict.action, "forward");
  assert.is(o2.verdict.action, "forward");
  assert.is(macs(o1.frame).dst[5], macs(o2.frame).dst[5]);
  assert.is(hex(o2.frame.subarray(12)), hex(f2.subarray(12)));
  const unknown = part(504 / 8, udp.subarray(504), false);
  unknown[61] = 0x35; // another identification
  assert.is(sw.process(unknown, PORT_CLIENTS).verdict.reason, "drop_frag_untracked");
  forwarded.push(o1.frame, o2.frame);
});

test("tshark reassembles the rewritten fragments: UDP checksum Good on every datagram", () => {
  const file = path.join(tmpDir("switch-frag"), "fragments.pcap");
  writePcap(file, forwarded);
  const prefs = ["--disable-protocol", "dns"];
  const rows = fields(file, ["udp.checksum.status", "ip.checksum.status", "ip.dst"], prefs).filter((r) => r["udp.checksum.status"] !== "");
  assert.is(rows.length, 6, "five IPv4 datagrams and one IPv6 datagram reassembled");
  for (const r of rows) assert.is(r["udp.checksum.status"], GOOD);
  assert.equal(expertItems(file, prefs).filter((e) => e.severity === "warning" || e.severity === "error"), []);
});

test.run();

