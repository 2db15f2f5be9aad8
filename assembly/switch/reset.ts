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
  ETH_MIN_FRAME, IPV4_MIN_HEADER, IPV4_OFF_SRC, IPV4_OFF_DST, IPV4_FLAG_DF, IPV6_HEADER_LEN, IPV6_OFF_SRC,
  IPV6_OFF_DST, IPPROTO_TCP, TCP_MIN_HEADER, TCP_OFF_CHECKSUM, TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK,
} from "../shared/wire";
import { FAMILY_V6, V_ANSWER, verdict, C_ANSWER_RST, C_DROP_TCP_RST_NO_SERVICE } from "../shared/switch";
import { st16be } from "../lib/mem";
import { sumWords, finish } from "../wire/checksum";
import { ethSwapAddresses } from "../wire/ethernet";
import { ipv4Write } from "../wire/ipv4";
import { ipv6Write } from "../wire/ipv6";
import { tcpWrite, tcpSeq, tcpAck } from "../wire/tcp";
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
  const segSeq = tcpSeq(tcp);
  const segAck = tcpAck(tcp);
  let segLen = <u32>(pEnd - pL4 - pTcpHeaderLen);
  if (flags & TCP_SYN) segLen++;
  if (flags & TCP_FIN) segLen++;

  // Ethernet: back to the sender (it addressed us by our MAC, we answer from it).
  ethSwapAddresses(buf);

  // IP: addresses swapped in place, the rest rewritten (the emitters copy each address
  // onto itself); no options, no extension headers.
  const ip = buf + <usize>pL3;
  let th: usize;
  let pseudo: u64;
  if (pFamily == FAMILY_V6) {
    swap64(ip + IPV6_OFF_SRC, ip + IPV6_OFF_DST);
    swap64(ip + IPV6_OFF_SRC + 8, ip + IPV6_OFF_DST + 8);
    ipv6Write(ip, 0, 0, TCP_MIN_HEADER, IPPROTO_TCP, RST_TTL, ip + IPV6_OFF_SRC, ip + IPV6_OFF_DST);
    th = ip + IPV6_HEADER_LEN;
    // RFC 8200 §8.1 pseudo-header: addresses, upper-layer length, next header.
    pseudo = sumWords(ip + IPV6_OFF_SRC, 32, 0) + <u64>TCP_MIN_HEADER + <u64>IPPROTO_TCP;
  } else {
    swap32(ip + IPV4_OFF_SRC, ip + IPV4_OFF_DST);
    ipv4Write(ip, 0, IPV4_MIN_HEADER + TCP_MIN_HEADER, 0, IPV4_FLAG_DF, RST_TTL, IPPROTO_TCP, ip + IPV4_OFF_SRC, ip + IPV4_OFF_DST);
    th = ip + IPV4_MIN_HEADER;
    pseudo = sumWords(ip + IPV4_OFF_SRC, 8, 0) + <u64>TCP_MIN_HEADER + <u64>IPPROTO_TCP;
  }

  // TCP: ports swapped; RFC 9293 §3.10.7.1 picks the numbers.
  if (flags & TCP_ACK) tcpWrite(th, pDport, pSport, segAck, 0, TCP_RST, 0);
  else tcpWrite(th, pDport, pSport, 0, segSeq + segLen, TCP_RST | TCP_ACK, 0);
  st16be(th + TCP_OFF_CHECKSUM, finish(sumWords(th, TCP_MIN_HEADER, pseudo)));

  let len = <i32>(th + TCP_MIN_HEADER - buf);
  if (len < ETH_MIN_FRAME && cap >= ETH_MIN_FRAME) {
    memory.fill(buf + <usize>len, 0, ETH_MIN_FRAME - len);
    len = ETH_MIN_FRAME;
  }
  count(C_ANSWER_RST);
  return verdict(V_ANSWER, inPort, len);
}
