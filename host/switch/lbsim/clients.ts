// The client side of the load balancer: a router on the line card's client port with the
// clients behind it (198.18.0.0/15, RFC 2544). It resolves the VIP by ARP (the switching path
// punts the request, the control processor answers), then opens flows at a steady rate, each
// from its own client address and port:
//   TCP  SYN; on SYN-ACK a request; on each response the next request after an interval, or
//        FIN after the last; ACK of the server's FIN. A RST aborts the flow.
//   UDP  a request (a DNS query); on each reply the next after an interval.
// Replies must come from the VIP and its service port with good checksums; anything else is
// counted. A flow with no answer within the timeout is counted as unanswered.
//
// Stray packets, at their own rate, show what the line card does with what is no service:
// a TCP SYN to a closed port of the VIP (answered by the switching path with a RST), a UDP
// datagram to a closed port (dropped and counted), an ICMP echo to the VIP (punted to the
// control processor, which answers).

import type { SimClock } from "../../sim/clock";
import type { WireEndpoint } from "../../sim/wire";
import type { Rng } from "../../util/rng";
import { dnsQuery } from "../../sim/dns";
import { formatIPv4 } from "../../util/addr";
import {
  tcpFrame, udpFrame, arpFrame, echoFrame, parseFrame, sameBytes, BROADCAST, TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, TCP_PSH,
  type Ip4Packet,
} from "../../sim/ipv4";

export interface ClientSpec {
  routerMac: Uint8Array;
  routerIp: Uint8Array;
  vip: Uint8Array;
  tcpPort: number;
  udpPort: number;
  /** First address and size of the client address block. */
  network: Uint8Array;
  hosts: number;
  newFlowsPerSec: number;
  udpShare: number;
  requests: number;
  requestIntervalNs: number;
  requestBytes: number;
  timeoutNs: number;
  strayPerSec: number;
  strayTcpPort: number;
  strayUdpPort: number;
}

type Proto = "tcp" | "udp";

/** Client source ports: Linux's ephemeral range (net.ipv4.ip_local_port_range 32768 60999). */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_COUNT = 61000 - 32768;

interface Flow {
  key: string;
  proto: Proto;
  ip: Uint8Array;
  sport: number;
  state: "opening" | "open" | "closing" | "done" | "reset" | "unanswered";
  sndNext: number;
  rcvNext: number;
  left: number;
  waiting: boolean;
  lastNs: number;
}

export interface ClientStats {
  opened: { tcp: number; udp: number };
  completed: { tcp: number; udp: number };
  established: number;
  responses: number;
  resets: number;
  unanswered: number;
  wrongSource: number;
  badChecksums: number;
  strays: { tcp: number; udp: number; echo: number };
  strayResets: number;
  echoReplies: number;
}

export class ClientNetwork implements WireEndpoint {
  readonly name = "router";
  readonly stats: ClientStats = {
    opened: { tcp: 0, udp: 0 }, completed: { tcp: 0, udp: 0 }, established: 0, responses: 0, resets: 0, unanswered: 0, wrongSource: 0, badChecksums: 0,
    strays: { tcp: 0, udp: 0, echo: 0 }, strayResets: 0, echoReplies: 0,
  };
  private readonly strayKeys = new Set<string>();
  /** Called when a flow is opened (the runner books the expected share of the table in force). */
  onOpen: ((flow: string, proto: Proto, tNs: number) => void) | undefined;
  private readonly flows = new Map<string, Flow>();
  private tx: ((f: Uint8Array) => void) | undefined;
  private vipMac: Uint8Array | null = null;
  private ident = 0;
  private dnsId = 0;

  constructor(readonly spec: ClientSpec, private readonly clock: SimClock, private readonly rng: Rng) {}

  attach(tx: (frame: Uint8Array) => void): void {
    this.tx = tx;
  }

  /** Flows not yet finished (open, opening or closing). */
  get active(): number {
    let n = 0;
    for (const f of this.flows.values()) if (f.state === "opening" || f.state === "open" || f.state === "closing") n++;
    return n;
  }

  /** The keys of the flows that ended in a state (e.g. "reset", "unanswered"). */
  flowsIn(state: Flow["state"]): string[] {
    return [...this.flows.values()].filter((f) => f.state === state).map((f) => f.key);
  }

  /** ARP for the VIP now; new flows from startNs to stopNs. */
  start(startNs: number, stopNs: number): void {
    this.tx?.(arpFrame(BROADCAST, { op: 1, sha: this.spec.routerMac, spa: this.spec.routerIp, tha: new Uint8Array(6), tpa: this.spec.vip }));
    const gap = Math.round(1e9 / this.spec.newFlowsPerSec);
    const next = () => {
      this.openFlow();
      const t = this.clock.now() + gap;
      if (t < stopNs) this.clock.at(t, next);
    };
    this.clock.at(startNs, next);
    if (this.spec.strayPerSec > 0) {
      const strayGap = Math.round(1e9 / this.spec.strayPerSec);
      let n = 0;
      const stray = () => {
        this.stray(n++);
        const t = this.clock.now() + strayGap;
        if (t < stopNs) this.clock.at(t, stray);
      };
      this.clock.at(startNs + Math.floor(strayGap / 2), stray);
    }
  }

  /** The n-th stray packet: TCP SYN, UDP, ICMP echo in turn, each from a fresh client. */
  private stray(n: number): void {
    if (!this.vipMac) return;
    const a = (((this.spec.network[0] << 24) | (this.spec.network[1] << 16) | (this.spec.network[2] << 8) | this.spec.network[3]) + this.rng.int(this.spec.hosts)) >>> 0;
    const ip = Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
    const sport = EPHEMERAL_FIRST + this.rng.int(EPHEMERAL_COUNT);
    this.ident = (this.ident + 1) & 0xffff;
    const hdr = { dstMac: this.vipMac, srcMac: this.spec.routerMac, src: ip, dst: this.spec.vip, ident: this.ident };
    if (n % 3 === 0) {
      this.stats.strays.tcp++;
      this.strayKeys.add(`${formatIPv4(ip)}:${sport}`);
      this.tx?.(tcpFrame(hdr, { sport, dport: this.spec.strayTcpPort, seq: this.rng.u32(), ack: 0, flags: TCP_SYN }));
    } else if (n % 3 === 1) {
      this.stats.strays.udp++;
      this.tx?.(udpFrame(hdr, { sport, dport: this.spec.strayUdpPort, payload: new Uint8Array(48) }));
    } else {
      this.stats.strays.echo++;
      this.tx?.(echoFrame(hdr, n & 0xffff, 1, 32));
    }
  }

  private openFlow(): void {
    if (!this.vipMac) return;
    const proto: Proto = this.rng.bool(this.spec.udpShare) ? "udp" : "tcp";
    let ip: Uint8Array, sport: number, key: string;
    do {
      const h = this.rng.int(this.spec.hosts);
      const base = ((this.spec.network[0] << 24) | (this.spec.network[1] << 16) | (this.spec.network[2] << 8) | this.spec.network[3]) >>> 0;
      const a = (base + h) >>> 0;
      ip = Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
      sport = EPHEMERAL_FIRST + this.rng.int(EPHEMERAL_COUNT);
      key = `${formatIPv4(ip)}:${sport}/${proto}`;
    } while (this.flows.has(key));
    const f: Flow = { key, proto, ip, sport, state: "opening", sndNext: this.rng.u32(), rcvNext: 0, left: this.spec.requests, waiting: true, lastNs: this.clock.now() };
    this.flows.set(key, f);
    this.stats.opened[proto]++;
    this.onOpen?.(key, proto, this.clock.now());
    if (proto === "tcp") {
      this.tcp(f, f.sndNext, 0, TCP_SYN);
      f.sndNext = (f.sndNext + 1) >>> 0;
    } else this.request(f);
    this.watch(f);
  }

  /** The flow must hear back within the timeout each time it waits. */
  private watch(f: Flow): void {
    const since = this.clock.now();
    this.clock.after(this.spec.timeoutNs, () => {
      if (f.waiting && f.lastNs <= since && (f.state === "opening" || f.state === "open" || f.state === "closing")) {
        f.state = "unanswered";
        this.stats.unanswered++;
      }
    });
  }

  private ip(f: Flow): Ip4Packet {
    this.ident = (this.ident + 1) & 0xffff;
    return { dstMac: this.vipMac!, srcMac: this.spec.routerMac, src: f.ip, dst: this.spec.vip, ident: this.ident };
  }

  private tcp(f: Flow, seq: number, ack: number, flags: number, payload?: Uint8Array): void {
    this.tx?.(tcpFrame(this.ip(f), { sport: f.sport, dport: this.spec.tcpPort, seq, ack, flags, payload }));
  }

  private request(f: Flow): void {
    f.left--;
    f.waiting = true;
    if (f.proto === "udp") {
      this.dnsId = (this.dnsId + 1) & 0xffff;
      this.tx?.(udpFrame(this.ip(f), { sport: f.sport, dport: this.spec.udpPort, payload: dnsQuery(this.dnsId) }));
    } else {
      const body = new Uint8Array(this.spec.requestBytes).fill(0x47);
      this.tcp(f, f.sndNext, f.rcvNext, TCP_PSH | TCP_ACK, body);
      f.sndNext = (f.sndNext + body.length) >>> 0;
    }
    this.watch(f);
  }

  receive(frame: Uint8Array): void {
    const r = parseFrame(frame);
    if (!r) return;
    if (r.kind === "arp") {
      if (r.arp.op === 2 && sameBytes(r.arp.spa, this.spec.vip)) this.vipMac = r.arp.sha;
      if (r.arp.op === 1 && sameBytes(r.arp.tpa, this.spec.routerIp)) {
        this.tx?.(arpFrame(r.arp.sha, { op: 2, sha: this.spec.routerMac, spa: this.spec.routerIp, tha: r.arp.sha, tpa: r.arp.spa }));
      }
      return;
    }
    if (!sameBytes(r.dstMac, this.spec.routerMac)) return;
    if (!r.checksumsOk) {
      this.stats.badChecksums++;
      return;
    }
    if (r.kind === "icmp") {
      if (r.type === 0 && sameBytes(r.src, this.spec.vip)) this.stats.echoReplies++;
      return;
    }
    if (r.kind === "tcp" && r.sport === this.spec.strayTcpPort && r.flags & TCP_RST && sameBytes(r.src, this.spec.vip)) {
      if (this.strayKeys.delete(`${formatIPv4(r.dst)}:${r.dport}`)) this.stats.strayResets++;
      return;
    }
    const f = this.flows.get(`${formatIPv4(r.dst)}:${r.dport}/${r.kind}`);
    if (!f) return;
    const port = r.kind === "tcp" ? this.spec.tcpPort : this.spec.udpPort;
    if (!sameBytes(r.src, this.spec.vip) || r.sport !== port) {
      this.stats.wrongSource++;
      return;
    }
    f.lastNs = this.clock.now();
    if (r.kind === "udp") {
      if (f.state !== "opening" && f.state !== "open") return;
      f.state = "open";
      f.waiting = false;
      this.stats.responses++;
      if (f.left > 0) this.clock.after(this.spec.requestIntervalNs, () => f.state === "open" && this.request(f));
      else {
        f.state = "done";
        this.stats.completed.udp++;
      }
      return;
    }
    if (r.flags & TCP_RST) {
      if (f.state === "opening" || f.state === "open" || f.state === "closing") {
        f.state = "reset";
        this.stats.resets++;
      }
      return;
    }
    if (f.state === "opening" && (r.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
      f.state = "open";
      f.rcvNext = (r.seq + 1) >>> 0;
      this.stats.established++;
      this.request(f);
      return;
    }
    if (f.state === "open" && r.payload.length > 0) {
      f.rcvNext = (r.seq + r.payload.length) >>> 0;
      f.waiting = false;
      this.stats.responses++;
      if (f.left > 0) this.clock.after(this.spec.requestIntervalNs, () => f.state === "open" && this.request(f));
      else {
        this.tcp(f, f.sndNext, f.rcvNext, TCP_FIN | TCP_ACK);
        f.sndNext = (f.sndNext + 1) >>> 0;
        f.state = "closing";
        f.waiting = true;
        this.watch(f);
      }
      return;
    }
    if (f.state === "closing" && r.flags & TCP_FIN) {
      this.tcp(f, f.sndNext, (r.seq + r.payload.length + 1) >>> 0, TCP_ACK);
      f.state = "done";
      f.waiting = false;
      this.stats.completed.tcp++;
    }
  }
}
