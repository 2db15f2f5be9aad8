// The fuzz campaign: random and mutated frames through the wire decoders (eth_parse,
// arp_parse, ipv4_parse, udp4_parse, ipv6_parse, na_parse) and through the switching path's
// filter (sw_packet). Properties, per frame: no trap; a decoder accepts exactly what the
// independent reference reader (ref-wire.ts) accepts; the switching path decides and writes
// the same on a twin instance that sees the same frame followed by other bytes (no read past
// the length). Per block: no byte of memory outside the outputs, the frame and the path's
// own tables changed (digests before and after).

import { createHash } from "crypto";
import { Core } from "../core/core";
import { WireCodec } from "../wire/codec";
import { PuntRings } from "../switch/punt";
import { decodeVerdict } from "../switch/switch";
import { parseIPv6 } from "../util/addr";
import { Rng } from "../util/rng";
import * as MAP from "../../assembly/shared/memmap";
import * as S from "../../assembly/shared/switch";
import { STATE_SWITCH_BASE, SW_ST_END } from "../../assembly/state";
import { refArp, refEth, refIpv4, refUdp4, refIpv6, refNa } from "./ref-wire";
import { frame, fragment4, TCP, u16 } from "./frames";
import { fixture, Fixture, VIP4, VIP6, CP4, CP6, clientIp4, clientIp6, backendIp4, backendMac, BE_PORT, MAC_PORT1 } from "./switch-fixture";
import type { CampaignKind, Block, Trial } from "./campaign";

// ---- frames to start from, and how they are mutated -----------------------------------------

/** Valid frames the decoders' mutations start from, so that they reach deep validation paths. */
export function decoderSeeds(codec: WireCodec, rng: Rng): Uint8Array[] {
  const mac = Uint8Array.from([2, 0, 0, 1, 2, 3]);
  const out: Uint8Array[] = [];
  for (const vlan of [undefined, 7]) {
    out.push(codec.announce("garp", mac, Uint8Array.from([192, 0, 2, 1]), vlan));
    out.push(codec.unsolicitedNa(mac, Uint8Array.from([0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 9]), { vlanTci: vlan }));
    out.push(codec.encodeUdp4(
      { dst: mac, src: mac, ethertype: 0x0800, tci: vlan },
      { src: Uint8Array.from([192, 0, 2, 1]), dst: Uint8Array.from([192, 0, 2, 2]), protocol: 17, ttl: 64, tos: 0, ident: 1, frag: 0, payloadLen: 0 },
      { srcPort: 1, dstPort: 2 }, rng.bytes(30)));
  }
  return out;
}

/** Valid frames of every kind the switching path tells apart: services, replies, IPv6, fragments, ARP, ICMP, NDP. */
export function switchSeeds(codec: WireCodec, rng: Rng): Uint8Array[] {
  const out: Uint8Array[] = [];
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

const INTERESTING = [0, 1, 5, 6, 0x0f, 0x45, 0x46, 0x4f, 0x60, 0x7f, 0x80, 0xff, 0xffff, 0x2000, 0x3fff, 0x8100, 0x0806, 0x86dd, 0x0800, 17, 44, 58, 135];

/** 1..4 mutations: bit flips, byte sets, truncation, extension, interesting values, IP header fields. */
export function mutate(seed: Uint8Array, rng: Rng): Uint8Array {
  let f = Uint8Array.from(seed);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n && f.length > 0; k++) {
    switch (rng.int(6)) {
      case 0: f[rng.int(f.length)] ^= 1 << rng.int(8); break;
      case 1: f[rng.int(f.length)] = rng.int(256); break;
      case 2: f = f.slice(0, rng.int(f.length + 1)); break;
      case 3: {
        const extra = rng.bytes(rng.int(40));
        const g = new Uint8Array(f.length + extra.length);
        g.set(f);
        g.set(extra, f.length);
        f = g;
        break;
      }
      case 4: {
        const at = rng.int(Math.max(1, f.length - 1));
        const v = rng.pick(INTERESTING);
        f[at] = v >> 8;
        if (at + 1 < f.length) f[at + 1] = v & 0xff;
        break;
      }
      case 5: { // the IPv4/IPv6 header fields a parser trusts least
        const l3 = f.length > 13 && u16(f, 12) === 0x8100 ? 18 : 14;
        const at = l3 + rng.pick([0, 2, 3, 4, 5, 6, 7, 9]);
        if (at < f.length) f[at] = rng.int(256);
        break;
      }
    }
  }
  return f;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// ---- the decoders ----------------------------------------------------------------------------

const IN = Core.frame(8);
const R0 = Core.slot(20);
const R1 = Core.slot(21);
const R2 = Core.slot(22);

interface Decoder {
  name: string;
  call(core: Core, len: number): number;
  ref(f: Uint8Array): unknown;
  /** Sees the frame past its Ethernet header (mostly). */
  l3?: boolean;
}

export const DECODERS: Decoder[] = [
  { name: "eth_parse", call: (c, len) => c.exports.eth_parse(IN, len, R0), ref: refEth },
  { name: "arp_parse", call: (c, len) => c.exports.arp_parse(IN, len, R0, R1), ref: refArp },
  { name: "ipv4_parse", call: (c, len) => c.exports.ipv4_parse(IN, len, R0), ref: refIpv4, l3: true },
  { name: "udp4_parse", call: (c, len) => c.exports.udp4_parse(IN, len, R0, R1, R2), ref: refUdp4 },
  { name: "ipv6_parse", call: (c, len) => c.exports.ipv6_parse(IN, len, R0), ref: refIpv6, l3: true },
  { name: "na_parse", call: (c, len) => c.exports.na_parse(IN, len, R0, R1, R2), ref: refNa },
];

/** Digests of a decoder core's host-visible memory outside the input frame and the output slots. */
export function decoderDigests(core: Core): number[] {
  const spans = [[MAP.HOST_BASE, R0], [R2 + MAP.ABI_SLOT_SIZE, IN], [IN + MAP.FRAME_SLOT_SIZE, MAP.MEM_END]];
  return spans.map(([a, b]) => core.call("region_digest", a, b - a));
}

/** One decoder on one frame: accepted or rejected, or the failure (a trap, a disagreement with the reference). */
export function decodeOne(core: Core, d: Decoder, f: Uint8Array): Trial {
  core.bytes.set(f, IN);
  let rc: number;
  try {
    rc = d.call(core, f.length);
  } catch (e) {
    return { outcome: `${d.name} trap`, failure: `${d.name} trapped (${(e as Error).message}) on ${hex(f)}` };
  }
  const refAccepts = d.ref(f) !== null;
  const outcome = `${d.name} ${rc >= 0 ? "accepted" : "rejected"}`;
  if (refAccepts !== rc >= 0) return { outcome, failure: `${d.name} returned ${rc}, the reference ${refAccepts ? "accepts" : "rejects"}: ${hex(f)}` };
  return { outcome };
}

// ---- the switching path ------------------------------------------------------------------------

const BUF = Core.frame(20);
const CAP = MAP.FRAME_SLOT_SIZE;
const CAPACITY = 1 << 12;

/** Digests of every byte the switching path must never write (its frame and tables excepted). */
export function untouchable(core: Core, capacity = CAPACITY, buf = BUF, cap = CAP): string[] {
  const spans: [number, number][] = [
    [MAP.STATIC_BASE, MAP.STATE_BASE],
    [MAP.STATE_BASE, Number(STATE_SWITCH_BASE)],
    [Number(SW_ST_END), MAP.HOST_BASE],
    [MAP.HOST_BASE, buf],
    [buf + cap, MAP.SWITCH_BASE],
    [MAP.SW_PORTS_BASE, MAP.SW_BACKENDS_BASE], // ports, CP addresses, services
    [MAP.SW_PUNT_DOWN_BASE, MAP.SW_LB_A_BASE], // the host's ring
    [MAP.SW_LB_A_BASE, MAP.SW_CONN_BASE], // both LB tables and the reserved space
    [MAP.SW_CONN_BASE + capacity * S.CONN_BYTES_PER_ENTRY, MAP.MEM_END],
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

/** The switching path of two instances (a, b) on one frame, b seeing other bytes past its end. */
export class SwitchTwins {
  readonly a: Fixture = fixture({ capacity: CAPACITY, seed: 77 });
  readonly b: Fixture = fixture({ capacity: CAPACITY, seed: 77 });
  private readonly ringsA = new PuntRings(this.a.sw.core);
  private readonly ringsB = new PuntRings(this.b.sw.core);
  private readonly beforeA = untouchable(this.a.sw.core);
  private readonly beforeB = untouchable(this.b.sw.core);
  frames = 0;

  /** Moves both instances' clocks to now and empties their UP rings (the CP's side). */
  tick(now: number): void {
    this.a.sw.tick(now);
    this.b.sw.tick(now);
    this.ringsA.take();
    this.ringsB.take();
  }

  one(f: Uint8Array, port: number, tail: Uint8Array): Trial {
    if (f.length > CAP) f = f.slice(0, CAP);
    const A = this.a.sw.core;
    const B = this.b.sw.core;
    A.bytes.fill(0, BUF, BUF + CAP);
    A.bytes.set(f, BUF);
    B.bytes.fill(0xa5, BUF, BUF + CAP);
    B.bytes.set(f, BUF);
    B.bytes.set(tail.subarray(0, Math.min(tail.length, CAP - f.length)), BUF + f.length);
    this.frames++;
    let va: number, vb: number;
    try {
      va = A.exports.sw_packet(BUF, f.length, CAP, port);
      vb = B.exports.sw_packet(BUF, f.length, CAP, port);
    } catch (e) {
      return { outcome: "sw_packet trap", failure: `sw_packet trapped (${(e as Error).message}) on port ${port}: ${hex(f)}` };
    }
    const v = decodeVerdict(va);
    const outcome = `sw_packet ${v.action === "drop" ? v.reason : v.action}`;
    if (va !== vb) return { outcome, failure: `verdicts differ with other bytes past the length (${va} vs ${vb}): ${hex(f)}` };
    const outLen = v.action === "drop" || v.action === "punt" ? f.length : v.length;
    if (Buffer.compare(A.bytes.subarray(BUF, BUF + outLen), B.bytes.subarray(BUF, BUF + outLen)) !== 0) {
      return { outcome, failure: `outputs differ with other bytes past the length (a read past it): ${hex(f)}` };
    }
    return { outcome };
  }

  /** What must hold after a run: untouched memory, every frame counted. */
  check(): string[] {
    const out: string[] = [];
    if (untouchable(this.a.sw.core).join() !== this.beforeA.join()) out.push("switching path: memory outside the frame and its tables changed (instance a)");
    if (untouchable(this.b.sw.core).join() !== this.beforeB.join()) out.push("switching path: memory outside the frame and its tables changed (instance b)");
    const rx = this.a.sw.counters().rx;
    if (rx !== this.frames) out.push(`switching path: ${rx} frames counted, ${this.frames} offered`);
    return out;
  }
}

// ---- the campaign ------------------------------------------------------------------------------

/** Of every 8 frames, 6 go to a decoder, 2 through the switching path. */
const SWITCH_SHARE = 2 / 8;

class FuzzBlock implements Block {
  private readonly core = Core.load();
  private readonly codec = new WireCodec(this.core);
  private readonly decoderSeeds: Uint8Array[];
  private readonly switchSeeds: Uint8Array[];
  private readonly twins = new SwitchTwins();
  private readonly before: number[];
  private now = 1000;
  private n = 0;

  constructor(private readonly rng: Rng) {
    this.decoderSeeds = decoderSeeds(this.codec, rng);
    this.switchSeeds = switchSeeds(this.codec, rng);
    this.before = decoderDigests(this.core);
  }

  trial(): Trial {
    const rng = this.rng;
    if (this.n++ % 1000 === 0) {
      this.now += rng.int(400_000); // entries age, some expire
      this.twins.tick(this.now);
    }
    if (rng.bool(SWITCH_SHARE)) {
      const f = rng.int(5) === 0 ? rng.bytes(rng.int(160)) : mutate(rng.pick(this.switchSeeds), rng);
      return this.twins.one(f, rng.int(S.SW_MAX_PORTS), rng.bytes(64));
    }
    const d = rng.pick(DECODERS);
    let f = rng.int(4) === 0 ? rng.bytes(rng.int(140)) : mutate(rng.pick(this.decoderSeeds), rng);
    if (d.l3) f = f.subarray(rng.bool(0.8) ? 14 : 0);
    return decodeOne(this.core, d, f);
  }

  close(): string[] {
    const out = this.twins.check();
    if (decoderDigests(this.core).join() !== this.before.join()) out.push("decoders: memory outside their outputs and input changed");
    return out;
  }
}

export const FUZZ: CampaignKind = {
  name: "fuzz",
  unit: "fuzzed frames",
  blockSize: 50_000, // a block's set-up and closing digests cost about as much as 10,000 frames
  open: (_seed, _block, rng) => new FuzzBlock(rng),
};
