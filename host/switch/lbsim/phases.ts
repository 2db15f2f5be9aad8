// The loadbalance run's phases and how new flows spread in each. A phase starts at the start or
// at an event of the file (a weight change, a removal, a failure); as each new flow opens, the
// share the table in force gives every back end is booked to its phase, so a phase's expected
// shares average the tables its flows met (least-load recomputes within a phase). At the end,
// the server that saw each flow's first packet says where it actually went.

import { NS_PER_MS } from "../../ha/timeline";
import type { LoadbalanceSpec } from "./spec";
import type { ControlProcessor } from "./cp";
import type { FlowOracle } from "./servers";

export interface PhaseReport {
  fromMs: number;
  toMs: number;
  /** What started the phase: "start" or the event. */
  label: string;
  newFlows: number;
  /** New flows per back end (by the server that saw their first packet). */
  perBackend: Record<string, number>;
  /** Each back end's share of the new flows, and its share of the table(s) in force when they opened. */
  actualShare: Record<string, number>;
  expectedShare: Record<string, number>;
  maxDeviation: number;
  /** The largest deviation accepted: max(tolerance, 3 binomial standard deviations of the largest share). */
  bound: number;
}

const round4 = (x: number) => Number(x.toFixed(4));

export class PhaseBook {
  /** Phase k runs from bounds[k] to bounds[k + 1] (ms). */
  private readonly bounds: number[];
  private readonly labels: string[];
  /** Per phase: the table shares booked per back end, summed over the phase's flows. */
  private readonly expected: Map<string, number>[];
  private readonly flowPhase = new Map<string, number>();

  constructor(
    s: LoadbalanceSpec,
    /** The file's events, in time order. */
    events: NonNullable<LoadbalanceSpec["events"]>,
    private readonly backends: { name: string; index: number }[],
    private readonly cp: ControlProcessor,
    readonly tolerance: number,
  ) {
    this.bounds = [0, ...events.map((e) => e.atMs), s.durationMs];
    this.labels = ["start", ...events.map((e) => (e.action === "weight" ? `${e.backend} weight ${e.weight}` : `${e.action} ${e.backend}`))];
    this.expected = this.labels.map(() => new Map<string, number>());
  }

  private phaseOf(ms: number): number {
    let k = 0;
    while (k + 1 < this.bounds.length - 1 && ms >= this.bounds[k + 1]) k++;
    return k;
  }

  /** A new flow opened at tNs: book the shares of the table in force to its phase. */
  opened(flow: string, tNs: number): void {
    const k = this.phaseOf(tNs / NS_PER_MS);
    this.flowPhase.set(flow, k);
    for (const b of this.backends) this.expected[k].set(b.name, (this.expected[k].get(b.name) ?? 0) + this.cp.share(b.index));
  }

  /** Each phase: new flows per back end, actual against expected shares, the deviation and its bound. */
  report(oracle: FlowOracle): PhaseReport[] {
    const { backends, expected, bounds, tolerance } = this;
    return this.labels.map((label, k) => {
      const per: Record<string, number> = Object.fromEntries(backends.map((b) => [b.name, 0]));
      let n = 0;
      for (const [flow, ph] of this.flowPhase) {
        if (ph !== k) continue;
        n++;
        const srv = oracle.firstServer.get(flow);
        if (srv) per[srv]++;
      }
      const seenTotal = Object.values(per).reduce((a, b) => a + b, 0);
      const actualShare: Record<string, number> = {};
      const expectedShare: Record<string, number> = {};
      let maxDeviation = 0;
      for (const b of backends) {
        actualShare[b.name] = seenTotal ? round4(per[b.name] / seenTotal) : 0;
        expectedShare[b.name] = n ? round4((expected[k].get(b.name) ?? 0) / n) : 0;
        if (seenTotal) maxDeviation = Math.max(maxDeviation, Math.abs(per[b.name] / seenTotal - (expected[k].get(b.name) ?? 0) / n));
      }
      const pMax = Math.max(...Object.values(expectedShare), 0);
      const bound = Math.max(tolerance, seenTotal ? 3 * Math.sqrt((pMax * (1 - pMax)) / seenTotal) : 1);
      return { fromMs: bounds[k], toMs: bounds[k + 1], label, newFlows: n, perBackend: per, actualShare, expectedShare, maxDeviation: round4(maxDeviation), bound: round4(bound) };
    });
  }
}
