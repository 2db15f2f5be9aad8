// A deterministic discrete-event clock for the virtual board. Time is an integer number of
// nanoseconds since the simulation started; nothing here (or in any simulation) reads the
// wall clock, so a run with the same inputs and seeds replays exactly.
//
// Events run in (time, insertion order): two events due at the same nanosecond run in the
// order they were scheduled, whatever the heap does. An event may schedule more events,
// including at the current time (they run in the same pass, after the ones already due).

export interface SimEvent {
  /** When the event runs (ns). */
  readonly at: number;
  /** Removes the event if it has not run yet; returns whether it was still pending. */
  cancel(): boolean;
  /** True once the event ran or was cancelled. */
  readonly done: boolean;
}

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  done: boolean;
}

/** Default bound for runUntilIdle: one simulated minute, so a periodic timer cannot hang a test. */
export const DEFAULT_IDLE_LIMIT_NS = 60_000_000_000;

export class SimClock {
  /**
   * Watches long runs: called every 4096 events of a runUntil with the time reached and the
   * time the run goes to. The CLI's progress line on a terminal (host/cli/progress.ts); null
   * (the default) costs one comparison per 4096 events.
   */
  static observer: ((nowNs: number, untilNs: number) => void) | null = null;

  private t = 0;
  private seq = 0;
  private heap: Entry[] = [];
  private live = 0;

  /** Current simulated time in nanoseconds. */
  now(): number {
    return this.t;
  }

  /** Number of events scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.live;
  }

  /** Time of the next pending event, or undefined when idle. */
  nextAt(): number | undefined {
    this.dropCancelled();
    return this.heap.length ? this.heap[0].at : undefined;
  }

  /** Schedules fn at absolute time tNs (an integer, not in the past). */
  at(tNs: number, fn: () => void): SimEvent {
    if (!Number.isSafeInteger(tNs)) throw new RangeError(`SimClock.at: time ${tNs} is not an integer number of ns`);
    if (tNs < this.t) throw new RangeError(`SimClock.at: time ${tNs} ns is before now (${this.t} ns)`);
    const e: Entry = { at: tNs, seq: this.seq++, fn, done: false };
    this.push(e);
    this.live++;
    const clock = this;
    return {
      at: tNs,
      get done() {
        return e.done;
      },
      cancel(): boolean {
        if (e.done) return false;
        e.done = true;
        clock.live--;
        return true;
      },
    };
  }

  /** Schedules fn dNs (a non-negative integer) from now. */
  after(dNs: number, fn: () => void): SimEvent {
    if (!Number.isSafeInteger(dNs) || dNs < 0) throw new RangeError(`SimClock.after: delay ${dNs} is not a non-negative integer number of ns`);
    return this.at(this.t + dNs, fn);
  }

  /** Runs every event due up to and including tNs, then sets the time to tNs. Returns how many ran. */
  runUntil(tNs: number): number {
    if (!Number.isSafeInteger(tNs)) throw new RangeError(`SimClock.runUntil: time ${tNs} is not an integer number of ns`);
    if (tNs < this.t) throw new RangeError(`SimClock.runUntil: time ${tNs} ns is before now (${this.t} ns)`);
    let ran = 0;
    const watch = SimClock.observer;
    for (;;) {
      const e = this.peekLive();
      if (!e || e.at > tNs) break;
      this.runOne(e);
      if ((++ran & 0xfff) === 0 && watch) watch(this.t, tNs);
    }
    this.t = tNs;
    return ran;
  }

  /** Lets dNs of simulated time pass, running what falls due. */
  advance(dNs: number): number {
    if (!Number.isSafeInteger(dNs) || dNs < 0) throw new RangeError(`SimClock.advance: ${dNs} is not a non-negative integer number of ns`);
    return this.runUntil(this.t + dNs);
  }

  /**
   * Runs events until none is left or the next one lies more than limitNs after the time
   * this call started. The time is left at the last event run (it does not jump to the
   * limit). Returns how many events ran.
   */
  runUntilIdle(limitNs: number = DEFAULT_IDLE_LIMIT_NS): number {
    const end = this.t + limitNs;
    let ran = 0;
    for (;;) {
      const e = this.peekLive();
      if (!e || e.at > end) break;
      this.runOne(e);
      ran++;
    }
    return ran;
  }

  /** A DelayFn (host/nic/device.ts) that lets simulated time pass. */
  delayUs(): (microseconds: number) => void {
    return (us) => {
      this.advance(Math.round(us * 1000));
    };
  }

  private runOne(e: Entry): void {
    this.popTop();
    this.t = e.at;
    e.done = true;
    this.live--;
    e.fn();
  }

  private peekLive(): Entry | undefined {
    this.dropCancelled();
    return this.heap[0];
  }

  private dropCancelled(): void {
    while (this.heap.length && this.heap[0].done) this.popTop();
  }

  // ---- binary min-heap on (at, seq) ----
  private static before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!SimClock.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private popTop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && SimClock.before(h[l], h[m])) m = l;
      if (r < h.length && SimClock.before(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
