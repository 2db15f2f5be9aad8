// The dialect templates, built at arm time into the slot's frame buffer: every byte of the
// frame is known then, so the fault entry only copies it into the fault ring (the OAMPDU's
// Critical Event flag is the one byte patched per cause: fire.ts). Each builder validates its
// config repr first and writes nothing on a refusal.
//
//   VRRP  Ethernet (src 00:00:5e:00:01:VRID / :02:VRID) | IPv4 (TTL 255) or IPv6 (hop limit
//         255) to 224.0.0.18 / ff02::12 | VRRP v2 or v3, priority 0 | (v2) auth data
//   BFD   Ethernet | IPv4 or IPv6 (TTL 255) | UDP src port -> 3784 | control packet, state Down
//   OAM   Ethernet to 01:80:c2:00:00:02, 0x8809 | Information OAMPDU, Dying Gasp |
//         Local Information TLV | the peer's Local Information TLV echoed as Remote | end

import { E_DIALECT_CONFIG } from "../shared/status";
import {
  DIALECT_VRRP, DIALECT_BFD, DIALECT_OAM, DIALECT_FRAME_BUF, DIALECT_VRRP_MAX_ADDRS, DIALECT_MAX_COPIES, DC_PORT, DC_COPIES, DC_FAMILY, DC_FLAGS,
  DC_OWN_MAC, DC_TCI, DC_TAGGED, DCF_BFD_MULTIHOP, DCV_VERSION, DCV_VRID, DCV_PRIORITY, DCV_COUNT,
  DCV_INTERVAL, DCV_AUTH_TYPE, DCV_AUTH, DCV_SRC, DCV_ADDRS, DCB_DIAG, DCB_DETECT_MULT, DCB_SRC_PORT,
  DCB_MY_DISC, DCB_YOUR_DISC, DCB_DESIRED_MIN_TX, DCB_REQUIRED_MIN_RX, DCB_REQUIRED_MIN_ECHO_RX,
  DCB_PEER_MAC, DCB_SRC, DCB_DST, DCO_CONFIG, DCO_STATE, DCO_PDU_CONFIG, DCO_REVISION, DCO_OUI, DCO_VENDOR,
} from "../shared/dialect";
import { GASP_MAX_PORTS } from "../shared/gasp";
import {
  ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_SLOW, ETH_MIN_FRAME, IPV4_MIN_HEADER, IPV6_HEADER_LEN,
  IPV4_TOS_CS6, IPPROTO_VRRP, IPPROTO_UDP, VRRP_TTL, VRRP_HEADER_LEN, VRRP_V2_AUTH_LEN, VRRP_AUTH_NONE,
  VRRP_AUTH_PASS, VRRP_MAX_INT_V3, VRRP_OFF_CHECKSUM, BFD_PORT_SINGLE_HOP, BFD_PORT_MULTI_HOP,
  BFD_SRC_PORT_MIN, BFD_TTL, BFD_CONTROL_LEN, BFD_STATE_DOWN, BFD_DIAG_MAX, UDP_HEADER_LEN,
  UDP_OFF_CHECKSUM, OAM_CODE_INFORMATION, OAM_FLAG_DYING_GASP, OAM_FLAG_LOCAL_EVALUATING,
  OAM_FLAG_LOCAL_STABLE, OAM_FLAG_REMOTE_STABLE, OAM_OFF_FLAGS, OAM_OFF_DATA, OAM_INFO_TLV_LEN,
  OAM_TLV_LOCAL_INFO, OAM_TLV_REMOTE_INFO, OAM_INFO_OFF_TYPE, OAM_INFO_OFF_LEN, OAM_INFO_OFF_VERSION,
  OAM_INFO_OFF_REVISION, OAM_INFO_OFF_STATE, OAM_INFO_OFF_CONFIG, OAM_INFO_OFF_PDU_CONFIG, OAM_INFO_OFF_OUI,
  OAM_INFO_OFF_VENDOR, OAM_VERSION, VLAN_VID_MASK, VLAN_VID_RESERVED,
} from "../shared/wire";
import { ld8, st8, st16be } from "../lib/mem";
import { sumWords, finish } from "../wire/checksum";
import { ethWrite } from "../wire/ethernet";
import { ipv4Write, ipv4PseudoSum } from "../wire/ipv4";
import { ipv6Write, ipv6PseudoSum } from "../wire/ipv6";
import { udpWrite } from "../wire/udp";
import { vrrpWrite, vrrpAddrs } from "../wire/vrrp";
import { bfdWrite } from "../wire/bfd";
import { oamWrite } from "../wire/oampdu";
import { DialectSlot } from "./state";

// Group addresses, as on the wire.
const VRRP_GROUP4 = memory.data<u8>([224, 0, 0, 18]);
const VRRP_GROUP6 = memory.data<u8>([0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12]);
const VRRP_MAC4 = memory.data<u8>([0x01, 0x00, 0x5e, 0x00, 0x00, 0x12]);
const VRRP_MAC6 = memory.data<u8>([0x33, 0x33, 0x00, 0x00, 0x00, 0x12]);
const SLOW_PROTOCOLS_MAC = memory.data<u8>([0x01, 0x80, 0xc2, 0x00, 0x00, 0x02]);
/** Scratch for the virtual router's MAC (00:00:5e:00:01:VRID), written before each use. */
const VMAC = memory.data<u8>([0x00, 0x00, 0x5e, 0x00, 0x01, 0x00]);

/** Checks what every kind shares. */
function checkCommon(cfg: usize, familyMatters: bool): bool {
  const copies = ld8(cfg + DC_COPIES);
  if (ld8(cfg + DC_PORT) >= GASP_MAX_PORTS || copies < 1 || copies > DIALECT_MAX_COPIES) return false;
  if (familyMatters && ld8(cfg + DC_FAMILY) != 4 && ld8(cfg + DC_FAMILY) != 6) return false;
  if (ld8(cfg + DC_TAGGED) > 1) return false;
  if (ld8(cfg + DC_TAGGED) == 1 && (<i32>load<u16>(cfg + DC_TCI) & VLAN_VID_MASK) == VLAN_VID_RESERVED) return false;
  return true;
}

/** The common part of the slot, from the config. */
function fillSlot(s: DialectSlot, cfg: usize, kind: i32, len: i32, id: i32): void {
  s.kind = kind;
  s.port = ld8(cfg + DC_PORT);
  s.copies = ld8(cfg + DC_COPIES);
  s.family = ld8(cfg + DC_FAMILY);
  s.len = len;
  s.id = id;
}

@inline
function tci(cfg: usize): i32 {
  return ld8(cfg + DC_TAGGED) == 1 ? <i32>load<u16>(cfg + DC_TCI) : -1;
}

/** Zero padding up to the 60-byte minimum (the buffer was wiped): the frame length. */
@inline
function padded(len: i32): i32 {
  return len < ETH_MIN_FRAME ? ETH_MIN_FRAME : len;
}

// ---- VRRP ----------------------------------------------------------------------------------------

/** A VRRP advertisement (priority 0 unless the config says otherwise); its length or E_DIALECT_CONFIG. */
export function buildVrrp(cfg: usize, f: usize, s: DialectSlot): i32 {
  if (!checkCommon(cfg, true)) return E_DIALECT_CONFIG;
  const version = ld8(cfg + DCV_VERSION);
  const vrid = ld8(cfg + DCV_VRID);
  const count = ld8(cfg + DCV_COUNT);
  const interval = <i32>load<u16>(cfg + DCV_INTERVAL);
  const authType = ld8(cfg + DCV_AUTH_TYPE);
  const v6 = ld8(cfg + DC_FAMILY) == 6;
  if (version != 2 && version != 3) return E_DIALECT_CONFIG;
  if (vrid < 1 || count < 1 || count > DIALECT_VRRP_MAX_ADDRS) return E_DIALECT_CONFIG;
  if (version == 2) {
    // RFC 3768 is IPv4 only; its interval is whole seconds, one byte.
    if (v6 || interval < 1 || interval > 0xff || (authType != VRRP_AUTH_NONE && authType != VRRP_AUTH_PASS)) return E_DIALECT_CONFIG;
  } else if (interval < 1 || interval > VRRP_MAX_INT_V3 || authType != VRRP_AUTH_NONE) {
    return E_DIALECT_CONFIG;
  }
  const alen = v6 ? 16 : 4;
  const vlen = VRRP_HEADER_LEN + count * alen + (version == 2 ? VRRP_V2_AUTH_LEN : 0);
  memory.fill(f, 0, DIALECT_FRAME_BUF);
  store<u8>(VMAC + 4, v6 ? 0x02 : 0x01);
  store<u8>(VMAC + 5, <u8>vrid);
  const hl = ethWrite(f, v6 ? VRRP_MAC6 : VRRP_MAC4, VMAC, tci(cfg), v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
  const ip = f + <usize>hl;
  let v: usize;
  let acc: u64;
  if (v6) {
    ipv6Write(ip, IPV4_TOS_CS6, 0, vlen, IPPROTO_VRRP, VRRP_TTL, cfg + DCV_SRC, VRRP_GROUP6);
    v = ip + IPV6_HEADER_LEN;
    acc = ipv6PseudoSum(ip, IPPROTO_VRRP, <u32>vlen);
  } else {
    ipv4Write(ip, IPV4_TOS_CS6, IPV4_MIN_HEADER + vlen, 0, 0, VRRP_TTL, IPPROTO_VRRP, cfg + DCV_SRC, VRRP_GROUP4);
    v = ip + IPV4_MIN_HEADER;
    acc = version == 3 ? ipv4PseudoSum(ip, IPPROTO_VRRP, <u32>vlen) : 0; // v2: the message alone
  }
  vrrpWrite(v, version, vrid, ld8(cfg + DCV_PRIORITY), count, interval, authType);
  const a = vrrpAddrs(v);
  for (let i = 0; i < count; i++) memory.copy(a + <usize>(i * alen), cfg + DCV_ADDRS + <usize>(i * 16), <usize>alen);
  if (version == 2 && authType == VRRP_AUTH_PASS) memory.copy(a + <usize>(count * alen), cfg + DCV_AUTH, VRRP_V2_AUTH_LEN);
  st16be(v + VRRP_OFF_CHECKSUM, finish(sumWords(v, vlen, acc)));
  const len = padded(hl + (v6 ? IPV6_HEADER_LEN : IPV4_MIN_HEADER) + vlen);
  fillSlot(s, cfg, DIALECT_VRRP, len, vrid);
  return len;
}

// ---- BFD -----------------------------------------------------------------------------------------

/** A BFD control packet in state Down for one session; its length or E_DIALECT_CONFIG. */
export function buildBfd(cfg: usize, f: usize, s: DialectSlot): i32 {
  if (!checkCommon(cfg, true)) return E_DIALECT_CONFIG;
  const v6 = ld8(cfg + DC_FAMILY) == 6;
  const srcPort = <i32>load<u16>(cfg + DCB_SRC_PORT);
  const myDisc = load<u32>(cfg + DCB_MY_DISC);
  const yourDisc = load<u32>(cfg + DCB_YOUR_DISC);
  const diag = ld8(cfg + DCB_DIAG);
  const mult = ld8(cfg + DCB_DETECT_MULT);
  const minTx = load<u32>(cfg + DCB_DESIRED_MIN_TX);
  // RFC 5881 §4: source port 49152..65535; RFC 5880 §6.8.6: a peer that is not Down ignores
  // Your Discriminator 0; §6.8.1: DesiredMinTxInterval and Detect Mult are never 0.
  if (srcPort < BFD_SRC_PORT_MIN || myDisc == 0 || yourDisc == 0 || diag > BFD_DIAG_MAX || mult == 0 || minTx == 0) return E_DIALECT_CONFIG;
  const dstPort = (ld8(cfg + DC_FLAGS) & DCF_BFD_MULTIHOP) != 0 ? BFD_PORT_MULTI_HOP : BFD_PORT_SINGLE_HOP;
  const ulen = UDP_HEADER_LEN + BFD_CONTROL_LEN;
  memory.fill(f, 0, DIALECT_FRAME_BUF);
  const hl = ethWrite(f, cfg + DCB_PEER_MAC, cfg + DC_OWN_MAC, tci(cfg), v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
  const ip = f + <usize>hl;
  let u: usize;
  let acc: u64;
  if (v6) {
    ipv6Write(ip, IPV4_TOS_CS6, 0, ulen, IPPROTO_UDP, BFD_TTL, cfg + DCB_SRC, cfg + DCB_DST);
    u = ip + IPV6_HEADER_LEN;
    acc = ipv6PseudoSum(ip, IPPROTO_UDP, <u32>ulen);
  } else {
    ipv4Write(ip, IPV4_TOS_CS6, IPV4_MIN_HEADER + ulen, 0, 0, BFD_TTL, IPPROTO_UDP, cfg + DCB_SRC, cfg + DCB_DST);
    u = ip + IPV4_MIN_HEADER;
    acc = ipv4PseudoSum(ip, IPPROTO_UDP, <u32>ulen);
  }
  udpWrite(u, srcPort, dstPort, ulen);
  bfdWrite(
    u + UDP_HEADER_LEN, diag, BFD_STATE_DOWN, mult, myDisc, yourDisc, minTx, load<u32>(cfg + DCB_REQUIRED_MIN_RX),
    load<u32>(cfg + DCB_REQUIRED_MIN_ECHO_RX),
  );
  let csum = finish(sumWords(u, ulen, acc));
  if (csum == 0) csum = 0xffff; // RFC 768 / RFC 8200 §8.1: a computed zero is sent as all ones
  st16be(u + UDP_OFF_CHECKSUM, csum);
  const len = padded(hl + (v6 ? IPV6_HEADER_LEN : IPV4_MIN_HEADER) + ulen);
  fillSlot(s, cfg, DIALECT_BFD, len, srcPort);
  return len;
}

// ---- IEEE 802.3ah OAM -------------------------------------------------------------------------------

/** Offsets in the OAM frame (never tagged: slow protocols are link-local). */
const OAM_AT: usize = 14;
export const OAM_FLAGS_AT: i32 = <i32>OAM_AT + OAM_OFF_FLAGS;
export const OAM_LOCAL_AT: i32 = <i32>OAM_AT + OAM_OFF_DATA;
export const OAM_REMOTE_AT: i32 = OAM_LOCAL_AT + OAM_INFO_TLV_LEN;

/** The discovery state the flags report: evaluating until the peer's TLV is known, then stable. */
export function oamDiscoveryFlags(peerKnown: bool): i32 {
  return OAM_FLAG_DYING_GASP | (peerKnown ? OAM_FLAG_LOCAL_STABLE | OAM_FLAG_REMOTE_STABLE : OAM_FLAG_LOCAL_EVALUATING);
}

/**
 * An Information OAMPDU with the Dying Gasp flag and our Local Information TLV; the Remote
 * Information TLV is added once the peer's is learned (learn.ts). Its length (60).
 */
export function buildOam(cfg: usize, f: usize, s: DialectSlot): i32 {
  if (!checkCommon(cfg, false) || ld8(cfg + DC_TAGGED) != 0) return E_DIALECT_CONFIG;
  if ((<i32>load<u16>(cfg + DCO_PDU_CONFIG) & ~0x7ff) != 0) return E_DIALECT_CONFIG;
  memory.fill(f, 0, DIALECT_FRAME_BUF);
  ethWrite(f, SLOW_PROTOCOLS_MAC, cfg + DC_OWN_MAC, -1, ETHERTYPE_SLOW);
  const flags = oamDiscoveryFlags(false);
  oamWrite(f + OAM_AT, flags, OAM_CODE_INFORMATION);
  const t = f + <usize>OAM_LOCAL_AT;
  st8(t + OAM_INFO_OFF_TYPE, OAM_TLV_LOCAL_INFO);
  st8(t + OAM_INFO_OFF_LEN, OAM_INFO_TLV_LEN);
  st8(t + OAM_INFO_OFF_VERSION, OAM_VERSION);
  st16be(t + OAM_INFO_OFF_REVISION, <i32>load<u16>(cfg + DCO_REVISION));
  st8(t + OAM_INFO_OFF_STATE, ld8(cfg + DCO_STATE));
  st8(t + OAM_INFO_OFF_CONFIG, ld8(cfg + DCO_CONFIG));
  st16be(t + OAM_INFO_OFF_PDU_CONFIG, <i32>load<u16>(cfg + DCO_PDU_CONFIG));
  memory.copy(t + OAM_INFO_OFF_OUI, cfg + DCO_OUI, 3);
  memory.copy(t + OAM_INFO_OFF_VENDOR, cfg + DCO_VENDOR, 4);
  fillSlot(s, cfg, DIALECT_OAM, ETH_MIN_FRAME, 0);
  s.family = 0;
  s.oamFlagsOff = OAM_FLAGS_AT;
  s.oamRemoteOff = OAM_REMOTE_AT;
  s.oamBaseFlags = flags;
  s.peerKnown = 0;
  return ETH_MIN_FRAME;
}
