// The control processor of the load-balancer simulation: it collects the back ends' load
// reports (punted to it by the switching path), computes the load distribution and publishes
// it through the A/B flip (distribution.ts, lbtables.ts). Strategies:
//   maglev / wrr   tables from the configured weights; recomputed when an event changes them
//   least-load     weights x headroom from the latest reports, laid out by Maglev; recomputed
//                  every interval, flipped only when the table changed
// Events: a weight change; a back end removed (drained: out of the table, still up, so its
// connections stay); a back end failed (marked down: its connections are re-picked on their
// next packet, which its replacement answers with a RST).

import { SwitchPath } from "../switch";
import { LbTables } from "../lbtables";
import { maglevTable, wrrTable, leastLoadShares, BackendShare } from "../distribution";
import type { CpApp, PuntedFrame } from "../punt";
import { parseFrame, sameBytes } from "../../sim/ipv4";
import { parseLoadReport } from "./servers";

export type Strategy = "maglev" | "wrr" | "least-load";
export type BackendState = "up" | "removed" | "down";

export interface BackendDef {
  index: number;
  name: string;
  weight: number;
}

export interface LoadSample {
  load: number;
  conns: number;
  atMs: number;
}

/** The CP application that takes the load agents' reports off the punt ring. */
export class LoadCollector implements CpApp {
  readonly name = "load-reports";
  readonly latest = new Map<string, LoadSample>();
  received = 0;
  malformed = 0;

  constructor(private readonly cp: Uint8Array, private readonly port: number, private readonly nowMs: () => number) {}

  handle(p: PuntedFrame): [] | null {
    const r = parseFrame(p.frame);
    if (!r || r.kind !== "udp" || !sameBytes(r.dst, this.cp) || r.dport !== this.port) return null;
    const rep = parseLoadReport(r.payload);
    if (!rep) {
      this.malformed++;
      return [];
    }
    this.received++;
    this.latest.set(rep.name, { load: rep.load, conns: rep.conns, atMs: this.nowMs() });
    return [];
  }
}

export interface FlipRecord {
  atMs: number;
  reason: string;
  /** Slots whose back end changed, of `slots`. */
  moved: number;
  /** Of those, slots that moved from one remaining back end to another (Maglev keeps this small). */
  needless: number;
  slots: number;
  /** Share of the table per back end name after the flip. */
  shares: Record<string, number>;
}

export class ControlProcessor {
  readonly flips: FlipRecord[] = [];
  readonly state = new Map<string, BackendState>();
  readonly weight = new Map<string, number>();
  private table: Uint16Array | null = null;
  private sharesByIndex = new Map<number, number>();

  constructor(
    private readonly sw: SwitchPath,
    private readonly lb: LbTables,
    private readonly backends: BackendDef[],
    private readonly strategy: Strategy,
    private readonly tableSize: number,
    private readonly services: number[],
    readonly collector: LoadCollector,
  ) {
    for (const b of backends) {
      this.state.set(b.name, "up");
      this.weight.set(b.name, b.weight);
    }
  }

  /** Fraction of the active table a back end (by core index) owns. */
  share(index: number): number {
    return this.sharesByIndex.get(index) ?? 0;
  }

  private shares(): BackendShare[] {
    const live = this.backends.filter((b) => this.state.get(b.name) === "up" && (this.weight.get(b.name) ?? 0) > 0);
    if (this.strategy !== "least-load") return live.map((b) => ({ index: b.index, name: b.name, weight: this.weight.get(b.name)! }));
    return leastLoadShares(live.map((b) => ({ index: b.index, name: b.name, weight: this.weight.get(b.name)!, load: this.collector.latest.get(b.name)?.load ?? 0 })));
  }

  /** Computes the table and flips to it when it differs from the active one. Returns whether it flipped. */
  publish(reason: string, nowMs: number): boolean {
    const shares = this.shares();
    if (shares.length === 0) throw new Error("no back end left to distribute to");
    const table = this.strategy === "wrr" ? wrrTable(shares, this.tableSize) : maglevTable(shares, this.tableSize);
    const old = this.table;
    if (old && old.every((v, i) => v === table[i])) return false;
    this.lb.publish(new Map(this.services.map((s) => [s, table])));
    this.table = table;
    const remaining = new Set(shares.map((s) => s.index));
    let moved = 0;
    let needless = 0;
    if (old) {
      for (let i = 0; i < table.length; i++) {
        if (old[i] === table[i]) continue;
        moved++;
        if (remaining.has(old[i])) needless++;
      }
    }
    const counts = new Map<number, number>();
    for (const v of table) counts.set(v, (counts.get(v) ?? 0) + 1);
    this.sharesByIndex = new Map([...counts].map(([i, n]) => [i, n / table.length]));
    const byName: Record<string, number> = {};
    for (const b of this.backends) byName[b.name] = Number(((counts.get(b.index) ?? 0) / table.length).toFixed(4));
    this.flips.push({ atMs: nowMs, reason, moved: old ? moved : table.length, needless, slots: table.length, shares: byName });
    return true;
  }

  /** The periodic recomputation (least-load only: the others change on events). */
  recompute(nowMs: number): boolean {
    return this.strategy === "least-load" ? this.publish("load reports", nowMs) : false;
  }

  setWeight(name: string, weight: number, nowMs: number): void {
    this.weight.set(name, weight);
    this.publish(`weight ${name}=${weight}`, nowMs);
  }

  /** Drained: no new connections; existing ones stay (the back end is still up). */
  remove(name: string, nowMs: number): void {
    this.state.set(name, "removed");
    this.publish(`remove ${name}`, nowMs);
  }

  /** Failed: marked down in the switching path (its connections are re-picked) and out of the table. */
  fail(name: string, nowMs: number): void {
    const b = this.backends.find((x) => x.name === name)!;
    this.state.set(name, "down");
    this.sw.setBackendState(b.index, "down");
    this.publish(`fail ${name}`, nowMs);
  }
}
