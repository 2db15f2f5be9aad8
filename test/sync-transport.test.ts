// The sync transport: the segment format and its CRC, the deterministic clock, and the
// reliable channel over UDP/IPv4 frames (built by the core) on a link that loses 30% of
// frames, reorders and duplicates them: every message arrives once, in order, intact. Then a
// whole sync (bulk and line by line) over that link: the standby ends identical to the
// expected configuration and applies no command twice.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as zlib from "zlib";
import { Rng } from "../host/util/rng";
import { crc32 } from "../host/util/crc32";
import { SEG_ACK, SEG_DATA, SEG_HEADER_LEN, SEG_MAX_PAYLOAD, emitSegment, parseSegment } from "../host/sync/segment";
import { SimClock } from "../host/sim/clock";
import { lossyLinkPair, LossyLinkOptions } from "../host/sync/link";
import { ReliableChannel } from "../host/sync/reliable";
import { UdpCarrier } from "../host/sync/udp";
import { ACTIVE_END, STANDBY_END, SimulatedPair, codec } from "../host/sync/sim";
import { convert } from "../host/sync/engine";
import { shipped } from "../host/sync/images";
import { exampleConfig } from "../host/campaign/sync-images";
import { randomCommand } from "../host/campaign/sync-gen";

const LOSSY: LossyLinkOptions = { loss: 0.3, duplicate: 0.05, delayNs: 50_000, jitterNs: 400_000 };

test("CRC-32 agrees with zlib on 2,000 random buffers", () => {
  const rng = new Rng(1);
  for (let i = 0; i < 2000; i++) {
    const b = rng.bytes(rng.int(3000));
    assert.is(crc32(b), zlib.crc32(b) >>> 0);
  }
  assert.is(crc32(Buffer.from("123456789")), 0xcbf43926, "the standard check value");
});

test("segments: emit/parse round trip; any single bit flip is refused", () => {
  const rng = new Rng(2);
  for (let i = 0; i < 300; i++) {
    const seg = {
      type: (rng.bool() ? SEG_DATA : SEG_ACK) as 1 | 2,
      flags: rng.int(4),
      session: rng.int(65536),
      seq: rng.u32(),
      sack: rng.u32(),
      payload: new Uint8Array(0) as Uint8Array,
    };
    if (seg.type === SEG_DATA) seg.payload = rng.bytes(rng.int(SEG_MAX_PAYLOAD + 1));
    const b = emitSegment(seg);
    assert.is(b.length, SEG_HEADER_LEN + seg.payload.length);
    const p = parseSegment(b);
    assert.ok(p.ok);
    if (p.ok) assert.equal({ ...p.seg, payload: [...p.seg.payload] }, { ...seg, payload: [...seg.payload] });
    const bit = rng.int(b.length * 8);
    const flipped = Uint8Array.from(b);
    flipped[bit >> 3] ^= 0x80 >> (bit & 7);
    assert.not.ok(parseSegment(flipped).ok, `bit ${bit} flipped and still accepted`);
  }
});

test("segments: 100,000 random and mutated inputs never throw; no altered segment is accepted", () => {
  const rng = new Rng(3);
  const good = emitSegment({ type: SEG_DATA, flags: 2, session: 1, seq: 5, sack: 0, payload: rng.bytes(40) });
  let mutated = 0;
  for (let i = 0; i < 100_000; i++) {
    let b: Uint8Array;
    if (i % 3 === 0) b = rng.bytes(rng.int(80));
    else {
      b = Uint8Array.from(good);
      b[rng.int(b.length)] = rng.int(256);
      if (rng.bool(0.3)) b = b.slice(0, rng.int(b.length + 1));
    }
    const altered = b.length !== good.length || b.some((x, j) => x !== good[j]);
    const r = parseSegment(b);
    if (altered && i % 3 !== 0) {
      mutated++;
      assert.not.ok(r.ok, `accepted an altered segment: ${Buffer.from(b).toString("hex")}`);
    }
  }
  assert.ok(mutated > 60_000);
});

/** Two reliable channels over UDP carriers over a lossy link. */
function channelPair(seed: number, link: LossyLinkOptions) {
  const clock = new SimClock();
  const lp = lossyLinkPair(clock, new Rng(seed), link);
  const ca = new UdpCarrier(codec(), lp.a, ACTIVE_END, STANDBY_END);
  const cb = new UdpCarrier(codec(), lp.b, STANDBY_END, ACTIVE_END);
  return { clock, lp, ca, cb, a: new ReliableChannel(ca, clock, { session: 7 }), b: new ReliableChannel(cb, clock, { session: 7 }) };
}

test("reliable channel at 30% loss, reordering and 5% duplicates: 600 messages each way, once, in order, intact", () => {
  const { clock, lp, a, b } = channelPair(11, LOSSY);
  const rng = new Rng(12);
  const toB = Array.from({ length: 600 }, () => rng.bytes(rng.int(4000)));
  const toA = Array.from({ length: 600 }, () => rng.bytes(rng.int(2500)));
  const gotB: Uint8Array[] = [];
  const gotA: Uint8Array[] = [];
  b.onMessage((m) => gotB.push(m));
  a.onMessage((m) => gotA.push(m));
  // Interleave sends over time so that both directions carry data and ACKs together.
  toB.forEach((m, i) => clock.after(i * 20_000, () => a.send(m)));
  toA.forEach((m, i) => clock.after(i * 25_000, () => b.send(m)));
  clock.runUntilIdle();
  assert.is(gotB.length, toB.length);
  assert.is(gotA.length, toA.length);
  gotB.forEach((m, i) => assert.equal([...m], [...toB[i]], `message ${i} to B`));
  gotA.forEach((m, i) => assert.equal([...m], [...toA[i]], `message ${i} to A`));
  assert.ok(a.idle && b.idle);
  const s = a.stats;
  // The link really was hostile, and the channel really had to work.
  assert.ok(lp.stats.lost / lp.stats.sent > 0.25 && lp.stats.lost / lp.stats.sent < 0.35, `loss ${lp.stats.lost}/${lp.stats.sent}`);
  assert.ok(s.retransmissions > 0.3 * s.segmentsSent, `retransmissions ${s.retransmissions} of ${s.segmentsSent}`);
  assert.ok(b.stats.duplicates > 50 && b.stats.outOfOrder > 50, JSON.stringify(b.stats));
  assert.is(b.stats.beyondWindow, 0);
});

test("corrupted frames are dropped (the core's UDP checksum) and repaired by retransmission", () => {
  const { clock, ca, cb, a, b } = channelPair(21, { ...LOSSY, corrupt: 0.1 });
  const rng = new Rng(22);
  const msgs = Array.from({ length: 200 }, () => rng.bytes(1 + rng.int(3000)));
  const got: Uint8Array[] = [];
  b.onMessage((m) => got.push(m));
  msgs.forEach((m) => a.send(m));
  clock.runUntilIdle();
  assert.equal(got.map((m) => [...m]), msgs.map((m) => [...m]));
  assert.ok(cb.stats.badFrames + ca.stats.badFrames > 20, `bad frames ${cb.stats.badFrames}+${ca.stats.badFrames}`);
});

test("segments of another session (from before a standby reset) are ignored", () => {
  const clock = new SimClock();
  const lp = lossyLinkPair(clock, new Rng(1));
  const old = new ReliableChannel(new UdpCarrier(codec(), lp.a, ACTIVE_END, STANDBY_END), clock, { session: 1 });
  const fresh = new ReliableChannel(new UdpCarrier(codec(), lp.b, STANDBY_END, ACTIVE_END), clock, { session: 2 });
  const got: Uint8Array[] = [];
  fresh.onMessage((m) => got.push(m));
  old.send(Uint8Array.of(1, 2, 3));
  clock.runUntil(200_000_000);
  old.close();
  assert.is(got.length, 0);
  assert.ok(fresh.stats.staleSession > 0);
});

test("a run replays exactly from its seed", () => {
  const run = (seed: number) => {
    const { clock, lp, a, b } = channelPair(seed, LOSSY);
    const rng = new Rng(5);
    b.onMessage(() => {});
    for (let i = 0; i < 100; i++) a.send(rng.bytes(rng.int(2000)));
    clock.runUntilIdle();
    return JSON.stringify({ t: clock.now(), link: lp.stats, a: a.stats, b: b.stats });
  };
  assert.is(run(9), run(9));
  assert.is.not(run(9), run(10));
});

const FIGURES: string[] = [];

for (const [act, sb] of [["2.0", "1.1"], ["1.1", "2.0"], ["1.0", "1.1"], ["1.1", "1.0"]]) {
  test(`full sync ${act}→${sb} at 30% loss with reordering: standby identical to the expected config, no command applied twice`, () => {
    const reg = shipped();
    const pair = reg.pair(act, sb);
    for (const seed of [1, 2, 3]) {
      const sim = new SimulatedPair({ registry: reg, active: act, standby: sb, config: exampleConfig(act), seed, link: LOSSY });
      sim.bulkSync();
      const rng = new Rng(seed);
      for (let i = 0; i < 60 && sim.active.state === "hot"; i++) sim.configure(randomCommand(rng, pair.active.grammar, sim.active.running));
      sim.verify();
      const a = sim.active;
      const s = sim.standby;
      const where = `${act}→${sb} seed ${seed}`;
      if (a.state === "standby-reset") {
        assert.is(s.running.size, 0, where);
        continue;
      }
      const expected = convert(pair.table, pair.path, a.running).config;
      assert.equal(s.running.lines(), expected.lines(), where);
      assert.ok(a.verifications.at(-1)!.ok, where);
      const sent = a.commands.filter((c) => c.sent.length > 0).map((c) => c.id);
      assert.equal(s.appliedIds, sent, `${where}: applied once each, in order`);
      assert.is(new Set(s.appliedIds).size, s.appliedIds.length);
      assert.is(s.duplicateCommands, 0);
      assert.ok(sim.channels[1].stats.duplicates > 0, `${where}: the link never duplicated a segment: the test proves nothing`);
      const ch = sim.channels[0].stats;
      FIGURES.push(`${where}: ${a.commands.length} commands, link ${sim.link.stats.sent} frames (${sim.link.stats.lost} lost), active ${ch.segmentsSent} segments + ${ch.retransmissions} retransmissions, ${(sim.clock.now() / 1e6).toFixed(0)} ms simulated`);
    }
  });
}

test("figures", () => {
  console.log(`\n${FIGURES.join("\n")}`);
  assert.ok(FIGURES.length > 0);
});

test.run();
