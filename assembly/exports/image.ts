// Exports of signed images: SHA-512, Ed25519 verification, the image parser and the
// card's trust store (docs/image-format.md, docs/core-abi.md). Contract as everywhere: i32
// in and out, pointers range-checked, nothing allocated, bad input never traps.

import { OK, E_RANGE } from "../shared/status";
import { ED_SCRATCH_BASE, ED_SCRATCH_SIZE } from "../shared/memmap";
import { STATE_IMG_ED_ONESHOT, STATE_IMG_SHA512 } from "../state";
import { hostRange } from "../lib/mem";
import { sha512 as sha512Oneshot } from "../crypto/sha512";
import { edVerify, edCheckKey } from "../crypto/ed25519";

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
