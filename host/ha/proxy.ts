// ARP-proxy mode (docs/failover.md "ARP proxy mode"):
// the redundant units sit behind ARP proxies. A proxy answers ARP for its registered
// clients' addresses with its own MAC and forwards their traffic to them. On takeover the
// standby registers with its proxy, which broadcasts an unsolicited ARP reply binding the
// shared address to the proxy's MAC; the old proxy must stop answering for that address,
// or hosts would flap between the two.
//
// The old proxy learns it two ways: an explicit withdraw (a control message from the
// chassis, `deregister`), or by seeing a configured peer proxy announce an address it holds
// (`yieldTo`), which works even when the old client died without a word.
//
// Timeline events: proxy.register, proxy.deregister, proxy.yield, proxy.conflict, and the
// announcer's announce.* under the proxy's name.

import { Announcer, AnnounceEncoder, AnnounceKnobs, BuiltAnnouncement } from "./announcer";
import { ArpCodec, ArpResponder } from "./responder";
import { parseMac, formatMac } from "../util/addr";
import { TimelineSink, NO_TIMELINE, Timed } from "./timeline";

export interface ArpProxyOptions {
  name: string;
  mac: string;
  codec: ArpCodec & AnnounceEncoder;
  /** Announcement knobs; the unsolicited reply a proxy sends for a new client is "garp-reply", sent first. */
  knobs?: Partial<AnnounceKnobs>;
  /** MACs of peer proxies this one hands addresses over to when it sees them announce. */
  yieldTo?: string[];
  timeline?: TimelineSink;
}

export interface ProxyOutput {
  /** Frames to transmit now: ARP replies and announcements. */
  frames: Uint8Array[];
  /** Addresses this proxy stopped answering for (yielded to a peer). */
  yielded: string[];
}

export class ArpProxy implements Timed {
  readonly name: string;
  readonly mac: Uint8Array;
  private readonly responder: ArpResponder;
  private readonly announcer: Announcer;
  private readonly yieldTo: Set<string>;
  private readonly timeline: TimelineSink;

  constructor(opts: ArpProxyOptions) {
    this.name = opts.name;
    this.mac = parseMac(opts.mac);
    this.timeline = opts.timeline ?? NO_TIMELINE;
    this.responder = new ArpResponder(opts.name, opts.codec, this.mac, this.timeline);
    this.announcer = new Announcer({
      name: opts.name,
      encoder: opts.codec,
      mac: opts.mac,
      vips: [],
      knobs: { arpVariants: ["garp-reply", "garp"], ...opts.knobs },
      timeline: this.timeline,
    });
    this.yieldTo = new Set((opts.yieldTo ?? []).map((m) => formatMac(parseMac(m))));
  }

  /** Addresses answered for, with the client each belongs to. */
  table(): Record<string, string> {
    return Object.fromEntries(this.responder.held().map((ip) => [ip, this.responder.ownerOf(ip)!]));
  }

  answersFor(ip: string): boolean {
    return this.responder.holds(ip);
  }

  /** The client traffic for ip is forwarded to, or null. */
  clientFor(ip: string): string | null {
    return this.responder.ownerOf(ip);
  }

  /** A client registers its IPv4 addresses: the proxy answers for them and announces them. */
  register(client: string, ips: string[], now: number): void {
    for (const ip of ips) this.responder.hold(ip, client);
    this.timeline.push({ tNs: now, source: this.name, name: "proxy.register", detail: { client, ips: ips.join(" ") } });
    this.announcer.setVips(this.responder.held());
    this.announcer.start(now, `register ${client}`);
  }

  /** A client (or the chassis on its behalf) withdraws: the proxy stops answering at once. */
  deregister(client: string, now: number): string[] {
    const gone = this.responder.held().filter((ip) => this.responder.ownerOf(ip) === client);
    for (const ip of gone) this.responder.release(ip);
    this.afterRemoval(now, `deregister ${client}`);
    this.timeline.push({ tNs: now, source: this.name, name: "proxy.deregister", detail: { client, ips: gone.join(" ") } });
    return gone;
  }

  /** One received frame: answers requests for held addresses; yields to peer proxies. */
  receive(frame: Uint8Array, now: number): ProxyOutput {
    const r = this.responder.receive(frame, now);
    const out: ProxyOutput = { frames: r.reply ? [r.reply] : [], yielded: [] };
    if (r.conflict) {
      if (this.yieldTo.has(r.conflict.mac)) {
        const client = this.responder.ownerOf(r.conflict.ip);
        this.responder.release(r.conflict.ip);
        out.yielded.push(r.conflict.ip);
        this.afterRemoval(now, `yield ${r.conflict.ip}`);
        this.timeline.push({ tNs: now, source: this.name, name: "proxy.yield", detail: { ip: r.conflict.ip, to: r.conflict.mac, client } });
      } else {
        this.timeline.push({ tNs: now, source: this.name, name: "proxy.conflict", detail: { ip: r.conflict.ip, mac: r.conflict.mac } });
      }
    }
    return out;
  }

  nextDeadline(): number | null {
    return this.announcer.nextDeadline();
  }

  /** Announcement frames due at or before now. */
  tick(now: number): BuiltAnnouncement[] {
    return this.announcer.tick(now);
  }

  get counters() {
    return { ...this.responder.counters, announced: { ...this.announcer.sent } };
  }

  private afterRemoval(now: number, reason: string): void {
    const left = this.responder.held();
    this.announcer.setVips(left);
    if (left.length === 0) this.announcer.stop(now, reason);
  }
}

/**
 * The proxies' hand-over in one step (the chassis knows both proxies): the new proxy takes the
 * client's addresses and announces them; the old one stops answering for them. The order
 * matters: withdraw first, so that no request in between is answered by both.
 */
export function proxyHandover(from: ArpProxy, to: ArpProxy, client: { old: string; new: string }, ips: string[], now: number): void {
  const gone = from.deregister(client.old, now);
  const missing = ips.filter((ip) => !gone.includes(ip));
  if (missing.length) throw new Error(`proxyHandover: ${from.name} did not answer for ${missing.join(", ")}`);
  to.register(client.new, ips, now);
}
