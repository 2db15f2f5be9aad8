// Scenario files: the shipped scenarios validate (every fault kind is shipped); broken ones are
// refused naming the file, a JSON Pointer into it and what was expected, as board files are;
// every field of the schema is explained in docs/chassis.md.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { loadScenario, ScenarioError, SCENARIOS_DIR, SCENARIO_SCHEMA, scenarioKind } from "../host/chassis/scenario";
import { DEMO_KINDS } from "../host/cli/demo-kinds";

// Every shipped scenario file (schemas aside) and the failover ones among them.
const ALL = fs.readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith(".json") && !f.endsWith("schema.json")).sort();
const SHIPPED = ALL.filter((f) => scenarioKind(path.join(SCENARIOS_DIR, f)) === "failover");
const FIXTURES = path.join(__dirname, "fixtures", "scenarios");

test("every shipped scenario has a kind the demo runs", () => {
  const kinds = new Set(ALL.map((f) => scenarioKind(path.join(SCENARIOS_DIR, f))));
  assert.equal([...kinds].sort(), Object.keys(DEMO_KINDS).sort());
});

test("the shipped scenarios validate, and between them every fault kind is shipped", () => {
  assert.equal(SHIPPED, ["default.json", "hang.json", "link-cut.json", "lossy.json", "nic-hang.json", "power-loss.json", "split-brain.json"]);
  const kinds = new Set<string>();
  for (const f of SHIPPED) {
    const { scenario, boards } = loadScenario(path.join(SCENARIOS_DIR, f));
    assert.is(scenario.kind, "failover");
    assert.is(`${scenario.name}.json`, f, "the file is named after the scenario");
    assert.is(boards.length, 2);
    for (const x of scenario.faults) kinds.add(x.kind);
  }
  for (const k of ["crash", "hang", "power-loss", "link-cut", "nic-hang", "partition", "loss"]) assert.ok(kinds.has(k), k);
  assert.is(scenarioKind(path.join(SCENARIOS_DIR, "default.json")), "failover");
});

/** Fixture -> the first problem's path and message. */
const BROKEN: [string, string, RegExp][] = [
  ["malformed.json", "", /not valid JSON \(line 4 column 3\)/],
  ["wrong-type.json", "/durationMs", /must be number/],
  ["unknown-field.json", "/timers/watchdogMS", /not a known field/],
  ["unknown-kind.json", "/kind", /must be one of "failover"/],
  ["bad-fault-kind.json", "/faults/0/kind", /must be one of "crash", "panic", "hang"/],
  ["fault-field.json", "/faults/0/trap", /not a known field/],
  ["fault-unit.json", "/faults/0/unit", /"linecard-c" is not one of the boards \(linecard-a, linecard-b\)/],
  ["fault-port.json", "/faults/0/port", /"fp9" is not a port of linecard-a \(bp0, fp0\)/],
  ["until-before-at.json", "/faults/0/untilMs", /must be after atMs \(2000\)/],
  ["missing-board.json", "/chassis/boards/1", /nope\.json: \/: no such file/],
  ["host-board.json", "/chassis/boards/1", /is a host, not a line card/],
  ["not-documentation.json", "/hosts/0/ipv4", /127\.0\.0\.1 is not a documentation address/],
  ["heartbeat-both.json", "/timers/heartbeat/intervalMs", /not with a preset \("bfd" sets the timers\)/],
  ["bad-mac.json", "/hosts/0/mac", /must match pattern/],
  ["active-unknown.json", "/chassis/active", /"linecard-z" is not one of the boards/],
];

for (const [file, pointer, message] of BROKEN) {
  test(`${file}: refused naming the file, ${pointer || "/"} and what was expected`, () => {
    const f = path.join(FIXTURES, file);
    const err = (() => {
      try {
        loadScenario(f);
      } catch (e) {
        return e;
      }
    })() as ScenarioError;
    assert.instance(err, ScenarioError);
    assert.is(err.problems[0].path, pointer);
    assert.match(err.problems[0].message, message);
    assert.ok(err.first.startsWith(`${f}: ${pointer || "/"}: `), err.first);
  });
}

test("every fixture is used, and every field of the schema is documented in docs/chassis.md", () => {
  const fixtures = fs.readdirSync(FIXTURES).sort();
  assert.equal(fixtures, BROKEN.map(([f]) => f).sort());
  const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "chassis.md"), "utf8");
  const schema = JSON.parse(fs.readFileSync(SCENARIO_SCHEMA, "utf8"));
  const names = new Set<string>();
  const walk = (node: unknown) => {
    if (!node || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === "object") for (const k of Object.keys(o.properties)) if (k !== "$schema") names.add(k);
    for (const v of Object.values(o)) walk(v);
  };
  walk(schema);
  for (const n of names) assert.ok(doc.includes(`\`${n}\``), `docs/chassis.md does not mention \`${n}\``);
});

test.run();
