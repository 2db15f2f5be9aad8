// Fault time: the dialect frames are ready since arming; the only byte that depends on the
// fault is the OAMPDU's Critical Event flag (a machine check or over-temperature is a
// critical event in IEEE 802.3 clause 57's sense; a crash or a watchdog is not). Then the
// table the host reads (shared/dialect.ts DIALECT_TAB_*) is published. The fault entry sends
// from the slots themselves (core state), not from the table.

import {
  DIALECT_OAM, DIALECT_MAX_FRAMES, DIALECT_CRITICAL_CAUSES, DIALECT_TAB_COUNT, DIALECT_TAB_FIRED,
  DIALECT_TAB_CAUSE, DIALECT_TAB_ENTRIES, DIALECT_TAB_ENTRY_SIZE, DIALECT_TE_ADDR, DIALECT_TE_LEN,
  DIALECT_TE_PORT, DIALECT_TE_KIND, DIALECT_TE_COPIES, DIALECT_TE_FAMILY, DIALECT_TE_ID,
} from "../shared/dialect";
import { OAM_FLAG_CRITICAL_EVENT } from "../shared/wire";
import { st16be } from "../lib/mem";
import { dialectCtl, dialectSlot, dialectFrame, dialectTable } from "./state";

/** Patches the per-cause bytes and publishes the table; returns the frames armed. Bounded: 32 slots. */
export function dialectFire(cause: i32): i32 {
  const n = min<i32>(dialectCtl().count, DIALECT_MAX_FRAMES);
  const critical = cause >= 0 && cause < 32 && ((DIALECT_CRITICAL_CAUSES >> cause) & 1) != 0;
  const t = dialectTable();
  let armed = 0;
  for (let i = 0; i < n; i++) {
    const s = dialectSlot(i);
    const e = t + DIALECT_TAB_ENTRIES + <usize>i * DIALECT_TAB_ENTRY_SIZE;
    memory.fill(e, 0, DIALECT_TAB_ENTRY_SIZE);
    if (s.armed != 1) continue;
    const f = dialectFrame(i);
    if (s.kind == DIALECT_OAM) st16be(f + <usize>s.oamFlagsOff, s.oamBaseFlags | (critical ? OAM_FLAG_CRITICAL_EVENT : 0));
    store<u32>(e + DIALECT_TE_ADDR, <u32>f);
    store<u16>(e + DIALECT_TE_LEN, <u16>s.len);
    store<u8>(e + DIALECT_TE_PORT, <u8>s.port);
    store<u8>(e + DIALECT_TE_KIND, <u8>s.kind);
    store<u8>(e + DIALECT_TE_COPIES, <u8>s.copies);
    store<u8>(e + DIALECT_TE_FAMILY, <u8>s.family);
    store<u16>(e + DIALECT_TE_ID, <u16>s.id);
    armed++;
  }
  store<u32>(t + DIALECT_TAB_COUNT, <u32>n);
  store<u32>(t + DIALECT_TAB_FIRED, 1);
  store<u32>(t + DIALECT_TAB_CAUSE, <u32>cause);
  return armed;
}
