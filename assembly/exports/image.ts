// Exports of signed images: SHA-512, Ed25519 verification, the image parser and the
// card's trust store (docs/image-format.md, docs/core-abi.md). Contract as everywhere: i32
// in and out, pointers range-checked, nothing allocated, bad input never traps.

import { OK, E_RANGE } from "../shared/status";
import { ED_SCRATCH_BASE, ED_SCRATCH_SIZE } from "../shared/memmap";
import { STATE_IMG_ED_ONESHOT, STATE_IMG_SHA512 } from "../state";
import { hostRange } from "../lib/mem";
import { sha512 as sha512Oneshot } from "../crypto/sha512";
import { edVerify, edCheckKey } from "../crypto/ed25519";
import { STATE_SHA_SCRATCH } from "../state";
import { IMG_PUBKEY_LEN, IMG_KEY_ID_LEN, IMG_TRAILER_LEN } from "../shared/image";
import { trustClear, trustKey, trustKeyId, trustBoard } from "../image/trust";
import { imgBegin, imgUpdate, imgTrailer, imgFinish } from "../image/parser";

/** [ptr, ptr+len) is host-visible and clear of the verifier's scratch region. */
function argRange(ptr: i32, len: i32): bool {
  if (!hostRange(ptr, len)) return false;
  return ptr + len <= ED_SCRATCH_BASE || ptr >= ED_SCRATCH_BASE + ED_SCRATCH_SIZE;
}

/** SHA-512 of [ptr, ptr+len) (64 bytes at out). */
export function sha512(ptr: i32, len: i32, out: i32): i32 {
  if (!argRange(ptr, len) || !argRange(out, 64)) return E_RANGE;
  sha512Oneshot(STATE_IMG_SHA512, ptr, len, out);
  return OK;
}

/** Strict Ed25519 verification of sig (64 bytes) over msg[0..len) under pub (32 bytes). */
export function ed25519_verify(pub: i32, msg: i32, len: i32, sig: i32): i32 {
  if (!argRange(pub, 32) || !argRange(msg, len) || !argRange(sig, 64)) return E_RANGE;
  return edVerify(STATE_IMG_ED_ONESHOT, pub, msg, len, sig);
}

/** OK when pub (32 bytes) is a public key a strict verifier accepts, else the reason. */
export function ed25519_check_key(pub: i32): i32 {
  if (!argRange(pub, 32)) return E_RANGE;
  return edCheckKey(pub);
}

// ---- the card's trust store ------------------------------------------------------------------

/** Forgets every trusted key and the board id. */
export function img_trust_clear(): i32 {
  trustClear();
  return OK;
}

/** Trusts pub (32 bytes) in slot 0..IMG_TRUST_SLOTS-1 after the strict key checks. */
export function img_trust_key(slot: i32, pub: i32): i32 {
  if (!argRange(pub, IMG_PUBKEY_LEN)) return E_RANGE;
  return trustKey(slot, pub, STATE_SHA_SCRATCH);
}

/** Writes the key id (16 bytes) of a trusted slot to out. */
export function img_key_id(slot: i32, out: i32): i32 {
  if (!argRange(out, IMG_KEY_ID_LEN)) return E_RANGE;
  return trustKeyId(slot, out);
}

/** The card's board id (1..32 bytes of [a-z0-9-]); len 0: images for any board. */
export function img_trust_board(ptr: i32, len: i32): i32 {
  if (len < 0 || !argRange(ptr, len)) return E_RANGE;
  return trustBoard(ptr, len);
}

// ---- the image parser ----------------------------------------------------------------------

/** Starts parsing (IMG_MODE_PARSE) or verifying (IMG_MODE_VERIFY) an image of len bytes. */
export function img_begin(len: i32, mode: i32): i32 {
  return imgBegin(len, mode);
}

/** The next len bytes at ptr: returns the bytes consumed, or the refusal. */
export function img_update(ptr: i32, len: i32): i32 {
  if (!argRange(ptr, len)) return E_RANGE;
  return imgUpdate(ptr, <u32>len);
}

/** Verify mode, after the header: the image's last IMG_TRAILER_LEN bytes at ptr. */
export function img_trailer(ptr: i32): i32 {
  if (!argRange(ptr, IMG_TRAILER_LEN)) return E_RANGE;
  return imgTrailer(ptr);
}

/** After the last byte: OK (parsed, or verified) or the refusal. */
export function img_finish(): i32 {
  return imgFinish();
}
