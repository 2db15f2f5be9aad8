// The gasp MAC: HMAC-SHA256 (RFC 2104) truncated to its leftmost 128 bits, computed from
// precomputed key states (crypto/hmac.ts). The sender keeps its own copy of the states and
// its own SHA-256 context, so the fault path depends on nothing the crashed code was using.
//
// Cost: the inner hash resumes after the K^ipad block and the outer after K^opad, so a MAC
// over L bytes is ceil((L + 9) / 64) + 1 compressions: 2 for L <= 55, 3 for L <= 119.

import { shaResume, shaUpdate, shaFinal } from "../crypto/sha256";
import { GASP_MAC_LEN } from "../shared/gasp";

/**
 * Writes the 16-byte MAC of msg[0..len) to out. states: inner state (32 bytes) then outer
 * state (32 bytes); ctx: a SHA-256 context; digest: 32 bytes of scratch.
 */
export function macFromStates(states: usize, ctx: usize, digest: usize, msg: usize, len: usize, out: usize): void {
  shaResume(ctx, states, 64);
  shaUpdate(ctx, msg, len);
  shaFinal(ctx, digest);
  shaResume(ctx, states + 32, 64);
  shaUpdate(ctx, digest, 32);
  shaFinal(ctx, digest);
  memory.copy(out, digest, GASP_MAC_LEN);
}

/**
 * True when the two 16-byte MACs are equal. No early exit: the time taken does not tell
 * an attacker how many leading bytes of a forged MAC were right.
 */
export function macEqual(a: usize, b: usize): bool {
  const d = (load<u64>(a) ^ load<u64>(b)) | (load<u64>(a, 8) ^ load<u64>(b, 8));
  return d == 0;
}
