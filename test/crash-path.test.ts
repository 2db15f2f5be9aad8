// The native crash path (host/native/crash.c) without root: a unit on two linux ports whose
// soft e1000s write what they send into a pipe (test/fixtures/crash-unit.js), so this
// process, which outlives the unit, sees every frame its crash path put out.
//
//  - arming changes nothing: the rehearsal runs on a copy (the fault core's memory, the soft
//    e1000's registers and the wire are as before), and the translated core's data segments
//    never land on V8's memory; the translated core then reads V8's buffer itself, live;
//  - each death — a NULL store, abort(), V8's fatal heap exhaustion, a hang (watchdog), SIGILL,
//    SIGFPE, SIGBUS — puts the armed gasp out on every port (copies and the lead copy), which
//    the core's receiver accepts with the right cause, and the process still dies by its
//    signal; a V8 wasm trap in the armed process stays a RuntimeError; SIGKILL sends nothing;
//    an unrehearsed (cold) path works the same.
// On a real veth pair, in network namespaces, as root: test/linux-ports.test.ts.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { createHash } from "crypto";
import { ensureBuilt, ROOT } from "./helpers/cli";
import { tmpDir } from "./helpers/tshark";
import { receiver } from "../host/campaign/gasp-fixture";
import { loadBoard } from "../host/board/load";
import { openNativeBoard, type PortOpener } from "../host/board/native";
import { GaspSender } from "../host/gasp/gasp";
import { gaspPorts } from "../host/gasp/ports";
import { FaultEntry, EXCERPT } from "../host/fault/fault";
import { registerTable } from "../host/nic/e1000-regs";
import { Core } from "../host/core/core";
import * as G from "../assembly/shared/gasp";
import { STEP_DONE } from "../assembly/shared/regop";

const dir = tmpDir("crash-path");
const BOARD = path.join(dir, "unit-a.json");
fs.writeFileSync(BOARD, JSON.stringify({
  id: "unit-a", chassis: "chassis-1", role: "linecard", unit: 1,
  nic: { model: "e1000" },
  dma: { os: "0x100000000", fault: "0x200000000" },
  rings: { tx: 32, rx: 32, fault: 16 },
  ports: [
    { name: "bp0", kind: "linux", linux: { interface: "pipe0" }, role: "backplane", mac: "02:00:00:0a:00:01", link: { partner: "unit-b/bp0" } },
    { name: "fp0", kind: "linux", linux: { interface: "pipe1" }, role: "front", mac: "02:00:00:0a:00:02", link: { partner: "unit-b/fp0" } },
  ],
}));
const KEY_HEX = "5c".repeat(32);
const CHASSIS = 0x4c470001;
const UNIT = path.join(ROOT, "test", "fixtures", "crash-unit.js");

interface Death {
  code: number | null;
  signal: NodeJS.Signals | null;
  frames: Uint8Array[];
  line: { report: { v8TrapHandler: boolean; rehearsal: { result: number } | null }; wasmTrap: string };
  err: string;
}

/** A unit armed on the pipe ports, dying by `death`. */
function die(death: string, boot: number, opts: { watchdogMs?: number; cold?: boolean; node?: string[] } = {}): Death {
  ensureBuilt();
  // Through sh for `ulimit -c 0`: the deaths leave no core files behind.
  const r = spawnSync("/bin/sh", ["-c", 'ulimit -c 0; exec "$@"', "sh", process.execPath, ...(opts.node ?? []), UNIT, BOARD, KEY_HEX, death, String(boot), String(opts.watchdogMs ?? 0), opts.cold ? "cold" : ""], {
    stdio: ["ignore", "pipe", "pipe", "pipe"], timeout: 120_000, maxBuffer: 64 << 20,
  });
  const pipe = (r.output[3] as Buffer | null) ?? Buffer.alloc(0);
  const frames: Uint8Array[] = [];
  for (let i = 0; i + 2 <= pipe.length;) {
    const len = pipe[i] | (pipe[i + 1] << 8);
    frames.push(Uint8Array.from(pipe.subarray(i + 2, i + 2 + len)));
    i += 2 + len;
  }
  const out = r.stdout.toString();
  return { code: r.status, signal: r.signal, frames, line: out ? JSON.parse(out.split("\n")[0]) : null, err: r.stderr.toString() };
}

/** Every frame through one receiver, in order: its verdicts. */
function verdicts(frames: Uint8Array[]): string[] {
  const rx = receiver({ chassis: CHASSIS }, [[1, Buffer.from(KEY_HEX, "hex")]]);
  return frames.map((f) => {
    const g = rx.receive(f);
    return g.ok ? `accepted cause ${g.message.cause}: ${new TextDecoder().decode(g.message.excerpt)}` : g.reason;
  });
}

test("arming changes nothing: the rehearsal runs on a copy; the translated core then reads V8's memory live", () => {
  const board = loadBoard(BOARD);
  const opener: PortOpener = {
    preflight: () => [],
    open(rt, i) {
      rt.addon.softnicTest(i, board.ports[i].macBytes);
      return { kind: "linux", describe: "test port", regtestSkip: null, loopback: null, linkWaitUs: 0 };
    },
  };
  const rt = openNativeBoard(board, { openers: { linux: opener } });
  try {
    board.ports.forEach((_, i) => {
      rt.osRings.must("nic_tx_init", i);
      rt.osRings.must("nic_rx_init", i);
    });
    const sender = new GaspSender(rt.fault);
    sender.setKey(0, Buffer.from(KEY_HEX, "hex"), 1);
    sender.arm({ chassis: CHASSIS, unit: 1, role: G.GASP_ROLE_ACTIVE, priority: 100, keySlot: 0, boot: 1, copies: 3, ports: gaspPorts(board, undefined) });
    new FaultEntry(rt.fault).arm();
    const sha = (c: Core) => createHash("sha256").update(c.bytes).digest("hex");
    const regs = () => board.ports.map((_, i) => registerTable("e1000", board.ports[i].macBytes).filter((r) => r.access === "RW").map((r) => rt.nics[i].read32(r.offset)));
    const before = { fault: sha(rt.fault), os: sha(rt.os), regs: regs() };
    const report = rt.addon.crashArm(rt.fault.exports.memory.buffer, { watchdogMs: 0, rehearse: true, excerptAddr: EXCERPT, excerptCap: G.GASP_EXCERPT_MAX });
    assert.ok(report.rehearsal, "rehearsed");
    assert.is(report.rehearsal!.result, STEP_DONE, "the rehearsal sent on a copy");
    assert.ok(report.rehearsal!.rounds >= 2 && report.rehearsal!.regops > 0);
    assert.equal({ fault: sha(rt.fault), os: sha(rt.os), regs: regs() }, before, "memory and registers as before the arm");
    board.ports.forEach((_, i) => assert.equal(rt.addon.softnicTestTake(i), [], `nothing on port ${i}'s wire`));
    // The translated core's memory is V8's buffer: a write from JavaScript is seen at once.
    const p = Core.frame(20);
    for (let round = 0; round < 3; round++) {
      rt.fault.write(p, Uint8Array.from({ length: 256 }, (_, k) => (k * 31 + round * 7) & 0xff));
      assert.is(rt.addon.crashDigest(p, 256), rt.fault.exports.region_digest(p, 256), `round ${round}`);
    }
    assert.is(rt.addon.crashState().armed, true);
  } finally {
    rt.addon.crashDisarm();
    rt.close();
  }
  assert.is(rt.addon.crashState().armed, false);
  assert.is(rt.addon.crashDigest(0x30000, 16), -1, "disarmed");
});

// [death, boot, the signal it dies by, the gasp cause, the excerpt's start, options]
const DEATHS: [string, NodeJS.Signals, number, RegExp, Parameters<typeof die>[2]][] = [
  ["null-store", "SIGSEGV", G.GASP_CAUSE_TRAP, /^SIGSEGV at 0x0 pc 0x[0-9a-f]+$/, {}],
  ["abort", "SIGABRT", G.GASP_CAUSE_EXCEPTION, /^SIGABRT: abort\(\)/, {}],
  ["heap", "SIGABRT", G.GASP_CAUSE_EXCEPTION, /^SIGABRT: abort\(\)/, { node: ["--max-old-space-size=32"] }],
  ["hang", "SIGABRT", G.GASP_CAUSE_WATCHDOG, /^watchdog: no kick for \d+ ms pc 0x[0-9a-f]+$/, { watchdogMs: 200 }],
  ["sigill", "SIGILL", G.GASP_CAUSE_TRAP, /^SIGILL at 0x[0-9a-f]+ pc/, {}],
  ["sigfpe", "SIGFPE", G.GASP_CAUSE_TRAP, /^SIGFPE at /, {}],
  ["sigbus", "SIGBUS", G.GASP_CAUSE_TRAP, /^SIGBUS at /, {}],
  ["null-store", "SIGSEGV", G.GASP_CAUSE_TRAP, /^SIGSEGV at 0x0/, { cold: true }],
];

DEATHS.forEach(([death, signal, cause, excerpt, opts], k) => {
  test(`${death}${opts?.cold ? " (cold: not rehearsed)" : ""}: the gasp leaves on both ports, accepted with cause ${cause}; the process dies by ${signal}`, () => {
    const r = die(death, k + 1, opts);
    assert.is(r.signal, signal, `${r.code} ${r.err.slice(-400)}`);
    assert.ok(r.line, r.err);
    assert.match(r.line.wasmTrap, /^RuntimeError: memory access out of bounds/, "V8's own wasm trap stays V8's");
    assert.is(r.line.report.v8TrapHandler, true);
    if (opts?.cold) assert.is(r.line.report.rehearsal, null);
    else assert.is(r.line.report.rehearsal?.result, STEP_DONE);
    // Two ports, raw only (no peer board): 3 copies each and a lead copy after the ring reset.
    assert.is(r.frames.length, 8, `frames: ${r.frames.length}`);
    const v = verdicts(r.frames);
    assert.is(v.filter((x) => x.startsWith("accepted")).length, 1, v.join("\n"));
    assert.is(v.filter((x) => x === "E_GASP_DUPLICATE").length, 7, v.join("\n"));
    const m = /^accepted cause (\d+): (.*)$/.exec(v[0])!;
    assert.is(Number(m[1]), cause);
    assert.match(m[2], excerpt);
  });
});

test("SIGKILL: nothing can run, nothing is sent", () => {
  const r = die("sigkill", 50);
  assert.is(r.signal, "SIGKILL");
  assert.is(r.line.report.rehearsal?.result, STEP_DONE, "armed and rehearsed");
  assert.equal(r.frames, []);
});

test("a planned exit disarms: nothing is sent", () => {
  const r = die("exit", 51);
  assert.is(r.code, 0, r.err);
  assert.equal(r.frames, []);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
