// The answer to TCP for no service: a RST built in place over the offending segment and
// sent back out of the port it came in on.
//
// RFC 9293 §3.10.7.1 (a segment for a connection that does not exist):
//   if the segment has ACK:  <SEQ=SEG.ACK><CTL=RST>
//   otherwise:               <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
// where SEG.LEN counts the payload octets plus one for SYN and one for FIN. A segment that
// itself carries RST is never answered (§3.10.7.1: "An incoming segment containing a RST is
// discarded"), which also keeps two resetting boxes from ping-ponging.
//
// The answer swaps the Ethernet and IP addresses and the ports, keeps the 802.1Q tag,
// drops IPv4 options and IPv6 extension headers, and carries no payload: Ethernet 14/18,
// IP 20/40, TCP 20. It is padded to 60 bytes when the buffer's capacity allows (else the
// NIC pads: TCTL.PSP). IPv4: TTL 64, DF, identification 0 (RFC 6864: atomic datagram).

import {
  ETH_OFF_DST, ETH_OFF_SRC, ETH_MIN_FRAME, IPV4_MIN_HEADER, IPV4_OFF_VER_IHL, IPV4_OFF_TOS,
  IPV4_OFF_TOTAL_LEN, IPV4_OFF_IDENT, IPV4_OFF_FRAG, IPV4_OFF_TTL, IPV4_OFF_PROTOCOL,
  IPV4_OFF_CHECKSUM, IPV4_OFF_SRC, IPV4_OFF_DST, IPV4_FLAG_DF, IPV6_HEADER_LEN,
  IPV6_OFF_PAYLOAD_LEN, IPV6_OFF_NEXT_HEADER, IPV6_OFF_HOP_LIMIT, IPV6_OFF_SRC, IPV6_OFF_DST,
  IPPROTO_TCP, TCP_MIN_HEADER, TCP_OFF_SRC_PORT, TCP_OFF_DST_PORT, TCP_OFF_SEQ, TCP_OFF_ACK,
  TCP_OFF_DATA_OFF, TCP_OFF_FLAGS, TCP_OFF_WINDOW, TCP_OFF_CHECKSUM, TCP_OFF_URGENT,
  TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK,
} from "../shared/wire";
import { FAMILY_V6, V_ANSWER, verdict, C_ANSWER_RST, C_DROP_TCP_RST_NO_SERVICE } from "../shared/switch";
import { ld32be, st8, st16be, st32be } from "../lib/mem";
import { sumWords, finish } from "../wire/checksum";
import { count, drop } from "./counters";
import { pL3, pL4, pEnd, pFamily, pSport, pDport, pTcpFlags, pTcpHeaderLen } from "./parse";

const RST_TTL = 64;

@inline
function swap32(a: usize, b: usize): void {
  const t = load<u32>(a);
  store<u32>(a, load<u32>(b));
  store<u32>(b, t);
}

@inline
function swap64(a: usize, b: usize): void {
  const t = load<u64>(a);
  store<u64>(a, load<u64>(b));
  store<u64>(b, t);
}

/** Turns the parsed TCP segment in buf into its RST answer; returns the verdict. */
export function answerReset(buf: usize, cap: i32, inPort: i32): i32 {
  const flags = pTcpFlags;
  if (flags & TCP_RST) return drop(C_DROP_TCP_RST_NO_SERVICE);
  const tcp = buf + <usize>pL4;
  const segSeq = ld32be(tcp + TCP_OFF_SEQ);
  const segAck = ld32be(tcp + TCP_OFF_ACK);
  let segLen = <u32>(pEnd - pL4 - pTcpHeaderLen);
  if (flags & TCP_SYN) segLen++;
  if (flags & TCP_FIN) segLen++;
  const sport = pSport;
  const dport = pDport;

  // Ethernet: back to the sender (it addressed us by our MAC, we answer from it).
  const t = load<u32>(buf + ETH_OFF_DST);
  const t2 = load<u16>(buf + ETH_OFF_DST + 4);
  store<u32>(buf + ETH_OFF_DST, load<u32>(buf + ETH_OFF_SRC));
  store<u16>(buf + ETH_OFF_DST + 4, load<u16>(buf + ETH_OFF_SRC + 4));
  store<u32>(buf + ETH_OFF_SRC, t);
  store<u16>(buf + ETH_OFF_SRC + 4, t2);

  const ip = buf + <usize>pL3;
  let th: usize;
  let pseudo: u64;
  if (pFamily == FAMILY_V6) {
    swap64(ip + IPV6_OFF_SRC, ip + IPV6_OFF_DST);
    swap64(ip + IPV6_OFF_SRC + 8, ip + IPV6_OFF_DST + 8);
    store<u32>(ip, bswap<u32>(0x60000000)); // version 6, traffic class 0, flow label 0
    st16be(ip + IPV6_OFF_PAYLOAD_LEN, TCP_MIN_HEADER);
    st8(ip + IPV6_OFF_NEXT_HEADER, IPPROTO_TCP);
    st8(ip + IPV6_OFF_HOP_LIMIT, RST_TTL);
    th = ip + IPV6_HEADER_LEN;
    // RFC 8200 §8.1 pseudo-header: addresses, upper-layer length, next header.
    pseudo = sumWords(ip + IPV6_OFF_SRC, 32, 0) + <u64>TCP_MIN_HEADER + <u64>IPPROTO_TCP;
  } else {
    swap32(ip + IPV4_OFF_SRC, ip + IPV4_OFF_DST);
    st8(ip + IPV4_OFF_VER_IHL, 0x45);
    st8(ip + IPV4_OFF_TOS, 0);
    st16be(ip + IPV4_OFF_TOTAL_LEN, IPV4_MIN_HEADER + TCP_MIN_HEADER);
    st16be(ip + IPV4_OFF_IDENT, 0);
    st16be(ip + IPV4_OFF_FRAG, IPV4_FLAG_DF);
    st8(ip + IPV4_OFF_TTL, RST_TTL);
    st8(ip + IPV4_OFF_PROTOCOL, IPPROTO_TCP);
    st16be(ip + IPV4_OFF_CHECKSUM, 0);
    st16be(ip + IPV4_OFF_CHECKSUM, finish(sumWords(ip, IPV4_MIN_HEADER, 0)));
    th = ip + IPV4_MIN_HEADER;
    pseudo = sumWords(ip + IPV4_OFF_SRC, 8, 0) + <u64>TCP_MIN_HEADER + <u64>IPPROTO_TCP;
  }

  st16be(th + TCP_OFF_SRC_PORT, dport);
  st16be(th + TCP_OFF_DST_PORT, sport);
  if (flags & TCP_ACK) {
    st32be(th + TCP_OFF_SEQ, segAck);
    st32be(th + TCP_OFF_ACK, 0);
    st8(th + TCP_OFF_FLAGS, TCP_RST);
  } else {
    st32be(th + TCP_OFF_SEQ, 0);
    st32be(th + TCP_OFF_ACK, segSeq + segLen);
    st8(th + TCP_OFF_FLAGS, TCP_RST | TCP_ACK);
  }
  st8(th + TCP_OFF_DATA_OFF, (TCP_MIN_HEADER >> 2) << 4);
  st16be(th + TCP_OFF_WINDOW, 0);
  st16be(th + TCP_OFF_CHECKSUM, 0);
  st16be(th + TCP_OFF_URGENT, 0);
  st16be(th + TCP_OFF_CHECKSUM, finish(sumWords(th, TCP_MIN_HEADER, pseudo)));

  let len = <i32>(th + TCP_MIN_HEADER - buf);
  if (len < ETH_MIN_FRAME && cap >= ETH_MIN_FRAME) {
    memory.fill(buf + <usize>len, 0, ETH_MIN_FRAME - len);
    len = ETH_MIN_FRAME;
  }
  count(C_ANSWER_RST);
  return verdict(V_ANSWER, inPort, len);
}
