// Typed wrapper over the fault entry (assembly/exports/fault.ts, docs/chassis.md): arm the plan
// at boot, and the exception handler's whole job at fault time — fire, then perform register
// operations until the core is done. Thin: every decision is the core's.
//
// Slot use: frame buffer 14 (the excerpt) belongs to this wrapper.
//
// It imports the core loader, the register-operation loop and shared constants, nothing
// heavier: the exception handler's process starts with a dozen modules (test/host-shape.test.ts).

import { Core } from "../core/core";
import { statusName } from "../core/status";
import { runSteps, tsPerformer } from "../nic/regops";
import type { NicDevice, DelayFn, RegopPerformer } from "../nic/device";
import * as F from "../../assembly/shared/fault";
import { FRAME_SLOT_SIZE } from "../../assembly/shared/memmap";
import type { FaultInfo } from "../gasp/gasp";
import { pathName } from "../nic/rings";

/** Where the exception handler puts its excerpt (a native crash handler too: host/board/crash.ts). */
export const EXCERPT = Core.frame(14);

const hi = (x: bigint) => Number((x >> 32n) & 0xffffffffn) | 0;
const lo = (x: bigint) => Number(x & 0xffffffffn) | 0;

export interface FaultPortReport {
  port: number;
  /** "sent", "rung" (doorbell written, never confirmed), "idle", or the status name (E_LINK_DOWN...). */
  status: string;
  /** STATUS.LU at the scan: true, false, or null when not scanned. */
  link: boolean | null;
  /** The takeover's path: own-queue, reclaim, reset (or none). */
  path: string;
  queued: number;
  frames: number;
  /** The register-operation round that carried the port's first doorbell (0: none). */
  doorbellRound: number;
  escalated: boolean;
}

export interface FaultReport {
  /** STEP_DONE (0) when at least one port confirmed the gasp, else a negative status. */
  rc: number;
  result: string;
  frames: number;
  copies: number;
  rounds: number;
  firstDoorbellRound: number;
  order: number[];
  ports: FaultPortReport[];
}

const STATUS_NAMES: Record<number, string> = { [F.FPS_IDLE]: "idle", [F.FPS_RUNG]: "rung", [F.FPS_SENT]: "sent" };

export class FaultEntry {
  constructor(readonly core: Core) {}

  /** At boot, after gasp_arm and the ports' ring configuration. Returns the ports planned. */
  arm(flags = F.FAULT_ARMF_LINK_FIRST): number {
    return this.core.call("fault_arm", flags);
  }

  /**
   * The exception handler: fire the gasp, then perform the register operations the core
   * asks for on the board's NICs until it is done: the few lines a board's handler has.
   * (On pci and linux boards a real crash runs the same steps natively: host/native/crash.c.)
   */
  fire(f: FaultInfo, nics: NicDevice[], delay: DelayFn, perform: RegopPerformer = tsPerformer(nics, delay)): FaultReport {
    const excerpt = typeof f.excerpt === "string" ? new TextEncoder().encode(f.excerpt) : (f.excerpt ?? new Uint8Array(0));
    const n = Math.min(excerpt.length, FRAME_SLOT_SIZE);
    this.core.write(EXCERPT, excerpt.subarray(0, n));
    const pc = f.pc ?? 0n;
    const up = f.uptimeUs ?? 0n;
    const x = this.core.exports;
    let rc = x.fault_fire(f.cause, (f.vector ?? 0) | 0, hi(pc), lo(pc), hi(up), lo(up), EXCERPT, n);
    if (rc >= 0) rc = runSteps(() => x.fault_step(), this.core.view, perform);
    return this.report(rc);
  }

  /** What the last fire did, port by port. */
  report(rc = this.core.exports.fault_info(F.FINFO_RESULT)): FaultReport {
    const x = this.core.exports;
    const ports: FaultPortReport[] = [];
    const nPorts = Math.max(0, x.fault_info(F.FINFO_PORTS));
    for (let p = 0; p < nPorts; p++) {
      const s = x.fault_port_info(p, F.FPI_STATUS);
      const link = x.fault_port_info(p, F.FPI_LINK);
      ports.push({
        port: p,
        status: STATUS_NAMES[s] ?? statusName(s),
        link: link < 0 ? null : link === 1,
        path: pathName(x.fault_port_info(p, F.FPI_PATH)),
        queued: x.fault_port_info(p, F.FPI_QUEUED),
        frames: x.fault_port_info(p, F.FPI_FRAMES),
        doorbellRound: x.fault_port_info(p, F.FPI_DOORBELL_ROUND),
        escalated: x.fault_port_info(p, F.FPI_ESCALATED) === 1,
      });
    }
    const orderBits = x.fault_info(F.FINFO_ORDER);
    const order: number[] = [];
    for (let i = 0; i < nPorts; i++) {
      const p = (orderBits >>> (4 * i)) & 0xf;
      if (p !== F.FAULT_ORDER_NONE) order.push(p);
    }
    return {
      rc,
      result: rc === 0 ? "sent" : statusName(rc),
      frames: x.fault_info(F.FINFO_FRAMES),
      copies: x.fault_info(F.FINFO_COPIES),
      rounds: x.fault_info(F.FINFO_ROUNDS),
      firstDoorbellRound: x.fault_info(F.FINFO_FIRST_DOORBELL_ROUND),
      order,
      ports,
    };
  }
}
