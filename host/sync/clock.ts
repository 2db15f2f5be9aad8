// Deterministic time for the sync transport: integer nanoseconds and an event queue. No
// wall-clock time anywhere: retransmission timers, link delays and the whole simulated pair
// advance only when the queue is run, so a run replays exactly from its seed.
//
// The transport needs only the Clock interface; the virtual wire (host/sim) can supply its
// own clock with the same two methods.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Current time, integer nanoseconds. */
  now(): number;
  /** Runs fn once, delayNs (an integer >= 0) from now. */
  after(delayNs: number, fn: () => void): Timer;
}

interface Event {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class SimClock implements Clock {
  private t = 0;
  private seq = 0;
  private heap: Event[] = [];
  /** Events run so far. */
  events = 0;

  now(): number {
    return this.t;
  }

  after(delayNs: number, fn: () => void): Timer {
    if (!Number.isSafeInteger(delayNs) || delayNs < 0) throw new RangeError(`delay ${delayNs} ns: not a non-negative integer`);
    const e: Event = { at: this.t + delayNs, seq: this.seq++, fn, cancelled: false };
    this.push(e);
    return { cancel: () => void (e.cancelled = true) };
  }

  /** Runs the next event; false when none is left. */
  step(): boolean {
    for (;;) {
      const e = this.pop();
      if (!e) return false;
      if (e.cancelled) continue;
      this.t = e.at;
      this.events++;
      e.fn();
      return true;
    }
  }

  /** Runs events until none is left, or until `limit` more have run (a livelock guard). */
  run(limit = 50_000_000): void {
    const stop = this.events + limit;
    while (this.step()) if (this.events >= stop) throw new Error(`clock: ${limit} events and still busy at t=${this.t} ns`);
  }

  /** Runs every event due at or before `t`, then sets the time to `t`. */
  runUntil(t: number): void {
    while (this.heap.length && this.peekAt() <= t) this.step();
    if (t > this.t) this.t = t;
  }

  private peekAt(): number {
    return this.heap[0].at;
  }

  // Binary min-heap on (at, seq): equal times run in scheduling order.
  private less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Event | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
