// The gasp message (docs/gasp-protocol.md "Message"): emit and parse side by side.
// Multi-byte fields are big-endian on the wire; the received-message repr is little-endian
// like every repr (shared/repr.ts).

import {
  GASP_MAGIC, GASP_VERSION, GASP_OFF_MAGIC, GASP_OFF_VERSION, GASP_OFF_TYPE, GASP_OFF_CHASSIS,
  GASP_OFF_UNIT, GASP_OFF_ROLE, GASP_OFF_PRIORITY, GASP_OFF_KEY_ID, GASP_OFF_BOOT, GASP_OFF_EPOCH,
  GASP_OFF_FLAGS, GASP_OFF_CAUSE, GASP_OFF_EXCERPT_LEN, GASP_OFF_RESERVED, GASP_OFF_SEQ,
  GASP_OFF_PC, GASP_OFF_UPTIME, GASP_OFF_VECTOR, GASP_OFF_EXCERPT, GASP_FIXED_LEN,
  GASP_MR_TYPE, GASP_MR_UNIT, GASP_MR_ROLE, GASP_MR_PRIORITY, GASP_MR_CHASSIS, GASP_MR_BOOT,
  GASP_MR_EPOCH, GASP_MR_SEQ, GASP_MR_PC, GASP_MR_UPTIME, GASP_MR_VECTOR, GASP_MR_FLAGS,
  GASP_MR_CAUSE, GASP_MR_KEY_ID, GASP_MR_EXCERPT_LEN, GASP_MR_EXCERPT, GASP_EXCERPT_MAX,
} from "../shared/gasp";
import { ld8, ld16be, ld32be, st8, st16be, st32be } from "../lib/mem";

@inline
export function st64be(p: usize, v: u64): void {
  store<u64>(p, bswap<u64>(v));
}

@inline
export function ld64be(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}

/** Writes the identity block, bytes 0..GASP_CONST_LEN: fixed for a boot until gasp_update. */
export function emitIdentity(
  m: usize, type: i32, chassis: u32, unit: i32, role: i32, priority: i32, keyId: i32, boot: u32, epoch: u32,
): void {
  st16be(m + GASP_OFF_MAGIC, GASP_MAGIC);
  st8(m + GASP_OFF_VERSION, GASP_VERSION);
  st8(m + GASP_OFF_TYPE, type);
  st32be(m + GASP_OFF_CHASSIS, chassis);
  st8(m + GASP_OFF_UNIT, unit);
  st8(m + GASP_OFF_ROLE, role);
  st8(m + GASP_OFF_PRIORITY, priority);
  st8(m + GASP_OFF_KEY_ID, keyId);
  st32be(m + GASP_OFF_BOOT, boot);
  st32be(m + GASP_OFF_EPOCH, epoch);
}

/**
 * Writes the per-message part, bytes 20..52, and copies the n-byte excerpt after it.
 * Returns the MAC input length (52 + n); the MAC goes right after.
 */
export function emitPerMessage(
  m: usize, flags: i32, cause: i32, seq: u64, pc: u64, uptime: u64, vector: u32, excerpt: usize, n: i32,
): i32 {
  st8(m + GASP_OFF_FLAGS, flags);
  st8(m + GASP_OFF_CAUSE, cause);
  st8(m + GASP_OFF_EXCERPT_LEN, n);
  st8(m + GASP_OFF_RESERVED, 0);
  st64be(m + GASP_OFF_SEQ, seq);
  st64be(m + GASP_OFF_PC, pc);
  st64be(m + GASP_OFF_UPTIME, uptime);
  st32be(m + GASP_OFF_VECTOR, vector);
  if (n > 0) memory.copy(m + GASP_OFF_EXCERPT, excerpt, n);
  return GASP_FIXED_LEN + n;
}

// ---- parse: field readers over a message the receiver has bounds-checked -------------------

@inline export function msgMagic(m: usize): i32 { return ld16be(m + GASP_OFF_MAGIC); }
@inline export function msgVersion(m: usize): i32 { return ld8(m + GASP_OFF_VERSION); }
@inline export function msgType(m: usize): i32 { return ld8(m + GASP_OFF_TYPE); }
@inline export function msgChassis(m: usize): u32 { return ld32be(m + GASP_OFF_CHASSIS); }
@inline export function msgUnit(m: usize): i32 { return ld8(m + GASP_OFF_UNIT); }
@inline export function msgKeyId(m: usize): i32 { return ld8(m + GASP_OFF_KEY_ID); }
@inline export function msgBoot(m: usize): u32 { return ld32be(m + GASP_OFF_BOOT); }
@inline export function msgExcerptLen(m: usize): i32 { return ld8(m + GASP_OFF_EXCERPT_LEN); }
@inline export function msgSeq(m: usize): u64 { return ld64be(m + GASP_OFF_SEQ); }

/** Fills the received-message repr from an authenticated message (excerpt zero-padded). */
export function parseToRepr(m: usize, repr: usize): void {
  const n = msgExcerptLen(m);
  store<u8>(repr + GASP_MR_TYPE, <u8>msgType(m));
  store<u8>(repr + GASP_MR_UNIT, <u8>msgUnit(m));
  store<u8>(repr + GASP_MR_ROLE, load<u8>(m + GASP_OFF_ROLE));
  store<u8>(repr + GASP_MR_PRIORITY, load<u8>(m + GASP_OFF_PRIORITY));
  store<u32>(repr + GASP_MR_CHASSIS, msgChassis(m));
  store<u32>(repr + GASP_MR_BOOT, msgBoot(m));
  store<u32>(repr + GASP_MR_EPOCH, ld32be(m + GASP_OFF_EPOCH));
  store<u64>(repr + GASP_MR_SEQ, msgSeq(m));
  store<u64>(repr + GASP_MR_PC, ld64be(m + GASP_OFF_PC));
  store<u64>(repr + GASP_MR_UPTIME, ld64be(m + GASP_OFF_UPTIME));
  store<u32>(repr + GASP_MR_VECTOR, ld32be(m + GASP_OFF_VECTOR));
  store<u8>(repr + GASP_MR_FLAGS, load<u8>(m + GASP_OFF_FLAGS));
  store<u8>(repr + GASP_MR_CAUSE, load<u8>(m + GASP_OFF_CAUSE));
  store<u8>(repr + GASP_MR_KEY_ID, <u8>msgKeyId(m));
  store<u8>(repr + GASP_MR_EXCERPT_LEN, <u8>n);
  memory.fill(repr + GASP_MR_EXCERPT, 0, GASP_EXCERPT_MAX);
  memory.copy(repr + GASP_MR_EXCERPT, m + GASP_OFF_EXCERPT, n);
}
