// The deterministic clock: integer nanoseconds, events in (time, insertion) order,
// cancellation, nested scheduling, runUntil/advance/runUntilIdle, no wall clock.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimClock } from "../host/sim/clock";
import { Rng } from "../host/util/rng";

test("events run in time order, ties in insertion order", () => {
  const c = new SimClock();
  const log: string[] = [];
  c.at(30, () => log.push("c30"));
  c.at(10, () => log.push("a10"));
  c.at(10, () => log.push("b10"));
  c.after(0, () => log.push("z0"));
  assert.is(c.pending, 4);
  assert.is(c.runUntilIdle(), 4);
  assert.equal(log, ["z0", "a10", "b10", "c30"]);
  assert.is(c.now(), 30);
});

test("thousands of random events: order equals a stable sort by time", () => {
  const c = new SimClock();
  const rng = new Rng(3);
  const seen: number[] = [];
  const times = Array.from({ length: 5000 }, () => rng.int(1000));
  times.forEach((t, i) => c.at(t, () => seen.push(i)));
  c.runUntilIdle();
  const expect = times.map((t, i) => [t, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((p) => p[1]);
  assert.equal(seen, expect);
});

test("cancel removes a pending event and reports whether it was pending", () => {
  const c = new SimClock();
  const log: number[] = [];
  const e = c.at(5, () => log.push(5));
  c.at(6, () => log.push(6));
  assert.ok(e.cancel());
  assert.not.ok(e.cancel());
  assert.is(c.pending, 1);
  c.runUntilIdle();
  assert.equal(log, [6]);
  assert.ok(e.done);
});

test("events scheduled by events: same-time ones run in the same pass, after those already due", () => {
  const c = new SimClock();
  const log: string[] = [];
  c.at(10, () => {
    log.push("first");
    c.after(0, () => log.push("nested"));
    c.after(5, () => log.push("later"));
  });
  c.at(10, () => log.push("second"));
  c.runUntil(10);
  assert.equal(log, ["first", "second", "nested"]);
  assert.is(c.now(), 10);
  c.advance(5);
  assert.equal(log, ["first", "second", "nested", "later"]);
});

test("runUntil sets the time even with no events; advance is relative", () => {
  const c = new SimClock();
  c.runUntil(1000);
  assert.is(c.now(), 1000);
  c.advance(24);
  assert.is(c.now(), 1024);
  let at = -1;
  c.after(100, () => (at = c.now()));
  c.advance(99);
  assert.is(at, -1);
  c.advance(1);
  assert.is(at, 1124);
});

test("runUntilIdle stops at its limit with a periodic timer and leaves the time at the last event", () => {
  const c = new SimClock();
  let ticks = 0;
  const tick = () => {
    ticks++;
    c.after(1_000_000, tick);
  };
  c.after(1_000_000, tick);
  c.runUntilIdle(10_000_000);
  assert.is(ticks, 10);
  assert.is(c.now(), 10_000_000);
  assert.is(c.pending, 1);
  assert.is(c.nextAt(), 11_000_000);
});

test("bad times throw: fractional, negative, in the past", () => {
  const c = new SimClock();
  c.advance(10);
  assert.throws(() => c.at(5, () => {}), /before now/);
  assert.throws(() => c.after(-1, () => {}), /non-negative/);
  assert.throws(() => c.after(1.5, () => {}), /integer/);
  assert.throws(() => c.runUntil(3), /before now/);
  assert.throws(() => c.advance(0.1), /integer/);
});

test("delayUs lets microseconds of simulated time pass", () => {
  const c = new SimClock();
  const d = c.delayUs();
  d(7);
  assert.is(c.now(), 7000);
});

test.run();
