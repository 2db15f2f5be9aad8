// Fault time (and heartbeat time): patch the per-message bytes into the armed templates,
// authenticate, fix the lengths and checksums, and publish the result table the ring code
// sends from.
//
// What a fault costs, in order: one 64-bit increment; 32 bytes of fields and at most 64 of
// excerpt written once; one MAC (2 SHA-256 compressions, 3 with an excerpt over 3 bytes);
// then per frame (at most 8) a copy of 48 + n + 16 bytes, and for UDP frames one RFC 1624
// update of the IPv4 checksum and a sum over the per-message words only. No allocation, no
// loop without a constant bound, and no read outside the core's own state, the GASP region
// and the excerpt the handler hands over.

import { E_GASP_NOT_ARMED, E_GASP_FENCED, E_GASP_SEQ } from "../shared/status";
import {
  GASP_CONST_LEN, GASP_MAC_LEN, GASP_EXCERPT_MAX, GASP_MIN_LEN, GASP_ENCAP_UDP,
  GASP_FLAG_SELF_FENCED, GASP_FLAG_EXCERPT_TRUNCATED, GASP_MAX_FRAMES, GASP_RES_COUNT, GASP_RES_COPIES,
  GASP_RES_MSG_LEN, GASP_RES_BOOT, GASP_RES_SEQ_LO, GASP_RES_SEQ_HI, GASP_RES_ENTRIES, GASP_RES_ENTRY_SIZE,
  GASP_RE_ADDR, GASP_RE_LEN, GASP_RE_PORT, GASP_RE_ENCAP, GASP_RE_COPIES,
} from "../shared/gasp";
import {
  IPV4_MIN_HEADER, IPV4_OFF_TOTAL_LEN, IPV4_OFF_CHECKSUM, UDP_HEADER_LEN, UDP_OFF_LENGTH, UDP_OFF_CHECKSUM,
} from "../shared/wire";
import { STATE_GASP_TX_KEY, STATE_GASP_TX_CTX, STATE_GASP_TX_DIGEST } from "../state";
import { hostRange, st16be } from "../lib/mem";
import { sumWords, finish, update16 } from "../wire/checksum";
import { emitPerMessage } from "./message";
import { macFromStates } from "./mac";
import { selfFenceConfigured, configuredCopies, configuredBoot } from "./arm";
import {
  TX_ARMED, TX_FENCED, TX_SEQ, TX_FRAME_COUNT, SET_GASP, SET_HELLO, frameMeta, setMessage, setResult,
  FM_ADDR, FM_MSG_OFF, FM_IP_OFF, FM_PORT, FM_ENCAP, FM_BASE_TOTAL, FM_BASE_IPSUM, FM_UDP_SUM,
} from "./txstate";

/** Patches the length and checksum fields of one UDP frame for a message of msgLen bytes. */
function fixUdp(f: usize, meta: usize, msgLen: i32): void {
  const ip = f + <usize>load<u16>(meta + FM_IP_OFF);
  const extra = msgLen - GASP_MIN_LEN; // the excerpt: everything else was counted at arm time
  const baseTotal = <u32>load<u16>(meta + FM_BASE_TOTAL);
  const total = baseTotal + <u32>extra;
  st16be(ip + IPV4_OFF_TOTAL_LEN, total);
  st16be(ip + IPV4_OFF_CHECKSUM, update16(<u32>load<u16>(meta + FM_BASE_IPSUM), baseTotal, total)); // RFC 1624 eqn. 3
  const u = ip + IPV4_MIN_HEADER;
  const udpLen = <u32>(UDP_HEADER_LEN + msgLen);
  st16be(u + UDP_OFF_LENGTH, udpLen);
  // pseudo-header length + header length + the per-message words (message bytes 20..end)
  let acc = load<u64>(meta + FM_UDP_SUM) + <u64>udpLen + <u64>udpLen;
  acc = sumWords(u + UDP_HEADER_LEN + GASP_CONST_LEN, msgLen - GASP_CONST_LEN, acc);
  let csum = finish(acc);
  if (csum == 0) csum = 0xffff; // RFC 768: a computed zero is sent as all ones
  st16be(u + UDP_OFF_CHECKSUM, csum);
}

/** Builds one message of a set and every frame carrying it; returns the frame count. */
function emit(
  set: i32, flags: i32, cause: i32, vector: u32, pc: u64, uptime: u64, excerpt: usize, n: i32, copies: i32,
): i32 {
  const seq = load<u64>(TX_SEQ) + 1;
  if (seq == 0) return E_GASP_SEQ; // 2^64 - 1 messages in one boot: unreachable in practice
  store<u64>(TX_SEQ, seq);
  const msg = setMessage(set);
  const macLen = emitPerMessage(msg, flags, cause, seq, pc, uptime, vector, excerpt, n);
  macFromStates(STATE_GASP_TX_KEY, STATE_GASP_TX_CTX, STATE_GASP_TX_DIGEST, msg, macLen, msg + macLen);
  const msgLen = macLen + GASP_MAC_LEN;

  const res = setResult(set);
  const count = min<i32>(<i32>load<u32>(TX_FRAME_COUNT), GASP_MAX_FRAMES);
  for (let i = 0; i < count; i++) {
    const meta = frameMeta(set, i);
    const f = <usize>load<u32>(meta + FM_ADDR);
    const off = <usize>load<u16>(meta + FM_MSG_OFF);
    memory.copy(f + off + GASP_CONST_LEN, msg + GASP_CONST_LEN, msgLen - GASP_CONST_LEN);
    if (<i32>load<u8>(meta + FM_ENCAP) == GASP_ENCAP_UDP) fixUdp(f, meta, msgLen);
    const e = res + GASP_RES_ENTRIES + <usize>i * GASP_RES_ENTRY_SIZE;
    store<u32>(e + GASP_RE_ADDR, <u32>f);
    store<u16>(e + GASP_RE_LEN, <u16>(<i32>off + msgLen));
    store<u8>(e + GASP_RE_PORT, load<u8>(meta + FM_PORT));
    store<u8>(e + GASP_RE_ENCAP, load<u8>(meta + FM_ENCAP));
    store<u16>(e + GASP_RE_COPIES, <u16>copies);
  }
  store<u32>(res + GASP_RES_COUNT, <u32>count);
  store<u32>(res + GASP_RES_COPIES, <u32>copies);
  store<u32>(res + GASP_RES_MSG_LEN, <u32>msgLen);
  store<u32>(res + GASP_RES_BOOT, configuredBoot());
  store<u32>(res + GASP_RES_SEQ_LO, <u32>seq);
  store<u32>(res + GASP_RES_SEQ_HI, <u32>(seq >> 32));
  return count;
}

/**
 * gasp_fire: the exception handler's call. Only an unarmed core refuses; an excerpt that is
 * too long is cut to 64 bytes and an unreadable one is left out, both flagged, because a
 * gasp without its excerpt is worth far more than no gasp. Informational values are taken
 * modulo their field width.
 */
export function gaspFire(cause: i32, vector: u32, pc: u64, uptime: u64, excerpt: i32, excerptLen: i32): i32 {
  if (load<u32>(TX_ARMED) != 1) return E_GASP_NOT_ARMED;
  let flags = selfFenceConfigured() ? GASP_FLAG_SELF_FENCED : 0;
  let n = excerptLen;
  if (n > GASP_EXCERPT_MAX) {
    n = GASP_EXCERPT_MAX;
    flags |= GASP_FLAG_EXCERPT_TRUNCATED;
  }
  if (n < 0 || (n > 0 && !hostRange(excerpt, n))) {
    n = 0;
    flags |= GASP_FLAG_EXCERPT_TRUNCATED;
  }
  const count = emit(SET_GASP, flags, cause & 0xff, vector, pc, uptime, <usize>excerpt, n, configuredCopies());
  if (count > 0 && selfFenceConfigured()) store<u32>(TX_FENCED, 1);
  return count;
}

/** gasp_hello: a heartbeat in the same authenticated format, one copy per frame. */
export function gaspHello(uptime: u64): i32 {
  if (load<u32>(TX_ARMED) != 1) return E_GASP_NOT_ARMED;
  if (load<u32>(TX_FENCED) != 0) return E_GASP_FENCED;
  return emit(SET_HELLO, 0, 0, 0, 0, uptime, 0, 0, 1);
}
