// ARP for Ethernet/IPv4 (RFC 826) and the announcement forms HA systems send
// (RFC 5227 §2.3 announcement and §2.1.1 probe; the "arping -A" reply variant).

import { E_CAP, E_ETHERTYPE, E_FIELD, E_SHORT } from "../shared/status";
import {
  ARP_LEN, ARP_OFF_HTYPE, ARP_OFF_PTYPE, ARP_OFF_HLEN, ARP_OFF_PLEN, ARP_OFF_OP, ARP_OFF_SHA,
  ARP_OFF_SPA, ARP_OFF_THA, ARP_OFF_TPA, ARP_HTYPE_ETHERNET, ARP_OP_REQUEST, ARP_OP_REPLY,
  ETHERTYPE_ARP, ETHERTYPE_IPV4, ETH_ALEN,
} from "../shared/wire";
import {
  ARP_REPR_OP, ARP_REPR_SHA, ARP_REPR_SPA, ARP_REPR_THA, ARP_REPR_TPA, ARP_REPR_SIZE,
  ETH_REPR_ETHERTYPE,
} from "../shared/repr";
import { ld16be, st16be, st8 } from "../lib/mem";
import { ethEmit, ethParse, ethPad, ethReprFill } from "./ethernet";
import { STATE_WIRE_ETH, STATE_WIRE_ARP } from "../state";
import { BROADCAST_MAC } from "../lib/consts";

/** Writes a full ARP frame (Ethernet header + ARP, padded to 60); returns its length. */
export function arpEmit(eth: usize, arp: usize, out: usize, cap: i32): i32 {
  store<u16>(eth + ETH_REPR_ETHERTYPE, ETHERTYPE_ARP);
  const hl = ethEmit(eth, out, cap);
  if (hl < 0) return hl;
  if (cap < hl + ARP_LEN) return E_CAP;
  const p = out + hl;
  st16be(p + ARP_OFF_HTYPE, ARP_HTYPE_ETHERNET);
  st16be(p + ARP_OFF_PTYPE, ETHERTYPE_IPV4);
  st8(p + ARP_OFF_HLEN, 6);
  st8(p + ARP_OFF_PLEN, 4);
  st16be(p + ARP_OFF_OP, <u32>load<u16>(arp + ARP_REPR_OP));
  memory.copy(p + ARP_OFF_SHA, arp + ARP_REPR_SHA, 6);
  memory.copy(p + ARP_OFF_SPA, arp + ARP_REPR_SPA, 4);
  memory.copy(p + ARP_OFF_THA, arp + ARP_REPR_THA, 6);
  memory.copy(p + ARP_OFF_TPA, arp + ARP_REPR_TPA, 4);
  return ethPad(out, hl + ARP_LEN, cap);
}

/** Reads an ARP frame into the reprs; returns 0 or a negative status. */
export function arpParse(buf: usize, len: i32, eth: usize, arp: usize): i32 {
  const hl = ethParse(buf, len, eth);
  if (hl < 0) return hl;
  if (<u32>load<u16>(eth + ETH_REPR_ETHERTYPE) != ETHERTYPE_ARP) return E_ETHERTYPE;
  if (len - hl < ARP_LEN) return E_SHORT;
  const p = buf + hl;
  if (ld16be(p + ARP_OFF_HTYPE) != ARP_HTYPE_ETHERNET) return E_FIELD;
  if (ld16be(p + ARP_OFF_PTYPE) != ETHERTYPE_IPV4) return E_FIELD;
  if (load<u8>(p + ARP_OFF_HLEN) != 6 || load<u8>(p + ARP_OFF_PLEN) != 4) return E_FIELD;
  const op = ld16be(p + ARP_OFF_OP);
  if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY) return E_FIELD;
  memory.fill(arp, 0, ARP_REPR_SIZE);
  store<u16>(arp + ARP_REPR_OP, <u16>op);
  memory.copy(arp + ARP_REPR_SHA, p + ARP_OFF_SHA, 6);
  memory.copy(arp + ARP_REPR_SPA, p + ARP_OFF_SPA, 4);
  memory.copy(arp + ARP_REPR_THA, p + ARP_OFF_THA, 6);
  memory.copy(arp + ARP_REPR_TPA, p + ARP_OFF_TPA, 4);
  return 0;
}

// The three announcement forms differ only in opcode, sender IP and target MAC.
export const ARP_KIND_ANNOUNCE = 0; // RFC 5227 announcement: request, SPA = TPA, THA zero
export const ARP_KIND_REPLY = 1; // arping -A: reply, SPA = TPA, THA = own MAC
export const ARP_KIND_PROBE = 2; // RFC 5227 probe: request, SPA 0.0.0.0, THA zero

/**
 * Builds a broadcast announcement of ip (4 bytes) for mac (6 bytes). vlan < 0: untagged.
 * Returns the frame length (60) or a negative status.
 */
export function arpAnnounce(kind: i32, mac: usize, ip: usize, vlan: i32, out: usize, cap: i32): i32 {
  const eth = STATE_WIRE_ETH;
  const arp = STATE_WIRE_ARP;
  const rc = ethReprFill(eth, BROADCAST_MAC, mac, ETHERTYPE_ARP, vlan);
  if (rc < 0) return rc;
  memory.fill(arp, 0, ARP_REPR_SIZE);
  store<u16>(arp + ARP_REPR_OP, kind == ARP_KIND_REPLY ? ARP_OP_REPLY : ARP_OP_REQUEST);
  memory.copy(arp + ARP_REPR_SHA, mac, ETH_ALEN);
  if (kind != ARP_KIND_PROBE) memory.copy(arp + ARP_REPR_SPA, ip, 4);
  if (kind == ARP_KIND_REPLY) memory.copy(arp + ARP_REPR_THA, mac, ETH_ALEN);
  memory.copy(arp + ARP_REPR_TPA, ip, 4);
  return arpEmit(eth, arp, out, cap);
}
