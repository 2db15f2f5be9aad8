// Arming a unit on real ports (pci, linux) against its own death: the gasp armed in the fault
// core as the virtual chassis arms it (key, templates for every port, the board's dialects,
// the fault entry's plan), then the addon's crash path over that core's very memory (host/native/crash.c): a
// handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT and a watchdog thread, which run the
// fault entry natively — no JavaScript, no V8 — perform its register operations and let the
// frames leave before the process dies. A timer kicks the watchdog while the JavaScript
// thread is alive. docs/real-hardware.md.

import { GaspSender } from "../gasp/gasp";
import { gaspPorts, type GaspEncaps } from "../gasp/ports";
import { FaultEntry, EXCERPT } from "../fault/fault";
import { FAULT_ARMF_LINK_FIRST, FAULT_ARMF_QUIESCE } from "../../assembly/shared/fault";
import { Dialects } from "../dialect/dialect";
import { boardDialects, boardCarrierDrop } from "../dialect/board";
import { GASP_EXCERPT_MAX, GASP_ROLE_ACTIVE } from "../../assembly/shared/gasp";
import type { CrashArmReport } from "../native/board";
import type { NativeRuntime } from "./native";
import type { Board } from "./board";

export interface CrashArmSettings {
  /** The chassis key (32..64 bytes); the caller's copy is wiped once it is in the core. */
  key: Uint8Array;
  keyId: number;
  chassis: number;
  /** Boot counter (receivers refuse a lower one than they have seen). */
  boot: number;
  role?: number;
  priority?: number;
  /** Copies of each frame (1..8). */
  copies?: number;
  /** The peer's board: the gasp goes to its ports (raw and UDP); without it, raw broadcast. */
  peer?: Board;
  encaps?: GaspEncaps;
  /** A hang is this long without a kick; 0: no watchdog. */
  watchdogMs: number;
  /** Run the whole path once now, nothing sent (default true): its first real use is not its first execution. */
  rehearse?: boolean;
  /** Ports with link first (default true). */
  linkFirst?: boolean;
}

export interface ArmedCrashPath {
  /** The gasp's frames per message (the core's gasp_arm answer). */
  frames: number;
  ports: number;
  report: CrashArmReport;
  /** A planned stop is not a crash: restore the signal handlers, stop the watchdog and the kicks. */
  disarm(): void;
}

export function armCrashPath(rt: NativeRuntime, s: CrashArmSettings): ArmedCrashPath {
  const sender = new GaspSender(rt.fault);
  sender.setKey(0, s.key, s.keyId);
  s.key.fill(0);
  const frames = sender.arm({
    chassis: s.chassis, unit: rt.board.unit, role: s.role ?? GASP_ROLE_ACTIVE, priority: s.priority ?? 100, keySlot: 0,
    boot: s.boot, copies: s.copies ?? 3, ports: gaspPorts(rt.board, s.peer, s.encaps),
  });
  // The peers' own frames (the board's dialects: VRRP priority 0, BFD Down, an 802.3ah Dying
  // Gasp), sent after the gasp on their ports, and the carrier drop last — as on the chassis.
  const dialects = new Dialects(rt.fault);
  for (const d of boardDialects(rt.board)) dialects.arm(d);
  const drop = boardCarrierDrop(rt.board);
  if (drop) dialects.carrier(drop.ports, drop.drainUs);
  const ports = new FaultEntry(rt.fault).arm((s.linkFirst === false ? 0 : FAULT_ARMF_LINK_FIRST) | FAULT_ARMF_QUIESCE);
  const report = rt.addon.crashArm(rt.fault.exports.memory.buffer, {
    watchdogMs: s.watchdogMs, rehearse: s.rehearse ?? true, excerptAddr: EXCERPT, excerptCap: GASP_EXCERPT_MAX,
  });
  const kicks = s.watchdogMs > 0 ? setInterval(() => rt.addon.crashKick(), Math.max(5, Math.floor(s.watchdogMs / 4))) : undefined;
  kicks?.unref();
  return {
    frames, ports, report,
    disarm: () => {
      if (kicks) clearInterval(kicks);
      rt.addon.crashDisarm();
    },
  };
}

/**
 * Dies the way a drill or a test asks, as a crash would (`lastgasp drill`, `lastgasp run
 * --allow-test-deaths`): a NULL store in native code, abort(), V8's fatal heap exhaustion, a
 * hang (the watchdog fires), SIGKILL (nothing runs). Never returns.
 */
export function die(death: string, addon: { die(how: string): void }): void {
  switch (death) {
    case "null-store":
      addon.die("null-store");
      break;
    case "abort":
      process.abort();
      break;
    case "heap": {
      const hoard: unknown[] = [];
      for (;;) hoard.push(new Array(1 << 16).fill(hoard.length));
    }
    case "hang":
      for (;;) {
        // spin: no kick reaches the watchdog any more
      }
    case "sigkill":
      process.kill(process.pid, "SIGKILL");
      for (;;) {
        // SIGKILL is delivered before this loop matters
      }
  }
}
