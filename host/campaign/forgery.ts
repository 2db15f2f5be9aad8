// The forgery campaign: hostile frames against the gasp receiver, interleaved with a live
// genuine sender: bit flips, truncations, tampered fields behind valid checksums, random
// MACs, wrong keys, unknown key ids, another chassis, our own unit id, older boots, replays
// and copies, wrong ports and EtherTypes, random bytes. None may be accepted (`accepted`
// stays 0); each is refused for the reason the independent reference receiver (ref-gasp.ts,
// written from the protocol document) names; every genuine message is accepted; the core's
// per-reason counters equal the tallies; the receiver writes nothing outside its state and
// its output repr.

import { Core } from "../core/core";
import { GaspSender, GaspReceiver } from "../gasp/gasp";
import { Rng } from "../util/rng";
import * as MAP from "../../assembly/shared/memmap";
import * as G from "../../assembly/shared/gasp";
import { RefReceiver, refFixUdp, refMessageOffset } from "./ref-gasp";
import { armedSender, receiver, CHASSIS, KEY, KEY_ID } from "./gasp-fixture";
import type { CampaignKind, Trial } from "./campaign";

const KEY2 = Uint8Array.from(Buffer.from("a second key the receiver holds."));
const WRONG = Uint8Array.from(Buffer.from("not the chassis key, same key id"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** An attack: the frame and what kind of forgery it is. */
interface Attack {
  frame: Uint8Array;
  kind: string;
}

/** A single bit flip anywhere the frame is protected (not the MAC addresses, not the TCI). */
function flipOne(f: Uint8Array, udp: boolean, rng: Rng): Uint8Array {
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
function flipMessage(f: Uint8Array, udp: boolean, off: number, rng: Rng): Uint8Array {
  const g = Uint8Array.from(f);
  const bits = new Set<number>();
  const want = 2 + rng.int(3);
  while (bits.size < want) bits.add(rng.int((g.length - off) * 8));
  for (const b of bits) g[off + (b >> 3)] ^= 1 << (b & 7);
  if (udp) refFixUdp(g);
  return g;
}

/** Rewrites one message field without re-MACing (what an attacker on the path can do). */
function tamper(f: Uint8Array, udp: boolean, off: number, rng: Rng): Uint8Array {
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

function randomMac(f: Uint8Array, udp: boolean, rng: Rng): Uint8Array {
  const g = Uint8Array.from(f);
  g.set(rng.bytes(16), g.length - 16);
  if (udp) refFixUdp(g);
  return g;
}

/** A UDP datagram longer than its message (checksums fixed): malformed length. */
function padDatagram(f: Uint8Array, rng: Rng): Uint8Array {
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

function otherPort(f: Uint8Array, rng: Rng): Uint8Array {
  const g = Uint8Array.from(f);
  const u = (f[12] === 0x81 ? 18 : 14) + 20;
  g[u + 3] ^= 1 + rng.int(255);
  refFixUdp(g);
  return g;
}

function otherEthertype(f: Uint8Array, rng: Rng): Uint8Array {
  const g = Uint8Array.from(f);
  const t = f[12] === 0x81 ? 16 : 12;
  const type = rng.pick([0x0806, 0x86dd, 0x88b6, 0x88cc, 0x0600]);
  g[t] = type >> 8;
  g[t + 1] = type & 0xff;
  return g;
}

const OUT_FRAME = Core.frame(12);
const OUT_REPR = Core.slot(42);

/** A receiver under attack, its reference, a genuine sender and five impostors. */
export class ForgeryBench {
  readonly genuine = armedSender({ selfFence: false, unit: 1 });
  readonly impostors: [string, GaspSender][] = [
    ["wrong key, same key id", armedSender({ selfFence: false, unit: 1 }, WRONG, KEY_ID)],
    ["unknown key id", armedSender({ selfFence: false, unit: 1 }, KEY, 9)],
    ["another chassis", armedSender({ selfFence: false, unit: 1, chassis: CHASSIS ^ 0x100 })],
    ["our own unit id", armedSender({ selfFence: false, unit: 2 })],
    ["an earlier boot", armedSender({ selfFence: false, unit: 1, boot: 6 })],
  ];
  readonly rx: GaspReceiver = receiver({ ownUnit: 2 }, [[KEY_ID, KEY], [2, KEY2]]);
  readonly ref = new RefReceiver({ chassis: CHASSIS, ownUnit: 2, keys: new Map([[KEY_ID, KEY], [2, KEY2]]) });
  /** Refusals and acceptances by reason, as delivered. */
  readonly tally = new Map<string, number>();
  genuineAccepted = 0;
  attacks = 0;
  private readonly queue: Attack[] = [];
  private readonly delivered: Uint8Array[] = [];
  private round = 0;
  private readonly before = this.digests();

  constructor(private readonly rng: Rng) {}

  /** Digests of the receiver's memory outside its output repr and input frame. */
  digests(): number[] {
    const skip: [number, number][] = [[OUT_FRAME, MAP.FRAME_SLOT_SIZE], [OUT_REPR, MAP.ABI_SLOT_SIZE]].sort((a, b) => a[0] - b[0]) as [number, number][];
    const out: number[] = [];
    let from = MAP.HOST_BASE;
    for (const [at, len] of skip) {
      out.push(this.rx.core.call("region_digest", from, at - from));
      from = at + len;
    }
    out.push(this.rx.core.call("region_digest", from, MAP.MEM_END - from));
    return out;
  }

  /** Delivers one frame to the core's receiver and the reference: their verdicts, counted. */
  private deliver(f: Uint8Array): { got: string; want: string } {
    const want = this.ref.verdict(f);
    const r = this.rx.receive(f);
    const got = r.ok ? "accepted" : r.reason;
    this.tally.set(got, (this.tally.get(got) ?? 0) + 1);
    return { got, want };
  }

  private fresh(): { frame: Uint8Array; udp: boolean; off: number } {
    const rng = this.rng;
    const built = rng.bool(0.3)
      ? this.genuine.hello(BigInt(rng.u32()))
      : this.genuine.fire({ cause: 1 + rng.int(7), vector: rng.u32(), pc: BigInt(rng.u32()), uptimeUs: BigInt(rng.u32()), excerpt: rng.bytes(rng.int(70)) });
    const frame = rng.pick(built.frames).bytes;
    const at = refMessageOffset(frame)!;
    return { frame, udp: at.encap === "udp", off: at.off };
  }

  /**
   * A round: a fresh genuine message, and the attacks made from it queued; the message
   * itself waits (pending) until they are through.
   */
  private newRound(): void {
    const rng = this.rng;
    const { frame, udp, off } = this.fresh();
    const q = (f: Uint8Array, kind: string) => this.queue.push({ frame: f, kind });
    for (let i = 0; i < 4; i++) q(flipOne(frame, udp, rng), "single bit flip");
    for (let i = 0; i < 2; i++) q(flipMessage(frame, udp, off, rng), "message bit flips, checksums fixed");
    for (let i = 0; i < 2; i++) q(frame.slice(0, rng.int(frame.length)), "truncated");
    q(tamper(frame, udp, off, rng), "tampered field, checksums fixed");
    q(randomMac(frame, udp, rng), "random MAC");
    if (udp) q(padDatagram(frame, rng), "datagram longer than its message");
    if (udp && rng.bool(0.3)) q(otherPort(frame, rng), "another UDP port");
    if (rng.bool(0.2)) q(otherEthertype(frame, rng), "another EtherType");
    const [name, impostor] = this.impostors[this.round % this.impostors.length];
    const forged = impostor.core.exports.gasp_hello(0, this.round) >= 0 ? impostor.lastHello() : impostor.fire({ cause: 1 });
    q(rng.pick(forged.frames).bytes, name);
    if (rng.bool(0.1)) {
      const junk = rng.bytes(rng.int(200));
      if (rng.bool(0.5) && junk.length > 14) {
        junk[12] = 0x88;
        junk[13] = 0xb5;
      }
      q(junk, "random bytes");
    }
    this.pending = frame;
    this.round++;
  }

  /** The round's genuine message, delivered after its forgeries (it must be accepted); then its copy and an older one, queued as replays. */
  private deliverGenuine(): string | undefined {
    const frame = this.pending!;
    this.pending = undefined;
    const g = this.deliver(frame);
    this.queue.push({ frame, kind: "copy of the newest" });
    if (this.delivered.length > 0) this.queue.push({ frame: this.rng.pick(this.delivered), kind: "replay of an older one" });
    this.delivered.push(frame);
    if (this.delivered.length > 64) this.delivered.shift();
    if (g.got !== "accepted") return `the genuine message of round ${this.round - 1} was refused (${g.got}): ${hex(frame)}`;
    this.genuineAccepted++;
    return undefined;
  }

  private pending: Uint8Array | undefined;

  /** The next forged frame, delivered: its outcome (`accepted` is a failure). */
  next(): Trial {
    let genuine: string | undefined;
    while (this.queue.length === 0) {
      if (this.pending) genuine = this.deliverGenuine() ?? genuine;
      else this.newRound();
    }
    const a = this.queue.shift()!;
    const { got, want } = this.deliver(a.frame);
    this.attacks++;
    const failures = [
      got === "accepted" ? `${a.kind} was accepted: ${hex(a.frame)}` : got !== want ? `${a.kind}: the core says ${got}, the reference ${want}: ${hex(a.frame)}` : undefined,
      genuine,
    ].filter((x): x is string => x !== undefined);
    return failures.length ? { outcome: got, failure: failures.join("; ") } : { outcome: got };
  }

  /** What must hold after the attacks: counters equal the tallies, memory untouched. */
  check(): string[] {
    const out: string[] = [];
    const counters = this.rx.counters();
    if (counters.accepted !== this.genuineAccepted) out.push(`the receiver accepted ${counters.accepted}, of which ${this.genuineAccepted} genuine`);
    for (const [reason, n] of this.tally) if (reason !== "accepted" && counters[reason] !== n) out.push(`counter ${reason} = ${counters[reason]}, ${n} refused`);
    const refused = Object.entries(counters).filter(([k]) => k !== "accepted").reduce((s, [, n]) => s + n, 0);
    const refusedTally = [...this.tally].filter(([k]) => k !== "accepted").reduce((s, [, n]) => s + n, 0);
    if (refused !== refusedTally) out.push(`${refused} refusals counted, ${refusedTally} delivered`);
    if (this.digests().join() !== this.before.join()) out.push("memory outside the receiver's output repr and input frame changed");
    return out;
  }
}

export const FORGERY: CampaignKind = {
  name: "forgery",
  unit: "forged gasps",
  blockSize: 5_000,
  alwaysReported: ["accepted"],
  open(_seed, _block, rng) {
    const bench = new ForgeryBench(rng);
    return { trial: () => bench.next(), close: () => bench.check() };
  },
};
