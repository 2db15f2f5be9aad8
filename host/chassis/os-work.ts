// How a unit's guest OS runs work: one piece at a time, to completion, as a kernel holding a
// driver's lock does. A register operation with delays lets simulated time pass; events that
// fall due meanwhile (an RX interrupt, an HA timer) must not start another operation on the
// same core, so they wait and run right after it. When the OS dies, what waits is dropped.

export class OsWork {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  constructor(
    /** Whether the OS still runs: work for a dead or hung OS never starts. */
    private readonly running: () => boolean,
    /** Called once a piece of work and everything that waited for it are done. */
    private readonly settled: () => void,
  ) {}

  /** Runs OS work now, or right after the piece in progress. */
  run(fn: () => void): void {
    if (!this.running()) return;
    if (this.busy) {
      this.waiting.push(fn);
      return;
    }
    this.busy = true;
    try {
      fn();
      while (this.waiting.length && this.running()) this.waiting.shift()!();
    } finally {
      this.busy = false;
      if (!this.running()) this.waiting.length = 0;
    }
    this.settled();
  }

  /** Runs fn between two pieces of work (now when none is in progress), whether the OS runs or not. */
  between(fn: () => void): void {
    if (this.busy) this.waiting.push(fn);
    else fn();
  }

  /** The OS is gone: nothing that waits will run. */
  drop(): void {
    this.waiting.length = 0;
  }
}
