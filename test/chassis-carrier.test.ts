// The carrier drop on the virtual chassis: a board that asks for it (dialects.carrierDrop)
// powers its PHY down through MDIC last in the fault entry, and the chassis' cable takes the
// carrier with it — the partner (the peer's NIC on the backplane, the switch port on the
// front) loses the link after the gasp and the dialects have left, never before; the switch
// flushes what it learned on that port. Without carrierDrop the cables stay up (the control).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Chassis } from "../host/chassis/chassis";
import type { LoadedScenario } from "../host/chassis/scenario";
import { DIALECT_CARRIER_DRAIN_DEFAULT_US } from "../assembly/shared/dialect";
import { scenario, events } from "../host/campaign/chassis-fixture";

const DROP = ["bp0", "fp0"];

function run(drop: boolean) {
  const base = scenario("default", (s) => (s.durationMs = 2500));
  const boards = base.boards.map((b) => (b.id === "linecard-a" && drop ? { ...b, dialects: { ...b.dialects, carrierDrop: { ports: DROP } } } : b));
  const loaded: LoadedScenario = { ...base, boards: boards as LoadedScenario["boards"] };
  const ch = new Chassis(loaded);
  return { ch, run: ch.run() };
}

test("carrier drop: after the gasp and every dialect frame on that port, the partner loses carrier; the standby takes over as before", () => {
  const { ch, run: r } = run(true);
  const downs = events(r, "carrier.down", "linecard-a");
  assert.equal(downs.map((e) => (e.detail as { port: string }).port).sort(), DROP);
  for (const d of downs) {
    const port = (d.detail as { port: string }).port;
    const sent = r.timeline.filter((e) => e.source === "linecard-a" && (e.name === "gasp.wire" || e.name === "dialect.wire") && (e.detail as { port: string }).port === port);
    assert.ok(sent.length > 0, `${port}: frames before the drop`);
    const last = Math.max(...sent.map((e) => e.tNs));
    // The drain (500 us for the TX FIFO) counts from the fault entry's confirmation, which comes
    // after the last frame left the model.
    assert.ok(d.tNs - last >= DIALECT_CARRIER_DRAIN_DEFAULT_US * 1000, `${port}: ${d.tNs - last} ns after its last frame`);
    assert.ok(!r.timeline.some((e) => e.source === "linecard-a" && e.tNs > d.tNs && (e.detail as { port?: string })?.port === port && /\.wire$/.test(e.name)), `${port}: nothing after the drop`);
  }
  if (process.env.LG_VERBOSE) console.log(downs);
  // The fp0 drop comes after its dialects (VRRP priority 0, the OAM Dying Gasp).
  const fpDown = downs.find((e) => (e.detail as { port: string }).port === "fp0")!;
  const dialects = events(r, "dialect.wire", "linecard-a").filter((e) => (e.detail as { port: string }).port === "fp0");
  assert.ok(dialects.length >= 2 && dialects.every((e) => e.tNs < fpDown.tNs), "dialects before the drop");
  // The partners: linecard-b's backplane NIC and the switch's port have no carrier.
  const [a, b] = ch.units;
  assert.is(a.nics[a.portIndex("fp0")].link, false);
  assert.is(b.nics[b.portIndex("bp0")].link, false, "the peer's backplane port lost its link");
  const sp = ch.switch.ports.find((p) => p.name === "switch.linecard-a.fp0")!;
  assert.is(sp.carrier, false, "the switch port lost carrier");
  // The standby took over on the gasp (before the drop), and holds the VIPs at the end.
  const takeover = events(r, "role.takeover", "linecard-b")[0];
  assert.ok(takeover && takeover.tNs < Math.min(...downs.map((d) => d.tNs)), "takeover before the carrier drop");
  assert.is(r.units.find((u) => u.id === "linecard-b")!.holdsVips, true);
});

test("the control: no carrierDrop on the board, every cable keeps its carrier", () => {
  const { ch, run: r } = run(false);
  assert.is(events(r, "carrier.down").length, 0);
  const b = ch.units[1];
  assert.is(b.nics[b.portIndex("bp0")].link, true);
  assert.is(ch.switch.ports.find((p) => p.name === "switch.linecard-a.fp0")!.carrier, true);
});

test.run();
