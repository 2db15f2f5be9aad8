// The receiver's first step: is this frame a gasp, and where does its message start?
// Accepts Ethernet II with at most one 802.1Q tag, carrying either EtherType 0x88B5 (raw)
// or IPv4 -> UDP to the gasp port. Every read is checked against len first.
//
// Raw frames may carry trailing bytes (Ethernet padding): the message says how long it is.
// In UDP the datagram's length is authoritative: the message must fill it exactly.

import {
  E_GASP_NOT_GASP, E_GASP_TRUNCATED, E_GASP_ENCAP, E_GASP_CHECKSUM,
} from "../shared/status";
import {
  GASP_ENCAP_RAW, GASP_ENCAP_UDP, GASP_RXF_ACCEPT_RAW, GASP_RXF_ACCEPT_UDP,
  GASP_MR_ENCAP, GASP_MR_TAGGED, GASP_MR_TCI, GASP_MR_ETH_SRC, GASP_MR_IP_SRC,
} from "../shared/gasp";
import {
  ETH_HEADER_LEN, ETH_OFF_SRC, ETH_ALEN, ETHERTYPE_IPV4, ETHERTYPE_LOCAL_EXP1, IPV4_MIN_HEADER, IPV4_OFF_SRC,
  IPPROTO_UDP, UDP_HEADER_LEN,
} from "../shared/wire";
import { ld8 } from "../lib/mem";
import { ethHeaderLength, ethPayloadType, ethTci } from "../wire/ethernet";
import { ipv4Version, ipv4Protocol, ipv4HeaderLen, ipv4TotalLen, ipv4FragField, ipv4IsFragment, ipv4ChecksumOk } from "../wire/ipv4";
import { udpDstPort, udpLength, udp4ChecksumOk } from "../wire/udp";
import { RX_FLAGS, RX_UDP_PORT, RX_MSG_AVAIL, RX_MSG_EXACT } from "./rxstate";

/**
 * Returns the offset of the message in buf, or a negative status. On success RX_MSG_AVAIL
 * holds the bytes available from there (exact for UDP), and repr has the encapsulation,
 * the 802.1Q tag and the (unauthenticated) source addresses.
 */
export function classify(buf: usize, len: i32, repr: usize): i32 {
  if (len < ETH_HEADER_LEN) return E_GASP_TRUNCATED;
  store<u8>(repr + GASP_MR_TAGGED, 0);
  store<u16>(repr + GASP_MR_TCI, 0);
  const off = ethHeaderLength(buf, len);
  if (off < 0) return E_GASP_TRUNCATED;
  if (off != ETH_HEADER_LEN) {
    store<u8>(repr + GASP_MR_TAGGED, 1);
    store<u16>(repr + GASP_MR_TCI, <u16>ethTci(buf));
  }
  const ethertype = ethPayloadType(buf, off);
  const accept = ld8(RX_FLAGS);
  memory.copy(repr + GASP_MR_ETH_SRC, buf + ETH_OFF_SRC, ETH_ALEN);
  memory.fill(repr + GASP_MR_IP_SRC, 0, 4);

  if (ethertype == ETHERTYPE_LOCAL_EXP1) {
    if ((accept & GASP_RXF_ACCEPT_RAW) == 0) return E_GASP_NOT_GASP;
    store<u8>(repr + GASP_MR_ENCAP, GASP_ENCAP_RAW);
    store<u32>(RX_MSG_AVAIL, <u32>(len - off));
    store<u32>(RX_MSG_EXACT, 0);
    return off;
  }
  if (ethertype != ETHERTYPE_IPV4 || (accept & GASP_RXF_ACCEPT_UDP) == 0) return E_GASP_NOT_GASP;

  // IPv4 (RFC 791): version and IHL, protocol, lengths, no fragment, header checksum.
  const ip = buf + <usize>off;
  const ipAvail = len - off;
  if (ipAvail < IPV4_MIN_HEADER) return E_GASP_TRUNCATED;
  if (ipv4Version(ip) != 4) return E_GASP_ENCAP;
  if (ipv4Protocol(ip) != IPPROTO_UDP) return E_GASP_NOT_GASP;
  const hl = ipv4HeaderLen(ip);
  if (hl < IPV4_MIN_HEADER) return E_GASP_ENCAP;
  if (hl > ipAvail) return E_GASP_TRUNCATED;
  const total = ipv4TotalLen(ip);
  if (total < hl + UDP_HEADER_LEN) return E_GASP_ENCAP;
  if (total > ipAvail) return E_GASP_TRUNCATED;
  if (ipv4IsFragment(ipv4FragField(ip))) return E_GASP_ENCAP; // gasps are never fragmented

  // UDP (RFC 768): the port first, so other traffic is "not a gasp" whatever its state.
  const u = ip + <usize>hl;
  if (udpDstPort(u) != <i32>load<u16>(RX_UDP_PORT)) return E_GASP_NOT_GASP;
  if (!ipv4ChecksumOk(ip, hl)) return E_GASP_CHECKSUM;
  const udpLen = udpLength(u);
  if (udpLen < UDP_HEADER_LEN || udpLen > total - hl) return E_GASP_ENCAP;
  if (!udp4ChecksumOk(ip, u, udpLen)) return E_GASP_CHECKSUM;
  store<u8>(repr + GASP_MR_ENCAP, GASP_ENCAP_UDP);
  memory.copy(repr + GASP_MR_IP_SRC, ip + IPV4_OFF_SRC, 4);
  store<u32>(RX_MSG_AVAIL, <u32>(udpLen - UDP_HEADER_LEN));
  store<u32>(RX_MSG_EXACT, 1);
  return off + hl + UDP_HEADER_LEN;
}
