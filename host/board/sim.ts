// The virtual board: NIC models on one SimClock, the OS core instance and the fault core
// instance each mapped into the board's physical address space at their own DMA base
// (docs/boards.md). Bring-up (bringup.ts) and the ring tests build on this.
//
// In the simulation the OS and the fault path are separate WebAssembly instances with
// separate memories, as a real board's fault core would have its own RAM: the fault core
// cannot read or write the dead OS's ring memory, only the NIC's registers and its own.

import { Core } from "../core/core";
import { SimClock } from "../sim/clock";
import { DmaSpace, mapCoreDma } from "../nic/dma";
import { E1000 } from "../nic/e1000";
import { I210 } from "../nic/i210";
import { CoreRings } from "../nic/rings";
import type { DelayFn } from "../nic/device";

export type NicModelName = "e1000" | "i210";

export interface SimPortSpec {
  name: string;
  mac: Uint8Array;
  model: NicModelName;
  /** TX queues of the NIC (1 for the e1000; 2..4 for the i210-like model). */
  txQueues: number;
  /** The fault path's own TX queue (i210-like), or undefined. */
  faultQueue?: number;
  rings: { tx: number; rx: number; fault: number };
  /** i210: how long TXDCTL.ENABLE takes to read back (model default when undefined). */
  queueEnableLatencyNs?: number;
  seed?: number;
}

export interface SimBoardSpec {
  /** Physical address where the NICs see the OS core's DMA region. */
  osDmaPhys: number;
  /** ... and the fault core's. */
  faultDmaPhys: number;
  ports: SimPortSpec[];
}

export const OS_WINDOW = "os";
export const FAULT_WINDOW = "fault";

export class SimBoard {
  readonly clock: SimClock;
  readonly dma = new DmaSpace();
  readonly os: Core;
  readonly fault: Core;
  readonly nics: E1000[];
  readonly osRings: CoreRings;
  readonly faultRings: CoreRings;
  /** Register-operation delays advance simulated time. */
  readonly delay: DelayFn = (us) => {
    this.clock.advance(Math.round(us * 1000));
  };

  /**
   * Cores may be passed in to reuse instances (property tests); they are reconfigured. A
   * clock may be passed in so that several boards share one time (the virtual chassis).
   */
  constructor(readonly spec: SimBoardSpec, cores: { os?: Core; fault?: Core } = {}, clock: SimClock = new SimClock()) {
    this.clock = clock;
    this.os = cores.os ?? Core.load();
    this.fault = cores.fault ?? Core.load();
    mapCoreDma(this.dma, this.os.bytes, spec.osDmaPhys, OS_WINDOW);
    mapCoreDma(this.dma, this.fault.bytes, spec.faultDmaPhys, FAULT_WINDOW);
    this.nics = spec.ports.map((p, i) => {
      const opts = { name: p.name, mac: p.mac, dma: this.dma, clock: this.clock, queueEnableLatencyNs: p.queueEnableLatencyNs, seed: p.seed ?? i + 1 };
      return p.model === "i210" ? new I210({ ...opts, txQueues: p.txQueues }) : new E1000(opts);
    });
    this.osRings = new CoreRings(this.os, this.nics, this.delay);
    this.faultRings = new CoreRings(this.fault, this.nics, this.delay);
    spec.ports.forEach((p, i) => {
      const cfg = { txQueues: p.txQueues, faultQueue: p.faultQueue, ...p.rings, mac: p.mac };
      this.osRings.configure(i, { ...cfg, dmaPhys: spec.osDmaPhys });
      this.faultRings.configure(i, { ...cfg, dmaPhys: spec.faultDmaPhys });
    });
  }
}
