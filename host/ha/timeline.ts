// The timeline every HA state machine writes to, and the time conventions they share.
//
// Time is integer nanoseconds (a JS number: exact up to 2^53 ns, about 104 days), the same
// unit as the simulation clock (host/sim/clock.ts, SimClock.now()). No machine here reads a
// wall clock or arms a timer: each is driven by explicit calls that carry the current time,
// and says when it next wants to be called (`nextDeadline()`); the caller (the virtual
// chassis, a test's loop, a real daemon) calls `tick(now)` at or after that time.

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

export const us = (n: number): number => Math.round(n * NS_PER_US);
export const ms = (n: number): number => Math.round(n * NS_PER_MS);
export const sec = (n: number): number => Math.round(n * NS_PER_S);

export type Detail = Record<string, string | number | boolean | null>;

export interface TimelineEvent {
  /** When it happened, in nanoseconds of simulated (or monotonic) time. */
  tNs: number;
  /** Who: a unit, interface, monitor or host name. */
  source: string;
  /** Dotted name from the tables in docs/failover.md, e.g. "failover.iface-down". */
  name: string;
  detail?: Detail;
}

/** Where machines write their events. An array satisfies it. */
export interface TimelineSink {
  push(ev: TimelineEvent): unknown;
}

/** A machine driven by deadlines instead of timers of its own. */
export interface Timed {
  /** The earliest time it wants tick() called, or null when nothing is pending. */
  nextDeadline(): number | null;
}

/** Drops events: the default sink. */
export const NO_TIMELINE: TimelineSink = { push: () => 0 };

/** Collects events; convenience queries for tests and reports. */
export class Timeline implements TimelineSink {
  readonly events: TimelineEvent[] = [];

  push(ev: TimelineEvent): number {
    return this.events.push(ev);
  }

  names(source?: string): string[] {
    return this.events.filter((e) => source === undefined || e.source === source).map((e) => e.name);
  }

  first(name: string, source?: string): TimelineEvent | undefined {
    return this.events.find((e) => e.name === name && (source === undefined || e.source === source));
  }

  all(name: string, source?: string): TimelineEvent[] {
    return this.events.filter((e) => e.name === name && (source === undefined || e.source === source));
  }
}

/** Earliest of several deadlines (nulls ignored). */
export function earliest(...ts: (number | null | undefined)[]): number | null {
  let best: number | null = null;
  for (const t of ts) if (t !== null && t !== undefined && (best === null || t < best)) best = t;
  return best;
}

/** Throws RangeError unless v is a non-negative safe integer (a time or duration in ns). */
export function checkNs(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name}: ${v} is not a non-negative integer number of nanoseconds`);
  return v;
}
