// Exports of the gasp subsystem (docs/gasp-protocol.md): arming at boot, the fault-time
// builder, heartbeats in the same format, and the receiver with its counters and replay
// state. Contract as everywhere (docs/core-abi.md): i32 in, i32 out, pointers range-checked.
//
// 64-bit values (PC, uptime, sequence) travel as hi/lo i32 halves: that is what an
// exception handler has at hand, the PC in one register (ELR/RIP) and a free-running
// counter in another, and it keeps the exported signatures i32-only for every engine.

import { E_RANGE, E_ARG } from "../shared/status";
import { GASP_CFG_SIZE, GASP_RXC_SIZE, GASP_MR_SIZE, GASP_HS_SIZE, GASP_HS_BOOT, GASP_HS_SEQ_LO, GASP_HS_SEQ_HI, GASP_UNITS } from "../shared/gasp";
import { hostRange } from "../lib/mem";
import { gaspArm, gaspUpdate } from "../gasp/arm";
import { gaspFire, gaspHello } from "../gasp/fire";
import { gaspRxConfig, gaspReceive } from "../gasp/receive";
import { counterIndex, counterValue } from "../gasp/rxstate";
import { replayKnown, replayBoot, replaySeq, replayRaise } from "../gasp/replay";

@inline
function u64of(hi: i32, lo: i32): u64 {
  return (<u64><u32>hi << 32) | <u64><u32>lo;
}

// ---- sender -------------------------------------------------------------------------------

/**
 * Arms the sender from a config repr (shared/gasp.ts GASP_CFG_*): copies the key states of
 * the config's HMAC slot, builds every frame template in the GASP region. Returns the number
 * of frames per message (one per port and encapsulation), or E_GASP_KEY / E_GASP_CONFIG.
 */
export function gasp_arm(cfg: i32): i32 {
  if (!hostRange(cfg, GASP_CFG_SIZE)) return E_RANGE;
  return gaspArm(cfg);
}

/** New role, priority (0..255) and epoch in every later message. */
export function gasp_update(role: i32, priority: i32, epoch: i32): i32 {
  return gaspUpdate(role, priority, <u32>epoch);
}

/**
 * The fault path: builds the gasp in every armed frame and the result table at
 * GASP_BASE + GASP_REG_RESULT. Returns the number of frames ready. The excerpt (at most 64
 * bytes are sent) must lie in host-visible memory, else it is left out and flagged.
 */
export function gasp_fire(
  cause: i32, vector: i32, pcHi: i32, pcLo: i32, uptimeHi: i32, uptimeLo: i32, excerpt: i32, excerptLen: i32,
): i32 {
  return gaspFire(cause, <u32>vector, u64of(pcHi, pcLo), u64of(uptimeHi, uptimeLo), excerpt, excerptLen);
}

/** A heartbeat: same frames, type HELLO, result table at GASP_BASE + GASP_REG_HELLO_RESULT. */
export function gasp_hello(uptimeHi: i32, uptimeLo: i32): i32 {
  return gaspHello(u64of(uptimeHi, uptimeLo));
}

// ---- receiver -----------------------------------------------------------------------------

/** Configures the receiver (GASP_RXC_* repr); clears its counters and replay table. */
export function gasp_rx_config(cfg: i32): i32 {
  if (!hostRange(cfg, GASP_RXC_SIZE)) return E_RANGE;
  return gaspRxConfig(cfg);
}

/**
 * Classifies and authenticates one frame. (type << 8) | unit when accepted; otherwise the
 * reason (E_GASP_*), each counted. out (GASP_MR_* repr) is filled on acceptance and for
 * E_GASP_DUPLICATE (an authentic copy of the newest message).
 */
export function gasp_receive(frame: i32, len: i32, out: i32): i32 {
  if (!hostRange(frame, len) || !hostRange(out, GASP_MR_SIZE)) return E_RANGE;
  return gaspReceive(frame, len, out);
}

/** How many frames gasp_receive returned code for (0 = accepted), mod 2^31; E_ARG otherwise. */
export function gasp_rx_count(code: i32): i32 {
  if (counterIndex(code) < 0) return E_ARG;
  return <i32>(counterValue(code) & 0x7fffffff);
}

/** Writes unit's highest accepted (boot, seq) (GASP_HS_* repr); returns 1, or 0 if none yet. */
export function gasp_rx_highest(unit: i32, out: i32): i32 {
  if (unit < 0 || unit >= GASP_UNITS) return E_ARG;
  if (!hostRange(out, GASP_HS_SIZE)) return E_RANGE;
  const seq = replaySeq(unit);
  store<u32>(out + GASP_HS_BOOT, replayBoot(unit));
  store<u32>(out + GASP_HS_SEQ_LO, <u32>seq);
  store<u32>(out + GASP_HS_SEQ_HI, <u32>(seq >> 32));
  return replayKnown(unit) ? 1 : 0;
}

/** Restores a persisted highest (boot, seq) for unit, raise-only: 1 if raised, 0 if kept. */
export function gasp_rx_restore(unit: i32, boot: i32, seqHi: i32, seqLo: i32): i32 {
  if (unit < 0 || unit >= GASP_UNITS) return E_ARG;
  return replayRaise(unit, <u32>boot, u64of(seqHi, seqLo)) ? 1 : 0;
}
