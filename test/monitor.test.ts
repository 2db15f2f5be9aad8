// Link and heartbeat monitoring: detection times match the formulas (bonding's miimon +
// downdelay, heartbeat interval × multiplier + skew) over random timings, delays debounce
// flaps, presets give the anchors' numbers, pause/resume behave.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { LinkMonitor, MIIMON_DEFAULT_NS } from "../host/ha/link-monitor";
import { HeartbeatMonitor, heartbeatPreset, detectionNs } from "../host/ha/heartbeat";
import { Debouncer, delayPolls } from "../host/ha/debounce";
import { Timeline, ms, sec } from "../host/ha/timeline";
import { Rng } from "../host/util/rng";
import { REG_STATUS, STATUS_LU, STATUS_FD } from "../assembly/shared/e1000";

/** A NIC's STATUS register as a function of time: LU clear during the given intervals. */
class FakeNic {
  now = 0;
  reads = 0;
  constructor(private readonly downs: [number, number][]) {}
  read32(offset: number): number {
    assert.is(offset, REG_STATUS, "the monitor reads STATUS");
    this.reads++;
    const down = this.downs.some(([a, b]) => this.now >= a && this.now < b);
    return STATUS_FD | (down ? 0 : STATUS_LU);
  }
}

/** Drives a link monitor from its deadlines until untilNs; the NIC sees each poll's time. */
function driveLink(m: LinkMonitor, nic: FakeNic, untilNs: number) {
  const changes = [];
  for (let t = m.nextDeadline(); t !== null && t <= untilNs; t = m.nextDeadline()) {
    nic.now = t;
    changes.push(...m.tick(t));
  }
  return changes;
}

test("debouncer: bonding's FAIL/BACK states, delays counted in polls", () => {
  const d = new Debouncer(1, 2, "up");
  assert.equal([false, false, false].map((x) => d.observe(x)), ["pending", "pending", "down"]);
  assert.equal([true, true].map((x) => d.observe(x)), ["pending", "up"]);
  assert.equal([false, true].map((x) => d.observe(x)), ["pending", "cancelled"]);
  assert.is(d.state, "up");
  assert.is(delayPolls(ms(250), ms(100)), 2, "bonding rounds down to a multiple of miimon");
});

test("link: down declared at the first poll after the loss + downdelay (random timings)", () => {
  const rng = new Rng(3);
  for (let i = 0; i < 300; i++) {
    const poll = ms(rng.pick([1, 10, 50, 100]));
    const downDelay = rng.int(5) * poll + (rng.bool() ? rng.int(poll) : 0); // not always a multiple
    const start = rng.int(sec(1));
    const tf = start + 1 + rng.int(sec(2));
    const nic = new FakeNic([[tf, Infinity]]);
    const m = new LinkMonitor({ name: "eth0", pollNs: poll, downDelayNs: downDelay, readStatus: () => nic.read32(REG_STATUS) });
    m.start(start);
    const changes = driveLink(m, nic, tf + downDelay + 3 * poll);
    const firstSeen = start + Math.ceil((tf - start) / poll) * poll;
    const rounded = Math.floor(downDelay / poll) * poll;
    assert.equal(changes.map((c) => [c.up, c.tNs]), [[false, firstSeen + rounded]], `case ${i}`);
    const detection = changes[0].tNs - tf;
    assert.ok(detection >= rounded && detection < rounded + poll, `detection ${detection} outside [${rounded}, ${rounded + poll})`);
  }
});

test("link: bonding defaults (miimon 100 ms, delays 0) detect within one poll", () => {
  const nic = new FakeNic([[ms(1234), Infinity]]);
  const tl = new Timeline();
  const m = new LinkMonitor({ name: "eth0", readStatus: () => nic.read32(REG_STATUS), timeline: tl });
  assert.is(m.pollNs, MIIMON_DEFAULT_NS);
  m.start(0);
  const [c] = driveLink(m, nic, sec(2));
  assert.is(c.tNs, ms(1300));
  assert.equal(tl.names(), ["link.down"]);
});

test("link: a flap shorter than downdelay is cancelled; up needs updelay of link", () => {
  const nic = new FakeNic([[ms(1000), ms(1150)], [ms(3000), ms(5000)]]);
  const tl = new Timeline();
  const m = new LinkMonitor({ name: "eth0", pollNs: ms(100), downDelayNs: ms(300), upDelayNs: ms(500), readStatus: () => nic.read32(REG_STATUS), timeline: tl });
  m.start(0);
  const changes = driveLink(m, nic, sec(8));
  assert.equal(changes.map((c) => [c.up, c.tNs]), [[false, ms(3300)], [true, ms(5500)]]);
  assert.equal(tl.events.map((e) => `${e.name}@${e.tNs / 1e6}`), [
    "link.fail@1000", "link.cancel@1200", "link.fail@3000", "link.down@3300", "link.back@5000", "link.up@5500",
  ]);
  assert.ok(m.up);
});

test("link: pause stops the polls, resume restarts them on an assumed state", () => {
  const nic = new FakeNic([]);
  const m = new LinkMonitor({ name: "eth0", pollNs: ms(100), readStatus: () => nic.read32(REG_STATUS) });
  m.start(0);
  driveLink(m, nic, ms(450));
  const reads = nic.reads;
  m.pause(ms(450));
  assert.is(m.nextDeadline(), null);
  assert.equal(m.tick(sec(10)), []);
  assert.is(nic.reads, reads);
  m.resume(sec(10), "down");
  assert.is(m.state, "down");
  const [c] = driveLink(m, nic, sec(11));
  assert.equal([c.up, c.tNs], [true, sec(10)]);
});

test("link: poll(now, status) takes the register value from the caller", () => {
  const m = new LinkMonitor({ name: "eth0", pollNs: ms(10), downDelayNs: ms(10) });
  assert.is(m.poll(0, STATUS_LU), null);
  assert.is(m.poll(ms(10), 0), null);
  assert.equal(m.poll(ms(20), 0), { name: "eth0", tNs: ms(20), up: false });
  assert.is(m.nextDeadline(), ms(30));
  assert.throws(() => m.tick(ms(30)), /readStatus/);
});

/** The peer sends every interval from phase until it crashes at tc; returns the lost event. */
function heartbeatRun(o: { intervalNs: number; multiplier: number; skewNs: number; downDelayNs?: number }, phase: number, tc: number) {
  const tl = new Timeline();
  const m = new HeartbeatMonitor({ name: "peer", ...o, timeline: tl });
  m.start(0);
  let lastRx = 0;
  const arrivals: number[] = [];
  for (let t = phase; t < tc; t += o.intervalNs) arrivals.push(t);
  let i = 0;
  for (;;) {
    const d = m.nextDeadline()!;
    const next = i < arrivals.length ? arrivals[i] : Infinity;
    if (next < d) {
      m.tick(next);
      m.heard(next);
      lastRx = next;
      i++;
      continue;
    }
    const out = m.tick(d);
    if (out.changes.length) return { change: out.changes[0], lastRx, tl };
  }
}

test("heartbeat: lost at last heartbeat + multiplier × interval + skew (random timings)", () => {
  const rng = new Rng(11);
  for (let i = 0; i < 300; i++) {
    const intervalNs = rng.pick([ms(3.3), ms(50), ms(100), sec(1)]);
    const multiplier = 2 + rng.int(5); // 1 without skew would call every on-time heartbeat late
    const skewNs = rng.bool() ? rng.int(intervalNs) : 0;
    const downDelayNs = rng.bool() ? rng.int(intervalNs) : 0;
    const phase = rng.int(intervalNs);
    const tc = intervalNs * (5 + rng.int(10)) + rng.int(intervalNs);
    const o = { intervalNs, multiplier, skewNs, downDelayNs };
    const { change, lastRx } = heartbeatRun(o, phase, tc);
    assert.is(change.up, false);
    assert.is(change.tNs, lastRx + detectionNs(o), `case ${i}`);
    const crashToDetect = change.tNs - tc;
    const hi = multiplier * intervalNs + skewNs + downDelayNs;
    assert.ok(crashToDetect > hi - intervalNs && crashToDetect <= hi, `case ${i}: ${crashToDetect} vs (${hi - intervalNs}, ${hi}]`);
  }
});

test("heartbeat presets: keepalived 3 × 1 s + (256 − 100)/256 s; BFD 3 × 50 ms; 3 × 3.3 ms; bonding ARP 2 × interval", () => {
  assert.is(detectionNs(heartbeatPreset("keepalived", 100)), 3_609_375_000);
  assert.is(detectionNs(heartbeatPreset("keepalived", 254)), 3_007_812_500);
  assert.is(detectionNs(heartbeatPreset("bfd")), ms(150));
  assert.is(detectionNs(heartbeatPreset("bfd-hw")), 9_900_000);
  assert.is(detectionNs(heartbeatPreset("bonding-arp")), ms(200));
  assert.is(heartbeatPreset("bonding-arp").probe, "arp-probe");
});

test("heartbeat: probes go out every interval; BFD jitter shortens each by 0–25 %", () => {
  const m = new HeartbeatMonitor({ name: "p", intervalNs: ms(50), multiplier: 3 });
  m.start(ms(7));
  const out = m.tick(ms(7) + ms(200));
  assert.equal(out.sends.map((s) => s.tNs), [0, 1, 2, 3, 4].map((k) => ms(7) + k * ms(50)));
  const j = new HeartbeatMonitor({ name: "p", intervalNs: ms(50), multiplier: 3, jitter: { rng: new Rng(5), maxFraction: 0.25 } });
  j.start(0);
  const sends = j.tick(sec(5)).sends.map((s) => s.tNs);
  const gaps = sends.slice(1).map((t, k) => t - sends[k]);
  assert.ok(gaps.every((g) => g >= ms(37.5) && g <= ms(50)), "within 75..100 %");
  assert.ok(new Set(gaps).size > 10, "jittered");
});

test("heartbeat: up only after upDelay of steady heartbeats; a gap cancels it", () => {
  const tl = new Timeline();
  const m = new HeartbeatMonitor({ name: "peer", intervalNs: ms(100), multiplier: 3, upDelayNs: ms(1000), timeline: tl });
  m.start(0, "down");
  m.heard(ms(100)); // back: up at 1100 unless a gap
  m.heard(ms(200));
  m.tick(ms(499)); // no gap yet (deadline 200 + 300 = 500)
  m.tick(ms(500)); // gap: cancel
  assert.is(m.state, "down");
  m.heard(ms(2000));
  for (let t = ms(2100); t <= ms(3000); t += ms(100)) {
    m.tick(t);
    m.heard(t);
  }
  assert.is(m.state, "up");
  assert.equal(tl.events.map((e) => `${e.name}@${e.tNs / 1e6}`), ["heartbeat.back@100", "heartbeat.cancel@500", "heartbeat.back@2000", "heartbeat.up@3000"]);
});

test("heartbeat: one arriving exactly at the detection time is too late", () => {
  const m = new HeartbeatMonitor({ name: "peer", intervalNs: ms(100), multiplier: 3 });
  m.start(0);
  assert.equal(m.heard(ms(300)).map((c) => [c.up, c.tNs]), [[false, ms(300)], [true, ms(300)]], "lost first, then back (no up-delay)");
  assert.is(m.state, "up");
  const tl = new Timeline();
  const m2 = new HeartbeatMonitor({ name: "peer", intervalNs: ms(100), multiplier: 3, timeline: tl });
  m2.start(0);
  m2.heard(ms(300));
  assert.equal(tl.names(), ["heartbeat.lost", "heartbeat.up"]);
});

test("heartbeat: paused monitors neither send nor expire", () => {
  const m = new HeartbeatMonitor({ name: "peer", intervalNs: ms(100), multiplier: 3 });
  m.start(0);
  m.pause(ms(10));
  assert.is(m.nextDeadline(), null);
  assert.equal(m.tick(sec(100)), { sends: [], changes: [] });
  assert.equal(m.heard(sec(100)), []);
});

test("bad monitor settings are refused", () => {
  assert.throws(() => new LinkMonitor({ name: "x", pollNs: 0 }), /pollNs/);
  assert.throws(() => new LinkMonitor({ name: "x", downDelayNs: -1 }), /downDelayNs/);
  assert.throws(() => new HeartbeatMonitor({ name: "x", intervalNs: ms(1), multiplier: 0 }), /multiplier/);
  assert.throws(() => new HeartbeatMonitor({ name: "x", intervalNs: 0, multiplier: 3 }), /intervalNs/);
  assert.throws(() => new HeartbeatMonitor({ name: "x", intervalNs: ms(1), multiplier: 3, jitter: { rng: new Rng(1), maxFraction: 1 } }), /jitter/);
});

test.run();
