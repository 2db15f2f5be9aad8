// `lastgasp demo --scenario FILE` as a user runs it: the loadbalance scenario's report as text
// and as JSON (its shape), captures with --pcap-dir, and bad input (exit 2, one line naming
// the argument or the JSON Pointer of the bad field).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { tmpDir } from "./helpers/tshark";
import { spawnCli, runCliInProcess, ROOT } from "./helpers/cli";

const dir = tmpDir("lb-cli");
const run = (...args: string[]) => spawnCli(args);

/** A shorter copy of the shipped scenario, next to it (the board path is relative to the file). */
function shortScenario(name: string, patch: (s: any) => void = () => {}): string {
  const s = JSON.parse(fs.readFileSync(path.join(ROOT, "scenarios", "loadbalance.json"), "utf8"));
  s.durationMs = 700;
  s.events = [{ atMs: 300, action: "remove", backend: "web4" }, { atMs: 500, action: "fail", backend: "web2" }];
  s.board = path.join(ROOT, "boards", "appliance", "lb-a.json");
  patch(s);
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify(s));
  return f;
}

test("--json: the report's shape", () => {
  const file = shortScenario("short.json");
  const caps = path.join(dir, "json-pcaps");
  const r = run("demo", "--scenario", file, "--json", "--pcap-dir", caps);
  assert.is(r.code, 0, r.err + r.out.slice(0, 2000));
  const j = JSON.parse(r.out);
  assert.is(j.kind, "loadbalance");
  assert.is(j.file, file);
  assert.is(j.ok, true);
  for (const k of ["seed", "simulatedMs", "cores", "strategy", "backends", "phases", "flips", "connections", "lineCard", "engine", "nics", "loadReports", "pcaps", "checks"]) assert.ok(k in j, k);
  assert.equal(j.checks.map((c: any) => Object.keys(c).sort()), j.checks.map(() => ["detail", "name", "ok"]));
  assert.equal(j.phases.map((p: any) => p.label), ["start", "remove web4", "fail web2"]);
  for (const p of j.phases) for (const k of ["fromMs", "toMs", "newFlows", "perBackend", "actualShare", "expectedShare", "maxDeviation", "bound"]) assert.ok(k in p, k);
  for (const f of j.flips) for (const k of ["atMs", "reason", "moved", "needless", "slots", "shares"]) assert.ok(k in f, k);
  assert.equal(Object.keys(j.connections).sort(), ["completed", "echoReplies", "established", "moved", "movedFromFailed", "opened", "resetByBackend", "strayResets", "strays", "unanswered"]);
  for (const k of ["forwarded", "replies", "rstsSent", "drops", "dropReasons", "punts", "puntsByApp", "injected", "connectionsLive", "switchCounters"]) assert.ok(k in j.lineCard, k);
  assert.is(j.engine.length, 2);
  for (const k of ["polls", "rx", "forward", "answer", "punt", "drop", "tx_full", "zero_copy", "copied", "inject", "tdt", "rdt", "tx_port0", "tx_port1"]) assert.ok(k in j.engine[0], k);
  assert.equal(j.backends.map((b: any) => [b.name, b.state]), [["web1", "up"], ["web2", "down"], ["web3", "up"], ["web4", "removed"]]);
  assert.ok(j.pcaps.length >= 2 && j.pcaps.every((f: string) => f.startsWith(caps) && fs.existsSync(f)), "one capture per link, in --pcap-dir");
});

test("text report and --pcap-dir: a table per phase, the flips, the checks, one capture per link", () => {
  const file = shortScenario("short2.json", (s) => (s.cores = 1));
  const pcaps = path.join(dir, "pcaps");
  const r = run("demo", "--scenario", file, "--pcap-dir", pcaps);
  assert.is(r.code, 0, r.err + r.out);
  assert.match(r.out, /^loadbalance: .*short2\.json \(seed 1\): \d+ ms simulated, 1 switching core, least-load over 4 back ends/);
  assert.match(r.out, /0-300 ms start/);
  assert.match(r.out, /remove web4 +\d+\.\d% of 65537 slots moved, \d+\.\d% between remaining back ends/);
  assert.match(r.out, /connections: opened \d+ \(tcp \d+, udp \d+\)/);
  assert.match(r.out, /ok   sticky: 0 connections changed back end/);
  assert.match(r.out, /result: ok$/m);
  assert.equal(fs.readdirSync(pcaps).sort(), ["lb-a.clients.pcap", "lb-a.servers.pcap", "web1.pcap", "web2.pcap", "web3.pcap", "web4.pcap"]);
});

test("a failed check exits 1: a line card that loses frames", () => {
  // a TX ring of 8 on both ports and a poll every 5 ms: the rings overflow, no-loss fails
  const board = JSON.parse(fs.readFileSync(path.join(ROOT, "boards", "appliance", "lb-a.json"), "utf8"));
  board.rings = { tx: 8, rx: 8, fault: 8 };
  fs.writeFileSync(path.join(dir, "tiny-rings.json"), JSON.stringify(board));
  const file = shortScenario("lossy.json", (s) => {
    s.board = path.join(dir, "tiny-rings.json");
    s.pollIntervalUs = 5000;
  });
  const r = run("demo", "--scenario", file);
  assert.is(r.code, 1, r.err + r.out);
  assert.match(r.out, /FAIL no-loss/);
  assert.match(r.out, /result: FAILED$/m);
});

test("bad input through the bin script: exit 2 and one line naming the file, line, column and field", () => {
  const r = run("demo", "--scenario", shortScenario("ip.json", (s) => (s.backends[0].ip = "127.0.0.3")));
  assert.is(r.code, 2, r.err);
  assert.match(r.err, /^lastgasp demo: .*ip\.json:1:\d+: \/backends\/0\/ip: 127\.0\.0\.3 is a loopback address \(127\.0\.0\.0\/8\): not on any port\n$/);
});

/** main() in this process (the bin script's start-up costs seconds a spawn): exit code and output. */
async function inProcess(...args: string[]) {
  const r = await runCliInProcess(args);
  return { ...r, out: r.out.trimEnd(), err: r.err.trimEnd() };
}

test("bad input: exit 2 and one line naming the argument or the field", async () => {
  fs.writeFileSync(path.join(dir, "broken.json"), "{ \"kind\": ");
  const cases: [string[], RegExp][] = [
    [["demo", "--scenario", "no/such.json"], /^lastgasp demo: no\/such\.json: \/: no such file$/],
    [["demo", "--scenario", shortScenario("kind.json", (s) => (s.kind = "tour"))], /^lastgasp demo: .*kind\.json: \/kind: "tour" is not a known scenario kind/],
    [["demo", "--scenario", shortScenario("event.json", (s) => (s.events[0].backend = "web7"))], /^lastgasp demo: .*event\.json:1:\d+: \/events\/0\/backend: "web7" is not a back end/],
    [["demo", "--scenario", path.join(dir, "broken.json")], /^lastgasp demo: .*broken\.json:1:\d+: \/: not valid JSON/],
    [["demo", "--scenario", ""], /--scenario: needs a value/],
    [["demo", "--scenario", "x.json", "--pcap", "y.pcap"], /--pcap: unknown option/],
  ];
  for (const [args, msg] of cases) {
    const r = await inProcess(...args);
    assert.is(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.is(r.err.split("\n").length, 1, r.err);
    assert.match(r.err, msg);
  }
});

test("demo --help documents --scenario", async () => {
  const r = await inProcess("demo", "--help");
  assert.is(r.code, 0);
  assert.match(r.out, /--scenario FILE/);
  assert.match(r.out, /--out DIR/);
  assert.match(r.out, /--no-pcap/);
});

test.run();
