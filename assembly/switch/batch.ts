// The batch pipeline: a batch of frames goes through the switching path in three passes, so
// that the connection table's cache misses of the whole batch overlap instead of following
// one another (docs/switching-path.md "Batch pipeline"; DPDK rte_hash's bulk lookup):
//
//   1. stage      parse every frame, keep the results (ParseResult, in core state), and work
//                 out which two buckets and which signature its lookup will use
//   2. look ahead read the lines the lookups will read: first buckets' signature lines, then
//                 the entry lines they name (or the second buckets' signature lines), then
//                 the second buckets' entry lines — rounds of independent loads, which the CPU
//                 keeps in flight together (WebAssembly has no prefetch instruction; a load
//                 whose result is kept is the portable one)
//   3. switch     frame by frame in order, the parse results put back, the ordinary path
//                 (switchParsed): lookups, inserts, evictions, rewrites happen exactly as
//                 they would one frame at a time, now from cache
//
// Passes 1 and 2 write nothing but the stage, so pass 3 decides exactly what frame-at-a-time
// switching decides. Parsing ahead is sound when nothing pass 3 writes for one frame can
// change a later frame's bytes: true of the engine (every RX slot holds its own buffer);
// sw_batch checks it (switchBatch, below) and parses again when descriptors overlap.

import {
  IPPROTO_TCP, IPPROTO_UDP,
} from "../shared/wire";
import {
  FAMILY_NONE, FAMILY_V4, BD_SIZE, BD_BUF, BD_LEN, BD_CAP, BD_IN_PORT, BD_VERDICT, SW_MAX_PORTS,
  C_RX, C_DROP_BAD_DESC,
} from "../shared/switch";
import { SW_ST_STAGE, SW_STAGE_STRIDE, SW_STAGE_MAX, SW_ST_LOOKAHEAD, SW_ST_IN_BATCH } from "../state";
import { count, drop } from "./counters";
import { clientHash } from "./hash";
import { ParseResult, parse, parseSave, parseRestore, pFamily, pProto, pFrag, pSrc, pDst, pSport, pDport, FRAG_LATER } from "./parse";
import { findService } from "./config";
import { ConnPlan, connPlan, connLikelyEntry } from "./conntable";
import { switchPacket, switchParsed, switchTick } from "./pipeline";
import { packetRange } from "./init";

/** The planned lookup (conntable.ts ConnPlan) sits after the parse results in each stage slot (layout.ts checks both fit). */
export const STAGE_LOOK_AT: usize = 44;

@inline
function staged(k: i32): ParseResult {
  return changetype<ParseResult>(SW_ST_STAGE + <usize>k * SW_STAGE_STRIDE);
}

@inline
function lookAhead(k: i32): ConnPlan {
  return changetype<ConnPlan>(SW_ST_STAGE + <usize>k * SW_STAGE_STRIDE + STAGE_LOOK_AT);
}

/**
 * Pass 1 for one frame: parse [buf, buf+len) into stage slot k and note the lookup it will
 * make, as pipeline.ts will: a client's packet to a service looks up its own side; other
 * TCP/UDP over IPv4 may be a back end's reply and looks up its destination's. A later
 * fragment's ports come from fragment tracking: no look-ahead.
 */
export function stageFrame(k: i32, buf: usize, len: i32): void {
  const rc = parse(buf, len);
  parseSave(staged(k), rc);
  const la = lookAhead(k);
  la.b1 = 0;
  if (rc != 0 || pFamily == FAMILY_NONE || (pProto != IPPROTO_TCP && pProto != IPPROTO_UDP) || pFrag == FRAG_LATER) return;
  const svc = findService(pFamily, pDst, pProto, pDport);
  if (svc >= 0) connPlan(la, clientHash(pFamily, pSrc, pSport, pProto), svc);
  else if (pFamily == FAMILY_V4) connPlan(la, clientHash(FAMILY_V4, pDst, pDport, pProto), -1);
}

/** Pass 1 for a slot that holds no frame (a bad descriptor, an RX error): no lookup. */
@inline
export function stageNothing(k: i32): void {
  lookAhead(k).b1 = 0;
}

/**
 * Pass 2 over stage slots [0, n), in rounds of independent loads the CPU overlaps: every
 * lookup's first bucket's signature line; then, per lookup, the entry line its signature
 * names in that bucket or else its second bucket's signature line; then the entry lines
 * the second buckets name. Two thirds of the entries sit in their first bucket (the
 * emptier-bucket insert breaks ties towards it), so most lookups need one page and two
 * lines. What the loads read is folded into one word kept in core state: no compiler may
 * drop them.
 */
export function stageLookAhead(n: i32): void {
  let acc: u32 = 0;
  for (let k = 0; k < n; k++) {
    const la = lookAhead(k);
    if (la.b1 != 0) acc ^= load<u32>(la.b1);
  }
  let second: u64 = 0; // slot k's lookup goes on in its second bucket
  for (let k = 0; k < n; k++) {
    const la = lookAhead(k);
    if (la.b1 == 0) continue;
    const e = connLikelyEntry(la.b1, la.sig);
    acc ^= load<u32>(select<usize>(e, la.b2, e != 0)); // no branch: nothing to mispredict between the loads
    second |= <u64>(e == 0) << <u64>k;
  }
  for (; second != 0; second &= second - 1) {
    const la = lookAhead(<i32>ctz(second));
    const e = connLikelyEntry(la.b2, la.sig);
    if (e != 0) acc ^= load<u32>(e);
  }
  store<u32>(SW_ST_LOOKAHEAD, acc);
}

/** Pass 3 for stage slot k: the frame switched with the results pass 1 kept. */
@inline
export function stageSwitch(k: i32, buf: usize, len: i32, cap: i32, inPort: i32): i32 {
  count(C_RX);
  const rc = parseRestore(staged(k));
  const la = lookAhead(k);
  return switchParsed(buf, len, cap, inPort, rc, la.b1 != 0 ? la : null);
}

/** The batch entry point's checks: packet memory, length within capacity, a port in range. */
@inline
function descGood(buf: i32, len: i32, cap: i32, port: i32): bool {
  return packetRange(buf, cap) && len <= cap && port < SW_MAX_PORTS;
}

/**
 * sw_batch at tick now: n frames described by BD_SIZE-byte descriptors at descs, in chunks of
 * SW_STAGE_MAX, each through the three passes; every verdict into its descriptor. A frame
 * parsed ahead whose bytes (or whose descriptor) an earlier frame of the chunk may have
 * written since — overlapping buffers, a descriptor inside a frame — is read and parsed
 * again when its turn comes, as frame-at-a-time switching would see it.
 */
export function switchBatch(descs: usize, n: i32, now: u32): void {
  switchTick(now);
  store<u32>(SW_ST_IN_BATCH, 1);
  for (let at = 0; at < n; at += SW_STAGE_MAX) {
    const m = min(n - at, SW_STAGE_MAX);
    const first = descs + <usize>at * BD_SIZE;
    for (let k = 0; k < m; k++) {
      const d = first + <usize>k * BD_SIZE;
      const buf = <i32>load<u32>(d + BD_BUF);
      const len = <i32>load<u16>(d + BD_LEN);
      if (descGood(buf, len, <i32>load<u16>(d + BD_CAP), <i32>load<u8>(d + BD_IN_PORT))) stageFrame(k, <usize>buf, len);
      else stageNothing(k);
    }
    stageLookAhead(m);
    // What this chunk's frames wrote so far: their buffers (one interval around them all)
    // and their verdicts (a run of descriptors).
    let wroteLo: usize = usize.MAX_VALUE;
    let wroteHi: usize = 0;
    for (let k = 0; k < m; k++) {
      const d = first + <usize>k * BD_SIZE;
      const fresh = d >= wroteHi || d + BD_VERDICT <= wroteLo; // its fields untouched since pass 1
      const buf = <i32>load<u32>(d + BD_BUF);
      const len = <i32>load<u16>(d + BD_LEN);
      const cap = <i32>load<u16>(d + BD_CAP);
      const port = <i32>load<u8>(d + BD_IN_PORT);
      let v: i32;
      if (!descGood(buf, len, cap, port)) {
        count(C_RX);
        v = drop(C_DROP_BAD_DESC);
      } else {
        const b = <usize>buf;
        const untouched = b >= wroteHi || b + <usize>len <= wroteLo;
        const verdictsClear = b >= d || b + <usize>len <= first + BD_VERDICT; // not over an earlier verdict
        v = fresh && untouched && verdictsClear ? stageSwitch(k, b, len, cap, port) : switchPacket(b, len, cap, port);
        if (b < wroteLo) wroteLo = b;
        if (b + <usize>cap > wroteHi) wroteHi = b + <usize>cap;
      }
      store<i32>(d + BD_VERDICT, v);
    }
  }
  store<u32>(SW_ST_IN_BATCH, 0);
}
