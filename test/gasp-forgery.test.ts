// More than 10^5 hostile frames against the receiver, interleaved with a live genuine
// sender: bit flips, truncations, tampered fields behind valid checksums, random MACs,
// wrong keys, unknown key ids, another chassis, our own unit id, older boots, replays and
// copies, wrong ports and EtherTypes. None is accepted; each is refused for the reason the
// independent reference receiver (host/campaign/ref-gasp.ts, written from the doc) names;
// the core's per-reason counters equal the tallies; every genuine message is accepted; the
// receiver never traps and writes nothing outside its state and its output repr.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import { GaspSender } from "../host/gasp/gasp";
import * as MAP from "../assembly/shared/memmap";
import * as G from "../assembly/shared/gasp";
import { E_RANGE } from "../assembly/shared/status";
import { RefReceiver, refFixUdp, refMessageOffset } from "../host/campaign/ref-gasp";
import { armedSender, receiver, CHASSIS, KEY, KEY_ID } from "../host/campaign/gasp-fixture";

const ATTACKS = 100_000;
const rng = new Rng(0xf0f9e);
const KEY2 = Uint8Array.from(Buffer.from("a second key the receiver holds."));
const WRONG = Uint8Array.from(Buffer.from("not the chassis key, same key id"));

const genuine = armedSender({ selfFence: false, unit: 1 });
const impostors: [string, GaspSender][] = [
  ["wrong key, same key id", armedSender({ selfFence: false, unit: 1 }, WRONG, KEY_ID)],
  ["unknown key id", armedSender({ selfFence: false, unit: 1 }, KEY, 9)],
  ["another chassis", armedSender({ selfFence: false, unit: 1, chassis: CHASSIS ^ 0x100 })],
  ["our own unit id", armedSender({ selfFence: false, unit: 2 })],
  ["an earlier boot", armedSender({ selfFence: false, unit: 1, boot: 6 })],
];
const rx = receiver({ ownUnit: 2 }, [[KEY_ID, KEY], [2, KEY2]]);
const ref = new RefReceiver({ chassis: CHASSIS, ownUnit: 2, keys: new Map([[KEY_ID, KEY], [2, KEY2]]) });

const tally = new Map<string, number>();
const kinds = new Map<string, number>();
let attacks = 0;
let genuineAccepted = 0;

/** Delivers one frame to both receivers; they must agree. */
function deliver(f: Uint8Array, what: string): string {
  const want = ref.verdict(f);
  const r = rx.receive(f);
  const got = r.ok ? "accepted" : r.reason;
  if (got !== want) assert.unreachable(`${what}: core says ${got}, reference ${want}: ${Buffer.from(f).toString("hex")}`);
  tally.set(got, (tally.get(got) ?? 0) + 1);
  return got;
}

function attack(f: Uint8Array, kind: string): void {
  const v = deliver(f, kind);
  if (v === "accepted") assert.unreachable(`${kind} was accepted: ${Buffer.from(f).toString("hex")}`);
  attacks++;
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
}

function fresh(): { frame: Uint8Array; udp: boolean; off: number } {
  const built = rng.bool(0.3)
    ? genuine.hello(BigInt(rng.u32()))
    : genuine.fire({ cause: 1 + rng.int(7), vector: rng.u32(), pc: BigInt(rng.u32()), uptimeUs: BigInt(rng.u32()), excerpt: rng.bytes(rng.int(70)) });
  const frame = rng.pick(built.frames).bytes;
  const at = refMessageOffset(frame)!;
  return { frame, udp: at.encap === "udp", off: at.off };
}

/** A single bit flip anywhere the frame is protected (not the MAC addresses, not the TCI). */
function flipOne(f: Uint8Array, udp: boolean): Uint8Array {
  const tagged = f[12] === 0x81 && f[13] === 0x00;
  for (;;) {
    const g = Uint8Array.from(f);
    let at: number;
    do at = 12 + rng.int(g.length - 12);
    while (tagged && (at === 14 || at === 15));
    g[at] ^= 1 << rng.int(8);
    // A UDP checksum flipped to 0 means "no checksum": the message is then intact and
    // authentic, not a forgery. Pick another bit.
    if (udp) {
      const u = (tagged ? 18 : 14) + 20;
      if (at >= u + 6 && at <= u + 7 && g[u + 6] === 0 && g[u + 7] === 0) continue;
    }
    return g;
  }
}

/** 2..4 distinct bit flips inside the message, checksums fixed so the MAC has to catch them. */
function flipMessage(f: Uint8Array, udp: boolean, off: number): Uint8Array {
  const g = Uint8Array.from(f);
  const bits = new Set<number>();
  const want = 2 + rng.int(3);
  while (bits.size < want) bits.add(rng.int((g.length - off) * 8));
  for (const b of bits) g[off + (b >> 3)] ^= 1 << (b & 7);
  if (udp) refFixUdp(g);
  return g;
}

/** Rewrites one message field without re-MACing (what an attacker on the path can do). */
function tamper(f: Uint8Array, udp: boolean, off: number): Uint8Array {
  const g = Uint8Array.from(f);
  const m = g.subarray(off);
  switch (rng.int(10)) {
    case 0: m[31] = (m[31] + 1 + rng.int(200)) & 0xff; break; // sequence: jump ahead
    case 1: m[15] ^= 1 + rng.int(255); break; // boot counter
    case 2: m[9] = (m[9] + 1) % 3; break; // role
    case 3: m[10] ^= 0xff; break; // priority
    case 4: m[21] = (m[21] % 7) + 1; break; // cause (always a different one)
    case 5: m[20] ^= G.GASP_FLAG_SELF_FENCED; break; // the self-fencing promise
    case 6: m[0] = 0x47; m[1] = 0x4c; break; // magic byte-swapped
    case 7: m[2] = 2 + rng.int(254); break; // version
    case 8: m[3] = rng.pick([0, 3, 4, 0x81, 0xff]); break; // type
    case 9: m[22] = rng.pick([65, 100, 255, m[22] === 0 ? 1 : m[22] - 1, m[22] + 1]); break; // excerpt length
  }
  if (udp) refFixUdp(g);
  return g;
}

function randomMac(f: Uint8Array, udp: boolean): Uint8Array {
  const g = Uint8Array.from(f);
  g.set(rng.bytes(16), g.length - 16);
  if (udp) refFixUdp(g);
  return g;
}

/** A UDP datagram longer than its message (checksums fixed): malformed length. */
function padDatagram(f: Uint8Array): Uint8Array {
  const extra = 1 + rng.int(20);
  const g = new Uint8Array(f.length + extra);
  g.set(f);
  const ip = f[12] === 0x81 ? 18 : 14;
  const total = ((g[ip + 2] << 8) | g[ip + 3]) + extra;
  g[ip + 2] = total >> 8;
  g[ip + 3] = total & 0xff;
  const ulen = ((g[ip + 24] << 8) | g[ip + 25]) + extra;
  g[ip + 24] = ulen >> 8;
  g[ip + 25] = ulen & 0xff;
  refFixUdp(g);
  return g;
}

function otherPort(f: Uint8Array): Uint8Array {
  const g = Uint8Array.from(f);
  const u = (f[12] === 0x81 ? 18 : 14) + 20;
  g[u + 3] ^= 1 + rng.int(255);
  refFixUdp(g);
  return g;
}

function otherEthertype(f: Uint8Array): Uint8Array {
  const g = Uint8Array.from(f);
  const t = f[12] === 0x81 ? 16 : 12;
  const type = rng.pick([0x0806, 0x86dd, 0x88b6, 0x88cc, 0x0600]);
  g[t] = type >> 8;
  g[t + 1] = type & 0xff;
  return g;
}

const SPAN_SKIP: [number, number][] = [[Core.frame(12), MAP.FRAME_SLOT_SIZE], [Core.slot(42), MAP.ABI_SLOT_SIZE]];
function digestOutside(): number[] {
  const out: number[] = [];
  let from = MAP.HOST_BASE;
  for (const [at, len] of SPAN_SKIP.sort((a, b) => a[0] - b[0])) {
    out.push(rx.core.call("region_digest", from, at - from));
    from = at + len;
  }
  out.push(rx.core.call("region_digest", from, MAP.MEM_END - from));
  return out;
}

test(`${ATTACKS.toLocaleString()} forged, replayed, truncated and bit-flipped gasps: none accepted, each counted under its reason`, () => {
  const before = digestOutside();
  const delivered: Uint8Array[] = [];
  let round = 0;
  while (attacks < ATTACKS) {
    const { frame, udp, off } = fresh();
    for (let i = 0; i < 4; i++) attack(flipOne(frame, udp), "single bit flip");
    for (let i = 0; i < 2; i++) attack(flipMessage(frame, udp, off), "message bit flips, checksums fixed");
    for (let i = 0; i < 2; i++) attack(frame.slice(0, rng.int(frame.length)), "truncated");
    attack(tamper(frame, udp, off), "tampered field, checksums fixed");
    attack(randomMac(frame, udp), "random MAC");
    if (udp) attack(padDatagram(frame), "datagram longer than its message");
    if (udp && rng.bool(0.3)) attack(otherPort(frame), "another UDP port");
    if (rng.bool(0.2)) attack(otherEthertype(frame), "another EtherType");
    const [name, impostor] = impostors[round % impostors.length];
    const forged = impostor.core.exports.gasp_hello(0, round) >= 0 ? impostor.lastHello() : impostor.fire({ cause: 1 });
    attack(rng.pick(forged.frames).bytes, name);

    assert.is(deliver(frame, "genuine"), "accepted", `genuine message of round ${round}`);
    genuineAccepted++;
    attack(frame, "copy of the newest");
    if (delivered.length > 0) attack(rng.pick(delivered), "replay of an older one");
    delivered.push(frame);
    if (delivered.length > 64) delivered.shift();
    round++;
  }
  for (let i = 0; i < 10_000; i++) {
    const junk = rng.bytes(rng.int(200));
    if (rng.bool(0.5) && junk.length > 14) { junk[12] = 0x88; junk[13] = 0xb5; }
    attack(junk, "random bytes");
  }

  assert.ok(attacks >= ATTACKS, `${attacks} attacks`);
  const counters = rx.counters();
  assert.is(counters.accepted, genuineAccepted, "every genuine message accepted, nothing else");
  for (const [reason, n] of tally) {
    if (reason !== "accepted") assert.is(counters[reason], n, `counter ${reason}`);
  }
  const sum = Object.entries(counters).filter(([k]) => k !== "accepted").reduce((s, [, n]) => s + n, 0);
  assert.is(sum, attacks, "every refused frame counted exactly once");
  for (const reason of ["E_GASP_NOT_GASP", "E_GASP_TRUNCATED", "E_GASP_ENCAP", "E_GASP_CHECKSUM", "E_GASP_MAGIC", "E_GASP_VERSION",
    "E_GASP_TYPE", "E_GASP_LENGTH", "E_GASP_KEY_ID", "E_GASP_CHASSIS", "E_GASP_SELF", "E_GASP_BAD_MAC", "E_GASP_REPLAY", "E_GASP_DUPLICATE"]) {
    assert.ok((counters[reason] ?? 0) > 0, `the attacks reached ${reason}`);
  }
  assert.equal(digestOutside(), before, "memory outside the receiver's output repr and input frame is unchanged");
  console.log(`  ${attacks} attacks, ${genuineAccepted} genuine accepted; by kind: ${JSON.stringify(Object.fromEntries(kinds))}`);
  console.log(`  by reason: ${JSON.stringify(Object.fromEntries([...tally].sort()))}`);
});

test("gasp exports never trap on wild pointers and lengths (10,000 random calls)", () => {
  const core = genuine.core;
  const names = ["gasp_arm", "gasp_receive", "gasp_rx_config", "gasp_rx_highest", "gasp_rx_restore", "gasp_rx_count", "gasp_fire", "gasp_hello", "gasp_update"];
  for (let i = 0; i < 10_000; i++) {
    const fn = rng.pick(names);
    const args = Array.from({ length: 8 }, () => rng.pick([0, -1, 0x7fffffff, MAP.MEM_END - 1, MAP.MEM_END, MAP.STATE_BASE, rng.u32() | 0, 100]));
    try {
      assert.ok(Number.isInteger(core.exports[fn](...args)));
    } catch (e) {
      assert.unreachable(`${fn}(${args}) trapped: ${(e as Error).message}`);
    }
  }
  assert.is(core.exports.gasp_receive(MAP.MEM_END - 10, 60, Core.slot(42)), E_RANGE);
  assert.is(core.exports.gasp_receive(Core.frame(12), 60, MAP.STATE_BASE), E_RANGE, "the output repr cannot point into core state");
  assert.is(core.exports.gasp_rx_highest(1, MAP.MEM_END - 4), E_RANGE);
});

test.run();
