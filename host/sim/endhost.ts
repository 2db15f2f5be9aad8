// A simulated host on the service segment: it keeps a Linux-like neighbour cache
// (neighbor.ts), answers ARP for its own address, sends packets to the VIPs and counts where
// they went. Frames in and out are bytes, through the core's codec; no timers of its own:
// receive(frame, now), send(vip, now), tick(now) at nextDeadline().
//
// Counters per VIP (what the demo and the loss sweeps report):
//   sent          packets put on the wire (to some MAC)
//   misdelivered  of those, sent to a MAC that did not own the VIP at that moment (the
//                 `owner` oracle: the chassis knows who holds each VIP)
//   queued        packets held while the address was unresolved
//   dropped       packets lost in the host: resolution failed or the queue overflowed
//   solicits      ARP requests (broadcast or unicast probes) sent for the VIP
//   solicitsUnbuilt  IPv6 solicitations decided but not put on the wire: the core has no
//                 Neighbor Solicitation encoder yet (docs/failover.md, "left out")
// IPv6 packets are decided (which MAC) and counted, but not built as frames either.

import { Rng } from "../util/rng";
import { formatIPv4, formatIPv6, formatMac, parseIPv4, parseMac } from "../util/addr";
import { ArpRepr, EthRepr, Ipv4Repr, NaRepr, Ipv6Repr, UdpRepr } from "../wire/repr";
import { Decoded } from "../wire/codec";
import { ARP_OP_REPLY, ARP_OP_REQUEST, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, IPPROTO_UDP } from "../../assembly/shared/wire";
import { NeighborCache, NeighParams, CacheEffects, UpdateOutcome, Solicit } from "./neighbor";
import { TimelineSink, NO_TIMELINE, Timed } from "../ha/timeline";

/** The codec calls a simulated host needs: WireCodec has them. */
export interface HostCodec {
  decodeEth(frame: Uint8Array): Decoded<{ eth: EthRepr; payloadOffset: number }>;
  decodeArp(frame: Uint8Array): Decoded<{ eth: EthRepr; arp: ArpRepr }>;
  encodeArp(eth: EthRepr, arp: ArpRepr): Uint8Array;
  decodeNa(frame: Uint8Array): Decoded<{ eth: EthRepr; ip6: Ipv6Repr; na: NaRepr }>;
  encodeUdp4(eth: EthRepr, ip: Ipv4Repr, udp: UdpRepr, payload: Uint8Array): Uint8Array;
}

export interface SimHostOptions {
  name: string;
  mac: string;
  ip4: string;
  prefixLen: number;
  codec: HostCodec;
  rng: Rng;
  params?: Partial<NeighParams>;
  /** Who really owns a VIP now (its MAC), or null: the ground truth for misdelivery. */
  owner?: (vip: string) => string | null;
  /** UDP destination port of the host's traffic (9, discard, by default). */
  dstPort?: number;
  timeline?: TimelineSink;
}

export interface VipCounters {
  sent: number;
  misdelivered: number;
  queued: number;
  dropped: number;
  solicits: number;
  solicitsUnbuilt: number;
}

/** A packet the host sent (or queued), for the chassis to follow on the wire. */
export interface HostPacket {
  vip: string;
  seq: number;
  sentNs: number;
}

export interface HostOutput {
  /** Frames to put on the wire now, in order. */
  frames: Uint8Array[];
  /** Data packets that left now, each with the MAC it went to. */
  delivered: (HostPacket & { mac: string })[];
}

const BROADCAST = parseMac("ff:ff:ff:ff:ff:ff");
const ZERO_MAC = new Uint8Array(6);
const SRC_PORT = 40000;

export class SimHost implements Timed {
  readonly name: string;
  readonly mac: Uint8Array;
  readonly macText: string;
  readonly ip4: string;
  readonly cache: NeighborCache<HostPacket>;
  private readonly counters = new Map<string, VipCounters>();
  private seq = 0;
  private readonly timeline: TimelineSink;
  /** Outcome of every ARP/NA the host processed, by kind (for tables and reports). */
  readonly updates: Record<string, number> = {};

  constructor(private readonly opts: SimHostOptions) {
    this.name = opts.name;
    this.mac = parseMac(opts.mac);
    this.macText = formatMac(this.mac);
    this.ip4 = formatIPv4(parseIPv4(opts.ip4));
    this.cache = new NeighborCache<HostPacket>({ ip4: [{ ip: this.ip4, prefixLen: opts.prefixLen }] }, opts.rng, opts.params);
    this.timeline = opts.timeline ?? NO_TIMELINE;
  }

  /** The sequence number the next packet sent will carry (one counter across the VIPs). */
  get nextSeq(): number {
    return this.seq;
  }

  countersFor(vip: string): VipCounters {
    let c = this.counters.get(vip);
    if (!c) {
      c = { sent: 0, misdelivered: 0, queued: 0, dropped: 0, solicits: 0, solicitsUnbuilt: 0 };
      this.counters.set(vip, c);
    }
    return c;
  }

  /** Sends one packet to vip now (IPv4: a UDP datagram; IPv6: the decision only). */
  send(vip: string, now: number): HostOutput {
    const pkt: HostPacket = { vip, seq: this.seq++, sentNs: now };
    const out: HostOutput = { frames: [], delivered: [] };
    const v = this.cache.output(vip, pkt, now);
    if (v.verdict === "send") this.emitData(pkt, v.mac, now, out);
    else this.countersFor(vip).queued++;
    this.apply(v, now, out);
    return out;
  }

  /** One frame from the wire. */
  receive(frame: Uint8Array, now: number): HostOutput {
    const out: HostOutput = { frames: [], delivered: [] };
    const eth = this.opts.codec.decodeEth(frame);
    if (!eth.ok) return out;
    const dst = formatMac(eth.eth.dst);
    const forUs = dst === this.macText || (eth.eth.dst[0] & 1) === 1; // unicast to us, broadcast, multicast
    if (!forUs) return out; // PACKET_OTHERHOST: the kernel's ARP/ND never see it
    if (eth.eth.ethertype === ETHERTYPE_ARP) this.arpIn(frame, dst === this.macText, now, out);
    else if (eth.eth.ethertype === ETHERTYPE_IPV6) this.naIn(frame, now, out);
    return out;
  }

  /** Neighbour timers due at or before now. */
  tick(now: number): HostOutput {
    const out: HostOutput = { frames: [], delivered: [] };
    this.apply(this.cache.tick(now), now, out);
    return out;
  }

  nextDeadline(): number | null {
    return this.cache.nextDeadline();
  }

  /** Where a packet for vip would go now (no side effects). */
  mapping(vip: string): string | null {
    return this.cache.peek(vip);
  }

  private arpIn(frame: Uint8Array, unicastToUs: boolean, now: number, out: HostOutput): void {
    const d = this.opts.codec.decodeArp(frame);
    if (!d.ok) return;
    const { arp, eth } = d;
    const spa = formatIPv4(arp.spa);
    const tpa = formatIPv4(arp.tpa);
    if (formatMac(arp.sha) === this.macText) return;
    const r = this.cache.arpIn({ op: arp.op, sha: arp.sha, spa, tha: arp.tha, tpa, unicastToUs }, now);
    this.noteUpdate("arp", r.outcome, spa, formatMac(arp.sha), now);
    this.apply(r, now, out);
    if (arp.op === ARP_OP_REQUEST && tpa === this.ip4) {
      out.frames.push(
        this.opts.codec.encodeArp(
          { dst: arp.sha, src: this.mac, ethertype: ETHERTYPE_ARP, tci: eth.tci },
          { op: ARP_OP_REPLY, sha: this.mac, spa: arp.tpa, tha: arp.sha, tpa: arp.spa },
        ),
      );
    }
  }

  private naIn(frame: Uint8Array, now: number, out: HostOutput): void {
    const d = this.opts.codec.decodeNa(frame);
    if (!d.ok) return;
    const target = formatIPv6(d.na.target);
    const r = this.cache.naIn({ flags: d.na.flags, target, tlla: d.na.tlla ?? null }, now);
    this.noteUpdate("na", r.outcome, target, d.na.tlla ? formatMac(d.na.tlla) : null, now);
    this.apply(r, now, out);
  }

  private noteUpdate(kind: string, outcome: UpdateOutcome, ip: string, mac: string | null, now: number): void {
    const key = `${kind}:${outcome}`;
    this.updates[key] = (this.updates[key] ?? 0) + 1;
    if (outcome === "updated" || outcome === "created") {
      this.timeline.push({ tNs: now, source: this.name, name: "host.neigh-update", detail: { kind, outcome, ip, mac } });
    }
  }

  private apply(fx: CacheEffects<HostPacket>, now: number, out: HostOutput): void {
    for (const s of fx.solicits) this.solicit(s, out);
    for (const r of fx.released) for (const p of r.packets) this.emitData(p, r.mac, now, out);
    for (const p of fx.dropped) this.countersFor(p.vip).dropped++;
  }

  private solicit(s: Solicit, out: HostOutput): void {
    const c = this.countersFor(s.ip);
    c.solicits++;
    if (s.family === 6) {
      c.solicitsUnbuilt++;
      return;
    }
    const dst = s.kind === "unicast" && s.dstMac ? parseMac(s.dstMac) : BROADCAST;
    out.frames.push(
      this.opts.codec.encodeArp(
        { dst, src: this.mac, ethertype: ETHERTYPE_ARP },
        { op: ARP_OP_REQUEST, sha: this.mac, spa: parseIPv4(this.ip4), tha: ZERO_MAC, tpa: parseIPv4(s.ip) },
      ),
    );
  }

  private emitData(pkt: HostPacket, mac: string, now: number, out: HostOutput): void {
    const c = this.countersFor(pkt.vip);
    c.sent++;
    const owner = this.opts.owner?.(pkt.vip);
    if (owner !== undefined && owner !== null && owner !== mac) {
      c.misdelivered++;
      this.timeline.push({ tNs: now, source: this.name, name: "host.misdelivered", detail: { vip: pkt.vip, mac, owner, seq: pkt.seq } });
    }
    out.delivered.push({ ...pkt, mac });
    if (pkt.vip.includes(":")) return;
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setUint32(0, pkt.seq);
    out.frames.push(
      this.opts.codec.encodeUdp4(
        { dst: parseMac(mac), src: this.mac, ethertype: ETHERTYPE_IPV4 },
        { src: parseIPv4(this.ip4), dst: parseIPv4(pkt.vip), protocol: IPPROTO_UDP, ttl: 64, tos: 0, ident: pkt.seq & 0xffff, frag: 0, payloadLen: 0 },
        { srcPort: SRC_PORT, dstPort: this.opts.dstPort ?? 9 },
        payload,
      ),
    );
  }
}
