// The card's trust store: the public keys it accepts images from and the board it is.
//
// The board file lists the key ids a card trusts (docs/boards.md, trustedKeys); the host puts
// the matching public keys here at boot (img_trust_key) and names the board
// (img_trust_board). A key is checked when it is put here (a strict verifier's key checks:
// canonical, on the curve, not of small order), so an image signed under it needs no key
// checks later. Slot layout (TRUST_SLOT_SIZE bytes): +0 public key (32), +32 key id (16),
// +48 valid (u32).

import { OK, E_ARG, E_STATE } from "../shared/status";
import { IMG_TRUST_SLOTS, IMG_KEY_ID_LEN, IMG_PUBKEY_LEN, IMG_BOARD_ID_LEN } from "../shared/image";
import { STATE_IMG_TRUST, STATE_IMG_TRUST_BOARD, STATE_SHA_CTX_A } from "../state";
import { sha256 } from "../crypto/sha256";
import { edCheckKey } from "../crypto/ed25519";
import { memEqual } from "../lib/mem";

const TRUST_SLOT_SIZE: usize = 64;
const SLOT_PUB: usize = 0;
const SLOT_ID: usize = 32;
const SLOT_VALID: usize = 48;
const BOARD_LEN: usize = IMG_BOARD_ID_LEN; // u32 after the 32 id bytes: 0 = not configured

function slotAddr(slot: i32): usize {
  return STATE_IMG_TRUST + <usize>slot * TRUST_SLOT_SIZE;
}

export function trustClear(): void {
  memory.fill(STATE_IMG_TRUST, 0, <usize>IMG_TRUST_SLOTS * TRUST_SLOT_SIZE);
  memory.fill(STATE_IMG_TRUST_BOARD, 0, BOARD_LEN + 4);
}

/** Checks pub and trusts it in slot; its key id is the first 16 bytes of SHA-256(pub). */
export function trustKey(slot: i32, pub: usize, digestScratch: usize): i32 {
  if (slot < 0 || slot >= IMG_TRUST_SLOTS) return E_ARG;
  const s = slotAddr(slot);
  memory.fill(s, 0, TRUST_SLOT_SIZE); // a refused key empties the slot: fail closed
  const rc = edCheckKey(pub);
  if (rc != OK) return rc;
  memory.copy(s + SLOT_PUB, pub, IMG_PUBKEY_LEN);
  sha256(STATE_SHA_CTX_A, s + SLOT_PUB, IMG_PUBKEY_LEN, digestScratch);
  memory.copy(s + SLOT_ID, digestScratch, IMG_KEY_ID_LEN);
  memory.fill(digestScratch, 0, 32);
  store<u32>(s + SLOT_VALID, 1);
  return OK;
}

/** Writes slot's 16-byte key id to out; E_STATE for an empty slot. */
export function trustKeyId(slot: i32, out: usize): i32 {
  if (slot < 0 || slot >= IMG_TRUST_SLOTS) return E_ARG;
  const s = slotAddr(slot);
  if (load<u32>(s + SLOT_VALID) != 1) return E_STATE;
  memory.copy(out, s + SLOT_ID, IMG_KEY_ID_LEN);
  return OK;
}

/** The slot holding a key with this id, or -1. */
export function trustFind(keyId: usize): i32 {
  for (let slot = 0; slot < IMG_TRUST_SLOTS; slot++) {
    const s = slotAddr(slot);
    if (load<u32>(s + SLOT_VALID) == 1 && memEqual(s + SLOT_ID, keyId, IMG_KEY_ID_LEN)) return slot;
  }
  return -1;
}

export function trustPub(slot: i32): usize {
  return slotAddr(slot) + SLOT_PUB;
}

/**
 * True when p[0..len) is a board id as boards/schema.json allows it ([a-z][a-z0-9-]{0,31})
 * followed, up to len = 32, by NUL padding only.
 */
export function boardIdValid(p: usize, len: usize): bool {
  let n: usize = 0;
  while (n < len && load<u8>(p + n) != 0) n++;
  if (n == 0) return false;
  for (let i: usize = n; i < len; i++) if (load<u8>(p + i) != 0) return false;
  for (let i: usize = 0; i < n; i++) {
    const c = load<u8>(p + i);
    const lower = c >= 0x61 && c <= 0x7a;
    const digit = c >= 0x30 && c <= 0x39;
    if (!(lower || (i > 0 && (digit || c == 0x2d)))) return false;
  }
  return true;
}

/** The card's board id (1..32 bytes); len 0 forgets it (images for any board pass). */
export function trustBoard(p: usize, len: i32): i32 {
  if (len < 0 || len > IMG_BOARD_ID_LEN) return E_ARG;
  if (len > 0 && !boardIdValid(p, <usize>len)) return E_ARG;
  memory.fill(STATE_IMG_TRUST_BOARD, 0, BOARD_LEN + 4);
  memory.copy(STATE_IMG_TRUST_BOARD, p, <usize>len);
  store<u32>(STATE_IMG_TRUST_BOARD + BOARD_LEN, <u32>len);
  return OK;
}

/** True when no board is configured, or the 32-byte NUL-padded id at p is the card's. */
export function trustBoardMatches(p: usize): bool {
  if (load<u32>(STATE_IMG_TRUST_BOARD + BOARD_LEN) == 0) return true;
  return memEqual(STATE_IMG_TRUST_BOARD, p, IMG_BOARD_ID_LEN);
}
