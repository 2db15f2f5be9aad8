// Upgrade scenario files (scenarios/upgrade*.json, schema scenarios/upgrade.schema.json): the
// shipped ones validate, are named after their file, cover every failure, state what they
// must show, use documentation addresses; broken ones are refused with every problem at once,
// each located; every field of the schema is explained in docs/upgrade.md.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { SCENARIOS_DIR, scenarioKind, ScenarioError } from "../host/chassis/scenario";
import { loadUpgrade, UPGRADE_SCHEMA } from "../host/upgrade/scenario";
import { isDocumentationIPv4, isLocallyAdministered } from "./helpers/addresses";
import { schemaFieldNames } from "./helpers/schema-fields";

const SHIPPED = fs.readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith(".json") && !f.endsWith("schema.json") && scenarioKind(path.join(SCENARIOS_DIR, f)) === "upgrade").sort();

test("the shipped upgrade scenarios validate; between them the happy path and every failure", () => {
  assert.equal(SHIPPED, ["upgrade-boot.json", "upgrade-config.json", "upgrade-crash.json", "upgrade-health.json", "upgrade-power-cut-active.json", "upgrade-power-cut.json", "upgrade.json"]);
  const failures = new Set<string>();
  for (const f of SHIPPED) {
    const l = loadUpgrade(path.join(SCENARIOS_DIR, f));
    const s = l.scenario;
    assert.is(`${s.name}.json`, f);
    assert.is(l.boards.length, 2);
    assert.ok(s.expect?.outcome && s.expect.versions && s.expect.activeAtEnd && s.expect.maxLost !== undefined, `${f}: expect`);
    failures.add(s.failure?.kind ?? (/short-key/.test(s.config) ? "config" : "none"));
    for (const h of s.hosts) {
      assert.ok(isDocumentationIPv4(h.ipv4), `${f}: ${h.ipv4}`);
      assert.ok(isLocallyAdministered(h.mac), `${f}: ${h.mac}`);
    }
  }
  assert.equal([...failures].sort(), ["boot", "config", "crash", "health", "none", "power-cut"]);
});

test("a broken file: every problem at once, each with its JSON Pointer and position", () => {
  const f = path.join(__dirname, "fixtures", "upgrade", "many-problems.json");
  const err = (() => {
    try {
      loadUpgrade(f);
    } catch (e) {
      return e;
    }
  })() as ScenarioError;
  assert.instance(err, ScenarioError);
  const got = err.problems.map((p) => p.path);
  for (const p of ["/hosts/0/mac", "/timers/watchdogMS", "/images/from/version", "/images/to/version", "/config", "/policy/health/windowMs", "/failure/unit", "/expect/versions/linecard-q"]) assert.ok(got.includes(p), `${p} in ${got.join(", ")}`);
  for (const p of err.problems) assert.ok(p.line! > 0 && p.column! > 0, p.path);
});

test("every field of the upgrade schema is documented in docs/upgrade.md", () => {
  const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "upgrade.md"), "utf8");
  const names = schemaFieldNames(UPGRADE_SCHEMA);
  assert.ok(names.size > 20);
  for (const n of names) assert.ok(doc.includes(`\`${n}\``), `docs/upgrade.md does not mention \`${n}\``);
});

test.run();
