// The signed-image parser: strict, streaming, fail-closed (docs/image-format.md).
//
// The host (or a card's boot stage reading flash) streams the image through memory in
// chunks of any size; the parser keeps only what it must between chunks: the header, the
// record header and digest being collected, a SHA-256 context for the current part and —
// in IMG_MODE_VERIFY — the SHA-512 context of the signature. So the image never has to fit
// in memory, and every byte is looked at exactly once.
//
//   imgBegin(len, mode)   the file's length; the header must declare the same
//   imgUpdate(p, n)       the next n bytes; returns how many it consumed (in verify mode it
//                         stops after the header until imgTrailer is given)
//   imgTrailer(p)         verify mode, after the header: the image's last 96 bytes (key id
//                         and signature records). Ed25519 hashes R and A before the message,
//                         and both sit at the end, so they are given first; the parser
//                         checks later that the streamed trailer is byte for byte the same.
//   imgFinish()           after the last byte: OK, or the reason
//
// Any refusal is sticky: every later call returns it, until the next imgBegin. What was
// found is published in the IMG_INFO region (shared/image.ts) for the host to report.

import {
  OK, E_ARG, E_IMG_STATE, E_IMG_LENGTH, E_IMG_MAGIC, E_IMG_FORMAT, E_IMG_HEADER, E_IMG_BOARD, E_IMG_RECORD,
  E_IMG_CRITICAL, E_IMG_RECORD_LENGTH, E_IMG_PADDING, E_IMG_DIGEST, E_IMG_CONTENT, E_IMG_MISSING,
  E_IMG_KEY, E_IMG_TRAILER, E_IMG_TRUNCATED, E_IMG_OVERRUN,
} from "../shared/status";
import * as F from "../shared/image";
import { IMG_INFO_BASE as INFO_BASE, IMG_INFO_SIZE } from "../shared/memmap";

const IMG_INFO_BASE: usize = <usize>INFO_BASE;
import { STATE_IMG_PARSER, STATE_IMG_ED, STATE_IMG_SHA256, STATE_IMG_TRAILER, STATE_IMG_COLLECT } from "../state";
import { shaInit, shaUpdate, shaFinal, SHA_CTX_SIZE } from "../crypto/sha256";
import { edBegin, edUpdate, edFinish, edAbandon } from "../crypto/ed25519";
import { memEqual } from "../lib/mem";
import { trustFind, trustPub, trustBoardMatches, boardIdValid } from "./trust";

// Parser state (u32 fields at STATE_IMG_PARSER).
const P_ACTIVE: usize = STATE_IMG_PARSER + 0; // 1 between imgBegin and a decision
const P_MODE: usize = STATE_IMG_PARSER + 4;
const P_PHASE: usize = STATE_IMG_PARSER + 8;
const P_LEN: usize = STATE_IMG_PARSER + 12; // the image's length (imgBegin)
const P_POS: usize = STATE_IMG_PARSER + 16; // bytes consumed
const P_STATUS: usize = STATE_IMG_PARSER + 20; // i32: 0 running, < 0 refused, > 0 done
const P_TRAILER: usize = STATE_IMG_PARSER + 24; // 1 once imgTrailer accepted the trailer
const P_INDEX: usize = STATE_IMG_PARSER + 28; // index of the record being parsed
const P_COUNT: usize = STATE_IMG_PARSER + 32; // records the header declares
const P_FILL: usize = STATE_IMG_PARSER + 36; // bytes collected in the current collecting phase
const P_REC_START: usize = STATE_IMG_PARSER + 40;
const P_REC_TYPE: usize = STATE_IMG_PARSER + 44;
const P_VALUE_END: usize = STATE_IMG_PARSER + 48; // offset where the record's value ends
const P_PAD_END: usize = STATE_IMG_PARSER + 52; // offset where its padding ends
const P_RANK: usize = STATE_IMG_PARSER + 56; // order rank of the last record (RANK_*)
const P_CONTENT_START: usize = STATE_IMG_PARSER + 60;
const P_SIZE: usize = 64;

// Collecting buffers (STATE_IMG_COLLECT).
const C_HEADER: usize = STATE_IMG_COLLECT + 0; // 64
const C_REC: usize = STATE_IMG_COLLECT + 64; // 8
const C_DIGEST: usize = STATE_IMG_COLLECT + 72; // 32: the part's SHA-256 as stored
const C_PREFIX: usize = STATE_IMG_COLLECT + 104; // 8: the core's first bytes
const C_COMPUTED: usize = STATE_IMG_COLLECT + 112; // 32 (runs to +144; the region has 256)
const C_SIZE: usize = 144;

const PH_HEADER: u32 = 1;
const PH_REC_HEADER: u32 = 2;
const PH_DIGEST: u32 = 3;
const PH_CONTENT: u32 = 4; // a part's content: SHA-256 runs over it
const PH_VALUE: u32 = 5; // a value without digest (key id, signature, extension)
const PH_PAD: u32 = 6;
const PH_END: u32 = 7;

// Order: core, board, native (each at most once, in this order), then extensions.
const RANK_CORE: u32 = 1;
const RANK_BOARD: u32 = 2;
const RANK_NATIVE: u32 = 3;
const RANK_EXT: u32 = 4;

// "\0asm" and version 1: the WebAssembly binary format's preamble (WebAssembly Core §5.5.16).
const WASM_PREAMBLE: usize = memory.data<u8>([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

@inline function get(f: usize): u32 {
  return load<u32>(f);
}
@inline function set(f: usize, v: u32): void {
  store<u32>(f, v);
}
@inline function info(off: usize, v: u32): void {
  store<u32>(IMG_INFO_BASE + off, v);
}
function entry(index: u32): usize {
  return IMG_INFO_BASE + <usize>F.IMG_INFO_TABLE + <usize>index * <usize>F.IMG_INFO_ENTRY_SIZE;
}

/** Wipes everything a decision leaves behind (contexts, trailer copy, buffers). */
function wipeWorking(): void {
  edAbandon(STATE_IMG_ED);
  memory.fill(STATE_IMG_SHA256, 0, SHA_CTX_SIZE);
  memory.fill(STATE_IMG_TRAILER, 0, F.IMG_TRAILER_LEN);
  memory.fill(STATE_IMG_COLLECT, 0, C_SIZE);
}

/** Refuses the image: sticky status, where it happened, working state wiped. */
function refuse(code: i32): i32 {
  set(P_STATUS, <u32>code);
  set(P_ACTIVE, 0);
  store<i32>(IMG_INFO_BASE + F.IMG_INFO_STATUS, code);
  info(F.IMG_INFO_ERR_OFFSET, get(P_POS));
  store<i32>(IMG_INFO_BASE + F.IMG_INFO_ERR_RECORD, get(P_PHASE) == PH_HEADER ? -1 : <i32>get(P_INDEX));
  info(F.IMG_INFO_CONSUMED, get(P_POS));
  wipeWorking();
  return code;
}

/** Forgets any image in progress (init). */
export function imgReset(): void {
  memory.fill(STATE_IMG_PARSER, 0, P_SIZE);
  wipeWorking();
  memory.fill(IMG_INFO_BASE, 0, <usize>IMG_INFO_SIZE);
}

export function imgBegin(len: i32, mode: i32): i32 {
  if (mode != F.IMG_MODE_PARSE && mode != F.IMG_MODE_VERIFY) return E_ARG;
  imgReset();
  store<i32>(IMG_INFO_BASE + F.IMG_INFO_TRUST_SLOT, -1);
  set(P_MODE, <u32>mode);
  set(P_PHASE, PH_HEADER);
  if (len < F.IMG_MIN_LEN || len > F.IMG_MAX_LEN) return refuse(E_IMG_LENGTH);
  set(P_LEN, <u32>len);
  set(P_ACTIVE, 1);
  return OK;
}

function parseHeader(): i32 {
  const h = C_HEADER;
  if (load<u32>(h + F.IMG_OFF_MAGIC) != <u32>F.IMG_MAGIC) return E_IMG_MAGIC;
  if (load<u16>(h + F.IMG_OFF_FORMAT) != F.IMG_FORMAT_VERSION) return E_IMG_FORMAT;
  if (load<u16>(h + F.IMG_OFF_HEADER_LEN) != F.IMG_HEADER_LEN) return E_IMG_FORMAT;
  const len = load<u32>(h + F.IMG_OFF_IMAGE_LEN);
  if (len != get(P_LEN) || (len & (F.IMG_ALIGN - 1)) != 0) return E_IMG_LENGTH;
  if ((load<u32>(h + F.IMG_OFF_FLAGS) & ~(<u32>F.IMG_FLAGS_KNOWN)) != 0) return E_IMG_HEADER;
  if (!boardIdValid(h + F.IMG_OFF_BOARD, F.IMG_BOARD_ID_LEN)) return E_IMG_HEADER;
  const count = <u32>load<u16>(h + F.IMG_OFF_RECORD_COUNT);
  if (count < 4 || count > <u32>F.IMG_MAX_RECORDS) return E_IMG_HEADER;
  if (load<u16>(h + F.IMG_OFF_RESERVED) != 0) return E_IMG_HEADER;
  if (get(P_MODE) == F.IMG_MODE_VERIFY && !trustBoardMatches(h + F.IMG_OFF_BOARD)) return E_IMG_BOARD;
  set(P_COUNT, count);
  return OK;
}

function rankOf(type: u32): u32 {
  if (type == F.IMG_REC_CORE) return RANK_CORE;
  if (type == F.IMG_REC_BOARD) return RANK_BOARD;
  if (type == F.IMG_REC_NATIVE) return RANK_NATIVE;
  return RANK_EXT;
}

/** Checks the record header just collected and chooses the next phase. */
function parseRecHeader(): i32 {
  const type = <u32>load<u16>(C_REC + F.IMG_REC_OFF_TYPE);
  const len = load<u32>(C_REC + F.IMG_REC_OFF_LEN);
  const start = get(P_POS) - F.IMG_REC_HEADER_LEN;
  const index = get(P_INDEX);
  const imageLen = get(P_LEN);
  const trailerStart = imageLen - F.IMG_TRAILER_LEN;
  if (index >= get(P_COUNT)) return E_IMG_HEADER; // more records than the header declares
  if (load<u16>(C_REC + F.IMG_REC_OFF_RESERVED) != 0) return E_IMG_RECORD;
  let isPart = false;
  if (start == trailerStart) {
    if (get(P_RANK) < RANK_BOARD) return E_IMG_MISSING;
    if (type != F.IMG_REC_KEY_ID) return type == F.IMG_REC_SIGNATURE ? E_IMG_MISSING : E_IMG_RECORD;
    if (len != F.IMG_KEY_ID_LEN) return E_IMG_RECORD_LENGTH;
    if (index != get(P_COUNT) - 2) return E_IMG_HEADER; // the declared count disagrees
  } else if (start == trailerStart + 24) {
    if (type != F.IMG_REC_SIGNATURE) return E_IMG_RECORD;
    if (len != F.IMG_SIG_LEN) return E_IMG_RECORD_LENGTH;
  } else {
    if (type == F.IMG_REC_KEY_ID || type == F.IMG_REC_SIGNATURE) return E_IMG_RECORD; // not last
    if (index == 0 && type != F.IMG_REC_CORE) return E_IMG_MISSING;
    if (index == 1 && type != F.IMG_REC_BOARD) return E_IMG_MISSING;
    const rank = rankOf(type);
    if (rank == RANK_EXT) {
      if ((type & F.IMG_REC_CRITICAL) != 0) return E_IMG_CRITICAL;
      if (len > <u32>F.IMG_EXT_MAX) return E_IMG_RECORD_LENGTH;
    } else {
      if (rank <= get(P_RANK)) return E_IMG_RECORD; // a duplicate, or out of order
      const min = rank == RANK_CORE ? F.IMG_CORE_MIN : rank == RANK_BOARD ? F.IMG_BOARD_MIN : F.IMG_NATIVE_MIN;
      const max = rank == RANK_CORE ? F.IMG_CORE_MAX : rank == RANK_BOARD ? F.IMG_BOARD_MAX : F.IMG_NATIVE_MAX;
      if (len < <u32>(F.IMG_DIGEST_LEN + min) || len > <u32>(F.IMG_DIGEST_LEN + max)) return E_IMG_RECORD_LENGTH;
      isPart = true;
    }
    // Bounded above, so no overflow: start < 16 MiB, len <= 12 MiB + 32.
    const padEnd = (start + F.IMG_REC_HEADER_LEN + len + (F.IMG_ALIGN - 1)) & ~(<u32>(F.IMG_ALIGN - 1));
    if (padEnd > trailerStart) return E_IMG_RECORD_LENGTH; // runs into the trailer or past the end
    set(P_RANK, rank);
  }
  const valueStart = start + F.IMG_REC_HEADER_LEN;
  const valueEnd = valueStart + len;
  set(P_REC_START, start);
  set(P_REC_TYPE, type);
  set(P_VALUE_END, valueEnd);
  set(P_PAD_END, (valueEnd + (F.IMG_ALIGN - 1)) & ~(<u32>(F.IMG_ALIGN - 1)));
  set(P_CONTENT_START, isPart ? valueStart + F.IMG_DIGEST_LEN : valueStart);
  const e = entry(index);
  store<u16>(e + F.IMG_ENT_TYPE, <u16>type);
  store<u32>(e + F.IMG_ENT_OFFSET, start);
  store<u32>(e + F.IMG_ENT_LEN, len);
  store<u32>(e + F.IMG_ENT_CONTENT_OFFSET, get(P_CONTENT_START));
  store<u32>(e + F.IMG_ENT_CONTENT_LEN, valueEnd - get(P_CONTENT_START));
  store<u32>(e + F.IMG_ENT_FLAGS, rankOf(type) == RANK_EXT && type != F.IMG_REC_KEY_ID && type != F.IMG_REC_SIGNATURE ? F.IMG_ENT_F_UNKNOWN : 0);
  info(F.IMG_INFO_RECORDS, index + 1);
  set(P_FILL, 0);
  set(P_PHASE, isPart ? PH_DIGEST : len > 0 ? PH_VALUE : PH_PAD);
  return OK;
}

/** After a value (and its padding): the next record, or the end. */
function nextRecord(): void {
  set(P_INDEX, get(P_INDEX) + 1);
  set(P_FILL, 0);
  set(P_PHASE, get(P_POS) == get(P_LEN) ? PH_END : PH_REC_HEADER);
}

/** Feeds the signed part of [pos, pos + n) (everything before the signature value) to SHA-512. */
function hashSigned(p: usize, n: u32): void {
  if (get(P_MODE) != F.IMG_MODE_VERIFY) return;
  const pos = get(P_POS);
  const signedEnd = get(P_LEN) - F.IMG_SIG_LEN;
  if (pos >= signedEnd) return;
  edUpdate(STATE_IMG_ED, p, <usize>min<u32>(n, signedEnd - pos));
}

/** Copies up to need - fill bytes of a fixed-size field into buf (signed bytes): returns the count. */
function collect(buf: usize, need: u32, q: usize, avail: u32): u32 {
  const fill = get(P_FILL);
  const take = min<u32>(need - fill, avail);
  memory.copy(buf + fill, q, take);
  hashSigned(q, take);
  set(P_FILL, fill + take);
  set(P_POS, get(P_POS) + take);
  return take;
}

export function imgUpdate(p: usize, len: u32): i32 {
  const status = <i32>get(P_STATUS);
  if (status < 0) return status;
  if (get(P_ACTIVE) != 1) return E_IMG_STATE;
  if (<u64>get(P_POS) + <u64>len > <u64>get(P_LEN)) {
    set(P_POS, get(P_LEN));
    return refuse(E_IMG_OVERRUN);
  }
  const verify = get(P_MODE) == F.IMG_MODE_VERIFY;
  let n: u32 = 0;
  while (n < len) {
    const phase = get(P_PHASE);
    const pos = get(P_POS);
    const q = p + <usize>n;
    const avail = len - n;
    if (phase == PH_HEADER) {
      const fill = get(P_FILL);
      const take = min<u32>(F.IMG_HEADER_LEN - fill, avail);
      memory.copy(C_HEADER + fill, q, take);
      memory.copy(IMG_INFO_BASE + F.IMG_INFO_HEADER + fill, q, take);
      set(P_FILL, fill + take);
      set(P_POS, pos + take);
      n += take;
      if (fill + take == F.IMG_HEADER_LEN) {
        const rc = parseHeader();
        if (rc != OK) return refuse(rc);
        set(P_FILL, 0);
        set(P_PHASE, PH_REC_HEADER);
        if (verify) break; // the trailer comes next
      }
      continue;
    }
    if (verify && get(P_TRAILER) != 1) return refuse(E_IMG_TRAILER);
    if (phase == PH_REC_HEADER) {
      const take = collect(C_REC, F.IMG_REC_HEADER_LEN, q, avail);
      n += take;
      if (get(P_FILL) == F.IMG_REC_HEADER_LEN) {
        const rc = parseRecHeader();
        if (rc != OK) return refuse(rc);
        if (get(P_PHASE) == PH_PAD && get(P_POS) == get(P_PAD_END)) nextRecord();
      }
    } else if (phase == PH_DIGEST) {
      n += collect(C_DIGEST, F.IMG_DIGEST_LEN, q, avail);
      if (get(P_FILL) == F.IMG_DIGEST_LEN) {
        shaInit(STATE_IMG_SHA256);
        set(P_FILL, 0);
        set(P_PHASE, PH_CONTENT);
      }
    } else if (phase == PH_CONTENT) {
      const take = min<u32>(get(P_VALUE_END) - pos, avail);
      if (get(P_REC_TYPE) == F.IMG_REC_CORE) {
        const at = pos - get(P_CONTENT_START);
        if (at < 8) memory.copy(C_PREFIX + at, q, min<u32>(8 - at, take));
      }
      shaUpdate(STATE_IMG_SHA256, q, take);
      hashSigned(q, take);
      set(P_POS, pos + take);
      n += take;
      if (pos + take == get(P_VALUE_END)) {
        shaFinal(STATE_IMG_SHA256, C_COMPUTED);
        if (!memEqual(C_COMPUTED, C_DIGEST, F.IMG_DIGEST_LEN)) return refuse(E_IMG_DIGEST);
        const e = entry(get(P_INDEX));
        store<u32>(e + F.IMG_ENT_FLAGS, load<u32>(e + F.IMG_ENT_FLAGS) | F.IMG_ENT_F_DIGEST_OK);
        if (get(P_REC_TYPE) == F.IMG_REC_CORE && !memEqual(C_PREFIX, WASM_PREAMBLE, 8)) return refuse(E_IMG_CONTENT);
        set(P_PHASE, PH_PAD);
        if (get(P_POS) == get(P_PAD_END)) nextRecord();
      }
    } else if (phase == PH_VALUE) {
      const take = min<u32>(get(P_VALUE_END) - pos, avail);
      const type = get(P_REC_TYPE);
      if (verify && (type == F.IMG_REC_KEY_ID || type == F.IMG_REC_SIGNATURE)) {
        // The streamed trailer must be the one imgTrailer was given.
        const at = pos - (get(P_LEN) - F.IMG_TRAILER_LEN);
        if (!memEqual(STATE_IMG_TRAILER + at, q, take)) return refuse(E_IMG_TRAILER);
      }
      hashSigned(q, take);
      set(P_POS, pos + take);
      n += take;
      if (pos + take == get(P_VALUE_END)) {
        set(P_PHASE, PH_PAD);
        if (get(P_POS) == get(P_PAD_END)) nextRecord();
      }
    } else if (phase == PH_PAD) {
      const take = min<u32>(get(P_PAD_END) - pos, avail);
      for (let i: u32 = 0; i < take; i++) {
        if (load<u8>(q + i) != 0) {
          set(P_POS, pos + i);
          return refuse(E_IMG_PADDING);
        }
      }
      hashSigned(q, take);
      set(P_POS, pos + take);
      n += take;
      if (pos + take == get(P_PAD_END)) nextRecord();
    } else {
      // PH_END with bytes left cannot happen (the length check above); refuse, never loop.
      return refuse(E_IMG_OVERRUN);
    }
  }
  info(F.IMG_INFO_CONSUMED, get(P_POS));
  return <i32>n;
}

export function imgTrailer(p: usize): i32 {
  const status = <i32>get(P_STATUS);
  if (status < 0) return status;
  if (get(P_ACTIVE) != 1 || get(P_MODE) != F.IMG_MODE_VERIFY || get(P_TRAILER) == 1) return refuse(E_IMG_STATE);
  if (get(P_PHASE) == PH_HEADER || get(P_POS) != F.IMG_HEADER_LEN) return refuse(E_IMG_STATE);
  const sigRec = p + 24;
  if (load<u16>(p + F.IMG_REC_OFF_TYPE) != F.IMG_REC_KEY_ID || load<u16>(p + F.IMG_REC_OFF_RESERVED) != 0 || load<u32>(p + F.IMG_REC_OFF_LEN) != F.IMG_KEY_ID_LEN) return refuse(E_IMG_TRAILER);
  if (load<u16>(sigRec + F.IMG_REC_OFF_TYPE) != F.IMG_REC_SIGNATURE || load<u16>(sigRec + F.IMG_REC_OFF_RESERVED) != 0 || load<u32>(sigRec + F.IMG_REC_OFF_LEN) != F.IMG_SIG_LEN) return refuse(E_IMG_TRAILER);
  const slot = trustFind(p + F.IMG_REC_HEADER_LEN);
  if (slot < 0) return refuse(E_IMG_KEY);
  memory.copy(STATE_IMG_TRAILER, p, F.IMG_TRAILER_LEN);
  const rc = edBegin(STATE_IMG_ED, trustPub(slot), STATE_IMG_TRAILER + 24 + F.IMG_REC_HEADER_LEN);
  if (rc != OK) return refuse(rc);
  edUpdate(STATE_IMG_ED, C_HEADER, F.IMG_HEADER_LEN);
  set(P_TRAILER, 1);
  store<i32>(IMG_INFO_BASE + F.IMG_INFO_TRUST_SLOT, slot);
  return OK;
}

export function imgFinish(): i32 {
  const status = <i32>get(P_STATUS);
  if (status < 0) return status;
  if (get(P_ACTIVE) != 1) return E_IMG_STATE;
  if (get(P_POS) < get(P_LEN) || get(P_PHASE) != PH_END) return refuse(E_IMG_TRUNCATED);
  let done = F.IMG_DONE_PARSED;
  if (get(P_MODE) == F.IMG_MODE_VERIFY) {
    const rc = edFinish(STATE_IMG_ED);
    if (rc != OK) return refuse(rc);
    done = F.IMG_DONE_VERIFIED;
  }
  set(P_STATUS, <u32>done);
  set(P_ACTIVE, 0);
  store<i32>(IMG_INFO_BASE + F.IMG_INFO_STATUS, done);
  info(F.IMG_INFO_CONSUMED, get(P_POS));
  wipeWorking();
  return OK;
}
