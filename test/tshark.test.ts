// tshark as the independent judge: every frame kind the core builds, written to a pcap and
// dissected with checksum validation on. No malformed packets, no expert warnings or errors,
// checksum status Good, and the dissected fields equal the inputs.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { freshCodec } from "./helpers/core";
import { requireTshark, tmpDir, writePcap, fields, expertItems } from "./helpers/tshark";
import { parseIPv4, parseIPv6, parseMac } from "../host/util/addr";
import { Rng } from "../host/util/rng";

requireTshark();
const codec = freshCodec();
const dir = tmpDir("tshark");
const rng = new Rng(4242);
const GOOD = "1"; // PROTO_CHECKSUM_E_GOOD in epan/proto.h

interface Case {
  kind: string;
  frame: Uint8Array;
  ip: string;
  mac: string;
  vlan?: number;
}

function macOf(i: number) {
  return `02:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}:01`;
}

const cases: Case[] = [];
for (let i = 0; i < 40; i++) {
  const vlan = i % 2 ? 1 + rng.int(4094) : undefined;
  const mac = macOf(i);
  const ip4 = `203.0.113.${1 + i}`; // one address per MAC: tshark rightly warns about duplicates
  const ip6 = `2001:db8::${(1 + rng.int(0xfffe)).toString(16)}`;
  for (const kind of ["garp", "garp-reply", "arp-probe"] as const) {
    cases.push({ kind, ip: ip4, mac, vlan, frame: codec.announce(kind, parseMac(mac), parseIPv4(ip4), vlan) });
  }
  cases.push({ kind: "na", ip: ip6, mac, vlan, frame: codec.unsolicitedNa(parseMac(mac), parseIPv6(ip6), { vlanTci: vlan }) });
  const payload = rng.bytes(rng.int(200));
  cases.push({
    kind: "udp4", ip: ip4, mac, vlan,
    frame: codec.encodeUdp4(
      { dst: parseMac("02:00:00:00:00:fe"), src: parseMac(mac), ethertype: 0x0800, tci: vlan },
      { src: parseIPv4(ip4), dst: parseIPv4("198.51.100.1"), protocol: 17, ttl: 64, tos: 0, ident: i, frag: 0, payloadLen: 0 },
      { srcPort: 40000 + i, dstPort: 9 }, payload),
  });
}
const file = path.join(dir, "all-kinds.pcap");
writePcap(file, cases.map((c) => c.frame));

const F = [
  "frame.len", "frame.protocols", "eth.dst", "eth.src", "vlan.id",
  "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4", "arp.isannouncement", "arp.isprobe",
  "ipv6.src", "ipv6.dst", "ipv6.hlim", "icmpv6.type", "icmpv6.checksum.status", "icmpv6.nd.na.flag.o", "icmpv6.nd.na.flag.s",
  "icmpv6.nd.na.target_address", "icmpv6.opt.target_linkaddr",
  "ip.src", "ip.checksum.status", "udp.srcport", "udp.checksum.status",
];
const rows = fields(file, F);

test("tshark dissects every frame", () => {
  assert.is(rows.length, cases.length);
});

test("no malformed packets and no expert warnings or errors", () => {
  const bad = expertItems(file).filter((e) => e.severity === "warning" || e.severity === "error");
  assert.equal(bad, []);
});

test("dissected fields equal the inputs, checksums Good", () => {
  cases.forEach((c, i) => {
    const r = rows[i];
    const where = `frame ${i + 1} (${c.kind})`;
    assert.is(r["eth.src"], c.mac, where);
    assert.is(r["vlan.id"], c.vlan === undefined ? "" : String(c.vlan), where);
    if (c.kind !== "na" && c.kind !== "udp4") {
      assert.is(r["frame.len"], "60", where);
      assert.is(r["eth.dst"], "ff:ff:ff:ff:ff:ff", where);
      assert.is(r["arp.src.hw_mac"], c.mac, where);
      assert.is(r["arp.dst.proto_ipv4"], c.ip, where);
      assert.is(r["arp.opcode"], c.kind === "garp-reply" ? "2" : "1", where);
      assert.is(r["arp.src.proto_ipv4"], c.kind === "arp-probe" ? "0.0.0.0" : c.ip, where);
      assert.is(r["arp.dst.hw_mac"], c.kind === "garp-reply" ? c.mac : "00:00:00:00:00:00", where);
      if (c.kind === "garp") assert.is(r["arp.isannouncement"], "1", where);
      if (c.kind === "arp-probe") assert.is(r["arp.isprobe"], "1", where);
    } else if (c.kind === "na") {
      assert.is(r["eth.dst"], "33:33:00:00:00:01", where);
      assert.is(r["ipv6.src"], c.ip, where);
      assert.is(r["ipv6.dst"], "ff02::1", where);
      assert.is(r["ipv6.hlim"], "255", where);
      assert.is(r["icmpv6.type"], "136", where);
      assert.is(r["icmpv6.checksum.status"], GOOD, where);
      assert.is(r["icmpv6.nd.na.flag.o"], "1", where);
      assert.is(r["icmpv6.nd.na.flag.s"], "0", where);
      assert.is(r["icmpv6.nd.na.target_address"], c.ip, where);
      assert.is(r["icmpv6.opt.target_linkaddr"], c.mac, where);
    } else {
      assert.is(r["ip.src"], c.ip, where);
      assert.is(r["ip.checksum.status"], GOOD, where);
      assert.is(r["udp.checksum.status"], GOOD, where);
      assert.is(r["udp.srcport"], String(40000 + Math.floor(i / 5)), where);
    }
  });
});

test.run();
