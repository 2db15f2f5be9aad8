// IPv6 fixed header (RFC 8200 §3) and its pseudo-header sum (§8.1).

import { E_CAP, E_SHORT, E_VERSION, E_ARG } from "../shared/status";
import {
  IPV6_HEADER_LEN, IPV6_OFF_VER_TC_FLOW, IPV6_OFF_PAYLOAD_LEN, IPV6_OFF_NEXT_HEADER,
  IPV6_OFF_HOP_LIMIT, IPV6_OFF_SRC, IPV6_OFF_DST,
} from "../shared/wire";
import {
  IPV6_REPR_SRC, IPV6_REPR_DST, IPV6_REPR_NEXT_HEADER, IPV6_REPR_HOP_LIMIT,
  IPV6_REPR_PAYLOAD_LEN, IPV6_REPR_TRAFFIC_CLASS, IPV6_REPR_FLOW_LABEL, IPV6_REPR_SIZE,
} from "../shared/repr";
import { ld16be, ld32be, st16be, st32be, st8 } from "../lib/mem";
import { sumWords } from "./checksum";

function flowLabel(repr: usize): u32 {
  const p = repr + IPV6_REPR_FLOW_LABEL;
  return ((<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2)) & 0xfffff;
}

/** Writes the 40-byte header; returns 40 or a negative status. */
export function ipv6Emit(repr: usize, out: usize, cap: i32): i32 {
  if (cap < IPV6_HEADER_LEN) return E_CAP;
  const p = repr + IPV6_REPR_FLOW_LABEL;
  if (load<u8>(p) > 0x0f) return E_ARG; // flow label is 20 bits
  const first = (6 << 28) | (<u32>load<u8>(repr + IPV6_REPR_TRAFFIC_CLASS) << 20) | flowLabel(repr);
  st32be(out + IPV6_OFF_VER_TC_FLOW, first);
  st16be(out + IPV6_OFF_PAYLOAD_LEN, load<u16>(repr + IPV6_REPR_PAYLOAD_LEN));
  st8(out + IPV6_OFF_NEXT_HEADER, load<u8>(repr + IPV6_REPR_NEXT_HEADER));
  st8(out + IPV6_OFF_HOP_LIMIT, load<u8>(repr + IPV6_REPR_HOP_LIMIT));
  memory.copy(out + IPV6_OFF_SRC, repr + IPV6_REPR_SRC, 16);
  memory.copy(out + IPV6_OFF_DST, repr + IPV6_REPR_DST, 16);
  return IPV6_HEADER_LEN;
}

/**
 * Reads the fixed header; the payload length must fit in len. Returns 40 (payload offset)
 * or a negative status. Extension headers are left to the caller (next header as given).
 */
export function ipv6Parse(buf: usize, len: i32, repr: usize): i32 {
  if (len < IPV6_HEADER_LEN) return E_SHORT;
  const first = ld32be(buf + IPV6_OFF_VER_TC_FLOW);
  if (first >> 28 != 6) return E_VERSION;
  const payloadLen = <i32>ld16be(buf + IPV6_OFF_PAYLOAD_LEN);
  if (payloadLen > len - IPV6_HEADER_LEN) return E_SHORT;
  memory.fill(repr, 0, IPV6_REPR_SIZE);
  memory.copy(repr + IPV6_REPR_SRC, buf + IPV6_OFF_SRC, 16);
  memory.copy(repr + IPV6_REPR_DST, buf + IPV6_OFF_DST, 16);
  store<u8>(repr + IPV6_REPR_NEXT_HEADER, load<u8>(buf + IPV6_OFF_NEXT_HEADER));
  store<u8>(repr + IPV6_REPR_HOP_LIMIT, load<u8>(buf + IPV6_OFF_HOP_LIMIT));
  store<u16>(repr + IPV6_REPR_PAYLOAD_LEN, <u16>payloadLen);
  store<u8>(repr + IPV6_REPR_TRAFFIC_CLASS, <u8>(first >> 20));
  const flow = first & 0xfffff;
  store<u8>(repr + IPV6_REPR_FLOW_LABEL, <u8>(flow >> 16));
  store<u8>(repr + IPV6_REPR_FLOW_LABEL + 1, <u8>(flow >> 8));
  store<u8>(repr + IPV6_REPR_FLOW_LABEL + 2, <u8>flow);
  return IPV6_HEADER_LEN;
}

/** Running sum of the IPv6 pseudo-header (RFC 8200 §8.1) for an upper-layer checksum. */
export function ipv6PseudoSum(ipHeader: usize, nextHeader: u32, upperLen: u32): u64 {
  const acc = sumWords(ipHeader + IPV6_OFF_SRC, 32, 0);
  return acc + <u64>(upperLen >> 16) + <u64>(upperLen & 0xffff) + <u64>nextHeader;
}
