// Exports of the fault entry (assembly/fault/, docs/chassis.md): arming the plan at boot, the
// exception handler's call, the register-operation rounds that put the gasp on every port,
// and what happened. Contract as everywhere (docs/core-abi.md): i32 in, i32 out.
//
//   rc = fault_fire(cause, vector, pcHi, pcLo, upHi, upLo, excerpt, excerptLen)  // frames or < 0
//   while ((rc = fault_step()) == STEP_IO) host performs the REGOP list (host/nic/regops.ts)
//   rc: STEP_DONE (at least one port confirmed the gasp) or E_FAULT_UNSENT / another status

import { E_ARG } from "../shared/status";
import { GASP_MAX_PORTS } from "../shared/gasp";
import {
  FINFO_ARMED, FINFO_PORTS, FINFO_FRAMES, FINFO_COPIES, FINFO_ROUNDS, FINFO_FIRST_DOORBELL_ROUND,
  FINFO_PORTS_SENT, FINFO_PORTS_RUNG, FINFO_RESULT, FINFO_ORDER, FINFO_SEQ_LO, FPI_STATUS, FPI_LINK,
  FPI_PATH, FPI_QUEUED, FPI_FRAMES, FPI_DOORBELL_ROUND, FPI_ESCALATED, FPI_DIALECTS, FPI_CARRIER, FPI_QUIESCED, FPS_SENT, FPS_RUNG,
} from "../shared/fault";
import { faultArm, faultFire, faultStep, portStatus } from "../fault/entry";
import { faultPlan, faultPort, fOrder } from "../fault/state";

@inline
function u64of(hi: i32, lo: i32): u64 {
  return (<u64><u32>hi << 32) | <u64><u32>lo;
}

/**
 * At boot, after gasp_arm and nic_port_config / nic_ring_config of every port: checks that
 * every gasp port has a fault ring for its frames x copies (+ a lead copy). flags:
 * FAULT_ARMF_*. Returns the number of ports, or E_GASP_NOT_ARMED / E_FAULT_PLAN / E_ARG.
 */
export function fault_arm(flags: i32): i32 {
  return faultArm(flags);
}

/**
 * The exception handler's call: builds the gasp (gasp_fire's arguments) and begins sending
 * it on every port. Returns the number of frames, or E_FAULT_NOT_ARMED / a gasp status.
 */
export function fault_fire(
  cause: i32, vector: i32, pcHi: i32, pcLo: i32, uptimeHi: i32, uptimeLo: i32, excerpt: i32, excerptLen: i32,
): i32 {
  return faultFire(cause, <u32>vector, u64of(pcHi, pcLo), u64of(uptimeHi, uptimeLo), excerpt, excerptLen);
}

/** One register-operation round: STEP_IO, STEP_DONE, or a negative status (E_FAULT_UNSENT). */
export function fault_step(): i32 {
  return faultStep();
}

/** A field (FINFO_*) of the plan and the last fire. */
export function fault_info(field: i32): i32 {
  const f = faultPlan();
  switch (field) {
    case FINFO_ARMED: return f.armed == 1 ? 1 : 0;
    case FINFO_PORTS: return f.ports;
    case FINFO_FRAMES: return f.frames;
    case FINFO_COPIES: return f.copies;
    case FINFO_ROUNDS: return f.rounds;
    case FINFO_FIRST_DOORBELL_ROUND: return f.firstBell;
    case FINFO_RESULT: return f.result;
    case FINFO_SEQ_LO: return <i32>f.seqLo;
    case FINFO_ORDER: {
      let v = 0;
      for (let i = 0; i < GASP_MAX_PORTS; i++) v |= (fOrder(i) & 0xf) << (4 * i);
      return v;
    }
    case FINFO_PORTS_SENT:
    case FINFO_PORTS_RUNG: {
      let n = 0;
      for (let p = 0; p < f.ports; p++) {
        const s = portStatus(p);
        if (s == FPS_SENT || (field == FINFO_PORTS_RUNG && (s == FPS_RUNG || faultPort(p).bell != 0))) n++;
      }
      return n;
    }
  }
  return E_ARG;
}

/** A field (FPI_*) of one port's part in the last fire. */
export function fault_port_info(port: i32, field: i32): i32 {
  if (port < 0 || port >= GASP_MAX_PORTS) return E_ARG;
  const fp = faultPort(port);
  switch (field) {
    case FPI_STATUS: return portStatus(port);
    case FPI_LINK: return fp.link;
    case FPI_PATH: return fp.path;
    case FPI_QUEUED: return fp.queued;
    case FPI_FRAMES: return fp.frames;
    case FPI_DOORBELL_ROUND: return fp.bell;
    case FPI_ESCALATED: return fp.escalated;
    case FPI_DIALECTS: return fp.dialects;
    case FPI_CARRIER: return fp.carrier;
    case FPI_QUIESCED: return fp.quiesced;
  }
  return E_ARG;
}
