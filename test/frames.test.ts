// Byte-exact frames, checked field by field against the RFC layouts (RFC 826 / 5227 for ARP,
// RFC 8200 / 4861 for the NA, IEEE 802.1Q for the tag), with offsets written out here.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { freshCodec, hex, bytes } from "./helpers/core";
import { refChecksum } from "../host/campaign/ref-wire";
import { parseIPv4, parseIPv6, parseMac } from "../host/util/addr";
import { CoreError } from "../host/core/status";

const codec = freshCodec();
const MAC = parseMac("02:00:00:aa:bb:cc");
const IP4 = parseIPv4("203.0.113.9");
const IP6 = parseIPv6("2001:db8::9");
const BCAST = "ffffffffffff";

function arpFields(f: Uint8Array, off = 14) {
  return {
    htype: hex(f.subarray(off, off + 2)), ptype: hex(f.subarray(off + 2, off + 4)),
    hlen: f[off + 4], plen: f[off + 5], op: hex(f.subarray(off + 6, off + 8)),
    sha: hex(f.subarray(off + 8, off + 14)), spa: hex(f.subarray(off + 14, off + 18)),
    tha: hex(f.subarray(off + 18, off + 24)), tpa: hex(f.subarray(off + 24, off + 28)),
  };
}

test("garp: RFC 5227 announcement, 60 bytes, broadcast, SPA = TPA, THA zero, padded with zeros", () => {
  const f = codec.announce("garp", MAC, IP4);
  assert.is(f.length, 60);
  assert.is(hex(f.subarray(0, 6)), BCAST);
  assert.is(hex(f.subarray(6, 12)), "020000aabbcc");
  assert.is(hex(f.subarray(12, 14)), "0806");
  assert.equal(arpFields(f), {
    htype: "0001", ptype: "0800", hlen: 6, plen: 4, op: "0001",
    sha: "020000aabbcc", spa: "cb007109", tha: "000000000000", tpa: "cb007109",
  });
  assert.ok(f.subarray(42).every((b) => b === 0), "padding is zero");
  assert.is(hex(f), "ffffffffffff020000aabbcc08060001080006040001020000aabbcccb007109000000000000cb007109" + "00".repeat(18));
});

test("garp-reply: arping -A form, opcode 2, THA = own MAC, still broadcast", () => {
  const f = codec.announce("garp-reply", MAC, IP4);
  assert.is(f.length, 60);
  assert.is(hex(f.subarray(0, 6)), BCAST);
  assert.equal(arpFields(f), {
    htype: "0001", ptype: "0800", hlen: 6, plen: 4, op: "0002",
    sha: "020000aabbcc", spa: "cb007109", tha: "020000aabbcc", tpa: "cb007109",
  });
});

test("arp-probe: RFC 5227 probe, SPA 0.0.0.0, THA zero, TPA = probed address", () => {
  const f = codec.announce("arp-probe", MAC, IP4);
  assert.equal(arpFields(f), {
    htype: "0001", ptype: "0800", hlen: 6, plen: 4, op: "0001",
    sha: "020000aabbcc", spa: "00000000", tha: "000000000000", tpa: "cb007109",
  });
});

test("802.1Q: TPID 0x8100, TCI, inner EtherType; tagged ARP is still padded to 60", () => {
  const f = codec.announce("garp", MAC, IP4, (5 << 13) | 100);
  assert.is(f.length, 60);
  assert.is(hex(f.subarray(12, 14)), "8100");
  assert.is(hex(f.subarray(14, 16)), "a064"); // PCP 5, DEI 0, VID 100
  assert.is(hex(f.subarray(16, 18)), "0806");
  assert.is(arpFields(f, 18).spa, "cb007109");
  assert.ok(f.subarray(46).every((b) => b === 0));
});

test("VLAN ID 4095 is reserved and refused", () => {
  assert.throws(() => codec.announce("garp", MAC, IP4, 4095), (e: unknown) => e instanceof CoreError && e.status === -9);
});

test("na: RFC 4861 unsolicited NA, field by field", () => {
  const f = codec.unsolicitedNa(MAC, IP6);
  assert.is(f.length, 14 + 40 + 32);
  assert.is(hex(f.subarray(0, 6)), "333300000001");
  assert.is(hex(f.subarray(6, 12)), "020000aabbcc");
  assert.is(hex(f.subarray(12, 14)), "86dd");
  const ip = f.subarray(14);
  assert.is(ip[0] >> 4, 6, "version");
  assert.is(hex(ip.subarray(0, 4)), "60000000", "traffic class and flow label zero");
  assert.is((ip[4] << 8) | ip[5], 32, "payload length");
  assert.is(ip[6], 58, "next header ICMPv6");
  assert.is(ip[7], 255, "hop limit");
  assert.is(hex(ip.subarray(8, 24)), hex(IP6), "source = the target address");
  assert.is(hex(ip.subarray(24, 40)), "ff020000000000000000000000000001");
  const m = ip.subarray(40);
  assert.is(m[0], 136, "type NA");
  assert.is(m[1], 0, "code");
  assert.is(m[4], 0x20, "R=0 S=0 O=1");
  assert.is(hex(m.subarray(5, 8)), "000000", "reserved");
  assert.is(hex(m.subarray(8, 24)), hex(IP6), "target");
  assert.equal([m[24], m[25]], [2, 1], "TLLA option, length 1 (8 bytes)");
  assert.is(hex(m.subarray(26, 32)), "020000aabbcc");
  const pseudo = Uint8Array.from([...ip.subarray(8, 40), 0, 0, 0, 32, 0, 0, 0, 58]);
  assert.is(refChecksum([pseudo, m.subarray(0, 32)]), 0, "ICMPv6 checksum verifies");
});

test("na --router sets R; tagged NA carries the tag", () => {
  const f = codec.unsolicitedNa(MAC, IP6, { router: true, vlanTci: 42 });
  assert.is(hex(f.subarray(12, 18)), "8100002a86dd");
  assert.is(f[18 + 40 + 4], 0xa0, "R=1 S=0 O=1");
});

test("udp4: Ethernet/IPv4/UDP with both checksums", () => {
  const f = codec.encodeUdp4(
    { dst: parseMac("02:00:00:00:00:02"), src: MAC, ethertype: 0 },
    { src: IP4, dst: parseIPv4("198.51.100.7"), protocol: 0, ttl: 64, tos: 0, ident: 0x1234, frag: 0x4000, payloadLen: 0 },
    { srcPort: 5000, dstPort: 5001 },
    bytes("68656c6c6f"),
  );
  assert.is(f.length, 60, "47 bytes padded to 60");
  const ip = f.subarray(14, 34);
  assert.is(hex(ip.subarray(0, 2)), "4500");
  assert.is((ip[2] << 8) | ip[3], 33, "total length 20 + 8 + 5");
  assert.is(hex(ip.subarray(4, 8)), "12344000");
  assert.equal([ip[8], ip[9]], [64, 17]);
  assert.is(refChecksum([ip]), 0, "IPv4 header checksum verifies");
  const u = f.subarray(34, 47);
  assert.is(hex(u.subarray(0, 6)), "13881389000d");
  const pseudo = Uint8Array.from([...ip.subarray(12, 20), 0, 17, 0, 13]);
  assert.is(refChecksum([pseudo, u]), 0, "UDP checksum verifies");
  assert.ok(f.subarray(47).every((b) => b === 0));
});

test.run();
