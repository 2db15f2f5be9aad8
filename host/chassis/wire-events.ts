// What the chassis's timeline notes about a frame a unit puts on the wire: a gasp (raw or
// UDP) or an address announcement (gratuitous ARP request or reply, unsolicited NA). Read
// with the shared header offsets, 802.1Q tags included; the core's decoders are not needed
// for a tap that only names frames (and must not cost the units' cores a call).

import * as W from "../../assembly/shared/wire";
import { GASP_OFF_TYPE, GASP_TYPE_GASP, GASP_UDP_PORT } from "../../assembly/shared/gasp";
import { be16, ethView, ipv4View } from "../wire/frame";

export interface WireEvent {
  name: "gasp.wire" | "announce.wire" | "dialect.wire";
  detail: { encap: "raw" | "udp" } | { kind: "garp" | "garp-reply" | "na" } | { kind: "vrrp" | "bfd" | "oam"; vrid?: number };
}

/** The timeline entry a transmitted frame is worth, or null. */
export function wireEvent(f: Uint8Array): WireEvent | null {
  const eth = ethView(f);
  if (!eth) return null;
  const { type, l3 } = eth;
  if (type === W.ETHERTYPE_LOCAL_EXP1) {
    return f.length > l3 + GASP_OFF_TYPE && f[l3 + GASP_OFF_TYPE] === GASP_TYPE_GASP ? { name: "gasp.wire", detail: { encap: "raw" } } : null;
  }
  if (type === W.ETHERTYPE_SLOW) {
    const flags = f.length > l3 + W.OAM_OFF_CODE ? be16(f, l3 + W.OAM_OFF_FLAGS) : 0;
    return f[l3 + W.OAM_OFF_SUBTYPE] === W.SLOW_SUBTYPE_OAM && (flags & W.OAM_FLAG_DYING_GASP) !== 0 ? { name: "dialect.wire", detail: { kind: "oam" } } : null;
  }
  if (type === W.ETHERTYPE_IPV4) {
    const ip = ipv4View(f, l3);
    if (ip && ip.protocol === W.IPPROTO_VRRP) return vrrpEvent(f, ip.l4);
    if (ip && ip.protocol === W.IPPROTO_UDP && be16(f, ip.l4 + W.UDP_OFF_DST_PORT) === W.BFD_PORT_SINGLE_HOP && f.length > ip.l4 + 9 && f[ip.l4 + 9] >> 6 === W.BFD_STATE_DOWN) {
      return { name: "dialect.wire", detail: { kind: "bfd" } };
    }
    if (!ip || ip.protocol !== W.IPPROTO_UDP) return null;
    const msg = ip.l4 + W.UDP_HEADER_LEN;
    const gasp = f.length > msg + GASP_OFF_TYPE && be16(f, ip.l4 + W.UDP_OFF_DST_PORT) === GASP_UDP_PORT && f[msg + GASP_OFF_TYPE] === GASP_TYPE_GASP;
    return gasp ? { name: "gasp.wire", detail: { encap: "udp" } } : null;
  }
  if (type === W.ETHERTYPE_ARP) {
    if (f.length < l3 + W.ARP_LEN) return null;
    // Gratuitous: the sender's protocol address is the target's (RFC 5227 announcement, or
    // the reply form some routers want).
    for (let k = 0; k < 4; k++) if (f[l3 + W.ARP_OFF_SPA + k] !== f[l3 + W.ARP_OFF_TPA + k]) return null;
    return { name: "announce.wire", detail: { kind: be16(f, l3 + W.ARP_OFF_OP) === W.ARP_OP_REQUEST ? "garp" : "garp-reply" } };
  }
  if (type === W.ETHERTYPE_IPV6) {
    const icmp = l3 + W.IPV6_HEADER_LEN;
    if (f.length > icmp + W.VRRP_OFF_PRIORITY && f[l3 + W.IPV6_OFF_NEXT_HEADER] === W.IPPROTO_VRRP) return vrrpEvent(f, icmp);
    const na = f.length > icmp + W.ICMPV6_OFF_TYPE && f[l3 + W.IPV6_OFF_NEXT_HEADER] === W.IPPROTO_ICMPV6 && f[icmp + W.ICMPV6_OFF_TYPE] === W.ICMPV6_TYPE_NA;
    return na ? { name: "announce.wire", detail: { kind: "na" } } : null;
  }
  return null;
}

/** A VRRP advert with priority 0 (the dialect: "master going away"). */
function vrrpEvent(f: Uint8Array, v: number): WireEvent | null {
  if (f.length <= v + W.VRRP_OFF_PRIORITY || f[v + W.VRRP_OFF_PRIORITY] !== 0) return null;
  return { name: "dialect.wire", detail: { kind: "vrrp", vrid: f[v + W.VRRP_OFF_VRID] } };
}
