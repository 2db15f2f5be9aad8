// Bringing the switching path up: connection-table capacity, hash seed, full-table policy,
// default timeouts, and every table cleared. Also the packet-memory rule every entry point
// applies before touching a frame.

import {
  HOST_BASE, SWITCH_BASE, SW_PORTS_BASE, SW_BACKENDS_BASE, SW_CONN_BASE,
} from "../shared/memmap";
import {
  SW_CONN_MIN, SW_CONN_MAX, CONN_WAYS, CONN_BYTES_PER_ENTRY, CONN_POLICY_EVICT, CONN_POLICY_DROP,
  SW_MAX_BACKENDS, SW_BE_SIZE, TMO_TCP_ESTABLISHED, TMO_TCP_SYN, TMO_TCP_FIN, TMO_TCP_CLOSED,
  TMO_UDP, TMO_FRAG, TMO_COUNT,
} from "../shared/switch";
import { OK, E_ARG, E_SW_CAPACITY } from "../shared/status";
import {
  SW_ST_INIT, SW_ST_CONN_CAP, SW_ST_CONN_MASK, SW_ST_SEED, SW_ST_POLICY, SW_ST_NOW,
  SW_ST_IN_BATCH, SW_ST_SWEEP, SW_ST_SVC_COUNT, SW_ST_CP_COUNT, SW_ST_TIMEOUTS,
} from "../state";
import { countersClear } from "./counters";
import { lbReset } from "./lbtable";
import { fragReset } from "./frag";
import { ringsReset } from "./punt";

/**
 * True when [buf, buf+cap) is packet memory: host-visible and below the SWITCH region, so
 * that no frame the path rewrites can overlap the path's own tables.
 */
@inline
export function packetRange(buf: i32, cap: i32): bool {
  return buf >= HOST_BASE && cap >= 0 && buf <= SWITCH_BASE && cap <= SWITCH_BASE - buf;
}

@inline
export function switchReady(): bool {
  return load<u32>(SW_ST_INIT) == 1;
}

export function timeoutSet(kind: i32, ticks: i32): i32 {
  if (<u32>kind >= <u32>TMO_COUNT || ticks < 0) return E_ARG;
  store<u32>(SW_ST_TIMEOUTS + (<usize>kind << 2), ticks);
  return OK;
}

/** capacity: connection-table entries, a power of two in [SW_CONN_MIN, SW_CONN_MAX]. */
export function switchInit(capacity: i32, seed: i32, policy: i32): i32 {
  if (capacity < SW_CONN_MIN || capacity > SW_CONN_MAX || (capacity & (capacity - 1)) != 0) return E_SW_CAPACITY;
  if (policy != CONN_POLICY_EVICT && policy != CONN_POLICY_DROP) return E_ARG;
  store<u32>(SW_ST_INIT, 0);
  // Ports, CP addresses and services share the first 64 KiB; then back ends.
  memory.fill(SW_PORTS_BASE, 0, SW_BACKENDS_BASE - SW_PORTS_BASE);
  memory.fill(SW_BACKENDS_BASE, 0, SW_MAX_BACKENDS * SW_BE_SIZE);
  fragReset();
  ringsReset();
  lbReset();
  memory.fill(SW_CONN_BASE, 0, <usize>capacity * CONN_BYTES_PER_ENTRY);
  countersClear();
  store<u32>(SW_ST_CONN_CAP, capacity);
  store<u32>(SW_ST_CONN_MASK, capacity / CONN_WAYS - 1);
  store<u32>(SW_ST_SEED, seed);
  store<u32>(SW_ST_POLICY, policy);
  store<u32>(SW_ST_NOW, 0);
  store<u32>(SW_ST_IN_BATCH, 0);
  store<u32>(SW_ST_SWEEP, 0);
  store<u32>(SW_ST_SVC_COUNT, 0);
  store<u32>(SW_ST_CP_COUNT, 0);
  // Defaults in milliseconds, after IPVS (ip_vs_proto_tcp.c / ip_vs_proto_udp.c).
  timeoutSet(TMO_TCP_ESTABLISHED, 900_000);
  timeoutSet(TMO_TCP_SYN, 60_000);
  timeoutSet(TMO_TCP_FIN, 120_000);
  timeoutSet(TMO_TCP_CLOSED, 10_000);
  timeoutSet(TMO_UDP, 300_000);
  timeoutSet(TMO_FRAG, 30_000); // Linux ipfrag_time
  store<u32>(SW_ST_INIT, 1);
  return OK;
}
