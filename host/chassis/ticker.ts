// Drives a deadline-driven machine (host/ha: nextDeadline() / tick(now)) from the SimClock:
// one pending clock event at the machine's next deadline, moved whenever an input may have
// changed it (poke). The machines arm no timers of their own; this is the chassis's part.

import type { SimClock, SimEvent } from "../sim/clock";

export class Ticker {
  private ev: SimEvent | null = null;

  constructor(
    private readonly clock: SimClock,
    private readonly deadline: () => number | null,
    private readonly run: (now: number) => void,
  ) {}

  /** Re-reads the deadline and (re)schedules the one event for it. */
  poke(): void {
    const d = this.deadline();
    if (this.ev && !this.ev.done && d !== null && this.ev.at === Math.max(d, this.clock.now())) return;
    this.ev?.cancel();
    this.ev = null;
    if (d === null) return;
    this.ev = this.clock.at(Math.max(d, this.clock.now()), () => {
      this.ev = null;
      this.run(this.clock.now());
      this.poke();
    });
  }

  stop(): void {
    this.ev?.cancel();
    this.ev = null;
  }
}
