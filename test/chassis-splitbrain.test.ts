// Split brain on the virtual chassis: a partition (backplane down, the network split in two
// halves) makes the standby take over for its half while the active keeps its own; after the
// heal exactly one unit stays active — the most recent takeover — and it re-announces, so
// the hosts that followed the loser come back (keepalived #166/#2649).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { runChassis } from "../host/chassis/chassis";
import { figures } from "../host/chassis/report";
import { scenario, events, first, unit, mappings } from "../host/campaign/chassis-fixture";
import { ms } from "../host/ha/timeline";

const A = "linecard-a";
const B = "linecard-b";
const MAC_A = "02:00:00:0a:00:02";
const MAC_B = "02:00:00:0b:00:02";

test("partition then heal: both active meanwhile, exactly one after, the winner re-announces, every host follows", () => {
  const run = runChassis(scenario("split-brain", (s) => (s.durationMs = 3400)));
  const heal = first(run, "fault.heal")!.tNs;
  const takeover = first(run, "role.takeover", B, ms(1500))!;
  assert.ok(takeover.tNs < heal, "the standby took over during the partition");
  // During the partition each half is served by its own unit.
  const h2moved = events(run, "host.neigh-update", "h2").find((e) => e.tNs > ms(1500) && e.detail!.mac === MAC_B);
  assert.ok(h2moved && h2moved.tNs < heal, "h2 followed the standby's GARP in its half");
  assert.ok(!events(run, "host.neigh-update", "h1").some((e) => e.tNs < heal && e.tNs > ms(1500)), "h1 never heard it");
  // The heal: B's takeover is the more recent claim (higher epoch) and wins. Whoever hears
  // the other first at the next HELLO (nothing queued during the partition is sent late: the
  // OS flushed its TX queues when the carrier went), A steps down and resigns, and B
  // re-announces — because it won, or because A resigned.
  const down = first(run, "role.step-down", A, heal)!;
  assert.ok(down, "A stepped down");
  assert.is(down.detail!.winner, 2);
  assert.ok(down.tNs - heal < ms(60), `within a BFD interval of the heal (${(down.tNs - heal) / 1e6} ms)`);
  const again = events(run, "announce.again", B, heal).map((e) => e.detail!.reason);
  assert.ok(again.includes("split brain won") || again.includes("peer resigned"), again.join(","));
  const f = figures(run);
  assert.equal(f.activeAtEnd, [B]);
  assert.is(unit(run, A).state, "up", "the loser is alive, as a backup");
  assert.is(unit(run, A).role, "backup");
  assert.ok(unit(run, B).epoch > unit(run, A).epoch);
  for (const m of mappings(run)) assert.is(m, MAC_B, "every host maps every VIP to the winner");
  const h1back = events(run, "host.neigh-update", "h1", heal).find((e) => e.detail!.mac === MAC_B);
  assert.ok(h1back && h1back.tNs - down.tNs < ms(5), "h1 followed the winner's re-announcement at once");
  for (const h of f.hosts) assert.is(h.misdelivered, 0);
});

test("a partition that heals before anyone notices changes nothing", () => {
  const run = runChassis(scenario("split-brain", (s) => {
    s.durationMs = 2200;
    s.faults = [{ kind: "partition", atMs: 1500, untilMs: 1560 }];
  }));
  assert.is(events(run, "role.takeover", B).length, 0);
  assert.equal(figures(run).activeAtEnd, [A]);
  for (const m of mappings(run)) assert.is(m, MAC_A);
});

test.run();
