// BFD control packets (RFC 5880 §4.1), without authentication: the header view and the
// emitter. The dialect templates write through bfdWrite; tests read through the view.

import {
  BFD_OFF_VER_DIAG, BFD_OFF_STATE_FLAGS, BFD_OFF_DETECT_MULT, BFD_OFF_LENGTH, BFD_OFF_MY_DISC,
  BFD_OFF_YOUR_DISC, BFD_OFF_DESIRED_MIN_TX, BFD_OFF_REQUIRED_MIN_RX, BFD_OFF_REQUIRED_MIN_ECHO_RX,
  BFD_CONTROL_LEN, BFD_VERSION,
} from "../shared/wire";
import { ld8, ld32be, st8, st32be } from "../lib/mem";

// ---- the header view ----

@inline export function bfdVersion(b: usize): i32 { return ld8(b + BFD_OFF_VER_DIAG) >> 5; }
@inline export function bfdDiag(b: usize): i32 { return ld8(b + BFD_OFF_VER_DIAG) & 0x1f; }
@inline export function bfdState(b: usize): i32 { return ld8(b + BFD_OFF_STATE_FLAGS) >> 6; }
@inline export function bfdFlags(b: usize): i32 { return ld8(b + BFD_OFF_STATE_FLAGS) & 0x3f; }
@inline export function bfdDetectMult(b: usize): i32 { return ld8(b + BFD_OFF_DETECT_MULT); }
@inline export function bfdLength(b: usize): i32 { return ld8(b + BFD_OFF_LENGTH); }
@inline export function bfdMyDisc(b: usize): u32 { return ld32be(b + BFD_OFF_MY_DISC); }
@inline export function bfdYourDisc(b: usize): u32 { return ld32be(b + BFD_OFF_YOUR_DISC); }

// ---- the emitter ----

/** Writes a 24-byte control packet: version 1, no flags (no Poll, Final or A bit). */
export function bfdWrite(
  b: usize, diag: i32, state: i32, detectMult: i32, myDisc: u32, yourDisc: u32, minTx: u32, minRx: u32, minEchoRx: u32,
): void {
  st8(b + BFD_OFF_VER_DIAG, (BFD_VERSION << 5) | (diag & 0x1f));
  st8(b + BFD_OFF_STATE_FLAGS, (state & 3) << 6);
  st8(b + BFD_OFF_DETECT_MULT, detectMult);
  st8(b + BFD_OFF_LENGTH, BFD_CONTROL_LEN);
  st32be(b + BFD_OFF_MY_DISC, myDisc);
  st32be(b + BFD_OFF_YOUR_DISC, yourDisc);
  st32be(b + BFD_OFF_DESIRED_MIN_TX, minTx);
  st32be(b + BFD_OFF_REQUIRED_MIN_RX, minRx);
  st32be(b + BFD_OFF_REQUIRED_MIN_ECHO_RX, minEchoRx);
}
