// The dialects in the fault entry (assembly/dialect/, assembly/fault/entry.ts): on every
// port the gasp first, then that port's dialect frames, each frame's copies back to back; on
// a NIC whose fault path has its own queue, the OS's queues are disabled first so nothing the
// dead OS queued (a VRRP advert with its priority) can follow; the carrier drop last, after
// everything left, by powering the PHY down through MDIC; the fault ring's room checked at
// arming; re-arming replaces a frame in place; the OAM peer's TLV learned; the one
// per-cause byte; bad configs refused with a status, never a trap.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { ArmedUnit } from "../host/dialect/unit";
import { Dialects, Dialect, writeDialect } from "../host/dialect/dialect";
import { Core } from "../host/core/core";
import { CoreError } from "../host/core/status";
import { parseIPv4, parseIPv6, parseMac } from "../host/util/addr";
import { Rng } from "../host/util/rng";
import { CHASSIS, KEY, KEY_ID, receiver } from "../host/campaign/gasp-fixture";
import * as S from "../assembly/shared/status";
import * as D from "../assembly/shared/dialect";
import * as F from "../assembly/shared/fault";
import { GASP_CAUSE_TRAP, GASP_CAUSE_THERMAL } from "../assembly/shared/gasp";
import { REG_MDIC } from "../assembly/shared/e1000";

const MAC = ["02:00:00:0a:00:01", "02:00:00:0a:00:02"].map(parseMac);
const PEER = parseMac("02:00:00:0b:00:02");

const vrrp = (port: number, vrid: number, copies = 3, version: 2 | 3 = 3): Dialect => ({
  kind: "vrrp", port, copies, version, vrid, src: parseIPv4("192.0.2.2"), addrs: [parseIPv4("192.0.2.1")], interval: version === 2 ? 1 : 100,
});
const bfd = (port: number, yourDisc = 2): Dialect => ({
  kind: "bfd", port, copies: 1, ownMac: MAC[port], peerMac: PEER, src: parseIPv4("192.0.2.2"), dst: parseIPv4("192.0.2.3"),
  srcPort: 49152, myDisc: 1, yourDisc, detectMult: 3, desiredMinTxUs: 300_000, requiredMinRxUs: 300_000,
});
const oam = (port: number): Dialect => ({ kind: "oam", port, copies: 1, ownMac: MAC[port] });

function unit(model: "e1000" | "i210", dialects: Dialect[], o: { carrier?: number[]; faultRing?: number } = {}): ArmedUnit {
  return new ArmedUnit({
    chassis: CHASSIS, unit: 1, key: KEY, keyId: KEY_ID, boot: 3, copies: 2, model, faultRing: o.faultRing, carrierDrop: o.carrier,
    ports: [
      { ownMac: MAC[0], peerMac: parseMac("02:00:00:0b:00:01"), encaps: ["raw"] },
      { ownMac: MAC[1], peerMac: PEER, ownIp: parseIPv4("192.0.2.2"), peerIp: parseIPv4("192.0.2.3"), encaps: ["raw", "udp"] },
    ],
    dialects,
  });
}

/** What a frame is: gasp, vrrp/VRID, bfd, oam. */
function what(f: Uint8Array): string {
  const type = (f[12] << 8) | f[13];
  if (type === 0x88b5) return "gasp";
  if (type === 0x8809) return "oam";
  if (type === 0x0800 && f[23] === 112) return `vrrp${f[35]}`;
  if (type === 0x0800 && f[23] === 17 && ((f[36] << 8) | f[37]) === 3784) return "bfd";
  if (type === 0x0800) return "gasp";
  return "?";
}

for (const model of ["e1000", "i210"] as const) {
  test(`${model}: per port the gasp first, then its dialects, each frame's copies back to back; every gasp authentic`, () => {
    const u = unit(model, [vrrp(1, 51), bfd(1), oam(1), vrrp(0, 52, 2, 2)]);
    const r = u.fire(GASP_CAUSE_TRAP);
    assert.is(r.rc, 0, r.result);
    const lead = model === "e1000" ? ["gasp"] : []; // queue 0 reset under a dead driver: a sacrificial lead copy
    const port = (p: number) => u.wire.filter((f) => f.port === p).map((f) => what(f.frame));
    assert.equal(port(0), [...lead, "gasp", "gasp", "vrrp52", "vrrp52"]);
    assert.equal(port(1), [...lead, "gasp", "gasp", "gasp", "gasp", "vrrp51", "vrrp51", "vrrp51", "bfd", "oam"]);
    const x = u.board.fault.exports;
    assert.equal([0, 1].map((p) => x.fault_port_info(p, F.FPI_DIALECTS)), [1, 3]);
    const rx = receiver();
    for (const f of u.wire.filter((w) => what(w.frame) === "gasp")) {
      const got = rx.receive(f.frame);
      assert.ok(got.ok || got.reason === "E_GASP_DUPLICATE", got.ok ? "" : got.reason);
    }
    assert.is(rx.counters().accepted, 1);
  });
}

test("i210: the OS's queue is disabled first — a priority-100 advert the dead OS queued never follows the dialects", () => {
  const run = (quiesce: boolean) => {
    const u = unit("i210", [vrrp(1, 51)]);
    if (!quiesce) u.fault.arm(F.FAULT_ARMF_LINK_FIRST);
    const os = u.board.osRings;
    for (const p of [0, 1]) {
      os.must("nic_link_wait", p, 1, 1000);
      os.must("nic_tx_init", p);
    }
    // The OS's keepalived queued an advert (priority 100) whose fetch is late (a busy DMA engine).
    u.board.nics[1].faults.deferTx(200_000, { queue: 0, mode: "engine" });
    const advert = osAdvert(u);
    assert.is(os.enqueue(1, [advert]), 1);
    os.run("nic_tx_doorbell", 1);
    const r = u.fire(GASP_CAUSE_TRAP);
    assert.is(r.rc, 0, r.result);
    u.board.clock.advance(1_000_000);
    const seq = u.wire.filter((f) => f.port === 1).map((f) => (what(f.frame) === "vrrp51" ? `vrrp51/p${f.frame[36]}` : what(f.frame)));
    return { seq, quiesced: u.board.fault.exports.fault_port_info(1, F.FPI_QUIESCED) };
  };
  const on = run(true);
  assert.is(on.quiesced, 1);
  assert.equal(on.seq, ["gasp", "gasp", "gasp", "gasp", "vrrp51/p0", "vrrp51/p0", "vrrp51/p0"], "nothing after the dialects");
  const off = run(false);
  assert.equal(off.seq.at(-1), "vrrp51/p100", "the control: without the quiesce the OS's advert follows them");
});

/** The advert a healthy master's OS sends: the same template at priority 100 (built by another core). */
function osAdvert(u: ArmedUnit): Uint8Array {
  const ds = new Dialects(u.board.os);
  ds.clear();
  ds.arm({ ...(vrrp(1, 51) as Extract<Dialect, { kind: "vrrp" }>), priority: 100, copies: 1 });
  const f = ds.frames()[0].bytes;
  ds.clear();
  return f;
}

test("carrier drop: last, after the drain, on the ports asked; the PHY powered down through MDIC, the link gone at both ends", () => {
  const u = unit("e1000", [vrrp(1, 51)], { carrier: [1] });
  const writes: { tNs: number; v: number }[] = [];
  const nic = u.board.nics[1];
  const carrier: boolean[] = [];
  nic.onCarrier = (up) => carrier.push(up);
  const w = nic.write32.bind(nic);
  nic.write32 = (o: number, v: number) => {
    if (o === REG_MDIC) writes.push({ tNs: u.board.clock.now(), v });
    w(o, v);
  };
  const r = u.fire(GASP_CAUSE_TRAP);
  assert.is(r.rc, 0);
  const last = u.wire.filter((f) => f.port === 1).at(-1)!.tNs;
  assert.is(writes.length, 1);
  assert.ok(writes[0].tNs - last >= D.DIALECT_CARRIER_DRAIN_DEFAULT_US * 1000, `drop ${writes[0].tNs - last} ns after the last frame`);
  assert.equal([nic.link, nic.phyUp, u.board.nics[0].link], [false, false, true]);
  assert.equal(carrier, [false]);
  const x = u.board.fault.exports;
  assert.equal([x.fault_port_info(0, F.FPI_CARRIER), x.fault_port_info(1, F.FPI_CARRIER)], [0, 1]);
  // A port that sent nothing keeps its carrier: a peer that heard no gasp should not lose the link either.
  const dead = unit("e1000", [vrrp(1, 51)], { carrier: [0, 1] });
  dead.board.nics[0].setLink(false);
  dead.fire(GASP_CAUSE_TRAP);
  assert.equal([dead.board.nics[0].phyUp, dead.board.nics[1].phyUp], [true, false]);
  assert.is(dead.board.fault.exports.fault_port_info(0, F.FPI_CARRIER), S.E_LINK_DOWN);
});

test("the fault ring's room: a dialect that would not fit is refused at arming; a dialect on a port the gasp does not use is a bad plan", () => {
  // gasp: port 1 carries 2 frames x 2 copies; + a lead copy + the empty slot = 6 of 16
  const u = unit("e1000", [], { faultRing: 16 });
  assert.is(u.dialects.arm(vrrp(1, 1, 8)), 0);
  assert.throws(() => u.dialects.arm(vrrp(1, 2, 3)), (e: unknown) => e instanceof CoreError && e.status === S.E_DIALECT_RING);
  assert.is(u.dialects.arm(vrrp(1, 2, 2)), 1, "exactly full");
  assert.is(u.fault.arm(F.FAULT_ARMF_LINK_FIRST), 2);
  assert.is(u.dialects.arm(vrrp(3, 9, 1)), 2);
  assert.is(u.board.fault.exports.fault_arm(F.FAULT_ARMF_LINK_FIRST), S.E_FAULT_PLAN, "port 3 has no gasp");
});

test("re-arm: a BFD session's new discriminator replaces the armed frame in place; disarm; clear", () => {
  const u = unit("i210", [bfd(1, 0x1111), vrrp(1, 7)]);
  const yd = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset).getUint32(14 + 20 + 8 + 8);
  assert.is(yd(u.dialects.frames()[0].bytes), 0x1111);
  assert.is(u.dialects.rearm(0, bfd(1, 0x2222)), 0);
  assert.is(yd(u.dialects.frames()[0].bytes), 0x2222);
  assert.throws(() => u.dialects.rearm(0, vrrp(1, 7)), (e: unknown) => e instanceof CoreError && e.status === S.E_DIALECT_KIND);
  assert.throws(() => u.dialects.rearm(0, bfd(1, 0)), (e: unknown) => e instanceof CoreError && e.status === S.E_DIALECT_CONFIG);
  assert.is(yd(u.dialects.frames()[0].bytes), 0x2222, "a refused re-arm leaves the frame as it was");
  u.fire(GASP_CAUSE_TRAP);
  const sent = u.wire.filter((f) => what(f.frame) === "bfd");
  assert.is(sent.length, 1);
  assert.is(yd(sent[0].frame), 0x2222, "the re-armed frame is the one sent");
  u.dialects.disarm(0);
  assert.equal(u.dialects.frames().map((f) => f.kind), ["vrrp"]);
  u.dialects.clear();
  assert.equal(u.dialects.frames(), []);
});

test("OAM: the peer's Local Information TLV echoed once learned (and kept across a re-arm); Critical Event only for machine check and thermal", () => {
  const u = unit("e1000", [oam(1)]);
  const pdu = new Uint8Array(60);
  pdu.set([0x01, 0x80, 0xc2, 0, 0, 2, 2, 0, 0, 0xb, 0, 2, 0x88, 0x09, 0x03, 0x00, 0x08, 0x00], 0);
  const tlv = [0x01, 0x10, 0x01, 0x00, 0x07, 0x00, 0x05, 0x05, 0xee, 0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc, 0xdd];
  pdu.set(tlv, 18);
  assert.is(u.dialects.learnOam(0, pdu), true);
  assert.is(u.dialects.learnOam(0, pdu), false, "the same TLV again changes nothing");
  const remote = (f: Uint8Array) => Array.from(f.subarray(34, 50));
  assert.equal(remote(u.dialects.frames()[0].bytes), [0x02, ...tlv.slice(1)]);
  u.dialects.rearm(0, { ...(oam(1) as Extract<Dialect, { kind: "oam" }>), revision: 9 });
  assert.equal(remote(u.dialects.frames()[0].bytes), [0x02, ...tlv.slice(1)]);
  const flags = (f: Uint8Array) => (f[15] << 8) | f[16];
  assert.is(flags(u.dialects.fire(GASP_CAUSE_TRAP)[0].bytes), 0x0052, "dying gasp, local and remote stable");
  assert.is(flags(u.dialects.fire(GASP_CAUSE_THERMAL)[0].bytes), 0x0056, "and critical event");
  assert.throws(() => u.dialects.learnOam(0, pdu.subarray(0, 20)), (e: unknown) => e instanceof CoreError && e.status === S.E_DIALECT_PEER);
});

test("bad configs are refused with a status; 20000 random configs and OAMPDUs never trap or write outside the dialect areas", () => {
  const core = Core.load();
  const ds = new Dialects(core);
  const bad: [Dialect, number][] = [
    [{ ...(vrrp(0, 0) as Extract<Dialect, { kind: "vrrp" }>) }, S.E_DIALECT_CONFIG],
    [{ ...(vrrp(0, 1, 3, 2) as Extract<Dialect, { kind: "vrrp" }>), src: parseIPv6("fe80::1"), addrs: [parseIPv6("2001:db8::1")] }, S.E_DIALECT_CONFIG],
    [{ ...(vrrp(0, 1) as Extract<Dialect, { kind: "vrrp" }>), interval: 5000 }, S.E_DIALECT_CONFIG],
    [{ ...(vrrp(0, 1) as Extract<Dialect, { kind: "vrrp" }>), copies: 9 }, S.E_DIALECT_CONFIG],
    [{ ...(bfd(0) as Extract<Dialect, { kind: "bfd" }>), srcPort: 3784 }, S.E_DIALECT_CONFIG],
    [{ ...(bfd(0) as Extract<Dialect, { kind: "bfd" }>), detectMult: 0 }, S.E_DIALECT_CONFIG],
    [{ ...(oam(0) as Extract<Dialect, { kind: "oam" }>), vlanTci: 5 }, S.E_DIALECT_CONFIG],
  ];
  for (const [d, rc] of bad) assert.throws(() => ds.arm(d), (e: unknown) => e instanceof CoreError && e.status === rc, JSON.stringify(d));
  assert.is(core.exports.dialect_arm(9, Core.slot(80)), S.E_DIALECT_KIND);
  const rng = new Rng(15);
  const cfg = Core.slot(80);
  const before = core.bytes.slice();
  for (let i = 0; i < 20000; i++) {
    const bytes = new Uint8Array(256);
    for (let k = 0; k < 256; k++) bytes[k] = rng.int(256);
    if (i % 2) bytes[0] = bytes[0] & 3;
    if (i % 3) bytes[1] = 1 + (bytes[1] & 7);
    core.write(cfg, bytes);
    const kind = 1 + (i % 3);
    const rc = core.exports.dialect_arm(kind, cfg);
    if (rc >= 0) core.exports.dialect_oam_learn(rc, cfg, rng.int(256));
    if (rc >= 0 && i % 5 === 0) core.exports.dialect_clear();
  }
  core.exports.dialect_fire(1);
  // Outside STATE, the ABI slots written here and the dialect areas of the GASP region, nothing changed.
  const changed: number[] = [];
  for (let a = 0x20000; a < before.length; a += 4096) {
    const inAbi = a >= cfg && a < cfg + 256;
    const inDialect = a >= 0x50000 + D.DIALECT_REG_TABLE && a < 0x50000 + D.DIALECT_REG_END;
    if (inAbi || inDialect) continue;
    for (let b = a; b < a + 4096; b++) if (core.bytes[b] !== before[b]) {
      changed.push(a);
      break;
    }
  }
  assert.equal(changed, []);
  writeDialect(core.bytes, cfg, vrrp(0, 5));
  assert.ok(core.exports.dialect_arm(D.DIALECT_VRRP, cfg) >= 0, "still works afterwards");
});

test.run();
