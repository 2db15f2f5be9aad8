// Board files: the shipped boards validate and form one consistent chassis; broken files are
// refused with the file, the JSON Pointer and what was expected; the schema's fields are all
// documented in docs/boards.md.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { loadBoard, validateBoard, BOARDS_DIR, SCHEMA_FILE } from "../host/board/load";
import { BoardError, Board } from "../host/board/board";
import { checkIPv4, checkIPv6 } from "../host/board/validate";

const SHIPPED = fs.readdirSync(BOARDS_DIR).filter((f) => f.endsWith(".json") && f !== "schema.json").sort();
const FIXTURES = path.join(__dirname, "fixtures", "boards");
const boards: Board[] = SHIPPED.map((f) => loadBoard(path.join(BOARDS_DIR, f)));
const byId = new Map(boards.map((b) => [b.id, b]));

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
  // The HA pair announces the same service addresses.
  const vips = (id: string) => byId.get(id)!.vips.map((v) => v.ipv4 ?? v.ipv6).sort();
  assert.equal(vips("linecard-a"), vips("linecard-b"));
});

test("only documentation addresses (RFC 5737, RFC 2544, RFC 3849) and locally administered MACs", () => {
  for (const b of boards) {
    for (const p of b.ports) {
      assert.ok(/^[0-9a-f][26ae]:/.test(p.mac), p.mac);
      for (const a of p.ipv4) assert.is(checkIPv4(a, true), undefined);
      for (const a of p.ipv6) assert.is(checkIPv6(a, true), undefined);
    }
  }
  assert.is(checkIPv4("198.19.255.1", false), undefined, "198.18.0.0/15 covers 198.19");
  assert.match(checkIPv4("198.20.0.1", false)!, /not a documentation address/);
  assert.match(checkIPv6("2001:db9::1", false)!, /2001:db8::\/32/);
  assert.match(checkIPv4("192.0.2.1/33", true)!, /prefix length/);
});

/** Fixture -> the first problem's path and message. */
const BROKEN: [string, string, RegExp][] = [
  ["wrong-type.json", "/rings/tx", /must be integer/],
  ["bad-mac.json", "/ports/1/mac", /must match pattern "\^\[0-9a-f\]\[26ae\]/],
  ["unknown-field.json", "/nic/queues", /not a known field/],
  ["not-documentation.json", "/ports/1/ipv4/0", /127\.0\.0\.2 is not a documentation address/],
  ["e1000-fault-queue.json", "/nic/faultQueue", /must be null/],
  ["missing-fault-queue.json", "/nic/faultQueue", /queue 3 does not exist/],
];
for (const [file, pointer, message] of BROKEN) {
  test(`${file}: refused at the schema step, naming the file, ${pointer} and what was expected`, () => {
    const f = path.join(FIXTURES, file);
    const err = (() => { try { loadBoard(f); } catch (e) { return e; } })() as BoardError;
    assert.instance(err, BoardError);
    assert.is(err.step, "schema");
    assert.is(err.problems[0].path, pointer);
    assert.match(err.problems[0].message, message);
    assert.ok(err.first.startsWith(`${f}: ${pointer}: `), err.first);
  });
}

test("malformed JSON is refused at the load step with its line and column", () => {
  const f = path.join(FIXTURES, "malformed.json");
  const err = (() => { try { loadBoard(f); } catch (e) { return e; } })() as BoardError;
  assert.instance(err, BoardError);
  assert.is(err.step, "load");
  assert.match(err.first, /malformed\.json: \/: not valid JSON \(line 4 column \d+\)/);
  const missing = (() => { try { loadBoard("no/such/board.json"); } catch (e) { return e; } })() as BoardError;
  assert.is(missing.step, "load");
  assert.match(missing.first, /no such file/);
});

test("semantic checks a schema cannot make: duplicate names and MACs, a VIP on no port, overlapping DMA windows", () => {
  const raw = JSON.parse(fs.readFileSync(path.join(BOARDS_DIR, "linecard-a.json"), "utf8"));
  const problems = (mutate: (b: any) => void) => {
    const b = JSON.parse(JSON.stringify(raw));
    mutate(b);
    try {
      validateBoard("x.json", b);
      return [];
    } catch (e) {
      return (e as BoardError).problems.map((p) => `${p.path}: ${p.message}`);
    }
  };
  assert.equal(problems(() => {}), []);
  assert.match(problems((b) => (b.ports[1].name = "bp0")).join("\n"), /\/ports\/1\/name: "bp0" is also the name of \/ports\/0/);
  assert.match(problems((b) => (b.ports[1].mac = b.ports[0].mac)).join("\n"), /\/ports\/1\/mac: .* is also the MAC/);
  assert.match(problems((b) => (b.vips[0].port = "fp9")).join("\n"), /\/vips\/0\/port: "fp9" is not a port/);
  assert.match(problems((b) => (b.dma.fault = "0x100400000")).join("\n"), /\/dma\/fault: .*overlaps/);
  assert.match(problems((b) => (b.vips[1].ipv6 = "2001:db8:::1")).join("\n"), /\/vips\/1\/ipv6: not an IPv6 address/);
  assert.match(problems((b) => (b.rings.fault = 72)).join("\n"), /\/rings\/fault: must be <= 64/);
  assert.match(problems((b) => (b.rings.rx = 100)).join("\n"), /\/rings\/rx: must be multiple of 8/);
  assert.match(problems((b) => (b.dma.os = "0x100000001")).join("\n"), /\/dma\/os: must match pattern/);
  assert.match(problems((b) => delete b.ports[0].mac).join("\n"), /\/ports\/0\/mac: is required/);
  assert.match(problems((b) => (b.nic.model = "e100")).join("\n"), /\/nic\/model: must be one of "e1000", "i210"/);
  assert.match(problems((b) => (b.sim = { linkUpAfterUs: "soon" })).join("\n"), /\/sim\/linkUpAfterUs: must be integer or must be "never"/);
});

test("docs/boards.md documents every field of the schema", () => {
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
