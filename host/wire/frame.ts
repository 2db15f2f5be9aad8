// Header views for host code that looks into a frame without a core call: the chassis's
// timeline tap, a unit's demultiplexer, the control processor's responders. Offsets come from
// assembly/shared/wire.ts; an 802.1Q tag is understood everywhere (the core's parsers
// understand it too, so a tagged frame reaches the same decoder an untagged one does).
// Building and authenticating frames stays the core's job (codec.ts).

import * as W from "../../assembly/shared/wire";

/** A big-endian u16 at o (the caller has checked the bounds). */
export const be16 = (f: Uint8Array, o: number): number => (f[o] << 8) | f[o + 1];

export interface EthView {
  /** The EtherType after any 802.1Q tag. */
  type: number;
  /** Where the L3 header starts: ETH_HEADER_LEN, plus VLAN_TAG_LEN when tagged. */
  l3: number;
  tagged: boolean;
}

/** The Ethernet header, 802.1Q-aware; null when the frame is too short to hold it. */
export function ethView(f: Uint8Array): EthView | null {
  if (f.length < W.ETH_HEADER_LEN) return null;
  const outer = be16(f, W.ETH_OFF_TYPE);
  if (outer !== W.ETHERTYPE_VLAN) return { type: outer, l3: W.ETH_HEADER_LEN, tagged: false };
  if (f.length < W.ETH_HEADER_LEN + W.VLAN_TAG_LEN) return null;
  // The tag (TPID, TCI) sits where the EtherType was; the EtherType follows it.
  return { type: be16(f, W.ETH_OFF_TYPE + W.VLAN_TAG_LEN), l3: W.ETH_HEADER_LEN + W.VLAN_TAG_LEN, tagged: true };
}

export interface Ipv4View {
  protocol: number;
  /** Where the IPv4 payload starts (after the options IHL announces). */
  l4: number;
}

/** The IPv4 header at l3: version 4, IHL of 5 or more, all of it inside the frame; else null. */
export function ipv4View(f: Uint8Array, l3: number): Ipv4View | null {
  if (f.length < l3 + W.IPV4_MIN_HEADER) return null;
  const verIhl = f[l3 + W.IPV4_OFF_VER_IHL];
  const headerLen = (verIhl & 0x0f) * 4;
  if (verIhl >> 4 !== 4 || headerLen < W.IPV4_MIN_HEADER || f.length < l3 + headerLen) return null;
  return { protocol: f[l3 + W.IPV4_OFF_PROTOCOL], l4: l3 + headerLen };
}

/** The frame padded with zeros to the Ethernet minimum (what a receiver sees of a short frame). */
export function padToMinimum(f: Uint8Array): Uint8Array {
  if (f.length >= W.ETH_MIN_FRAME) return f;
  const out = new Uint8Array(W.ETH_MIN_FRAME);
  out.set(f);
  return out;
}
