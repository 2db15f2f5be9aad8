// Exports of the switching path (docs/switching-path.md): configuration, the A/B
// load-distribution flip, the per-packet and batch entry points, the punt rings' core side,
// the connection table's ageing, counters.
//
// Contract as everywhere (docs/core-abi.md): i32 in, i32 out, pointers range-checked,
// nothing allocated, bad input never traps. Frame buffers and batch descriptors must lie in
// packet memory, [HOST_BASE, SWITCH_BASE): the path's own tables can never be handed to it
// as a frame. Every call but sw_init returns E_SW_STATE before sw_init.

import { OK, E_RANGE, E_ARG, E_SW_STATE, E_SW_NOT_FOUND } from "../shared/status";
import {
  SW_ADDR_SIZE, SW_SVC_SIZE, SW_BE_SIZE, SW_MAX_PORTS, SW_BATCH_MAX, BD_SIZE, C_COUNT,
  CK_SERVICE, CK_CLIENT_PORT, CK_CLIENT_ADDR, CK_SIZE,
} from "../shared/switch";
import { SW_ST_CONN_CAP, SW_ST_LB_ACTIVE, SW_ST_LB_GEN, SW_ST_COUNTERS } from "../state";
import { hostRange } from "../lib/mem";
import { switchInit, switchReady, packetRange, timeoutSet } from "../switch/init";
import { portSet, cpSet, serviceSet, backendSet } from "../switch/config";
import { lbFlip, lbQuiescent } from "../switch/lbtable";
import { connSweep } from "../switch/conntable";
import { switchPacket, switchTick, injectNext, connLookup } from "../switch/pipeline";
import { switchBatch } from "../switch/batch";

/**
 * Clears every switching table and sets the connection table's capacity (entries, a power
 * of two in 16 .. 2^20), the hash seed and the full-table policy (CONN_POLICY_*).
 */
export function sw_init(capacity: i32, seed: i32, policy: i32): i32 {
  return switchInit(capacity, seed, policy);
}

// ---- configuration -------------------------------------------------------------------------

/** The MAC the path sends from on port (0 .. SW_MAX_PORTS-1); mac: 6 bytes. */
export function sw_port_set(port: i32, mac: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (!hostRange(mac, 6)) return E_RANGE;
  return portSet(port, mac);
}

/** CP address i from an SW_ADDR record (family 0 clears it). */
export function sw_cp_set(index: i32, rec: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (!hostRange(rec, SW_ADDR_SIZE)) return E_RANGE;
  return cpSet(index, rec);
}

/** Service i from an SW_SVC record (family 0 clears it). */
export function sw_service_set(index: i32, rec: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (!hostRange(rec, SW_SVC_SIZE)) return E_RANGE;
  return serviceSet(index, rec);
}

/** Back end i from an SW_BE record (state BE_UNUSED clears it; counters are kept). */
export function sw_backend_set(index: i32, rec: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (!hostRange(rec, SW_BE_SIZE)) return E_RANGE;
  return backendSet(index, rec);
}

/** Idle timeout kind (TMO_*) in ticks. */
export function sw_timeout_set(kind: i32, ticks: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  return timeoutSet(kind, ticks);
}

// ---- load-distribution tables A/B ------------------------------------------------------------

/** The active table: LB_TABLE_A (0) or LB_TABLE_B (1). The host writes the other one. */
export function sw_lb_active(): i32 {
  if (!switchReady()) return E_SW_STATE;
  return <i32>load<u32>(SW_ST_LB_ACTIVE);
}

/** Validates table t and makes it active. E_SW_ACTIVE if it already is; E_SW_TABLE if invalid. */
export function sw_lb_flip(table: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  return lbFlip(table);
}

/** Flips so far (mod 2^31). */
export function sw_lb_generation(): i32 {
  if (!switchReady()) return E_SW_STATE;
  return <i32>(load<u32>(SW_ST_LB_GEN) & 0x7fffffff);
}

/** 1 when the inactive table may be rewritten (no batch can still be reading it). */
export function sw_lb_quiescent(): i32 {
  if (!switchReady()) return E_SW_STATE;
  return lbQuiescent();
}

// ---- the per-packet and batch entry points -------------------------------------------------

/** Sets the clock (ticks, milliseconds by convention) for sw_packet; sw_batch sets it itself. */
export function sw_tick(now: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  switchTick(<u32>now);
  return OK;
}

/**
 * Runs one frame received on inPort through the switching path, rewriting it in place in
 * [buf, buf+cap). Returns its verdict (shared/switch.ts: V_FORWARD/V_ANSWER/V_PUNT/V_DROP,
 * port, length or drop reason), E_RANGE or E_ARG.
 */
export function sw_packet(buf: i32, len: i32, cap: i32, inPort: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (!packetRange(buf, cap)) return E_RANGE;
  if (len < 0 || len > cap || len > 0xffff || <u32>inPort >= <u32>SW_MAX_PORTS) return E_ARG;
  return switchPacket(buf, len, cap, inPort);
}

/** Runs n (0 .. SW_BATCH_MAX) descriptors at descs at tick now; returns n. */
export function sw_batch(descs: i32, n: i32, now: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (n < 0 || n > SW_BATCH_MAX) return E_ARG;
  if (!packetRange(descs, n * BD_SIZE)) return E_RANGE;
  switchBatch(descs, n, <u32>now);
  return n;
}

/**
 * The next frame the host queued on the DOWN punt ring, copied to [out, out+cap): its
 * verdict, 0 when the ring is empty, E_CAP when cap is too small.
 */
export function sw_inject_next(out: i32, cap: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (!packetRange(out, cap)) return E_RANGE;
  if (cap > 0xffff) return E_ARG;
  return injectNext(out, cap);
}

// ---- connection table ------------------------------------------------------------------------

/** Connection-table capacity in entries. */
export function sw_conn_capacity(): i32 {
  if (!switchReady()) return E_SW_STATE;
  return <i32>load<u32>(SW_ST_CONN_CAP);
}

/** The back end of the live connection named by a CK record, or E_SW_NOT_FOUND. */
export function sw_conn_find(key: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (!hostRange(key, CK_SIZE)) return E_RANGE;
  const b = connLookup(<i32>load<u16>(key + CK_SERVICE), key + CK_CLIENT_ADDR, <i32>load<u16>(key + CK_CLIENT_PORT));
  return b < 0 ? E_SW_NOT_FOUND : b;
}

/** Frees expired entries in the next `buckets` buckets (8 entries each); returns how many. */
export function sw_conn_sweep(now: i32, buckets: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (buckets < 0) return E_ARG;
  return connSweep(<u32>now, buckets);
}

// ---- counters ----------------------------------------------------------------------------------

/** Copies min(n, C_COUNT) u32 counters to out; returns how many. */
export function sw_counters(out: i32, n: i32): i32 {
  if (!switchReady()) return E_SW_STATE;
  if (n < 0) return E_ARG;
  const k = n < C_COUNT ? n : C_COUNT;
  if (!hostRange(out, k << 2)) return E_RANGE;
  memory.copy(out, SW_ST_COUNTERS, k << 2);
  return k;
}

