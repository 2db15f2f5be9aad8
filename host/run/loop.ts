// The daemon's loop: one JavaScript thread, no RX thread. Each turn performs the work due
// and then sleeps until the earliest deadline — at most MAX_SLEEP_US — inside the first
// linux port's RX poll(2), so a frame that arrives (a gasp) wakes it at once. Between turns
// Node's event loop runs (setImmediate), so the status socket, signals and child processes
// are served within a turn. Every piece of the unit is deadline-driven (host/ha: nextDeadline
// and tick(now)); the timers below are the loop's own for the rest (config sync's
// retransmissions, BFD learning's poll).

import type { Clock, Timer } from "../sync/clock";

/** The longest the loop sleeps between turns: the latency of everything that is not a frame. */
export const MAX_SLEEP_US = 1000;

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** One-shot timers on the loop's monotonic clock (the Clock the sync transport takes). */
export class LoopClock implements Clock {
  private readonly heap: Pending[] = [];
  private seq = 0;

  constructor(readonly now: () => number) {}

  after(delayNs: number, fn: () => void): Timer {
    const p: Pending = { at: this.now() + Math.max(0, delayNs), seq: this.seq++, fn, cancelled: false };
    this.heap.push(p);
    this.heap.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return { cancel: () => void (p.cancelled = true) };
  }

  /** The earliest pending timer (ns), or null. */
  nextDeadline(): number | null {
    while (this.heap.length && this.heap[0].cancelled) this.heap.shift();
    return this.heap.length ? this.heap[0].at : null;
  }

  /** Runs every timer due at or before now, in order (a timer set by one runs in this call if due). */
  run(now: number): number {
    let n = 0;
    for (let guard = 0; guard < 100_000; guard++) {
      const p = this.heap[0];
      if (!p || p.at > now) break;
      this.heap.shift();
      if (p.cancelled) continue;
      n++;
      p.fn();
    }
    return n;
  }

  clear(): void {
    this.heap.length = 0;
  }
}

export interface LoopBody {
  /** One turn: the work due; returns the earliest deadline (ns) or null, and whether it did work. */
  turn(): { next: number | null; busy: boolean };
  /** Sleeps at most us microseconds, waking when a frame arrives. */
  sleep(us: number): void;
  now(): number;
}

/**
 * Runs body until stop() is called or a turn throws; resolves with undefined, or rejects with
 * the error. Each turn is followed by a pass of Node's event loop.
 */
export class Loop {
  private stopped = false;
  private wake: (() => void) | null = null;
  turns = 0;

  constructor(private readonly body: LoopBody) {}

  run(): Promise<void> {
    return new Promise((resolve, reject) => {
      let sleepUs = 0;
      const turn = () => {
        if (this.stopped) return resolve();
        try {
          if (sleepUs > 0) this.body.sleep(sleepUs);
          if (this.stopped) return resolve();
          const { next, busy } = this.body.turn();
          this.turns++;
          const now = this.body.now();
          sleepUs = busy ? 0 : next === null ? MAX_SLEEP_US : Math.max(0, Math.min(MAX_SLEEP_US, Math.floor((next - now) / 1000)));
        } catch (e) {
          return reject(e);
        }
        setImmediate(turn);
      };
      this.wake = turn;
      setImmediate(turn);
    });
  }

  /** Ends the loop after the turn in progress. */
  stop(): void {
    this.stopped = true;
  }

  get running(): boolean {
    return this.wake !== null && !this.stopped;
  }
}
