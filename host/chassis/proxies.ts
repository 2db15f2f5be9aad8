// ARP-proxy mode on the virtual chassis (scenario `proxies`, docs/chassis.md "ARP proxies"):
// each unit's front port reaches the hosts' switch through its own proxy station — a bridge
// between an inside port (the unit) and an outside port (the switch) that answers ARP for its
// client's addresses with its own MAC (host/ha/proxy.ts) and forwards the traffic for them to
// the client. The unit's own announcements and ARP answers for the VIPs stay inside; every
// other frame (hellos, gasps, ARP for other addresses) passes through unchanged.
//
// The unit that holds the VIPs registers with its proxy (a control message from the chassis),
// which announces them outside with its own MAC. The old proxy stops answering either by an
// explicit withdraw from the chassis at the takeover (`handover: "withdraw"`), or by yielding
// when it hears the peer proxy announce an address it holds (`"yield"`): the way that works
// when the old unit died without a word.

import type { SimClock } from "../sim/clock";
import type { WireEndpoint } from "../sim/wire";
import type { TimelineSink } from "../ha/timeline";
import type { AnnounceEncoder } from "../ha/announcer";
import type { ArpCodec } from "../ha/responder";
import { ArpProxy } from "../ha/proxy";
import { Ticker } from "./ticker";
import { be16, ethView, ipv4View } from "../wire/frame";
import { formatIPv4, formatMac, parseMac } from "../util/addr";
import * as W from "../../assembly/shared/wire";

export interface ProxyStationSpec {
  name: string;
  mac: string;
  /** The board id of the unit behind it. */
  client: string;
}

export interface ProxiesSpec {
  handover?: "withdraw" | "yield";
  stations: ProxyStationSpec[];
}

/** What a station did, for the run's result and the scenario's expectations. */
export interface ProxyResult {
  name: string;
  mac: string;
  client: string;
  /** Addresses it answers for at the end. */
  holds: string[];
  /** ARP replies it sent to a host's request for a VIP: times (ns) and addresses. */
  answered: { tNs: number; ip: string }[];
  /** Its unsolicited announcements (gratuitous replies / requests) for the VIPs: times (ns). */
  announced: number[];
  /** Packets for the VIPs it forwarded to its client. */
  forwarded: number;
}

interface Clientele {
  readonly clock: SimClock;
  /** The MAC of a unit's front port (where its proxy forwards). */
  clientMac(unit: string): string;
}

const arpSpa = (f: Uint8Array, l3: number) => formatIPv4(f.subarray(l3 + W.ARP_OFF_SPA, l3 + W.ARP_OFF_SPA + 4));
const arpTpa = (f: Uint8Array, l3: number) => formatIPv4(f.subarray(l3 + W.ARP_OFF_TPA, l3 + W.ARP_OFF_TPA + 4));

export class ProxyStation {
  readonly proxy: ArpProxy;
  readonly result: ProxyResult;
  private txInside: ((f: Uint8Array) => void) | undefined;
  private txOutside: ((f: Uint8Array) => void) | undefined;
  private readonly ticker: Ticker;
  private readonly macBytes: Uint8Array;

  constructor(readonly spec: ProxyStationSpec, peers: string[], private readonly vips: string[], codec: ArpCodec & AnnounceEncoder, timeline: TimelineSink, private readonly env: Clientele) {
    this.proxy = new ArpProxy({ name: spec.name, mac: spec.mac, codec, timeline, yieldTo: peers });
    this.macBytes = parseMac(spec.mac);
    this.result = { name: spec.name, mac: formatMac(this.macBytes), client: spec.client, holds: [], answered: [], announced: [], forwarded: 0 };
    this.ticker = new Ticker(env.clock, () => this.proxy.nextDeadline(), (now) => {
      for (const a of this.proxy.tick(now)) {
        this.result.announced.push(now);
        this.txOutside?.(a.frame);
      }
    });
    this.inside = {
      name: `${spec.name}.inside`,
      attach: (tx) => (this.txInside = tx),
      receive: (f) => {
        // The unit's own word on the VIPs (announcements, answers) stays behind its proxy.
        const eth = ethView(f);
        if (eth?.type === W.ETHERTYPE_ARP && f.length >= eth.l3 + W.ARP_LEN && this.vips.includes(arpSpa(f, eth.l3))) return;
        this.txOutside?.(f);
      },
    };
    this.outside = { name: `${spec.name}.outside`, attach: (tx) => (this.txOutside = tx), receive: (f) => this.fromOutside(f) };
  }

  /** The port the unit's front port plugs into. */
  readonly inside: WireEndpoint;
  /** The port towards the hosts' switch. */
  readonly outside: WireEndpoint;

  private fromOutside(f: Uint8Array): void {
    const now = this.env.clock.now();
    const eth = ethView(f);
    if (eth?.type === W.ETHERTYPE_ARP && f.length >= eth.l3 + W.ARP_LEN) {
      const out = this.proxy.receive(f, now);
      for (const r of out.frames) {
        this.result.answered.push({ tNs: now, ip: arpTpa(f, eth.l3) });
        this.txOutside?.(r);
      }
      this.ticker.poke();
      // A request for an address the proxy answers for is its own business, not the client's.
      if (out.frames.length || (be16(f, eth.l3 + W.ARP_OFF_OP) === W.ARP_OP_REQUEST && this.proxy.answersFor(arpTpa(f, eth.l3)))) return;
      this.txInside?.(f);
      return;
    }
    const toUs = f.subarray(W.ETH_OFF_DST, W.ETH_OFF_DST + 6).every((b, k) => b === this.macBytes[k]);
    if (toUs && eth?.type === W.ETHERTYPE_IPV4 && ipv4View(f, eth.l3)) {
      const client = this.proxy.clientFor(formatIPv4(f.subarray(eth.l3 + W.IPV4_OFF_DST, eth.l3 + W.IPV4_OFF_DST + 4)));
      if (client === null) return; // no longer ours: dropped, as a router with no route does
      const g = Uint8Array.from(f);
      g.set(parseMac(this.env.clientMac(client)), W.ETH_OFF_DST);
      g.set(this.macBytes, W.ETH_OFF_SRC);
      this.result.forwarded++;
      this.txInside?.(g);
      return;
    }
    this.txInside?.(f);
  }

  register(client: string, now: number): void {
    this.proxy.register(client, this.vips.filter((v) => !v.includes(":")), now);
    this.ticker.poke();
  }

  deregister(client: string, now: number): void {
    this.proxy.deregister(client, now);
    this.ticker.poke();
  }

  finish(): ProxyResult {
    this.result.holds = Object.keys(this.proxy.table());
    return this.result;
  }
}

/** The stations of a scenario and the hand-over between them. */
export class ChassisProxies {
  readonly stations: ProxyStation[];
  private registered: string | null = null;

  constructor(readonly spec: ProxiesSpec, vips: string[], codec: ArpCodec & AnnounceEncoder, timeline: TimelineSink, private readonly env: Clientele) {
    const yieldMode = (spec.handover ?? "yield") === "yield";
    this.stations = spec.stations.map((s) => new ProxyStation(s, yieldMode ? spec.stations.filter((o) => o !== s).map((o) => o.mac) : [], vips, codec, timeline, env));
  }

  of(unit: string): ProxyStation | undefined {
    return this.stations.find((s) => s.spec.client === unit);
  }

  /**
   * After a role change: the one unit holding the VIPs registers with its proxy; with
   * "withdraw" the chassis withdraws the previous client from its proxy first.
   */
  roles(holders: string[]): void {
    if (holders.length !== 1 || holders[0] === this.registered) return;
    const now = this.env.clock.now();
    const prev = this.registered !== null ? this.of(this.registered) : undefined;
    if (prev && (this.spec.handover ?? "yield") === "withdraw") prev.deregister(this.registered!, now);
    this.registered = holders[0];
    this.of(holders[0])?.register(holders[0], now);
  }
}
