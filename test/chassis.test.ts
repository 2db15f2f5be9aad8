// The fault path end to end on the virtual chassis, one fault kind at a time: the guest OS
// fails for real, the fault core's gasp reaches the standby, which takes over; the hosts'
// neighbour caches follow and their packets reach the standby's OS. When no gasp can come
// (power loss, every copy lost) the heartbeat monitor fails over; a cut cable moves the
// interface identity to the alternate path (seed 003); a hung NIC costs the gasp one port,
// not the gasp. Same seed, same run: identical timeline and captures.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { runChassis, ChassisRun } from "../host/chassis/chassis";
import { figures } from "../host/chassis/report";
import { scenario, events, first, unit, mappings } from "../host/campaign/chassis-fixture";
import { GASP_CAUSE_TRAP, GASP_CAUSE_EXCEPTION, GASP_CAUSE_WATCHDOG } from "../assembly/shared/gasp";
import { ms } from "../host/ha/timeline";

const A = "linecard-a";
const B = "linecard-b";
const MAC_B = "02:00:00:0b:00:02";
const MAC_A = "02:00:00:0a:00:02";
const T_FAULT = ms(1500);

/** Everything a successful takeover by B looks like at the end of a run. */
function assertTookOver(run: ChassisRun, reason: RegExp): void {
  const f = figures(run);
  assert.is(f.takeoverUnit, B);
  assert.match(f.takeoverReason ?? "", reason);
  assert.equal(f.activeAtEnd, [B], "exactly one active unit: the standby");
  assert.is(unit(run, B).holdsVips, true);
  assert.is.not(unit(run, A).state, "up");
  for (const m of mappings(run)) assert.is(m, MAC_B, "every host maps every VIP (IPv4 and IPv6) to the standby's MAC");
  assert.ok(f.firstHostPacketNs !== null && f.firstHostPacketNs > 0, "host packets reached the standby's OS after the fault");
  assert.ok(run.serviceRx[B].filter((t) => t > T_FAULT).length > 100, "and keep reaching it");
  for (const h of f.hosts) assert.is(h.misdelivered, 0, `${h.name}: nothing misdelivered once B owns the VIPs`);
  assert.equal(f.hostsOnDeadMac, []);
}

const short = (s: { durationMs?: number }) => (s.durationMs = 2500);

test("crash: a real trap in the guest OS → gasp on the wire within µs → accepted → standby active → hosts moved", () => {
  const run = runChassis(scenario("default", short));
  assertTookOver(run, /^gasp$/);
  const f = figures(run);
  assert.ok(f.gaspOnWireNs! <= 50_000, `gasp on the wire ${f.gaspOnWireNs} ns after the trap`);
  assert.ok(f.gaspAcceptedNs! < 100_000 && f.takeoverNs! < 100_000);
  assert.ok(f.firstGarpNs! < 100_000 && f.hostsMovedNs! < 200_000);
  const acc = first(run, "gasp.accepted", B)!;
  assert.is(acc.detail!.cause, GASP_CAUSE_TRAP);
  assert.is(acc.detail!.fenced, true);
  const a = unit(run, A);
  assert.is(a.role, "fenced");
  assert.is(a.fault!.result, "sent");
  assert.equal(a.fault!.ports.map((p) => p.status), ["sent", "sent"]);
  // The dead unit sends nothing after its gasp: no hello, no GARP.
  const done = first(run, "fault.done", A)!.tNs;
  assert.is(events(run, "announce.wire", A, done + 1).length, 0);
  assert.is(unit(run, B).gaspRx.accepted >= 2, true, "hellos and the gasp");
});

for (const [trap, cause] of [["oob", GASP_CAUSE_TRAP], ["div0", GASP_CAUSE_TRAP]] as const) {
  test(`crash (${trap} trap): the handler reports the cause, the standby takes over`, () => {
    const run = runChassis(scenario("default", (s) => {
      short(s);
      s.faults = [{ kind: "crash", unit: A, atMs: 1500, trap }];
    }));
    assertTookOver(run, /^gasp$/);
    assert.is(first(run, "gasp.accepted", B)!.detail!.cause, cause);
  });
}

test("panic (an uncaught exception from the OS) → gasp with cause 2", () => {
  const run = runChassis(scenario("default", (s) => {
    short(s);
    s.faults = [{ kind: "panic", unit: A, atMs: 1500 }];
  }));
  assertTookOver(run, /^gasp$/);
  assert.is(first(run, "gasp.accepted", B)!.detail!.cause, GASP_CAUSE_EXCEPTION);
});

test("crash after wild writes over the driver's TX ring: the fault core is untouched, the gasp goes out", () => {
  const run = runChassis(scenario("default", (s) => {
    short(s);
    s.faults = [{ kind: "crash", unit: A, atMs: 1500, wildWrites: true }];
  }));
  assertTookOver(run, /^gasp$/);
  assert.is(first(run, "fault.inject", A)!.detail!.what, "wild-writes");
  assert.equal(unit(run, A).fault!.ports.map((p) => p.status), ["sent", "sent"]);
});

test("hang: the watchdog bites after a period without a kick; its handler sends the gasp (cause 3)", () => {
  const run = runChassis(scenario("hang", short));
  assertTookOver(run, /^gasp$/);
  const bite = first(run, "fault.handler", A)!;
  assert.is(bite.detail!.what, "watchdog");
  const f = figures(run);
  assert.ok(f.gaspAcceptedNs! > ms(100) - ms(1) && f.gaspAcceptedNs! <= ms(200) + ms(1), `watchdog ${f.gaspAcceptedNs} ns: within two periods`);
  assert.is(first(run, "gasp.accepted", B)!.detail!.cause, GASP_CAUSE_WATCHDOG);
  // While hung the unit sent nothing: no hello between the hang and the bite.
  assert.is(events(run, "announce.wire", A, T_FAULT).length, 0);
});

test("power loss: nothing is sent, the heartbeat monitor (BFD 3 × 50 ms) fails over", () => {
  const run = runChassis(scenario("power-loss", short));
  assertTookOver(run, /heartbeat lost/);
  assert.is(events(run, "gasp.wire").length, 0);
  const f = figures(run);
  assert.ok(f.takeoverNs! > ms(100) - ms(13) && f.takeoverNs! <= ms(150), `detected ${f.takeoverNs} ns after the power loss`);
  assert.is(unit(run, A).state, "off");
});

test("lossy: every copy of the gasp is lost, the heartbeat monitor still fails over", () => {
  const run = runChassis(scenario("lossy", short));
  assertTookOver(run, /heartbeat lost/);
  assert.ok(events(run, "gasp.wire", A).length >= 2, "the gasp was sent");
  assert.is(events(run, "gasp.accepted").length, 0, "and lost");
  assert.ok(first(run, "fault.loss-end")!.tNs < first(run, "role.takeover", B)!.tNs, "the takeover came from the monitor, after the burst");
});

test("link cut on a dual-homed unit: the seed-003 sequence moves the identity to fp1; the unit stays active", () => {
  const run = runChassis(scenario("link-cut", short));
  const net = "linecard-a.net";
  const seq = run.timeline.filter((e) => e.source === net && e.tNs >= T_FAULT).map((e) => e.name);
  assert.equal(seq, [
    "failover.detect", "failover.monitor-pause", "failover.params-capture", "failover.iface-down", "failover.iface-plumb",
    "failover.iface-configure", "failover.iface-up", "failover.settle", "failover.monitor-resume", "failover.done",
  ]);
  const f = figures(run);
  assert.is(f.takeoverUnit, null, "no unit failover");
  assert.equal(f.activeAtEnd, ["linecard-a"]);
  assert.ok(f.pathFailoverNs! <= ms(10) + ms(20), "within one poll + the settle delay");
  assert.is(first(run, "announce.wire", "linecard-a", T_FAULT)!.detail!.port, "fp1", "re-announced from the new port");
  for (const m of mappings(run)) assert.is(m, MAC_A, "hosts keep the MAC: it moved with the identity");
  assert.ok(f.firstHostPacketNs !== null && f.firstHostPacketNs < ms(20), "host packets reach the unit through fp1");
  for (const h of f.hosts) assert.ok(h.lost <= 30, `${h.name}: lost ${h.lost}`);
});

test("link cut on a single-homed active: link lost → fault → resign → the peer takes over at once", () => {
  const run = runChassis(scenario("default", (s) => {
    short(s);
    s.timers = { ...s.timers, link: { pollMs: 10 } };
    s.faults = [{ kind: "link-cut", unit: A, port: "fp0", atMs: 1500 }];
  }));
  const f = figures(run);
  assert.is(f.takeoverUnit, B);
  assert.is(f.takeoverReason, "peer resigned");
  assert.ok(f.takeoverNs! <= ms(10) + ms(1));
  assert.is(unit(run, A).role, "fault");
  assert.equal(f.activeAtEnd, [B]);
  for (const m of mappings(run)) assert.is(m, MAC_B);
});

test("NIC hang on the backplane, then a crash: the gasp leaves by the front port; the hung port is escalated", () => {
  const run = runChassis(scenario("nic-hang", short));
  assertTookOver(run, /^gasp$/);
  const r = unit(run, A).fault!;
  assert.equal(r.ports.map((p) => [p.status, p.escalated]), [["E_TX_HUNG", true], ["sent", false]]);
  assert.is(first(run, "gasp.accepted", B)!.detail!.port, "fp0");
  assert.is(events(run, "gasp.wire", A).filter((e) => e.detail!.port === "bp0").length, 0, "nothing left the hung port");
  // The live port was rung before the hung one was found out.
  const bellFp0 = events(run, "fault.doorbell", A).find((e) => e.detail!.port === "fp0")!;
  assert.ok(bellFp0.tNs - T_FAULT <= 50_000, `front doorbell ${bellFp0.tNs - T_FAULT} ns after the crash`);
  assert.ok(first(run, "fault.done", A)!.tNs - T_FAULT > ms(1), "the escalation took longer and came after");
});

test("same seed ⇒ identical timeline and captures; another seed changes the BFD jitter", () => {
  const go = (seed?: number) => runChassis(scenario("default", (s) => {
    s.durationMs = 1800;
    s.timers = { ...s.timers, heartbeat: { preset: "bfd" } };
  }), { seed });
  const [x, y, z] = [go(), go(), go(7)];
  assert.equal(JSON.stringify(x.timeline), JSON.stringify(y.timeline));
  assert.equal(x.wire.links.map((l) => l.pcap.bytes().toString("hex")), y.wire.links.map((l) => l.pcap.bytes().toString("hex")));
  assert.ok(x.wire.links.every((l) => l.pcap.count > 0));
  assert.is.not(JSON.stringify(x.timeline), JSON.stringify(z.timeline));
});

test.run();
