// ICMPv6 Neighbor Advertisement (RFC 4861 §4.4, §7.1.2 validation, §7.2.6 unsolicited form).

import {
  E_CAP, E_CHECKSUM, E_ETHERTYPE, E_FIELD, E_LENGTH, E_PROTO, E_SHORT,
} from "../shared/status";
import {
  ETHERTYPE_IPV6, IPPROTO_ICMPV6, ICMPV6_TYPE_NA, ICMPV6_OFF_TYPE, ICMPV6_OFF_CODE,
  ICMPV6_OFF_CHECKSUM, NA_OFF_FLAGS, NA_OFF_TARGET, NA_LEN, NDP_OPT_TLLA, NDP_OPT_UNIT,
  NDP_HOP_LIMIT, IPV6_HEADER_LEN, ETH_ALEN,
} from "../shared/wire";
import {
  ETH_REPR_ETHERTYPE, IPV6_REPR_NEXT_HEADER, IPV6_REPR_HOP_LIMIT, IPV6_REPR_PAYLOAD_LEN,
  IPV6_REPR_SRC, IPV6_REPR_DST, IPV6_REPR_SIZE, NA_REPR_FLAGS, NA_REPR_HAS_TLLA, NA_REPR_TLLA,
  NA_REPR_TARGET, NA_REPR_SIZE, NA_FLAG_SOLICITED, NA_FLAG_OVERRIDE, NA_FLAG_ROUTER,
} from "../shared/repr";
import { ld16be, st16be, st8 } from "../lib/mem";
import { sumWords, finish, verifies } from "./checksum";
import { ethEmit, ethParse, ethPad, ethReprFill } from "./ethernet";
import { ipv6Emit, ipv6Parse, ipv6PseudoSum } from "./ipv6";
import { ALL_NODES_MAC, ALL_NODES_IP6 } from "../lib/consts";
import { STATE_WIRE_ETH, STATE_WIRE_IP6, STATE_WIRE_NA } from "../state";

const TLLA_OPT_LEN = 8;

/** Writes Ethernet + IPv6 + NA (+ TLLA option); returns the frame length. */
export function naEmit(eth: usize, ip6: usize, na: usize, out: usize, cap: i32): i32 {
  store<u16>(eth + ETH_REPR_ETHERTYPE, ETHERTYPE_IPV6);
  const hl = ethEmit(eth, out, cap);
  if (hl < 0) return hl;
  const hasTlla = load<u8>(na + NA_REPR_HAS_TLLA) != 0;
  const icmpLen = NA_LEN + (hasTlla ? TLLA_OPT_LEN : 0);
  if (cap - hl < IPV6_HEADER_LEN + icmpLen) return E_CAP;
  store<u8>(ip6 + IPV6_REPR_NEXT_HEADER, IPPROTO_ICMPV6);
  store<u16>(ip6 + IPV6_REPR_PAYLOAD_LEN, <u16>icmpLen);
  const ipStart = out + hl;
  const ihl = ipv6Emit(ip6, ipStart, cap - hl);
  if (ihl < 0) return ihl;
  const m = ipStart + ihl;
  st8(m + ICMPV6_OFF_TYPE, ICMPV6_TYPE_NA);
  st8(m + ICMPV6_OFF_CODE, 0);
  st16be(m + ICMPV6_OFF_CHECKSUM, 0);
  st8(m + NA_OFF_FLAGS, load<u8>(na + NA_REPR_FLAGS) & 0xe0);
  memory.fill(m + NA_OFF_FLAGS + 1, 0, 3);
  memory.copy(m + NA_OFF_TARGET, na + NA_REPR_TARGET, 16);
  if (hasTlla) {
    st8(m + NA_LEN, NDP_OPT_TLLA);
    st8(m + NA_LEN + 1, 1);
    memory.copy(m + NA_LEN + 2, na + NA_REPR_TLLA, ETH_ALEN);
  }
  const csum = finish(sumWords(m, icmpLen, ipv6PseudoSum(ipStart, IPPROTO_ICMPV6, icmpLen)));
  st16be(m + ICMPV6_OFF_CHECKSUM, csum);
  return ethPad(out, hl + ihl + icmpLen, cap);
}

/**
 * Reads and validates an NA per RFC 4861 §7.1.2: hop limit 255, checksum, code 0, ICMP
 * length >= 24, target not multicast, S clear when sent to multicast, every option length
 * non-zero and inside the message. Returns 0 or a negative status. Extension headers
 * between IPv6 and ICMPv6 are not supported (E_PROTO).
 */
export function naParse(buf: usize, len: i32, eth: usize, ip6: usize, na: usize): i32 {
  const hl = ethParse(buf, len, eth);
  if (hl < 0) return hl;
  if (<u32>load<u16>(eth + ETH_REPR_ETHERTYPE) != ETHERTYPE_IPV6) return E_ETHERTYPE;
  const ipStart = buf + hl;
  const ihl = ipv6Parse(ipStart, len - hl, ip6);
  if (ihl < 0) return ihl;
  if (<u32>load<u8>(ip6 + IPV6_REPR_NEXT_HEADER) != IPPROTO_ICMPV6) return E_PROTO;
  const icmpLen = <i32>load<u16>(ip6 + IPV6_REPR_PAYLOAD_LEN);
  if (icmpLen < NA_LEN) return E_SHORT;
  const m = ipStart + ihl;
  if (<u32>load<u8>(m + ICMPV6_OFF_TYPE) != ICMPV6_TYPE_NA) return E_PROTO;
  if (load<u8>(ip6 + IPV6_REPR_HOP_LIMIT) != NDP_HOP_LIMIT) return E_FIELD;
  if (load<u8>(m + ICMPV6_OFF_CODE) != 0) return E_FIELD;
  if (!verifies(sumWords(m, icmpLen, ipv6PseudoSum(ipStart, IPPROTO_ICMPV6, icmpLen)))) {
    return E_CHECKSUM;
  }
  if (load<u8>(m + NA_OFF_TARGET) == 0xff) return E_FIELD;
  const flags = <u32>load<u8>(m + NA_OFF_FLAGS) & 0xe0;
  if (load<u8>(ip6 + IPV6_REPR_DST) == 0xff && (flags & NA_FLAG_SOLICITED) != 0) return E_FIELD;
  memory.fill(na, 0, NA_REPR_SIZE);
  store<u8>(na + NA_REPR_FLAGS, <u8>flags);
  memory.copy(na + NA_REPR_TARGET, m + NA_OFF_TARGET, 16);
  let off = NA_LEN;
  while (off < icmpLen) {
    if (icmpLen - off < 2) return E_LENGTH;
    const optLen = <i32>load<u8>(m + off + 1) * NDP_OPT_UNIT;
    if (optLen == 0 || optLen > icmpLen - off) return E_LENGTH;
    if (<u32>load<u8>(m + off) == NDP_OPT_TLLA && optLen >= 2 + ETH_ALEN) {
      store<u8>(na + NA_REPR_HAS_TLLA, 1);
      memory.copy(na + NA_REPR_TLLA, m + off + 2, ETH_ALEN);
    }
    off += optLen;
  }
  return 0;
}

/**
 * Builds the unsolicited NA an HA node sends after taking over target (16 bytes) with mac:
 * to ff02::1 / 33:33:00:00:00:01, source = target, hop limit 255, S = 0, O = 1, R when
 * router != 0, with the target link-layer address option. Returns the frame length.
 *
 * Source = target follows keepalived; RFC 4861 §7.2.6 wants "an address assigned to the
 * interface", which the address being taken over is.
 */
export function naUnsolicited(mac: usize, target: usize, router: i32, vlan: i32, out: usize, cap: i32): i32 {
  const eth = STATE_WIRE_ETH;
  const ip6 = STATE_WIRE_IP6;
  const na = STATE_WIRE_NA;
  const rc = ethReprFill(eth, ALL_NODES_MAC, mac, ETHERTYPE_IPV6, vlan);
  if (rc < 0) return rc;
  memory.fill(ip6, 0, IPV6_REPR_SIZE);
  memory.copy(ip6 + IPV6_REPR_SRC, target, 16);
  memory.copy(ip6 + IPV6_REPR_DST, ALL_NODES_IP6, 16);
  store<u8>(ip6 + IPV6_REPR_HOP_LIMIT, NDP_HOP_LIMIT);
  memory.fill(na, 0, NA_REPR_SIZE);
  store<u8>(na + NA_REPR_FLAGS, <u8>(NA_FLAG_OVERRIDE | (router != 0 ? NA_FLAG_ROUTER : 0)));
  store<u8>(na + NA_REPR_HAS_TLLA, 1);
  memory.copy(na + NA_REPR_TLLA, mac, ETH_ALEN);
  memory.copy(na + NA_REPR_TARGET, target, 16);
  return naEmit(eth, ip6, na, out, cap);
}
