// The switching path's parser: Ethernet (one optional 802.1Q tag), ARP, IPv4 (options,
// fragments), IPv6 (fixed header and a bounded chain of extension headers), TCP, UDP,
// ICMP/ICMPv6. Every read is checked against the frame length first; the datagram's end
// comes from the IP length fields, so Ethernet padding is never taken for payload. The
// header fields are read through wire/'s header views, as the rest of the core reads them.
//
// Results go to module globals (wasm globals: no memory traffic, no allocation) that the
// pipeline reads right after parse() returns. Nothing here writes memory.
//
// Fragments (docs/switching-path.md "Fragments"): a first fragment must carry the whole
// TCP/UDP header (RFC 1858 §3: tiny first fragments are refused as malformed); a later
// fragment has no ports (pL4 = -1) and gets them from the fragment-tracking table.
//
// IPv6 extension headers: Hop-by-Hop (first only), Routing, Destination Options and
// Fragment are walked, at most SW_MAX_EXT_HEADERS of them; anything else (ESP, AH, No Next
// Header, unknown) ends the walk and is the upper-layer protocol, which the path then treats
// as unsupported unless the packet is for the control processor.

import {
  ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_ARP, ARP_LEN, ARP_OFF_HTYPE, ARP_OFF_PTYPE, ARP_OFF_HLEN,
  ARP_OFF_PLEN, ARP_OFF_SPA, ARP_OFF_TPA, ARP_HTYPE_ETHERNET, IPV4_MIN_HEADER, IPV4_OFF_SRC, IPV4_OFF_DST,
  IPV6_HEADER_LEN, IPV6_OFF_SRC, IPV6_OFF_DST, IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT,
  IPPROTO_DSTOPTS, IPV6_EXT_OFF_NEXT, IPV6_EXT_OFF_LEN, IPV6_EXT_UNIT, IPV6_FRAG_LEN, IPV6_FRAG_OFF_OFFSET,
  IPV6_FRAG_OFF_IDENT, IPV6_FRAG_M, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, TCP_MIN_HEADER,
  UDP_HEADER_LEN, ICMP_OFF_TYPE,
} from "../shared/wire";
import {
  FAMILY_NONE, FAMILY_V4, FAMILY_V6, SW_MAX_EXT_HEADERS,
  C_DROP_MALFORMED, C_DROP_NOT_OURS, C_DROP_EXT_HEADERS,
} from "../shared/switch";
import { ld8, ld16be, ld32be } from "../lib/mem";
import { ethHeaderLength, ethPayloadType } from "../wire/ethernet";
import { ipv4Version, ipv4HeaderLen, ipv4TotalLen, ipv4Protocol, ipv4FragField, ipv4IsFragment, ipv4IsLaterFragment, ipv4Ident } from "../wire/ipv4";
import { ipv6Version, ipv6PayloadLen, ipv6NextHeader } from "../wire/ipv6";
import { tcpHeaderLen, tcpSrcPort, tcpDstPort, tcpFlags } from "../wire/tcp";
import { udpSrcPort, udpDstPort } from "../wire/udp";

export const FRAG_NONE = 0;
export const FRAG_FIRST = 1; // offset 0, more fragments follow: carries the L4 header
export const FRAG_LATER = 2; // offset > 0: no L4 header

/** Offset of the network header (IP or ARP). */
export let pL3: i32 = 0;
/** EtherType of the payload (the inner one when tagged). */
export let pEtherType: i32 = 0;
/** FAMILY_V4, FAMILY_V6, or FAMILY_NONE for ARP. */
export let pFamily: i32 = 0;
/** Upper-layer protocol (after IPv6 extension headers). */
export let pProto: i32 = 0;
/** Offset of the upper-layer header; -1 when the packet has none (later fragment). */
export let pL4: i32 = -1;
/** Offset just past the IP datagram (its length fields, not the frame's). */
export let pEnd: i32 = 0;
/** Length of the IP header including IPv6 extension headers (pL4 - pL3 when pL4 >= 0). */
export let pIpHeaderLen: i32 = 0;
export let pSport: i32 = 0;
export let pDport: i32 = 0;
/** TCP flags byte, 0 for other protocols. */
export let pTcpFlags: i32 = 0;
/** TCP header length in bytes. */
export let pTcpHeaderLen: i32 = 0;
/** ICMP/ICMPv6 type, -1 when absent. */
export let pIcmpType: i32 = -1;
export let pFrag: i32 = 0; // FRAG_NONE (a literal: a const initialiser would need a start function)
export let pFragId: u32 = 0;
/** Absolute addresses of the source and destination IP addresses (or ARP's SPA/TPA). */
export let pSrc: usize = 0;
export let pDst: usize = 0;

/**
 * The parse results of one frame, kept in core state while the rest of its batch is parsed
 * (switch/batch.ts): parseSave copies the globals out, parseRestore puts them back exactly,
 * so that switching a staged frame sees what switching it right after parse() would have.
 */
@unmanaged
export class ParseResult {
  l4: i32;
  end: i32;
  src: usize;
  dst: usize;
  fragId: u32;
  rc: u16; // what parse() returned: 0 or a counter index
  l3: u16;
  ipHeaderLen: u16;
  etherType: u16;
  sport: u16;
  dport: u16;
  icmpType: i16;
  family: u8;
  proto: u8;
  tcpFlags: u8;
  tcpHeaderLen: u8;
  frag: u8;
}

@inline
export function parseSave(r: ParseResult, rc: i32): void {
  r.rc = <u16>rc;
  r.l3 = <u16>pL3;
  r.l4 = pL4;
  r.end = pEnd;
  r.ipHeaderLen = <u16>pIpHeaderLen;
  r.etherType = <u16>pEtherType;
  r.src = pSrc;
  r.dst = pDst;
  r.fragId = pFragId;
  r.icmpType = <i16>pIcmpType;
  r.sport = <u16>pSport;
  r.dport = <u16>pDport;
  r.family = <u8>pFamily;
  r.proto = <u8>pProto;
  r.tcpFlags = <u8>pTcpFlags;
  r.tcpHeaderLen = <u8>pTcpHeaderLen;
  r.frag = <u8>pFrag;
}

/** Puts a saved parse back into the globals; returns what parse() returned. */
@inline
export function parseRestore(r: ParseResult): i32 {
  pL3 = <i32>r.l3;
  pL4 = r.l4;
  pEnd = r.end;
  pIpHeaderLen = <i32>r.ipHeaderLen;
  pEtherType = <i32>r.etherType;
  pSrc = r.src;
  pDst = r.dst;
  pFragId = r.fragId;
  pIcmpType = <i32>r.icmpType;
  pSport = <i32>r.sport;
  pDport = <i32>r.dport;
  pFamily = <i32>r.family;
  pProto = <i32>r.proto;
  pTcpFlags = <i32>r.tcpFlags;
  pTcpHeaderLen = <i32>r.tcpHeaderLen;
  pFrag = <i32>r.frag;
  return <i32>r.rc;
}

/** Parses [buf, buf+len). Returns 0, or the counter index of the drop reason. */
export function parse(buf: usize, len: i32): i32 {
  pL4 = -1;
  pSport = 0;
  pDport = 0;
  pTcpFlags = 0;
  pTcpHeaderLen = 0;
  pIcmpType = -1;
  pFrag = FRAG_NONE;
  pFragId = 0;
  pFamily = FAMILY_NONE;
  const l3 = ethHeaderLength(buf, len);
  if (l3 < 0) return C_DROP_MALFORMED;
  const type = ethPayloadType(buf, l3);
  pEtherType = type;
  pL3 = l3;
  if (type == ETHERTYPE_IPV4) return parseIpv4(buf, len, l3);
  if (type == ETHERTYPE_IPV6) return parseIpv6(buf, len, l3);
  if (type == ETHERTYPE_ARP) return parseArp(buf, len, l3);
  return C_DROP_NOT_OURS;
}

function parseArp(buf: usize, len: i32, l3: i32): i32 {
  if (len - l3 < ARP_LEN) return C_DROP_MALFORMED;
  const a = buf + l3;
  if (ld16be(a + ARP_OFF_HTYPE) != ARP_HTYPE_ETHERNET || ld16be(a + ARP_OFF_PTYPE) != ETHERTYPE_IPV4) return C_DROP_MALFORMED;
  if (ld8(a + ARP_OFF_HLEN) != 6 || ld8(a + ARP_OFF_PLEN) != 4) return C_DROP_MALFORMED;
  pSrc = a + ARP_OFF_SPA;
  pDst = a + ARP_OFF_TPA;
  pEnd = l3 + ARP_LEN;
  return 0;
}

function parseIpv4(buf: usize, len: i32, l3: i32): i32 {
  if (len - l3 < IPV4_MIN_HEADER) return C_DROP_MALFORMED;
  const ip = buf + l3;
  if (ipv4Version(ip) != 4) return C_DROP_MALFORMED;
  const hl = ipv4HeaderLen(ip);
  const total = ipv4TotalLen(ip);
  if (hl < IPV4_MIN_HEADER || total < hl || total > len - l3) return C_DROP_MALFORMED;
  pFamily = FAMILY_V4;
  pProto = ipv4Protocol(ip);
  pSrc = ip + IPV4_OFF_SRC;
  pDst = ip + IPV4_OFF_DST;
  pEnd = l3 + total;
  pIpHeaderLen = hl;
  const frag = ipv4FragField(ip);
  if (ipv4IsFragment(frag)) {
    pFragId = <u32>ipv4Ident(ip);
    if (ipv4IsLaterFragment(frag)) {
      pFrag = FRAG_LATER;
      return 0;
    }
    pFrag = FRAG_FIRST;
  }
  return parseL4(buf, l3 + hl);
}

function parseIpv6(buf: usize, len: i32, l3: i32): i32 {
  if (len - l3 < IPV6_HEADER_LEN) return C_DROP_MALFORMED;
  const ip = buf + l3;
  if (ipv6Version(ip) != 6) return C_DROP_MALFORMED;
  const payload = ipv6PayloadLen(ip);
  if (payload > len - l3 - IPV6_HEADER_LEN) return C_DROP_MALFORMED; // jumbograms (0) fall through as empty
  pFamily = FAMILY_V6;
  pSrc = ip + IPV6_OFF_SRC;
  pDst = ip + IPV6_OFF_DST;
  const end = l3 + IPV6_HEADER_LEN + payload;
  pEnd = end;
  let next = ipv6NextHeader(ip);
  let off = l3 + IPV6_HEADER_LEN;
  for (let n = 0; ; n++) {
    const isExt = next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS || next == IPPROTO_FRAGMENT;
    if (!isExt) break;
    if (n == SW_MAX_EXT_HEADERS) return C_DROP_EXT_HEADERS;
    if (next == IPPROTO_HOPOPTS && n != 0) return C_DROP_MALFORMED; // RFC 8200 §4.3: first only
    if (end - off < 8) return C_DROP_MALFORMED;
    const h = buf + off;
    if (next == IPPROTO_FRAGMENT) {
      const fo = ld16be(h + IPV6_FRAG_OFF_OFFSET);
      pFragId = ld32be(h + IPV6_FRAG_OFF_IDENT);
      next = ld8(h + IPV6_EXT_OFF_NEXT);
      off += IPV6_FRAG_LEN;
      if (fo >> 3) {
        pFrag = FRAG_LATER;
        pProto = next;
        pIpHeaderLen = off - l3;
        return 0;
      }
      if (fo & IPV6_FRAG_M) pFrag = FRAG_FIRST; // else an atomic fragment: a whole datagram
    } else {
      next = ld8(h + IPV6_EXT_OFF_NEXT);
      off += (ld8(h + IPV6_EXT_OFF_LEN) + 1) * IPV6_EXT_UNIT;
      if (off > end) return C_DROP_MALFORMED;
    }
  }
  pProto = next;
  pIpHeaderLen = off - l3;
  return parseL4(buf, off);
}

/** Reads the upper-layer header at l4 (bounded by pEnd). */
function parseL4(buf: usize, l4: i32): i32 {
  const room = pEnd - l4;
  const p = buf + l4;
  pL4 = l4;
  if (pProto == IPPROTO_TCP) {
    if (room < TCP_MIN_HEADER) return C_DROP_MALFORMED;
    const thl = tcpHeaderLen(p);
    if (thl < TCP_MIN_HEADER || thl > room) return C_DROP_MALFORMED;
    pTcpHeaderLen = thl;
    pSport = tcpSrcPort(p);
    pDport = tcpDstPort(p);
    pTcpFlags = tcpFlags(p);
  } else if (pProto == IPPROTO_UDP) {
    if (room < UDP_HEADER_LEN) return C_DROP_MALFORMED;
    pSport = udpSrcPort(p);
    pDport = udpDstPort(p);
  } else if ((pProto == IPPROTO_ICMP && pFamily == FAMILY_V4) || (pProto == IPPROTO_ICMPV6 && pFamily == FAMILY_V6)) {
    if (room < 4) return C_DROP_MALFORMED;
    pIcmpType = ld8(p + ICMP_OFF_TYPE);
  }
  return 0;
}
