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
  ETH_HEADER_LEN, VLAN_TAG_LEN, ETH_OFF_SRC, ETH_OFF_TYPE, VLAN_OFF_TCI, VLAN_OFF_INNER_TYPE, ETHERTYPE_VLAN, ETHERTYPE_IPV4,
  ETHERTYPE_LOCAL_EXP1, IPV4_MIN_HEADER, IPV4_OFF_VER_IHL, IPV4_OFF_TOTAL_LEN, IPV4_OFF_FRAG,
  IPV4_OFF_PROTOCOL, IPV4_OFF_SRC, IPV4_FLAG_MF, IPV4_FRAG_OFFSET_MASK, IPPROTO_UDP, UDP_HEADER_LEN,
  UDP_OFF_DST_PORT, UDP_OFF_LENGTH, UDP_OFF_CHECKSUM, ETH_ALEN,
} from "../shared/wire";
import { ld8, ld16be } from "../lib/mem";
import { sumWords, verifies } from "../wire/checksum";
import { ipv4PseudoSum } from "../wire/ipv4";
import { RX_FLAGS, RX_UDP_PORT, RX_MSG_AVAIL, RX_MSG_EXACT } from "./rxstate";

/**
 * Returns the offset of the message in buf, or a negative status. On success RX_MSG_AVAIL
 * holds the bytes available from there (exact for UDP), and repr has the encapsulation,
 * the 802.1Q tag and the (unauthenticated) source addresses.
 */
export function classify(buf: usize, len: i32, repr: usize): i32 {
  if (len < ETH_HEADER_LEN) return E_GASP_TRUNCATED;
  let ethertype = ld16be(buf + ETH_OFF_TYPE);
  let off = ETH_HEADER_LEN;
  store<u8>(repr + GASP_MR_TAGGED, 0);
  store<u16>(repr + GASP_MR_TCI, 0);
  if (ethertype == ETHERTYPE_VLAN) {
    if (len < ETH_HEADER_LEN + VLAN_TAG_LEN) return E_GASP_TRUNCATED;
    store<u8>(repr + GASP_MR_TAGGED, 1);
    store<u16>(repr + GASP_MR_TCI, <u16>ld16be(buf + VLAN_OFF_TCI));
    ethertype = ld16be(buf + VLAN_OFF_INNER_TYPE);
    off += VLAN_TAG_LEN;
  }
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
  const verIhl = ld8(ip + IPV4_OFF_VER_IHL);
  if (verIhl >> 4 != 4) return E_GASP_ENCAP;
  if (ld8(ip + IPV4_OFF_PROTOCOL) != IPPROTO_UDP) return E_GASP_NOT_GASP;
  const hl = (verIhl & 0xf) << 2;
  if (hl < IPV4_MIN_HEADER) return E_GASP_ENCAP;
  if (hl > ipAvail) return E_GASP_TRUNCATED;
  const total = ld16be(ip + IPV4_OFF_TOTAL_LEN);
  if (total < hl + UDP_HEADER_LEN) return E_GASP_ENCAP;
  if (total > ipAvail) return E_GASP_TRUNCATED;
  const frag = ld16be(ip + IPV4_OFF_FRAG);
  if ((frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) != 0) return E_GASP_ENCAP; // gasps are never fragmented

  // UDP (RFC 768): the port first, so other traffic is "not a gasp" whatever its state.
  const u = ip + <usize>hl;
  if (ld16be(u + UDP_OFF_DST_PORT) != <i32>load<u16>(RX_UDP_PORT)) return E_GASP_NOT_GASP;
  if (!verifies(sumWords(ip, hl, 0))) return E_GASP_CHECKSUM;
  const udpLen = ld16be(u + UDP_OFF_LENGTH);
  if (udpLen < UDP_HEADER_LEN || udpLen > total - hl) return E_GASP_ENCAP;
  if (ld16be(u + UDP_OFF_CHECKSUM) != 0 && !verifies(sumWords(u, udpLen, ipv4PseudoSum(ip, IPPROTO_UDP, udpLen)))) {
    return E_GASP_CHECKSUM;
  }
  store<u8>(repr + GASP_MR_ENCAP, GASP_ENCAP_UDP);
  memory.copy(repr + GASP_MR_IP_SRC, ip + IPV4_OFF_SRC, 4);
  store<u32>(RX_MSG_AVAIL, <u32>(udpLen - UDP_HEADER_LEN));
  store<u32>(RX_MSG_EXACT, 1);
  return off + hl + UDP_HEADER_LEN;
}
