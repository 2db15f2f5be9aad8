// The batch pipeline (assembly/switch/batch.ts) parses a whole batch and reads its
// connection lookups ahead before switching the frames one by one: it must decide exactly
// what switching the same frames one at a time decides. Mixed traffic through a table small
// enough to fill (new connections, evictions, expiry, FIN/RST, reopened ports, replies
// through reverse NAT, fragments, punts, answers, garbage), the same flows several times in
// one batch; compared with sw_packet frame by frame on a twin instance: every verdict, every
// byte out, every counter, the whole connection table and everything else the path owns.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "crypto";
import { fixture, configureSwitch, VIP4, VIP6, CP4, clientIp4, clientIp6, backendIp4, backendMac, BE_PORT, MAC_PORT0, MAC_PORT1, PORT_CLIENTS, PORT_BACKENDS } from "../host/campaign/switch-fixture";
import { engineRig } from "./helpers/engine-rig";
import { frame, fragment4, TCP } from "../host/campaign/frames";
import { SwitchPath } from "../host/switch/switch";
import { performRegops } from "../host/nic/regops";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import * as MAP from "../assembly/shared/memmap";
import * as S from "../assembly/shared/switch";

const digest = (core: Core, from: number, to: number) => createHash("sha256").update(core.bytes.subarray(from, to)).digest("hex");
const BCAST = Uint8Array.from([255, 255, 255, 255, 255, 255]);

/** A random frame of the mix: mostly a few hundred flows (so a batch repeats them), some of everything else. */
function traffic(rng: Rng, flows: number): { frame: Uint8Array; port: number } {
  const c = rng.int(flows);
  const v6 = c % 7 === 0;
  const sport = 1024 + (c % 13);
  const kind = rng.int(100);
  const flags = rng.pick([TCP.SYN, TCP.SYN, TCP.ACK, TCP.ACK, TCP.ACK | TCP.PSH, TCP.ACK | TCP.FIN, TCP.RST, TCP.SYN | TCP.ACK]);
  if (kind < 55) {
    const udp = c % 5 === 0;
    return { port: PORT_CLIENTS, frame: frame({ src: v6 ? clientIp6(c) : clientIp4(c), dst: v6 ? VIP6 : VIP4, proto: udp ? "udp" : "tcp", sport, dport: udp ? 53 : v6 ? 80 : rng.pick([80, 443]), flags, seq: rng.u32(), ack: rng.u32(), payload: rng.bytes(rng.int(40)), dstMac: MAC_PORT0 }) };
  }
  if (kind < 80) { // a back end's reply to a client (right or wrong back end, right or wrong port)
    const be = rng.int(4);
    return { port: PORT_BACKENDS, frame: frame({ src: backendIp4(be), dst: clientIp4(c), proto: c % 5 === 0 ? "udp" : "tcp", sport: rng.bool(0.9) ? BE_PORT : 9999, dport: sport, flags, dstMac: MAC_PORT1, srcMac: backendMac(be), seq: rng.u32(), ack: rng.u32() }) };
  }
  if (kind < 85) { // a fragmented datagram (its fragments in order, one picked)
    const parts = fragment4(frame({ src: clientIp4(c), dst: VIP4, proto: "udp", sport, dport: 53, payload: rng.bytes(120), ident: c, dstMac: MAC_PORT0 }), 48);
    return { port: PORT_CLIENTS, frame: rng.pick(parts) };
  }
  if (kind < 90) return { port: PORT_CLIENTS, frame: frame({ src: clientIp4(c), dst: CP4, proto: "icmp", payload: rng.bytes(8), dstMac: MAC_PORT0 }) };
  if (kind < 95) return { port: PORT_CLIENTS, frame: frame({ src: clientIp4(c), dst: VIP4, proto: "tcp", sport, dport: 81, flags, dstMac: MAC_PORT0 }) }; // no service: RST
  const f = frame({ src: clientIp4(c), dst: VIP4, proto: "tcp", sport, dport: 80, flags, dstMac: rng.bool() ? BCAST : MAC_PORT0 });
  for (let k = 0; k < 3; k++) f[rng.int(f.length)] = rng.int(256); // garbage
  return { port: PORT_CLIENTS, frame: f };
}

test("sw_batch decides what sw_packet decides frame by frame: 400 batches of up to 64 frames, a table that fills", () => {
  const rng = new Rng(0xba7c4);
  const a = fixture({ capacity: 64, seed: 31, policy: "evict" });
  const b = fixture({ capacity: 64, seed: 31, policy: "evict" });
  for (const f of [a, b]) f.sw.setTimeout(S.TMO_TCP_SYN, 300);
  const D = Core.frame(21);
  const BUF = MAP.DMA_BASE; // frames at BUF + 2 KiB * i, in descriptor order or shuffled
  let now = 1000;
  for (let round = 0; round < 400; round++) {
    now += rng.int(120);
    const n = 1 + rng.int(64);
    const slots = [...Array(n).keys()];
    if (round % 3 === 0) slots.sort(() => rng.int(3) - 1); // buffers out of descriptor order
    const batch = Array.from({ length: n }, () => traffic(rng, 90));
    for (const core of [a.sw.core, b.sw.core]) {
      batch.forEach((t, i) => {
        const at = BUF + slots[i] * 2048;
        core.bytes.fill(0, at, at + 2048);
        core.write(at, t.frame);
        const d = D + i * S.BD_SIZE;
        core.view.setUint32(d + S.BD_BUF, at, true);
        core.view.setUint16(d + S.BD_LEN, t.frame.length, true);
        core.view.setUint16(d + S.BD_CAP, 2048, true);
        core.view.setUint8(d + S.BD_IN_PORT, t.port);
      });
    }
    assert.is(a.sw.core.exports.sw_batch(D, n, now), n);
    b.sw.tick(now);
    for (let i = 0; i < n; i++) {
      const d = D + i * S.BD_SIZE;
      const v = b.sw.core.exports.sw_packet(b.sw.core.view.getUint32(d + S.BD_BUF, true), b.sw.core.view.getUint16(d + S.BD_LEN, true), 2048, batch[i].port);
      b.sw.core.view.setInt32(d + S.BD_VERDICT, v, true);
    }
    for (let i = 0; i < n; i++) {
      const d = D + i * S.BD_SIZE + S.BD_VERDICT;
      assert.is(a.sw.core.view.getInt32(d, true), b.sw.core.view.getInt32(d, true), `round ${round} frame ${i}: verdict`);
    }
    const spans: [number, number][] = [[D, D + n * S.BD_SIZE], [BUF, BUF + 64 * 2048], [MAP.SW_CONN_BASE, MAP.SW_CONN_BASE + 64 * S.CONN_BYTES_PER_ENTRY]];
    if (round % 50 === 49) spans.push([MAP.HOST_BASE, MAP.MEM_END]); // now and then all of it: tables, punt rings, back-end counters
    for (const [x, y] of spans) assert.is(digest(a.sw.core, x, y), digest(b.sw.core, x, y), `round ${round}: memory 0x${x.toString(16)}..0x${y.toString(16)}`);
  }
  assert.equal(a.sw.counters(), b.sw.counters());
  const c = a.sw.counters();
  for (const k of ["conn_new", "conn_evicted", "conn_expired", "conn_reopened", "forward_reply", "answer_rst", "punt", "frag_tracked", "frag_followed", "drop_malformed"]) {
    assert.ok(c[k] > 0, `the mix reached ${k}: ${JSON.stringify(c)}`);
  }
});

test("sw_batch with descriptors sharing buffers, and a frame over later descriptors: as frame by frame", () => {
  const rng = new Rng(77);
  const a = fixture({ capacity: 256, seed: 5 });
  const b = fixture({ capacity: 256, seed: 5 });
  const D = Core.frame(21);
  for (let round = 0; round < 300; round++) {
    const n = 2 + rng.int(20);
    const shared = [MAP.DMA_BASE, MAP.DMA_BASE + 100, MAP.DMA_BASE + 2048];
    const batch = Array.from({ length: n }, () => traffic(rng, 40));
    const bufs = batch.map(() => rng.pick(shared));
    // now and then a frame buffer right over the descriptors after it (its rewrite changes them)
    const over = rng.bool(0.2) ? rng.int(n) : -1;
    for (const core of [a.sw.core, b.sw.core]) {
      core.bytes.fill(0, MAP.DMA_BASE, MAP.DMA_BASE + 8192);
      batch.forEach((t, i) => {
        const d = D + i * S.BD_SIZE;
        const at = i === over ? D + (i + 1) * S.BD_SIZE : bufs[i];
        core.view.setUint32(d + S.BD_BUF, at, true);
        core.view.setUint16(d + S.BD_LEN, t.frame.length, true);
        core.view.setUint16(d + S.BD_CAP, i === over ? t.frame.length : 2048, true);
        core.view.setUint8(d + S.BD_IN_PORT, t.port);
      });
      // frames written in order, later ones over earlier ones where they share a buffer
      batch.forEach((t, i) => { if (i !== over) core.write(bufs[i], t.frame); });
    }
    a.sw.core.exports.sw_batch(D, n, 2000 + round);
    b.sw.tick(2000 + round);
    for (let i = 0; i < n; i++) {
      const v = b.sw.core.view;
      const d = D + i * S.BD_SIZE;
      const buf = v.getUint32(d + S.BD_BUF, true), len = v.getUint16(d + S.BD_LEN, true), cap = v.getUint16(d + S.BD_CAP, true), port = v.getUint8(d + S.BD_IN_PORT);
      const good = buf >= MAP.HOST_BASE && buf + cap <= MAP.SWITCH_BASE && len <= cap && port < S.SW_MAX_PORTS;
      if (!good) {
        // what sw_batch does with a bad descriptor, on the twin: count it and drop it
        v.setInt32(d + S.BD_VERDICT, (S.V_DROP << 24) | S.C_DROP_BAD_DESC, true);
        continue;
      }
      v.setInt32(d + S.BD_VERDICT, b.sw.core.exports.sw_packet(buf, len, cap, port), true);
    }
    assert.is(digest(a.sw.core, D, D + n * S.BD_SIZE), digest(b.sw.core, D, D + n * S.BD_SIZE), `round ${round}: descriptors`);
    assert.is(digest(a.sw.core, MAP.DMA_BASE, MAP.DMA_BASE + 8192), digest(b.sw.core, MAP.DMA_BASE, MAP.DMA_BASE + 8192), `round ${round}: frames`);
    assert.is(digest(a.sw.core, MAP.SW_CONN_BASE, MAP.SW_CONN_BASE + 256 * S.CONN_BYTES_PER_ENTRY), digest(b.sw.core, MAP.SW_CONN_BASE, MAP.SW_CONN_BASE + 256 * S.CONN_BYTES_PER_ENTRY), `round ${round}: connection table`);
  }
  const [ca, cb] = [a.sw.counters(), b.sw.counters()];
  for (const k of Object.keys(ca)) if (k !== "rx" && k !== "drop" && k !== "drop_bad_desc") assert.is(ca[k], cb[k], k);
});

test("eng_poll decides what sw_packet decides frame by frame: 300 rounds over the NIC models, both ports", () => {
  const rng = new Rng(0xe9);
  const rig = engineRig({ capacity: 64, tx: 128, rx: 128 });
  const twin = configureSwitch(SwitchPath.create({ capacity: 64, seed: 0x5eed }), 4, 2);
  const core = rig.core;
  const pending: { frame: Uint8Array; port: number }[][] = [[], []];
  const expected: Uint8Array[][] = [[], []];
  const BUF = Core.frame(30);
  const pad = (f: Uint8Array) => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));
  let now = 5000;
  for (let round = 0; round < 300; round++) {
    now += rng.int(150);
    for (let k = rng.int(48); k > 0; k--) {
      const t = traffic(rng, 90);
      if (rig.receive(t.port, [t.frame]) === 1) pending[t.port].push(t);
    }
    // the engine: one round of context 0 (port 0's batch, then port 1's), its doorbells performed
    core.exports.eng_poll(0, now);
    performRegops(core.view, rig.board.nics, rig.board.delay);
    // the twin: the same frames, one at a time, in the order the round took them
    twin.sw.tick(now);
    for (const p of [PORT_CLIENTS, PORT_BACKENDS]) {
      for (const t of pending[p].splice(0, 32)) {
        twin.sw.core.bytes.fill(0, BUF, BUF + 2048);
        twin.sw.core.write(BUF, t.frame);
        const v = twin.sw.core.exports.sw_packet(BUF, t.frame.length, 2048, p);
        const action = v >>> 24;
        if (action === S.V_FORWARD || action === S.V_ANSWER) expected[(v >>> 16) & 0xff].push(pad(twin.sw.core.bytes.slice(BUF, BUF + (v & 0xffff))));
      }
    }
  }
  for (const p of [0, 1]) {
    assert.is(rig.wire[p].length, expected[p].length, `port ${p}: frames out`);
    rig.wire[p].forEach((f, i) => assert.is(Buffer.from(f).toString("hex"), Buffer.from(expected[p][i]).toString("hex"), `port ${p} frame ${i}`));
  }
  const ca = rig.sw.counters();
  assert.equal(ca, twin.sw.counters());
  assert.is(digest(core, MAP.SW_CONN_BASE, MAP.SW_CONN_BASE + 64 * S.CONN_BYTES_PER_ENTRY), digest(twin.sw.core, MAP.SW_CONN_BASE, MAP.SW_CONN_BASE + 64 * S.CONN_BYTES_PER_ENTRY), "connection table");
  assert.is(digest(core, MAP.SW_PUNT_UP_BASE, MAP.SW_PUNT_DOWN_BASE), digest(twin.sw.core, MAP.SW_PUNT_UP_BASE, MAP.SW_PUNT_DOWN_BASE), "punted frames");
  for (const k of ["conn_new", "conn_evicted", "forward_reply", "answer_rst", "punt"]) assert.ok(ca[k] > 0, `reached ${k}`);
});

test.run();
