// Test frames for the switching path, built and read from the RFC diagrams with this file's
// own offsets (on purpose not assembly/shared/wire.ts), with checksums computed from scratch.
// Used to feed the core and to recompute, independently, every checksum it rewrote.

import { refChecksum } from "./ref-wire";

export const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
export const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const put16 = (b: Uint8Array, o: number, v: number) => {
  b[o] = (v >> 8) & 0xff;
  b[o + 1] = v & 0xff;
};
const put32 = (b: Uint8Array, o: number, v: number) => {
  put16(b, o, (v >>> 16) & 0xffff);
  put16(b, o + 2, v & 0xffff);
};

/** RFC 1071 over the concatenation of parts: the reference reader's own implementation. */
export const csum = refChecksum;

export interface FrameSpec {
  dstMac?: Uint8Array;
  srcMac?: Uint8Array;
  vlan?: number;
  family?: 4 | 6;
  src: Uint8Array;
  dst: Uint8Array;
  proto: "tcp" | "udp" | "icmp" | number;
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number; // TCP flags byte
  payload?: Uint8Array;
  ttl?: number;
  ipOptions?: Uint8Array; // IPv4 options (multiple of 4 bytes)
  tcpOptions?: Uint8Array; // multiple of 4 bytes
  udpChecksum?: "none"; // IPv4: send checksum 0
  ident?: number;
  icmpType?: number;
  /** IPv6 extension headers to insert before the upper layer: [next-header-code, bytes]. */
  ext6?: { code: number; body: Uint8Array }[];
}

export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 };
export const MAC_CLIENT = Uint8Array.from([2, 0, 0, 0, 0xc1, 1]);
export const MAC_LB = Uint8Array.from([2, 0, 0, 0, 0x1b, 1]);

const protoNum = (p: FrameSpec["proto"], family: 4 | 6) => (p === "tcp" ? 6 : p === "udp" ? 17 : p === "icmp" ? (family === 4 ? 1 : 58) : p);

/** The upper-layer bytes with a correct checksum for the given addresses. */
function upper(s: FrameSpec, family: 4 | 6): Uint8Array {
  const proto = protoNum(s.proto, family);
  const payload = s.payload ?? new Uint8Array(0);
  let l4: Uint8Array;
  let csumAt = -1;
  if (proto === 6) {
    const opts = s.tcpOptions ?? new Uint8Array(0);
    const hl = 20 + opts.length;
    l4 = new Uint8Array(hl + payload.length);
    put16(l4, 0, s.sport ?? 40000);
    put16(l4, 2, s.dport ?? 80);
    put32(l4, 4, s.seq ?? 1000);
    put32(l4, 8, s.ack ?? 0);
    l4[12] = (hl / 4) << 4;
    l4[13] = s.flags ?? TCP.SYN;
    put16(l4, 14, 65535);
    l4.set(opts, 20);
    l4.set(payload, hl);
    csumAt = 16;
  } else if (proto === 17) {
    l4 = new Uint8Array(8 + payload.length);
    put16(l4, 0, s.sport ?? 40000);
    put16(l4, 2, s.dport ?? 53);
    put16(l4, 4, l4.length);
    l4.set(payload, 8);
    csumAt = s.udpChecksum === "none" && family === 4 ? -1 : 6;
  } else if (proto === 1 || proto === 58) {
    l4 = new Uint8Array(8 + payload.length);
    l4[0] = s.icmpType ?? (proto === 1 ? 8 : 128);
    put16(l4, 4, 0x1234);
    put16(l4, 6, 1);
    l4.set(payload, 8);
    csumAt = 2;
  } else {
    l4 = payload.slice();
  }
  if (csumAt >= 0) {
    const pseudo = proto === 1 ? [] : [pseudoHeader(family, s.src, s.dst, proto, l4.length)];
    let c = csum([...pseudo, l4]);
    if (proto === 17 && c === 0) c = 0xffff;
    put16(l4, csumAt, c);
  }
  return l4;
}

export function pseudoHeader(family: 4 | 6, src: Uint8Array, dst: Uint8Array, proto: number, len: number): Uint8Array {
  if (family === 4) {
    const p = new Uint8Array(12);
    p.set(src, 0);
    p.set(dst, 4);
    p[9] = proto;
    put16(p, 10, len);
    return p;
  }
  const p = new Uint8Array(40);
  p.set(src, 0);
  p.set(dst, 16);
  put32(p, 32, len);
  p[39] = proto;
  return p;
}

function ethernet(s: FrameSpec, type: number): Uint8Array {
  const tagged = s.vlan !== undefined;
  const e = new Uint8Array(tagged ? 18 : 14);
  e.set(s.dstMac ?? MAC_LB, 0);
  e.set(s.srcMac ?? MAC_CLIENT, 6);
  if (tagged) {
    put16(e, 12, 0x8100);
    put16(e, 14, s.vlan!);
    put16(e, 16, type);
  } else put16(e, 12, type);
  return e;
}

/** A complete frame (padded to 60 bytes), checksums correct. */
export function frame(s: FrameSpec): Uint8Array {
  const family = s.family ?? (s.src.length === 16 ? 6 : 4);
  const l4 = upper(s, family);
  let ip: Uint8Array;
  if (family === 4) {
    const opts = s.ipOptions ?? new Uint8Array(0);
    const hl = 20 + opts.length;
    ip = new Uint8Array(hl + l4.length);
    ip[0] = 0x40 | (hl / 4);
    put16(ip, 2, ip.length);
    put16(ip, 4, s.ident ?? 0x4242);
    put16(ip, 6, 0x4000);
    ip[8] = s.ttl ?? 64;
    ip[9] = protoNum(s.proto, 4);
    ip.set(s.src, 12);
    ip.set(s.dst, 16);
    ip.set(opts, 20);
    put16(ip, 10, csum([ip.subarray(0, hl)]));
    ip.set(l4, hl);
  } else {
    const exts = s.ext6 ?? [];
    const extLen = exts.reduce((n, x) => n + x.body.length, 0);
    ip = new Uint8Array(40 + extLen + l4.length);
    ip[0] = 0x60;
    put16(ip, 4, extLen + l4.length);
    const upperProto = protoNum(s.proto, 6);
    ip[6] = exts.length ? exts[0].code : upperProto;
    ip[7] = s.ttl ?? 64;
    ip.set(s.src, 8);
    ip.set(s.dst, 24);
    let off = 40;
    exts.forEach((x, i) => {
      const body = x.body.slice();
      body[0] = i + 1 < exts.length ? exts[i + 1].code : upperProto;
      ip.set(body, off);
      off += body.length;
    });
    ip.set(l4, off);
  }
  const e = ethernet(s, family === 4 ? 0x0800 : 0x86dd);
  const f = new Uint8Array(Math.max(60, e.length + ip.length));
  f.set(e);
  f.set(ip, e.length);
  return f;
}

/** Splits an IPv4 frame's datagram into fragments of at most `chunk` payload bytes (a multiple of 8). */
export function fragment4(f: Uint8Array, chunk: number): Uint8Array[] {
  const l3 = u16(f, 12) === 0x8100 ? 18 : 14;
  const hl = (f[l3] & 0xf) * 4;
  const total = u16(f, l3 + 2);
  const data = f.subarray(l3 + hl, l3 + total);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += chunk) {
    const part = data.subarray(off, Math.min(data.length, off + chunk));
    const more = off + chunk < data.length;
    const g = new Uint8Array(Math.max(60, l3 + hl + part.length));
    g.set(f.subarray(0, l3 + hl));
    g.set(part, l3 + hl);
    put16(g, l3 + 2, hl + part.length);
    put16(g, l3 + 6, (more ? 0x2000 : 0) | (off / 8));
    put16(g, l3 + 10, 0);
    put16(g, l3 + 10, csum([g.subarray(l3, l3 + hl)]));
    out.push(g);
  }
  return out;
}

export interface Parsed {
  l3: number;
  family: 4 | 6;
  proto: number;
  src: Uint8Array;
  dst: Uint8Array;
  l4: number;
  end: number;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  ipChecksumOk: boolean;
  l4ChecksumOk: boolean;
  l4Checksum: number;
  recomputedL4Checksum: number;
  ipChecksum: number;
  recomputedIpChecksum: number;
}

/** Reads a frame back and recomputes every checksum from scratch (no fragments; IPv6 options headers skipped). */
export function parse(f: Uint8Array): Parsed {
  const l3 = u16(f, 12) === 0x8100 ? 18 : 14;
  const family = (f[l3] >> 4) as 4 | 6;
  let proto: number, src: Uint8Array, dst: Uint8Array, l4: number, end: number;
  let ipChecksum = 0;
  let recomputedIpChecksum = 0;
  if (family === 4) {
    const hl = (f[l3] & 0xf) * 4;
    proto = f[l3 + 9];
    src = f.slice(l3 + 12, l3 + 16);
    dst = f.slice(l3 + 16, l3 + 20);
    l4 = l3 + hl;
    end = l3 + u16(f, l3 + 2);
    ipChecksum = u16(f, l3 + 10);
    const h = f.slice(l3, l3 + hl);
    h[10] = h[11] = 0;
    recomputedIpChecksum = csum([h]);
  } else {
    proto = f[l3 + 6];
    src = f.slice(l3 + 8, l3 + 24);
    dst = f.slice(l3 + 24, l3 + 40);
    l4 = l3 + 40;
    end = l4 + u16(f, l3 + 4);
    while (proto === 0 || proto === 43 || proto === 60) {
      proto = f[l4];
      l4 += (f[l4 + 1] + 1) * 8;
    }
  }
  const seg = f.slice(l4, end);
  let csumAt = proto === 6 ? 16 : proto === 17 ? 6 : 2;
  const l4Checksum = u16(seg, csumAt);
  seg[csumAt] = seg[csumAt + 1] = 0;
  const pseudo = proto === 1 ? [] : [pseudoHeader(family, src, dst, proto, seg.length)];
  let recomputed = csum([...pseudo, seg]);
  if (proto === 17 && recomputed === 0) recomputed = 0xffff;
  // 0x0000 and 0xffff are the same ones'-complement number; a receiver accepts either
  const same = (a: number, b: number) => a === b || ((a === 0 || a === 0xffff) && (b === 0 || b === 0xffff));
  const l4ok = proto === 17 && l4Checksum === 0 && family === 4 ? true : same(l4Checksum, recomputed);
  return {
    l3, family, proto, src, dst, l4, end,
    sport: u16(f, l4), dport: u16(f, l4 + 2),
    seq: proto === 6 ? u32(f, l4 + 4) : 0,
    ack: proto === 6 ? u32(f, l4 + 8) : 0,
    flags: proto === 6 ? f[l4 + 13] : 0,
    ipChecksumOk: family === 6 || ipChecksum === recomputedIpChecksum,
    l4ChecksumOk: l4ok,
    l4Checksum,
    recomputedL4Checksum: recomputed,
    ipChecksum,
    recomputedIpChecksum,
  };
}

export const ip4 = (s: string) => Uint8Array.from(s.split(".").map(Number));
export const macs = (f: Uint8Array) => ({ dst: f.slice(0, 6), src: f.slice(6, 12) });
export const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
