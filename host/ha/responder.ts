// An ARP answering table: the addresses a station answers ARP requests for, and with which
// MAC. The active unit holds its VIPs here; an ARP proxy (docs/failover.md) holds its clients'
// addresses with its own MAC. Frames in and out are bytes, through the core's codec.
//
// RFC 826 reply to a request for a held address: unicast to the requester, sender = (our
// MAC, the address), target = the requester. RFC 5227 §2.4: a probe (sender IP 0.0.0.0)
// for a held address is answered too, so the prober sees the conflict. An announcement or
// gratuitous reply from another MAC for a held address is a conflict, reported to the owner
// (an ARP proxy yields to a peer proxy that way).

import { ArpRepr, EthRepr } from "../wire/repr";
import { Decoded } from "../wire/codec";
import { formatIPv4, formatMac } from "../util/addr";
import { ARP_OP_REPLY, ARP_OP_REQUEST, ETHERTYPE_ARP } from "../../assembly/shared/wire";
import { TimelineSink, NO_TIMELINE } from "./timeline";

/** The codec calls a responder needs: WireCodec has them. */
export interface ArpCodec {
  decodeArp(frame: Uint8Array): Decoded<{ eth: EthRepr; arp: ArpRepr }>;
  encodeArp(eth: EthRepr, arp: ArpRepr): Uint8Array;
}

export interface ArpConflict {
  ip: string;
  /** The other claimant's MAC (the ARP sender hardware address). */
  mac: string;
  op: number;
}

export interface ResponderResult {
  /** The reply to transmit, if the frame asked for a held address. */
  reply: Uint8Array | null;
  /** Set when the frame claimed a held address for another MAC. */
  conflict: ArpConflict | null;
}

const BROADCAST = "ff:ff:ff:ff:ff:ff";
const ZERO_IP = "0.0.0.0";

export class ArpResponder {
  /** address -> owner tag (the client a proxy answers for; the unit itself otherwise). */
  private readonly table = new Map<string, string>();
  readonly counters = { requests: 0, answered: 0, conflicts: 0, notArp: 0 };

  constructor(
    readonly name: string,
    readonly codec: ArpCodec,
    readonly mac: Uint8Array,
    private readonly timeline: TimelineSink = NO_TIMELINE,
  ) {}

  hold(ip: string, owner = this.name): void {
    this.table.set(ip, owner);
  }

  release(ip: string): boolean {
    return this.table.delete(ip);
  }

  holds(ip: string): boolean {
    return this.table.has(ip);
  }

  ownerOf(ip: string): string | null {
    return this.table.get(ip) ?? null;
  }

  held(): string[] {
    return [...this.table.keys()];
  }

  /** Looks at one received frame; answers requests for held addresses, reports conflicts. */
  receive(frame: Uint8Array, now: number): ResponderResult {
    const none: ResponderResult = { reply: null, conflict: null };
    const d = this.codec.decodeArp(frame);
    if (!d.ok) {
      this.counters.notArp++;
      return none;
    }
    const { eth, arp } = d;
    const tpa = formatIPv4(arp.tpa);
    const spa = formatIPv4(arp.spa);
    const sha = formatMac(arp.sha);
    if (sha === formatMac(this.mac)) return none; // our own frame looped back
    // Someone else claims a held address: an announcement, a gratuitous reply, or any ARP
    // whose sender IP is ours.
    if (this.table.has(spa)) {
      this.counters.conflicts++;
      const conflict = { ip: spa, mac: sha, op: arp.op };
      this.timeline.push({ tNs: now, source: this.name, name: "responder.conflict", detail: { ip: spa, mac: sha, op: arp.op } });
      return { reply: null, conflict };
    }
    if (arp.op !== ARP_OP_REQUEST || !this.table.has(tpa)) return none;
    this.counters.requests++;
    const dstMac = formatMac(eth.dst);
    if (dstMac !== BROADCAST && dstMac !== formatMac(this.mac)) return none; // unicast to another station
    const reply = this.codec.encodeArp(
      { dst: arp.sha, src: this.mac, ethertype: ETHERTYPE_ARP, tci: eth.tci },
      { op: ARP_OP_REPLY, sha: this.mac, spa: arp.tpa, tha: arp.sha, tpa: spa === ZERO_IP ? new Uint8Array(4) : arp.spa },
    );
    this.counters.answered++;
    return { reply, conflict: null };
  }
}
