// The units on bad input and failure: commands the active's image rejects, transforms that
// throw or emit bad syntax, a standby that drifts, protocol violations. In each case the
// outcome is reported and consistent — never half-applied silently.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimClock } from "../host/sim/clock";
import { ReliableChannel } from "../host/sync/reliable";
import { SimulatedPair, directPorts } from "../host/sync/sim";
import { StandbyUnit, MAX_CDFS_BYTES } from "../host/sync/standby";
import { SyncInputError } from "../host/sync/active";
import { Message, decodeMessage, encodeMessage } from "../host/sync/messages";
import { Image } from "../host/sync/image";
import { Registry } from "../host/sync/pair";
import { IMAGE_1_0 } from "../host/sync/images/v1_0";
import { IMAGE_1_1 } from "../host/sync/images/v1_1";
import { IMAGE_2_0 } from "../host/sync/images/v2_0";
import { STEP_2_0_TO_1_1 } from "../host/sync/images/step_1_1_2_0";
import { Step, Transform } from "../host/sync/tft";
import { shipped } from "../host/sync/images";
import { planBulkSync } from "../host/sync/plan";
import { convert } from "../host/sync/engine";
import { PRC_BAD_VALUE } from "../host/sync/prc";
import { exampleConfig } from "../host/campaign/sync-images";

const reg = shipped();

function hotPair(active = "2.0", standby = "1.1", registry: Registry = reg) {
  const sim = new SimulatedPair({ registry, active, standby, config: exampleConfig(active), carrier: "direct" });
  sim.bulkSync();
  return sim;
}

test("a command the active's image rejects: SyncInputError naming it; nothing changes, nothing is sent", () => {
  const sim = hotPair();
  const before = sim.active.running.digest();
  const sent = sim.channels[0].stats.messagesSent;
  for (const [line, why] of [
    ["failover timers heartbeat 5 dead-multiplier 3", /ms: 5 is out of range 10\.\.10000/],
    ["failover vip 203.0.113.300 interface eth0", /not an IPv4 address/],
    ["slb farm WEB method fastest", /"fastest" is not one of round-robin, least-connections, source-hash/],
    ["failover heartbeat 100 3", /"heartbeat" is not valid after "failover"/],
    ["spanning-tree mode rapid", /unknown command "spanning-tree"/],
  ] as const) {
    assert.throws(() => sim.configure(line), (e: Error) => e instanceof SyncInputError && e.message.includes(line) && why.test(e.message));
  }
  assert.is(sim.active.running.digest(), before);
  assert.is(sim.channels[0].stats.messagesSent, sent);
});

test("removing what is not configured is a no-op: nothing sent", () => {
  const sim = hotPair();
  const sent = sim.channels[0].stats.messagesSent;
  const rec = sim.configure("no failover vip 192.0.2.99");
  assert.is(rec.fate.kind, "noop");
  assert.is(sim.channels[0].stats.messagesSent, sent);
});

test("commands entered during the bulk sync are queued and synced when it ends", () => {
  const sim = new SimulatedPair({ registry: reg, active: "2.0", standby: "1.1", config: exampleConfig("2.0"), carrier: "direct" });
  sim.active.startBulkSync();
  const rec = sim.active.configure("failover timers heartbeat 300 dead-multiplier 5");
  assert.is(rec.fate.kind, "not-synced");
  sim.clock.runUntilIdle();
  assert.is(rec.fate.kind, "transformed");
  assert.ok(rec.ack);
  assert.ok(sim.standby.running.lines().includes("failover heartbeat interval 300"));
  const pair = reg.pair("2.0", "1.1");
  assert.equal(sim.standby.running.lines(), convert(pair.table, pair.path, sim.active.running).config.lines());
});

test("verification catches a standby that drifted: mismatch reported, mode drops to RPR", () => {
  const sim = hotPair();
  assert.is(sim.active.mode, "sso");
  const drifted = sim.standby.running.clone();
  drifted.apply((sim.standby.image.grammar.parse("failover priority 1") as any).cmd);
  sim.standby.running = drifted;
  sim.verify();
  const v = sim.active.verifications.at(-1)!;
  assert.not.ok(v.ok);
  assert.match(v.reasons.join(), /differ/);
  assert.is(sim.active.mode, "rpr");
  assert.ok(sim.active.handler.events.some((e) => e.cause === "verify-mismatch"));
});

/** A 2.0 whose failover.vip downgrade misbehaves for addresses ending in ::99 or ::98. */
function brokenRegistry(): Registry {
  const bad: Transform = {
    id: "failover.vip",
    to: ["vip", "vip6"],
    policy: "out-of-sync",
    fn(cmd, ctx) {
      if (cmd.args.addr.endsWith("::99")) throw new Error("table lookup failed");
      if (cmd.args.addr.endsWith("::98")) return { lines: [`vip ${cmd.args.addr} interface ${cmd.args.if}`] };
      return STEP_2_0_TO_1_1.transforms.find((t) => t.id === "failover.vip")!.fn(cmd, ctx);
    },
  };
  const step: Step = { ...STEP_2_0_TO_1_1, transforms: STEP_2_0_TO_1_1.transforms.map((t) => (t.id === "failover.vip" ? bad : t)) };
  return new Registry([new Image(IMAGE_1_0), new Image(IMAGE_1_1), new Image({ ...IMAGE_2_0, steps: [...IMAGE_2_0.steps.filter((s) => s !== STEP_2_0_TO_1_1), step] })]);
}

test("a transform that throws: reported with the line, the policy resets the standby, nothing half-applied", () => {
  const r = brokenRegistry();
  const plan = planBulkSync(r.pair("2.0", "1.1"), "x.conf", exampleConfig("2.0") + "failover vip 2001:db8::99 interface eth0\n");
  const row = plan.rows.find((x) => x.text.includes("::99"))!;
  assert.is(row.fate.kind, "policy");
  if (row.fate.kind !== "policy") return;
  assert.is(row.fate.cause, "transform-error");
  assert.match(row.fate.reason, /transform failover\.vip \(2\.0→1\.1\) failed: table lookup failed/);
  assert.is(plan.mode, "none");
  assert.ok(plan.handler.events.some((e) => e.where === `line ${row.lineNo}`));

  const sim = hotPair("2.0", "1.1", r);
  assert.is(sim.active.mode, "sso");
  const standbyBefore = sim.standby.running.lines();
  const rec = sim.configure("failover vip 2001:db8::99 interface eth0");
  assert.is(rec.fate.kind, "policy");
  assert.equal(rec.sent, []);
  assert.is(sim.active.state, "standby-reset");
  assert.is(sim.standby.state, "reset");
  assert.is(sim.standby.running.size, 0, "the reset standby holds no half-synced config");
  assert.ok(standbyBefore.length > 0);
  const later = sim.configure("failover priority 7");
  assert.is(later.fate.kind, "not-synced");
});

test("a transform that emits syntax the target rejects is caught the same way", () => {
  const plan = planBulkSync(brokenRegistry().pair("2.0", "1.1"), "x.conf", exampleConfig("2.0") + "failover vip 2001:db8::98 interface eth0\n");
  const row = plan.rows.find((x) => x.text.includes("::98"))!;
  assert.ok(row.fate.kind === "policy" && row.fate.cause === "transform-error", JSON.stringify(row.fate));
  if (row.fate.kind === "policy") assert.match(row.fate.reason, /produced "vip 2001:db8::98 interface eth0", which 1\.1 rejects: addr: not an IPv4 address/);
});

/** A standby wired to a raw channel the test drives as a (misbehaving) active. */
function rawStandby(version = "1.1") {
  const clock = new SimClock();
  const [pa, pb] = directPorts(clock, 1000);
  const raw = new ReliableChannel(pa, clock, { session: 1 });
  const standby = new StandbyUnit({ image: reg.get(version), registry: reg, channel: new ReliableChannel(pb, clock, { session: 1 }) });
  const replies: Message[] = [];
  raw.onMessage((b) => {
    const d = decodeMessage(b);
    if (d.ok) replies.push(d.msg);
  });
  const send = (m: Message) => {
    raw.send(encodeMessage(m));
    clock.runUntilIdle();
  };
  return { standby, replies, send, raw, clock };
}

const Z = "00".repeat(32);

test("the standby refuses a CLI dump larger than its CDFS, and data outside an announced file", () => {
  const a = rawStandby();
  a.send({ type: "dump-begin", version: "2.0", entries: 1, bytes: MAX_CDFS_BYTES + 1, digest: Z });
  assert.equal(a.replies.map((m) => m.type), ["abort"]);
  assert.match((a.replies[0] as any).reason, /exceeds/);

  const b = rawStandby();
  b.send({ type: "dump-begin", version: "2.0", entries: 1, bytes: 10, digest: Z });
  b.send({ type: "dump-data", offset: 0, data: new Uint8Array(11) });
  assert.match((b.replies.at(-1) as any).reason, /outside the announced 10 bytes/);

  const c = rawStandby();
  c.send({ type: "config-data", offset: 0, data: new Uint8Array(3) });
  assert.match((c.replies.at(-1) as any).reason, /before its size/);

  const d = rawStandby();
  d.raw.send(Uint8Array.of(200, 1, 2));
  d.clock.runUntilIdle();
  assert.match((d.replies.at(-1) as any).reason, /undecodable message: unknown message type 200/);
});

test("a CMD with a line the standby rejects: PRC returned, none of the command applied", () => {
  const sim = hotPair("1.1", "1.1");
  const before = sim.standby.running.lines();
  // Impersonate the active: one good line, one out of range.
  const replies: Message[] = [];
  sim.channels[0].onMessage((b) => {
    const d = decodeMessage(b);
    if (d.ok) replies.push(d.msg);
  });
  sim.channels[0].send(encodeMessage({ type: "cmd", id: 99, source: "test", lines: ["failover priority 9", "interface eth0 mtu 100"] }));
  sim.clock.runUntilIdle();
  const ack = replies.find((m) => m.type === "cmd-ack") as Extract<Message, { type: "cmd-ack" }>;
  assert.is(ack.prc, PRC_BAD_VALUE);
  assert.match(ack.detail, /mtu: 100 is out of range 1280\.\.9216/);
  assert.equal(ack.applied, []);
  assert.equal(sim.standby.running.lines(), before);
});

test("an active that gets a message it did not ask for resets the standby rather than guess", () => {
  const sim = hotPair();
  sim.channels[1].send(encodeMessage({ type: "verify", received: { lines: 0, digest: Z }, running: { lines: 0, digest: Z }, selfCheck: "none", prcs: [], events: [] }));
  sim.clock.runUntilIdle();
  assert.is(sim.active.state, "standby-reset");
  assert.match(sim.active.protocolErrors.join(), /VERIFY nobody asked for/);
});

test.run();
