// Exports of the dialects (assembly/dialect/, docs/dialects.md): the peers' own "going away"
// frames, armed at boot beside the gasp, re-armed when what the peer knows changes, and sent
// by the fault entry after the gasp on each port. i32 in, i32 out; pointers range-checked.

import { E_RANGE, E_ARG } from "../shared/status";
import {
  DIALECT_MAX_FRAMES, DINFO_COUNT, DINFO_ARMED, DINFO_KIND, DINFO_PORT, DINFO_COPIES, DINFO_LEN, DINFO_ADDR,
  DINFO_PEER_KNOWN, DINFO_CARRIER_MASK, DINFO_CARRIER_DRAIN_US, DIALECT_VRRP, DIALECT_BFD, DCV_SIZE, DCB_SIZE, DCO_SIZE,
} from "../shared/dialect";
import { hostRange } from "../lib/mem";
import { dialectArm, dialectRearm, dialectDisarm, dialectClear, dialectOamLearn, dialectCarrier } from "../dialect/arm";
import { dialectFire } from "../dialect/fire";
import { dialectCtl, dialectSlot, dialectFrame } from "../dialect/state";

/** The config repr's size for a kind (the largest, for an unknown kind: the builder refuses it). */
function cfgSize(kind: i32): i32 {
  return kind == DIALECT_VRRP ? DCV_SIZE : kind == DIALECT_BFD ? DCB_SIZE : DCO_SIZE;
}

/** Arms a dialect frame (kind DIALECT_VRRP / BFD / OAM, config repr DC_ + DCV_, DCB_ or DCO_ fields). Its index, or a status. */
export function dialect_arm(kind: i32, cfg: i32): i32 {
  if (!hostRange(cfg, cfgSize(kind))) return E_RANGE;
  return dialectArm(kind, <usize>cfg);
}

/** Rebuilds slot index from a new config of the same kind (BFD discriminators changed...). */
export function dialect_rearm(index: i32, kind: i32, cfg: i32): i32 {
  if (!hostRange(cfg, cfgSize(kind))) return E_RANGE;
  return dialectRearm(index, kind, <usize>cfg);
}

/** The slot sends nothing any more (a BFD session deleted, a VRID no longer mastered). */
export function dialect_disarm(index: i32): i32 {
  return dialectDisarm(index);
}

/** Every dialect disarmed, frames and table wiped, no carrier drop. */
export function dialect_clear(): i32 {
  return dialectClear();
}

/** A received OAMPDU: the peer's Local Information TLV echoed by slot index. 1 changed, 0 same. */
export function dialect_oam_learn(index: i32, frame: i32, len: i32): i32 {
  if (!hostRange(frame, len)) return E_RANGE;
  return dialectOamLearn(index, <usize>frame, len);
}

/** Ports (bit mask) whose carrier the fault entry drops last, and the drain before it (µs). */
export function dialect_carrier(portMask: i32, drainUs: i32): i32 {
  return dialectCarrier(portMask, drainUs);
}

/** What fault_fire does for the dialects (per-cause bytes, the table): for encoders and tests. */
export function dialect_fire(cause: i32): i32 {
  return dialectFire(cause);
}

/** A field (DINFO_*) of slot index, or of the table (index -1). */
export function dialect_info(index: i32, field: i32): i32 {
  const c = dialectCtl();
  if (index == -1) {
    if (field == DINFO_COUNT) return c.count;
    if (field == DINFO_CARRIER_MASK) return <i32>c.carrierMask;
    if (field == DINFO_CARRIER_DRAIN_US) return c.drainUs;
    return E_ARG;
  }
  if (index < 0 || index >= DIALECT_MAX_FRAMES) return E_ARG;
  const s = dialectSlot(index);
  switch (field) {
    case DINFO_ARMED: return <i32>s.armed;
    case DINFO_KIND: return s.kind;
    case DINFO_PORT: return s.port;
    case DINFO_COPIES: return s.copies;
    case DINFO_LEN: return s.armed == 1 ? s.len : 0;
    case DINFO_ADDR: return s.armed == 1 ? <i32>dialectFrame(index) : 0;
    case DINFO_PEER_KNOWN: return s.peerKnown;
  }
  return E_ARG;
}
