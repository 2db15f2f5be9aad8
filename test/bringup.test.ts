// Bring-up: every shipped board passes every step; each broken fixture fails at the step its
// fault belongs to, with the core's status named; the CLI as a user runs it (exit codes,
// --json, --pcap read back by tshark).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { spawnCli, ROOT } from "./helpers/cli";
import { bringup, STEPS, BringupReport } from "../host/board/bringup";
import { requireTshark, tmpDir, fields } from "./helpers/tshark";

const FIX = "test/fixtures/boards";
const cli = (...args: string[]) => spawnCli(args);

function stepsOf(r: BringupReport) {
  return r.steps.map((s) => [s.step, s.status]);
}

for (const board of ["linecard-a", "linecard-b", "host"]) {
  test(`${board}: every bring-up step passes, in order`, () => {
    const r = bringup(path.join(ROOT, "boards", `${board}.json`));
    assert.is(r.ok, true, JSON.stringify(r.steps.filter((s) => s.status !== "pass")));
    assert.is(r.board, board);
    assert.equal(stepsOf(r), STEPS.map((s) => [s, "pass"]));
  });
}

test("linecard-b's fault path uses its own queue; linecard-a's resets queue 0 (and leads with a sacrificial copy)", () => {
  const b = bringup(path.join(ROOT, "boards", "linecard-b.json"));
  const fb = b.steps.find((s) => s.step === "fault-tx")!;
  for (const p of fb.ports!) assert.equal([p.path, p.leadCopy, p.deviceResets], ["own-queue", false, 0]);
  assert.match(fb.detail, /own TX queue 1 enabled \(QUEUE_ENABLE read back\)/);
  const a = bringup(path.join(ROOT, "boards", "linecard-a.json"));
  const fa = a.steps.find((s) => s.step === "fault-tx")!;
  for (const p of fa.ports!) assert.equal([p.path, p.leadCopy, p.cameBack], ["reset", true, 3]);
  // linecard-b's link comes up 2.5 ms after power-on: the link step waited for it.
  assert.equal(b.steps.find((s) => s.step === "link")!.ports!.map((p) => p.upAtUs), [3000, 3000]);
});

test("counters agree with the traffic: GPTC = frames sent, GOTC = their bytes with FCS, GPRC likewise", () => {
  const r = bringup(path.join(ROOT, "boards", "linecard-a.json"));
  const loop = r.steps.find((s) => s.step === "loopback")!.ports!;
  const wrap = r.steps.find((s) => s.step === "wrap")!.ports!;
  const counters = r.steps.find((s) => s.step === "counters")!.ports!;
  counters.forEach((c, i) => {
    const frames = (loop[i].frames as number) + (wrap[i].frames as number);
    assert.is(c.GPTC, frames);
    assert.is(c.GPRC, frames);
    assert.is(c.GOTC, c.GORC);
    assert.ok((c.GOTC as number) >= frames * 64);
  });
});

/** Fixture -> the step that must fail, the core status (if a core operation failed), a message pattern. */
const FIXTURES: [string, string, string | undefined, RegExp][] = [
  ["malformed.json", "load", undefined, /not valid JSON \(line 4/],
  ["wrong-type.json", "schema", undefined, /\/rings\/tx: must be integer/],
  ["bad-mac.json", "schema", undefined, /\/ports\/1\/mac: 01:00:5e:00:00:fb is a multicast address/],
  ["unknown-field.json", "schema", undefined, /\/nic\/queues: is not a known field/],
  ["loopback-address.json", "schema", undefined, /\/ports\/1\/ipv4\/0: 127\.0\.0\.2 is a loopback address/],
  ["e1000-fault-queue.json", "schema", undefined, /\/nic\/faultQueue: must be null/],
  ["missing-fault-queue.json", "schema", undefined, /\/nic\/faultQueue: queue 3 does not exist/],
  ["link-never-up.json", "link", "E_LINK_DOWN", /bp0: link: E_LINK_DOWN: STATUS\.LU still clear after 20 ms/],
  ["frozen-tdh.json", "loopback", "E_TX_HUNG", /bp0: transmit: E_TX_HUNG: TDH stayed at 0 with TDT at 9/],
  ["queue-enable-stuck.json", "loopback", "E_QUEUE_ENABLE_TIMEOUT", /bp0: TX init: E_QUEUE_ENABLE_TIMEOUT/],
  ["lossy-wire.json", "loopback", undefined, /bp0: loopback: \d of 9 frames came back \(first missing: #\d+/],
  ["fault-queue-dead.json", "fault-tx", "E_TX_HUNG", /bp0: fault-path takeover: E_TX_HUNG: own queue 1: TDH stayed at 0 .* 1 device reset/],
];
for (const [file, step, status, message] of FIXTURES) {
  test(`${file}: fails at ${step}${status ? ` with ${status}` : ""}, later steps skipped`, () => {
    const r = bringup(path.join(ROOT, FIX, file));
    assert.is(r.ok, false);
    assert.is(r.failedStep, step);
    const at = STEPS.indexOf(step as (typeof STEPS)[number]);
    assert.equal(stepsOf(r), STEPS.map((s, i) => [s, i < at ? "pass" : i === at ? "fail" : "skip"]));
    const failed = r.steps[at];
    assert.is(failed.error, status);
    assert.match(failed.detail, message);
  });
}

test("flaky-doorbell.json (3 lost TDT writes, link up 4 ms late) passes: the core rings again and waits", () => {
  const r = bringup(path.join(ROOT, FIX, "flaky-doorbell.json"));
  assert.is(r.ok, true, JSON.stringify(r.steps.find((s) => s.status === "fail")));
});

test("CLI: bringup BOARD --json exits 0 with every step passed (linecard-a; linecard-b also with --pcap, read back by tshark)", () => {
  requireTshark();
  const dir = tmpDir("bringup");
  try {
    for (const [board, extra] of [["linecard-a", []], ["linecard-b", ["--pcap", dir]]] as const) {
      const r = cli("bringup", `boards/${board}.json`, "--json", ...extra);
      assert.is(r.code, 0, r.err);
      const report = JSON.parse(r.out);
      assert.is(report.ok, true);
      assert.is(report.failedStep, null);
      assert.equal(report.steps.map((s: { step: string; status: string }) => [s.step, s.status]), STEPS.map((s) => [s, "pass"]));
    }
    // One capture per port; tshark reads the test frames and the fault path's ARP announcement.
    assert.equal(fs.readdirSync(dir).sort(), ["linecard-b.bp0.pcap", "linecard-b.fp0.pcap"]);
    const rows = fields(path.join(dir, "linecard-b.fp0.pcap"), ["eth.type", "arp.isannouncement", "arp.src.proto_ipv4"]);
    const arp = rows.filter((x) => x["eth.type"] === "0x0806");
    assert.is(arp.length, 4, "2 copies, each seen going out to the plug and coming back");
    for (const a of arp) assert.equal([a["arp.isannouncement"], a["arp.src.proto_ipv4"]], ["1", "192.0.2.1"]);
    assert.is(rows.filter((x) => x["eth.type"] === "0x88b5").length, 2 * (9 + 384));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a board with the schema's smallest rings passes every step (bring-up sends in batches the rings hold)", () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "boards", "schema.json"), "utf8"));
  const min = (k: string) => schema.properties.rings.properties[k].minimum as number;
  const dir = tmpDir("bringup-min");
  try {
    for (const id of ["linecard-a", "linecard-b"]) {
      const b = JSON.parse(fs.readFileSync(path.join(ROOT, "boards", `${id}.json`), "utf8"));
      b.rings = { tx: min("tx"), rx: min("rx"), fault: min("fault") };
      delete b.$schema;
      delete b.dialects; // 8 fault descriptors hold the gasp, not the dialects' copies too (validate.ts says so)
      const f = path.join(dir, `${id}.json`);
      fs.writeFileSync(f, JSON.stringify(b));
      const r = bringup(f);
      assert.is(r.ok, true, `${id} with rings ${JSON.stringify(b.rings)}: ${JSON.stringify(r.steps.find((x) => x.status === "fail"))}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("CLI: a board that cannot be used exits 2, every problem a line with file, line, column and pointer; a failed step exits 1", () => {
  const h = cli("bringup", `${FIX}/wrong-type.json`);
  assert.is(h.code, 2);
  assert.is(h.out, "");
  assert.equal(h.err.trim().split("\n"), ["lastgasp bringup: test/fixtures/boards/wrong-type.json:19:5: /rings/tx: must be integer"]);
  const many = cli("bringup", `${FIX}/many-problems.json`, "--json");
  assert.is(many.code, 2);
  assert.is(many.err.trim().split("\n").length, 9);
  const j = JSON.parse(many.out).error;
  assert.is(j.exitCode, 2);
  assert.is(j.problems.length, 9);
  assert.ok(j.problems.every((p: { file: string; line: number; column: number; path: string; message: string }) => p.file.endsWith("many-problems.json") && p.line > 0 && p.column > 0 && p.path.startsWith("/") && p.message));
  const f = cli("bringup", `${FIX}/link-never-up.json`);
  assert.is(f.code, 1);
  assert.match(f.out, /FAILED at step link/);
  const u = cli("bringup");
  assert.is(u.code, 2);
  assert.is(u.err.trim().split("\n").length, 1);
  assert.match(u.err, /missing argument \(usage: lastgasp bringup BOARD\.json/);
});

test.run();
