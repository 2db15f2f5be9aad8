// The fault entry's state (state.ts STATE_FAULT_BASE, 256 bytes): the plan fault_arm checked
// at boot and the progress of the last fault_fire. Core-only; fault_info / fault_port_info
// read it out.

import { STATE_FAULT_BASE } from "../state";
import { GASP_MAX_PORTS } from "../shared/gasp";

const F_ARMED: usize = 0x00; // u32 1 after a successful fault_arm
const F_FLAGS: usize = 0x04; // u32 FAULT_ARMF_*
const F_PORTS: usize = 0x08; // u32 ports in the plan
const F_PHASE: usize = 0x0c; // u32 FP_* of the fire in progress
const F_CUR: usize = 0x10; // u32 position in the order
const F_FRAMES: usize = 0x14; // u32 gasp frames (result table count)
const F_COPIES: usize = 0x18; // u32
const F_ROUNDS: usize = 0x1c; // u32 STEP_IO answers of this fire
const F_FIRST_BELL: usize = 0x20; // u32 round of the first doorbell
const F_RESULT: usize = 0x24; // i32
const F_ORDER: usize = 0x28; // u8[4] port order
const F_ESC_FRAME: usize = 0x2c; // u32 escalation: next frame of the port
const F_SEQ_LO: usize = 0x30; // u32 the gasp's sequence number
const F_PORT_BASE: usize = 0x40; // GASP_MAX_PORTS x 32
const PORT_SIZE: usize = 32;

// Per-port fields (i32 each).
export const PF_STATUS: usize = 0; // FPS_* or a negative status
export const PF_LINK: usize = 4; // 1 / 0 / -1 not scanned
export const PF_PATH: usize = 8;
export const PF_QUEUED: usize = 12;
export const PF_FRAMES: usize = 16; // gasp frames on the port
export const PF_BELL: usize = 20; // round of the port's first doorbell
export const PF_ESCALATED: usize = 24;
export const PF_SCAN_IDX: usize = 28; // REGOP index of the port's STATUS read at the scan

@inline function g(off: usize): i32 { return load<i32>(STATE_FAULT_BASE + off); }
@inline function s(off: usize, v: i32): void { store<i32>(STATE_FAULT_BASE + off, v); }

export function fArmed(): bool { return g(F_ARMED) == 1; }
export function fSetArmed(on: bool, flags: i32, ports: i32): void {
  memory.fill(STATE_FAULT_BASE, 0, F_PORT_BASE + <usize>GASP_MAX_PORTS * PORT_SIZE);
  s(F_ARMED, on ? 1 : 0);
  s(F_FLAGS, flags);
  s(F_PORTS, ports);
}
export function fFlags(): i32 { return g(F_FLAGS); }
export function fPorts(): i32 { return g(F_PORTS); }
export function fPhase(): i32 { return g(F_PHASE); }
export function fSetPhase(p: i32): void { s(F_PHASE, p); }
export function fCur(): i32 { return g(F_CUR); }
export function fSetCur(i: i32): void { s(F_CUR, i); }
export function fFrames(): i32 { return g(F_FRAMES); }
export function fCopies(): i32 { return g(F_COPIES); }
export function fRounds(): i32 { return g(F_ROUNDS); }
export function fAddRound(): void { s(F_ROUNDS, g(F_ROUNDS) + 1); }
export function fFirstBell(): i32 { return g(F_FIRST_BELL); }
export function fResult(): i32 { return g(F_RESULT); }
export function fSetResult(r: i32): void { s(F_RESULT, r); }
export function fEscFrame(): i32 { return g(F_ESC_FRAME); }
export function fSetEscFrame(i: i32): void { s(F_ESC_FRAME, i); }
export function fSeqLo(): i32 { return g(F_SEQ_LO); }

/** Clears everything a fire records; keeps the plan. */
export function fBeginFire(frames: i32, copies: i32, seqLo: u32): void {
  const armed = g(F_ARMED);
  const flags = g(F_FLAGS);
  const ports = g(F_PORTS);
  memory.fill(STATE_FAULT_BASE, 0, F_PORT_BASE + <usize>GASP_MAX_PORTS * PORT_SIZE);
  s(F_ARMED, armed);
  s(F_FLAGS, flags);
  s(F_PORTS, ports);
  s(F_FRAMES, frames);
  s(F_COPIES, copies);
  s(F_SEQ_LO, <i32>seqLo);
  for (let p = 0; p < GASP_MAX_PORTS; p++) pSet(p, PF_LINK, -1);
}

/** A doorbell goes out in the round being built: the round number it will carry. */
export function fNoteBell(port: i32): void {
  const round = g(F_ROUNDS) + 1;
  if (g(F_FIRST_BELL) == 0) s(F_FIRST_BELL, round);
  if (pGet(port, PF_BELL) == 0) pSet(port, PF_BELL, round);
}

export function fOrder(i: i32): i32 { return <i32>load<u8>(STATE_FAULT_BASE + F_ORDER + <usize>i); }
export function fSetOrder(i: i32, port: i32): void { store<u8>(STATE_FAULT_BASE + F_ORDER + <usize>i, <u8>port); }

@inline function portPtr(port: i32, field: usize): usize {
  return STATE_FAULT_BASE + F_PORT_BASE + <usize>port * PORT_SIZE + field;
}
export function pGet(port: i32, field: usize): i32 { return load<i32>(portPtr(port, field)); }
export function pSet(port: i32, field: usize, v: i32): void { store<i32>(portPtr(port, field), v); }
