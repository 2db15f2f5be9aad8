// Ethernet II with an optional 802.1Q tag (IEEE 802.3 §3.1, IEEE 802.1Q §9.3).

import {
  E_CAP, E_ETHERTYPE, E_SHORT, E_ARG,
} from "../shared/status";
import {
  ETH_ALEN, ETH_HEADER_LEN, VLAN_TAG_LEN, ETH_MIN_FRAME, ETH_OFF_DST, ETH_OFF_SRC, ETH_OFF_TYPE,
  VLAN_OFF_TCI, VLAN_OFF_INNER_TYPE, ETHERTYPE_VLAN, ETHERTYPE_MIN, VLAN_VID_MASK, VLAN_VID_RESERVED,
} from "../shared/wire";
import {
  ETH_REPR_DST, ETH_REPR_SRC, ETH_REPR_ETHERTYPE, ETH_REPR_TCI, ETH_REPR_TAGGED, ETH_REPR_SIZE,
} from "../shared/repr";
import { ld16be, st16be } from "../lib/mem";

// ---- the header view: every reader of an Ethernet header (wire/, the switching path's
// parser, the gasp classifier) goes through these ----

/**
 * Length of the Ethernet header at buf: 14, or 18 with one 802.1Q tag; -1 when len bytes
 * cannot hold it. Each caller names the error its own way.
 */
@inline
export function ethHeaderLength(buf: usize, len: i32): i32 {
  if (len < ETH_HEADER_LEN) return -1;
  if (ld16be(buf + ETH_OFF_TYPE) != ETHERTYPE_VLAN) return ETH_HEADER_LEN;
  return len < ETH_HEADER_LEN + VLAN_TAG_LEN ? -1 : ETH_HEADER_LEN + VLAN_TAG_LEN;
}

/** The payload's EtherType, the inner one when tagged (hl from ethHeaderLength). */
@inline
export function ethPayloadType(buf: usize, hl: i32): i32 {
  return ld16be(buf + (hl == ETH_HEADER_LEN ? ETH_OFF_TYPE : VLAN_OFF_INNER_TYPE));
}

/** The 802.1Q TCI of a tagged header. */
@inline
export function ethTci(buf: usize): i32 {
  return ld16be(buf + VLAN_OFF_TCI);
}

// ---- the emitter: every writer of an Ethernet header (ethEmit, the gasp templates, and
// through ethEmit the announcers) ----

/**
 * Writes dst, src, an 802.1Q tag when tci >= 0 (PCP/DEI/VID, already checked) and the
 * EtherType; returns the header length (14 or 18). The caller checked the room.
 */
export function ethWrite(out: usize, dst: usize, src: usize, tci: i32, ethertype: i32): i32 {
  memory.copy(out + ETH_OFF_DST, dst, ETH_ALEN);
  memory.copy(out + ETH_OFF_SRC, src, ETH_ALEN);
  if (tci < 0) {
    st16be(out + ETH_OFF_TYPE, ethertype);
    return ETH_HEADER_LEN;
  }
  st16be(out + ETH_OFF_TYPE, ETHERTYPE_VLAN);
  st16be(out + VLAN_OFF_TCI, tci);
  st16be(out + VLAN_OFF_INNER_TYPE, ethertype);
  return ETH_HEADER_LEN + VLAN_TAG_LEN;
}

/** Exchanges destination and source: a frame answered back to its sender (the RST). */
export function ethSwapAddresses(buf: usize): void {
  const d4 = load<u32>(buf + ETH_OFF_DST);
  const d2 = load<u16>(buf + ETH_OFF_DST + 4);
  store<u32>(buf + ETH_OFF_DST, load<u32>(buf + ETH_OFF_SRC));
  store<u16>(buf + ETH_OFF_DST + 4, load<u16>(buf + ETH_OFF_SRC + 4));
  store<u32>(buf + ETH_OFF_SRC, d4);
  store<u16>(buf + ETH_OFF_SRC + 4, d2);
}

// ---- the repr codec (eth_emit / eth_parse, the high-level encoders) ----

/** Header length the repr will produce: 14, or 18 when tagged. */
export function ethHeaderLen(repr: usize): i32 {
  return load<u8>(repr + ETH_REPR_TAGGED) ? ETH_HEADER_LEN + VLAN_TAG_LEN : ETH_HEADER_LEN;
}

/** Writes the header the repr describes; returns its length or a negative status. */
export function ethEmit(repr: usize, out: usize, cap: i32): i32 {
  const len = ethHeaderLen(repr);
  if (cap < len) return E_CAP;
  let tci = -1;
  if (len != ETH_HEADER_LEN) {
    tci = <i32>load<u16>(repr + ETH_REPR_TCI);
    if ((tci & VLAN_VID_MASK) == VLAN_VID_RESERVED) return E_ARG;
  }
  return ethWrite(out, repr + ETH_REPR_DST, repr + ETH_REPR_SRC, tci, <i32>load<u16>(repr + ETH_REPR_ETHERTYPE));
}

/** Reads a header into the repr; returns the payload offset or a negative status. */
export function ethParse(buf: usize, len: i32, repr: usize): i32 {
  if (len < ETH_HEADER_LEN) return E_SHORT;
  memory.fill(repr, 0, ETH_REPR_SIZE);
  memory.copy(repr + ETH_REPR_DST, buf + ETH_OFF_DST, ETH_ALEN);
  memory.copy(repr + ETH_REPR_SRC, buf + ETH_OFF_SRC, ETH_ALEN);
  const hl = ethHeaderLength(buf, len);
  if (hl < 0) return E_SHORT;
  if (hl != ETH_HEADER_LEN) {
    store<u8>(repr + ETH_REPR_TAGGED, 1);
    store<u16>(repr + ETH_REPR_TCI, <u16>ethTci(buf));
  }
  const ethertype = ethPayloadType(buf, hl);
  if (ethertype < ETHERTYPE_MIN) return E_ETHERTYPE;
  store<u16>(repr + ETH_REPR_ETHERTYPE, <u16>ethertype);
  return hl;
}

/** Zero-pads a frame to the 60-byte minimum; returns the new length or E_CAP. */
export function ethPad(buf: usize, len: i32, cap: i32): i32 {
  if (len >= ETH_MIN_FRAME) return len;
  if (cap < ETH_MIN_FRAME) return E_CAP;
  memory.fill(buf + len, 0, ETH_MIN_FRAME - len);
  return ETH_MIN_FRAME;
}

/**
 * Fills an Ethernet repr for the high-level encoders. vlan < 0 means untagged; otherwise it
 * is the TCI (PCP/DEI/VID). Returns 0 or E_ARG.
 */
export function ethReprFill(repr: usize, dst: usize, src: usize, ethertype: u32, vlan: i32): i32 {
  memory.fill(repr, 0, ETH_REPR_SIZE);
  memory.copy(repr + ETH_REPR_DST, dst, ETH_ALEN);
  memory.copy(repr + ETH_REPR_SRC, src, ETH_ALEN);
  store<u16>(repr + ETH_REPR_ETHERTYPE, <u16>ethertype);
  if (vlan >= 0) {
    if (vlan > 0xffff || (vlan & VLAN_VID_MASK) == VLAN_VID_RESERVED) return E_ARG;
    store<u8>(repr + ETH_REPR_TAGGED, 1);
    store<u16>(repr + ETH_REPR_TCI, <u16>vlan);
  }
  return 0;
}
