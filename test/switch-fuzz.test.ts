// 10^5 random and mutated frames through the switching path: no trap; no write outside the
// frame's buffer and the path's own tables (digests of every other byte of memory before and
// after); no read past the frame's length (a twin instance sees the same frames followed by
// different bytes and must decide and write exactly the same). Then random descriptors, ring
// contents and export arguments.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "crypto";
import { fixture, VIP4, VIP6, CP4, CP6, clientIp4, clientIp6, backendIp4, backendMac, BE_PORT, MAC_PORT1 } from "./helpers/switch-fixture";
import { frame, fragment4, TCP, u16 } from "./helpers/packets";
import { decodeVerdict } from "../host/switch/switch";
import { PuntRings } from "../host/switch/punt";
import { WireCodec } from "../host/wire/codec";
import { Core } from "../host/core/core";
import { parseIPv6 } from "../host/util/addr";
import { Rng } from "../host/util/rng";
import * as MAP from "../assembly/shared/memmap";
import * as S from "../assembly/shared/switch";
import { STATE_SWITCH_BASE, SW_ST_END } from "../assembly/state";

/** The switching path's own private state (counters, clock, table indices). */
const STATE_SWITCH_RANGE = [Number(STATE_SWITCH_BASE), Number(SW_ST_END)];

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 100_000);
const rng = new Rng(0x5a17c4);
const BUF = Core.frame(20);
const CAP = MAP.FRAME_SLOT_SIZE;
const CAPACITY = 1 << 12;

const a = fixture({ capacity: CAPACITY, seed: 77 });
const b = fixture({ capacity: CAPACITY, seed: 77 });

function seeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const codec = new WireCodec(a.sw.core);
  for (const vlan of [undefined, 0x0064]) {
    const v = { vlan };
    out.push(frame({ ...v, src: clientIp4(1), dst: VIP4, proto: "tcp", sport: 1111, dport: 80, flags: TCP.SYN }));
    out.push(frame({ ...v, src: clientIp4(2), dst: VIP4, proto: "tcp", sport: 1112, dport: 80, flags: TCP.ACK | TCP.FIN, payload: rng.bytes(30) }));
    out.push(frame({ ...v, src: clientIp4(3), dst: VIP4, proto: "udp", sport: 1113, dport: 53, payload: rng.bytes(40) }));
    out.push(frame({ ...v, src: clientIp4(4), dst: VIP4, proto: "tcp", sport: 1114, dport: 443, flags: TCP.SYN, ipOptions: Uint8Array.from([1, 1, 1, 0]) }));
    out.push(frame({ ...v, src: clientIp4(5), dst: VIP4, proto: "tcp", sport: 1115, dport: 81, flags: TCP.SYN }));
    out.push(frame({ ...v, src: backendIp4(0), dst: clientIp4(1), proto: "tcp", sport: BE_PORT, dport: 1111, flags: TCP.SYN | TCP.ACK, dstMac: MAC_PORT1, srcMac: backendMac(0) }));
    out.push(frame({ ...v, src: clientIp6(1), dst: VIP6, proto: "tcp", sport: 2222, dport: 80, flags: TCP.SYN, ext6: [{ code: 0, body: new Uint8Array(8) }] }));
    out.push(frame({ ...v, src: clientIp6(2), dst: VIP6, proto: "udp", sport: 2223, dport: 53 }));
    out.push(frame({ ...v, src: clientIp6(3), dst: VIP6, proto: "tcp", sport: 2224, dport: 81, flags: TCP.ACK, ack: 5 }));
    out.push(frame({ ...v, src: clientIp4(6), dst: CP4, proto: "icmp", payload: rng.bytes(16) }));
    out.push(frame({ ...v, src: clientIp6(4), dst: CP6, proto: "icmp", payload: rng.bytes(16) }));
    out.push(frame({ ...v, src: clientIp6(5), dst: parseIPv6("ff02::1:ff00:10"), proto: "icmp", icmpType: 135, payload: VIP6 }));
    out.push(...fragment4(frame({ ...v, src: clientIp4(7), dst: VIP4, proto: "udp", sport: 1117, dport: 53, payload: rng.bytes(200), ident: 3 }), 96));
    out.push(codec.encodeArp(
      { dst: Uint8Array.from([255, 255, 255, 255, 255, 255]), src: Uint8Array.from([2, 0, 0, 0, 0, 9]), ethertype: 0x0806, tci: vlan },
      { op: 1, sha: Uint8Array.from([2, 0, 0, 0, 0, 9]), spa: clientIp4(8), tha: new Uint8Array(6), tpa: CP4 },
    ));
  }
  return out;
}

function mutate(seed: Uint8Array): Uint8Array {
  let f = Uint8Array.from(seed);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n && f.length > 0; k++) {
    switch (rng.int(6)) {
      case 0: f[rng.int(f.length)] ^= 1 << rng.int(8); break;
      case 1: f[rng.int(f.length)] = rng.int(256); break;
      case 2: f = f.slice(0, rng.int(f.length + 1)); break;
      case 3: f = Uint8Array.from([...f, ...rng.bytes(rng.int(40))]); break;
      case 4: {
        const at = rng.int(Math.max(1, f.length - 1));
        const v = rng.pick([0, 1, 5, 6, 0x0f, 0x45, 0x46, 0x4f, 0x60, 0x7f, 0x80, 0xff, 0xffff, 0x2000, 0x3fff, 0x8100, 0x0806, 0x86dd, 0x0800, 17, 44, 58, 135]);
        f[at] = v >> 8;
        if (at + 1 < f.length) f[at + 1] = v & 0xff;
        break;
      }
      case 5: { // IPv4/IPv6 header fields the parser trusts least
        const l3 = f.length > 13 && u16(f, 12) === 0x8100 ? 18 : 14;
        const at = l3 + rng.pick([0, 2, 3, 4, 5, 6, 7, 9]);
        if (at < f.length) f[at] = rng.int(256);
        break;
      }
    }
  }
  return f;
}

/** Digests of every byte the switching path must never write. */
function untouchable(core: Core): string[] {
  const cap = CAPACITY * S.CONN_BYTES_PER_ENTRY;
  const spans: [number, number][] = [
    [MAP.STATIC_BASE, MAP.STATE_BASE],
    [MAP.STATE_BASE, STATE_SWITCH_RANGE[0]],
    [STATE_SWITCH_RANGE[1], MAP.HOST_BASE],
    [MAP.HOST_BASE, BUF],
    [BUF + CAP, MAP.SWITCH_BASE],
    [MAP.SW_PORTS_BASE, MAP.SW_BACKENDS_BASE], // ports, CP addresses, services
    [MAP.SW_PUNT_DOWN_BASE, MAP.SW_LB_A_BASE], // host's ring
    [MAP.SW_LB_A_BASE, MAP.SW_CONN_BASE], // both LB tables and the reserved space
    [MAP.SW_CONN_BASE + cap, MAP.MEM_END],
  ];
  const d = spans.map(([x, y]) => createHash("sha256").update(core.bytes.subarray(x, y)).digest("hex"));
  // back-end records: everything but the core-maintained counters
  const h = createHash("sha256");
  for (let i = 0; i < S.SW_MAX_BACKENDS; i++) {
    const r = MAP.SW_BACKENDS_BASE + i * S.SW_BE_SIZE;
    h.update(core.bytes.subarray(r, r + S.SW_BE_PACKETS));
    h.update(core.bytes.subarray(r + S.SW_BE_CONNS + 4, r + S.SW_BE_SIZE));
  }
  d.push(h.digest("hex"));
  return d;
}

test(`${FRAMES.toLocaleString()} fuzzed frames: no trap, no write outside the frame and the path's tables, no read past the length`, () => {
  const seedFrames = seeds();
  const beforeA = untouchable(a.sw.core);
  const beforeB = untouchable(b.sw.core);
  const ringsA = new PuntRings(a.sw.core);
  const ringsB = new PuntRings(b.sw.core);
  const actions = new Map<string, number>();
  let now = 1000;
  for (let i = 0; i < FRAMES; i++) {
    let f = i % 5 === 0 ? rng.bytes(rng.int(160)) : mutate(rng.pick(seedFrames));
    if (f.length > CAP) f = f.slice(0, CAP);
    const port = rng.int(S.SW_MAX_PORTS);
    if (i % 1000 === 0) {
      now += rng.int(400_000);
      a.sw.tick(now);
      b.sw.tick(now);
      ringsA.take();
      ringsB.take();
    }
    const tail = rng.bytes(64);
    a.sw.core.bytes.fill(0, BUF, BUF + CAP);
    a.sw.core.bytes.set(f, BUF);
    b.sw.core.bytes.fill(0xa5, BUF, BUF + CAP);
    b.sw.core.bytes.set(f, BUF);
    b.sw.core.bytes.set(tail.subarray(0, Math.min(64, CAP - f.length)), BUF + f.length);
    let va: number, vb: number;
    try {
      va = a.sw.core.exports.sw_packet(BUF, f.length, CAP, port);
      vb = b.sw.core.exports.sw_packet(BUF, f.length, CAP, port);
    } catch (e) {
      assert.unreachable(`trap on ${Buffer.from(f).toString("hex")}: ${(e as Error).message}`);
      return;
    }
    if (va !== vb) assert.unreachable(`verdicts differ with different bytes past the length: ${va} vs ${vb} for ${Buffer.from(f).toString("hex")}`);
    const v = decodeVerdict(va);
    const outLen = v.action === "drop" || v.action === "punt" ? f.length : v.length;
    const oa = a.sw.core.bytes.subarray(BUF, BUF + outLen);
    const ob = b.sw.core.bytes.subarray(BUF, BUF + outLen);
    if (Buffer.compare(oa, ob) !== 0) assert.unreachable(`outputs differ (read past the length?) for ${Buffer.from(f).toString("hex")}`);
    const key = v.action === "drop" ? `drop:${v.reason}` : v.action;
    actions.set(key, (actions.get(key) ?? 0) + 1);
  }
  assert.equal(untouchable(a.sw.core), beforeA, "memory outside the frame and the tables changed (instance A)");
  assert.equal(untouchable(b.sw.core), beforeB, "memory outside the frame and the tables changed (instance B)");
  const summary = [...actions].sort().map(([k, n]) => `${k} ${n}`).join(", ");
  for (const k of ["forward", "answer", "punt", "drop:drop_malformed", "drop:drop_udp_no_service", "drop:drop_not_ours"]) {
    assert.ok((actions.get(k) ?? 0) > 100, `the fuzz must reach ${k}: ${summary}`);
  }
  assert.is(a.sw.counters().rx, FRAMES);
});

test("batch descriptors pointing anywhere: bad ones are dropped as bad_desc, good ones processed, no trap", () => {
  const { sw } = fixture({ capacity: 1 << 10 });
  const core = sw.core;
  const D = Core.frame(21);
  const good = frame({ src: clientIp4(1), dst: VIP4, proto: "tcp", sport: 1, dport: 80, flags: TCP.SYN });
  const G = Core.frame(22);
  for (let round = 0; round < 2000; round++) {
    const n = 1 + rng.int(32);
    const expectBad: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const d = D + i * S.BD_SIZE;
      const isGood = rng.bool(0.3);
      core.write(G, good);
      const buf = isGood ? G : rng.pick([0, 1, MAP.STATE_BASE, MAP.SWITCH_BASE, MAP.SWITCH_BASE - 10, MAP.SW_CONN_BASE, MAP.MEM_END - 4, rng.u32(), 0xffffffff]);
      const len = isGood ? good.length : rng.int(0x10000);
      const cap = isGood ? 2048 : rng.pick([len, 0xffff, 60]);
      core.view.setUint32(d + S.BD_BUF, buf >>> 0, true);
      core.view.setUint16(d + S.BD_LEN, len, true);
      core.view.setUint16(d + S.BD_CAP, cap, true);
      core.view.setUint8(d + S.BD_IN_PORT, isGood ? 0 : rng.int(256));
      const inPacketMemory = buf >= MAP.HOST_BASE && buf + cap <= MAP.SWITCH_BASE;
      const bad = !(inPacketMemory && len <= cap && core.view.getUint8(d + S.BD_IN_PORT) < S.SW_MAX_PORTS);
      expectBad.push(bad);
    }
    const rc = core.exports.sw_batch(D, n, round);
    assert.is(rc, n);
    for (let i = 0; i < n; i++) {
      const v = decodeVerdict(core.view.getInt32(D + i * S.BD_SIZE + S.BD_VERDICT, true));
      if (expectBad[i]) assert.is(v.reason, "drop_bad_desc");
      else assert.is.not(v.reason, "drop_bad_desc");
    }
  }
  assert.ok(core.exports.sw_batch(MAP.SW_CONN_BASE, 4, 0) < 0, "descriptors in the tables: refused");
  assert.ok(core.exports.sw_batch(D, S.SW_BATCH_MAX + 1, 0) < 0);
});

test("random DOWN-ring contents: every slot consumed or refused, no trap, output stays in its buffer", () => {
  const { sw } = fixture({ capacity: 1 << 10 });
  const core = sw.core;
  const hdr = MAP.SW_RING_HDR_BASE + S.PUNT_DOWN * S.PUNT_HDR_SIZE;
  const OUT = Core.frame(23);
  for (let round = 0; round < 300; round++) {
    core.bytes.set(rng.bytes(4096), MAP.SW_PUNT_DOWN_BASE + rng.int(S.PUNT_SLOTS) * S.PUNT_SLOT_SIZE);
    const tail = core.view.getUint32(hdr + S.PUNT_TAIL, true);
    core.view.setUint32(hdr + S.PUNT_HEAD, (tail + rng.pick([0, 1, 5, 127, 128, 129, 1 << 30])) >>> 0, true);
    const guard = Buffer.from(core.bytes.subarray(OUT + 2048, OUT + 4096));
    for (let k = 0; k < 200; k++) {
      let rc: number;
      try {
        rc = core.exports.sw_inject_next(OUT, 2048);
      } catch (e) {
        assert.unreachable(`trap: ${(e as Error).message}`);
        return;
      }
      if (rc === 0) break;
      if (rc > 0) decodeVerdict(rc);
    }
    assert.ok(Buffer.compare(Buffer.from(core.bytes.subarray(OUT + 2048, OUT + 4096)), guard) === 0);
  }
});

test("random arguments to every sw_ export: a status or a verdict, never a trap", () => {
  const { sw } = fixture({ capacity: 1 << 10 });
  const core = sw.core;
  const names = Object.keys(core.exports).filter((n) => n.startsWith("sw_") && n !== "sw_init");
  for (let i = 0; i < 20_000; i++) {
    const fn = rng.pick(names);
    const args = Array.from({ length: 4 }, () => rng.pick([0, -1, 1, 2, 16, 0x7fffffff, -0x80000000, MAP.MEM_END - 1, MAP.SWITCH_BASE, MAP.SW_CONN_BASE, MAP.STATE_BASE, Core.frame(5), rng.u32() | 0]));
    try {
      const rc = core.exports[fn](...args);
      assert.ok(Number.isInteger(rc));
    } catch (e) {
      assert.unreachable(`${fn}(${args}) trapped: ${(e as Error).message}`);
    }
  }
  const fresh = Core.load();
  for (const fn of names) assert.ok(fresh.exports[fn](0, 0, 0, 0) < 0, `${fn} before sw_init refuses`);
});

test.run();
