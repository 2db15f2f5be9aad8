// Frame templates, built at arm time (and again by gasp_update): every header of every
// (port, encapsulation) frame is written once, the IPv4 header checksum is computed for an
// empty excerpt, and the UDP checksum's sum over everything fixed for the boot is kept, so
// the fault path only patches the per-message bytes and adds their words.
//
// Raw:  Ethernet [802.1Q] 0x88B5 | message                      (IEEE 802 local experimental)
// UDP:  Ethernet [802.1Q] 0x0800 | IPv4 (DF, no options) | UDP | message

import {
  GASP_ENCAP_RAW, GASP_ENCAP_UDP, GASP_MIN_LEN, GASP_CONST_LEN, GASP_UDP_PORT, GASP_IP_TTL_DEFAULT,
  GASP_CFG_PORTS, GASP_CFG_PORT_SIZE, GASP_CFG_PORT_COUNT, GASP_CFG_TTL, GASP_CFG_TOS, GASP_CFG_UDP_PORT,
  GASP_CP_OWN_MAC, GASP_CP_PEER_MAC, GASP_CP_OWN_IP, GASP_CP_PEER_IP, GASP_CP_TCI, GASP_CP_TAGGED,
  GASP_CP_ENCAPS,
} from "../shared/gasp";
import {
  ETH_ALEN, ETH_HEADER_LEN, VLAN_TAG_LEN, ETH_OFF_DST, ETH_OFF_SRC, ETH_OFF_TYPE, VLAN_OFF_TCI, VLAN_OFF_INNER_TYPE,
  ETHERTYPE_VLAN, ETHERTYPE_IPV4, ETHERTYPE_LOCAL_EXP1, IPV4_MIN_HEADER, IPV4_OFF_VER_IHL, IPV4_OFF_TOS,
  IPV4_OFF_TOTAL_LEN, IPV4_OFF_IDENT, IPV4_OFF_FRAG, IPV4_OFF_TTL, IPV4_OFF_PROTOCOL, IPV4_OFF_CHECKSUM,
  IPV4_OFF_SRC, IPV4_OFF_DST, IPV4_FLAG_DF, IPPROTO_UDP, UDP_HEADER_LEN, UDP_OFF_SRC_PORT,
  UDP_OFF_DST_PORT, UDP_OFF_LENGTH, UDP_OFF_CHECKSUM,
} from "../shared/wire";
import { STATE_GASP_TX_CONFIG } from "../state";
import { ld8, ld16be, st8, st16be } from "../lib/mem";
import { sumWords, finish } from "../wire/checksum";
import {
  frameMeta, setFrame, setMessage, FM_ADDR, FM_MSG_OFF, FM_IP_OFF, FM_PORT, FM_ENCAP, FM_BASE_TOTAL,
  FM_BASE_IPSUM, FM_UDP_SUM,
} from "./txstate";

/** Writes the Ethernet header; returns its length (14, or 18 when tagged). */
function emitEthernet(f: usize, port: usize, ethertype: i32): i32 {
  memory.copy(f + ETH_OFF_DST, port + GASP_CP_PEER_MAC, ETH_ALEN);
  memory.copy(f + ETH_OFF_SRC, port + GASP_CP_OWN_MAC, ETH_ALEN);
  if (ld8(port + GASP_CP_TAGGED) == 0) {
    st16be(f + ETH_OFF_TYPE, ethertype);
    return ETH_HEADER_LEN;
  }
  st16be(f + ETH_OFF_TYPE, ETHERTYPE_VLAN);
  st16be(f + VLAN_OFF_TCI, <i32>load<u16>(port + GASP_CP_TCI));
  st16be(f + VLAN_OFF_INNER_TYPE, ethertype);
  return ETH_HEADER_LEN + VLAN_TAG_LEN;
}

/**
 * IPv4 + UDP headers for an empty excerpt. The identification is 0: with DF set the datagram
 * is atomic (RFC 6864 §4.1), so no receiver reassembles it and every copy may carry the same.
 */
function emitIpUdp(ip: usize, port: usize, udpPort: i32): void {
  const cfg = STATE_GASP_TX_CONFIG;
  const ttl = ld8(cfg + GASP_CFG_TTL);
  st8(ip + IPV4_OFF_VER_IHL, 0x45);
  st8(ip + IPV4_OFF_TOS, ld8(cfg + GASP_CFG_TOS));
  st16be(ip + IPV4_OFF_TOTAL_LEN, IPV4_MIN_HEADER + UDP_HEADER_LEN + GASP_MIN_LEN);
  st16be(ip + IPV4_OFF_IDENT, 0);
  st16be(ip + IPV4_OFF_FRAG, IPV4_FLAG_DF);
  st8(ip + IPV4_OFF_TTL, ttl != 0 ? ttl : GASP_IP_TTL_DEFAULT);
  st8(ip + IPV4_OFF_PROTOCOL, IPPROTO_UDP);
  st16be(ip + IPV4_OFF_CHECKSUM, 0);
  memory.copy(ip + IPV4_OFF_SRC, port + GASP_CP_OWN_IP, 4);
  memory.copy(ip + IPV4_OFF_DST, port + GASP_CP_PEER_IP, 4);
  st16be(ip + IPV4_OFF_CHECKSUM, finish(sumWords(ip, IPV4_MIN_HEADER, 0)));
  const u = ip + IPV4_MIN_HEADER;
  st16be(u + UDP_OFF_SRC_PORT, udpPort);
  st16be(u + UDP_OFF_DST_PORT, udpPort);
  st16be(u + UDP_OFF_LENGTH, UDP_HEADER_LEN + GASP_MIN_LEN);
  st16be(u + UDP_OFF_CHECKSUM, 0);
}

/**
 * The part of the UDP checksum sum (RFC 768 pseudo-header, RFC 1071 sum) that is fixed for
 * the boot: addresses, protocol, ports and the message's identity block. The fault path adds
 * the UDP length twice (pseudo-header and header) and the per-message words.
 */
function udpFixedSum(ip: usize, msg: usize): u64 {
  let acc = sumWords(ip + IPV4_OFF_SRC, 8, 0) + <u64>IPPROTO_UDP;
  acc = sumWords(ip + IPV4_MIN_HEADER + UDP_OFF_SRC_PORT, 4, acc);
  return sumWords(msg, GASP_CONST_LEN, acc); // the message starts at an even UDP offset
}

function addFrame(set: i32, i: i32, portIndex: i32, port: usize, encap: i32, udpPort: i32): void {
  const f = setFrame(set, i);
  const meta = frameMeta(set, i);
  const msg = setMessage(set);
  memory.fill(meta, 0, 32);
  store<u32>(meta + FM_ADDR, <u32>f);
  store<u8>(meta + FM_PORT, <u8>portIndex);
  store<u8>(meta + FM_ENCAP, <u8>encap);
  let off = emitEthernet(f, port, encap == GASP_ENCAP_RAW ? ETHERTYPE_LOCAL_EXP1 : ETHERTYPE_IPV4);
  if (encap == GASP_ENCAP_UDP) {
    const ip = f + off;
    emitIpUdp(ip, port, udpPort);
    store<u16>(meta + FM_IP_OFF, <u16>off);
    store<u16>(meta + FM_BASE_TOTAL, <u16>(IPV4_MIN_HEADER + UDP_HEADER_LEN + GASP_MIN_LEN));
    store<u16>(meta + FM_BASE_IPSUM, <u16>ld16be(ip + IPV4_OFF_CHECKSUM));
    store<u64>(meta + FM_UDP_SUM, udpFixedSum(ip, msg));
    off += IPV4_MIN_HEADER + UDP_HEADER_LEN;
  }
  store<u16>(meta + FM_MSG_OFF, <u16>off);
  memory.copy(f + off, msg, GASP_CONST_LEN);
}

/**
 * Builds every frame of one set from the armed config; the set's message must already hold
 * its identity block. Order: raw frames on every port first (the backplane is the shortest
 * path), then UDP. Returns the number of frames.
 */
export function buildFrames(set: i32): i32 {
  const cfg = STATE_GASP_TX_CONFIG;
  const ports = ld8(cfg + GASP_CFG_PORT_COUNT);
  let udpPort = <i32>load<u16>(cfg + GASP_CFG_UDP_PORT);
  if (udpPort == 0) udpPort = GASP_UDP_PORT;
  let n = 0;
  for (let encap = GASP_ENCAP_RAW; encap <= GASP_ENCAP_UDP; encap++) {
    for (let p = 0; p < ports; p++) {
      const port = cfg + GASP_CFG_PORTS + <usize>(p * GASP_CFG_PORT_SIZE);
      if ((ld8(port + GASP_CP_ENCAPS) & (1 << encap)) == 0) continue;
      addFrame(set, n, p, port, encap, udpPort);
      n++;
    }
  }
  return n;
}
