// The switching path's counters: u32s in core-private state (state.ts SW_ST_COUNTERS),
// indexed by the C_* constants of shared/switch.ts. They wrap; the host reads deltas.

import { SW_ST_COUNTERS } from "../state";
import { C_DROP, C_COUNT, V_DROP, verdict } from "../shared/switch";

@inline
export function count(index: i32): void {
  const p = SW_ST_COUNTERS + (<usize>index << 2);
  store<u32>(p, load<u32>(p) + 1);
}

@inline
export function uncount(index: i32): void {
  const p = SW_ST_COUNTERS + (<usize>index << 2);
  store<u32>(p, load<u32>(p) - 1);
}

/** Counts a drop under its reason and in the total; returns the V_DROP verdict naming it. */
export function drop(reason: i32): i32 {
  count(C_DROP);
  count(reason);
  return verdict(V_DROP, 0, reason);
}

export function countersClear(): void {
  memory.fill(SW_ST_COUNTERS, 0, C_COUNT << 2);
}
