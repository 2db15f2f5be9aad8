// IPv4 header (RFC 791 §3.1) with its RFC 1071 checksum.

import { E_CAP, E_CHECKSUM, E_LENGTH, E_SHORT, E_VERSION, E_ARG } from "../shared/status";
import {
  IPV4_MIN_HEADER, IPV4_OFF_VER_IHL, IPV4_OFF_TOS, IPV4_OFF_TOTAL_LEN, IPV4_OFF_IDENT,
  IPV4_OFF_FRAG, IPV4_OFF_TTL, IPV4_OFF_PROTOCOL, IPV4_OFF_CHECKSUM, IPV4_OFF_SRC, IPV4_OFF_DST,
  IPV4_FLAG_MF, IPV4_FRAG_OFFSET_MASK,
} from "../shared/wire";
import {
  IPV4_REPR_SRC, IPV4_REPR_DST, IPV4_REPR_PROTOCOL, IPV4_REPR_TTL, IPV4_REPR_TOS,
  IPV4_REPR_HEADER_LEN, IPV4_REPR_IDENT, IPV4_REPR_FRAG, IPV4_REPR_PAYLOAD_LEN, IPV4_REPR_SIZE,
} from "../shared/repr";
import { ld8, ld16be, st16be, st8 } from "../lib/mem";
import { sumWords, finish, verifies } from "./checksum";

// ---- the header view: every reader of an IPv4 header (wire/, the switching path's parser,
// the gasp classifier) goes through these; each checks what it needs in its own order ----

@inline export function ipv4Version(ip: usize): i32 { return ld8(ip + IPV4_OFF_VER_IHL) >> 4; }
/** Header length in bytes (IHL x 4). */
@inline export function ipv4HeaderLen(ip: usize): i32 { return (ld8(ip + IPV4_OFF_VER_IHL) & 0xf) << 2; }
@inline export function ipv4TotalLen(ip: usize): i32 { return ld16be(ip + IPV4_OFF_TOTAL_LEN); }
@inline export function ipv4Ident(ip: usize): i32 { return ld16be(ip + IPV4_OFF_IDENT); }
/** Flags and fragment offset (IPV4_FLAG_*, IPV4_FRAG_OFFSET_MASK). */
@inline export function ipv4FragField(ip: usize): i32 { return ld16be(ip + IPV4_OFF_FRAG); }
/** A fragment: more fragments follow, or not the first. */
@inline export function ipv4IsFragment(frag: i32): bool { return (frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) != 0; }
/** A fragment other than the first: it carries no upper-layer header. */
@inline export function ipv4IsLaterFragment(frag: i32): bool { return (frag & IPV4_FRAG_OFFSET_MASK) != 0; }
@inline export function ipv4Protocol(ip: usize): i32 { return ld8(ip + IPV4_OFF_PROTOCOL); }
/** The header checksum verifies over hl bytes. */
@inline export function ipv4ChecksumOk(ip: usize, hl: i32): bool { return verifies(sumWords(ip, hl, 0)); }

// ---- the emitter: every writer of an IPv4 header (ipv4_emit and udp4_emit, the gasp
// templates, the RST builder) ----

/**
 * Writes a 20-byte header (no options) with its checksum. src and dst point at 4-byte
 * addresses (they may be the header's own fields).
 */
export function ipv4Write(
  ip: usize, tos: i32, totalLen: i32, ident: i32, frag: i32, ttl: i32, protocol: i32, src: usize, dst: usize,
): void {
  st8(ip + IPV4_OFF_VER_IHL, 0x45);
  st8(ip + IPV4_OFF_TOS, tos);
  st16be(ip + IPV4_OFF_TOTAL_LEN, totalLen);
  st16be(ip + IPV4_OFF_IDENT, ident);
  st16be(ip + IPV4_OFF_FRAG, frag);
  st8(ip + IPV4_OFF_TTL, ttl);
  st8(ip + IPV4_OFF_PROTOCOL, protocol);
  st16be(ip + IPV4_OFF_CHECKSUM, 0);
  memory.copy(ip + IPV4_OFF_SRC, src, 4);
  memory.copy(ip + IPV4_OFF_DST, dst, 4);
  st16be(ip + IPV4_OFF_CHECKSUM, finish(sumWords(ip, IPV4_MIN_HEADER, 0)));
}

// ---- the repr codec (ipv4_emit / ipv4_parse) ----

/** Writes a 20-byte header (no options) with its checksum; returns 20 or a negative status. */
export function ipv4Emit(repr: usize, out: usize, cap: i32): i32 {
  if (cap < IPV4_MIN_HEADER) return E_CAP;
  const total = <u32>load<u16>(repr + IPV4_REPR_PAYLOAD_LEN) + IPV4_MIN_HEADER;
  if (total > 0xffff) return E_ARG;
  ipv4Write(
    out, load<u8>(repr + IPV4_REPR_TOS), total, load<u16>(repr + IPV4_REPR_IDENT), load<u16>(repr + IPV4_REPR_FRAG),
    load<u8>(repr + IPV4_REPR_TTL), load<u8>(repr + IPV4_REPR_PROTOCOL), repr + IPV4_REPR_SRC, repr + IPV4_REPR_DST,
  );
  return IPV4_MIN_HEADER;
}

/**
 * Reads and verifies a header: version, IHL, total length within len, checksum. Returns the
 * header length (payload offset) or a negative status. Trailing bytes beyond the total
 * length (Ethernet padding) are allowed.
 */
export function ipv4Parse(buf: usize, len: i32, repr: usize): i32 {
  if (len < IPV4_MIN_HEADER) return E_SHORT;
  if (ipv4Version(buf) != 4) return E_VERSION;
  const hl = ipv4HeaderLen(buf);
  if (hl < IPV4_MIN_HEADER) return E_LENGTH;
  if (hl > len) return E_SHORT;
  const total = ipv4TotalLen(buf);
  if (total < hl) return E_LENGTH;
  if (total > len) return E_SHORT;
  if (!ipv4ChecksumOk(buf, hl)) return E_CHECKSUM;
  memory.fill(repr, 0, IPV4_REPR_SIZE);
  memory.copy(repr + IPV4_REPR_SRC, buf + IPV4_OFF_SRC, 4);
  memory.copy(repr + IPV4_REPR_DST, buf + IPV4_OFF_DST, 4);
  store<u8>(repr + IPV4_REPR_PROTOCOL, <u8>ipv4Protocol(buf));
  store<u8>(repr + IPV4_REPR_TTL, load<u8>(buf + IPV4_OFF_TTL));
  store<u8>(repr + IPV4_REPR_TOS, load<u8>(buf + IPV4_OFF_TOS));
  store<u8>(repr + IPV4_REPR_HEADER_LEN, <u8>hl);
  store<u16>(repr + IPV4_REPR_IDENT, <u16>ipv4Ident(buf));
  store<u16>(repr + IPV4_REPR_FRAG, <u16>ipv4FragField(buf));
  store<u16>(repr + IPV4_REPR_PAYLOAD_LEN, <u16>(total - hl));
  return hl;
}

/** Running sum of the IPv4 pseudo-header (RFC 768) for a transport checksum. */
export function ipv4PseudoSum(ipHeader: usize, protocol: u32, transportLen: u32): u64 {
  let acc = sumWords(ipHeader + IPV4_OFF_SRC, 8, 0);
  return acc + <u64>protocol + <u64>transportLen;
}
