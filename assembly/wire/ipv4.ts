// IPv4 header (RFC 791 §3.1) with its RFC 1071 checksum.

import { E_CAP, E_CHECKSUM, E_LENGTH, E_SHORT, E_VERSION, E_ARG } from "../shared/status";
import {
  IPV4_MIN_HEADER, IPV4_OFF_VER_IHL, IPV4_OFF_TOS, IPV4_OFF_TOTAL_LEN, IPV4_OFF_IDENT,
  IPV4_OFF_FRAG, IPV4_OFF_TTL, IPV4_OFF_PROTOCOL, IPV4_OFF_CHECKSUM, IPV4_OFF_SRC, IPV4_OFF_DST,
} from "../shared/wire";
import {
  IPV4_REPR_SRC, IPV4_REPR_DST, IPV4_REPR_PROTOCOL, IPV4_REPR_TTL, IPV4_REPR_TOS,
  IPV4_REPR_HEADER_LEN, IPV4_REPR_IDENT, IPV4_REPR_FRAG, IPV4_REPR_PAYLOAD_LEN, IPV4_REPR_SIZE,
} from "../shared/repr";
import { ld16be, st16be, st8 } from "../lib/mem";
import { sumWords, finish, verifies } from "./checksum";

/** Writes a 20-byte header (no options) with its checksum; returns 20 or a negative status. */
export function ipv4Emit(repr: usize, out: usize, cap: i32): i32 {
  if (cap < IPV4_MIN_HEADER) return E_CAP;
  const total = <u32>load<u16>(repr + IPV4_REPR_PAYLOAD_LEN) + IPV4_MIN_HEADER;
  if (total > 0xffff) return E_ARG;
  st8(out + IPV4_OFF_VER_IHL, 0x45);
  st8(out + IPV4_OFF_TOS, load<u8>(repr + IPV4_REPR_TOS));
  st16be(out + IPV4_OFF_TOTAL_LEN, total);
  st16be(out + IPV4_OFF_IDENT, load<u16>(repr + IPV4_REPR_IDENT));
  st16be(out + IPV4_OFF_FRAG, load<u16>(repr + IPV4_REPR_FRAG));
  st8(out + IPV4_OFF_TTL, load<u8>(repr + IPV4_REPR_TTL));
  st8(out + IPV4_OFF_PROTOCOL, load<u8>(repr + IPV4_REPR_PROTOCOL));
  st16be(out + IPV4_OFF_CHECKSUM, 0);
  memory.copy(out + IPV4_OFF_SRC, repr + IPV4_REPR_SRC, 4);
  memory.copy(out + IPV4_OFF_DST, repr + IPV4_REPR_DST, 4);
  st16be(out + IPV4_OFF_CHECKSUM, finish(sumWords(out, IPV4_MIN_HEADER, 0)));
  return IPV4_MIN_HEADER;
}

/**
 * Reads and verifies a header: version, IHL, total length within len, checksum. Returns the
 * header length (payload offset) or a negative status. Trailing bytes beyond the total
 * length (Ethernet padding) are allowed.
 */
export function ipv4Parse(buf: usize, len: i32, repr: usize): i32 {
  if (len < IPV4_MIN_HEADER) return E_SHORT;
  const verIhl = <u32>load<u8>(buf + IPV4_OFF_VER_IHL);
  if (verIhl >> 4 != 4) return E_VERSION;
  const hl = <i32>(verIhl & 0xf) * 4;
  if (hl < IPV4_MIN_HEADER) return E_LENGTH;
  if (hl > len) return E_SHORT;
  const total = <i32>ld16be(buf + IPV4_OFF_TOTAL_LEN);
  if (total < hl) return E_LENGTH;
  if (total > len) return E_SHORT;
  if (!verifies(sumWords(buf, hl, 0))) return E_CHECKSUM;
  memory.fill(repr, 0, IPV4_REPR_SIZE);
  memory.copy(repr + IPV4_REPR_SRC, buf + IPV4_OFF_SRC, 4);
  memory.copy(repr + IPV4_REPR_DST, buf + IPV4_OFF_DST, 4);
  store<u8>(repr + IPV4_REPR_PROTOCOL, load<u8>(buf + IPV4_OFF_PROTOCOL));
  store<u8>(repr + IPV4_REPR_TTL, load<u8>(buf + IPV4_OFF_TTL));
  store<u8>(repr + IPV4_REPR_TOS, load<u8>(buf + IPV4_OFF_TOS));
  store<u8>(repr + IPV4_REPR_HEADER_LEN, <u8>hl);
  store<u16>(repr + IPV4_REPR_IDENT, <u16>ld16be(buf + IPV4_OFF_IDENT));
  store<u16>(repr + IPV4_REPR_FRAG, <u16>ld16be(buf + IPV4_OFF_FRAG));
  store<u16>(repr + IPV4_REPR_PAYLOAD_LEN, <u16>(total - hl));
  return hl;
}

/** Running sum of the IPv4 pseudo-header (RFC 768) for a transport checksum. */
export function ipv4PseudoSum(ipHeader: usize, protocol: u32, transportLen: u32): u64 {
  let acc = sumWords(ipHeader + IPV4_OFF_SRC, 8, 0);
  return acc + <u64>protocol + <u64>transportLen;
}
