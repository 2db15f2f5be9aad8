// The time source the sync transport needs: integer nanoseconds and one-shot timers. No
// wall-clock time anywhere: retransmission timers and link delays advance only when the
// simulation's clock runs, so a run replays exactly from its seed. The virtual board's
// SimClock (host/sim/clock.ts) provides it.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Current time, integer nanoseconds. */
  now(): number;
  /** Runs fn once, delayNs (an integer >= 0) from now. */
  after(delayNs: number, fn: () => void): Timer;
}
