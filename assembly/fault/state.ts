// The fault entry's state (state.ts STATE_FAULT_PLAN, STATE_FAULT_PORTS): the plan fault_arm
// checked at boot and the progress of the last fault_fire. Core-only; fault_info /
// fault_port_info read it out. Typed structs at fixed addresses, never allocated.

import { STATE_FAULT_BASE, STATE_FAULT_SIZE, STATE_FAULT_PLAN, STATE_FAULT_PORTS, FAULT_PORT_STRIDE } from "../state";
import { GASP_MAX_PORTS } from "../shared/gasp";

@unmanaged
export class FaultPlan {
  armed: u32; // 1 after a successful fault_arm
  flags: u32; // FAULT_ARMF_*
  ports: i32; // ports in the plan
  phase: i32; // FP_* of the fire in progress (entry.ts)
  cur: i32; // position in the port order
  frames: i32; // gasp frames (result table count)
  copies: i32;
  rounds: i32; // STEP_IO answers of this fire
  firstBell: i32; // round of the first doorbell (0: none)
  result: i32; // STEP_DONE, a negative status, or STEP_IO while running
  escFrame: i32; // escalation: the port's next frame
  seqLo: u32; // the gasp's sequence number (low word)
  order: u32; // the port order: position i's port in byte i
  polls: i32; // the carrier drop's MDIC polls
}

@unmanaged
export class FaultPort {
  status: i32; // FPS_* or a negative status
  link: i32; // STATUS.LU at the scan: 1 / 0 / -1 not scanned
  path: i32; // PATH_* of the takeover
  queued: i32; // descriptors queued
  frames: i32; // gasp frames on the port
  bell: i32; // round of the port's first doorbell (0: none)
  escalated: i32; // 1: taken again after a hang
  scanIdx: i32; // REGOP index of the port's STATUS read at the scan
  dialects: i32; // dialect frames on the port
  carrier: i32; // 1 dropped, 0 not asked, < 0 why not (FPI_CARRIER)
  quiesced: i32; // other TX queues disabled (FPI_QUIESCED)
}

@inline
export function faultPlan(): FaultPlan {
  return changetype<FaultPlan>(STATE_FAULT_PLAN);
}

/** Port p's part in the last fire (p < GASP_MAX_PORTS). */
@inline
export function faultPort(port: i32): FaultPort {
  return changetype<FaultPort>(STATE_FAULT_PORTS + <usize>port * FAULT_PORT_STRIDE);
}

/** Forgets the plan and the last fire; armed with flags and ports when on. */
export function fSetArmed(on: bool, flags: i32, ports: i32): void {
  memory.fill(STATE_FAULT_BASE, 0, STATE_FAULT_SIZE);
  const f = faultPlan();
  f.armed = on ? 1 : 0;
  f.flags = <u32>flags;
  f.ports = ports;
}

/** Clears everything a fire records; keeps the plan. */
export function fBeginFire(frames: i32, copies: i32, seqLo: u32): void {
  const f = faultPlan();
  fSetArmed(f.armed == 1, <i32>f.flags, f.ports);
  f.frames = frames;
  f.copies = copies;
  f.seqLo = seqLo;
  for (let p = 0; p < GASP_MAX_PORTS; p++) faultPort(p).link = -1;
}

/** A doorbell goes out in the round being built: the round number it will carry. */
export function fNoteBell(port: i32): void {
  const f = faultPlan();
  const round = f.rounds + 1;
  if (f.firstBell == 0) f.firstBell = round;
  const p = faultPort(port);
  if (p.bell == 0) p.bell = round;
}

/** The port at position i of the order. */
export function fOrder(i: i32): i32 {
  return <i32>((faultPlan().order >> (<u32>i << 3)) & 0xff);
}

export function fSetOrder(i: i32, port: i32): void {
  const f = faultPlan();
  const shift = <u32>i << 3;
  f.order = (f.order & ~(<u32>0xff << shift)) | (<u32>(port & 0xff) << shift);
}
