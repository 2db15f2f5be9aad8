// IPv4, TCP, UDP and ARP frames for the simulation's end hosts (clients, routers, back-end
// servers), built and read in plain TypeScript from the RFC diagrams (RFC 791, RFC 9293
// §3.1, RFC 768, RFC 826), with RFC 1071 checksums. Deliberately independent of the core:
// these hosts are the switching path's outside world, not part of it.

import { internetChecksum as checksum } from "../util/checksum";

export const ETH_IPV4 = 0x0800;
export const ETH_ARP = 0x0806;
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const BROADCAST = Uint8Array.of(255, 255, 255, 255, 255, 255);

const ETH_LEN = 14;
const IP_LEN = 20;


const put16 = (b: Uint8Array, o: number, v: number) => {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
};
const put32 = (b: Uint8Array, o: number, v: number) => {
  put16(b, o, (v >>> 16) & 0xffff);
  put16(b, o + 2, v & 0xffff);
};
export const get16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
export const get32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

export interface Ip4Packet {
  dstMac: Uint8Array;
  srcMac: Uint8Array;
  src: Uint8Array;
  dst: Uint8Array;
  ident?: number;
}

export interface TcpFields {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  payload?: Uint8Array;
}

export interface UdpFields {
  sport: number;
  dport: number;
  payload: Uint8Array;
}

function ip4Frame(p: Ip4Packet, proto: number, l4: Uint8Array, csumAt: number): Uint8Array {
  const f = new Uint8Array(Math.max(60, ETH_LEN + IP_LEN + l4.length));
  f.set(p.dstMac, 0);
  f.set(p.srcMac, 6);
  put16(f, 12, ETH_IPV4);
  const ip = f.subarray(ETH_LEN, ETH_LEN + IP_LEN);
  ip[0] = 0x45;
  put16(ip, 2, IP_LEN + l4.length);
  put16(ip, 4, p.ident ?? 0);
  put16(ip, 6, 0x4000); // DF
  ip[8] = 64;
  ip[9] = proto;
  ip.set(p.src, 12);
  ip.set(p.dst, 16);
  put16(ip, 10, checksum([ip]));
  const pseudo = new Uint8Array(12);
  pseudo.set(p.src, 0);
  pseudo.set(p.dst, 4);
  pseudo[9] = proto;
  put16(pseudo, 10, l4.length);
  let c = checksum(proto === PROTO_ICMP ? [l4] : [pseudo, l4]); // ICMP: no pseudo-header
  if (proto === PROTO_UDP && c === 0) c = 0xffff;
  put16(l4, csumAt, c);
  f.set(l4, ETH_LEN + IP_LEN);
  return f;
}

export function tcpFrame(p: Ip4Packet, t: TcpFields): Uint8Array {
  const payload = t.payload ?? new Uint8Array(0);
  const l4 = new Uint8Array(20 + payload.length);
  put16(l4, 0, t.sport);
  put16(l4, 2, t.dport);
  put32(l4, 4, t.seq >>> 0);
  put32(l4, 8, t.ack >>> 0);
  l4[12] = 5 << 4;
  l4[13] = t.flags;
  put16(l4, 14, 65535);
  l4.set(payload, 20);
  return ip4Frame(p, PROTO_TCP, l4, 16);
}

export function udpFrame(p: Ip4Packet, u: UdpFields): Uint8Array {
  const l4 = new Uint8Array(8 + u.payload.length);
  put16(l4, 0, u.sport);
  put16(l4, 2, u.dport);
  put16(l4, 4, l4.length);
  l4.set(u.payload, 8);
  return ip4Frame(p, PROTO_UDP, l4, 6);
}

/** An ICMP echo request (RFC 792), `size` bytes of data. */
export function echoFrame(p: Ip4Packet, id: number, seq: number, size: number): Uint8Array {
  const l4 = new Uint8Array(8 + size);
  l4[0] = 8;
  put16(l4, 4, id);
  put16(l4, 6, seq);
  for (let i = 0; i < size; i++) l4[8 + i] = i & 0xff;
  return ip4Frame(p, PROTO_ICMP, l4, 2);
}

export interface ArpFields {
  op: 1 | 2;
  sha: Uint8Array;
  spa: Uint8Array;
  tha: Uint8Array;
  tpa: Uint8Array;
}

export function arpFrame(dstMac: Uint8Array, a: ArpFields): Uint8Array {
  const f = new Uint8Array(60);
  f.set(dstMac, 0);
  f.set(a.sha, 6);
  put16(f, 12, ETH_ARP);
  put16(f, 14, 1); // Ethernet
  put16(f, 16, ETH_IPV4);
  f[18] = 6;
  f[19] = 4;
  put16(f, 20, a.op);
  f.set(a.sha, 22);
  f.set(a.spa, 28);
  f.set(a.tha, 32);
  f.set(a.tpa, 38);
  return f;
}

/** What an end host needs to know about a received frame; null for what it ignores. */
export type Received =
  | { kind: "arp"; dstMac: Uint8Array; srcMac: Uint8Array; arp: ArpFields }
  | { kind: "icmp"; dstMac: Uint8Array; srcMac: Uint8Array; src: Uint8Array; dst: Uint8Array; type: number; id: number; seq: number; checksumsOk: boolean }
  | { kind: "tcp" | "udp"; dstMac: Uint8Array; srcMac: Uint8Array; src: Uint8Array; dst: Uint8Array; sport: number; dport: number; seq: number; ack: number; flags: number; payload: Uint8Array; checksumsOk: boolean };

export function parseFrame(f: Uint8Array): Received | null {
  if (f.length < ETH_LEN) return null;
  const dstMac = f.slice(0, 6);
  const srcMac = f.slice(6, 12);
  const type = get16(f, 12);
  if (type === ETH_ARP) {
    if (f.length < 42 || get16(f, 14) !== 1 || get16(f, 16) !== ETH_IPV4) return null;
    const op = get16(f, 20);
    if (op !== 1 && op !== 2) return null;
    return { kind: "arp", dstMac, srcMac, arp: { op, sha: f.slice(22, 28), spa: f.slice(28, 32), tha: f.slice(32, 38), tpa: f.slice(38, 42) } };
  }
  if (type !== ETH_IPV4 || f.length < ETH_LEN + IP_LEN) return null;
  const ip = f.subarray(ETH_LEN);
  const hl = (ip[0] & 0xf) * 4;
  const total = get16(ip, 2);
  if (ip[0] >> 4 !== 4 || hl < IP_LEN || total < hl || total > ip.length || (get16(ip, 6) & 0x3fff) !== 0) return null;
  const proto = ip[9];
  const l4 = ip.subarray(hl, total);
  const src = ip.slice(12, 16);
  const dst = ip.slice(16, 20);
  const pseudo = new Uint8Array(12);
  pseudo.set(src, 0);
  pseudo.set(dst, 4);
  pseudo[9] = proto;
  put16(pseudo, 10, l4.length);
  const ipOk = checksum([ip.subarray(0, hl)]) === 0;
  if (proto === PROTO_TCP && l4.length >= 20) {
    const off = (l4[12] >> 4) * 4;
    if (off < 20 || off > l4.length) return null;
    return {
      kind: "tcp", dstMac, srcMac, src, dst, sport: get16(l4, 0), dport: get16(l4, 2), seq: get32(l4, 4), ack: get32(l4, 8),
      flags: l4[13], payload: l4.slice(off), checksumsOk: ipOk && checksum([pseudo, l4]) === 0,
    };
  }
  if (proto === PROTO_ICMP && l4.length >= 8) {
    return { kind: "icmp", dstMac, srcMac, src, dst, type: l4[0], id: get16(l4, 4), seq: get16(l4, 6), checksumsOk: ipOk && checksum([l4]) === 0 };
  }
  if (proto === PROTO_UDP && l4.length >= 8) {
    const udpOk = get16(l4, 6) === 0 || checksum([pseudo, l4]) === 0;
    return { kind: "udp", dstMac, srcMac, src, dst, sport: get16(l4, 0), dport: get16(l4, 2), seq: 0, ack: 0, flags: 0, payload: l4.slice(8, get16(l4, 4)), checksumsOk: ipOk && udpOk };
  }
  return null;
}

export const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
