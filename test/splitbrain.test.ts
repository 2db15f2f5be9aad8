// Split brain and the unit role machine: the core's arbitration against its specification
// (a total order), every role transition, and two units with a host through partitions,
// hangs and lossy heartbeats: after resolution exactly one unit is active, it re-announced,
// and the host maps the VIP to its MAC (keepalived #166/#2649); a fenced unit stays silent.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { WireCodec } from "../host/wire/codec";
import { coreArbiter, Claim } from "../host/ha/arbiter";
import { RoleMachine, RoleAction } from "../host/ha/role";
import { HaUnit } from "../host/ha/unit";
import { SimHost } from "../host/sim/endhost";
import { World } from "./helpers/ha-sim";
import { Timeline, ms, sec } from "../host/ha/timeline";
import { Rng } from "../host/util/rng";
import { CoreError } from "../host/core/status";
import { E_ARG } from "../assembly/shared/status";
import { HA_LOCAL_WINS, HA_LOCAL_LOSES } from "../assembly/shared/ha";

const core = Core.load();
const codec = new WireCodec(core);
const arbitrate = coreArbiter(core);
const VIP = "203.0.113.9";
const MAC_A = "02:00:00:00:0a:01";
const MAC_B = "02:00:00:00:0b:01";

/** The rule as docs/failover.md states it, written independently of the core. */
function spec(l: Claim, p: Claim): "local" | "peer" {
  const key = (c: Claim) => [c.priority > 0 ? 1 : 0, c.epoch, c.priority, -c.unit];
  const [a, b] = [key(l), key(p)];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i] ? "local" : "peer";
  throw new Error("equal claims");
}

test("core arbitration = the specification, antisymmetric, and a total order (random claims)", () => {
  const rng = new Rng(21);
  const claims: Claim[] = [];
  for (let i = 0; i < 4000; i++) {
    const l: Claim = { epoch: rng.pick([0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, rng.u32()]), priority: rng.pick([0, 1, 100, 254, 255, rng.int(256)]), unit: rng.int(8) };
    const p: Claim = { epoch: rng.bool() ? l.epoch : rng.u32(), priority: rng.bool() ? l.priority : 1 + rng.int(255), unit: (l.unit + 1 + rng.int(7)) % 8 };
    if (l.priority === 0 && p.priority === 0) continue;
    assert.is(arbitrate(l, p), spec(l, p), JSON.stringify([l, p]));
    assert.is.not(arbitrate(l, p), arbitrate(p, l), "exactly one of two units wins");
    if (l.priority > 0) claims.push(l);
  }
  // Transitivity: sorting by the core's comparison gives the specification's order.
  const distinct = claims.filter((c, i) => claims.findIndex((d) => d.unit === c.unit) === i);
  const sorted = [...distinct].sort((x, y) => (arbitrate(x, y) === "local" ? -1 : 1));
  for (let i = 0; i + 1 < sorted.length; i++) assert.is(spec(sorted[i], sorted[i + 1]), "local");
});

test("arbitration order: eligibility, then epoch (unsigned), then priority, then lower unit id", () => {
  const c = (epoch: number, priority: number, unit: number): Claim => ({ epoch, priority, unit });
  assert.is(arbitrate(c(9, 0, 0), c(0, 1, 1)), "peer", "priority 0 never wins");
  assert.is(arbitrate(c(0, 0, 0), c(0, 0, 1)), "peer", "both resigning: both lose");
  assert.is(arbitrate(c(0, 0, 1), c(0, 0, 0)), "peer");
  assert.is(arbitrate(c(2, 1, 1), c(1, 255, 0)), "local", "the more recent takeover beats a higher priority");
  assert.is(arbitrate(c(0x80000000, 1, 1), c(1, 255, 0)), "local", "epochs are unsigned");
  assert.is(arbitrate(c(5, 200, 1), c(5, 100, 0)), "local");
  assert.is(arbitrate(c(5, 100, 0), c(5, 100, 1)), "local", "lower unit id breaks ties");
  assert.is(core.exports.ha_arbitrate(1, 100, 0, 1, 100, 1), HA_LOCAL_WINS);
  assert.is(core.exports.ha_arbitrate(1, 100, 1, 1, 100, 0), HA_LOCAL_LOSES);
});

test("bad claims are refused with E_ARG, never a trap", () => {
  for (const args of [[0, 256, 0, 0, 1, 1], [0, -1, 0, 0, 1, 1], [0, 1, 0, 0, 1, 0], [0, 1, 256, 0, 1, 0], [0, 1, -5, 0, 1, 0], [0, 1, 0, 0, 0x7fffffff, 1]]) {
    assert.is(core.exports.ha_arbitrate(...args), E_ARG, JSON.stringify(args));
  }
  assert.throws(() => arbitrate({ epoch: 0, priority: 1, unit: 3 }, { epoch: 0, priority: 1, unit: 3 }), (e: unknown) => e instanceof CoreError && e.status === E_ARG);
});

function role(o: { unit?: number; priority?: number; epoch?: number; startActive?: boolean } = {}, tl = new Timeline()) {
  return new RoleMachine({ name: `u${o.unit ?? 0}`, unit: o.unit ?? 0, priority: o.priority ?? 100, epoch: o.epoch, startActive: o.startActive, arbitrate, timeline: tl });
}

const types = (as: RoleAction[]) => as.map((a) => a.type);

test("role: INIT → BACKUP; takeover on gasp, heartbeat loss, operator; epoch above all seen", () => {
  const tl = new Timeline();
  const r = role({ epoch: 4 }, tl);
  assert.is(r.role, "init");
  assert.equal(r.handle({ type: "start" }, 0), []);
  assert.is(r.role, "backup");
  r.handle({ type: "peer-advert", peer: { role: "active", epoch: 9, priority: 200, unit: 1 } }, ms(1));
  const a = r.handle({ type: "gasp-accepted", peer: { unit: 1 }, selfFenced: true }, ms(2));
  assert.equal(a, [{ type: "claim", epoch: 10, reason: "gasp" }]);
  assert.is(r.role, "active");
  for (const ev of [{ type: "heartbeat-lost" }, { type: "operator", action: "promote" }] as const) {
    const s = role();
    s.handle({ type: "start" }, 0);
    assert.equal(types(s.handle(ev, 1)), ["claim"]);
    assert.is(s.epoch, 1);
  }
  assert.equal(tl.names(), ["role.start", "role.takeover"]);
});

test("role: link loss → FAULT (resigning if it was active), restored → BACKUP", () => {
  const r = role({ startActive: true });
  assert.equal(types(r.handle({ type: "start" }, 0)), ["claim"]);
  assert.equal(types(r.handle({ type: "link-lost" }, 1)), ["release", "resign"]);
  assert.is(r.role, "fault");
  assert.is(r.advert().priority, 0, "a faulty unit is not eligible");
  assert.equal(r.handle({ type: "gasp-accepted", peer: { unit: 1 }, selfFenced: true }, 2), [], "a faulty unit does not take over");
  r.handle({ type: "link-restored" }, 3);
  assert.is(r.role, "backup");
});

test("role: operator demote releases, resigns and stays ineligible until promoted", () => {
  const r = role({ startActive: true });
  r.handle({ type: "start" }, 0);
  assert.equal(types(r.handle({ type: "operator", action: "demote" }, 1)), ["release", "resign"]);
  assert.is(r.advert().priority, 0);
  assert.equal(r.handle({ type: "peer-advert", peer: { role: "backup", epoch: 1, priority: 100, unit: 1 } }, 2), [], "does not grab it back");
  assert.equal(types(r.handle({ type: "operator", action: "promote" }, 3)), ["claim"]);
});

test("role: a backup takes over from a resigning or non-active peer it outranks, not otherwise", () => {
  const r = role({ unit: 1, priority: 100 });
  r.handle({ type: "start" }, 0);
  assert.equal(r.handle({ type: "peer-advert", peer: { role: "active", epoch: 3, priority: 200, unit: 0 } }, 1), []);
  assert.equal(r.handle({ type: "peer-advert", peer: { role: "backup", epoch: 3, priority: 200, unit: 0 } }, 2), [], "the peer outranks us: it will take over");
  assert.equal(types(r.handle({ type: "peer-advert", peer: { role: "active", epoch: 3, priority: 0, unit: 0 } }, 3)), ["claim"]);
  assert.is(r.epoch, 4);
});

test("role: split brain — the loser steps down, the winner re-announces", () => {
  const a = role({ unit: 0, priority: 200, startActive: true });
  const b = role({ unit: 1, priority: 100, startActive: true });
  a.handle({ type: "start" }, 0);
  b.handle({ type: "start" }, 0);
  const bClaim = b.advert();
  const ra = a.handle({ type: "peer-advert", peer: bClaim }, 1);
  const rb = b.handle({ type: "peer-advert", peer: a.advert() }, 1);
  assert.equal(types(ra), ["announce-again"]);
  assert.equal(types(rb), ["release", "resign"]);
  assert.equal([a.role, b.role], ["active", "backup"]);
  assert.equal(a.handle({ type: "peer-advert", peer: bClaim }, 2), [], "one re-announcement per peer claim");
  assert.equal(types(a.handle({ type: "peer-advert", peer: b.resignAdvert() }, 3)), ["announce-again"], "the loser's resignation");
  assert.equal(types(a.handle({ type: "heartbeat-restored" }, 4)), ["announce-again"], "the peer is back: it may have announced meanwhile");
  assert.equal(b.handle({ type: "heartbeat-restored" }, 4), [], "a backup has nothing to announce");
});

test("role: a fenced unit ignores everything until restarted", () => {
  const tl = new Timeline();
  const r = role({ startActive: true }, tl);
  r.handle({ type: "start" }, 0);
  assert.equal(types(r.handle({ type: "gasp-sent" }, 1)), ["release", "fence"]);
  assert.not.ok(r.mayTransmit);
  for (const ev of [
    { type: "start" }, { type: "heartbeat-lost" }, { type: "operator", action: "promote" }, { type: "link-restored" },
    { type: "gasp-accepted", peer: { unit: 1 }, selfFenced: true }, { type: "peer-advert", peer: { role: "backup", epoch: 0, priority: 1, unit: 1 } },
  ] as const) {
    assert.equal(r.handle(ev, 2), [], ev.type);
    assert.is(r.role, "fenced");
  }
  r.handle({ type: "restart" }, 3);
  assert.is(r.role, "init");
  assert.ok(r.mayTransmit);
  assert.equal(tl.all("role.ignored").length, 6);
});

function unit(name: string, id: number, priority: number, mac: string, tl: Timeline, hbIntervalNs = ms(100)) {
  return new HaUnit({
    name, unit: id, priority, mac, vips: [VIP, "2001:db8::9"], codec, arbitrate, timeline: tl,
    knobs: { count: 2, secondBurstDelayNs: sec(1) },
    heartbeat: { intervalNs: hbIntervalNs, multiplier: 3 },
  });
}

function world(seed: number, pa = 200, pb = 100, hbIntervalNs = ms(100)) {
  const tl = new Timeline();
  const a = unit("A", 0, pa, MAC_A, tl, hbIntervalNs);
  const b = unit("B", 1, pb, MAC_B, tl, hbIntervalNs);
  let w: World;
  const host = new SimHost({
    name: "host", mac: "02:00:00:00:0c:01", ip4: "203.0.113.100", prefixLen: 24, codec, rng: new Rng(seed),
    owner: () => {
      const act = w.actives();
      return act.length === 1 ? (act[0] === a ? MAC_A : MAC_B) : null;
    },
    timeline: tl,
  });
  w = new World({ a, b, host, rng: new Rng(seed + 1), vip: VIP });
  return { w, a, b, host, tl };
}

/** Exactly one active unit, holding the VIPs, and the host maps the VIP to its MAC. */
function assertResolved(x: ReturnType<typeof world>, where: string) {
  const act = x.w.actives();
  assert.is(act.length, 1, `${where}: ${act.length} active units`);
  const winner = act[0];
  const loser = winner === x.a ? x.b : x.a;
  assert.ok(winner.holdsVips && !loser.holdsVips, `${where}: VIP holders`);
  assert.is(x.host.mapping(VIP), winner === x.a ? MAC_A : MAC_B, `${where}: host maps the VIP to the winner`);
}

test("start-up: both start as backups, the higher claim takes over, the host learns it", () => {
  const x = world(1);
  x.w.at(0, () => {
    x.w.route(x.a, x.a.start(0));
    x.w.route(x.b, x.b.start(0));
  });
  x.w.runUntil(sec(2));
  assertResolved(x, "start-up");
  assert.is(x.w.actives()[0], x.a);
  assert.is(x.w.bothActive.length, 0);
});

test("partition then heal (#166): the unit that took over last wins, re-announces, the host follows", () => {
  const x = world(2);
  x.w.at(0, () => {
    x.w.route(x.a, x.a.start(0));
    x.w.route(x.b, x.b.start(0));
  });
  x.w.runUntil(sec(5));
  assert.equal(x.w.actives(), [x.a]);
  x.w.cut = true;
  x.w.runUntil(sec(10));
  assert.is(x.w.actives().length, 2, "split brain while partitioned");
  assert.is(x.host.mapping(VIP), MAC_B, "B's GARPs were the last the host heard");
  x.w.cut = false;
  x.w.runUntil(sec(12));
  assertResolved(x, "after heal");
  assert.is(x.w.actives()[0], x.b, "epoch 2 (B's takeover) beats epoch 1 despite A's priority");
  assert.ok(x.tl.first("role.step-down", "A"));
  const again = x.tl.all("announce.again", "B");
  assert.is(again.length >= 1, true, "the winner re-announced");
});

test("simultaneous takeover (#166): the winner's re-announcement pulls the host back from the loser", () => {
  const x = world(3);
  x.w.cut = true; // no heartbeats at all: both time out together and take over in epoch 1
  x.w.at(0, () => {
    x.w.route(x.a, x.a.start(0));
    x.w.route(x.b, x.b.start(0));
  });
  x.w.runUntil(sec(3));
  assert.is(x.w.actives().length, 2);
  const before = x.host.mapping(VIP);
  x.w.cut = false;
  x.w.runUntil(sec(4));
  assertResolved(x, "after heal");
  assert.is(x.w.actives()[0], x.a, "same epoch: the higher priority wins");
  if (before === MAC_B) assert.ok(x.tl.all("announce.again", "A").length >= 1, "needed: the host pointed at the loser");
});

test("a hung active unit that comes back loses to its replacement (epoch), whatever its priority", () => {
  const x = world(4);
  x.w.at(0, () => {
    x.w.route(x.a, x.a.start(0));
    x.w.route(x.b, x.b.start(0));
  });
  x.w.runUntil(sec(3));
  x.w.hung.add(x.a); // the OS hangs: no gasp (the watchdog has not fired), no heartbeats
  x.w.runUntil(sec(8));
  assert.equal(x.w.actives().map((u) => u.name), ["A", "B"], "A still believes it is active");
  x.w.hung.delete(x.a);
  x.w.runUntil(sec(9));
  assertResolved(x, "after the hang");
  assert.is(x.w.actives()[0], x.b);
});

test("random partitions, hangs and lossy heartbeats: after resolution exactly one active unit, the host on it", () => {
  for (let seed = 10; seed < 70; seed++) {
    const rng = new Rng(seed);
    const x = world(seed, 1 + rng.int(254), 1 + rng.int(254), rng.pick([ms(50), ms(100), ms(200)]));
    x.w.at(0, () => {
      x.w.route(x.a, x.a.start(0));
      x.w.route(x.b, x.b.start(rng.int(ms(300))));
    });
    let t = 0;
    for (let k = 0; k < 4; k++) {
      t += sec(1) + rng.int(sec(2));
      const what = rng.int(3);
      if (what === 0) x.w.cut = true;
      else if (what === 1) x.w.loss = 0.2 + rng.float() * 0.5;
      else x.w.hung.add(rng.bool() ? x.a : x.b);
      x.w.runUntil(t);
      t += sec(1) + rng.int(sec(3));
      x.w.runUntil(t);
      x.w.cut = false;
      x.w.loss = 0;
      x.w.hung.clear();
    }
    x.w.runUntil(t + sec(3));
    assertResolved(x, `seed ${seed}`);
  }
});

test("a unit that sent its gasp stays silent: no heartbeat, no GARP, no ARP reply until restarted", () => {
  const x = world(5);
  x.w.at(0, () => {
    x.w.route(x.a, x.a.start(0));
    x.w.route(x.b, x.b.start(0));
  });
  x.w.runUntil(sec(2));
  assert.equal(x.w.actives(), [x.a]);
  // A's fault path sent a gasp; B's receiver accepted it.
  x.w.at(sec(2), () => {
    x.w.route(x.a, x.a.handle({ type: "gasp-sent" }, sec(2)));
    x.w.route(x.b, x.b.handle({ type: "gasp-accepted", peer: { unit: 0 }, selfFenced: true }, sec(2) + ms(1)));
  });
  x.w.runUntil(sec(2) + ms(2));
  assert.is(x.host.mapping(VIP), MAC_B, "takeover announced at once");
  const silence: string[] = [];
  for (const probe of [
    () => x.a.tick(sec(3)),
    () => x.a.peerHello({ role: "active", epoch: 9, priority: 255, unit: 1 }, sec(3)),
    () => x.a.handle({ type: "gasp-accepted", peer: { unit: 1 }, selfFenced: true }, sec(3)),
    () => x.a.handle({ type: "heartbeat-lost" }, sec(3)),
    () => x.a.handle({ type: "operator", action: "promote" }, sec(3)),
    () => x.a.receive(x.host.send(VIP, sec(3)).frames[0] ?? codec.announce("arp-probe", Uint8Array.from([2, 0, 0, 0, 0xc, 1]), Uint8Array.from([203, 0, 113, 9])), sec(3)),
  ]) {
    const out = probe();
    if (out.frames.length || out.hellos.length) silence.push(JSON.stringify(out));
  }
  assert.equal(silence, []);
  assert.is(x.a.nextDeadline(), null);
  x.w.runUntil(sec(6));
  assert.equal(x.w.actives(), [x.b]);
  assert.is(x.a.currentRole, "fenced");
  // Restart: A boots as a backup, sees B active and stays backup.
  x.w.at(sec(6), () => x.w.route(x.a, x.a.handle({ type: "restart" }, sec(6))));
  x.w.runUntil(sec(8));
  assert.equal([x.a.currentRole, x.b.currentRole], ["backup", "active"]);
  assertResolved(x, "after restart");
});

test.run();
