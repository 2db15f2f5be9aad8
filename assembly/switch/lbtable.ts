// Load-distribution tables A and B (memmap.ts SW_LB_A_BASE / SW_LB_B_BASE). The control
// processor computes a distribution (weighted round robin, least-load, Maglev; host/switch/
// distribution.ts), writes it into the INACTIVE table, and flips with sw_lb_flip. The flip
// validates the whole table first, then publishes it with one aligned 32-bit store of the
// active index: a switching core reads either the old table or the new one, never a mix.
//
// Reclaiming the old table (multi-core boards): a switching core latches the generation
// at the start of each batch (SW_ST_LB_SEEN); the host rewrites the now-inactive table only
// once every switching core has latched the current generation (sw_lb_quiescent), i.e. no
// batch that could still be reading the old table is in flight. In this single-threaded
// WebAssembly build no batch runs while the host does, so it is always quiescent.
//
// Existing connections never consult the table: they keep the back end recorded in the
// connection table, across any number of flips.

import { SW_LB_A_BASE, SW_LB_B_BASE } from "../shared/memmap";
import {
  SW_MAX_SERVICES, LB_HDR_ENTRY, LB_HDR_OFFSET, LB_HDR_SIZE, LB_SLOTS, LB_MAX_SLOTS,
  LB_TABLE_A, LB_TABLE_B, SW_SVC_HASH, SW_BE_FAMILY, FAMILY_V4,
  C_LB_FLIPS,
} from "../shared/switch";
import { OK, E_ARG, E_SW_ACTIVE, E_SW_TABLE } from "../shared/status";
import { SW_ST_LB_ACTIVE, SW_ST_LB_GEN, SW_ST_LB_SEEN, SW_ST_IN_BATCH } from "../state";
import { serviceRecord, serviceInUse, serviceIsNat, backendRecord, backendConfigured, backendUp } from "./config";
import { count } from "./counters";
import { hashFinal } from "./hash";

// How many consecutive slots pick() tries when a slot names a back end that went down
// after the flip (the host recomputes and flips; until then, neighbours take the flows).
const PROBE_LIMIT = 8;

@inline
export function lbTableBase(t: i32): usize {
  return t == LB_TABLE_B ? SW_LB_B_BASE : SW_LB_A_BASE;
}

/**
 * Validates table t for every service: a range inside the slot array; a service that is
 * configured; slots naming configured back ends; IPv4 back ends behind a NAT service.
 */
function validate(t: i32): i32 {
  const base = lbTableBase(t);
  for (let s = 0; s < SW_MAX_SERVICES; s++) {
    const h = base + <usize>s * LB_HDR_ENTRY;
    const off = load<u32>(h + LB_HDR_OFFSET);
    const size = load<u32>(h + LB_HDR_SIZE);
    if (size == 0) continue;
    if (!serviceInUse(s)) return E_SW_TABLE;
    if (off > <u32>LB_MAX_SLOTS || size > <u32>LB_MAX_SLOTS - off) return E_SW_TABLE;
    const nat = serviceIsNat(serviceRecord(s));
    const slots = base + LB_SLOTS + (<usize>off << 1);
    for (let i: u32 = 0; i < size; i++) {
      const b = <i32>load<u16>(slots + (<usize>i << 1));
      if (!backendConfigured(b)) return E_SW_TABLE;
      if (nat && load<u8>(backendRecord(b) + SW_BE_FAMILY) != FAMILY_V4) return E_SW_TABLE;
    }
  }
  return OK;
}

/** Makes table t active after validating it. Refuses the active table (E_SW_ACTIVE). */
export function lbFlip(t: i32): i32 {
  if (t != LB_TABLE_A && t != LB_TABLE_B) return E_ARG;
  if (<i32>load<u32>(SW_ST_LB_ACTIVE) == t) return E_SW_ACTIVE;
  const rc = validate(t);
  if (rc < 0) return rc;
  store<u32>(SW_ST_LB_GEN, load<u32>(SW_ST_LB_GEN) + 1);
  store<u32>(SW_ST_LB_ACTIVE, t); // the publication point
  count(C_LB_FLIPS);
  return OK;
}

/** 1 when no switching core can still be reading the inactive table. */
export function lbQuiescent(): i32 {
  return load<u32>(SW_ST_IN_BATCH) == 0 || load<u32>(SW_ST_LB_SEEN) == load<u32>(SW_ST_LB_GEN) ? 1 : 0;
}

/** Called at the start of each batch: this core now uses the current table. */
@inline
export function lbLatch(): void {
  store<u32>(SW_ST_LB_SEEN, load<u32>(SW_ST_LB_GEN));
}

/**
 * The back end for a new connection of service svc whose 5-tuple hashes (with the
 * service's own hash) to a slot of the active table; -1 when the service has no up back
 * end within PROBE_LIMIT slots.
 */
export function lbPick(svc: i32, h: u32): i32 {
  const base = lbTableBase(<i32>load<u32>(SW_ST_LB_ACTIVE));
  const hdr = base + <usize>svc * LB_HDR_ENTRY;
  const size = load<u32>(hdr + LB_HDR_SIZE);
  if (size == 0) return -1;
  const slots = base + LB_SLOTS + (<usize>load<u32>(hdr + LB_HDR_OFFSET) << 1);
  let slot = hashFinal(h ^ load<u32>(serviceRecord(svc) + SW_SVC_HASH)) % size;
  for (let k = 0; k < PROBE_LIMIT; k++) {
    const b = <i32>load<u16>(slots + (<usize>slot << 1));
    if (backendUp(b)) return b;
    slot = slot + 1 == size ? 0 : slot + 1;
  }
  return -1;
}

/** Clears both tables' headers (no service has a back end) and makes A active. */
export function lbReset(): void {
  memory.fill(SW_LB_A_BASE, 0, LB_SLOTS);
  memory.fill(SW_LB_B_BASE, 0, LB_SLOTS);
  store<u32>(SW_ST_LB_ACTIVE, LB_TABLE_A);
  store<u32>(SW_ST_LB_GEN, 0);
  store<u32>(SW_ST_LB_SEEN, 0);
}
