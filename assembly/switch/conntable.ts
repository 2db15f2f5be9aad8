// The connection table: fixed capacity in the SWITCH region, no allocation, 32 bytes per
// entry. Set-associative with two choices: a key hashes to two buckets of CONN_WAYS
// entries; a bucket starts with its CONN_WAYS u32 tags (0 = free) so that a lookup reads
// one tag line per bucket and touches an entry only when its tag matches. A new entry goes
// to the emptier bucket (the "power of two choices" keeps buckets even: at 95 % load about
// 2 % of inserts find both full, against 12 % with one choice).
//
// One entry serves both directions of a connection: it is keyed by the client (address,
// port, protocol) only, so a reply from a back end (whose destination is the client) hashes
// to the same buckets; the forward match also compares the service, the reverse match the
// back end's address and port (config.ts). Layout: shared/switch.ts CE_*; prose:
// docs/switching-path.md.
//
// Full table (both candidate buckets occupied by live entries): CONN_POLICY_EVICT replaces
// the least recently seen of the 16 candidates (counted C_CONN_EVICTED); CONN_POLICY_DROP
// refuses the new connection (the pipeline counts C_DROP_TABLE_FULL). Expired entries are
// reused first, and sw_conn_sweep removes them in the background.

import { SW_CONN_BASE } from "../shared/memmap";
import {
  CONN_WAYS, CONN_ENTRIES, CONN_ENTRY_SIZE, CE_SEEN, CE_FLAGS, CE_PROTO, CE_SERVICE, CE_BACKEND,
  CE_CLIENT_PORT, CE_CLIENT_ADDR, CF_V6, FAMILY_V4, FAMILY_V6, SW_BE_ADDR, SW_BE_PORT, SW_SVC_PORT,
  CF_ESTABLISHED, CF_FIN_CLIENT, CF_FIN_SERVER, CF_RST, CONN_POLICY_DROP,
  TMO_TCP_ESTABLISHED, TMO_TCP_SYN, TMO_TCP_FIN, TMO_TCP_CLOSED, TMO_UDP,
  C_CONN_EVICTED, C_CONN_EXPIRED, C_CONN_LIVE,
} from "../shared/switch";
import { IPPROTO_TCP } from "../shared/wire";
import { SW_ST_CONN_MASK, SW_ST_POLICY, SW_ST_TIMEOUTS, SW_ST_SWEEP } from "../state";
import { count, uncount } from "./counters";
import { hashAlt } from "./hash";
import { addrEq } from "./addr";
import { serviceRecord, backendRecord, serviceIsNat } from "./config";

// log2(CONN_BUCKET_SIZE): bucket i starts at SW_CONN_BASE + (i << BUCKET_SHIFT).
const BUCKET_SHIFT: u32 = 8;

/** The two candidate buckets and the tag of the key last prepared by connKey(). */
export let kBucket1: usize = 0;
export let kBucket2: usize = 0;
export let kTag: u32 = 0;

/** Derives both buckets and the tag from a key's hash. */
@inline
export function connKey(h: u32): void {
  const mask = load<u32>(SW_ST_CONN_MASK);
  const alt = hashAlt(h);
  const b1 = h & mask;
  let b2 = (alt >>> 8) & mask;
  if (b2 == b1) b2 = b1 ^ 1; // capacity >= 16 entries: at least two buckets
  kBucket1 = <usize>SW_CONN_BASE + (<usize>b1 << BUCKET_SHIFT);
  kBucket2 = <usize>SW_CONN_BASE + (<usize>b2 << BUCKET_SHIFT);
  kTag = alt | 1;
}

@inline
export function entryAt(bucket: usize, way: i32): usize {
  return bucket + CONN_ENTRIES + <usize>way * CONN_ENTRY_SIZE;
}

@inline
function timeout(kind: i32): i32 {
  return <i32>load<u32>(SW_ST_TIMEOUTS + (<usize>kind << 2));
}

/** Idle timeout of an entry in its current state. */
export function entryTimeout(e: usize): i32 {
  const flags = <i32>load<u8>(e + CE_FLAGS);
  if (flags & CF_RST) return timeout(TMO_TCP_CLOSED);
  if (flags & (CF_FIN_CLIENT | CF_FIN_SERVER)) return timeout(TMO_TCP_FIN);
  if (<i32>load<u8>(e + CE_PROTO) != IPPROTO_TCP) return timeout(TMO_UDP);
  return flags & CF_ESTABLISHED ? timeout(TMO_TCP_ESTABLISHED) : timeout(TMO_TCP_SYN);
}

/**
 * Idle past its timeout at tick now. Ticks are compared as a signed difference, so a clock
 * that steps back does not expire anything and the sweep must visit every entry within
 * 2^31 ticks (24.8 days of milliseconds).
 */
@inline
export function entryExpired(e: usize, now: u32): bool {
  return <i32>(now - load<u32>(e + CE_SEEN)) > entryTimeout(e);
}

@inline
function clientMatches(e: usize, family: i32, addr: usize, port: i32): bool {
  if (<i32>load<u16>(e + CE_CLIENT_PORT) != port) return false;
  if (((<i32>load<u8>(e + CE_FLAGS) & CF_V6) != 0) != (family == FAMILY_V6)) return false;
  return addrEq(e + CE_CLIENT_ADDR, addr, family);
}

/**
 * The entry of the connection from client (addr, port) to service svc, or 0. Call connKey
 * first. Expired entries are returned too: the caller decides (a new connection reuses one).
 */
export function connFindForward(svc: i32, family: i32, addr: usize, port: i32): usize {
  const tag = kTag;
  let b = kBucket1;
  for (let i = 0; i < 2; i++) {
    for (let w = 0; w < CONN_WAYS; w++) {
      if (load<u32>(b + (<usize>w << 2)) == tag) {
        const e = entryAt(b, w);
        if (<i32>load<u16>(e + CE_SERVICE) == svc && clientMatches(e, family, addr, port)) return e;
      }
    }
    b = kBucket2;
  }
  return 0;
}

/**
 * The entry of a NAT connection whose back end (beAddr, bePort) sends proto to the client
 * (addr, port), or 0: the reverse match of a reply (IPv4 only: NAT is IPv4 only).
 */
export function connFindReverse(addr: usize, port: i32, proto: i32, beAddr: usize, bePort: i32): usize {
  const tag = kTag;
  let b = kBucket1;
  for (let i = 0; i < 2; i++) {
    for (let w = 0; w < CONN_WAYS; w++) {
      if (load<u32>(b + (<usize>w << 2)) == tag) {
        const e = entryAt(b, w);
        if (<i32>load<u8>(e + CE_PROTO) == proto && clientMatches(e, FAMILY_V4, addr, port)) {
          const svc = serviceRecord(<i32>load<u16>(e + CE_SERVICE));
          const be = backendRecord(<i32>load<u16>(e + CE_BACKEND));
          if (serviceIsNat(svc) && load<u32>(be + SW_BE_ADDR) == load<u32>(beAddr) && natPort(be, svc) == bePort) return e;
        }
      }
    }
    b = kBucket2;
  }
  return 0;
}

/** The destination port NAT gives a back end: its own, or the service's when it has none. */
@inline
export function natPort(be: usize, svc: usize): i32 {
  const p = <i32>load<u16>(be + SW_BE_PORT);
  return p != 0 ? p : <i32>load<u16>(svc + SW_SVC_PORT);
}

@inline
function freeWays(b: usize): i32 {
  let n = 0;
  for (let w = 0; w < CONN_WAYS; w++) if (load<u32>(b + (<usize>w << 2)) == 0) n++;
  return n;
}

@inline
function firstFree(b: usize): i32 {
  for (let w = 0; w < CONN_WAYS; w++) if (load<u32>(b + (<usize>w << 2)) == 0) return w;
  return -1;
}

/**
 * A slot for a new entry of the key prepared by connKey(), tagged and stamped with now;
 * the caller fills the rest. 0 when the table is full and the policy is CONN_POLICY_DROP.
 */
export function connInsert(now: u32): usize {
  const b1 = kBucket1;
  const b2 = kBucket2;
  const f1 = freeWays(b1);
  const f2 = freeWays(b2);
  let bucket: usize = 0;
  let way = -1;
  if (f1 > 0 || f2 > 0) {
    bucket = f1 >= f2 ? b1 : b2;
    way = firstFree(bucket);
    count(C_CONN_LIVE);
  } else {
    // Both full: reuse an expired entry, else apply the policy to the least recently seen.
    let oldest: usize = 0;
    let oldestBucket: usize = 0;
    let oldestWay = 0;
    let oldestAge: i32 = 0;
    let b = b1;
    for (let i = 0; i < 2 && way < 0; i++) {
      for (let w = 0; w < CONN_WAYS; w++) {
        const e = entryAt(b, w);
        if (entryExpired(e, now)) {
          bucket = b;
          way = w;
          count(C_CONN_EXPIRED);
          break;
        }
        const age = <i32>(now - load<u32>(e + CE_SEEN));
        if (oldest == 0 || age > oldestAge) {
          oldest = e;
          oldestAge = age;
          oldestBucket = b;
          oldestWay = w;
        }
      }
      b = b2;
    }
    if (way < 0) {
      if (load<u32>(SW_ST_POLICY) == CONN_POLICY_DROP) return 0;
      bucket = oldestBucket;
      way = oldestWay;
      count(C_CONN_EVICTED);
    }
  }
  store<u32>(bucket + (<usize>way << 2), kTag);
  const e = entryAt(bucket, way);
  memory.fill(e, 0, CONN_ENTRY_SIZE);
  store<u32>(e + CE_SEEN, now);
  return e;
}

/**
 * Visits `buckets` buckets (at most one pass over the table) from the sweep cursor, freeing
 * expired entries. Returns how many it freed. The host calls it periodically (docs/switching-path.md "Ageing").
 */
export function connSweep(now: u32, buckets: i32): i32 {
  const mask = load<u32>(SW_ST_CONN_MASK);
  if (<u32>buckets > mask + 1) buckets = <i32>(mask + 1); // one full pass at most
  let cursor = load<u32>(SW_ST_SWEEP) & mask;
  let freed = 0;
  for (let i = 0; i < buckets; i++) {
    const b = <usize>SW_CONN_BASE + (<usize>cursor << BUCKET_SHIFT);
    for (let w = 0; w < CONN_WAYS; w++) {
      const tagAt = b + (<usize>w << 2);
      if (load<u32>(tagAt) != 0 && entryExpired(entryAt(b, w), now)) {
        store<u32>(tagAt, 0);
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
