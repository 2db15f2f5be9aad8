// The core's own known-answer tests. selftest() returns 0, or the number of the first
// vector that failed (numbers are stable: docs/core-abi.md lists them).

import * as V from "./vectors";
import { SC_L as SC_L_BYTES } from "../crypto/ed25519-tables";
import { STATE_SELFTEST, STATE_SHA_CTX_B, STATE_SHA_COMPRESSIONS } from "../state";
import { sha256, shaInit, shaUpdate, shaFinal } from "../crypto/sha256";
import { hmacSetKey, hmacCompute, hmacClearKey, HMAC_SLOT_COUNT } from "../crypto/hmac";
import { memEqual } from "../lib/mem";
import { crc32 } from "../lib/crc32";
import { sumWords, finish, update16, update32 } from "../wire/checksum";
import { arpAnnounce, arpParse, ARP_KIND_ANNOUNCE } from "../wire/arp";
import { naUnsolicited, naParse } from "../wire/ndp";
import { ipv4Emit, ipv4Parse } from "../wire/ipv4";
import { ARP_REPR_SPA, ARP_REPR_TPA, NA_REPR_TARGET, NA_REPR_FLAGS, NA_FLAG_OVERRIDE, IPV4_REPR_SRC, IPV4_REPR_TTL, IPV4_REPR_PAYLOAD_LEN, IPV4_REPR_PROTOCOL, IPV4_REPR_SIZE } from "../shared/repr";
import { IPV4_OFF_CHECKSUM, IPV4_OFF_SRC, IPV4_OFF_TTL } from "../shared/wire";
import { ld16be, ld32be, st16be, st32be } from "../lib/mem";
import { sha512 } from "../crypto/sha512";
import { edVerify } from "../crypto/ed25519";
import { STATE_IMG_SHA512, STATE_IMG_ED_ONESHOT } from "../state";
import { OK, E_ED_BAD_SIGNATURE, E_ED_S_RANGE } from "../shared/status";

// The self-test has its own key slot beyond the host's, so it never disturbs a live key.
export const SELFTEST_SLOT: i32 = HMAC_SLOT_COUNT;

const OUT: usize = STATE_SELFTEST; // 64 bytes: digests
const FRAME: usize = STATE_SELFTEST + 0x100; // 256 bytes: frames
const REPR_A: usize = STATE_SELFTEST + 0x200;
const REPR_B: usize = STATE_SELFTEST + 0x280;
const REPR_C: usize = STATE_SELFTEST + 0x300;
const BULK: usize = STATE_SELFTEST + 0x400; // 1000 bytes of 'a'

function hmacCase(key: usize, keyLen: usize, data: usize, dataLen: usize, mac: usize, macLen: usize): bool {
  hmacSetKey(SELFTEST_SLOT, key, keyLen, 0);
  hmacCompute(SELFTEST_SLOT, data, dataLen, OUT);
  hmacClearKey(SELFTEST_SLOT);
  return memEqual(OUT, mac, macLen);
}

export function runSelftest(): i32 {
  // 1-4: SHA-256, FIPS 180-4 examples.
  sha256(STATE_SHA_CTX_B, V.MSG_ABC, V.MSG_ABC_LEN, OUT);
  if (!memEqual(OUT, V.DIGEST_ABC, 32)) return 1;
  sha256(STATE_SHA_CTX_B, V.MSG_ABC, 0, OUT);
  if (!memEqual(OUT, V.DIGEST_EMPTY, 32)) return 2;
  sha256(STATE_SHA_CTX_B, V.MSG_448, V.MSG_448_LEN, OUT);
  if (!memEqual(OUT, V.DIGEST_448, 32)) return 3;
  memory.fill(BULK, 0x61, 1000);
  shaInit(STATE_SHA_CTX_B);
  for (let i = 0; i < 1000; i++) shaUpdate(STATE_SHA_CTX_B, BULK, 1000);
  shaFinal(STATE_SHA_CTX_B, OUT);
  if (!memEqual(OUT, V.DIGEST_MILLION_A, 32)) return 4;

  // 5-11: HMAC-SHA256, RFC 4231 test cases 1-7.
  if (!hmacCase(V.HMAC_KEY_1, V.HMAC_KEY_1_LEN, V.HMAC_DATA_1, V.HMAC_DATA_1_LEN, V.HMAC_MAC_1, V.HMAC_MAC_1_LEN)) return 5;
  if (!hmacCase(V.HMAC_KEY_2, V.HMAC_KEY_2_LEN, V.HMAC_DATA_2, V.HMAC_DATA_2_LEN, V.HMAC_MAC_2, V.HMAC_MAC_2_LEN)) return 6;
  if (!hmacCase(V.HMAC_KEY_3, V.HMAC_KEY_3_LEN, V.HMAC_DATA_3, V.HMAC_DATA_3_LEN, V.HMAC_MAC_3, V.HMAC_MAC_3_LEN)) return 7;
  if (!hmacCase(V.HMAC_KEY_4, V.HMAC_KEY_4_LEN, V.HMAC_DATA_4, V.HMAC_DATA_4_LEN, V.HMAC_MAC_4, V.HMAC_MAC_4_LEN)) return 8;
  if (!hmacCase(V.HMAC_KEY_5, V.HMAC_KEY_5_LEN, V.HMAC_DATA_5, V.HMAC_DATA_5_LEN, V.HMAC_MAC_5, V.HMAC_MAC_5_LEN)) return 9;
  if (!hmacCase(V.HMAC_KEY_6, V.HMAC_KEY_6_LEN, V.HMAC_DATA_6, V.HMAC_DATA_6_LEN, V.HMAC_MAC_6, V.HMAC_MAC_6_LEN)) return 10;
  if (!hmacCase(V.HMAC_KEY_7, V.HMAC_KEY_7_LEN, V.HMAC_DATA_7, V.HMAC_DATA_7_LEN, V.HMAC_MAC_7, V.HMAC_MAC_7_LEN)) return 11;

  // 12: with precomputed key states, a MAC over a short message costs two compressions.
  hmacSetKey(SELFTEST_SLOT, V.HMAC_KEY_1, V.HMAC_KEY_1_LEN, 0);
  const before = load<u32>(STATE_SHA_COMPRESSIONS);
  hmacCompute(SELFTEST_SLOT, V.HMAC_DATA_1, V.HMAC_DATA_1_LEN, OUT);
  const used = load<u32>(STATE_SHA_COMPRESSIONS) - before;
  hmacClearKey(SELFTEST_SLOT);
  if (used != 2) return 12;

  // 13: CRC-32 check value.
  if (crc32(V.CRC_CHECK_MSG, V.CRC_CHECK_MSG_LEN) != 0xcbf43926) return 13;

  // 14: RFC 1071 §3: the example sums to 0xddf2, so its checksum is 0x220d.
  if (finish(sumWords(V.CSUM_RFC1071, V.CSUM_RFC1071_LEN, 0)) != 0x220d) return 14;

  // 15: RFC 1624: an incremental update equals a full recomputation (TTL and source change).
  memory.fill(REPR_A, 0, IPV4_REPR_SIZE);
  memory.copy(REPR_A + IPV4_REPR_SRC, V.FRAME_IP4, 4);
  store<u8>(REPR_A + IPV4_REPR_TTL, 64);
  store<u8>(REPR_A + IPV4_REPR_PROTOCOL, 17);
  store<u16>(REPR_A + IPV4_REPR_PAYLOAD_LEN, 100);
  ipv4Emit(REPR_A, FRAME, 256);
  let hc = ld16be(FRAME + IPV4_OFF_CHECKSUM);
  const oldWord = ld16be(FRAME + IPV4_OFF_TTL);
  store<u8>(FRAME + IPV4_OFF_TTL, 63);
  hc = update16(hc, oldWord, ld16be(FRAME + IPV4_OFF_TTL));
  const oldSrc = ld32be(FRAME + IPV4_OFF_SRC);
  st32be(FRAME + IPV4_OFF_SRC, 0xc6336401); // 198.51.100.1
  hc = update32(hc, oldSrc, 0xc6336401);
  store<u16>(FRAME + IPV4_OFF_CHECKSUM, 0);
  if (hc != finish(sumWords(FRAME, 20, 0))) return 15;
  st16be(FRAME + IPV4_OFF_CHECKSUM, hc);
  if (ipv4Parse(FRAME, 120, REPR_B) != 20) return 15;

  // 16-17: the RFC 5227 announcement, byte for byte, and its decode.
  if (arpAnnounce(ARP_KIND_ANNOUNCE, V.FRAME_MAC, V.FRAME_IP4, -1, FRAME, 256) != 60) return 16;
  if (!memEqual(FRAME, V.FRAME_GARP, V.FRAME_GARP_LEN)) return 16;
  if (arpParse(FRAME, 60, REPR_A, REPR_B) != 0) return 17;
  if (!memEqual(REPR_B + ARP_REPR_SPA, V.FRAME_IP4, 4) || !memEqual(REPR_B + ARP_REPR_TPA, V.FRAME_IP4, 4)) return 17;

  // 18-19: the unsolicited NA, byte for byte, and its decode.
  if (naUnsolicited(V.FRAME_MAC, V.FRAME_IP6, 0, -1, FRAME, 256) != <i32>V.FRAME_NA_LEN) return 18;
  if (!memEqual(FRAME, V.FRAME_NA, V.FRAME_NA_LEN)) return 18;
  if (naParse(FRAME, <i32>V.FRAME_NA_LEN, REPR_A, REPR_B, REPR_C) != 0) return 19;
  if (!memEqual(REPR_C + NA_REPR_TARGET, V.FRAME_IP6, 16)) return 19;
  if (load<u8>(REPR_C + NA_REPR_FLAGS) != NA_FLAG_OVERRIDE) return 19;

  // 20-22: SHA-512, FIPS 180-4 examples.
  sha512(STATE_IMG_SHA512, V.MSG_ABC, V.MSG_ABC_LEN, OUT);
  if (!memEqual(OUT, V.SHA512_ABC, 64)) return 20;
  sha512(STATE_IMG_SHA512, V.MSG_ABC, 0, OUT);
  if (!memEqual(OUT, V.SHA512_EMPTY, 64)) return 21;
  sha512(STATE_IMG_SHA512, V.MSG_896, V.MSG_896_LEN, OUT);
  if (!memEqual(OUT, V.SHA512_896, 64)) return 22;

  // 23-27: Ed25519, RFC 8032 §7.1 TEST 1, 2, 3, 1024, SHA(abc) verify.
  if (!edCase(V.ED_PUB_1, V.ED_MSG_1, V.ED_MSG_1_LEN, V.ED_SIG_1)) return 23;
  if (!edCase(V.ED_PUB_2, V.ED_MSG_2, V.ED_MSG_2_LEN, V.ED_SIG_2)) return 24;
  if (!edCase(V.ED_PUB_3, V.ED_MSG_3, V.ED_MSG_3_LEN, V.ED_SIG_3)) return 25;
  if (!edCase(V.ED_PUB_1024, V.ED_MSG_1024, V.ED_MSG_1024_LEN, V.ED_SIG_1024)) return 26;
  if (!edCase(V.ED_PUB_ABC, V.ED_MSG_ABC, V.ED_MSG_ABC_LEN, V.ED_SIG_ABC)) return 27;

  // 28: TEST 2 with its message changed is refused by the equation.
  store<u8>(FRAME, load<u8>(V.ED_MSG_2) ^ 1);
  if (edVerify(STATE_IMG_ED_ONESHOT, V.ED_PUB_2, FRAME, 1, V.ED_SIG_2) != E_ED_BAD_SIGNATURE) return 28;
  // 29: TEST 1 with S + L in place of S (the same value mod L) is refused: S must be below L.
  memory.copy(FRAME, V.ED_SIG_1, 64);
  let carry: u32 = 0;
  for (let i: usize = 0; i < 32; i++) {
    const v = <u32>load<u8>(FRAME + 32 + i) + <u32>load<u8>(SC_L_BYTES + i) + carry;
    store<u8>(FRAME + 32 + i, <u8>v);
    carry = v >> 8;
  }
  if (edVerify(STATE_IMG_ED_ONESHOT, V.ED_PUB_1, V.ED_MSG_1, 0, FRAME) != E_ED_S_RANGE) return 29;

  return 0;
}

function edCase(pub: usize, msg: usize, len: usize, sig: usize): bool {
  return edVerify(STATE_IMG_ED_ONESHOT, pub, msg, len, sig) == OK;
}
