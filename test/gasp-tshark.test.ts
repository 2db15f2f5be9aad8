// tshark judges both gasp encapsulations: raw 0x88B5 frames dissect as Ethernet with that
// EtherType and a data payload; UDP/IPv4 frames dissect with IPv4 and UDP checksums Good and
// the message as data. No malformed packets, no expert warnings or errors, tagged or not,
// for every excerpt length class, gasps and hellos alike.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { Rng } from "../host/util/rng";
import { formatMac, formatIPv4 } from "../host/util/addr";
import { GaspFrame } from "../host/gasp/repr";
import { requireTshark, tmpDir, writePcap, fields, expertItems } from "./helpers/tshark";
import { armedSender, boardPorts } from "../host/campaign/gasp-fixture";
import { refMessageOffset } from "../host/campaign/ref-gasp";

requireTshark();
const rng = new Rng(0x75a4);
const GOOD = "1"; // PROTO_CHECKSUM_E_GOOD in epan/proto.h

const tx = armedSender({ selfFence: false });
const ports = boardPorts(1);
const frames: GaspFrame[] = [];
for (let i = 0; i < 24; i++) {
  const n = [0, 3, 4, 17, 64, 80][i % 6];
  const built = i % 5 === 4 ? tx.hello(BigInt(rng.u32())) : tx.fire({ cause: 1 + (i % 7), vector: rng.u32(), pc: BigInt(rng.u32()), excerpt: rng.bytes(n) });
  frames.push(...built.frames);
}
const dir = tmpDir("gasp-tshark");
const file = path.join(dir, "gasp.pcap");
writePcap(file, frames.map((f) => f.bytes));

const rows = fields(file, [
  "frame.len", "frame.protocols", "eth.dst", "eth.src", "eth.type", "vlan.id", "vlan.etype", "ip.src", "ip.dst", "ip.dsfield.dscp",
  "ip.flags.df", "ip.ttl", "ip.checksum.status", "udp.srcport", "udp.dstport", "udp.length", "udp.checksum.status", "data.data", "data.len",
]);

test("tshark dissects every gasp frame", () => {
  assert.is(rows.length, frames.length);
  assert.ok(frames.some((f) => f.encap === "raw") && frames.some((f) => f.encap === "udp"));
});

test("no malformed packets, no expert warnings or errors", () => {
  const bad = expertItems(file).filter((e) => e.severity === "warning" || e.severity === "error");
  assert.equal(bad, []);
});

test("raw frames: Ethernet (802.1Q when tagged) with EtherType 0x88b5 and the message as data", () => {
  frames.forEach((f, i) => {
    if (f.encap !== "raw") return;
    const r = rows[i];
    const port = ports[f.port];
    const where = `frame ${i + 1}`;
    const msg = Buffer.from(f.bytes.subarray(refMessageOffset(f.bytes)!.off)).toString("hex");
    assert.is(r["frame.protocols"], port.vlanTci === undefined ? "eth:ethertype:data" : "eth:ethertype:vlan:ethertype:data", where);
    if (port.vlanTci === undefined) assert.is(r["eth.type"], "0x88b5", where);
    else assert.equal([r["eth.type"], r["vlan.etype"]], ["0x8100", "0x88b5"], where);
    assert.is(r["eth.dst"], formatMac(port.peerMac), where);
    assert.is(r["eth.src"], formatMac(port.ownMac), where);
    assert.is(r["vlan.id"], port.vlanTci === undefined ? "" : String(port.vlanTci & 0xfff), where);
    assert.is(r["data.data"], msg, where);
    assert.is(r["frame.len"], String(f.bytes.length), where);
  });
});

test("UDP frames: IPv4 and UDP checksums Good, port 19527, DF, CS6, the message as data", () => {
  frames.forEach((f, i) => {
    if (f.encap !== "udp") return;
    const r = rows[i];
    const port = ports[f.port];
    const where = `frame ${i + 1}`;
    const msg = Buffer.from(f.bytes.subarray(refMessageOffset(f.bytes)!.off)).toString("hex");
    assert.is(r["frame.protocols"], port.vlanTci === undefined ? "eth:ethertype:ip:udp:data" : "eth:ethertype:vlan:ethertype:ip:udp:data", where);
    assert.is(r["ip.src"], formatIPv4(port.ownIp!), where);
    assert.is(r["ip.dst"], formatIPv4(port.peerIp!), where);
    assert.is(r["ip.checksum.status"], GOOD, where);
    assert.is(r["udp.checksum.status"], GOOD, where);
    assert.equal([r["udp.srcport"], r["udp.dstport"]], ["19527", "19527"], where);
    assert.is(r["udp.length"], String(8 + msg.length / 2), where);
    assert.is(r["ip.flags.df"], "1", where);
    assert.is(r["ip.dsfield.dscp"], "48", where);
    assert.is(r["ip.ttl"], "64", where);
    assert.is(r["data.data"], msg, where);
    assert.is(r["data.len"], String(msg.length / 2), where);
  });
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
