// Back-end servers behind the load balancer, on the virtual wire: each answers ARP for its
// address, runs a minimal TCP server (SYN -> SYN-ACK, a request -> a response, FIN -> FIN-ACK,
// a segment of no connection it knows -> RST as RFC 9293 §3.10.7.1 says) and a UDP service
// (a DNS answer naming the server), and carries a load agent that reports its utilisation to
// the control processor every interval (a UDP datagram to the CP's address, which the
// switching path punts).
//
// Every packet a server receives is reported to the FlowOracle: the simulation's ground truth
// of which server saw which flow, so that a connection moved to another server is counted.

import type { SimClock } from "../../sim/clock";
import type { WireEndpoint } from "../../sim/wire";
import { formatIPv4 } from "../../util/addr";
import { dnsAnswer } from "../../sim/dns";
import {
  tcpFrame, udpFrame, arpFrame, parseFrame, sameBytes, BROADCAST, TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, TCP_PSH,
} from "../../sim/ipv4";

export interface ServerSpec {
  name: string;
  ip: Uint8Array;
  mac: Uint8Array;
  tcpPort: number;
  udpPort: number;
  /** Open TCP connections at which the server reports itself saturated (load 1). */
  capacity: number;
  responseBytes: number;
}

export interface LoadAgentSpec {
  /** The control processor's address on the servers' segment (their gateway). */
  cp: Uint8Array;
  cpPort: number;
  intervalNs: number;
}

/** Which server saw which flow first; a later packet of the flow at another server is a move. */
export class FlowOracle {
  readonly firstServer = new Map<string, string>();
  readonly moved = new Map<string, { from: string; to: string; tNs: number }>();

  seen(flow: string, server: string, tNs: number): void {
    const first = this.firstServer.get(flow);
    if (first === undefined) this.firstServer.set(flow, server);
    else if (first !== server && !this.moved.has(flow)) this.moved.set(flow, { from: first, to: server, tNs });
  }
}

interface Conn {
  sndNext: number;
  rcvNext: number;
  closing: boolean;
}

/** Load-report payload: ASCII, readable in a capture. */
export function loadReport(name: string, load: number, conns: number): Uint8Array {
  return Buffer.from(`LOAD ${name} load=${load.toFixed(3)} conns=${conns}`, "ascii");
}

export function parseLoadReport(payload: Uint8Array): { name: string; load: number; conns: number } | null {
  const m = /^LOAD ([a-z][a-z0-9-]{0,31}) load=([0-9.]+) conns=(\d+)$/.exec(Buffer.from(payload).toString("ascii"));
  return m ? { name: m[1], load: Number(m[2]), conns: Number(m[3]) } : null;
}

export class BackendServer implements WireEndpoint {
  readonly name: string;
  /** false: the server is dead (failed): it neither answers nor reports. */
  up = true;
  readonly stats = { syns: 0, requests: 0, resetsSent: 0, udpRequests: 0, finished: 0, reports: 0, badChecksums: 0, noGateway: 0 };
  private readonly conns = new Map<string, Conn>();
  private open = 0;
  private tx: ((f: Uint8Array) => void) | undefined;
  private gatewayMac: Uint8Array | null = null;
  private ident = 0;

  constructor(
    readonly spec: ServerSpec,
    private readonly clock: SimClock,
    private readonly oracle: FlowOracle,
    private readonly agent: LoadAgentSpec,
  ) {
    this.name = spec.name;
  }

  attach(tx: (frame: Uint8Array) => void): void {
    this.tx = tx;
  }

  /** Open TCP connections. */
  get connections(): number {
    return this.open;
  }

  /** Utilisation the load agent reports: open connections over capacity, at most 1. */
  get load(): number {
    return Math.min(1, this.open / this.spec.capacity);
  }

  /** Resolves the gateway, then reports load every interval until endNs. */
  start(endNs: number): void {
    this.tx?.(arpFrame(BROADCAST, { op: 1, sha: this.spec.mac, spa: this.spec.ip, tha: new Uint8Array(6), tpa: this.agent.cp }));
    const report = () => {
      if (this.up) this.send(this.agent.cp, (ip) => udpFrame(ip, { sport: this.agent.cpPort, dport: this.agent.cpPort, payload: loadReport(this.name, this.load, this.open) }), () => this.stats.reports++);
      if (this.clock.now() + this.agent.intervalNs < endNs) this.clock.after(this.agent.intervalNs, report);
    };
    this.clock.after(this.agent.intervalNs, report);
  }

  receive(frame: Uint8Array): void {
    const r = parseFrame(frame);
    if (!r) return;
    if (r.kind === "arp") {
      if (!this.up) return;
      const a = r.arp;
      if (sameBytes(a.spa, this.agent.cp)) this.gatewayMac = a.sha; // request or reply: the gateway's MAC
      if (a.op === 1 && sameBytes(a.tpa, this.spec.ip)) {
        this.tx?.(arpFrame(a.sha, { op: 2, sha: this.spec.mac, spa: this.spec.ip, tha: a.sha, tpa: a.spa }));
      }
      return;
    }
    if (r.kind === "icmp" || !sameBytes(r.dstMac, this.spec.mac) || !sameBytes(r.dst, this.spec.ip)) return;
    const flow = `${formatIPv4(r.src)}:${r.sport}/${r.kind}`;
    // The oracle is a tap on the server's link: it sees where the line card sent the flow,
    // even to a dead server.
    this.oracle.seen(flow, this.name, this.clock.now());
    if (!this.up) return;
    if (!r.checksumsOk) {
      this.stats.badChecksums++;
      return;
    }
    if (r.kind === "udp" && r.dport === this.spec.udpPort) {
      this.stats.udpRequests++;
      const payload = dnsAnswer(r.payload, this.spec.ip) ?? new Uint8Array(this.spec.responseBytes).fill(0x55);
      this.send(r.src, (ip) => udpFrame(ip, { sport: r.dport, dport: r.sport, payload }));
    } else if (r.kind === "tcp" && r.dport === this.spec.tcpPort) {
      this.tcp(flow, r);
    }
  }

  private tcp(flow: string, s: Extract<ReturnType<typeof parseFrame>, { kind: "tcp" | "udp" }>): void {
    const seg = (seq: number, ack: number, flags: number, payload?: Uint8Array) =>
      this.send(s.src, (ip) => tcpFrame(ip, { sport: s.dport, dport: s.sport, seq, ack, flags, payload }));
    let c = this.conns.get(flow);
    if (s.flags & TCP_RST) {
      if (c) this.close(flow, c);
      return;
    }
    if ((s.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      if (c) this.close(flow, c); // a new connection on a reused port
      const isn = (this.hash(flow) ^ Math.floor(this.clock.now() / 4000)) >>> 0; // RFC 6528-like: per flow, moving with time
      c = { sndNext: (isn + 1) >>> 0, rcvNext: (s.seq + 1) >>> 0, closing: false };
      this.conns.set(flow, c);
      this.open++;
      this.stats.syns++;
      seg(isn, c.rcvNext, TCP_SYN | TCP_ACK);
      return;
    }
    if (!c) {
      // RFC 9293 §3.10.7.1: no connection: a reset, <SEQ=SEG.ACK> if it had ACK
      this.stats.resetsSent++;
      if (s.flags & TCP_ACK) seg(s.ack, 0, TCP_RST);
      else seg(0, (s.seq + s.payload.length + (s.flags & TCP_FIN ? 1 : 0)) >>> 0, TCP_RST | TCP_ACK);
      return;
    }
    if (c.closing) {
      if (s.flags & TCP_ACK) this.close(flow, c); // the last ACK
      return;
    }
    if (s.payload.length > 0) {
      c.rcvNext = (s.seq + s.payload.length) >>> 0;
      this.stats.requests++;
      const body = new Uint8Array(this.spec.responseBytes).fill(0x48);
      seg(c.sndNext, c.rcvNext, TCP_PSH | TCP_ACK, body);
      c.sndNext = (c.sndNext + body.length) >>> 0;
    }
    if (s.flags & TCP_FIN) {
      c.rcvNext = (s.seq + s.payload.length + 1) >>> 0;
      seg(c.sndNext, c.rcvNext, TCP_FIN | TCP_ACK);
      c.sndNext = (c.sndNext + 1) >>> 0;
      c.closing = true;
      this.open--;
      this.stats.finished++;
    }
  }

  private close(flow: string, c: Conn): void {
    if (!c.closing) this.open--;
    this.conns.delete(flow);
  }

  /** Sends an IPv4 packet to dst through the gateway (the load balancer). */
  private send(dst: Uint8Array, build: (ip: { dstMac: Uint8Array; srcMac: Uint8Array; src: Uint8Array; dst: Uint8Array; ident: number }) => Uint8Array, sent?: () => void): void {
    if (!this.gatewayMac) {
      this.stats.noGateway++;
      return;
    }
    this.ident = (this.ident + 1) & 0xffff;
    this.tx?.(build({ dstMac: this.gatewayMac, srcMac: this.spec.mac, src: this.spec.ip, dst, ident: this.ident }));
    sent?.();
  }

  private hash(s: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
}
