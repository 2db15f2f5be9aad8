// Board files: the shipped boards validate and form one consistent chassis; broken files are
// refused with every problem at once — file, line, column, JSON Pointer, what was expected
// and the schema's description of the field; any real unicast address is accepted; the
// schema's fields are all documented in docs/boards.md.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { loadBoard, validateBoard, boardProblems, BOARDS_DIR, SCHEMA_FILE } from "../host/board/load";
import { BoardError, Board } from "../host/board/board";
import { isDocumentationIPv4, isDocumentationIPv6, isLocallyAdministered } from "./helpers/addresses";

const SHIPPED = fs.readdirSync(BOARDS_DIR).filter((f) => f.endsWith(".json") && !f.endsWith("schema.json")).sort();
const FIXTURES = path.join(__dirname, "fixtures", "boards");
const boards: Board[] = SHIPPED.map((f) => loadBoard(path.join(BOARDS_DIR, f)));
const byId = new Map(boards.map((b) => [b.id, b]));
const raw = JSON.parse(fs.readFileSync(path.join(BOARDS_DIR, "linecard-a.json"), "utf8"));

/** The problems of linecard-a after a change, as "pointer: message" lines. */
function problems(mutate: (b: any) => void): string[] {
  const b = JSON.parse(JSON.stringify(raw));
  mutate(b);
  return boardProblems(b).map((p) => `${p.path}: ${p.message}`);
}

test("the shipped boards: linecard-a (e1000), linecard-b (i210-like, own fault queue) and a host, one chassis", () => {
  assert.equal(SHIPPED, ["host.json", "linecard-a.json", "linecard-b.json"]);
  for (const b of boards) assert.is(`${b.id}.json`, path.basename(b.file), "the file is named after the id");
  assert.equal(new Set(boards.map((b) => b.chassis)), new Set(["chassis-1"]));
  assert.is(byId.get("linecard-a")!.nic.model, "e1000");
  assert.is(byId.get("linecard-a")!.nic.faultQueue, null);
  assert.is(byId.get("linecard-b")!.nic.model, "i210");
  assert.is(byId.get("linecard-b")!.nic.faultQueue, 1);
  assert.is(byId.get("host")!.role, "host");
});

test("the chassis is consistent: partners exist and point back, peers pair up, units and MACs are unique", () => {
  for (const b of boards) {
    for (const p of b.ports) {
      const [pid, pport] = p.link.partner.split("/");
      const other = byId.get(pid);
      assert.ok(other, `${b.id}/${p.name}: partner board ${pid} is not shipped`);
      const op = other!.ports.find((x) => x.name === pport);
      assert.ok(op, `${b.id}/${p.name}: ${pid} has no port ${pport}`);
      assert.is(op!.link.partner, `${b.id}/${p.name}`, `${pid}/${pport} does not point back`);
    }
    if (b.peer) assert.is(byId.get(b.peer)?.peer, b.id, `${b.id}'s peer does not name it back`);
  }
  const macs = boards.flatMap((b) => b.ports.map((p) => p.mac));
  assert.is(new Set(macs).size, macs.length, "MACs unique in the chassis");
  assert.is(new Set(boards.map((b) => b.unit)).size, boards.length, "units unique");
  const vips = (id: string) => byId.get(id)!.vips.map((v) => v.ipv4 ?? v.ipv6).sort();
  assert.equal(vips("linecard-a"), vips("linecard-b"));
});

test("our own board files use documentation addresses and locally administered MACs (the project's rule, not the product's)", () => {
  const files = [...SHIPPED.map((f) => path.join(BOARDS_DIR, f)), path.join(BOARDS_DIR, "appliance", "lb-a.json"), path.join(__dirname, "..", "scenarios", "boards", "linecard-a-dual.json")];
  for (const f of files) {
    const b = loadBoard(f);
    for (const p of b.ports) {
      assert.ok(isLocallyAdministered(p.mac), `${f}: ${p.mac}`);
      for (const a of p.ipv4) assert.ok(isDocumentationIPv4(a), `${f}: ${a}`);
      for (const a of p.ipv6) assert.ok(isDocumentationIPv6(a), `${f}: ${a}`);
    }
    for (const v of b.vips) assert.ok(v.ipv4 ? isDocumentationIPv4(v.ipv4) : isDocumentationIPv6(v.ipv6!), `${f}: VIP`);
  }
});

test("real deployments: any unicast address and MAC is accepted (nothing is sent: validation only)", () => {
  // Addresses outside the ranges the shipped boards use: 198.18.0.0/15 (RFC 2544) and
  // 3fff::/20 (RFC 9637) — the validator must not be limited to 192.0.2.0/24 or 2001:db8::/32.
  assert.equal(problems((b) => {
    b.ports[1].mac = "00:00:5E:00:53:01"; // universally administered (RFC 7042's documentation block), upper case
    b.ports[0].ipv4 = ["198.18.30.1/30"];
    b.ports[0].ipv6 = ["3fff:0:1:2::1/64"];
    b.ports[1].ipv4 = ["198.19.5.2/24"];
    b.ports[1].ipv6 = ["3fff:0:4001::2/64"];
    b.vips = [{ port: "fp0", ipv4: "198.19.5.1" }, { port: "fp0", ipv6: "3fff:0:4001::1" }];
    for (const v of b.dialects?.vrrp ?? []) v.vips = [v.vips[0].includes(":") ? "3fff:0:4001::1" : "198.19.5.1"];
  }), []);
  const b = JSON.parse(JSON.stringify(raw));
  b.ports[1].mac = "00:00:5E:00:53:01";
  validateBoard("x.json", b);
});

test("refused: multicast, broadcast and zero MACs; loopback, multicast, network and broadcast addresses", () => {
  const one = (mutate: (b: any) => void) => problems(mutate).join("\n");
  assert.match(one((b) => (b.ports[1].mac = "01:00:5e:00:00:01")), /\/ports\/1\/mac: 01:00:5e:00:00:01 is a multicast address \(the I\/G bit/);
  assert.match(one((b) => (b.ports[1].mac = "ff:ff:ff:ff:ff:ff")), /\/ports\/1\/mac: ff:ff:ff:ff:ff:ff is the broadcast address: a source MAC must be unicast/);
  assert.match(one((b) => (b.ports[1].mac = "00:00:00:00:00:00")), /is all zeros/);
  assert.match(one((b) => (b.ports[1].mac = "02:00:00:0a:00")), /\/ports\/1\/mac: not a MAC address/);
  assert.match(one((b) => (b.ports[1].ipv4 = ["127.0.0.2/24"])), /\/ports\/1\/ipv4\/0: 127\.0\.0\.2 is a loopback address/);
  assert.match(one((b) => (b.ports[1].ipv4 = ["224.0.0.5/24"])), /is a multicast address \(224\.0\.0\.0\/4\)/);
  assert.match(one((b) => (b.ports[1].ipv4 = ["192.0.2.0/24"])), /192\.0\.2\.0 is the network address of \/24/);
  assert.match(one((b) => (b.ports[1].ipv4 = ["192.0.2.255/24"])), /192\.0\.2\.255 is the broadcast address of \/24/);
  assert.match(one((b) => (b.ports[1].ipv6 = ["ff02::1/64"])), /\/ports\/1\/ipv6\/0: ff02::1 is a multicast address/);
  assert.match(one((b) => (b.vips[0].ipv4 = "0.0.0.0")), /\/vips\/0\/ipv4: 0\.0\.0\.0 is in 0\.0\.0\.0\/8/);
});

test("checks across the board: itself as peer, a link to its own port, a VIP off its port's subnet, one address on two ports", () => {
  const one = (mutate: (b: any) => void) => problems(mutate).join("\n");
  assert.match(one((b) => (b.peer = "linecard-a")), /\/peer: "linecard-a" is this board itself/);
  assert.match(one((b) => (b.ports[1].link.partner = "linecard-a/fp0")), /\/ports\/1\/link\/partner: linecard-a\/fp0 is this port itself/);
  assert.match(one((b) => (b.vips[0].ipv4 = "198.51.100.1")), /\/vips\/0\/ipv4: 198\.51\.100\.1 is outside the subnets of port fp0 \(192\.0\.2\.2\/24\)/);
  assert.match(one((b) => (b.vips[1].ipv6 = "2001:db8:2::1")), /\/vips\/1\/ipv6: 2001:db8:2::1 is outside the subnets of port fp0/);
  assert.match(one((b) => (b.vips[0].port = "bp0")), /\/vips\/0\/ipv4: 192\.0\.2\.1 is outside the subnets of port bp0/);
  assert.match(one((b) => (b.ports[0].ipv4 = ["192.0.2.2/24"])), /\/ports\/1\/ipv4\/0: 192\.0\.2\.2 is also the address of \/ports\/0\/ipv4\/0/);
  assert.match(one((b) => (b.ports[0].ipv6 = ["2001:db8:1:0::2/64"])), /\/ports\/1\/ipv6\/0: 2001:db8:1::2 is also the address of \/ports\/0\/ipv6\/0/);
  assert.match(one((b) => (b.vips[0].ipv4 = "192.0.2.2")), /\/vips\/0\/ipv4: 192\.0\.2\.2 is the address of \/ports\/1\/ipv4\/0/);
  assert.match(one((b) => delete b.ports[1].ipv6), /\/vips\/1\/ipv6: port fp0 has no IPv6 address/);
  assert.match(one((b) => (b.ports[1].name = "bp0")), /\/ports\/1\/name: "bp0" is also the name of \/ports\/0/);
  assert.match(one((b) => (b.ports[1].mac = b.ports[0].mac.toUpperCase())), /\/ports\/1\/mac: .* is also the MAC of \/ports\/0/);
  assert.match(one((b) => (b.vips[0].port = "fp9")), /\/vips\/0\/port: "fp9" is not a port/);
  assert.match(one((b) => (b.dma.fault = "0x100400000")), /\/dma\/fault: .*overlaps/);
});

test("every problem at once, schema and semantic together, in file order, with line, column and the schema's description", () => {
  const f = path.join(FIXTURES, "many-problems.json");
  const err = (() => { try { loadBoard(f); } catch (e) { return e; } })() as BoardError;
  assert.instance(err, BoardError);
  const got = err.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
  const expect: [string, RegExp][] = [
    ["/peer", /is this board itself/],
    ["/nic/queues", /is not a known field/],
    ["/rings/tx", /must be integer/],
    ["/rings/fault", /must be <= 64/],
    ["/ports/0/mac", /is a multicast address/],
    ["/ports/0/link/partner", /is this port itself/],
    ["/ports/1/ipv4/0", /is also the address of \/ports\/0\/ipv4\/0/],
    ["/ports/1/role", /must be one of "backplane", "front", "uplink", "host"/],
    ["/vips/0/ipv4", /is outside the subnets of port fp0/],
  ];
  assert.is(got.length, expect.length, got.join("\n"));
  expect.forEach(([ptr, msg], i) => {
    assert.is(err.problems[i].path, ptr, got.join("\n"));
    assert.match(err.problems[i].message, msg);
  });
  const text = fs.readFileSync(f, "utf8").split("\n");
  for (const p of err.problems) {
    const key = p.path.split("/").pop()!;
    assert.ok(text[p.line! - 1].slice(p.column! - 1).startsWith(/^\d+$/.test(key) ? "" : `"${key}"`), `${p.path} at ${p.line}:${p.column}`);
  }
  const lines = err.problems.map((p) => p.line!);
  assert.equal(lines, [...lines].sort((a, b) => a - b), "file order");
  assert.match(err.problems.find((p) => p.path === "/ports/0/mac")!.description!, /unicast/);
  assert.match(err.problems.find((p) => p.path === "/rings/fault")!.description!, /fault core's own TX ring/);
  assert.ok(err.first.startsWith(`${f}:${err.problems[0].line}:${err.problems[0].column}: /peer: `), err.first);
});

/** Fixture -> the first problem's path and message. */
const BROKEN: [string, string, RegExp][] = [
  ["wrong-type.json", "/rings/tx", /must be integer/],
  ["bad-mac.json", "/ports/1/mac", /01:00:5e:00:00:fb is a multicast address/],
  ["unknown-field.json", "/nic/queues", /not a known field \(a misspelling\? known: model, txQueues, faultQueue\)/],
  ["loopback-address.json", "/ports/1/ipv4/0", /127\.0\.0\.2 is a loopback address/],
  ["e1000-fault-queue.json", "/nic/faultQueue", /must be null/],
  ["missing-fault-queue.json", "/nic/faultQueue", /queue 3 does not exist/],
];
for (const [file, pointer, message] of BROKEN) {
  test(`${file}: refused at the schema step, naming the file, line and column, ${pointer} and what was expected`, () => {
    const f = path.join(FIXTURES, file);
    const err = (() => { try { loadBoard(f); } catch (e) { return e; } })() as BoardError;
    assert.instance(err, BoardError);
    assert.is(err.step, "schema");
    assert.is(err.problems[0].path, pointer);
    assert.match(err.problems[0].message, message);
    assert.match(err.first, new RegExp(`^${f.replace(/[.]/g, "\\.")}:\\d+:\\d+: ${pointer}: `));
  });
}

test("a missing, empty, directory or malformed file is refused at the load step, malformed with its line and column", () => {
  const err = (f: string) => (() => { try { loadBoard(f); } catch (e) { return e; } })() as BoardError;
  const m = err(path.join(FIXTURES, "malformed.json"));
  assert.is(m.step, "load");
  assert.match(m.first, /malformed\.json:4:\d+: \/: not valid JSON \(line 4 column \d+\): /);
  assert.match(err("no/such/board.json").first, /no such file/);
  assert.match(err(FIXTURES).first, /is a directory/);
  const empty = path.join(require("os").tmpdir(), `lg-empty-${process.pid}.json`);
  fs.writeFileSync(empty, "  \n");
  try {
    assert.match(err(empty).first, /is empty/);
  } finally {
    fs.rmSync(empty);
  }
});

test("docs/boards.md documents every field of the schema; the schema describes every field", () => {
  const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "boards.md"), "utf8");
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8"));
  const names = new Set<string>();
  const walk = (s: any) => {
    if (!s || typeof s !== "object") return;
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      if (k !== "$schema") names.add(k);
      walk(v);
    }
    walk(s.items);
  };
  walk(schema);
  for (const n of names) assert.ok(doc.includes(`\`${n}\``), `docs/boards.md does not mention \`${n}\``);
});

test.run();
