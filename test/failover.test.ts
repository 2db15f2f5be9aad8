// Alternate-path failover (seed 003): the sequence's order and timing, parameter capture
// with the start-up fallback, cold and warm standby, fail-back, the trunk threshold, and the
// assembled HANet (link monitors / heartbeat → failover) end to end.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { PathFailover, IfaceTable, IfaceParams, PathAction, PathFailoverOptions } from "../host/ha/path-failover";
import { trunkFailed, linksToFail, TrunkHealth } from "../host/ha/trunk";
import { HaNet } from "../host/ha/hanet";
import { Timeline, ms, sec } from "../host/ha/timeline";
import { STATUS_LU } from "../assembly/shared/e1000";

const PRIMARY: IfaceParams = { ip: "198.51.100.1", netmask: "255.255.255.0", broadcast: "198.51.100.255", mac: "02:00:00:00:10:53", vips: ["198.51.100.3", "198.51.100.5"] };
const DUMMY: IfaceParams = { ip: "198.51.100.250", netmask: "255.255.255.0", broadcast: "198.51.100.255", mac: "02:00:00:00:10:55", vips: [] };

function coldTable(): IfaceTable {
  return new IfaceTable({ hme0: { plumbed: true, up: true, params: PRIMARY }, hme1: { plumbed: false, up: false, params: null } });
}

function warmTable(): IfaceTable {
  return new IfaceTable({ hme0: { plumbed: true, up: true, params: PRIMARY }, hme1: { plumbed: false, up: false, params: null } });
}

function machine(table: IfaceTable, o: Partial<PathFailoverOptions> = {}, tl = new Timeline()) {
  const f = new PathFailover({ name: "hostA", primary: "hme0", secondary: "hme1", standby: "cold", delayNs: 0, capture: (i) => table.capture(i), timeline: tl, ...o });
  return { f, tl };
}

/** Applies actions, checking after each that no address or MAC is up on two interfaces. */
function apply(table: IfaceTable, actions: PathAction[]): void {
  for (const a of actions) {
    table.apply(a);
    for (const p of [PRIMARY, DUMMY]) {
      assert.ok(table.holders({ ip: p.ip }).length <= 1, `two interfaces up with ${p.ip} after ${JSON.stringify(a)}`);
      assert.ok(table.holders({ mac: p.mac }).length <= 1, `two interfaces up with ${p.mac}`);
    }
  }
}

function runToEnd(f: PathFailover, table: IfaceTable): void {
  for (let t = f.nextDeadline(); t !== null; t = f.nextDeadline()) apply(table, f.tick(t));
}

test("cold standby: the seed's sequence, in order, each step on the timeline", () => {
  const table = coldTable();
  const { f, tl } = machine(table);
  apply(table, f.start(0));
  apply(table, f.pathFailed(sec(1), "link down"));
  runToEnd(f, table);
  assert.equal(table.log.map((a) => `${a.op} ${a.iface}`), ["resume-monitor hme0", "pause-monitor hme0", "down hme0", "plumb hme1", "configure hme1", "up hme1", "resume-monitor hme1"]);
  assert.equal(tl.names(), [
    "failover.startup-capture", "failover.detect", "failover.monitor-pause", "failover.params-capture", "failover.iface-down",
    "failover.iface-plumb", "failover.iface-configure", "failover.iface-up", "failover.settle", "failover.monitor-resume", "failover.done",
  ]);
  assert.equal(table.get("hme1"), { plumbed: true, up: true, params: PRIMARY }, "IP, netmask, broadcast, MAC and VIPs moved");
  assert.equal(table.get("hme0"), { plumbed: false, up: false, params: null }, "the old primary is unplumbed: cold again");
  assert.is(f.primary, "hme1");
  assert.is(f.state, "monitoring");
});

test("timing: each step takes its time; the delay comes after up, before monitoring resumes", () => {
  const table = coldTable();
  const { f, tl } = machine(table, { delayNs: ms(500), stepNs: { capture: ms(3), down: ms(10), plumb: ms(20), configure: ms(5), up: ms(7) } });
  apply(table, f.start(0));
  apply(table, f.pathFailed(sec(1), "heartbeat"));
  runToEnd(f, table);
  const at = (n: string) => tl.first(n)!.tNs - sec(1);
  assert.equal(
    ["failover.detect", "failover.params-capture", "failover.iface-down", "failover.iface-plumb", "failover.iface-configure", "failover.iface-up", "failover.settle", "failover.monitor-resume"].map(at),
    [0, 0, ms(3), ms(13), ms(33), ms(38), ms(45), ms(545)],
  );
  assert.equal(f.history, [{ detectNs: sec(1), doneNs: sec(1) + ms(545), from: "hme0", to: "hme1", reason: "heartbeat", paramsSource: "refresh" }]);
});

test("parameters are refreshed at failure (a VIP added since start-up moves too)", () => {
  const table = coldTable();
  const { f } = machine(table);
  apply(table, f.start(0));
  table.get("hme0").params!.vips.push("198.51.100.7");
  apply(table, f.pathFailed(sec(1), "link"));
  runToEnd(f, table);
  assert.equal(table.get("hme1").params!.vips, ["198.51.100.3", "198.51.100.5", "198.51.100.7"]);
  assert.equal(f.startupCopy!.vips, PRIMARY.vips, "the start-up copy is unchanged");
});

for (const [how, capture] of [
  ["returns nothing", () => null],
  ["throws", () => {
    throw new Error("ifconfig: hme0: no such interface");
  }],
] as const) {
  test(`the start-up copy is used when the refresh ${how}`, () => {
    const table = coldTable();
    let calls = 0;
    const tl = new Timeline();
    const f = new PathFailover({
      name: "hostA", primary: "hme0", secondary: "hme1", standby: "cold", delayNs: 0, timeline: tl,
      capture: (i) => (calls++ === 0 ? table.capture(i) : (capture as () => IfaceParams | null)()),
    });
    apply(table, f.start(0));
    apply(table, f.pathFailed(sec(1), "link"));
    runToEnd(f, table);
    assert.equal(table.get("hme1").params, PRIMARY);
    assert.ok(tl.first("failover.params-refresh-failed"));
    assert.is(tl.first("failover.params-capture")!.detail!.source, "startup");
    assert.is(f.history[0].paramsSource, "startup");
  });
}

test("warm standby: dummy identity at start-up, swapped at failover, never two holders", () => {
  const table = warmTable();
  const { f, tl } = machine(table, { standby: "warm", dummy: DUMMY });
  apply(table, f.start(0));
  assert.equal(table.get("hme1"), { plumbed: true, up: false, params: DUMMY }, "plumbed, dummy addresses, down");
  apply(table, f.pathFailed(sec(1), "link"));
  runToEnd(f, table);
  assert.not.ok(tl.names().includes("failover.iface-plumb"), "already plumbed");
  assert.equal(table.get("hme1"), { plumbed: true, up: true, params: PRIMARY });
  assert.equal(table.get("hme0"), { plumbed: true, up: false, params: DUMMY }, "the old primary keeps the dummy identity, down");
});

test("fail-back: after a failover, a failure of the new primary moves back", () => {
  for (const standby of ["cold", "warm"] as const) {
    const table = standby === "cold" ? coldTable() : warmTable();
    const { f } = machine(table, { standby, dummy: DUMMY });
    apply(table, f.start(0));
    apply(table, f.pathFailed(sec(1), "link"));
    runToEnd(f, table);
    apply(table, f.pathFailed(sec(2), "link"));
    runToEnd(f, table);
    assert.is(f.primary, "hme0", standby);
    assert.equal(table.get("hme0").params, PRIMARY, standby);
    assert.ok(table.get("hme0").up, standby);
    assert.is(f.history.length, 2);
  }
});

test("a failure reported while failing over is ignored; an unusable standby is not used", () => {
  const table = coldTable();
  const { f, tl } = machine(table, { delayNs: sec(1) });
  apply(table, f.start(0));
  apply(table, f.pathFailed(sec(1), "link"));
  assert.is(f.state, "settling");
  assert.equal(f.pathFailed(sec(1) + ms(10), "again"), []);
  assert.is(f.ignored, 1);
  runToEnd(f, table);
  const t2 = new Timeline();
  const g = new PathFailover({ name: "hostB", primary: "hme0", secondary: "hme1", standby: "cold", delayNs: 0, capture: () => PRIMARY, standbyUsable: () => false, timeline: t2 });
  g.start(0);
  assert.equal(g.pathFailed(sec(1), "link"), []);
  assert.is(g.state, "monitoring");
  assert.equal(t2.names(), ["failover.startup-capture", "failover.no-path"]);
  assert.ok(tl.first("failover.ignored"));
});

test("bad configurations are refused", () => {
  assert.throws(() => new PathFailover({ name: "x", primary: "a", secondary: "a", standby: "cold", delayNs: 0, capture: () => PRIMARY }), /differ/);
  assert.throws(() => new PathFailover({ name: "x", primary: "a", secondary: "b", standby: "warm", delayNs: 0, capture: () => PRIMARY }), /dummy/);
  const f = new PathFailover({ name: "x", primary: "a", secondary: "b", standby: "cold", delayNs: 0, capture: () => null });
  assert.throws(() => f.start(0), /start-up/);
});

test("trunk threshold: failed share ≥ threshold, integer arithmetic", () => {
  assert.is(linksToFail(4, 50), 2, "the seed's example: 50 % of a quad trunk");
  assert.is(linksToFail(4, 100), 4);
  assert.is(linksToFail(4, 1), 1);
  assert.is(linksToFail(3, 33), 1, "1 of 3 is 33.3 % ≥ 33 %");
  assert.is(linksToFail(3, 34), 2);
  assert.is(linksToFail(2, 50), 1);
  for (let n = 1; n <= 8; n++) {
    for (let th = 1; th <= 100; th++) {
      for (let f = 0; f <= n; f++) assert.is(trunkFailed(f, n, th), f / n >= th / 100 - 1e-12, `${f}/${n} vs ${th}%`);
    }
  }
  assert.throws(() => trunkFailed(1, 4, 0), /thresholdPct/);
  assert.throws(() => trunkFailed(5, 4, 50), /failed/);
});

test("trunk health: degraded below the threshold, failed at it, restored after", () => {
  const tl = new Timeline();
  const t = new TrunkHealth("tr0", ["p0", "p1", "p2", "p3"], 50, tl);
  assert.is(t.update({ name: "p1", tNs: 1, up: false }), "degraded");
  assert.is(t.update({ name: "p1", tNs: 2, up: false }), null, "the same link again");
  assert.is(t.update({ name: "p3", tNs: 3, up: false }), "failed");
  assert.is(t.update({ name: "p3", tNs: 4, up: true }), "degraded");
  assert.equal(tl.names(), ["trunk.degraded", "trunk.failed", "trunk.restored"]);
  assert.throws(() => t.update({ name: "p9", tNs: 5, up: false }), /member/);
});

/** Links whose LU bit is clear from a given time on; `now` is set by the driver. */
function links(names: string[]) {
  const cutAt = new Map<string, number>();
  let now = 0;
  return {
    cut: (n: string, t: number) => cutAt.set(n, t),
    setNow: (t: number) => (now = t),
    member: (name: string) => ({ name, readStatus: () => (cutAt.has(name) && now >= cutAt.get(name)! ? 0 : STATUS_LU) }),
    names,
  };
}

function driveHaNet(h: HaNet, table: IfaceTable, l: ReturnType<typeof links>, until: number) {
  for (let t = h.nextDeadline(); t !== null && t <= until; t = h.nextDeadline()) {
    l.setNow(t);
    apply(table, h.tick(t).actions);
  }
}

test("HANet: link cut → miimon + downdelay → the sequence → monitoring on the new primary", () => {
  const l = links(["hme0", "hme1"]);
  const table = coldTable();
  const tl = new Timeline();
  const h = new HaNet({
    name: "hostA",
    failover: { primary: "hme0", secondary: "hme1", standby: "cold", delayNs: ms(300), capture: (i) => table.capture(i) },
    paths: { hme0: { members: [l.member("hme0")] }, hme1: { members: [l.member("hme1")] } },
    link: { pollNs: ms(100), downDelayNs: ms(200) },
    timeline: tl,
  });
  apply(table, h.start(0).actions);
  l.cut("hme0", ms(1234));
  driveHaNet(h, table, l, sec(5));
  assert.is(tl.first("link.down", "hme0")!.tNs, ms(1300) + ms(200));
  assert.is(tl.first("failover.detect")!.tNs, ms(1500));
  assert.is(tl.first("failover.done")!.tNs, ms(1800));
  assert.equal(table.get("hme1").params, PRIMARY);
  assert.ok(h.path("hme1").links[0].running, "monitoring resumed on hme1");
  assert.not.ok(h.path("hme0").links[0].running, "hme0 no longer polled");
  // hme1 is healthy: nothing more happens.
  assert.is(tl.all("failover.detect").length, 1);
});

test("HANet: no failover onto a standby path whose links are down too", () => {
  const l = links(["hme0", "hme1"]);
  const table = coldTable();
  const tl = new Timeline();
  const h = new HaNet({
    name: "hostA",
    failover: { primary: "hme0", secondary: "hme1", standby: "cold", delayNs: 0, capture: (i) => table.capture(i) },
    paths: { hme0: { members: [l.member("hme0")] }, hme1: { members: [l.member("hme1")] } },
    link: { pollNs: ms(100) },
    timeline: tl,
  });
  apply(table, h.start(0).actions);
  l.cut("hme1", 0);
  l.cut("hme0", ms(500));
  driveHaNet(h, table, l, sec(2));
  assert.ok(tl.first("failover.no-path"));
  assert.is(tl.first("failover.detect"), undefined);
  assert.equal(table.get("hme0").params, PRIMARY, "stays where it is");
  assert.is(tl.all("failover.no-path").length, 1, "reported once");
  // The standby's link comes back: the next poll of the failed primary retries and moves.
  l.cut("hme1", Infinity);
  driveHaNet(h, table, l, sec(3));
  assert.is(tl.first("failover.detect")!.tNs, sec(2) + ms(100));
  assert.equal(table.get("hme1").params, PRIMARY);
});

test("HANet: a quad trunk with a 50 % threshold fails over at the second failed link", () => {
  const members = ["p0", "p1", "p2", "p3"];
  const l = links([...members, "q0", "q1", "q2", "q3"]);
  const table = new IfaceTable({ tr0: { plumbed: true, up: true, params: PRIMARY }, tr1: { plumbed: false, up: false, params: null } });
  const tl = new Timeline();
  const h = new HaNet({
    name: "hostA",
    failover: { primary: "tr0", secondary: "tr1", standby: "cold", delayNs: 0, capture: (i) => table.capture(i) },
    paths: { tr0: { members: members.map(l.member), thresholdPct: 50 }, tr1: { members: ["q0", "q1", "q2", "q3"].map(l.member), thresholdPct: 50 } },
    link: { pollNs: ms(100) },
    timeline: tl,
  });
  apply(table, h.start(0).actions);
  l.cut("p2", ms(1050));
  driveHaNet(h, table, l, sec(3));
  assert.equal(tl.names("tr0"), ["trunk.degraded"]);
  assert.is(tl.first("failover.detect"), undefined, "one of four links is 25 %: stay");
  l.cut("p0", ms(3010));
  driveHaNet(h, table, l, sec(5));
  assert.is(tl.first("trunk.failed")!.tNs, ms(3100));
  assert.is(tl.first("failover.done")!.tNs, ms(3100));
  assert.equal(table.get("tr1").params, PRIMARY);
});

test("HANet: heartbeat loss on the primary path fails over; probes go out on it meanwhile", () => {
  const table = coldTable();
  const tl = new Timeline();
  const h = new HaNet({
    name: "hostA",
    failover: { primary: "hme0", secondary: "hme1", standby: "cold", delayNs: 0, capture: (i) => table.capture(i) },
    paths: { hme0: { heartbeat: true }, hme1: { heartbeat: true } },
    heartbeat: { intervalNs: ms(100), multiplier: 3, probe: "hello" },
    timeline: tl,
  });
  apply(table, h.start(0).actions);
  let sends = 0;
  for (let t = h.nextDeadline(); t !== null && t <= sec(2); t = h.nextDeadline()) {
    const out = h.tick(t);
    sends += out.sends.filter((s) => s.iface === "hme0").length;
    apply(table, out.actions);
    // The peer answers on hme0 until 0.9 s, then (it failed over too) on hme1.
    if (t % ms(100) === 0 && t < ms(1000)) apply(table, h.heard("hme0", t).actions);
    if (t % ms(100) === 0 && t >= ms(1200)) apply(table, h.heard("hme1", t).actions);
  }
  assert.is(tl.all("failover.detect").length, 1, "hme1 stays healthy");
  assert.is(tl.first("failover.detect")!.tNs, ms(900) + ms(300));
  assert.ok(sends >= 12, `${sends} probes on hme0`);
  assert.equal(table.get("hme1").params, PRIMARY);
});

test.run();
