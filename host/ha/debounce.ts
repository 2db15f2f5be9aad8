// Up-delay and down-delay with Linux bonding's semantics (drivers/net/bonding/bond_main.c,
// bond_miimon_inspect): a link seen down at a poll enters FAIL and is declared down after
// `downdelay` more polls that still see it down; seen up again while in FAIL it returns to
// UP ("link status up again") and nothing is reported. Symmetrically for up-delay (BACK).
// Delays are whole polls: bonding rounds updelay/downdelay down to a multiple of miimon.
//
// So, with the link lost at time t and polls every P:
//   declared down at  first poll ≥ t  +  floor(downdelay / P) × P
// i.e. the detection time lies in [downdelay', downdelay' + P), downdelay' the rounded value.

export type DebouncedState = "up" | "fail" | "down" | "back";

export class Debouncer {
  private st: DebouncedState;
  private remaining = 0;

  constructor(
    readonly upDelayPolls: number,
    readonly downDelayPolls: number,
    initial: "up" | "down",
  ) {
    for (const [n, v] of [["upDelayPolls", upDelayPolls], ["downDelayPolls", downDelayPolls]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`${n}: ${v}`);
    }
    this.st = initial;
  }

  get state(): DebouncedState {
    return this.st;
  }

  /** The committed view: FAIL still counts as up, BACK still as down. */
  get up(): boolean {
    return this.st === "up" || this.st === "fail";
  }

  /**
   * One poll's raw observation. Returns "down" or "up" when the committed state changes,
   * "cancelled" when a pending change was abandoned, "pending" when one starts, else null.
   */
  observe(rawUp: boolean): "up" | "down" | "pending" | "cancelled" | null {
    switch (this.st) {
      case "up":
        if (rawUp) return null;
        this.st = "fail";
        this.remaining = this.downDelayPolls;
        return this.countDown("down");
      case "fail":
        if (rawUp) {
          this.st = "up";
          return "cancelled";
        }
        return this.countDown("down");
      case "down":
        if (!rawUp) return null;
        this.st = "back";
        this.remaining = this.upDelayPolls;
        return this.countDown("up");
      case "back":
        if (!rawUp) {
          this.st = "down";
          return "cancelled";
        }
        return this.countDown("up");
    }
  }

  /** Forces the state (a monitor resumed on another interface, operator action). */
  reset(state: "up" | "down"): void {
    this.st = state;
    this.remaining = 0;
  }

  private countDown(target: "up" | "down"): "up" | "down" | "pending" {
    if (this.remaining <= 0) {
      this.st = target;
      return target;
    }
    this.remaining--;
    return "pending";
  }
}

/** Bonding's rounding: a delay in ns as a whole number of polls (down to a multiple). */
export function delayPolls(delayNs: number, pollNs: number): number {
  return pollNs > 0 ? Math.floor(delayNs / pollNs) : 0;
}
