// The boot stage and the flasher, as one step machine (docs/flashing.md).
//
// An operation (boot selection, writing a slot, confirm, revert, status) is begun by
// flashBegin and driven by flashStep: each step runs phases until one needs the flash, lists
// the flash operations in FLASHOP and returns STEP_IO; the host performs them and steps
// again. Every operation starts by learning the bad blocks (NAND) and reading both state
// copies. Two sub-machines are shared: verify (stream a slot through the image parser in
// verify mode, a window at a time) and state write (the older copy is erased, both records
// programmed and read back). A phase that consumes the results of the last round is always
// the first phase of a step, before anything new is listed.
//
// Every loop is bounded: a step runs at most MAX_CHAIN phases; a verification takes
// len / FLASH_WINDOW_SIZE + 3 rounds, a write one round per erase block, the bad-block scan
// FL_REGIONS * FLASH_MAX_BAD_MAP / FOP_MAX rounds; candidates are at most four.

import { OK, E_FLASH_STATE, E_FLASH_IO, E_FLASH_READBACK, E_FLASH_TOO_BIG, E_FLASH_NO_TRIAL, E_FLASH_NOT_BOOTED,
  E_FLASH_ROLLBACK, E_FLASH_NOT_BLANK, E_FLASH_STATE_WRITE, E_BOOT_NOTHING, E_FLASH_EMPTY, E_FLASH_MISMATCH,
  E_FLASH_BAD_BLOCKS, E_FLASH_REJECTED, E_FLASH_ARG, E_IMG_LENGTH } from "../shared/status";
import { STEP_IO, STEP_DONE } from "../shared/regop";
import * as L from "../shared/flash";
import * as F from "../shared/image";
import { FLASH_INFO_BASE, FLASH_WINDOW_BASE, FLASH_WINDOW_SIZE } from "../shared/memmap";
import { STATE_FLASH_OP, STATE_FLASH_CUR, STATE_FLASH_NEXT, STATE_FLASH_SHA_W, STATE_FLASH_SHA_R, STATE_FLASH_DIGESTS, STATE_FLASH_VID } from "../state";
import { shaInit, shaUpdate, shaFinal } from "../crypto/sha256";
import { memEqual } from "../lib/mem";
import { imgBegin, imgUpdate, imgTrailer, imgFinish, imgReset } from "../image/parser";
import { fopsClear, fopPush, fopsCount, fopResult } from "./ops";
import { recordValid, recordInitial, recordSeal, copyBest, recordSame } from "./record";
import {
  layoutValid, eraseSize, writeSize, eraseShift, attempts, hasBadBlocks, recordStride, regionOffset, regionBlocks,
  badSet, goodBlocks, physBlock, capacity,
} from "./layout";

const WIN: usize = <usize>FLASH_WINDOW_BASE;
const INFO: usize = <usize>FLASH_INFO_BASE;
const DIGEST_W: usize = STATE_FLASH_DIGESTS;
const DIGEST_R: usize = STATE_FLASH_DIGESTS + 32;
const CONTINUE: i32 = 2; // internal: the phase changed, run the next one in the same step
const MAX_CHAIN = 64;

// ---- operation state (STATE_FLASH_OP, u32 fields; +120.. belongs to ops.ts) ------------------
const O_OP: usize = 0;
const O_PHASE: usize = 4;
const O_RET: usize = 8; // phase a sub-machine returns to
const O_VSLOT: usize = 12; // verify: the slot
const O_VPOS: usize = 16;
const O_VLEN: usize = 20;
const O_VSTATUS: usize = 24; // verify: its verdict (i32)
const O_VHASH: usize = 28; // verify: 1 = hash what is read too, to the end (read-back)
const O_VREFUSED: usize = 32; // verify: the parser's refusal, while hashing goes on
const O_VCHUNK: usize = 36; // verify: bytes asked for in the last round
const O_SCAN: usize = 40; // next block (flat index over the regions) to ask about
const O_SWSTATUS: usize = 44; // state write: its result (i32)
const O_SWCOPY: usize = 48;
const O_CURCOPY: usize = 52; // the copy the state in force came from (0, 1, FL_NONE)
const O_COPY0: usize = 56;
const O_COPY1: usize = 60;
const O_CAND: usize = 64; // next candidate index
const O_WLEN: usize = 68; // write: the image's length
const O_WPOS: usize = 72;
const O_WBLK: usize = 76;
const O_WPREV: usize = 80; // write: bytes fetched in the last round
const O_WTARGET: usize = 84;
const O_SKIP: usize = 88; // boot: the trial slot, never a fallback in the same boot
const O_LAST: usize = 92; // operations listed in the last round
const O_SIZE: usize = 120;

// ---- phases -----------------------------------------------------------------------------------
const P_SCAN = 1;
const P_SCAN_DONE = 2;
const P_STATE_READ = 3;
const P_STATE_DONE = 4;
const V_START = 10;
const V_HEAD = 11;
const V_TRAILER = 12;
const V_STREAM = 13;
const S_START = 20;
const S_DONE = 21;
const B_START = 30;
const B_TRIAL_VERIFIED = 31;
const B_TRIAL_SPENT = 32;
const B_REVERTED = 33;
const B_CAND = 34;
const B_CAND_VERIFIED = 35;
const W_KEEP = 40;
const W_KEEP_VERIFIED = 41;
const W_BEGIN = 42;
const W_BLANK = 43;
const W_BLANK_DONE = 44;
const W_BLOCK = 45;
const W_VERIFIED = 46;
const W_MARKED = 47;
const C_START = 50;
const C_VERIFIED = 51;
const X_STATE_WRITTEN = 52; // confirm, revert: the state write's result ends the operation
const R_START = 60;
const T_NEXT = 70;

@inline function get(f: usize): u32 { return load<u32>(STATE_FLASH_OP + f); }
@inline function geti(f: usize): i32 { return load<i32>(STATE_FLASH_OP + f); }
@inline function set(f: usize, v: u32): void { store<u32>(STATE_FLASH_OP + f, v); }
@inline function seti(f: usize, v: i32): void { store<i32>(STATE_FLASH_OP + f, v); }
@inline function info(off: usize, v: u32): void { store<u32>(INFO + off, v); }
@inline function infoOr(off: usize, v: u32): void { store<u32>(INFO + off, load<u32>(INFO + off) | v); }
@inline function slotInfo(slot: u32): usize { return INFO + <usize>L.FI_SLOTS + <usize>slot * <usize>L.FI_SLOT_SIZE; }
@inline function cur8(off: usize): u32 { return <u32>load<u8>(STATE_FLASH_CUR + off); }
@inline function next8(off: usize, v: u32): void { store<u8>(STATE_FLASH_NEXT + off, <u8>v); }
@inline function phase(p: i32): i32 { set(O_PHASE, <u32>p); return CONTINUE; }
@inline function io(p: i32): i32 { set(O_PHASE, <u32>p); return STEP_IO; }

function roundUp(v: u32, unit: u32): u32 { return (v + unit - 1) & ~(unit - 1); }

/** True when every operation listed last round was performed without error. */
function lastRoundOk(): bool {
  const n = get(O_LAST);
  for (let i: u32 = 0; i < n; i++) {
    const r = fopResult(i);
    if (r != 0 && r != 1) return false; // 1 is an ISBAD answer; ISBAD rounds read results themselves
  }
  return true;
}

/**
 * Lists reads of region r's logical bytes [off, off+len) into the window at win, split at
 * erase-block boundaries (bad blocks skipped). False when the range runs past the good blocks.
 */
function emitRead(r: i32, off: u32, win: u32, len: u32): bool {
  const erase = eraseSize();
  let done: u32 = 0;
  // At most len / erase + 2 pieces.
  while (done < len) {
    const at = off + done;
    const within = at & (erase - 1);
    const n = min<u32>(len - done, erase - within);
    const phys = physBlock(r, at >> eraseShift());
    if (phys < 0) return false;
    if (!fopPush(L.FOP_READ, <u32>phys + within, win + done, n)) return false;
    done += n;
  }
  return true;
}

function allErased(p: usize, len: u32): bool {
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(p + i) != 0xffffffffffffffff) return false;
  for (; i < len; i++) if (load<u8>(p + i) != 0xff) return false;
  return true;
}

function idZero(p: usize): bool {
  for (let i: usize = 0; i < <usize>L.FLASH_ID_LEN; i++) if (load<u8>(p + i) != 0) return false;
  return true;
}

// ---- begin / step -------------------------------------------------------------------------------

/** Begins operation op (FLOP_*); len: the image length (FLOP_WRITE, FLOP_GOLDEN), 1 to verify the slots (FLOP_STATUS). */
export function flashBegin(op: i32, len: i32): i32 {
  if (!layoutValid()) return E_FLASH_STATE;
  if (op == L.FLOP_WRITE || op == L.FLOP_GOLDEN) {
    if (len < F.IMG_MIN_LEN || len > F.IMG_MAX_LEN) return E_FLASH_ARG;
  }
  imgReset();
  memory.fill(STATE_FLASH_OP, 0, O_SIZE);
  fopsClear();
  memory.fill(INFO, 0, <usize>L.FI_SLOTS + <usize>L.FL_REGIONS * <usize>L.FI_SLOT_SIZE);
  for (let s: u32 = 0; s < <u32>L.FL_REGIONS; s++) store<i32>(slotInfo(s) + L.FS_STATUS, L.FS_UNCHECKED);
  info(L.FI_OP, <u32>op);
  store<i32>(INFO + L.FI_STATUS, 1);
  info(L.FI_CHOSEN, L.FL_NONE);
  info(L.FI_TARGET, L.FL_NONE);
  info(L.FI_KEEP, L.FL_NONE);
  info(L.FI_CUR_COPY, L.FL_NONE);
  set(O_OP, <u32>op);
  set(O_WLEN, <u32>len);
  set(O_SKIP, L.FL_NONE);
  set(O_PHASE, P_SCAN);
  return OK;
}

/** Forgets any operation in progress (flash_config, init). */
export function flashAbandon(): void {
  imgReset();
  memory.fill(STATE_FLASH_OP, 0, O_SIZE);
  fopsClear();
}

export function flashStep(): i32 {
  if (get(O_OP) == L.FLOP_NONE) return E_FLASH_STATE;
  set(O_LAST, fopsCount());
  fopsClear();
  let rc: i32 = CONTINUE;
  for (let hop = 0; hop < MAX_CHAIN && rc == CONTINUE; hop++) rc = runPhase(<i32>get(O_PHASE));
  if (rc == CONTINUE || (rc == STEP_IO && fopsCount() == 0)) rc = E_FLASH_STATE; // a core bug, never a flash state
  if (rc == STEP_IO) {
    info(L.FI_ROUNDS, load<u32>(INFO + L.FI_ROUNDS) + 1);
    return STEP_IO;
  }
  imgReset();
  fopsClear();
  set(O_OP, L.FLOP_NONE);
  store<i32>(INFO + L.FI_STATUS, rc);
  memory.copy(INFO + L.FI_STATE, STATE_FLASH_CUR, <usize>L.SR_LEN);
  return rc;
}

function runPhase(p: i32): i32 {
  switch (p) {
    case P_SCAN: return scan();
    case P_SCAN_DONE: return scanDone();
    case P_STATE_READ: return stateRead();
    case P_STATE_DONE: return stateDone();
    case V_START: return vStart();
    case V_HEAD: return vHead();
    case V_TRAILER: return vTrailer();
    case V_STREAM: return vStream();
    case S_START: return sStart();
    case S_DONE: return sDone();
    case B_START: return bStart();
    case B_TRIAL_VERIFIED: return bTrialVerified();
    case B_TRIAL_SPENT: return bTrialSpent();
    case B_REVERTED: return bReverted();
    case B_CAND: return bCand();
    case B_CAND_VERIFIED: return bCandVerified();
    case W_KEEP: return wKeep();
    case W_KEEP_VERIFIED: return wKeepVerified();
    case W_BEGIN: return wBegin();
    case W_BLANK: return wBlank();
    case W_BLANK_DONE: return wBlankDone();
    case W_BLOCK: return wBlock();
    case W_VERIFIED: return wVerified();
    case W_MARKED: return geti(O_SWSTATUS) != OK ? geti(O_SWSTATUS) : STEP_DONE;
    case C_START: return cStart();
    case C_VERIFIED: return cVerified();
    case X_STATE_WRITTEN: return geti(O_SWSTATUS) != OK ? geti(O_SWSTATUS) : STEP_DONE;
    case R_START: return rStart();
    case T_NEXT: return tNext();
  }
  return E_FLASH_STATE;
}

// ---- opening: bad blocks, then the state ------------------------------------------------------

function totalBlocks(): u32 {
  let n: u32 = 0;
  for (let r = 0; r < L.FL_REGIONS; r++) n += regionBlocks(r);
  return n;
}

/** Region and block of a flat block index (regions in FL_* order). */
function flatRegion(i: u32): i32 {
  for (let r = 0; r < L.FL_REGIONS; r++) {
    if (i < regionBlocks(r)) return r;
    i -= regionBlocks(r);
  }
  return -1;
}
function flatBlock(i: u32): u32 {
  for (let r = 0; r < L.FL_REGIONS; r++) {
    if (i < regionBlocks(r)) return i;
    i -= regionBlocks(r);
  }
  return 0;
}

function scan(): i32 {
  const total = totalBlocks();
  if (!hasBadBlocks() || get(O_SCAN) >= total) return phase(P_STATE_READ);
  for (let i = get(O_SCAN); i < total; i++) {
    const r = flatRegion(i);
    const b = flatBlock(i);
    if (!fopPush(L.FOP_ISBAD, regionOffset(r) + (b << eraseShift()), 0, eraseSize())) break;
  }
  return io(P_SCAN_DONE);
}

function scanDone(): i32 {
  const n = get(O_LAST);
  const first = get(O_SCAN);
  for (let k: u32 = 0; k < n; k++) {
    const res = fopResult(k);
    if (res != 0 && res != 1) return E_FLASH_IO;
    badSet(flatRegion(first + k), flatBlock(first + k), res == 1);
  }
  set(O_SCAN, first + n);
  return phase(P_SCAN);
}

function stateRead(): i32 {
  for (let r = 0; r < L.FL_REGIONS; r++) {
    const si = slotInfo(<u32>r);
    const good = goodBlocks(r);
    store<u32>(si + L.FS_GOOD_BLOCKS, good);
    store<u32>(si + L.FS_BAD_BLOCKS, regionBlocks(r) - good);
  }
  const c0 = physBlock(L.FL_STATE, 0);
  const c1 = physBlock(L.FL_STATE, 1);
  if (c1 < 0) return E_FLASH_BAD_BLOCKS;
  set(O_COPY0, <u32>c0);
  set(O_COPY1, <u32>c1);
  info(L.FI_COPY_ADDR, <u32>c0);
  info(L.FI_COPY_ADDR + 4, <u32>c1);
  const span = recordStride() * 2;
  fopPush(L.FOP_READ, <u32>c0, 0, span);
  fopPush(L.FOP_READ, <u32>c1, span, span);
  return io(P_STATE_DONE);
}

function stateDone(): i32 {
  if (!lastRoundOk()) return E_FLASH_IO;
  const span = <usize>recordStride() * 2;
  const b0 = copyBest(WIN, <usize>recordStride());
  const b1 = copyBest(WIN + span, <usize>recordStride());
  if (b0 != 0) { info(L.FI_COPY_VALID, 1); info(L.FI_COPY_SEQ, load<u32>(b0 + L.SR_OFF_SEQ)); }
  if (b1 != 0) { info(L.FI_COPY_VALID + 4, 1); info(L.FI_COPY_SEQ + 4, load<u32>(b1 + L.SR_OFF_SEQ)); }
  let best: usize = b0;
  let copy: u32 = 0;
  if (b1 != 0 && (b0 == 0 || load<u32>(b1 + L.SR_OFF_SEQ) > load<u32>(b0 + L.SR_OFF_SEQ))) {
    best = b1;
    copy = 1;
  }
  if (best == 0) {
    recordInitial(STATE_FLASH_CUR);
    set(O_CURCOPY, L.FL_NONE);
    infoOr(L.FI_FLAGS, L.FIF_NO_STATE);
  } else {
    memory.copy(STATE_FLASH_CUR, best, <usize>L.SR_LEN);
    set(O_CURCOPY, copy);
  }
  info(L.FI_CUR_COPY, get(O_CURCOPY));
  memory.copy(INFO + L.FI_STATE_BEFORE, STATE_FLASH_CUR, <usize>L.SR_LEN);
  memory.copy(INFO + L.FI_STATE, STATE_FLASH_CUR, <usize>L.SR_LEN);
  const op = get(O_OP);
  if (op == L.FLOP_BOOT) return phase(B_START);
  if (op == L.FLOP_WRITE) return phase(W_KEEP);
  if (op == L.FLOP_GOLDEN) {
    set(O_WTARGET, L.FL_GOLDEN);
    return phase(W_BEGIN);
  }
  if (op == L.FLOP_CONFIRM) return phase(C_START);
  if (op == L.FLOP_REVERT) return phase(R_START);
  if (get(O_WLEN) == 0) set(O_CAND, 3); // status without verifying the slots: the state only
  return phase(T_NEXT);
}

// ---- verify a slot ------------------------------------------------------------------------------

function callVerify(slot: u32, hash: bool, ret: i32): i32 {
  set(O_VSLOT, slot);
  set(O_VHASH, hash ? 1 : 0);
  set(O_RET, <u32>ret);
  return phase(V_START);
}

/** Ends a verification with its verdict and returns to the caller's phase. */
function vEnd(status: i32): i32 {
  const slot = get(O_VSLOT);
  if (status == OK && slot != L.FL_GOLDEN && load<u32>(slotInfo(slot) + L.FS_COUNTER) < load<u32>(STATE_FLASH_CUR + L.SR_OFF_COUNTER)) {
    status = E_FLASH_ROLLBACK;
  }
  imgReset(); // wipes the parser's working state, whatever it was doing
  seti(O_VSTATUS, status);
  store<i32>(slotInfo(slot) + L.FS_STATUS, status);
  return phase(<i32>get(O_RET));
}

/** The parser refused: the verdict, unless read-back hashing must go on to the end. */
function vRefused(rc: i32): bool {
  if (get(O_VHASH) == 0) return true;
  if (geti(O_VREFUSED) == 0) seti(O_VREFUSED, rc);
  return false;
}

function vStart(): i32 {
  const slot = get(O_VSLOT);
  const si = slotInfo(slot);
  store<u32>(si + L.FS_CHECKED, 1);
  store<i32>(si + L.FS_STATUS, L.FS_UNCHECKED);
  seti(O_VREFUSED, 0);
  memory.fill(STATE_FLASH_VID, 0, <usize>L.FLASH_ID_LEN);
  memory.fill(DIGEST_R, 0, 32);
  if (!emitRead(<i32>slot, 0, 0, F.IMG_HEADER_LEN)) return vEnd(E_FLASH_BAD_BLOCKS);
  return io(V_HEAD);
}

function vHead(): i32 {
  if (!lastRoundOk()) return vEnd(E_FLASH_IO);
  const slot = get(O_VSLOT);
  const si = slotInfo(slot);
  const hash = get(O_VHASH) != 0;
  if (!hash && allErased(WIN, F.IMG_HEADER_LEN)) return vEnd(E_FLASH_EMPTY);
  const declared = load<u32>(WIN + F.IMG_OFF_IMAGE_LEN);
  store<u32>(si + L.FS_LEN, declared);
  store<u32>(si + L.FS_COUNTER, load<u32>(WIN + F.IMG_OFF_SECURITY_COUNTER));
  store<u64>(si + L.FS_VERSION, load<u64>(WIN + F.IMG_OFF_VER_MAJOR));
  // Read-back streams exactly what was written; otherwise the header says how much to read.
  const len = hash ? get(O_WLEN) : declared;
  if (<u64>len > capacity(<i32>slot) || len < <u32>F.IMG_MIN_LEN || len > <u32>F.IMG_MAX_LEN) return vEnd(E_IMG_LENGTH);
  set(O_VLEN, len);
  if (hash) {
    shaInit(STATE_FLASH_SHA_R);
    shaUpdate(STATE_FLASH_SHA_R, WIN, F.IMG_HEADER_LEN);
  }
  let rc = imgBegin(<i32>len, F.IMG_MODE_VERIFY);
  if (rc == OK) rc = imgUpdate(WIN, F.IMG_HEADER_LEN);
  set(O_VPOS, F.IMG_HEADER_LEN);
  if (rc < 0) {
    if (vRefused(rc)) return vEnd(rc);
    return vNextChunk();
  }
  if (!emitRead(<i32>slot, len - F.IMG_TRAILER_LEN, 0, F.IMG_TRAILER_LEN)) return vEnd(E_FLASH_BAD_BLOCKS);
  return io(V_TRAILER);
}

function vTrailer(): i32 {
  if (!lastRoundOk()) return vEnd(E_FLASH_IO);
  // The image id: the first 16 bytes of the signature (R), unique per signed image.
  const id = WIN + 24 + F.IMG_REC_HEADER_LEN;
  memory.copy(STATE_FLASH_VID, id, <usize>L.FLASH_ID_LEN);
  memory.copy(slotInfo(get(O_VSLOT)) + L.FS_ID, id, <usize>L.FLASH_ID_LEN);
  const rc = imgTrailer(WIN);
  if (rc < 0 && vRefused(rc)) return vEnd(rc);
  return vNextChunk();
}

function vNextChunk(): i32 {
  const pos = get(O_VPOS);
  // One window, and no more pieces than an operation list holds (small erase blocks).
  const most = min<u32>(<u32>FLASH_WINDOW_SIZE, (<u32>L.FOP_MAX - 2) << eraseShift());
  const n = min<u32>(most, get(O_VLEN) - pos);
  set(O_VCHUNK, n);
  if (!emitRead(<i32>get(O_VSLOT), pos, 0, n)) return vEnd(E_FLASH_BAD_BLOCKS);
  return io(V_STREAM);
}

function vStream(): i32 {
  if (!lastRoundOk()) return vEnd(E_FLASH_IO);
  const n = get(O_VCHUNK);
  if (geti(O_VREFUSED) == 0) {
    const rc = imgUpdate(WIN, n);
    if (rc < 0 && vRefused(rc)) return vEnd(rc);
  }
  if (get(O_VHASH) != 0) shaUpdate(STATE_FLASH_SHA_R, WIN, n);
  const pos = get(O_VPOS) + n;
  set(O_VPOS, pos);
  if (pos < get(O_VLEN)) return vNextChunk();
  if (get(O_VHASH) != 0) shaFinal(STATE_FLASH_SHA_R, DIGEST_R);
  if (geti(O_VREFUSED) != 0) return vEnd(geti(O_VREFUSED));
  return vEnd(imgFinish());
}

// ---- write the state ------------------------------------------------------------------------------

function prepareNext(): void {
  memory.copy(STATE_FLASH_NEXT, STATE_FLASH_CUR, <usize>L.SR_LEN);
}

/** NEXT := the state with its trial reverted (the trial's image id remembered as rejected). */
function prepareRevert(): void {
  prepareNext();
  memory.copy(STATE_FLASH_NEXT + L.SR_OFF_REJECTED_ID, STATE_FLASH_CUR + L.SR_OFF_TRIAL_ID, <usize>L.FLASH_ID_LEN);
  memory.fill(STATE_FLASH_NEXT + L.SR_OFF_TRIAL_ID, 0, <usize>L.FLASH_ID_LEN);
  next8(L.SR_OFF_TRIAL, L.FL_NONE);
  next8(L.SR_OFF_ATTEMPTS, 0);
  next8(L.SR_OFF_ATTEMPTS_MAX, 0);
}

function callStateWrite(ret: i32): i32 {
  set(O_RET, <u32>ret);
  return phase(S_START);
}

function sStart(): i32 {
  store<u32>(STATE_FLASH_NEXT + L.SR_OFF_SEQ, load<u32>(STATE_FLASH_CUR + L.SR_OFF_SEQ) + 1);
  recordSeal(STATE_FLASH_NEXT);
  // Never the copy the state in force came from: cut anywhere, that one still stands.
  const copy: u32 = get(O_CURCOPY) == 0 ? 1 : 0;
  const addr = copy == 0 ? get(O_COPY0) : get(O_COPY1);
  const stride = recordStride();
  memory.fill(WIN, 0xff, <usize>stride * 2);
  memory.copy(WIN, STATE_FLASH_NEXT, <usize>L.SR_LEN);
  memory.copy(WIN + stride, STATE_FLASH_NEXT, <usize>L.SR_LEN);
  set(O_SWCOPY, copy);
  fopPush(L.FOP_ERASE, addr, 0, eraseSize());
  fopPush(L.FOP_PROGRAM, addr, 0, stride * 2);
  fopPush(L.FOP_READ, addr, stride * 2, stride * 2);
  return io(S_DONE);
}

function sDone(): i32 {
  const stride = <usize>recordStride();
  const copy = get(O_SWCOPY);
  const performed = lastRoundOk();
  const back = WIN + stride * 2;
  if (performed && recordSame(back, STATE_FLASH_NEXT) && recordSame(back + stride, STATE_FLASH_NEXT) && recordValid(back)) {
    memory.copy(STATE_FLASH_CUR, STATE_FLASH_NEXT, <usize>L.SR_LEN);
    set(O_CURCOPY, copy);
    info(L.FI_CUR_COPY, copy);
    info(L.FI_COPY_VALID + copy * 4, 1);
    info(L.FI_COPY_SEQ + copy * 4, load<u32>(STATE_FLASH_CUR + L.SR_OFF_SEQ));
    infoOr(L.FI_FLAGS, L.FIF_STATE_WRITTEN);
    seti(O_SWSTATUS, OK);
  } else {
    // The copy written is not trusted; the state in force is unchanged (the other copy).
    info(L.FI_COPY_VALID + copy * 4, 0);
    infoOr(L.FI_FLAGS, L.FIF_STATE_WRITE_FAILED);
    seti(O_SWSTATUS, performed ? E_FLASH_STATE_WRITE : E_FLASH_IO);
  }
  memory.copy(INFO + L.FI_STATE, STATE_FLASH_CUR, <usize>L.SR_LEN);
  return phase(<i32>get(O_RET));
}

// ---- boot selection ---------------------------------------------------------------------------------

function choose(slot: u32, reason: u32): i32 {
  info(L.FI_CHOSEN, slot);
  info(L.FI_REASON, reason);
  return STEP_DONE;
}

function bStart(): i32 {
  const trial = cur8(L.SR_OFF_TRIAL);
  if (trial == L.FL_NONE) return phase(B_CAND);
  set(O_SKIP, trial);
  if (cur8(L.SR_OFF_ATTEMPTS) == 0) {
    // Every attempt was spent and nobody confirmed it: revert.
    prepareRevert();
    return callStateWrite(B_REVERTED);
  }
  return callVerify(trial, false, B_TRIAL_VERIFIED);
}

function bTrialVerified(): i32 {
  const trial = get(O_VSLOT);
  if (geti(O_VSTATUS) == OK && !memEqual(STATE_FLASH_VID, STATE_FLASH_CUR + L.SR_OFF_TRIAL_ID, <usize>L.FLASH_ID_LEN)) {
    store<i32>(slotInfo(trial) + L.FS_STATUS, E_FLASH_MISMATCH);
    seti(O_VSTATUS, E_FLASH_MISMATCH);
  }
  if (geti(O_VSTATUS) != OK) {
    prepareRevert(); // a trial that does not verify is reverted at once
    return callStateWrite(B_REVERTED);
  }
  // A trial boot spends an attempt, on flash, before the image runs.
  prepareNext();
  next8(L.SR_OFF_ATTEMPTS, cur8(L.SR_OFF_ATTEMPTS) - 1);
  return callStateWrite(B_TRIAL_SPENT);
}

function bTrialSpent(): i32 {
  if (geti(O_SWSTATUS) == OK) {
    infoOr(L.FI_FLAGS, L.FIF_ATTEMPT);
    return choose(get(O_SKIP), L.BOOT_TRIAL);
  }
  return phase(B_CAND); // the attempt could not be recorded: never boot the trial unrecorded
}

function bReverted(): i32 {
  if (geti(O_SWSTATUS) == OK) infoOr(L.FI_FLAGS, L.FIF_REVERTED);
  return phase(B_CAND);
}

/** Candidate i of the boot order: the confirmed slot, then A, then B, then golden. */
function candidate(i: u32): u32 {
  const confirmed = cur8(L.SR_OFF_CONFIRMED);
  if (i == 0) return confirmed;
  if (i == 1) return confirmed == L.FL_A ? L.FL_NONE : L.FL_A;
  if (i == 2) return confirmed == L.FL_B ? L.FL_NONE : L.FL_B;
  if (i == 3) return L.FL_GOLDEN;
  return L.FL_NONE;
}

function bCand(): i32 {
  for (let i = get(O_CAND); i < 4; i++) {
    const slot = candidate(i);
    set(O_CAND, i + 1);
    if (slot == L.FL_NONE || slot == get(O_SKIP)) continue;
    return callVerify(slot, false, B_CAND_VERIFIED);
  }
  info(L.FI_CHOSEN, L.FL_NONE);
  return E_BOOT_NOTHING;
}

function rejected(slot: u32): bool {
  const r = STATE_FLASH_CUR + L.SR_OFF_REJECTED_ID;
  return slot != L.FL_GOLDEN && !idZero(r) && memEqual(STATE_FLASH_VID, r, <usize>L.FLASH_ID_LEN);
}

function bCandVerified(): i32 {
  const slot = get(O_VSLOT);
  if (geti(O_VSTATUS) != OK) return phase(B_CAND);
  if (rejected(slot)) {
    store<i32>(slotInfo(slot) + L.FS_STATUS, E_FLASH_REJECTED);
    return phase(B_CAND);
  }
  if (slot == L.FL_GOLDEN) return choose(slot, L.BOOT_GOLDEN);
  const confirmedHere = slot == cur8(L.SR_OFF_CONFIRMED) && memEqual(STATE_FLASH_VID, STATE_FLASH_CUR + L.SR_OFF_CONFIRMED_ID, <usize>L.FLASH_ID_LEN);
  return choose(slot, confirmedHere ? L.BOOT_CONFIRMED : L.BOOT_FALLBACK);
}

// ---- write a slot -------------------------------------------------------------------------------------

// Which slot to keep: the one the card would boot without the trial (the confirmed slot if it
// verifies, else the first of A and B that does). The other one is written.
function wKeep(): i32 {
  for (let i = get(O_CAND); i < 3; i++) {
    const slot = candidate(i);
    set(O_CAND, i + 1);
    if (slot == L.FL_NONE) continue;
    return callVerify(slot, false, W_KEEP_VERIFIED);
  }
  set(O_WTARGET, L.FL_A); // nothing of A and B boots: either may be written
  return phase(W_BEGIN);
}

function wKeepVerified(): i32 {
  const slot = get(O_VSLOT);
  if (geti(O_VSTATUS) != OK || rejected(slot)) return phase(W_KEEP);
  info(L.FI_KEEP, slot);
  set(O_WTARGET, slot == L.FL_A ? L.FL_B : L.FL_A);
  return phase(W_BEGIN);
}

function wBegin(): i32 {
  const target = get(O_WTARGET);
  info(L.FI_TARGET, target);
  if (<u64>get(O_WLEN) > capacity(<i32>target)) return E_FLASH_TOO_BIG;
  shaInit(STATE_FLASH_SHA_W);
  set(O_WPOS, 0);
  set(O_WBLK, 0);
  set(O_WPREV, 0);
  return phase(get(O_OP) == L.FLOP_GOLDEN ? W_BLANK : W_BLOCK);
}

/** Manufacture: the golden blocks the image will take must be erased (golden is written once). */
function wBlank(): i32 {
  const erase = eraseSize();
  const need = (get(O_WLEN) + erase - 1) >> eraseShift();
  const per = min<u32>(<u32>FLASH_WINDOW_SIZE >> eraseShift(), <u32>L.FOP_MAX);
  let b = get(O_WBLK);
  let k: u32 = 0;
  for (; k < per && b < need; k++, b++) {
    const phys = physBlock(L.FL_GOLDEN, b);
    if (phys < 0) return E_FLASH_TOO_BIG;
    fopPush(L.FOP_READ, <u32>phys, k * erase, erase);
  }
  set(O_WPREV, k);
  return io(W_BLANK_DONE);
}

function wBlankDone(): i32 {
  if (!lastRoundOk()) return E_FLASH_IO;
  const k = get(O_WPREV);
  if (!allErased(WIN, k * eraseSize())) return E_FLASH_NOT_BLANK;
  const b = get(O_WBLK) + k;
  set(O_WBLK, b);
  set(O_WPREV, 0);
  if (<u64>b << eraseShift() < <u64>get(O_WLEN)) return phase(W_BLANK);
  set(O_WBLK, 0);
  return phase(W_BLOCK);
}

// One erase block per round: fetch the image's bytes into the window, erase, program.
function wBlock(): i32 {
  const prev = get(O_WPREV);
  if (prev > 0) {
    if (!lastRoundOk()) return E_FLASH_IO;
    shaUpdate(STATE_FLASH_SHA_W, WIN, prev); // what was fetched and programmed
  }
  const pos = get(O_WPOS);
  const len = get(O_WLEN);
  const target = get(O_WTARGET);
  if (pos >= len) {
    shaFinal(STATE_FLASH_SHA_W, DIGEST_W);
    return callVerify(target, true, W_VERIFIED); // read back: hash and verify what is on flash
  }
  const erase = eraseSize();
  const n = min<u32>(erase, len - pos);
  const phys = physBlock(<i32>target, get(O_WBLK));
  if (phys < 0) return E_FLASH_TOO_BIG;
  const plen = roundUp(n, writeSize());
  memory.fill(WIN, 0xff, <usize>plen);
  fopPush(L.FOP_FETCH, pos, 0, n);
  fopPush(L.FOP_ERASE, <u32>phys, 0, erase);
  fopPush(L.FOP_PROGRAM, <u32>phys, 0, plen);
  set(O_WPOS, pos + n);
  set(O_WBLK, get(O_WBLK) + 1);
  set(O_WPREV, n);
  return io(W_BLOCK);
}

function wVerified(): i32 {
  const v = geti(O_VSTATUS);
  if (v == E_FLASH_IO || v == E_FLASH_BAD_BLOCKS) return v;
  // Never trust a read that returned no error: what came back must hash to what was written.
  if (!memEqual(DIGEST_W, DIGEST_R, 32)) return E_FLASH_READBACK;
  if (v != OK) return v;
  if (get(O_OP) == L.FLOP_GOLDEN) return STEP_DONE;
  const target = get(O_WTARGET);
  prepareNext();
  next8(L.SR_OFF_TRIAL, target);
  next8(L.SR_OFF_ATTEMPTS, attempts());
  next8(L.SR_OFF_ATTEMPTS_MAX, attempts());
  memory.copy(STATE_FLASH_NEXT + L.SR_OFF_TRIAL_ID, STATE_FLASH_VID, <usize>L.FLASH_ID_LEN);
  return callStateWrite(W_MARKED);
}

// ---- confirm, revert, status ----------------------------------------------------------------------

function cStart(): i32 {
  const trial = cur8(L.SR_OFF_TRIAL);
  if (trial == L.FL_NONE) return E_FLASH_NO_TRIAL;
  if (cur8(L.SR_OFF_ATTEMPTS) == cur8(L.SR_OFF_ATTEMPTS_MAX)) return E_FLASH_NOT_BOOTED;
  return callVerify(trial, false, C_VERIFIED);
}

function cVerified(): i32 {
  const v = geti(O_VSTATUS);
  if (v != OK) return v;
  if (!memEqual(STATE_FLASH_VID, STATE_FLASH_CUR + L.SR_OFF_TRIAL_ID, <usize>L.FLASH_ID_LEN)) return E_FLASH_MISMATCH;
  const trial = get(O_VSLOT);
  const counter = load<u32>(slotInfo(trial) + L.FS_COUNTER);
  prepareNext();
  next8(L.SR_OFF_CONFIRMED, trial);
  memory.copy(STATE_FLASH_NEXT + L.SR_OFF_CONFIRMED_ID, STATE_FLASH_CUR + L.SR_OFF_TRIAL_ID, <usize>L.FLASH_ID_LEN);
  memory.fill(STATE_FLASH_NEXT + L.SR_OFF_TRIAL_ID, 0, <usize>L.FLASH_ID_LEN);
  next8(L.SR_OFF_TRIAL, L.FL_NONE);
  next8(L.SR_OFF_ATTEMPTS, 0);
  next8(L.SR_OFF_ATTEMPTS_MAX, 0);
  // Confirmation, and only confirmation, raises the security counter.
  const stored = load<u32>(STATE_FLASH_CUR + L.SR_OFF_COUNTER);
  store<u32>(STATE_FLASH_NEXT + L.SR_OFF_COUNTER, counter > stored ? counter : stored);
  return callStateWrite(X_STATE_WRITTEN);
}

function rStart(): i32 {
  if (cur8(L.SR_OFF_TRIAL) == L.FL_NONE) return E_FLASH_NO_TRIAL;
  prepareRevert();
  infoOr(L.FI_FLAGS, L.FIF_REVERTED);
  return callStateWrite(X_STATE_WRITTEN);
}

function tNext(): i32 {
  const i = get(O_CAND);
  if (i >= 3) return STEP_DONE;
  set(O_CAND, i + 1);
  return callVerify(i == 0 ? L.FL_GOLDEN : i == 1 ? L.FL_A : L.FL_B, false, T_NEXT);
}
