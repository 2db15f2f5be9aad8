// Scenario files: the shipped scenarios validate (every fault kind is shipped); broken ones are
// refused naming the file, a JSON Pointer into it and what was expected, as board files are;
// every field of the schema is explained in docs/chassis.md.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { loadScenario, ScenarioError, SCENARIOS_DIR, SCENARIO_SCHEMA, scenarioKind } from "../host/chassis/scenario";
import { DEMO_KINDS } from "../host/cli/demo-kinds";
import { isDocumentationIPv4, isLocallyAdministered } from "./helpers/addresses";
import { schemaFieldNames } from "./helpers/schema-fields";

// Every shipped scenario file (schemas aside) and the failover ones among them.
const ALL = fs.readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith(".json") && !f.endsWith("schema.json")).sort();
const SHIPPED = ALL.filter((f) => scenarioKind(path.join(SCENARIOS_DIR, f)) === "failover");
const FIXTURES = path.join(__dirname, "fixtures", "scenarios");

test("every shipped scenario has a kind the demo runs", () => {
  const kinds = new Set(ALL.map((f) => scenarioKind(path.join(SCENARIOS_DIR, f))));
  assert.equal([...kinds].sort(), Object.keys(DEMO_KINDS).sort());
});

test("the shipped scenarios validate, and between them every fault kind is shipped", () => {
  assert.equal(SHIPPED, ["arp-proxy.json", "default.json", "hang.json", "link-cut.json", "lossy.json", "nic-hang.json", "power-loss.json", "split-brain.json"]);
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
  ["unknown-field.json", "/timers/watchdogMS", /not a known field \(a misspelling\? known: heartbeat, watchdogMs/],
  ["unknown-kind.json", "/kind", /must be one of "failover"/],
  ["bad-fault-kind.json", "/faults/0/kind", /must be one of "crash", "panic", "hang"/],
  ["fault-field.json", "/faults/0/trap", /not a known field/],
  ["fault-unit.json", "/faults/0/unit", /"linecard-c" is not one of the boards \(linecard-a, linecard-b\)/],
  ["fault-port.json", "/faults/0/port", /"fp9" is not a port of linecard-a \(bp0, fp0\)/],
  ["until-before-at.json", "/faults/0/untilMs", /must be after atMs \(2000\)/],
  ["missing-board.json", "/chassis/boards/1", /nope\.json: no such file/],
  ["host-board.json", "/chassis/boards/1", /is a host, not a line card/],
  ["loopback-address.json", "/hosts/0/ipv4", /127\.0\.0\.1 is a loopback address/],
  ["heartbeat-both.json", "/timers/heartbeat/intervalMs", /not with a preset \("bfd" sets the timers\)/],
  ["bad-mac.json", "/hosts/0/mac", /01:00:00:0c:00:01 is a multicast address/],
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
    assert.match(err.first, new RegExp(`^${f.replace(/[.]/g, "\\.")}:\\d+:\\d+: ${pointer || "/"}: `));
  });
}

/** The problems of the default scenario after a change (written next to it, so its board paths hold). */
function problemsOf(mutate: (s: any) => void): string[] {
  const s = JSON.parse(fs.readFileSync(path.join(SCENARIOS_DIR, "default.json"), "utf8"));
  s.chassis.boards = s.chassis.boards.map((b: string) => path.join(SCENARIOS_DIR, b));
  mutate(s);
  const f = path.join(require("os").tmpdir(), `lastgasp-scenario-${process.pid}.json`);
  fs.writeFileSync(f, JSON.stringify(s, null, 2));
  try {
    loadScenario(f);
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.problems.map((p) => `${p.file && p.file !== f ? `${path.basename(p.file)}:` : ""}${p.path}: ${p.message}`);
  } finally {
    fs.rmSync(f);
  }
}

test("checks across the pair: the same VIPs, unique MACs and addresses, hosts on-link, fault rings that hold the copies", () => {
  const one = (mutate: (s: any) => void) => problemsOf(mutate).join("\n");
  assert.equal(problemsOf(() => {}), []);
  assert.match(one((s) => (s.hosts[1].mac = s.hosts[0].mac)), /\/hosts\/1\/mac: 02:00:00:0c:00:01 is also the MAC of \/hosts\/0/);
  assert.match(one((s) => (s.hosts[0].mac = "02:00:00:0a:00:02")), /\/hosts\/0\/mac: 02:00:00:0a:00:02 is the MAC of linecard-a\/fp0/);
  assert.match(one((s) => (s.hosts[1].ipv4 = "192.0.2.100/24")), /\/hosts\/1\/ipv4: 192\.0\.2\.100 is also the address of \/hosts\/0/);
  assert.match(one((s) => (s.hosts[0].ipv4 = "192.0.2.1/24")), /\/hosts\/0\/ipv4: 192\.0\.2\.1 is a VIP/);
  assert.match(one((s) => (s.hosts[0].ipv4 = "198.51.100.7/24")), /\/hosts\/0\/ipv4: 198\.51\.100\.7\/24 does not contain the VIP 192\.0\.2\.1/);
  assert.match(one((s) => (s.detection = { copies: 8 })), /\/detection\/copies: linecard-b's fault ring \(rings\.fault 16\) cannot hold the gasp.s 2 frames x 8 copies/);
  assert.match(one((s) => (s.chassis.boards[1] = path.join(SCENARIOS_DIR, "boards", "linecard-a-dual.json"))), /\/chassis\/boards\/1: both boards are linecard-a/);
  assert.match(one((s) => (s.expect.activeAtEnd = "linecard-c")), /\/expect\/activeAtEnd: "linecard-c" is not one of the boards/);
  assert.match(one((s) => (s.chassis.key = "00ff")), /\/chassis\/key: "00ff" does not have the form described below/);
});

test("ARP-proxy mode: one station per unit, boards that exist, IPv4 VIPs only, expectations that name stations", () => {
  const one = (mutate: (s: any) => void) => problemsOf(mutate).join("\n");
  const stations = () => [{ name: "proxy-a", mac: "02:00:00:0d:00:01", client: "linecard-a" }, { name: "proxy-b", mac: "02:00:00:0d:00:02", client: "linecard-b" }];
  assert.match(one((s) => (s.proxies = { stations: stations() })), /\/proxies: an ARP proxy answers for IPv4 addresses only; the boards' VIPs include 2001:db8:1::1/);
  assert.match(one((s) => (s.proxies = { stations: stations().map((x, i) => (i ? { ...x, client: "linecard-c" } : x)) })), /\/proxies\/stations\/1\/client: "linecard-c" is not one of the boards/);
  assert.match(one((s) => (s.proxies = { stations: stations().map((x) => ({ ...x, client: "linecard-a" })) })), /\/proxies\/stations\/1\/client: linecard-a already has a proxy: one per unit/);
  assert.match(one((s) => (s.proxies = { stations: stations().map((x, i) => (i ? { ...x, name: "h1" } : x)) })), /\/proxies\/stations\/1\/name: "h1" is also the name of a host/);
  assert.match(one((s) => (s.expect.proxy = { announces: "proxy-b", silent: "proxy-a" })), /\/expect\/proxy\/announces: the scenario has no proxies/);
  assert.match(one((s) => (s.proxies = { handover: "shout", stations: stations() })), /\/proxies\/handover: must be one of "withdraw", "yield"/);
});

test("a pair that serves different VIPs, and a board's own problems, reported in the board's file with the scenario's", () => {
  const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "lg-scn-"));
  try {
    const b = JSON.parse(fs.readFileSync(path.join(SCENARIOS_DIR, "..", "boards", "linecard-b.json"), "utf8"));
    b.vips = [{ port: "fp0", ipv4: "192.0.2.9" }];
    delete b.dialects; // its VRRP routers are for the VIPs it no longer has
    fs.writeFileSync(path.join(dir, "b.json"), JSON.stringify(b, null, 2));
    b.ports[1].mac = "ff:ff:ff:ff:ff:ff";
    b.rings.tx = 7;
    fs.writeFileSync(path.join(dir, "bad.json"), JSON.stringify(b, null, 2));
    const s = JSON.parse(fs.readFileSync(path.join(SCENARIOS_DIR, "default.json"), "utf8"));
    s.chassis.boards = [path.join(SCENARIOS_DIR, "..", "boards", "linecard-a.json"), "b.json"];
    fs.writeFileSync(path.join(dir, "s.json"), JSON.stringify(s, null, 2));
    const err = (() => { try { loadScenario(path.join(dir, "s.json")); } catch (e) { return e; } })() as ScenarioError;
    assert.match(err.problems.map((p) => `${p.path}: ${p.message}`).join("\n"), /\/chassis\/boards\/1: linecard-b serves 192\.0\.2\.9, linecard-a serves 192\.0\.2\.1, 2001:db8:1::1: the pair must serve the same VIPs/);
    s.chassis.boards[1] = "bad.json";
    s.durationMs = "long";
    fs.writeFileSync(path.join(dir, "s.json"), JSON.stringify(s, null, 2));
    const e2 = (() => { try { loadScenario(path.join(dir, "s.json")); } catch (e) { return e; } })() as ScenarioError;
    const lines = e2.problems.map((p) => `${p.file ? path.basename(p.file) : "?"}:${p.line}: ${p.path}: ${p.message}`);
    assert.ok(lines.some((l) => /^s\.json:\d+: \/durationMs: must be number/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /^s\.json:\d+: \/chassis\/boards\/1: bad\.json: 2 problems in the board file/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /^bad\.json:\d+: \/rings\/tx: must be >= 8/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /^bad\.json:\d+: \/ports\/1\/mac: ff:ff:ff:ff:ff:ff is the broadcast address/.test(l)), lines.join("\n"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("every shipped failover scenario states what it must show (expect); our files use documentation addresses", () => {
  for (const f of SHIPPED) {
    const { scenario } = loadScenario(path.join(SCENARIOS_DIR, f));
    assert.ok(scenario.expect?.activeAtEnd && scenario.expect.maxLost !== undefined, `${f}: expect`);
    for (const h of scenario.hosts) {
      assert.ok(isDocumentationIPv4(h.ipv4), `${f}: ${h.ipv4}`);
      assert.ok(isLocallyAdministered(h.mac), `${f}: ${h.mac}`);
    }
  }
});

test("every fixture is used, and every field of the schema is documented in docs/chassis.md", () => {
  const fixtures = fs.readdirSync(FIXTURES).sort();
  assert.equal(fixtures, BROKEN.map(([f]) => f).sort());
  const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "chassis.md"), "utf8");
  const names = schemaFieldNames(SCENARIO_SCHEMA);
  for (const n of names) assert.ok(doc.includes(`\`${n}\``), `docs/chassis.md does not mention \`${n}\``);
});

test.run();
