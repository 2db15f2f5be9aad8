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
  ETHERTYPE_IPV4, ETHERTYPE_LOCAL_EXP1, IPV4_MIN_HEADER, IPV4_OFF_CHECKSUM, IPV4_OFF_SRC, IPV4_FLAG_DF,
  IPPROTO_UDP, UDP_HEADER_LEN, UDP_OFF_SRC_PORT,
} from "../shared/wire";
import { STATE_GASP_TX_CONFIG } from "../state";
import { ld8, ld16be } from "../lib/mem";
import { sumWords } from "../wire/checksum";
import { ethWrite } from "../wire/ethernet";
import { ipv4Write } from "../wire/ipv4";
import { udpWrite } from "../wire/udp";
import {
  frameMeta, setFrame, setMessage, FM_ADDR, FM_MSG_OFF, FM_IP_OFF, FM_PORT, FM_ENCAP, FM_BASE_TOTAL,
  FM_BASE_IPSUM, FM_UDP_SUM,
} from "./txstate";

/** Writes the Ethernet header; returns its length (14, or 18 when tagged). */
function emitEthernet(f: usize, port: usize, ethertype: i32): i32 {
  const tci = ld8(port + GASP_CP_TAGGED) == 0 ? -1 : <i32>load<u16>(port + GASP_CP_TCI);
  return ethWrite(f, port + GASP_CP_PEER_MAC, port + GASP_CP_OWN_MAC, tci, ethertype);
}

/**
 * IPv4 + UDP headers for an empty excerpt. The identification is 0: with DF set the datagram
 * is atomic (RFC 6864 §4.1), so no receiver reassembles it and every copy may carry the same.
 */
function emitIpUdp(ip: usize, port: usize, udpPort: i32): void {
  const cfg = STATE_GASP_TX_CONFIG;
  const ttl = ld8(cfg + GASP_CFG_TTL);
  ipv4Write(
    ip, ld8(cfg + GASP_CFG_TOS), IPV4_MIN_HEADER + UDP_HEADER_LEN + GASP_MIN_LEN, 0, IPV4_FLAG_DF,
    ttl != 0 ? ttl : GASP_IP_TTL_DEFAULT, IPPROTO_UDP, port + GASP_CP_OWN_IP, port + GASP_CP_PEER_IP,
  );
  udpWrite(ip + IPV4_MIN_HEADER, udpPort, udpPort, UDP_HEADER_LEN + GASP_MIN_LEN);
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
