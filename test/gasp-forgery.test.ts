// More than 10^5 hostile frames against the receiver, interleaved with a live genuine
// sender: bit flips, truncations, tampered fields behind valid checksums, random MACs,
// wrong keys, unknown key ids, another chassis, our own unit id, older boots, replays and
// copies, wrong ports and EtherTypes. None is accepted; each is refused for the reason the
// independent reference receiver (host/campaign/ref-gasp.ts, written from the doc) names;
// the core's per-reason counters equal the tallies; every genuine message is accepted; the
// receiver never traps and writes nothing outside its state and its output repr.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import * as MAP from "../assembly/shared/memmap";
import { E_RANGE } from "../assembly/shared/status";
import { ForgeryBench } from "../host/campaign/forgery";

const ATTACKS = 100_000;
const rng = new Rng(0xf0f9e);

// The attacks, the live genuine sender and the judgement are the forgery campaign's
// (host/campaign/forgery.ts, `lastgasp campaign forgery`), here at a fixed count.
const bench = new ForgeryBench(rng);
const genuine = bench.genuine;

test(`${ATTACKS.toLocaleString()} forged, replayed, truncated and bit-flipped gasps: none accepted, each counted under its reason`, () => {
  for (let i = 0; i < ATTACKS; i++) {
    const t = bench.next();
    if (t.failure) assert.unreachable(t.failure);
  }
  assert.is(bench.attacks, ATTACKS);
  assert.ok(bench.genuineAccepted > 1000, `${bench.genuineAccepted} genuine messages accepted`);
  assert.equal(bench.check(), [], "counters equal the tallies, memory untouched");
  const counters = bench.rx.counters();
  for (const reason of ["E_GASP_NOT_GASP", "E_GASP_TRUNCATED", "E_GASP_ENCAP", "E_GASP_CHECKSUM", "E_GASP_MAGIC", "E_GASP_VERSION",
    "E_GASP_TYPE", "E_GASP_LENGTH", "E_GASP_KEY_ID", "E_GASP_CHASSIS", "E_GASP_SELF", "E_GASP_BAD_MAC", "E_GASP_REPLAY", "E_GASP_DUPLICATE"]) {
    assert.ok((counters[reason] ?? 0) > 0, `the attacks reached ${reason}`);
  }
  console.log(`  ${bench.attacks} attacks, ${bench.genuineAccepted} genuine accepted; by reason: ${JSON.stringify(Object.fromEntries([...bench.tally].sort()))}`);
});

test("gasp exports never trap on wild pointers and lengths (10,000 random calls)", () => {
  const core = genuine.core;
  const names = ["gasp_arm", "gasp_receive", "gasp_rx_config", "gasp_rx_highest", "gasp_rx_restore", "gasp_rx_count", "gasp_fire", "gasp_hello", "gasp_update"];
  for (let i = 0; i < 10_000; i++) {
    const fn = rng.pick(names);
    const args = Array.from({ length: 8 }, () => rng.pick([0, -1, 0x7fffffff, MAP.MEM_END - 1, MAP.MEM_END, MAP.STATE_BASE, rng.u32() | 0, 100]));
    try {
      assert.ok(Number.isInteger(core.exports[fn](...args)));
    } catch (e) {
      assert.unreachable(`${fn}(${args}) trapped: ${(e as Error).message}`);
    }
  }
  assert.is(core.exports.gasp_receive(MAP.MEM_END - 10, 60, Core.slot(42)), E_RANGE);
  assert.is(core.exports.gasp_receive(Core.frame(12), 60, MAP.STATE_BASE), E_RANGE, "the output repr cannot point into core state");
  assert.is(core.exports.gasp_rx_highest(1, MAP.MEM_END - 4), E_RANGE);
});

test.run();
