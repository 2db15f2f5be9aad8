// `lastgasp encode vrrp|bfd|oam` and `lastgasp send gasp --dialect`: the core's armed
// templates, judged by tshark (VRRP checksum Good, BFD fields, the OAMPDU's Dying Gasp flag
// and the echoed peer TLV); bad input is exit 2 with one line naming the option.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { spawnCli } from "./helpers/cli";
import { fields, expertItems, requireTshark, tmpDir } from "./helpers/tshark";

const dir = tmpDir("dialect-cli");

function encode(file: string, ...args: string[]): string {
  const out = path.join(dir, file);
  const r = spawnCli(["encode", ...args, "--pcap", out]);
  assert.is(r.code, 0, r.err);
  return out;
}

test("encode vrrp: v2 with password, v3 IPv4 and IPv6 — priority 0, TTL 255, the virtual MAC, checksum Good, no expert warning", () => {
  requireTshark();
  const files = [
    encode("v2.pcap", "vrrp", "--version", "2", "--vrid", "51", "--ip", "192.0.2.2", "--vip", "192.0.2.1,192.0.2.9", "--advert-int", "1", "--password", "secret"),
    encode("v3.pcap", "vrrp", "--version", "3", "--vrid", "52", "--ip", "192.0.2.2", "--vip", "192.0.2.1", "--advert-int", "0.1"),
    encode("v3-6.pcap", "vrrp", "--vrid", "53", "--ip", "fe80::2", "--vip", "2001:db8:1::1", "--count", "3"),
  ];
  const rows = files.flatMap((f) => fields(f, ["eth.src", "eth.dst", "vrrp.version", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.checksum.status", "ip.ttl", "ipv6.hlim", "vrrp.auth_string", "vrrp.ip_addr", "vrrp.short_adver_int"]));
  assert.is(rows.length, 5);
  assert.equal(rows[0]["vrrp.ip_addr"], "192.0.2.1,192.0.2.9");
  assert.is(rows[0]["vrrp.auth_string"], "secret");
  assert.is(rows[1]["vrrp.short_adver_int"], "10");
  assert.equal(rows.map((r) => r["eth.src"]), ["00:00:5e:00:01:33", "00:00:5e:00:01:34", "00:00:5e:00:02:35", "00:00:5e:00:02:35", "00:00:5e:00:02:35"]);
  assert.equal(rows.map((r) => r["eth.dst"]), ["01:00:5e:00:00:12", "01:00:5e:00:00:12", "33:33:00:00:00:12", "33:33:00:00:00:12", "33:33:00:00:00:12"]);
  for (const r of rows) {
    assert.is(r["vrrp.prio"], "0");
    assert.is(r["vrrp.checksum.status"], "1");
    assert.is(r["ip.ttl"] || r["ipv6.hlim"], "255");
  }
  for (const f of files) assert.equal(expertItems(f).filter((e) => e.severity !== "chat"), []);
});

test("encode bfd: state Down (never AdminDown), both discriminators, TTL 255, UDP 3784, checksums Good (IPv4 and IPv6)", () => {
  const common = ["--mac", "02:00:00:0a:00:02", "--peer-mac", "02:00:00:0b:00:02", "--my-disc", "305419896", "--your-disc", "2271560481", "--src-port", "49200"];
  const files = [
    encode("bfd4.pcap", "bfd", "--ip", "192.0.2.2", "--peer-ip", "192.0.2.3", ...common),
    encode("bfd6.pcap", "bfd", "--ip", "2001:db8:1::2", "--peer-ip", "2001:db8:1::3", "--diag", "5", ...common),
  ];
  const rows = files.flatMap((f) => fields(f, ["bfd.version", "bfd.sta", "bfd.diag", "bfd.my_discriminator", "bfd.your_discriminator", "bfd.detect_time_multiplier", "bfd.desired_min_tx_interval", "udp.srcport", "udp.dstport", "udp.checksum.status", "ip.checksum.status", "ip.ttl", "ipv6.hlim"]));
  assert.is(rows.length, 2);
  for (const r of rows) {
    assert.is(r["bfd.version"], "1");
    assert.is(r["bfd.sta"], "0x01", "Down");
    assert.is(r["bfd.my_discriminator"], "0x12345678");
    assert.is(r["bfd.your_discriminator"], "0x87654321");
    assert.is(r["bfd.detect_time_multiplier"], "3");
    assert.is(r["bfd.desired_min_tx_interval"], "300000");
    assert.is(r["udp.srcport"], "49200");
    assert.is(r["udp.dstport"], "3784");
    assert.is(r["udp.checksum.status"], "1");
    assert.is(r["ip.ttl"] || r["ipv6.hlim"], "255");
  }
  assert.equal(rows.map((r) => r["bfd.diag"]), ["0x04", "0x05"]);
  for (const f of files) assert.equal(expertItems(f).filter((e) => e.severity !== "chat"), []);
});

test("encode oam: an Information OAMPDU with Dying Gasp; with --peer-tlv the peer's Local Information TLV echoed as Remote", () => {
  const tlv = "0110010001050000050ee4001122aabbccdd".slice(0, 32);
  const f = encode("oam.pcap", "oam", "--mac", "02:00:00:0a:00:02", "--peer-tlv", tlv);
  const bare = encode("oam0.pcap", "oam", "--mac", "02:00:00:0a:00:02");
  const [r0] = fields(f, ["eth.dst", "slow.subtype", "oampdu.flags.dyingGasp", "oampdu.flags.criticalEvent", "oampdu.flags.localStable", "oampdu.flags.remoteStable", "oampdu.code", "oampdu.info.type", "oampdu.info.revision"]);
  // tshark repeats the flag fields once per TLV it decodes them with: the header's come first.
  const r = Object.fromEntries(Object.entries(r0).map(([k, v]) => [k, k.startsWith("oampdu.flags") ? v.split(",")[0] : v]));
  assert.is(r["eth.dst"], "01:80:c2:00:00:02");
  assert.is(r["oampdu.flags.dyingGasp"], "1");
  assert.is(r["oampdu.flags.criticalEvent"], "0");
  assert.is(r["oampdu.flags.localStable"], "1");
  assert.is(r["oampdu.flags.remoteStable"], "1");
  assert.is(r["oampdu.code"], "0x00");
  assert.is(r["oampdu.info.type"], "0x01,0x02", "Local, then the peer's echoed as Remote");
  assert.is(r["oampdu.info.revision"], "1,1");
  const [b] = fields(bare, ["oampdu.flags.dyingGasp", "oampdu.flags.localEvaluating", "oampdu.info.type"]).map((x) => ({ ...x, "oampdu.flags.dyingGasp": x["oampdu.flags.dyingGasp"].split(",")[0], "oampdu.flags.localEvaluating": x["oampdu.flags.localEvaluating"].split(",")[0] }));
  assert.equal(b, { "oampdu.flags.dyingGasp": "1", "oampdu.flags.localEvaluating": "1", "oampdu.info.type": "0x01" });
  for (const x of [f, bare]) assert.equal(expertItems(x).filter((e) => e.severity !== "chat"), []);
});

test("send gasp --dialect: the fault entry's frames in wire order — the gasp, then each dialect's copies back to back", () => {
  const key = path.join(dir, "chassis.key");
  fs.writeFileSync(key, "11".repeat(32), { mode: 0o600 });
  const r = spawnCli(["send", "gasp", "--iface", "lo", "--key-file", key, "--dialect", "vrrp,bfd,oam", "--vrid", "7", "--ip", "192.0.2.2", "--vip", "192.0.2.1",
    "--peer-ip", "192.0.2.3", "--peer-mac", "02:00:00:0b:00:02", "--my-disc", "1", "--your-disc", "2", "--mac", "02:00:00:0a:00:02", "--dry-run", "--json"]);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { frames: string[] };
  const kinds = j.frames.map((h) => {
    const type = h.slice(24, 28);
    return type === "88b5" ? "gasp" : type === "8809" ? "oam" : h.slice(46, 48) === "70" ? "vrrp" : "bfd";
  });
  assert.equal(kinds, ["gasp", "vrrp", "vrrp", "vrrp", "bfd", "oam"]);
});

test("bad input: exit 2, one line naming the option", () => {
  const cases: [string[], RegExp][] = [
    [["encode", "vrrp", "--vrid", "0", "--ip", "192.0.2.2", "--vip", "192.0.2.1"], /--vrid/],
    [["encode", "vrrp", "--version", "2", "--vrid", "1", "--ip", "fe80::1", "--vip", "2001:db8::1"], /--version: VRRP version 2 is IPv4 only/],
    [["encode", "vrrp", "--version", "2", "--vrid", "1", "--ip", "192.0.2.2", "--vip", "192.0.2.1", "--advert-int", "0.5"], /--advert-int/],
    [["encode", "vrrp", "--vrid", "1", "--ip", "192.0.2.2", "--vip", "2001:db8::1"], /--vip/],
    [["encode", "bfd", "--mac", "02:00:00:0a:00:02", "--ip", "192.0.2.2", "--peer-ip", "192.0.2.3", "--peer-mac", "02:00:00:0b:00:02", "--my-disc", "1", "--your-disc", "0"], /--your-disc/],
    [["encode", "bfd", "--mac", "02:00:00:0a:00:02", "--ip", "192.0.2.2", "--peer-ip", "192.0.2.3", "--peer-mac", "02:00:00:0b:00:02", "--my-disc", "1", "--your-disc", "2", "--src-port", "1234"], /--src-port/],
    [["encode", "oam", "--mac", "02:00:00:0a:00:02", "--peer-tlv", "0102"], /--peer-tlv/],
    [["encode", "oam", "--mac", "02:00:00:0a:00:02", "--vlan", "5"], /--vlan: OAMPDUs are never tagged/],
  ];
  for (const [args, re] of cases) {
    const r = spawnCli(args);
    assert.is(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
    assert.is(r.err.trim().split("\n").length, 1, r.err);
  }
});

test.run();
