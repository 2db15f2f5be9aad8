// The loadbalance scenario on the virtual board (host/switch/scenario.ts): clients, the line
// card's switching path driven by the packet engine over the NIC models, back ends with load
// agents, the control processor flipping A/B tables. The shipped scenario passes all its
// checks; spread follows the weights within a stated tolerance over many flows; connections
// stick across flips; removing one of N back ends with Maglev moves about 1/N of the table;
// every capture's checksums are Good to tshark; the same seed gives the same captures.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { validate, run, format, ScenarioError, LoadbalanceSpec, LoadbalanceReport } from "../host/switch/scenario";
import { bringup } from "../host/board/bringup";
import { requireTshark, tmpDir, fields, NO_TCP_ANALYSIS } from "./helpers/tshark";

const FILE = path.join(__dirname, "..", "scenarios", "loadbalance.json");
const SHIPPED: LoadbalanceSpec = JSON.parse(fs.readFileSync(FILE, "utf8"));
const variant = (patch: (s: LoadbalanceSpec) => void): LoadbalanceSpec => {
  const s = structuredClone(SHIPPED);
  patch(s);
  return s;
};
const runSpec = (s: LoadbalanceSpec, pcapDir?: string) => run(validate(s, FILE), { pcapDir });

// Wireshark's severities (epan/proto.h): warning 0x600000, error 0x800000.
const EXPERT_FILTER = "_ws.malformed || _ws.expert.severity >= 0x800000 || (_ws.expert.severity >= 0x600000 && tcp.flags.reset == 0)";

requireTshark();
const dir = tmpDir("loadbalance");
let shipped: LoadbalanceReport;

test("the shipped scenario passes every check: spread, stickiness across flips, failover, strays, rewrite, no loss", () => {
  shipped = runSpec(SHIPPED, path.join(dir, "shipped"));
  const failed = shipped.checks.filter((c) => !c.ok);
  assert.equal(failed, [], format(shipped));
  assert.is(shipped.ok, true);
  assert.equal(shipped.checks.map((c) => c.name), ["spread", "sticky", "failover", "answered", "rewrite", "consistent", "strays", "no-loss"]);
  // the phases are the start and the three events, in order
  assert.equal(shipped.phases.map((p) => p.label), ["start", "web1 weight 2", "remove web4", "fail web2"]);
  const [start, , removed, fail] = shipped.phases;
  assert.ok(start.newFlows > 1000);
  // least-load with capacity proportional to weight: the first phase spreads 1:1:2:2
  for (const [n, w] of [["web1", 1 / 6], ["web2", 1 / 6], ["web3", 2 / 6], ["web4", 2 / 6]] as const) {
    assert.ok(Math.abs(start.actualShare[n] - w) < 0.04, `${n}: ${start.actualShare[n]} vs ${w}`);
  }
  assert.is(removed.perBackend.web4, 0, "no new flow to a removed back end");
  assert.is(fail.perBackend.web2 + fail.perBackend.web4, 0);
  // many flips, no connection moved but the failed back end's
  const loadFlips = shipped.flips.filter((f) => f.reason === "load reports").length;
  assert.ok(loadFlips >= 5, `${loadFlips} flips on load reports`);
  const k = shipped.connections;
  assert.ok(k.moved > 0 && k.moved === k.movedFromFailed, `moved ${k.moved}, from the failed back end ${k.movedFromFailed}`);
  assert.ok(k.resetByBackend > 0 && k.resetByBackend <= k.movedFromFailed);
  assert.is(k.unanswered, 0);
  assert.is(k.completed.tcp + k.completed.udp + k.resetByBackend, k.opened.tcp + k.opened.udp, "every flow completed or was reset");
  // the line card answered the strays and punted the load reports
  assert.is(shipped.lineCard.rstsSent, k.strays.tcp);
  assert.is(shipped.lineCard.dropReasons.drop_udp_no_service, k.strays.udp);
  assert.ok(shipped.loadReports > 100);
  assert.is(shipped.lineCard.puntsByApp["load-reports"], shipped.loadReports);
  // both cores worked: core 0 the clients' port, core 1 the servers' port and the punt ring
  const [c0, c1] = shipped.engine;
  assert.ok(c0.rx > 10000 && c1.rx > 10000);
  assert.is(c0.inject, 0);
  assert.ok(c1.inject > 30);
  assert.ok(c0.zero_copy > 10000 && c1.zero_copy > 10000);
});

test("every frame in every capture: IP, TCP, UDP and ICMP checksums Good to tshark, no malformed packet", () => {
  const files = fs.readdirSync(path.join(dir, "shipped")).sort();
  assert.equal(files, ["lb-a.clients.pcap", "lb-a.servers.pcap", "web1.pcap", "web2.pcap", "web3.pcap", "web4.pcap"]);
  let frames = 0;
  for (const f of files) {
    const file = path.join(dir, "shipped", f);
    const rows = fields(file, ["frame.number", "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "icmp.checksum.status", "arp.opcode"]);
    for (const r of rows) {
      const statuses = [r["ip.checksum.status"], r["tcp.checksum.status"], r["udp.checksum.status"], r["icmp.checksum.status"]].filter((x) => x !== "");
      assert.ok(r["arp.opcode"] !== "" || statuses.length >= 2, `${f} frame ${r["frame.number"]}: not ARP and no L4 checksum checked`);
      assert.ok(statuses.every((x) => x === "1"), `${f} frame ${r["frame.number"]}: checksum status ${statuses}`); // 1 = Good
    }
    // malformed frames and expert errors or warnings (a RST is expected: failover, strays;
    // tshark notes each as a warning). A display filter: -T json over 80,000 frames is slow.
    const bad = fields(file, ["frame.number", "_ws.expert.message"], [...NO_TCP_ANALYSIS, "-d", "udp.port==8080,dns", "-Y", EXPERT_FILTER]);
    assert.equal(bad, [], `${f}: ${JSON.stringify(bad.slice(0, 3))}`);
    if (f === "lb-a.clients.pcap") {
      // the filter sees expert info at all: the RSTs' warnings are there
      const rsts = fields(file, ["frame.number"], [...NO_TCP_ANALYSIS, "-Y", "_ws.expert.severity >= 0x600000 && tcp.flags.reset == 1"]);
      assert.is(rsts.length, shipped.connections.resetByBackend + shipped.connections.strayResets);
    }
    frames += rows.length;
  }
  assert.ok(frames > 60000, `${frames} frames checked`);
  // clients see only the VIP; the servers' link only the servers' own addresses and the clients
  const client = fields(path.join(dir, "shipped", "lb-a.clients.pcap"), ["ip.src", "ip.dst"]);
  assert.ok(client.every((r) => r["ip.src"] === "" || r["ip.src"] === "203.0.113.10" || r["ip.dst"] === "203.0.113.10"));
});

test("same seed, same captures and report; another seed, other captures", () => {
  const short = variant((s) => {
    s.durationMs = 900;
    s.events = [{ atMs: 300, action: "weight", backend: "web1", weight: 2 }, { atMs: 500, action: "remove", backend: "web4" }, { atMs: 700, action: "fail", backend: "web2" }];
  });
  const digest = (d: string) => fs.readdirSync(d).sort().map((f) => `${f}:${crypto.createHash("sha256").update(fs.readFileSync(path.join(d, f))).digest("hex")}`);
  const a = runSpec(short, path.join(dir, "a"));
  const b = runSpec(short, path.join(dir, "b"));
  assert.equal(digest(path.join(dir, "a")), digest(path.join(dir, "b")));
  const strip = (r: LoadbalanceReport) => JSON.stringify({ ...r, pcaps: [] });
  assert.is(strip(a), strip(b));
  const c = runSpec({ ...short, seed: 2 }, path.join(dir, "c"));
  assert.not.equal(digest(path.join(dir, "a")), digest(path.join(dir, "c")));
  assert.ok(a.ok && c.ok, format(a));
});

test("Maglev by weights 1:2:3:4 over 8,000 flows: each back end's share of new flows within 1.5 points of its weight", () => {
  const r = runSpec(variant((s) => {
    s.distribution = { strategy: "maglev", tableSize: 65537 };
    s.backends = s.backends.map((b, i) => ({ ...b, weight: i + 1 }));
    s.clients = { ...s.clients, newFlowsPerSec: 4000, requests: 1, requestIntervalMs: 10, strayPerSec: 0 };
    s.durationMs = 2000;
    s.events = [];
    s.cores = 1;
  }));
  assert.ok(r.ok, format(r));
  const [p] = r.phases;
  assert.ok(p.newFlows >= 7900, `${p.newFlows} flows`);
  const total = Object.values(p.perBackend).reduce((a, b) => a + b, 0);
  [1, 2, 3, 4].forEach((w, i) => {
    const share = p.perBackend[`web${i + 1}`] / total;
    assert.ok(Math.abs(share - w / 10) <= 0.015, `web${i + 1}: ${share.toFixed(4)} of new flows, weight share ${w / 10}`);
  });
  assert.is(r.flips.length, 1, "maglev: the table changes on events only");
});

test("Maglev: removing one of 5 back ends moves about 1/5 of the table, nothing between the others; live connections stay", () => {
  const r = runSpec(variant((s) => {
    s.distribution = { strategy: "maglev", tableSize: 65537 };
    s.backends = [1, 2, 3, 4, 5].map((i) => ({ name: `web${i}`, ip: `198.51.100.${10 + i}`, mac: `02:00:00:00:be:0${i}`, weight: 1, capacity: 500 }));
    s.events = [{ atMs: 600, action: "remove", backend: "web3" }];
    s.durationMs = 1200;
    s.clients = { ...s.clients, newFlowsPerSec: 2000, strayPerSec: 0 };
  }));
  assert.ok(r.ok, format(r));
  const flip = r.flips.find((f) => f.reason === "remove web3")!;
  const moved = flip.moved / flip.slots;
  assert.ok(moved > 0.18 && moved < 0.22, `${(moved * 100).toFixed(2)} % of slots moved, 1/N = 20 %`);
  assert.ok(flip.needless / flip.slots < 0.01, `${flip.needless} slots moved between remaining back ends`);
  assert.is(r.connections.moved, 0, "web3's connections drain where they are");
  assert.ok(r.phases[1].perBackend.web3 === 0 && r.phases[0].perBackend.web3 > 150);
});

test("WRR and one switching core: the same checks pass", () => {
  const r = runSpec(variant((s) => {
    s.distribution = { strategy: "wrr", tableSize: 1000 };
    s.cores = 1;
    s.durationMs = 1500;
    s.events = [{ atMs: 700, action: "remove", backend: "web3" }];
  }));
  assert.ok(r.ok, format(r));
  assert.is(r.engine.length, 1);
  assert.ok(r.engine[0].inject > 0 && r.engine[0].rx > 5000);
});

test("a failed back end noticed late: flows caught in the detection window are counted unanswered, all on it", () => {
  const r = runSpec(variant((s) => {
    s.durationMs = 1200;
    s.events = [{ atMs: 600, action: "fail", backend: "web3", detectMs: 100 }];
  }));
  assert.ok(r.ok, format(r));
  assert.ok(r.connections.unanswered > 0, "requests sent to a dead back end go unanswered");
  assert.ok(r.connections.movedFromFailed > 0);
});

test("the appliance's board file validates and brings up on the virtual board", () => {
  const r = bringup(path.join(__dirname, "..", "boards", "appliance", "lb-a.json"));
  assert.ok(r.ok, JSON.stringify(r.steps.filter((x) => x.status !== "pass")));
  assert.is(r.board, "lb-a");
});

const bad: [string, (s: any) => void, string, RegExp][] = [
  ["an unknown field", (s) => (s.clientz = 1), "/clientz", /not a known field/],
  ["a wrong kind", (s) => (s.kind = "failover"), "/kind", /must be "loadbalance"/],
  ["a loopback back end", (s) => (s.backends[1].ip = "127.0.0.2"), "/backends/1/ip", /127\.0\.0\.2 is a loopback address/],
  ["a multicast back-end MAC", (s) => (s.backends[1].mac = "01:00:5e:00:00:02"), "/backends/1/mac", /is a multicast address/],
  ["an event for no back end", (s) => (s.events[0].backend = "web9"), "/events/0/backend", /"web9" is not a back end/],
  ["a weight event without a weight", (s) => delete s.events[0].weight, "/events/0/weight", /is required/],
  ["a duplicate MAC", (s) => (s.backends[2].mac = s.backends[0].mac), "/backends/2/mac", /is also \/backends\/0\/mac/],
  ["a MAC of the line card", (s) => (s.router.mac = "02:00:00:1b:00:01"), "/router/mac", /MAC 02:00:00:1b:00:01 is also .*ports\/clients/],
  ["a client network with host bits set", (s) => (s.clients.network = "198.18.0.5/15"), "/clients/network", /host bits set/],
  ["a table size that is not prime", (s) => (s.distribution.tableSize = 65536), "/distribution/tableSize", /not prime/],
  ["a port the board lacks", (s) => (s.serverPort = "eth9"), "/serverPort", /"eth9" is not a port of lb-a/],
  ["a VIP the board does not have", (s) => (s.service.vip = "203.0.113.99"), "/service/vip", /not a VIP of lb-a/],
  ["a missing board", (s) => (s.board = "nowhere.json"), "/board", /no such file/],
  ["removing every back end", (s) => (s.events = s.backends.map((b: any) => ({ atMs: 100, action: "remove", backend: b.name }))), "/events/3", /no back end/],
];
for (const [what, patch, pointer, message] of bad) {
  test(`refused: ${what} (${pointer})`, () => {
    const e = (() => { try { validate(variant(patch), FILE); } catch (x) { return x; } })() as ScenarioError;
    assert.instance(e, ScenarioError);
    const p = e.problems.find((x) => x.path === pointer);
    assert.ok(p, `problems: ${JSON.stringify(e.problems)}`);
    assert.match(p!.message, message);
  });
}

test.run();
