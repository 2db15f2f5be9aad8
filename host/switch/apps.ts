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
import { be16, ethView, ipv4View, padToMinimum } from "../wire/frame";

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

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
    const eth = ethView(f);
    if (!eth) return null;
    const { l3, type } = eth;
    if (type === W.ETHERTYPE_IPV4) {
      const ip4 = ipv4View(f, l3);
      if (!ip4) return null;
      const hl = ip4.l4 - l3;
      const total = be16(f, l3 + W.IPV4_OFF_TOTAL_LEN);
      const icmp = ip4.l4;
      const frag = be16(f, l3 + W.IPV4_OFF_FRAG) & (W.IPV4_FLAG_MF | W.IPV4_FRAG_OFFSET_MASK);
      if (total < hl + W.ICMP_HEADER_LEN || l3 + total > f.length || frag) return null;
      if (ip4.protocol !== W.IPPROTO_ICMP || f[icmp] !== W.ICMP_ECHO_REQUEST) return null;
      if (!this.owns(f.subarray(l3 + W.IPV4_OFF_DST, l3 + W.IPV4_OFF_DST + 4))) return null;
      // The reply: addresses swapped, no IP options, the echo body returned unchanged.
      const body = f.slice(icmp, l3 + total);
      const out = new Uint8Array(l3 + W.IPV4_MIN_HEADER + body.length);
      swapMacs(out, f, l3);
      const ip = l3;
      out[ip + W.IPV4_OFF_VER_IHL] = 0x45; // version 4, no options
      const tl = W.IPV4_MIN_HEADER + body.length;
      out[ip + W.IPV4_OFF_TOTAL_LEN] = tl >> 8;
      out[ip + W.IPV4_OFF_TOTAL_LEN + 1] = tl & 0xff;
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
      return [{ frame: padToMinimum(out), port: p.port }];
    }
    if (type === W.ETHERTYPE_IPV6 && f.length >= l3 + W.IPV6_HEADER_LEN) {
      const plen = be16(f, l3 + W.IPV6_OFF_PAYLOAD_LEN);
      const icmp = l3 + W.IPV6_HEADER_LEN;
      if (f[l3] >> 4 !== 6 || f[l3 + W.IPV6_OFF_NEXT_HEADER] !== W.IPPROTO_ICMPV6 || plen < W.ICMP_HEADER_LEN || icmp + plen > f.length) return null;
      if (f[icmp] !== W.ICMPV6_ECHO_REQUEST) return null;
      if (!this.owns(f.subarray(l3 + W.IPV6_OFF_DST, l3 + W.IPV6_OFF_DST + 16))) return null;
      const out = f.slice(0, icmp + plen);
      swapMacs(out, f, l3);
      out.set(f.subarray(l3 + W.IPV6_OFF_DST, l3 + W.IPV6_OFF_DST + 16), l3 + W.IPV6_OFF_SRC);
      out.set(f.subarray(l3 + W.IPV6_OFF_SRC, l3 + W.IPV6_OFF_SRC + 16), l3 + W.IPV6_OFF_DST);
      out[l3 + W.IPV6_OFF_HOP_LIMIT] = 64;
      out[icmp + W.ICMP_OFF_TYPE] = W.ICMPV6_ECHO_REPLY;
      out[icmp + W.ICMP_OFF_CHECKSUM] = 0;
      out[icmp + W.ICMP_OFF_CHECKSUM + 1] = 0;
      // The pseudo-header (RFC 8200 §8.1): source, destination, u32 length, 3 zeros, next header.
      const pseudo = new Uint8Array(40);
      pseudo.set(out.subarray(l3 + W.IPV6_OFF_SRC, l3 + W.IPV6_OFF_SRC + 32), 0);
      pseudo[34] = plen >> 8;
      pseudo[35] = plen & 0xff;
      pseudo[39] = W.IPPROTO_ICMPV6;
      const c = internetChecksum([pseudo, out.subarray(icmp)]);
      out[icmp + W.ICMP_OFF_CHECKSUM] = c >> 8;
      out[icmp + W.ICMP_OFF_CHECKSUM + 1] = c & 0xff;
      this.answered.v6++;
      return [{ frame: padToMinimum(out), port: p.port }];
    }
    return null;
  }
}

/** The reply's Ethernet header: the request's addresses swapped, its tag and EtherType kept. */
function swapMacs(out: Uint8Array, f: Uint8Array, l3: number): void {
  out.set(f.subarray(W.ETH_OFF_SRC, W.ETH_OFF_SRC + W.ETH_ALEN), W.ETH_OFF_DST);
  out.set(f.subarray(W.ETH_OFF_DST, W.ETH_OFF_DST + W.ETH_ALEN), W.ETH_OFF_SRC);
  out.set(f.subarray(W.ETH_OFF_TYPE, l3), W.ETH_OFF_TYPE);
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
