// The power-cut campaign on the flash model (helpers/flash-campaign.ts): every mutating flash
// operation of a whole update sequence (write, mark trial, trial boots, confirm, a trial that
// reverts, a revert by hand), cut at byte, word and page granularity with random tear
// points, on NOR and on NAND with bad blocks: after every cut the boot stage picks a genuine,
// acceptable image — never none, never an unverified one — the security counter never goes
// down and the golden slot is never written. At least 10^4 cuts in all.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCampaign, CampaignResult } from "./helpers/flash-campaign";
import { testKey } from "./helpers/image";

const key = testKey(1);
const TEARS_PER_OP = 53; // x 3 granularities x 32 operations x 2 kinds of flash = 10,176 cuts
const results: CampaignResult[] = [];

for (const type of ["nor", "nand"] as const) {
  test(`${type}: a cut at every flash operation, every tear granularity: a genuine image boots every time`, () => {
    const r = runCampaign(type, key, TEARS_PER_OP, type === "nor" ? 1 : 2);
    results.push(r);
    console.log(`  ${type}: ${r.cuts} cuts over ${r.ops} operations in ${r.ms} ms; chosen ${JSON.stringify(r.chosen)}, reasons ${JSON.stringify(r.reasons)}, ${r.liveness} clean updates after a cut`);
    assert.equal(r.failures, []);
    assert.ok(r.ops >= 30, `operations in the sequence: ${r.ops}`);
    assert.is(r.cuts, r.ops * 3 * TEARS_PER_OP);
    for (const step of ["write v2", "boot trial v2", "confirm v2", "write v3", "boot: v3 reverts", "write v4", "revert v4"]) assert.ok(r.byStep[step] > 0, `cuts during ${step}`);
    // Both outcomes occur: a cut before the trial took hold boots the old image, after it the new.
    assert.ok(r.reasons.trial > 0 && r.reasons.confirmed > 0, JSON.stringify(r.reasons));
    assert.ok(r.liveness > 0);
  });
}

test("at least 10^4 cuts in all", () => {
  const total = results.reduce((n, r) => n + r.cuts, 0);
  console.log(`  campaign: ${total} cuts`);
  assert.ok(total >= 10_000, `${total} cuts`);
});

test.run();
