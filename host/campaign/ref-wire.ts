// An independent TypeScript reading of the same bytes the core reads and writes.
//
// Written from the RFC diagrams with its own offsets, on purpose not sharing the core's
// constants, so that a wrong offset in assembly/shared/*.ts cannot hide in both places.
// Each reader validates what the core's decoder validates and returns null for a frame the
// core must reject.

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

export function refChecksum(parts: Uint8Array[]): number {
  const all = Buffer.concat(parts.map((p) => Buffer.from(p)));
  let s = 0;
  for (let i = 0; i < all.length; i += 2) s += (all[i] << 8) | (i + 1 < all.length ? all[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

export interface RefEth {
  dst: Uint8Array;
  src: Uint8Array;
  tci?: number;
  ethertype: number;
  payload: number; // offset of the payload
}

export function refEth(b: Uint8Array): RefEth | null {
  if (b.length < 14) return null;
  let type = u16(b, 12);
  let payload = 14;
  let tci: number | undefined;
  if (type === 0x8100) {
    if (b.length < 18) return null;
    tci = u16(b, 14);
    type = u16(b, 16);
    payload = 18;
  }
  if (type < 0x600) return null;
  return { dst: b.slice(0, 6), src: b.slice(6, 12), tci, ethertype: type, payload };
}

export interface RefArp {
  eth: RefEth;
  op: number;
  sha: Uint8Array;
  spa: Uint8Array;
  tha: Uint8Array;
  tpa: Uint8Array;
}

export function refArp(b: Uint8Array): RefArp | null {
  const eth = refEth(b);
  if (!eth || eth.ethertype !== 0x0806 || b.length - eth.payload < 28) return null;
  const a = b.subarray(eth.payload);
  if (u16(a, 0) !== 1 || u16(a, 2) !== 0x0800 || a[4] !== 6 || a[5] !== 4) return null;
  const op = u16(a, 6);
  if (op !== 1 && op !== 2) return null;
  return { eth, op, sha: a.slice(8, 14), spa: a.slice(14, 18), tha: a.slice(18, 24), tpa: a.slice(24, 28) };
}

export interface RefIpv4 {
  headerLen: number;
  totalLen: number;
  tos: number;
  ident: number;
  frag: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: Uint8Array;
  dst: Uint8Array;
}

export function refIpv4(b: Uint8Array): RefIpv4 | null {
  if (b.length < 20 || b[0] >> 4 !== 4) return null;
  const headerLen = (b[0] & 0xf) * 4;
  const totalLen = u16(b, 2);
  if (headerLen < 20 || headerLen > b.length || totalLen < headerLen || totalLen > b.length) return null;
  if (refChecksum([b.subarray(0, headerLen)]) !== 0) return null;
  return {
    headerLen, totalLen, tos: b[1], ident: u16(b, 4), frag: u16(b, 6), ttl: b[8], protocol: b[9],
    checksum: u16(b, 10), src: b.slice(12, 16), dst: b.slice(16, 20),
  };
}

export interface RefUdp4 {
  eth: RefEth;
  ip: RefIpv4;
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
  payload: Uint8Array;
}

export function refUdp4(b: Uint8Array): RefUdp4 | null {
  const eth = refEth(b);
  if (!eth || eth.ethertype !== 0x0800) return null;
  const ipb = b.subarray(eth.payload);
  const ip = refIpv4(ipb);
  if (!ip || ip.protocol !== 17) return null;
  if ((ip.frag & 0x2000) !== 0 || (ip.frag & 0x1fff) !== 0) return null;
  const u = ipb.subarray(ip.headerLen, ip.totalLen);
  if (u.length < 8) return null;
  const length = u16(u, 4);
  if (length < 8 || length > u.length) return null;
  const checksum = u16(u, 6);
  if (checksum !== 0) {
    const pseudo = Uint8Array.from([...ip.src, ...ip.dst, 0, 17, length >> 8, length & 0xff]);
    if (refChecksum([pseudo, u.subarray(0, length)]) !== 0) return null;
  }
  return { eth, ip, srcPort: u16(u, 0), dstPort: u16(u, 2), length, checksum, payload: u.slice(8, length) };
}

export interface RefIpv6 {
  trafficClass: number;
  flowLabel: number;
  payloadLen: number;
  nextHeader: number;
  hopLimit: number;
  src: Uint8Array;
  dst: Uint8Array;
}

export function refIpv6(b: Uint8Array): RefIpv6 | null {
  if (b.length < 40 || b[0] >> 4 !== 6) return null;
  const first = u32(b, 0);
  const payloadLen = u16(b, 4);
  if (payloadLen > b.length - 40) return null;
  return {
    trafficClass: (first >>> 20) & 0xff, flowLabel: first & 0xfffff, payloadLen, nextHeader: b[6],
    hopLimit: b[7], src: b.slice(8, 24), dst: b.slice(24, 40),
  };
}

export interface RefNa {
  eth: RefEth;
  ip6: RefIpv6;
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: Uint8Array;
  tlla?: Uint8Array;
  checksum: number;
}

/** RFC 4861 §7.1.2 validity of a Neighbor Advertisement. */
export function refNa(b: Uint8Array): RefNa | null {
  const eth = refEth(b);
  if (!eth || eth.ethertype !== 0x86dd) return null;
  const ipb = b.subarray(eth.payload);
  const ip6 = refIpv6(ipb);
  if (!ip6 || ip6.nextHeader !== 58 || ip6.payloadLen < 24) return null;
  const m = ipb.subarray(40, 40 + ip6.payloadLen);
  if (m[0] !== 136 || ip6.hopLimit !== 255 || m[1] !== 0) return null;
  const len = m.length;
  const pseudo = Uint8Array.from([...ip6.src, ...ip6.dst, 0, 0, len >> 8, len & 0xff, 0, 0, 0, 58]);
  if (refChecksum([pseudo, m]) !== 0) return null;
  if (m[8] === 0xff) return null; // target is multicast
  const solicited = (m[4] & 0x40) !== 0;
  if (ip6.dst[0] === 0xff && solicited) return null;
  let tlla: Uint8Array | undefined;
  for (let off = 24; off < len; ) {
    if (len - off < 2) return null;
    const optLen = m[off + 1] * 8;
    if (optLen === 0 || optLen > len - off) return null;
    if (m[off] === 2 && optLen >= 8) tlla = m.slice(off + 2, off + 8);
    off += optLen;
  }
  return {
    eth, ip6, router: (m[4] & 0x80) !== 0, solicited, override: (m[4] & 0x20) !== 0,
    target: m.slice(8, 24), tlla, checksum: u16(m, 2),
  };
}
