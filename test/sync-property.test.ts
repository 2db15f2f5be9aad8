// Property test: thousands of random command streams over every version pair. Each stream
// starts with a bulk sync (of an example config or a random one), then enters random
// commands on the active, synced line by line through the real units and their reliable
// channel. For every command: it was synced (unchanged or transformed), skipped on the DCL,
// or reported by the policy handler — none lost silently; the standby applied exactly the
// commands sent, once each; and the standby's config equals the expected one (the active's
// final config converted along the pair's path) unless the policy reset the standby.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../host/util/rng";
import { SimulatedPair } from "../host/sync/sim";
import { convert } from "../host/sync/engine";
import { checkPair } from "../host/sync/diff";
import { outcomeOf } from "../host/sync/active";
import { PRC_OK, PRC_REFUSED } from "../host/sync/prc";
import { allPairs, exampleConfig } from "../host/campaign/sync-images";
import { randomCommand, randomConfig } from "../host/campaign/sync-gen";

const STREAMS_PER_PAIR = Number(process.env.SYNC_STREAMS ?? 200);
const COMMANDS_PER_STREAM = 12;
const seen = new Map<string, number>();
const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);

for (const [pi, p] of allPairs().entries()) {
  test(`${p.label}: ${STREAMS_PER_PAIR} random streams of ${COMMANDS_PER_STREAM} commands`, () => {
    const pair = p.registry.pair(p.active, p.standby);
    const compatible = checkPair(pair).compatible;
    for (let si = 0; si < STREAMS_PER_PAIR; si++) {
      const rng = new Rng(1000 * pi + si);
      const where = `${p.label} stream ${si}`;
      const initial = si % 2 === 0 ? exampleConfig(p.active) : randomConfig(rng, pair.active.grammar, 5 + rng.int(20)).text();
      const sim = new SimulatedPair({ registry: p.registry, active: p.active, standby: p.standby, config: initial, carrier: "direct", seed: si });
      sim.bulkSync();
      const bulkState = sim.active.state;
      for (let k = 0; k < COMMANDS_PER_STREAM; k++) sim.configure(randomCommand(rng, pair.active.grammar, sim.active.running));
      sim.verify();
      const a = sim.active;
      const s = sim.standby;

      // Every command has an outcome; every one sent was acknowledged and applied once.
      const sent = a.commands.filter((r) => r.sent.length > 0);
      for (const r of a.commands) {
        const kind = outcomeOf(r, a.pair);
        count(kind === "policy" && r.fate.kind === "policy" ? `policy:${r.fate.action}` : kind);
        if (kind === "not-synced") assert.ok(a.state === "cold" || a.state === "standby-reset", `${where}: "${r.text}" not synced while ${a.state}`);
        if (r.fate.kind === "policy") assert.ok(a.handler.events.some((e) => e.where === `command ${r.id}`), `${where}: policy fate of "${r.text}" not reported`);
        if (r.ack?.prc === PRC_REFUSED) assert.ok(a.handler.events.some((e) => e.where === `command ${r.id}` && e.by === "standby"), `${where}: refusal of "${r.text}" not reported`);
      }
      if (a.state !== "standby-reset") {
        for (const r of sent) {
          assert.ok(r.ack, `${where}: "${r.text}" sent but never acknowledged`);
          assert.ok(r.ack!.prc === PRC_OK || r.ack!.prc === PRC_REFUSED, `${where}: "${r.text}" PRC ${r.ack!.prc} ${r.ack!.detail}`);
        }
        assert.equal(s.appliedIds, sent.map((r) => r.id), `${where}: applied ids`);
      }
      assert.is(s.duplicateCommands, 0, where);

      // The standby's config is the expected one, or the policy reset it (and said so).
      if (!compatible) {
        assert.is(bulkState, "cold", where);
        assert.is(s.running.size, 0, where);
        assert.is(a.mode, "rpr", where);
      } else if (a.state === "standby-reset") {
        assert.is(s.state, "reset", where);
        assert.is(s.running.size, 0, where);
        assert.is(a.mode, "none", where);
        assert.ok(a.handler.events.some((e) => e.action === "reset-standby"), `${where}: reset without a reset-standby event`);
        count("stream:reset");
      } else {
        const expected = convert(pair.table, pair.path, a.running).config;
        assert.equal(s.running.lines(), expected.lines(), `${where}: standby config differs from the expected one`);
        assert.ok(a.verifications.at(-1)?.ok, `${where}: verification failed: ${a.verifications.at(-1)?.reasons}`);
        count(`stream:${a.mode}`);
      }
      if (a.mode === "sso") assert.ok(a.handler.events.every((e) => e.action === "warn"), `${where}: SSO with ${a.handler.events.map((e) => e.action)}`);
    }
  });
}

test("the streams reach every outcome", () => {
  for (const k of ["unchanged", "transformed", "dcl", "noop", "not-synced", "policy:warn", "policy:out-of-sync", "policy:reset-standby", "stream:sso", "stream:rpr", "stream:reset"]) {
    assert.ok((seen.get(k) ?? 0) > 10, `${k}: ${seen.get(k) ?? 0} times (${JSON.stringify([...seen])})`);
  }
});

test.run();
