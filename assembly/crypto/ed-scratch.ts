// The Ed25519 verifier's working memory: fixed addresses inside the CRYPTO scratch region
// (shared/memmap.ts ED_SCRATCH_BASE), laid out here once. Used only within one call of
// edVerifyFinish() and wiped before it returns (no secret is ever handled, but nothing of a
// verification is left behind for the next user of the region either).

import { ED_SCRATCH_BASE, ED_SCRATCH_SIZE } from "../shared/memmap";

const B: usize = ED_SCRATCH_BASE;
export const S_BYTES: usize = B + 0x000; // 64 bytes: encodings being compared or tested
export const S_T0: usize = B + 0x040; // seven field elements (40 bytes each)
export const S_T1: usize = B + 0x068;
export const S_T2: usize = B + 0x090;
export const S_T3: usize = B + 0x0b8;
export const S_T4: usize = B + 0x0e0;
export const S_T5: usize = B + 0x108;
export const S_T6: usize = B + 0x130;
export const S_A: usize = B + 0x200; // P3: the public key, then its negation
export const S_P1P1: usize = B + 0x2a0; // P1P1
export const S_P3: usize = B + 0x340; // P3
export const S_R: usize = B + 0x3e0; // P2: the running result
export const S_ATABLE: usize = B + 0x460; // 8 CACHED: -A, -3A, ..., -15A (1280 bytes)
export const S_ASLIDE: usize = B + 0x960; // 256 signed digits of k
export const S_BSLIDE: usize = B + 0xa60; // 256 signed digits of S
export const S_SC: usize = B + 0xb60; // 64 x i64: the reduction of SHA-512 output mod L
export const S_HASH: usize = B + 0xd60; // 64 bytes: SHA-512(R || A || M)
export const S_K: usize = B + 0xda0; // 32 bytes: k = hash mod L
export const S_ENC: usize = B + 0xdc0; // 32 bytes: encoding of [S]B - [k]A
export const S_A2: usize = B + 0xe00; // P3: 2A while the table is built
export const S_END: usize = B + 0xea0;

export function edScratchWipe(): void {
  memory.fill(ED_SCRATCH_BASE, 0, ED_SCRATCH_SIZE);
}
