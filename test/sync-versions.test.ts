// Every version pair, both directions: the diff lists, the compatibility verdict, each
// example config against the standby config written by hand (configs/expected/), and the
// stepwise rule (x→y→z is x→y, then y→z).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { shipped } from "../host/sync/images";
import { checkPair, diffLists } from "../host/sync/diff";
import { convert, route } from "../host/sync/engine";
import { RunningConfig, parseConfigText } from "../host/sync/config";
import { planBulkSync } from "../host/sync/plan";
import { Registry } from "../host/sync/pair";
import { Rng } from "../host/util/rng";
import { CONFIGS, exampleConfig, rollbackRegistry } from "../host/campaign/sync-images";
import { randomConfig } from "../host/campaign/sync-gen";

const reg = shipped();

function expectedFile(name: string, version: string): RunningConfig {
  const g = reg.get(version).grammar;
  const { lines, errors } = parseConfigText(g, fs.readFileSync(path.join(CONFIGS, "expected", name), "utf8"));
  assert.equal(errors, [], name);
  const c = RunningConfig.of(g, lines.map((l) => l.cmd.text));
  assert.is(c.size, lines.length, `${name}: two lines fill the same slot`);
  return c;
}

test("ADL and SDL of every ordered pair are the set differences of the two CLI dumps", () => {
  for (const a of reg.images) for (const s of reg.images) {
    const { adl, sdl } = diffLists(a.dump, s.dump);
    const sa = new Set(a.grammar.specs.map((x) => x.sig));
    const ss = new Set(s.grammar.specs.map((x) => x.sig));
    assert.equal(adl, [...sa].filter((x) => !ss.has(x)).sort(), `${a.version}→${s.version} ADL`);
    assert.equal(sdl, [...ss].filter((x) => !sa.has(x)).sort(), `${a.version}→${s.version} SDL`);
    const back = diffLists(s.dump, a.dump);
    assert.equal(back.adl, sdl, "the reverse pair swaps the lists");
  }
});

test("ADL/SDL contents for the neighbour pairs (by hand)", () => {
  const c = checkPair(reg.pair("2.0", "1.1"));
  const adl = new Map(c.adl.map((e) => [e.sig, e]));
  assert.is(adl.get("failover timers heartbeat <10-10000> dead-multiplier <2-20>")?.status, "transform");
  assert.is(adl.get("telemetry interval <1-3600>")?.status, "dcl");
  assert.is(adl.get("failover announce refresh <0-3600>")?.status, "policy");
  assert.is(adl.get("failover announce refresh <0-3600>")?.action, "warn");
  assert.not.ok(adl.has("hostname <HOSTNAME>"), "unchanged commands are on neither list");
  assert.ok(c.sdl.some((e) => e.sig === "vip6 <X:X::X> interface <IFNAME>"));
  assert.is(c.adl.length, 16);
  assert.is(c.sdl.length, 12);
  const d = checkPair(reg.pair("1.0", "1.1"));
  assert.equal(d.adl.map((e) => e.sig).filter((s) => s.startsWith("console")), ["console baud {9600|19200|38400|115200}"]);
  assert.is(d.adl.find((e) => e.sig.startsWith("console"))?.status, "dcl");
  assert.ok(d.sdl.some((e) => e.sig === "interface <IFNAME> mtu <1280-9216>"), "a narrowed range is a different command");
  assert.ok(d.adl.some((e) => e.sig === "interface <IFNAME> mtu <576-9216>"));
});

test("compatibility: neighbours and equal versions pair; 2.0 and 1.0 do not (no 1.1→1.0 step in 2.0)", () => {
  const verdicts: Record<string, boolean> = {};
  for (const a of reg.versions) for (const s of reg.versions) verdicts[`${a}→${s}`] = checkPair(reg.pair(a, s)).compatible;
  assert.equal(verdicts, {
    "1.0→1.0": true, "1.0→1.1": true, "1.0→2.0": false,
    "1.1→1.0": true, "1.1→1.1": true, "1.1→2.0": true,
    "2.0→1.0": false, "2.0→1.1": true, "2.0→2.0": true,
  });
  const down = checkPair(reg.pair("2.0", "1.0"));
  assert.ok(down.reasons.length > 0 && down.reasons.every((r) => /no 1\.1→1\.0 transform/.test(r)), down.reasons.join("\n"));
  const up = checkPair(reg.pair("1.0", "2.0"));
  assert.ok(up.reasons.length > 0 && up.reasons.every((r) => r.startsWith("SDL ")), "1.0→2.0 fails on the way back only");
  assert.ok(checkPair(rollbackRegistry().pair("2.0", "1.0")).compatible, "a 2.0 that carries the 1.1→1.0 step pairs with 1.0");
  assert.ok(checkPair(rollbackRegistry().pair("1.0", "2.0")).compatible);
});

const GOLDEN: [string, string, string, "sso" | "rpr"][] = [
  ["1.0", "1.1", "lb-1.0.to-1.1.conf", "sso"],
  ["1.1", "1.0", "lb-1.1.to-1.0.conf", "rpr"], // IPv6 ACLs cannot reach 1.0: out of sync
  ["1.1", "2.0", "lb-1.1.to-2.0.conf", "sso"],
  ["2.0", "1.1", "lb-2.0.to-1.1.conf", "sso"], // warnings only
];

for (const [a, s, file, mode] of GOLDEN) {
  test(`example lb-${a}.conf syncs ${a}→${s} to ${file} (mode ${mode})`, () => {
    const plan = planBulkSync(reg.pair(a, s), `lb-${a}.conf`, exampleConfig(a));
    assert.equal(plan.standbyConfig.lines(), expectedFile(file, s).lines());
    assert.is(plan.mode, mode);
    assert.ok(plan.compat.compatible);
  });
}

test("same version: the standby config is the active's, every line unchanged", () => {
  for (const v of reg.versions) {
    const plan = planBulkSync(reg.pair(v, v), "x", exampleConfig(v));
    assert.equal(plan.standbyConfig.lines(), plan.activeConfig.lines());
    assert.ok(plan.rows.every((r) => r.fate.kind === "unchanged"), v);
    assert.equal(plan.compat.adl, []);
    assert.is(plan.mode, "sso");
  }
});

test("incompatible pairs: cold standby, and sync-check says which entries have no way across", () => {
  for (const [a, s] of [["2.0", "1.0"], ["1.0", "2.0"]]) {
    const plan = planBulkSync(reg.pair(a, s), "x", exampleConfig(a));
    assert.not.ok(plan.compat.compatible);
    assert.is(plan.mode, "rpr");
    assert.not.ok(plan.syncable);
  }
});

test("the dual-stack 2.0 config cannot reach 1.1 hot: the policy resets the standby", () => {
  const plan = planBulkSync(reg.pair("2.0", "1.1"), "x", fs.readFileSync(path.join(CONFIGS, "lb-2.0-dualstack.conf"), "utf8"));
  assert.is(plan.mode, "none");
  const actions = plan.handler.events.map((e) => `${e.action} ${e.text.split(" ").slice(0, 3).join(" ")}`);
  assert.ok(actions.includes("reset-standby slb service HTTPS6"), actions.join("\n"));
  assert.ok(actions.includes("out-of-sync failover timers heartbeat"), actions.join("\n"));
  assert.ok(actions.includes("warn slb farm WEB"), actions.join("\n"));
});

test("migration: 2.0 upgrades a 1.0 config step by step to the hand-written result", () => {
  const pair = reg.pair("1.0", "2.0");
  const cfg = planBulkSync(pair, "x", exampleConfig("1.0")).activeConfig;
  const conv = convert(pair.table, pair.path, cfg);
  assert.equal(conv.config.lines(), expectedFile("lb-1.0.migrated-2.0.conf", "2.0").lines());
  const hb = conv.rows.find((r) => r.cmd.spec.id === "failover.heartbeat")!;
  assert.is(hb.fate.kind, "transformed");
  if (hb.fate.kind !== "transformed") return;
  assert.equal(hb.fate.trace.map((t) => `${t.from}→${t.to}`), ["1.0→1.1", "1.1→2.0", "1.1→2.0"], "one step at a time: the 1.1 split, then each half merged");
});

/** Stepwise: converting x→z equals converting x→y and then y→z (each with its step's table). */
function stepwise(registry: Registry, x: string, y: string, z: string, cfg: RunningConfig) {
  const xz = registry.pair(x, z);
  const direct = convert(xz.table, xz.path, cfg);
  const xy = registry.pair(x, y);
  const yz = registry.pair(y, z);
  const mid = convert(xz.table, xy.path, cfg).config;
  const twoHops = convert(xz.table, yz.path, mid).config;
  const viaOwnTables = convert(yz.table, yz.path, convert(xy.table, xy.path, cfg).config).config;
  return { direct, twoHops, viaOwnTables };
}

test("stepwise x→y→z equals applying each step: upgrades 1.0→1.1→2.0 and downgrades 2.0→1.1→1.0, 500 random configs each", () => {
  const rng = new Rng(2024);
  const rb = rollbackRegistry();
  for (const [x, y, z] of [["1.0", "1.1", "2.0"], ["2.0", "1.1", "1.0"]]) {
    for (let i = 0; i < 500; i++) {
      const cfg = i === 0 ? planBulkSync(rb.pair(x, z), "x", exampleConfig(x)).activeConfig : randomConfig(rng, rb.get(x).grammar, 3 + rng.int(30));
      const r = stepwise(rb, x, y, z, cfg);
      assert.equal(r.direct.config.lines(), r.twoHops.lines(), `${x}→${y}→${z} #${i}`);
      assert.equal(r.direct.config.lines(), r.viaOwnTables.lines(), `${x}→${y}→${z} #${i} with each step's own image table`);
      for (const row of r.direct.rows) {
        if (row.fate.kind !== "transformed") continue;
        for (const t of row.fate.trace) {
          const i1 = rb.versions.indexOf(t.from);
          const i2 = rb.versions.indexOf(t.to);
          assert.is(Math.abs(i1 - i2), 1, `${row.cmd.text}: a transform from ${t.from} to ${t.to} skips a version`);
        }
      }
    }
  }
});

test("a single line routed across two steps equals the two single-step routes composed", () => {
  const rb = rollbackRegistry();
  const pair = rb.pair("2.0", "1.0");
  const cfg = planBulkSync(pair, "x", exampleConfig("2.0")).activeConfig;
  const stages = convert(pair.table, pair.path, cfg).stages;
  const ctx = (v: string) => {
    const s = stages[pair.path.findIndex((g) => g.version === v)];
    return { before: s, after: s };
  };
  for (const cmd of cfg.commands()) {
    const whole = route(pair.table, pair.path, cmd, ctx);
    const first = route(pair.table, pair.path.slice(0, 2), cmd, ctx);
    if (first.kind !== "unchanged" && first.kind !== "transformed") {
      assert.is(whole.kind, first.kind, cmd.text);
      continue;
    }
    const second = first.lines.map((l) => route(pair.table, pair.path.slice(1), (pair.path[1].parse(l) as any).cmd, ctx));
    const composed = second.flatMap((f) => (f.kind === "unchanged" || f.kind === "transformed" ? f.lines : []));
    if (second.some((f) => f.kind === "policy")) assert.is(whole.kind, "policy", cmd.text);
    else assert.equal(whole.kind === "unchanged" || whole.kind === "transformed" ? whole.lines : [], [...new Set(composed)], cmd.text);
  }
});

test.run();
