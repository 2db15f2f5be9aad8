// Host-side plain representations of the core's reprs (assembly/shared/repr.ts), with
// readers and writers over the core's memory. Offsets come from the shared file only.

import * as R from "../../assembly/shared/repr";
import { ETH_ALEN } from "../../assembly/shared/wire";

export interface EthRepr {
  dst: Uint8Array;
  src: Uint8Array;
  ethertype: number;
  /** 802.1Q TCI (PCP/DEI/VID) when the frame is tagged. */
  tci?: number;
}

export interface ArpRepr {
  op: number;
  sha: Uint8Array;
  spa: Uint8Array;
  tha: Uint8Array;
  tpa: Uint8Array;
}

export interface Ipv4Repr {
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  ttl: number;
  tos: number;
  ident: number;
  frag: number;
  payloadLen: number;
  headerLen?: number;
}

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  length?: number;
  checksum?: number;
}

export interface Ipv6Repr {
  src: Uint8Array;
  dst: Uint8Array;
  nextHeader: number;
  hopLimit: number;
  payloadLen: number;
  trafficClass: number;
  flowLabel: number;
}

export interface NaRepr {
  flags: number;
  target: Uint8Array;
  tlla?: Uint8Array;
}

const bytesAt = (m: Uint8Array, p: number, n: number) => m.slice(p, p + n);

export function writeEth(m: Uint8Array, p: number, r: EthRepr): void {
  const v = new DataView(m.buffer);
  m.fill(0, p, p + R.ETH_REPR_SIZE);
  m.set(r.dst.subarray(0, ETH_ALEN), p + R.ETH_REPR_DST);
  m.set(r.src.subarray(0, ETH_ALEN), p + R.ETH_REPR_SRC);
  v.setUint16(p + R.ETH_REPR_ETHERTYPE, r.ethertype, true);
  if (r.tci !== undefined) {
    v.setUint16(p + R.ETH_REPR_TCI, r.tci, true);
    m[p + R.ETH_REPR_TAGGED] = 1;
  }
}

export function readEth(m: Uint8Array, p: number): EthRepr {
  const v = new DataView(m.buffer);
  const r: EthRepr = {
    dst: bytesAt(m, p + R.ETH_REPR_DST, ETH_ALEN),
    src: bytesAt(m, p + R.ETH_REPR_SRC, ETH_ALEN),
    ethertype: v.getUint16(p + R.ETH_REPR_ETHERTYPE, true),
  };
  if (m[p + R.ETH_REPR_TAGGED]) r.tci = v.getUint16(p + R.ETH_REPR_TCI, true);
  return r;
}

export function writeArp(m: Uint8Array, p: number, r: ArpRepr): void {
  const v = new DataView(m.buffer);
  m.fill(0, p, p + R.ARP_REPR_SIZE);
  v.setUint16(p + R.ARP_REPR_OP, r.op, true);
  m.set(r.sha.subarray(0, ETH_ALEN), p + R.ARP_REPR_SHA);
  m.set(r.spa.subarray(0, 4), p + R.ARP_REPR_SPA);
  m.set(r.tha.subarray(0, ETH_ALEN), p + R.ARP_REPR_THA);
  m.set(r.tpa.subarray(0, 4), p + R.ARP_REPR_TPA);
}

export function readArp(m: Uint8Array, p: number): ArpRepr {
  const v = new DataView(m.buffer);
  return {
    op: v.getUint16(p + R.ARP_REPR_OP, true),
    sha: bytesAt(m, p + R.ARP_REPR_SHA, ETH_ALEN),
    spa: bytesAt(m, p + R.ARP_REPR_SPA, 4),
    tha: bytesAt(m, p + R.ARP_REPR_THA, ETH_ALEN),
    tpa: bytesAt(m, p + R.ARP_REPR_TPA, 4),
  };
}

export function writeIpv4(m: Uint8Array, p: number, r: Ipv4Repr): void {
  const v = new DataView(m.buffer);
  m.fill(0, p, p + R.IPV4_REPR_SIZE);
  m.set(r.src.subarray(0, 4), p + R.IPV4_REPR_SRC);
  m.set(r.dst.subarray(0, 4), p + R.IPV4_REPR_DST);
  m[p + R.IPV4_REPR_PROTOCOL] = r.protocol;
  m[p + R.IPV4_REPR_TTL] = r.ttl;
  m[p + R.IPV4_REPR_TOS] = r.tos;
  v.setUint16(p + R.IPV4_REPR_IDENT, r.ident, true);
  v.setUint16(p + R.IPV4_REPR_FRAG, r.frag, true);
  v.setUint16(p + R.IPV4_REPR_PAYLOAD_LEN, r.payloadLen, true);
}

export function readIpv4(m: Uint8Array, p: number): Ipv4Repr {
  const v = new DataView(m.buffer);
  return {
    src: bytesAt(m, p + R.IPV4_REPR_SRC, 4),
    dst: bytesAt(m, p + R.IPV4_REPR_DST, 4),
    protocol: m[p + R.IPV4_REPR_PROTOCOL],
    ttl: m[p + R.IPV4_REPR_TTL],
    tos: m[p + R.IPV4_REPR_TOS],
    ident: v.getUint16(p + R.IPV4_REPR_IDENT, true),
    frag: v.getUint16(p + R.IPV4_REPR_FRAG, true),
    payloadLen: v.getUint16(p + R.IPV4_REPR_PAYLOAD_LEN, true),
    headerLen: m[p + R.IPV4_REPR_HEADER_LEN],
  };
}

export function writeUdp(m: Uint8Array, p: number, r: UdpRepr): void {
  const v = new DataView(m.buffer);
  m.fill(0, p, p + R.UDP_REPR_SIZE);
  v.setUint16(p + R.UDP_REPR_SRC_PORT, r.srcPort, true);
  v.setUint16(p + R.UDP_REPR_DST_PORT, r.dstPort, true);
}

export function readUdp(m: Uint8Array, p: number): UdpRepr {
  const v = new DataView(m.buffer);
  return {
    srcPort: v.getUint16(p + R.UDP_REPR_SRC_PORT, true),
    dstPort: v.getUint16(p + R.UDP_REPR_DST_PORT, true),
    length: v.getUint16(p + R.UDP_REPR_LENGTH, true),
    checksum: v.getUint16(p + R.UDP_REPR_CHECKSUM, true),
  };
}

export function writeIpv6(m: Uint8Array, p: number, r: Ipv6Repr): void {
  const v = new DataView(m.buffer);
  m.fill(0, p, p + R.IPV6_REPR_SIZE);
  m.set(r.src.subarray(0, 16), p + R.IPV6_REPR_SRC);
  m.set(r.dst.subarray(0, 16), p + R.IPV6_REPR_DST);
  m[p + R.IPV6_REPR_NEXT_HEADER] = r.nextHeader;
  m[p + R.IPV6_REPR_HOP_LIMIT] = r.hopLimit;
  v.setUint16(p + R.IPV6_REPR_PAYLOAD_LEN, r.payloadLen, true);
  m[p + R.IPV6_REPR_TRAFFIC_CLASS] = r.trafficClass;
  m[p + R.IPV6_REPR_FLOW_LABEL] = (r.flowLabel >> 16) & 0xff;
  m[p + R.IPV6_REPR_FLOW_LABEL + 1] = (r.flowLabel >> 8) & 0xff;
  m[p + R.IPV6_REPR_FLOW_LABEL + 2] = r.flowLabel & 0xff;
}

export function readIpv6(m: Uint8Array, p: number): Ipv6Repr {
  const v = new DataView(m.buffer);
  const fl = p + R.IPV6_REPR_FLOW_LABEL;
  return {
    src: bytesAt(m, p + R.IPV6_REPR_SRC, 16),
    dst: bytesAt(m, p + R.IPV6_REPR_DST, 16),
    nextHeader: m[p + R.IPV6_REPR_NEXT_HEADER],
    hopLimit: m[p + R.IPV6_REPR_HOP_LIMIT],
    payloadLen: v.getUint16(p + R.IPV6_REPR_PAYLOAD_LEN, true),
    trafficClass: m[p + R.IPV6_REPR_TRAFFIC_CLASS],
    flowLabel: (m[fl] << 16) | (m[fl + 1] << 8) | m[fl + 2],
  };
}

export function writeNa(m: Uint8Array, p: number, r: NaRepr): void {
  m.fill(0, p, p + R.NA_REPR_SIZE);
  m[p + R.NA_REPR_FLAGS] = r.flags;
  m.set(r.target.subarray(0, 16), p + R.NA_REPR_TARGET);
  if (r.tlla) {
    m[p + R.NA_REPR_HAS_TLLA] = 1;
    m.set(r.tlla.subarray(0, ETH_ALEN), p + R.NA_REPR_TLLA);
  }
}

export function readNa(m: Uint8Array, p: number): NaRepr {
  const r: NaRepr = { flags: m[p + R.NA_REPR_FLAGS], target: bytesAt(m, p + R.NA_REPR_TARGET, 16) };
  if (m[p + R.NA_REPR_HAS_TLLA]) r.tlla = bytesAt(m, p + R.NA_REPR_TLLA, ETH_ALEN);
  return r;
}
