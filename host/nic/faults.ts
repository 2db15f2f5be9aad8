// Fault injection for the NIC models: the ways real parts and crashed drivers misbehave,
// which QEMU does not model but a fault-path test bench needs (../shared/reference/e1000.md).
//
//  - deferred TX: frames and DD write-backs appear N ns after the doorbell, on the SimClock.
//      mode "writeback" (default): descriptors are fetched and TDH advances at once, the
//        frame reaches the wire and DD host memory N ns later (a real NIC's fetch-ahead:
//        TDH runs ahead of DD, I210 §8.12.13 "TDH might point to descriptors ... not done").
//      mode "engine": nothing happens for N ns, then the engine walks the ring (a slow or
//        busy DMA engine; TDH lags too).
//  - frozen TDH: the engine is hung. Doorbells are stored, nothing is fetched or sent, TDH
//    never moves, an i210 queue disable never completes while work is pending. Cleared by
//    a device reset unless survivesReset (the NIC is truly dead).
//  - link down/up: STATUS.LU and LSC (E1000.setLink). While down, TX stalls (linkDownTx
//    "stall", what Linux e1000_watchdog describes: "the controller stops DMA") or consumes
//    descriptors and drops the frames ("drop", what QEMU does); RX drops everything.
//  - DMA outside every window: descriptors or buffers pointing outside the DmaSpace, or a
//    window revoked with revokeDma(): counted in counters.dmaErrors, the frame dropped.
//  - lost doorbells: TDT writes ignored (the value never reaches the register), the next
//    `count` of them and/or each with `probability` drawn from the seeded Rng.

import type { E1000 } from "./e1000";
import type { Rng } from "../util/rng";

export type DeferMode = "writeback" | "engine";

export interface TxQueueFaults {
  /** Deferred TX: > 0 delays frames and DD (see DeferMode) by this many ns. */
  deferNs: number;
  deferMode: DeferMode;
  /** Hung engine: TDH never moves. */
  frozen: boolean;
  /** The hang survives CTRL.RST (otherwise a reset clears it). */
  frozenSurvivesReset: boolean;
  /** The next this-many TDT writes are lost. */
  loseNext: number;
  /** Each TDT write is lost with this probability (seeded Rng). */
  loseProbability: number;
}

export interface LoseDoorbells {
  queue?: number;
  count?: number;
  probability?: number;
}

function noFaults(): TxQueueFaults {
  return { deferNs: 0, deferMode: "writeback", frozen: false, frozenSurvivesReset: false, loseNext: 0, loseProbability: 0 };
}

export class NicFaults {
  /** Per TX queue. Plain data: tests may set fields directly; the methods also wake the engine. */
  readonly tx: TxQueueFaults[];
  /** What TX does while the link is down. */
  linkDownTx: "stall" | "drop" = "stall";
  private readonly nic: E1000;
  private readonly rng: Rng;

  constructor(nic: E1000, rng: Rng) {
    this.nic = nic;
    this.rng = rng;
    this.tx = nic.txQueues.map(noFaults);
  }

  /** Frames and DD appear ns after the doorbell (0 turns it off). */
  deferTx(ns: number, opts: { queue?: number; mode?: DeferMode } = {}): void {
    if (!Number.isSafeInteger(ns) || ns < 0) throw new RangeError(`deferTx: ${ns} is not a non-negative integer number of ns`);
    const f = this.queue(opts.queue);
    f.deferNs = ns;
    f.deferMode = opts.mode ?? "writeback";
  }

  /** Hangs the TX engine of a queue. */
  freezeTx(opts: { queue?: number; survivesReset?: boolean } = {}): void {
    const f = this.queue(opts.queue);
    f.frozen = true;
    f.frozenSurvivesReset = opts.survivesReset ?? false;
  }

  /** Un-hangs it: pending work runs (a waiting i210 queue disable completes instead). */
  thawTx(queue = 0): void {
    const f = this.queue(queue);
    if (!f.frozen) return;
    f.frozen = false;
    this.nic.txQueues[queue].thawed();
  }

  /** Loses TDT writes: the next `count`, and/or each with `probability`. */
  loseDoorbells(opts: LoseDoorbells): void {
    const f = this.queue(opts.queue);
    if (opts.count !== undefined) f.loseNext = opts.count;
    if (opts.probability !== undefined) {
      if (!(opts.probability >= 0 && opts.probability <= 1)) throw new RangeError(`loseDoorbells: probability ${opts.probability} is not in [0, 1]`);
      f.loseProbability = opts.probability;
    }
  }

  /** Link partner up/down (raises LSC). Same as E1000.setLink. */
  setLink(up: boolean): void {
    this.nic.setLink(up);
  }

  /** Revokes a DMA window (an IOMMU fault): every access to it fails from now on. */
  revokeDma(window: string): boolean {
    return this.nic.dma.unmap(window);
  }

  /** Removes every TX fault and brings the link up. */
  clear(): void {
    this.tx.forEach((f, q) => {
      const wasFrozen = f.frozen;
      Object.assign(f, noFaults());
      if (wasFrozen) this.nic.txQueues[q].thawed();
    });
    this.linkDownTx = "stall";
    this.nic.setLink(true);
  }

  /** @internal Whether this TDT write is lost. */
  swallowDoorbell(queue: number): boolean {
    const f = this.tx[queue];
    if (f.loseNext > 0) {
      f.loseNext--;
      return true;
    }
    return f.loseProbability > 0 && this.rng.bool(f.loseProbability);
  }

  /** @internal Device reset: a hang that does not survive it is gone. */
  onReset(): void {
    for (const f of this.tx) if (f.frozen && !f.frozenSurvivesReset) f.frozen = false;
  }

  private queue(q = 0): TxQueueFaults {
    const f = this.tx[q];
    if (!f) throw new RangeError(`${this.nic.name} has no TX queue ${q}`);
    return f;
  }
}
