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
import { ld8, ld16be, ld32be, st16be, st32be, st8 } from "../lib/mem";
import { sumWords } from "./checksum";

function flowLabel(repr: usize): u32 {
  const p = repr + IPV6_REPR_FLOW_LABEL;
  return ((<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2)) & 0xfffff;
}

// ---- the header view: every reader of an IPv6 fixed header (wire/, the switching path's
// parser) goes through these ----

@inline export function ipv6Version(ip: usize): i32 { return ld8(ip + IPV6_OFF_VER_TC_FLOW) >> 4; }
@inline export function ipv6PayloadLen(ip: usize): i32 { return ld16be(ip + IPV6_OFF_PAYLOAD_LEN); }
@inline export function ipv6NextHeader(ip: usize): i32 { return ld8(ip + IPV6_OFF_NEXT_HEADER); }

// ---- the emitter: every writer of an IPv6 header (ipv6_emit, the NA announcer, the RST
// builder) ----

/**
 * Writes the 40-byte fixed header: version 6, traffic class tc, flow label flow (20 bits),
 * payload length, next header, hop limit; src and dst point at 16-byte addresses (they may
 * be the header's own fields).
 */
export function ipv6Write(ip: usize, tc: u32, flow: u32, payloadLen: i32, next: i32, hopLimit: i32, src: usize, dst: usize): void {
  st32be(ip + IPV6_OFF_VER_TC_FLOW, (6 << 28) | ((tc & 0xff) << 20) | (flow & 0xfffff));
  st16be(ip + IPV6_OFF_PAYLOAD_LEN, payloadLen);
  st8(ip + IPV6_OFF_NEXT_HEADER, next);
  st8(ip + IPV6_OFF_HOP_LIMIT, hopLimit);
  memory.copy(ip + IPV6_OFF_SRC, src, 16);
  memory.copy(ip + IPV6_OFF_DST, dst, 16);
}

// ---- the repr codec (ipv6_emit / ipv6_parse) ----

/** Writes the 40-byte header; returns 40 or a negative status. */
export function ipv6Emit(repr: usize, out: usize, cap: i32): i32 {
  if (cap < IPV6_HEADER_LEN) return E_CAP;
  if (load<u8>(repr + IPV6_REPR_FLOW_LABEL) > 0x0f) return E_ARG; // flow label is 20 bits
  ipv6Write(
    out, <u32>load<u8>(repr + IPV6_REPR_TRAFFIC_CLASS), flowLabel(repr), load<u16>(repr + IPV6_REPR_PAYLOAD_LEN),
    load<u8>(repr + IPV6_REPR_NEXT_HEADER), load<u8>(repr + IPV6_REPR_HOP_LIMIT), repr + IPV6_REPR_SRC, repr + IPV6_REPR_DST,
  );
  return IPV6_HEADER_LEN;
}

/**
 * Reads the fixed header; the payload length must fit in len. Returns 40 (payload offset)
 * or a negative status. Extension headers are left to the caller (next header as given).
 */
export function ipv6Parse(buf: usize, len: i32, repr: usize): i32 {
  if (len < IPV6_HEADER_LEN) return E_SHORT;
  if (ipv6Version(buf) != 6) return E_VERSION;
  const payloadLen = ipv6PayloadLen(buf);
  if (payloadLen > len - IPV6_HEADER_LEN) return E_SHORT;
  const first = ld32be(buf + IPV6_OFF_VER_TC_FLOW);
  memory.fill(repr, 0, IPV6_REPR_SIZE);
  memory.copy(repr + IPV6_REPR_SRC, buf + IPV6_OFF_SRC, 16);
  memory.copy(repr + IPV6_REPR_DST, buf + IPV6_OFF_DST, 16);
  store<u8>(repr + IPV6_REPR_NEXT_HEADER, <u8>ipv6NextHeader(buf));
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
