// Trunk threshold (docs/failover.md): a trunk of N links keeps carrying traffic on the
// links that remain, and fails over to the other trunk only when the share of failed links
// reaches the configured threshold ("a threshold parameter may be set to 50% ... perform a
// failover if 50% or more of the connections in a trunked interface fail"). Threshold in
// whole percent, 1..100; integer arithmetic so 1 of 3 against 33 % is exact.
//
// Timeline events: trunk.degraded (a member failed, threshold not reached), trunk.failed,
// trunk.restored (back under the threshold).

import { LinkChange } from "./link-monitor";
import { TimelineSink, NO_TIMELINE } from "./timeline";

/** True when failed/total ≥ thresholdPct/100. */
export function trunkFailed(failed: number, total: number, thresholdPct: number): boolean {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`total: ${total}`);
  if (!Number.isInteger(failed) || failed < 0 || failed > total) throw new RangeError(`failed: ${failed}`);
  if (!Number.isInteger(thresholdPct) || thresholdPct < 1 || thresholdPct > 100) throw new RangeError(`thresholdPct: ${thresholdPct} (1..100)`);
  return failed * 100 >= thresholdPct * total;
}

/** The smallest number of failed links that trips the threshold. */
export function linksToFail(total: number, thresholdPct: number): number {
  for (let f = 1; f <= total; f++) if (trunkFailed(f, total, thresholdPct)) return f;
  return total;
}

export type TrunkState = "ok" | "degraded" | "failed";

export class TrunkHealth {
  private readonly down = new Set<string>();
  private st: TrunkState = "ok";

  constructor(
    readonly name: string,
    readonly members: readonly string[],
    readonly thresholdPct: number,
    private readonly timeline: TimelineSink = NO_TIMELINE,
  ) {
    if (members.length === 0) throw new RangeError(`${name}: a trunk needs members`);
    trunkFailed(0, members.length, thresholdPct); // validates
  }

  get state(): TrunkState {
    return this.st;
  }

  get failedMembers(): string[] {
    return [...this.down];
  }

  /** Feeds a member's debounced link change; returns the trunk's new state when it changed. */
  update(c: LinkChange): TrunkState | null {
    if (!this.members.includes(c.name)) throw new RangeError(`${c.name} is not a member of ${this.name}`);
    if (c.up) this.down.delete(c.name);
    else this.down.add(c.name);
    const failed = this.down.size;
    const next: TrunkState = trunkFailed(failed, this.members.length, this.thresholdPct) ? "failed" : failed > 0 ? "degraded" : "ok";
    if (next === this.st) return null;
    const prev = this.st;
    this.st = next;
    const name = next === "failed" ? "trunk.failed" : next === "degraded" && prev === "ok" ? "trunk.degraded" : "trunk.restored";
    this.timeline.push({ tNs: c.tNs, source: this.name, name, detail: { failed, total: this.members.length, thresholdPct: this.thresholdPct } });
    return next;
  }

  /** Forgets failures (the trunk was re-plumbed). */
  reset(): void {
    this.down.clear();
    this.st = "ok";
  }
}
