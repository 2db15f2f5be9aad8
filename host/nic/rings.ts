// Typed access to the core's NIC rings (assembly/exports/nic.ts; docs/rings.md) for one core
// instance and the board's NICs. Every register operation is "begin export, then nic_step()
// until it stops answering STEP_IO" with the host performing the register operations in
// between (regops.ts runSteps): that loop is the host's whole part in driving a NIC.
//
// Slots: frame buffers 16 (TX staging) and 17 (RX harvest) belong to this class.

import { Core } from "../core/core";
import { statusName } from "../core/status";
import { runSteps, tsPerformer } from "./regops";
import type { NicDevice, DelayFn, RegopPerformer } from "./device";
import * as RINGS from "../../assembly/shared/rings";
import { FRAME_SLOT_SIZE } from "../../assembly/shared/memmap";
import { STEP_DONE } from "../../assembly/shared/regop";
import { E_RING_FULL } from "../../assembly/shared/status";

export const TX_STAGE = Core.frame(16);
export const RX_OUT = Core.frame(17);

/** Where one port's NIC sees this core's DMA region, and the rings to set up. */
export interface PortRingConfig {
  /** Physical address at which the NIC sees this core's DMA_BASE (4 KiB aligned, < 2^53). */
  dmaPhys: number;
  /** TX queues of the NIC: 1 = e1000, more = i210-like. */
  txQueues: number;
  /** The fault path's own TX queue, or undefined when it takes over queue 0. */
  faultQueue?: number;
  tx: number;
  rx: number;
  fault: number;
  mac?: Uint8Array;
}

export type OpInfo = Record<string, number>;

const OPINFO_NAMES = Object.entries(RINGS)
  .filter(([k, v]) => k.startsWith("OPINFO_") && k !== "OPINFO_FIELDS" && typeof v === "number")
  .map(([k, v]) => [k.slice(7).toLowerCase(), v as number] as const);

// The takeover paths by name, from their declaration (PATH_OWN_QUEUE is "own-queue"), so a new
// path needs no second edit here.
const PATH_NAMES = new Map(
  Object.entries(RINGS)
    .filter(([k, v]) => k.startsWith("PATH_") && typeof v === "number")
    .map(([k, v]) => [v as number, k.slice(5).toLowerCase().replace(/_/g, "-")] as const),
);

/** The name of a takeover path (OPINFO_PATH, FPI_PATH): "own-queue", "reclaim", "reset", or "none". */
export function pathName(path: number): string {
  return PATH_NAMES.get(path) ?? "none";
}

/** A negative status from a ring operation, with what the operation left behind. */
export class RingError extends Error {
  constructor(readonly op: string, readonly status: number, readonly info: OpInfo) {
    super(`${op}: ${statusName(status)} (${status})`);
  }
}

export class CoreRings {
  constructor(
    readonly core: Core,
    readonly nics: NicDevice[],
    readonly delay: DelayFn,
    /** How a whole register-operation list is performed (default: register by register through nics). */
    readonly perform: RegopPerformer = tsPerformer(nics, delay),
  ) {}

  private get x() {
    return this.core.exports;
  }

  /** Configures a port: DMA physical base, queues, ring sizes, MAC. Throws on a bad value. */
  configure(port: number, cfg: PortRingConfig): void {
    const lo = cfg.dmaPhys % 0x1_0000_0000;
    const hi = Math.floor(cfg.dmaPhys / 0x1_0000_0000);
    this.core.call("nic_port_config", port, lo | 0, hi | 0, cfg.txQueues, cfg.faultQueue ?? RINGS.FAULT_QUEUE_NONE);
    this.core.call("nic_ring_config", port, RINGS.RING_TX, cfg.tx);
    this.core.call("nic_ring_config", port, RINGS.RING_RX, cfg.rx);
    this.core.call("nic_ring_config", port, RINGS.RING_FAULT, cfg.fault);
    if (cfg.mac) {
      this.core.write(TX_STAGE, cfg.mac);
      this.core.call("nic_port_mac", port, TX_STAGE);
    }
  }

  /** Runs one register operation to the end; returns STEP_DONE (0) or a negative status. */
  run(begin: string, ...args: number[]): number {
    const f = this.x[begin];
    if (typeof f !== "function") throw new Error(`core has no export ${begin}`);
    const rc = f(...args);
    if (rc < 0) return rc;
    return runSteps(() => this.x.nic_step(), this.core.view, this.perform);
  }

  /** run(), throwing RingError on a negative status. */
  must(begin: string, ...args: number[]): void {
    const rc = this.run(begin, ...args);
    if (rc !== STEP_DONE) throw new RingError(begin, rc, this.info());
  }

  /** What the last register operation left behind (nic_op_info), by field name. */
  info(): OpInfo {
    const out: OpInfo = {};
    for (const [name, field] of OPINFO_NAMES) out[name] = this.x.nic_op_info(field);
    return out;
  }

  ringInfo(port: number, kind: number, field: number): number {
    return this.x.nic_ring_info(port, kind, field);
  }

  /** Stages a frame where the core copies it from. */
  stage(frame: Uint8Array): number {
    if (frame.length > FRAME_SLOT_SIZE) throw new RangeError(`frame of ${frame.length} bytes`);
    this.core.write(TX_STAGE, frame);
    return frame.length;
  }

  /** Queues frames on the port's active TX ring (no doorbell); returns how many fit. */
  enqueue(port: number, frames: Uint8Array[]): number {
    let n = 0;
    for (const f of frames) {
      const rc = this.x.nic_tx_enqueue(port, TX_STAGE, this.stage(f));
      if (rc === E_RING_FULL) break;
      if (rc < 0) throw new RingError("nic_tx_enqueue", rc, this.info());
      n++;
    }
    return n;
  }

  /** Harvests every frame the RX ring holds (errors counted, not returned). */
  harvest(port: number, max = Infinity): { frames: Uint8Array[]; errors: number } {
    const frames: Uint8Array[] = [];
    let errors = 0;
    while (frames.length < max) {
      const len = this.x.nic_rx_harvest(port, RX_OUT, FRAME_SLOT_SIZE);
      if (len === 0) break;
      if (len < 0) {
        errors++;
        if (errors > 1_000_000) break;
        continue;
      }
      frames.push(this.core.read(RX_OUT, len));
    }
    return { frames, errors };
  }
}

