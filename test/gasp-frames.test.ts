// The gasp on the wire, byte for byte: every field of the message at the offset the doc
// gives (read with the independent reader's own offsets), the MAC equal to OpenSSL's
// HMAC-SHA256 truncated to 128 bits, every Ethernet/IPv4/UDP header field of every frame,
// the result table, the excerpt rules, hellos, fencing, updates and arm-time validation.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { GaspSender } from "../host/gasp/gasp";
import { Rng } from "../host/util/rng";
import * as S from "../assembly/shared/status";
import * as G from "../assembly/shared/gasp";
import { GASP_BASE, GASP_SIZE, STATE_BASE } from "../assembly/shared/memmap";
import { refGasp, refMac, refMessageOffset } from "../host/campaign/ref-gasp";
import { refUdp4, refEth } from "../host/campaign/ref-wire";
import { armedSender, baseConfig, boardPorts, CHASSIS, KEY, KEY_ID } from "../host/campaign/gasp-fixture";

const rng = new Rng(0x6a5);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));

function messageOf(frame: Uint8Array): Uint8Array {
  const at = refMessageOffset(frame);
  if (!at) throw new Error("not a gasp frame");
  return frame.subarray(at.off);
}

test("message fields at the documented offsets, MAC = HMAC-SHA256(key, bytes 0..52+n)[0..16]", () => {
  const tx = armedSender();
  const excerpt = ascii("trap: unreachable in fib_lookup");
  const built = tx.fire({ cause: G.GASP_CAUSE_TRAP, vector: 0x96000045, pc: 0xffff800012345678n, uptimeUs: 0x0123456789abn, excerpt });
  const m = messageOf(built.frames[0].bytes);
  const n = excerpt.length;
  assert.is(m.length, 68 + n);
  // the raw bytes, spelled out from the doc's table
  assert.is(hex(m.subarray(0, 4)), "4c470101", "magic 'LG', version 1, type GASP");
  assert.is(hex(m.subarray(4, 8)), CHASSIS.toString(16).padStart(8, "0"));
  assert.is(hex(m.subarray(8, 12)), "0101c8" + KEY_ID.toString(16).padStart(2, "0"), "unit 1, role active, priority 200, key id");
  assert.is(hex(m.subarray(12, 20)), "00000007" + "00000003", "boot 7, epoch 3");
  assert.is(hex(m.subarray(20, 24)), "0101" + n.toString(16).padStart(2, "0") + "00", "flags self-fenced, cause trap, n, reserved");
  assert.is(hex(m.subarray(24, 32)), "0000000000000001", "first sequence number of the boot");
  assert.is(hex(m.subarray(32, 40)), "ffff800012345678");
  assert.is(hex(m.subarray(40, 48)), "00000123456789ab");
  assert.is(hex(m.subarray(48, 52)), "96000045");
  assert.is(hex(m.subarray(52, 52 + n)), hex(excerpt));
  assert.is(hex(m.subarray(52 + n)), hex(refMac(KEY, m.subarray(0, 52 + n))));
  const g = refGasp(m);
  assert.equal([g.magic, g.version, g.type, g.chassis, g.unit, g.role, g.priority, g.keyId, g.boot, g.epoch], [0x4c47, 1, 1, CHASSIS, 1, 1, 200, KEY_ID, 7, 3]);
  assert.equal([g.flags, g.cause, g.excerptLen, g.reserved, g.seq, g.pc, g.uptimeUs, g.vector], [1, 1, n, 0, 1n, 0xffff800012345678n, 0x0123456789abn, 0x96000045]);
});

test("frames: raw on every port first, then UDP; headers field by field; one message in all", () => {
  const tx = armedSender();
  const built = tx.fire({ cause: G.GASP_CAUSE_WATCHDOG, excerpt: "hung" });
  const ports = boardPorts(1);
  assert.equal(built.frames.map((f) => `${f.encap}${f.port}`), ["raw0", "raw1", "udp0", "udp1"]);
  const msg0 = hex(messageOf(built.frames[0].bytes));
  for (const f of built.frames) {
    const b = f.bytes;
    const port = ports[f.port];
    const eth = refEth(b)!;
    assert.is(hex(eth.dst), hex(port.peerMac));
    assert.is(hex(eth.src), hex(port.ownMac));
    assert.is(eth.tci, port.vlanTci, "802.1Q TCI as configured");
    assert.is(hex(messageOf(b)), msg0, "every frame carries the same message");
    assert.ok(f.addr >= GASP_BASE + G.GASP_REG_FRAMES && f.addr + b.length <= GASP_BASE + G.GASP_REG_HELLO_FRAMES);
    assert.is(f.copies, 3);
    if (f.encap === "raw") {
      assert.is(eth.ethertype, 0x88b5);
      assert.is(b.length, eth.payload + 68 + 4);
    } else {
      const u = refUdp4(b);
      assert.ok(u, "IPv4 header and UDP checksums verify (independent reader)");
      assert.is(eth.ethertype, 0x0800);
      const ip = b.subarray(eth.payload);
      assert.is(ip[0], 0x45, "version 4, no options");
      assert.is(ip[1], 0xc0, "DSCP CS6");
      assert.is(u!.ip.totalLen, 20 + 8 + 68 + 4);
      assert.is(u!.ip.ident, 0);
      assert.is(u!.ip.frag, 0x4000, "DF, atomic datagram");
      assert.is(u!.ip.ttl, 64);
      assert.is(hex(u!.ip.src), hex(port.ownIp!));
      assert.is(hex(u!.ip.dst), hex(port.peerIp!));
      assert.equal([u!.srcPort, u!.dstPort, u!.length], [19527, 19527, 8 + 68 + 4]);
      assert.ok(u!.checksum !== 0, "the UDP checksum is always sent");
      assert.is(hex(u!.payload), msg0);
    }
  }
});

test("result table: count, copies, message length, boot, sequence; entries point into the GASP region", () => {
  const tx = armedSender({ copies: 5 });
  const built = tx.fire({ cause: 2 });
  const v = tx.core.view;
  const r = GASP_BASE + G.GASP_REG_RESULT;
  assert.is(v.getUint32(r + 0, true), 4);
  assert.is(v.getUint32(r + 4, true), 5);
  assert.is(v.getUint32(r + 8, true), 68);
  assert.is(v.getUint32(r + 12, true), 7);
  assert.equal([v.getUint32(r + 16, true), v.getUint32(r + 20, true)], [1, 0]);
  for (let i = 0; i < 4; i++) {
    const e = r + 32 + 16 * i;
    assert.is(v.getUint32(e, true), built.frames[i].addr);
    assert.is(v.getUint16(e + 4, true), built.frames[i].bytes.length);
    assert.is(v.getUint16(e + 8, true), 5);
  }
  assert.equal(built.seq, 1n);
});

test("IPv4 checksum by RFC 1624 update and UDP checksum over the per-message words: valid for every excerpt length", () => {
  const tx = armedSender({ selfFence: false });
  for (let n = 0; n <= 70; n++) {
    const built = tx.fire({ cause: 1 + (n % 7), vector: rng.u32(), pc: BigInt(rng.u32()) << 20n, uptimeUs: BigInt(rng.u32()), excerpt: rng.bytes(n) });
    for (const f of built.frames.filter((x) => x.encap === "udp")) {
      const u = refUdp4(f.bytes);
      assert.ok(u, `excerpt ${n}: checksums verify`);
      assert.is(u!.payload.length, 68 + Math.min(n, 64));
    }
  }
});

test("excerpt rules: cut to 64 and flagged; unreadable or negative length left out and flagged", () => {
  const tx = armedSender({ selfFence: false });
  const flagsOf = (b: ReturnType<GaspSender["fire"]>) => refGasp(messageOf(b.frames[0].bytes));
  let g = flagsOf(tx.fire({ cause: 1, excerpt: rng.bytes(64) }));
  assert.equal([g.excerptLen, g.flags & 2], [64, 0]);
  g = flagsOf(tx.fire({ cause: 1, excerpt: rng.bytes(200) }));
  assert.equal([g.excerptLen, g.flags & 2], [64, 2]);
  const ex = tx.core.exports;
  assert.ok(ex.gasp_fire(1, 0, 0, 0, 0, 0, STATE_BASE, 16) > 0, "an excerpt pointer into core state does not stop the gasp");
  g = flagsOf(tx.lastGasp());
  assert.equal([g.excerptLen, g.flags & 2], [0, 2], "and leaks nothing from core state");
  assert.ok(ex.gasp_fire(1, 0, 0, 0, 0, 0, Core.frame(13), -5) > 0);
  g = flagsOf(tx.lastGasp());
  assert.equal([g.excerptLen, g.flags & 2], [0, 2]);
  assert.ok(ex.gasp_fire(0x1ff, -1, -1, -1, -1, -1, 0, 0) > 0, "informational values are taken modulo their width");
  g = flagsOf(tx.lastGasp());
  assert.equal([g.cause, g.vector, g.pc, g.uptimeUs, g.excerptLen, g.flags & 2], [0xff, 0xffffffff, 0xffffffffffffffffn, 0xffffffffffffffffn, 0, 0]);
});

test("hello: type 2, no fault fields, same sequence space; fencing and updates", () => {
  const tx = armedSender();
  const h1 = tx.hello(5_000_000n);
  const m = refGasp(messageOf(h1.frames[0].bytes));
  assert.equal([m.type, m.flags, m.cause, m.excerptLen, m.pc, m.vector, m.uptimeUs, m.seq], [2, 0, 0, 0, 0n, 0, 5_000_000n, 1n]);
  assert.is(hex(m.mac), hex(refMac(KEY, m.covered)));
  assert.equal(h1.frames.map((f) => f.copies), [1, 1, 1, 1], "heartbeats are not repeated");
  assert.ok(h1.frames.every((f) => f.addr >= GASP_BASE + G.GASP_REG_HELLO_FRAMES), "hellos have their own buffers");

  tx.update(G.GASP_ROLE_STANDBY, 90, 4);
  const h2 = tx.hello(6_000_000n);
  const m2 = refGasp(messageOf(h2.frames[2].bytes));
  assert.equal([m2.role, m2.priority, m2.epoch, m2.seq], [2, 90, 4, 2n]);
  assert.ok(refUdp4(h2.frames[2].bytes), "UDP checksum valid after an update");

  const g = tx.fire({ cause: G.GASP_CAUSE_EXCEPTION });
  const gm = refGasp(messageOf(g.frames[3].bytes));
  assert.equal([gm.type, gm.role, gm.priority, gm.epoch, gm.seq, gm.flags], [1, 2, 90, 4, 3n, G.GASP_FLAG_SELF_FENCED]);
  assert.is(hex(messageOf(h2.frames[0].bytes)), hex(messageOf(tx.lastHello().frames[0].bytes)), "a gasp leaves the hello frames alone");

  assert.is(tx.core.exports.gasp_hello(0, 0), S.E_GASP_FENCED, "a self-fenced unit sends no more hellos");
  assert.is(tx.core.exports.gasp_update(1, 1, 1), S.E_GASP_FENCED);
  assert.ok(tx.core.exports.gasp_fire(1, 0, 0, 0, 0, 0, 0, 0) > 0, "a re-entered handler may still repeat the gasp");
  assert.is(refGasp(messageOf(tx.lastGasp().frames[0].bytes)).seq, 4n);

  const open = armedSender({ selfFence: false });
  open.fire({ cause: G.GASP_CAUSE_OPERATOR });
  assert.is(refGasp(messageOf(open.lastGasp().frames[0].bytes)).flags & G.GASP_FLAG_SELF_FENCED, 0);
  assert.is(open.hello().seq, 2n, "without self-fencing the unit keeps sending hellos");
});

test("arming validates its config; the sender keeps its own copy of the key states", () => {
  const core = Core.load();
  const tx = new GaspSender(core);
  const ex = core.exports;
  assert.is(ex.gasp_fire(1, 0, 0, 0, 0, 0, 0, 0), S.E_GASP_NOT_ARMED);
  assert.is(ex.gasp_hello(0, 0), S.E_GASP_NOT_ARMED);
  const armRc = (c: Parameters<GaspSender["arm"]>[0]) => {
    try {
      return tx.arm(c);
    } catch (e) {
      return (e as { status: number }).status;
    }
  };
  assert.is(armRc(baseConfig()), S.E_GASP_KEY, "empty key slot");
  tx.setKey(0, KEY, 300);
  assert.is(armRc(baseConfig()), S.E_GASP_KEY, "key id must fit a byte");
  tx.setKey(0, KEY, KEY_ID);
  assert.is(armRc(baseConfig({ keySlot: 8 })), S.E_GASP_KEY, "the self-test slot is not a host slot");
  assert.is(armRc(baseConfig({ copies: 0 })), S.E_GASP_CONFIG);
  assert.is(armRc(baseConfig({ copies: 9 })), S.E_GASP_CONFIG);
  assert.is(armRc(baseConfig({ ports: [] })), S.E_GASP_CONFIG);
  assert.is(armRc(baseConfig({ ports: [{ ...boardPorts()[0], encaps: [] }] })), S.E_GASP_CONFIG);
  assert.is(armRc(baseConfig({ ports: [{ ...boardPorts()[0], vlanTci: 0x0fff }] })), S.E_GASP_CONFIG, "VID 4095 is reserved");
  assert.is(ex.gasp_fire(1, 0, 0, 0, 0, 0, 0, 0), S.E_GASP_NOT_ARMED, "a failed arming disarms");
  assert.is(ex.gasp_arm(STATE_BASE), S.E_RANGE);
  assert.is(armRc(baseConfig({ ports: [boardPorts()[0]] })), 2);

  // a later hmac_set_key on the same slot changes nothing for the armed sender
  tx.setKey(0, Uint8Array.from([9, 9, 9]), KEY_ID);
  const m = messageOf(tx.fire({ cause: 1 }).frames[0].bytes);
  assert.is(hex(m.subarray(52)), hex(refMac(KEY, m.subarray(0, 52))));
});

test("arming rebuilds the whole GASP region: nothing of an earlier arming survives", () => {
  const tx = armedSender();
  tx.fire({ cause: 1, excerpt: rng.bytes(64) });
  tx.setKey(0, KEY, KEY_ID);
  tx.arm(baseConfig({ ports: [{ ...boardPorts()[0], encaps: ["raw"] }] }));
  const region = tx.core.read(GASP_BASE, GASP_SIZE);
  let used = region.length - 1;
  while (used >= 0 && region[used] === 0) used--;
  assert.ok(used < G.GASP_REG_HELLO_FRAMES + 256, `bytes up to ${used} set: only one raw template per set`);
  assert.is(tx.core.view.getUint32(GASP_BASE + G.GASP_REG_RESULT, true), 0, "no stale result table");
});

test("init() disarms the sender, unconfigures the receiver and wipes the GASP region", () => {
  const tx = armedSender();
  const ex = tx.core.exports;
  tx.fire({ cause: 1 });
  assert.is(ex.init(), S.OK);
  assert.is(ex.gasp_fire(1, 0, 0, 0, 0, 0, 0, 0), S.E_GASP_NOT_ARMED);
  assert.is(ex.gasp_receive(Core.frame(12), 60, Core.slot(42)), S.E_GASP_NOT_ARMED);
  assert.ok(tx.core.read(GASP_BASE, G.GASP_REG_END).every((b) => b === 0));
});

test.run();
