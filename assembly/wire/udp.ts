// UDP (RFC 768) over IPv4, with the pseudo-header checksum.

import { E_CAP, E_CHECKSUM, E_ETHERTYPE, E_LENGTH, E_PROTO, E_SHORT, E_ARG } from "../shared/status";
import {
  UDP_HEADER_LEN, UDP_OFF_SRC_PORT, UDP_OFF_DST_PORT, UDP_OFF_LENGTH, UDP_OFF_CHECKSUM,
  ETHERTYPE_IPV4, IPPROTO_UDP,
} from "../shared/wire";
import {
  UDP_REPR_SRC_PORT, UDP_REPR_DST_PORT, UDP_REPR_LENGTH, UDP_REPR_CHECKSUM, UDP_REPR_SIZE,
  ETH_REPR_ETHERTYPE, IPV4_REPR_PROTOCOL, IPV4_REPR_PAYLOAD_LEN, IPV4_REPR_FRAG,
} from "../shared/repr";
import { ld16be, st16be } from "../lib/mem";
import { sumWords, finish, verifies } from "./checksum";
import { ethEmit, ethParse, ethPad } from "./ethernet";
import { ipv4Emit, ipv4Parse, ipv4PseudoSum, ipv4IsFragment } from "./ipv4";

// ---- the header view: every reader of a UDP header (wire/, the switching path's parser, the
// gasp classifier) goes through these ----

@inline export function udpSrcPort(u: usize): i32 { return ld16be(u + UDP_OFF_SRC_PORT); }
@inline export function udpDstPort(u: usize): i32 { return ld16be(u + UDP_OFF_DST_PORT); }
@inline export function udpLength(u: usize): i32 { return ld16be(u + UDP_OFF_LENGTH); }
@inline export function udpChecksum(u: usize): i32 { return ld16be(u + UDP_OFF_CHECKSUM); }

/**
 * The checksum of the datagram at u (udpLen bytes, inside the IPv4 datagram at ip) verifies,
 * or is 0: none sent (RFC 768).
 */
export function udp4ChecksumOk(ip: usize, u: usize, udpLen: i32): bool {
  return udpChecksum(u) == 0 || verifies(sumWords(u, udpLen, ipv4PseudoSum(ip, IPPROTO_UDP, udpLen)));
}

// ---- the emitter: every writer of a UDP header (udp4_emit, the gasp templates) ----

/** Writes the 8-byte header with a zero checksum (the caller fills it when it has one). */
export function udpWrite(u: usize, srcPort: i32, dstPort: i32, length: i32): void {
  st16be(u + UDP_OFF_SRC_PORT, srcPort);
  st16be(u + UDP_OFF_DST_PORT, dstPort);
  st16be(u + UDP_OFF_LENGTH, length);
  st16be(u + UDP_OFF_CHECKSUM, 0);
}

// ---- the frame codec (udp4_emit / udp4_parse) ----

/**
 * Writes Ethernet + IPv4 + UDP + payload (payload copied from [payload, payload+plen)),
 * padded to 60; returns the frame length. The reprs' length/protocol fields are set here.
 */
export function udp4Emit(
  eth: usize, ip: usize, udp: usize, payload: usize, plen: i32, out: usize, cap: i32,
): i32 {
  if (plen < 0 || plen > 0xffff - 28) return E_ARG;
  store<u16>(eth + ETH_REPR_ETHERTYPE, ETHERTYPE_IPV4);
  const hl = ethEmit(eth, out, cap);
  if (hl < 0) return hl;
  const udpLen = UDP_HEADER_LEN + plen;
  if (cap - hl < 20 + udpLen) return E_CAP;
  store<u8>(ip + IPV4_REPR_PROTOCOL, IPPROTO_UDP);
  store<u16>(ip + IPV4_REPR_PAYLOAD_LEN, <u16>udpLen);
  const ipStart = out + hl;
  const ihl = ipv4Emit(ip, ipStart, cap - hl);
  if (ihl < 0) return ihl;
  const u = ipStart + ihl;
  udpWrite(u, load<u16>(udp + UDP_REPR_SRC_PORT), load<u16>(udp + UDP_REPR_DST_PORT), udpLen);
  memory.copy(u + UDP_HEADER_LEN, payload, plen);
  let csum = finish(sumWords(u, udpLen, ipv4PseudoSum(ipStart, IPPROTO_UDP, udpLen)));
  if (csum == 0) csum = 0xffff; // RFC 768: a computed zero is sent as all ones
  st16be(u + UDP_OFF_CHECKSUM, csum);
  store<u16>(udp + UDP_REPR_LENGTH, <u16>udpLen);
  store<u16>(udp + UDP_REPR_CHECKSUM, <u16>csum);
  return ethPad(out, hl + ihl + udpLen, cap);
}

/**
 * Reads an Ethernet/IPv4/UDP frame, verifying the IPv4 and (non-zero) UDP checksums.
 * Returns the payload's offset in buf (payload length = UDP length - 8) or a negative status.
 * Fragments are refused (E_PROTO): a UDP header is only meaningful in a whole datagram.
 */
export function udp4Parse(buf: usize, len: i32, eth: usize, ip: usize, udp: usize): i32 {
  const hl = ethParse(buf, len, eth);
  if (hl < 0) return hl;
  if (<u32>load<u16>(eth + ETH_REPR_ETHERTYPE) != ETHERTYPE_IPV4) return E_ETHERTYPE;
  const ipStart = buf + hl;
  const ihl = ipv4Parse(ipStart, len - hl, ip);
  if (ihl < 0) return ihl;
  if (<u32>load<u8>(ip + IPV4_REPR_PROTOCOL) != IPPROTO_UDP) return E_PROTO;
  if (ipv4IsFragment(<i32>load<u16>(ip + IPV4_REPR_FRAG))) return E_PROTO;
  const ipPayload = <i32>load<u16>(ip + IPV4_REPR_PAYLOAD_LEN);
  if (ipPayload < UDP_HEADER_LEN) return E_SHORT;
  const u = ipStart + ihl;
  const udpLen = udpLength(u);
  if (udpLen < UDP_HEADER_LEN || udpLen > ipPayload) return E_LENGTH;
  if (!udp4ChecksumOk(ipStart, u, udpLen)) return E_CHECKSUM;
  memory.fill(udp, 0, UDP_REPR_SIZE);
  store<u16>(udp + UDP_REPR_SRC_PORT, <u16>udpSrcPort(u));
  store<u16>(udp + UDP_REPR_DST_PORT, <u16>udpDstPort(u));
  store<u16>(udp + UDP_REPR_LENGTH, <u16>udpLen);
  store<u16>(udp + UDP_REPR_CHECKSUM, <u16>udpChecksum(u));
  return hl + ihl + UDP_HEADER_LEN;
}
