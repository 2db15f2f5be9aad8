// Ed25519 signature verification (RFC 8032 §5.1.7), strict, streaming. Verification only:
// the core never signs.
//
// The equation checked is the cofactorless one, [S]B = R + [k]A, in the form
// encode([S]B + [k](-A)) == R byte for byte (RFC 8032 §5.1.7 allows it in place of the
// cofactored [8][S]B = [8]R + [8][k]A). Why: an image is verified by one card, alone, never
// in a batch, so the batch-consistency argument for the cofactored check does not apply,
// and this is the equation OpenSSL (and so Node's crypto.verify, which signs our images)
// checks — the verdicts agree on every input except the strict refusals below. Comparing
// encodings also means R never has to be decompressed.
//
// Strict on top of the equation:
//   S >= L                          refused (E_ED_S_RANGE)          — also refused by OpenSSL
//   R not canonical (y >= p, -0)    refused (E_ED_R_ENCODING)       — OpenSSL refuses it too:
//                                   the encoding it compares with is canonical
//   A not canonical (y >= p, -0)    refused (E_ED_KEY_ENCODING)     — OpenSSL reduces y mod p
//   A of small order (1, 2, 4, 8)   refused (E_ED_KEY_SMALL_ORDER)  — OpenSSL accepts it: with
//                                   A = identity, [S]B = R holds for every message
// Mixed-order A (a prime-order point plus a torsion point) and small-order R are not refused:
// the cofactorless equation already decides them, exactly as OpenSSL does.
//
// Streaming: k = SHA-512(R || A || M) needs R and A before M, so a verification begins with
// the key and the signature (edBegin), takes the message in pieces (edUpdate) and decides in
// edFinish. The context (ED_CTX_SIZE bytes at a caller-chosen address in STATE) holds the
// SHA-512 state, the key and the signature between calls; the group arithmetic runs inside
// edFinish on the scratch region and is wiped before it returns. Time is bounded: 256
// doublings and at most 2 x 52 additions whatever the input.

import { OK, E_ED_S_RANGE, E_ED_R_ENCODING, E_ED_KEY_ENCODING, E_ED_KEY_NOT_ON_CURVE, E_ED_KEY_SMALL_ORDER, E_ED_BAD_SIGNATURE } from "../shared/status";
import { SHA512_CTX_SIZE, sha512Init, sha512Update, sha512Final } from "./sha512";
import { scBelowL, scReduce, scSlide } from "./sc25519";
import { BASE_ODD_MULTIPLES } from "./ed25519-tables";
import {
  CACHED_SIZE, NIELS_SIZE, DECODE_OK, DECODE_NONCANONICAL,
  p2Identity, p2Dbl, p1p1ToP2, p1p1ToP3, p3ToCached, geAdd, geMadd, p3Decode, p2Encode,
  p3IsSmallOrder, p3Neg, yNonCanonical,
} from "./ge25519";
import {
  S_T0, S_A, S_P1P1, S_P3, S_R, S_ATABLE, S_ASLIDE, S_BSLIDE, S_SC, S_HASH, S_K, S_ENC, S_A2,
  edScratchWipe,
} from "./ed-scratch";
import { memEqual } from "../lib/mem";

// Context layout.
const CTX_SHA: usize = 0; // SHA512_CTX_SIZE
const CTX_PUB: usize = SHA512_CTX_SIZE; // 32: A as given
const CTX_SIG: usize = SHA512_CTX_SIZE + 32; // 64: R || S
export const ED_CTX_SIZE: usize = SHA512_CTX_SIZE + 96;

/** y of an encoding is 1 or p - 1: the two points with x = 0, whose sign bit must be clear. */
function xIsZeroY(s: usize): bool {
  const low = load<u8>(s);
  const top = load<u8>(s + 31) & 0x7f;
  let zeros = true, ones = true;
  for (let i: usize = 1; i < 31; i++) {
    const b = load<u8>(s + i);
    zeros = zeros && b == 0;
    ones = ones && b == 0xff;
  }
  if (low == 1 && zeros && top == 0) return true; // y = 1
  return low == 0xec && ones && top == 0x7f; // y = p - 1 = 2^255 - 20
}

/** RFC 8032 §5.1.3's refusals for an encoding, without decoding it. */
function encodingNonCanonical(s: usize): bool {
  return yNonCanonical(s) || ((load<u8>(s + 31) & 0x80) != 0 && xIsZeroY(s));
}

/**
 * Starts verifying sig (64 bytes: R || S) under pub (32 bytes). Refuses at once what needs
 * no arithmetic: S >= L, a non-canonical R. The key is checked in edFinish (edCheckKey
 * checks one on its own).
 */
export function edBegin(ctx: usize, pub: usize, sig: usize): i32 {
  if (!scBelowL(sig + 32)) return E_ED_S_RANGE;
  if (encodingNonCanonical(sig)) return E_ED_R_ENCODING;
  memory.copy(ctx + CTX_PUB, pub, 32);
  memory.copy(ctx + CTX_SIG, sig, 64);
  sha512Init(ctx + CTX_SHA);
  sha512Update(ctx + CTX_SHA, ctx + CTX_SIG, 32); // R
  sha512Update(ctx + CTX_SHA, ctx + CTX_PUB, 32); // A
  return OK;
}

export function edUpdate(ctx: usize, p: usize, len: usize): void {
  sha512Update(ctx + CTX_SHA, p, len);
}

/** Decodes the key at pub into S_A and refuses non-canonical, off-curve or small-order keys. */
function decodeKey(pub: usize): i32 {
  if (encodingNonCanonical(pub)) return E_ED_KEY_ENCODING;
  const rc = p3Decode(S_A, pub);
  if (rc == DECODE_NONCANONICAL) return E_ED_KEY_ENCODING;
  if (rc != DECODE_OK) return E_ED_KEY_NOT_ON_CURVE;
  if (p3IsSmallOrder(S_A, S_R, S_P1P1)) return E_ED_KEY_SMALL_ORDER;
  return OK;
}

/** OK when pub (32 bytes) is a key a strict verifier accepts, else the reason. */
export function edCheckKey(pub: usize): i32 {
  const rc = decodeKey(pub);
  edScratchWipe();
  return rc;
}

/** r (S_R, P2) = [k](-A) + [S]B, -A in S_A, k at S_K, S at s: joint sliding windows. */
function doubleScalarMult(s: usize): void {
  scSlide(S_ASLIDE, S_K);
  scSlide(S_BSLIDE, s);
  // S_ATABLE[i] = (2i + 1)(-A)
  p3ToCached(S_ATABLE, S_A);
  p2Dbl(S_P1P1, S_A, S_T0);
  p1p1ToP3(S_A2, S_P1P1);
  for (let i: usize = 1; i < 8; i++) {
    geAdd(S_P1P1, S_A2, S_ATABLE + (i - 1) * CACHED_SIZE, false, S_T0);
    p1p1ToP3(S_P3, S_P1P1);
    p3ToCached(S_ATABLE + i * CACHED_SIZE, S_P3);
  }
  p2Identity(S_R);
  let i: i32 = 255;
  while (i >= 0 && load<i8>(S_ASLIDE + <usize>i) == 0 && load<i8>(S_BSLIDE + <usize>i) == 0) i--;
  for (; i >= 0; i--) {
    p2Dbl(S_P1P1, S_R, S_T0);
    const a = <i32>load<i8>(S_ASLIDE + <usize>i);
    if (a != 0) {
      p1p1ToP3(S_P3, S_P1P1);
      geAdd(S_P1P1, S_P3, S_ATABLE + <usize>((a < 0 ? -a : a) >> 1) * CACHED_SIZE, a < 0, S_T0);
    }
    const b = <i32>load<i8>(S_BSLIDE + <usize>i);
    if (b != 0) {
      p1p1ToP3(S_P3, S_P1P1);
      geMadd(S_P1P1, S_P3, BASE_ODD_MULTIPLES + <usize>((b < 0 ? -b : b) >> 1) * NIELS_SIZE, b < 0, S_T0);
    }
    p1p1ToP2(S_R, S_P1P1);
  }
}

/** Decides the verification begun by edBegin: OK or the reason; wipes scratch and context. */
export function edFinish(ctx: usize): i32 {
  sha512Final(ctx + CTX_SHA, S_HASH);
  scReduce(S_K, S_HASH, S_SC);
  let rc = decodeKey(ctx + CTX_PUB);
  if (rc == OK) {
    p3Neg(S_A, S_A);
    doubleScalarMult(ctx + CTX_SIG + 32);
    p2Encode(S_ENC, S_R);
    rc = memEqual(S_ENC, ctx + CTX_SIG, 32) ? OK : E_ED_BAD_SIGNATURE;
  }
  edScratchWipe();
  memory.fill(ctx, 0, ED_CTX_SIZE);
  return rc;
}

/** Forgets a verification begun by edBegin (an image refused before its end). */
export function edAbandon(ctx: usize): void {
  memory.fill(ctx, 0, ED_CTX_SIZE);
}

/** One-shot verification of msg[0..len) (all in memory). */
export function edVerify(ctx: usize, pub: usize, msg: usize, len: usize, sig: usize): i32 {
  const rc = edBegin(ctx, pub, sig);
  if (rc != OK) return rc;
  edUpdate(ctx, msg, len);
  return edFinish(ctx);
}
