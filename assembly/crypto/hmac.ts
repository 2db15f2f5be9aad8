// HMAC-SHA256 (RFC 2104) with precomputed key states.
//
// hmacSetKey() compresses K^ipad and K^opad once and keeps the two intermediate hash states
// in a key slot. A MAC at use time then resumes from them: for a message of up to 55 bytes
// that is exactly two compressions (inner: message + padding; outer: inner digest + padding),
// and ceil((len + 9) / 64) + 1 in general. The fault path depends on this.
//
// Slot layout (HMAC_SLOT_SIZE bytes): +0 inner state[32], +32 outer state[32],
// +64 key id u32, +68 valid u32.

import { STATE_HMAC_SLOTS, STATE_SHA_CTX_A, STATE_SHA_SCRATCH, STATE_SHA_SCHEDULE } from "../state";
import { H0, SHA_CTX_SIZE, SHA_SCHEDULE_SIZE, compress, sha256, shaResume, shaUpdate, shaFinal } from "./sha256";

export const HMAC_SLOT_SIZE: usize = 128;
export const HMAC_SLOT_COUNT: i32 = 8;
export const SLOT_INNER: usize = 0; // exported: the gasp sender copies both states at arm time
export const SLOT_OUTER: usize = 32;
const SLOT_KEY_ID: usize = 64;
const SLOT_VALID: usize = 68;

/**
 * Zeroes the scratch a key set-up or a MAC leaves key-derived bytes in: context A (a long key's
 * hash, the inner digest), the pad block / inner digest scratch, and compress()'s message
 * schedule (the last block compressed: K ^ opad after a set-up). docs/memory-map.md.
 */
function wipeScratch(): void {
  memory.fill(STATE_SHA_CTX_A, 0, SHA_CTX_SIZE);
  memory.fill(STATE_SHA_SCRATCH, 0, 64);
  memory.fill(STATE_SHA_SCHEDULE, 0, SHA_SCHEDULE_SIZE);
}

export function slotAddr(slot: i32): usize {
  return STATE_HMAC_SLOTS + <usize>slot * HMAC_SLOT_SIZE;
}

export function slotValid(slot: i32): bool {
  return slot >= 0 && slot < HMAC_SLOT_COUNT && load<u32>(slotAddr(slot) + SLOT_VALID) == 1;
}

export function slotKeyId(slot: i32): u32 {
  return load<u32>(slotAddr(slot) + SLOT_KEY_ID);
}

/** Derives the padded key states for slot from key[0..len); keys over 64 bytes are hashed. */
export function hmacSetKey(slot: i32, key: usize, len: usize, keyId: u32): void {
  const s = slotAddr(slot);
  const block = STATE_SHA_SCRATCH; // 64 bytes: K0 (FIPS 198-1 step 1-3)
  memory.fill(block, 0, 64);
  if (len > 64) sha256(STATE_SHA_CTX_A, key, len, block);
  else memory.copy(block, key, len);
  for (let i: usize = 0; i < 64; i++) store<u8>(block + i, load<u8>(block + i) ^ 0x36);
  memory.copy(s + SLOT_INNER, H0, 32);
  compress(s + SLOT_INNER, block);
  for (let i: usize = 0; i < 64; i++) store<u8>(block + i, load<u8>(block + i) ^ (0x36 ^ 0x5c));
  memory.copy(s + SLOT_OUTER, H0, 32);
  compress(s + SLOT_OUTER, block);
  wipeScratch(); // only the slot keeps key material
  store<u32>(s + SLOT_KEY_ID, keyId);
  store<u32>(s + SLOT_VALID, 1);
}

/** Forgets slot's key states, and whatever a MAC under any key left in scratch. */
export function hmacClearKey(slot: i32): void {
  memory.fill(slotAddr(slot), 0, HMAC_SLOT_SIZE);
  wipeScratch();
}

/** Writes the 32-byte HMAC of msg[0..len) under slot's key to out. */
export function hmacCompute(slot: i32, msg: usize, len: usize, out: usize): void {
  const s = slotAddr(slot);
  const ctx = STATE_SHA_CTX_A;
  const inner = STATE_SHA_SCRATCH;
  shaResume(ctx, s + SLOT_INNER, 64);
  shaUpdate(ctx, msg, len);
  shaFinal(ctx, inner);
  shaResume(ctx, s + SLOT_OUTER, 64);
  shaUpdate(ctx, inner, 32);
  shaFinal(ctx, out);
}
