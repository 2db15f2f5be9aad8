// Control-processor applications the punt service delivers to (punt.ts CpApp): small
// responders for the control processor's own addresses (and, if asked, the VIPs).
//   IcmpEchoResponder  ICMP echo (RFC 792) and ICMPv6 echo (RFC 4443 §4) -> reply
//   ArpResponder       ARP request for an owned IPv4 address -> ARP reply (RFC 826)
// Replies leave on the port the request came in on (INJECT_TX).

import { Core } from "../core/core";
import { WireCodec } from "../wire/codec";
import { CpApp, Injection, PuntedFrame } from "./punt";
import * as W from "../../assembly/shared/wire";
import { internetChecksum } from "../util/checksum";

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function l3Offset(f: Uint8Array): { l3: number; type: number } | null {
  if (f.length < W.ETH_HEADER_LEN) return null;
  let type = (f[W.ETH_OFF_TYPE] << 8) | f[W.ETH_OFF_TYPE + 1];
  let l3 = W.ETH_HEADER_LEN;
  if (type === W.ETHERTYPE_VLAN) {
    if (f.length < l3 + W.VLAN_TAG_LEN) return null;
    type = (f[W.VLAN_OFF_TCI + 2] << 8) | f[W.VLAN_OFF_TCI + 3];
    l3 += W.VLAN_TAG_LEN;
  }
  return { l3, type };
}

export class IcmpEchoResponder implements CpApp {
  readonly name = "icmp-echo";
  readonly answered = { v4: 0, v6: 0 };

  /** addresses: 4-byte and 16-byte addresses this responder answers for. */
  constructor(private readonly addresses: Uint8Array[]) {}

  private owns(a: Uint8Array): boolean {
    return this.addresses.some((x) => eq(x, a));
  }

  handle(p: PuntedFrame): Injection[] | null {
    const f = p.frame;
    const at = l3Offset(f);
    if (!at) return null;
    const { l3, type } = at;
    if (type === W.ETHERTYPE_IPV4 && f.length >= l3 + W.IPV4_MIN_HEADER) {
      const hl = (f[l3] & 0xf) * 4;
      const total = (f[l3 + 2] << 8) | f[l3 + 3];
      const icmp = l3 + hl;
      const frag = ((f[l3 + W.IPV4_OFF_FRAG] << 8) | f[l3 + W.IPV4_OFF_FRAG + 1]) & (W.IPV4_FLAG_MF | W.IPV4_FRAG_OFFSET_MASK);
      if (f[l3] >> 4 !== 4 || hl < 20 || total < hl + W.ICMP_HEADER_LEN || l3 + total > f.length || frag) return null;
      if (f[l3 + W.IPV4_OFF_PROTOCOL] !== W.IPPROTO_ICMP || f[icmp] !== W.ICMP_ECHO_REQUEST) return null;
      if (!this.owns(f.subarray(l3 + W.IPV4_OFF_DST, l3 + W.IPV4_OFF_DST + 4))) return null;
      // The reply: addresses swapped, no IP options, the echo body returned unchanged.
      const body = f.slice(icmp, l3 + total);
      const out = new Uint8Array(l3 + W.IPV4_MIN_HEADER + body.length);
      out.set(f.subarray(6, 12), 0);
      out.set(f.subarray(0, 6), 6);
      out.set(f.subarray(12, l3), 12);
      const ip = l3;
      out[ip] = 0x45;
      const tl = W.IPV4_MIN_HEADER + body.length;
      out[ip + 2] = tl >> 8;
      out[ip + 3] = tl & 0xff;
      out[ip + W.IPV4_OFF_TTL] = 64;
      out[ip + W.IPV4_OFF_PROTOCOL] = W.IPPROTO_ICMP;
      out.set(f.subarray(l3 + W.IPV4_OFF_DST, l3 + W.IPV4_OFF_DST + 4), ip + W.IPV4_OFF_SRC);
      out.set(f.subarray(l3 + W.IPV4_OFF_SRC, l3 + W.IPV4_OFF_SRC + 4), ip + W.IPV4_OFF_DST);
      const hc = internetChecksum([out.subarray(ip, ip + W.IPV4_MIN_HEADER)]);
      out[ip + W.IPV4_OFF_CHECKSUM] = hc >> 8;
      out[ip + W.IPV4_OFF_CHECKSUM + 1] = hc & 0xff;
      const m = ip + W.IPV4_MIN_HEADER;
      out.set(body, m);
      out[m + W.ICMP_OFF_TYPE] = W.ICMP_ECHO_REPLY;
      out[m + W.ICMP_OFF_CHECKSUM] = 0;
      out[m + W.ICMP_OFF_CHECKSUM + 1] = 0;
      const c = internetChecksum([out.subarray(m)]);
      out[m + W.ICMP_OFF_CHECKSUM] = c >> 8;
      out[m + W.ICMP_OFF_CHECKSUM + 1] = c & 0xff;
      this.answered.v4++;
      return [{ frame: pad60(out), port: p.port }];
    }
    if (type === W.ETHERTYPE_IPV6 && f.length >= l3 + W.IPV6_HEADER_LEN) {
      const plen = (f[l3 + 4] << 8) | f[l3 + 5];
      const icmp = l3 + W.IPV6_HEADER_LEN;
      if (f[l3] >> 4 !== 6 || f[l3 + W.IPV6_OFF_NEXT_HEADER] !== W.IPPROTO_ICMPV6 || plen < W.ICMP_HEADER_LEN || icmp + plen > f.length) return null;
      if (f[icmp] !== W.ICMPV6_ECHO_REQUEST) return null;
      if (!this.owns(f.subarray(l3 + W.IPV6_OFF_DST, l3 + W.IPV6_OFF_DST + 16))) return null;
      const out = f.slice(0, icmp + plen);
      out.set(f.subarray(6, 12), 0);
      out.set(f.subarray(0, 6), 6);
      out.set(f.subarray(l3 + W.IPV6_OFF_DST, l3 + W.IPV6_OFF_DST + 16), l3 + W.IPV6_OFF_SRC);
      out.set(f.subarray(l3 + W.IPV6_OFF_SRC, l3 + W.IPV6_OFF_SRC + 16), l3 + W.IPV6_OFF_DST);
      out[l3 + W.IPV6_OFF_HOP_LIMIT] = 64;
      out[icmp + W.ICMP_OFF_TYPE] = W.ICMPV6_ECHO_REPLY;
      out[icmp + W.ICMP_OFF_CHECKSUM] = 0;
      out[icmp + W.ICMP_OFF_CHECKSUM + 1] = 0;
      const pseudo = new Uint8Array(40);
      pseudo.set(out.subarray(l3 + W.IPV6_OFF_SRC, l3 + W.IPV6_OFF_SRC + 32), 0);
      pseudo[34] = plen >> 8;
      pseudo[35] = plen & 0xff;
      pseudo[39] = W.IPPROTO_ICMPV6;
      const c = internetChecksum([pseudo, out.subarray(icmp)]);
      out[icmp + W.ICMP_OFF_CHECKSUM] = c >> 8;
      out[icmp + W.ICMP_OFF_CHECKSUM + 1] = c & 0xff;
      this.answered.v6++;
      return [{ frame: pad60(out), port: p.port }];
    }
    return null;
  }
}

function pad60(f: Uint8Array): Uint8Array {
  if (f.length >= W.ETH_MIN_FRAME) return f;
  const out = new Uint8Array(W.ETH_MIN_FRAME);
  out.set(f);
  return out;
}

/** Answers ARP requests for owned IPv4 addresses with the owning MAC (the core's ARP encoder). */
export class ArpResponder implements CpApp {
  readonly name = "arp";
  readonly answered = { requests: 0 };
  private readonly codec: WireCodec;

  constructor(core: Core, private readonly entries: { ip: Uint8Array; mac: Uint8Array }[]) {
    this.codec = new WireCodec(core);
  }

  handle(p: PuntedFrame): Injection[] | null {
    const d = this.codec.decodeArp(p.frame);
    if (!d.ok || d.arp.op !== W.ARP_OP_REQUEST) return null;
    const mine = this.entries.find((e) => eq(e.ip, d.arp.tpa));
    if (!mine) return null;
    const reply = this.codec.encodeArp(
      { dst: d.arp.sha, src: mine.mac, ethertype: W.ETHERTYPE_ARP, tci: d.eth.tci },
      { op: W.ARP_OP_REPLY, sha: mine.mac, spa: mine.ip, tha: d.arp.sha, tpa: d.arp.spa },
    );
    this.answered.requests++;
    return [{ frame: reply, port: p.port }];
  }
}
