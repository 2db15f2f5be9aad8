// The connection table: fixed capacity in the SWITCH region, no allocation, 32 bytes per
// entry. Set-associative with two choices: a key hashes to two buckets of CONN_WAYS ways;
// a new entry goes to the emptier bucket (the "power of two choices" keeps buckets even: at
// 95 % load about 2 % of inserts find both full, against 12 % with one choice).
//
// A bucket is four cache lines (shared/switch.ts CONN_*; docs/switching-path.md):
//
//   line 0, the signature line   u16 signature x 8 | u8 service x 8 | u8 flags x 8 | u32 seen x 8
//   lines 1..3, the entries      (client address 16, client port 2, back end 2) x 3 per line
//
// A probe reads one line per candidate bucket and touches an entry line only for a way
// whose signature (and service) match; an entry never straddles two lines. Everything an
// expiry check or an eviction compares (flags, the tick of the last packet) is in the
// signature line too, so a full-table insert reads no entry line at all. The engine's batch
// pipeline (switch/batch.ts) touches the signature lines of a whole batch, then the entry
// lines, before the packets are switched one by one: the misses of a batch overlap.
//
// One entry serves both directions of a connection: it is keyed by the client (address,
// port, protocol) only, so a reply from a back end (whose destination is the client) hashes
// to the same buckets; the forward match also compares the service, the reverse match the
// back end's address and port (config.ts).
//
// A connection is named by a handle: its bucket's address plus its way (buckets are 256-byte
// aligned). Only this file knows where a field lives.
//
// Full table (both candidate buckets occupied by live entries): CONN_POLICY_EVICT replaces
// the least recently seen of the 16 candidates (counted C_CONN_EVICTED); CONN_POLICY_DROP
// refuses the new connection (the pipeline counts C_DROP_TABLE_FULL). Expired entries are
// reused first, and sw_conn_sweep removes them in the background.

import { SW_CONN_BASE } from "../shared/memmap";
import {
  CONN_WAYS, CONN_BUCKET_SIZE, CONN_SIGS, CONN_SVCS, CONN_FLAGS, CONN_SEEN, CONN_ENTRIES, CONN_LINE,
  CONN_ENTRY_SIZE, CONN_ENTRIES_PER_LINE, CE_CLIENT_ADDR, CE_CLIENT_PORT, CE_BACKEND,
  CF_V6, CF_UDP, FAMILY_V4, FAMILY_V6, SW_BE_ADDR, SW_BE_PORT, SW_SVC_PORT,
  CF_ESTABLISHED, CF_FIN_CLIENT, CF_FIN_SERVER, CF_RST, CONN_POLICY_DROP,
  TMO_TCP_ESTABLISHED, TMO_TCP_SYN, TMO_TCP_FIN, TMO_TCP_CLOSED, TMO_UDP,
  C_CONN_EVICTED, C_CONN_EXPIRED, C_CONN_LIVE,
} from "../shared/switch";
import { IPPROTO_UDP } from "../shared/wire";
import { SW_ST_CONN_MASK, SW_ST_POLICY, SW_ST_TIMEOUTS, SW_ST_SWEEP } from "../state";
import { count, uncount } from "./counters";
import { hashAlt } from "./hash";
import { addrEq, addrStore16 } from "./addr";
import { serviceRecord, backendRecord, serviceIsNat } from "./config";

// log2(CONN_BUCKET_SIZE): bucket i starts at SW_CONN_BASE + (i << BUCKET_SHIFT).
const BUCKET_SHIFT: u32 = 8;
const WAYS: usize = CONN_WAYS;
const WAY_MASK: usize = WAYS - 1;

/** The two candidate buckets and the signature of the key last prepared by connKey(). */
export let kBucket1: usize = 0;
export let kBucket2: usize = 0;
export let kSig: u32 = 0;

/**
 * The candidate buckets and the signature of a key's hash. The first bucket takes the hash's
 * low bits, the second the alternative hash's bits 8 and up; the signature takes the bits
 * neither uses (the hash's top byte, the alternative's low byte), never 0 (a free way).
 */
@inline
export function bucketOf(h: u32): usize {
  return <usize>SW_CONN_BASE + (<usize>(h & load<u32>(SW_ST_CONN_MASK)) << BUCKET_SHIFT);
}

@inline
export function altBucketOf(h: u32, alt: u32): usize {
  const mask = load<u32>(SW_ST_CONN_MASK);
  const b1 = h & mask;
  let b2 = (alt >>> 8) & mask;
  if (b2 == b1) b2 = b1 ^ 1; // capacity >= 16 entries: at least two buckets
  return <usize>SW_CONN_BASE + (<usize>b2 << BUCKET_SHIFT);
}

@inline
export function sigOf(h: u32, alt: u32): u32 {
  const s = ((h >>> 16) & 0xff00) | (alt & 0xff);
  return s != 0 ? s : 1;
}

/** Derives both buckets and the signature from a key's hash. */
@inline
export function connKey(h: u32): void {
  const alt = hashAlt(h);
  kBucket1 = bucketOf(h);
  kBucket2 = altBucketOf(h, alt);
  kSig = sigOf(h, alt);
}

/**
 * A lookup worked out ahead (the batch pipeline's stage): the service of (destination,
 * protocol, port), -1 for none (a reply's reverse lookup); the key's hash; its buckets and
 * signature. b1 = 0: no lookup planned.
 */
@unmanaged
export class ConnPlan {
  b1: usize;
  b2: usize;
  sig: u32;
  svc: i32;
  hash: u32;
}

/** Makes a planned key the current one, as connKey(plan.hash) would. */
@inline
export function connKeyPlanned(plan: ConnPlan): void {
  kBucket1 = plan.b1;
  kBucket2 = plan.b2;
  kSig = plan.sig;
}

/** Plans the lookup of a key's hash into plan (for service svc, -1 for a reverse lookup). */
@inline
export function connPlan(plan: ConnPlan, h: u32, svc: i32): void {
  const alt = hashAlt(h);
  plan.b1 = bucketOf(h);
  plan.b2 = altBucketOf(h, alt);
  plan.sig = sigOf(h, alt);
  plan.svc = svc;
  plan.hash = h;
}

// ---- where a way's fields live ------------------------------------------------------------

@inline function bucketOfHandle(c: usize): usize { return c & ~(<usize>CONN_BUCKET_SIZE - 1); }
@inline function wayOf(c: usize): usize { return c & WAY_MASK; }
@inline function sigAt(b: usize, w: usize): usize { return b + CONN_SIGS + (w << 1); }
@inline function svcAt(b: usize, w: usize): usize { return b + CONN_SVCS + w; }
@inline function flagsAt(b: usize, w: usize): usize { return b + CONN_FLAGS + w; }
@inline function seenAt(b: usize, w: usize): usize { return b + CONN_SEEN + (w << 2); }

/** Way w's entry: line 1 + w / 3, CONN_ENTRY_SIZE bytes per way within the line. */
@inline
export function entryAt(b: usize, w: usize): usize {
  const line = (w * 11) >> 5; // w / 3 for w < 8
  return b + CONN_ENTRIES + line * CONN_LINE + (w - line * CONN_ENTRIES_PER_LINE) * CONN_ENTRY_SIZE;
}

// The eight signatures of a bucket compared at once, four to a 64-bit word (SWAR): lane
// i of x is zero exactly when bit 16i+15 of ~(((x & 0x7fff..) + 0x7fff..) | x | 0x7fff..)
// is set (no carry crosses a lane), so ctz of that word over 16 is the first matching way.
// (WebAssembly SIMD128 would do it in two instructions; the wasm2c this project translates
// the core with for boards cannot translate SIMD: docs/switching-path.md "Batch pipeline".)
const LANES: u64 = 0x0001_0001_0001_0001;
const LOW15: u64 = 0x7fff_7fff_7fff_7fff;

/** Bit 16i+15 set for each way i of the four whose signatures are the word x was XORed from. */
@inline
function zeroLanes(x: u64): u64 {
  return ~(((x & LOW15) + LOW15) | x | LOW15);
}

/** Ways 0..3 of bucket b whose signature is s (s = 0: the free ones), as zeroLanes bits. */
@inline
function sigsLow(b: usize, s: u32): u64 {
  return zeroLanes(load<u64>(b + CONN_SIGS) ^ (<u64>s * LANES));
}

/** Ways 4..7, likewise. */
@inline
function sigsHigh(b: usize, s: u32): u64 {
  return zeroLanes(load<u64>(b + CONN_SIGS, 8) ^ (<u64>s * LANES));
}

/** The way of the lowest lane bit of a sigsLow/sigsHigh word (base 0 or 4). */
@inline
function wayOfBit(bits: u64, base: usize): usize {
  return base + <usize>(ctz(bits) >> 4);
}

/** How many ways of bucket b are free. */
@inline
function freeWays(b: usize): i32 {
  return <i32>(popcnt(sigsLow(b, 0)) + popcnt(sigsHigh(b, 0)));
}

/** The first free way of bucket b (it has one). */
@inline
function firstFree(b: usize): usize {
  const lo = sigsLow(b, 0);
  return lo != 0 ? wayOfBit(lo, 0) : wayOfBit(sigsHigh(b, 0), 4);
}

// ---- a connection's fields (by handle: bucket + way) ------------------------------------------

@inline export function connFlags(c: usize): i32 { return <i32>load<u8>(flagsAt(bucketOfHandle(c), wayOf(c))); }
@inline export function connSetFlags(c: usize, f: i32): void { store<u8>(flagsAt(bucketOfHandle(c), wayOf(c)), <u8>f); }
@inline export function connService(c: usize): i32 { return <i32>load<u8>(svcAt(bucketOfHandle(c), wayOf(c))); }
@inline export function connSeen(c: usize): u32 { return load<u32>(seenAt(bucketOfHandle(c), wayOf(c))); }
@inline export function connSetSeen(c: usize, now: u32): void { store<u32>(seenAt(bucketOfHandle(c), wayOf(c)), now); }
@inline export function connBackend(c: usize): i32 { return <i32>load<u16>(entryAt(bucketOfHandle(c), wayOf(c)) + CE_BACKEND); }
@inline export function connSetBackend(c: usize, be: i32): void { store<u16>(entryAt(bucketOfHandle(c), wayOf(c)) + CE_BACKEND, <u16>be); }

/** Records a new connection's key in a way connInsert handed out: flags start at CF_V6 / CF_UDP only. */
export function connInit(c: usize, svc: i32, family: i32, proto: i32, addr: usize, port: i32, be: i32): void {
  const b = bucketOfHandle(c);
  const w = wayOf(c);
  store<u8>(svcAt(b, w), <u8>svc);
  store<u8>(flagsAt(b, w), <u8>((family == FAMILY_V6 ? CF_V6 : 0) | (proto == IPPROTO_UDP ? CF_UDP : 0)));
  const e = entryAt(b, w);
  addrStore16(e + CE_CLIENT_ADDR, addr, family);
  store<u16>(e + CE_CLIENT_PORT, <u16>port);
  store<u16>(e + CE_BACKEND, <u16>be);
}

@inline
function timeout(kind: i32): i32 {
  return <i32>load<u32>(SW_ST_TIMEOUTS + (<usize>kind << 2));
}

/** Idle timeout of a way in its current state (its flags). */
@inline
function timeoutOf(flags: i32): i32 {
  if (flags & CF_RST) return timeout(TMO_TCP_CLOSED);
  if (flags & (CF_FIN_CLIENT | CF_FIN_SERVER)) return timeout(TMO_TCP_FIN);
  if (flags & CF_UDP) return timeout(TMO_UDP);
  return flags & CF_ESTABLISHED ? timeout(TMO_TCP_ESTABLISHED) : timeout(TMO_TCP_SYN);
}

/**
 * Idle past its timeout at tick now. Ticks are compared as a signed difference, so a clock
 * that steps back does not expire anything and the sweep must visit every entry within
 * 2^31 ticks (24.8 days of milliseconds).
 */
@inline
function wayExpired(b: usize, w: usize, now: u32): bool {
  return <i32>(now - load<u32>(seenAt(b, w))) > timeoutOf(<i32>load<u8>(flagsAt(b, w)));
}

export function connExpired(c: usize, now: u32): bool {
  return wayExpired(bucketOfHandle(c), wayOf(c), now);
}

/** The way's client side is (family, addr, port): entry line and the V6 flag. */
@inline
function clientMatches(b: usize, w: usize, family: i32, addr: usize, port: i32): bool {
  if (((<i32>load<u8>(flagsAt(b, w)) & CF_V6) != 0) != (family == FAMILY_V6)) return false;
  const e = entryAt(b, w);
  if (<i32>load<u16>(e + CE_CLIENT_PORT) != port) return false;
  return addrEq(e + CE_CLIENT_ADDR, addr, family);
}

/**
 * The connection from client (addr, port) to service svc, or 0. Call connKey first.
 * Expired entries are returned too: the caller decides (a new connection reuses one).
 */
export function connFindForward(svc: i32, family: i32, addr: usize, port: i32): usize {
  let b = kBucket1;
  for (let i = 0; i < 2; i++) {
    for (let m = sigsLow(b, kSig); m != 0; m &= m - 1) {
      const w = wayOfBit(m, 0);
      if (forwardMatches(b, w, svc, family, addr, port)) return b + w;
    }
    for (let m = sigsHigh(b, kSig); m != 0; m &= m - 1) {
      const w = wayOfBit(m, 4);
      if (forwardMatches(b, w, svc, family, addr, port)) return b + w;
    }
    b = kBucket2;
  }
  return 0;
}

@inline
function forwardMatches(b: usize, w: usize, svc: i32, family: i32, addr: usize, port: i32): bool {
  return <i32>load<u8>(svcAt(b, w)) == svc && clientMatches(b, w, family, addr, port);
}

/**
 * The NAT connection whose back end (beAddr, bePort) sends proto to the client (addr, port),
 * or 0: the reverse match of a reply (IPv4 only: NAT is IPv4 only). Call connKey first.
 */
export function connFindReverse(addr: usize, port: i32, proto: i32, beAddr: usize, bePort: i32): usize {
  let b = kBucket1;
  for (let i = 0; i < 2; i++) {
    for (let m = sigsLow(b, kSig); m != 0; m &= m - 1) {
      const w = wayOfBit(m, 0);
      if (reverseMatches(b, w, addr, port, proto, beAddr, bePort)) return b + w;
    }
    for (let m = sigsHigh(b, kSig); m != 0; m &= m - 1) {
      const w = wayOfBit(m, 4);
      if (reverseMatches(b, w, addr, port, proto, beAddr, bePort)) return b + w;
    }
    b = kBucket2;
  }
  return 0;
}

function reverseMatches(b: usize, w: usize, addr: usize, port: i32, proto: i32, beAddr: usize, bePort: i32): bool {
  if (((<i32>load<u8>(flagsAt(b, w)) & CF_UDP) != 0) != (proto == IPPROTO_UDP)) return false;
  if (!clientMatches(b, w, FAMILY_V4, addr, port)) return false;
  const svc = serviceRecord(<i32>load<u8>(svcAt(b, w)));
  const be = backendRecord(<i32>load<u16>(entryAt(b, w) + CE_BACKEND));
  return serviceIsNat(svc) && load<u32>(be + SW_BE_ADDR) == load<u32>(beAddr) && natPort(be, svc) == bePort;
}

/** The destination port NAT gives a back end: its own, or the service's when it has none. */
@inline
export function natPort(be: usize, svc: usize): i32 {
  const p = <i32>load<u16>(be + SW_BE_PORT);
  return p != 0 ? p : <i32>load<u16>(svc + SW_SVC_PORT);
}


/**
 * A way for a new entry of the key prepared by connKey(), signed and stamped with now, its
 * flags clear; the caller records the key (connInit). 0 when the table is full and the
 * policy is CONN_POLICY_DROP.
 */
export function connInsert(now: u32): usize {
  const b1 = kBucket1;
  const b2 = kBucket2;
  const f1 = freeWays(b1);
  const f2 = freeWays(b2);
  let bucket: usize = 0;
  let way: usize = 0;
  if (f1 > 0 || f2 > 0) {
    bucket = f1 >= f2 ? b1 : b2; // the emptier bucket, the first on a tie
    way = firstFree(bucket);
    count(C_CONN_LIVE);
  } else {
    // Both full: reuse an expired entry, else apply the policy to the least recently seen.
    // Everything compared here is in the two signature lines.
    let found = false;
    let oldestBucket: usize = 0;
    let oldestWay: usize = 0;
    let oldestAge: i32 = 0;
    let have = false;
    let b = b1;
    for (let i = 0; i < 2 && !found; i++) {
      for (let w: usize = 0; w < WAYS; w++) {
        if (wayExpired(b, w, now)) {
          bucket = b;
          way = w;
          found = true;
          count(C_CONN_EXPIRED);
          break;
        }
        const age = <i32>(now - load<u32>(seenAt(b, w)));
        if (!have || age > oldestAge) {
          have = true;
          oldestAge = age;
          oldestBucket = b;
          oldestWay = w;
        }
      }
      b = b2;
    }
    if (!found) {
      if (load<u32>(SW_ST_POLICY) == CONN_POLICY_DROP) return 0;
      bucket = oldestBucket;
      way = oldestWay;
      count(C_CONN_EVICTED);
    }
  }
  store<u16>(sigAt(bucket, way), <u16>kSig);
  store<u8>(svcAt(bucket, way), 0);
  store<u8>(flagsAt(bucket, way), 0);
  store<u32>(seenAt(bucket, way), now);
  memory.fill(entryAt(bucket, way), 0, CONN_ENTRY_SIZE);
  return bucket + way;
}

/**
 * Visits `buckets` buckets (at most one pass over the table) from the sweep cursor, freeing
 * expired entries: signature lines only. Returns how many it freed. The host calls it
 * periodically (docs/switching-path.md "Timeouts").
 */
export function connSweep(now: u32, buckets: i32): i32 {
  const mask = load<u32>(SW_ST_CONN_MASK);
  if (<u32>buckets > mask + 1) buckets = <i32>(mask + 1); // one full pass at most
  let cursor = load<u32>(SW_ST_SWEEP) & mask;
  let freed = 0;
  for (let i = 0; i < buckets; i++) {
    const b = <usize>SW_CONN_BASE + (<usize>cursor << BUCKET_SHIFT);
    for (let w: usize = 0; w < WAYS; w++) {
      if (load<u16>(sigAt(b, w)) != 0 && wayExpired(b, w, now)) {
        store<u16>(sigAt(b, w), 0);
        uncount(C_CONN_LIVE);
        count(C_CONN_EXPIRED);
        freed++;
      }
    }
    cursor = (cursor + 1) & mask;
  }
  store<u32>(SW_ST_SWEEP, cursor);
  return freed;
}

// ---- the batch pipeline's look-ahead (switch/batch.ts) ---------------------------------------

/**
 * The entry line a lookup of signature s in bucket b will read first: the first way whose
 * signature matches, or 0. Only a guess (a way of another service may carry the same
 * signature); the real lookup runs later, with the packets in order.
 */
@inline
export function connLikelyEntry(b: usize, s: u32): usize {
  // Both words' lane bits in one word, ways 4..7 one bit below ways 0..3: few operations,
  // and any matching way will do for a guess.
  const z = sigsLow(b, s) | (sigsHigh(b, s) >> 1);
  const bit = ctz(z); // 64 when no way matches
  const w = (bit >> 4) | ((~bit & 1) << 2);
  const off = <usize>((ENTRY_OFFSETS >> (w << 3)) & 0xff);
  return select<usize>(b + off, 0, z != 0);
}

/** entryAt(0, w) for w = 0..7, a byte each: 64, 84, 104, 128, 148, 168, 192, 212. */
const ENTRY_OFFSETS: u64 = 0xd4c0_a894_8068_5440;
