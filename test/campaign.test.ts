// `lastgasp campaign` through the compiled CLI, at small counts (the large runs are in
// docs/cli.md): every kind over two worker threads, counts per outcome that add up, the
// same counts whatever the number of workers, forgeries never accepted, a failure reported
// with a reproducer that reproduces it, exit statuses 0 / 1 / 2.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnCli } from "./helpers/cli";
import type { CampaignReport } from "../host/campaign/campaign";

const run = (args: string[], env?: Record<string, string>) => spawnCli(["campaign", ...args], undefined, { env });
const report = (out: string) => JSON.parse(out) as CampaignReport;
const total = (r: CampaignReport, prefix = "") => Object.entries(r.outcomes).filter(([k]) => k.startsWith(prefix)).reduce((s, [, n]) => s + n, 0);

test("every campaign at a small count on two workers: exit 0, outcomes that add up to the count", () => {
  const counts: Record<string, number> = { fuzz: 2000, rings: 10, failover: 1, sync: 10, forgery: 2000 };
  for (const [kind, count] of Object.entries(counts)) {
    const r = run([kind, "--count", String(count), "--workers", "2", "--seed", "5", "--json"]);
    assert.is(r.code, 0, `${kind}: ${r.err}${r.out.slice(0, 2000)}`);
    const rep = report(r.out);
    assert.is(rep.kind, kind);
    assert.is(rep.count, count);
    assert.ok(rep.ok && rep.failureCount === 0 && rep.failures.length === 0);
    assert.ok(rep.workers >= 1 && rep.workers <= 2);
    // one outcome per trial, but for sync: a stream counts its end, its carrier and each command
    if (kind === "sync") assert.is(total(rep, "stream: "), count);
    else assert.is(total(rep), count, `${kind}: ${JSON.stringify(rep.outcomes)}`);
    if (kind === "forgery") assert.is(rep.outcomes.accepted, 0, "no forgery accepted, and the zero is reported");
  }
});

test("the counts depend on the seed, not on the number of workers", () => {
  // sync streams: one per block, so the two workers share them differently every run
  const one = report(run(["sync", "--count", "16", "--workers", "1", "--seed", "9", "--json"]).out);
  const two = report(run(["sync", "--count", "16", "--workers", "2", "--seed", "9", "--json"]).out);
  assert.equal(two.outcomes, one.outcomes);
  const other = report(run(["sync", "--count", "16", "--workers", "2", "--seed", "10", "--json"]).out);
  assert.not.equal(other.outcomes, one.outcomes);
});

test("a failure: exit 1, counted, printed with a reproducer that runs that one trial again", () => {
  const env = { LASTGASP_CAMPAIGN_FAIL: "7" }; // the runner's test hook: trial 7 fails
  const r = run(["sync", "--count", "10", "--workers", "2", "--seed", "3"], env);
  assert.is(r.code, 1, r.err);
  assert.match(r.out, /failures: 1\n/);
  assert.match(r.out, /#7: planted failure/);
  const repro = /reproduce: lastgasp (.*)/.exec(r.out)![1].split(" ");
  assert.equal(repro, ["campaign", "sync", "--count", "10", "--seed", "3", "--index", "7"]);
  const again = spawnCli(repro, undefined, { env });
  assert.is(again.code, 1);
  assert.match(again.out, /trial 7: .*stream: /);
  assert.match(again.out, /FAILED: planted failure/);
  const neighbour = spawnCli(["campaign", "sync", "--count", "10", "--seed", "3", "--index", "6", "--json"], undefined, { env });
  assert.is(neighbour.code, 0);
  assert.equal(JSON.parse(neighbour.out).failures, []);
});

test("bad input: exit 2, one line naming the problem", () => {
  for (const [args, msg] of [
    [["tornado", "--count", "5"], /tornado: no such campaign/],
    [["fuzz"], /--count: required/],
    [["fuzz", "--count", "0"], /--count: "0" is not/],
    [["fuzz", "--count", "10", "--workers", "0"], /--workers: "0" is not/],
    [["fuzz", "--count", "10", "--seed", "x"], /--seed: "x" is not/],
    [["fuzz", "--count", "10", "--index", "10"], /--index: 10 is not below --count 10/],
  ] as [string[], RegExp][]) {
    const r = run(args);
    assert.is(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, msg);
    assert.is(r.err.trim().split("\n").length, 1, r.err);
  }
});

test.run();
