// Property test: thousands of random command streams over every version pair. Each stream
// starts with a bulk sync (of an example config or a random one), then enters random
// commands on the active, synced line by line through the real units and their reliable
// channel. For every command: it was synced (unchanged or transformed), skipped on the DCL,
// or reported by the policy handler — none lost silently; the standby applied exactly the
// commands sent, once each; and the standby's config equals the expected one (the active's
// final config converted along the pair's path) unless the policy reset the standby.
// (The stream and its checks are the sync campaign's, host/campaign/sync.ts: `lastgasp
// campaign sync` draws pairs at random, some streams over a lossy link, at any count.)

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../host/util/rng";
import { allPairs } from "../host/campaign/sync-images";
import { syncStream } from "../host/campaign/sync";

const STREAMS_PER_PAIR = Number(process.env.SYNC_STREAMS ?? 200);
const seen = new Map<string, number>();

for (const [pi, p] of allPairs().entries()) {
  test(`${p.label}: ${STREAMS_PER_PAIR} random streams of 12 commands`, () => {
    for (let si = 0; si < STREAMS_PER_PAIR; si++) {
      // every 20th stream over UDP on a lossy link, the rest in memory
      const r = syncStream(new Rng(1000 * pi + si), pi, si % 20 === 19, si);
      assert.equal(r.problems, [], `${p.label} stream ${si}`);
      for (const o of r.outcomes) seen.set(o, (seen.get(o) ?? 0) + 1);
    }
  });
}

test("the streams reach every outcome", () => {
  const want = ["unchanged", "transformed", "dcl", "noop", "not-synced", "policy warn", "policy out-of-sync", "policy reset-standby"].map((k) => `command: ${k}`);
  want.push("stream: sso", "stream: rpr", "stream: standby reset by the policy", "stream: incompatible (rpr)", "carrier: udp, lossy link");
  for (const k of want) assert.ok((seen.get(k) ?? 0) > 10, `${k}: ${seen.get(k) ?? 0} times (${JSON.stringify([...seen])})`);
});

test.run();
