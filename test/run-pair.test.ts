// `lastgasp run`: two units and a client on one Ethernet segment (a bridge in a namespace of
// its own; each unit and the client in theirs; test/helpers/segment.ts), the units on linux
// ports with keepalived's timers (HELLO every second, 3 missed and a skew):
//
//  - the higher priority takes the VIPs, the other stays standby; `lastgasp status` answers;
//  - the active unit's process dies — a NULL store in native code, abort(), V8's heap
//    exhaustion, a hang (watchdog): each time the standby takes over on the gasp (its log
//    says reason=gasp), the client's kernel neighbour entries for the IPv4 and IPv6 VIP move
//    to the standby's MAC, and the client's 1 packet/ms ping to the VIP loses less than the
//    heartbeat timer would (figures: bench/run-pair.bench.ts); the dead unit restarts and
//    rejoins as standby without taking the VIPs back;
//  - a replayed gasp (captured at the first death) and a forged one injected at the standby
//    change nothing; SIGKILL: no gasp, the standby takes over on its heartbeat timer;
//  - SIGTERM: a planned stop — no gasp; the active resigns and the standby takes over at
//    once; the VIPs leave the interface; exit 0.
// Runs as root (CI); otherwise every test FAILS.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { BIN, ensureBuilt } from "./helpers/cli";
import { requireTshark, tmpDir } from "./helpers/tshark";
import { requireRoot, startDumpcap, ip } from "./helpers/netns";
import { Segment } from "./helpers/segment";
import { PairUnit, PAIR, writePairFiles, waitFor, sleep, startProbe, neighboursAt as neighboursAtIn } from "./helpers/pair";
import { readPcap } from "../host/pcap";
import { BOARD_ADDON_PATH } from "../host/native/board";

const dir = tmpDir("run-pair");
const seg = new Segment("lgp");
let setupError: Error | null = null;
let files: ReturnType<typeof writePairFiles>;
try {
  requireRoot("run-pair.test.ts");
  requireTshark();
  if (!fs.existsSync(BOARD_ADDON_PATH)) throw new Error(`${BOARD_ADDON_PATH} missing: make native`);
  ensureBuilt();
  seg.create();
  files = writePairFiles(dir, seg);
} catch (e) {
  setupError = e as Error;
}
function ready(): void {
  if (setupError) throw setupError;
}

const units: Record<"a" | "b", PairUnit> = {} as never;
const other = (n: "a" | "b"): "a" | "b" => (n === "a" ? "b" : "a");
let active: "a" | "b" = "a";

const neighboursAt = (mac: string) => neighboursAtIn(seg, mac);

test("the example pair's board files (boards/pair/) load and name each other as peers", () => {
  const { loadBoard } = require("../host/board/load") as typeof import("../host/board/load");
  const [a, b] = ["unit-a", "unit-b"].map((n) => loadBoard(path.join(__dirname, "..", "boards", "pair", `${n}.json`)));
  assert.equal([a.peer, b.peer], [b.id, a.id]);
  assert.ok(a.ports.every((p) => p.device.kind === "linux") && b.ports.every((p) => p.device.kind === "linux"));
  assert.equal(a.vips, b.vips);
});

test("two units start: the higher priority takes the VIPs, the other stays standby; status answers", async () => {
  ready();
  units.a = new PairUnit(seg, files, "a");
  await units.a.waitEvent((e) => e.event === "role.takeover", 15_000);
  units.b = new PairUnit(seg, files, "b");
  await units.b.waitEvent((e) => e.event === "peer.hello" && e.role === "active", 15_000);
  const [sa, sb] = [await units.a.status(), await units.b.status()];
  assert.is(sa.role, "active");
  assert.is(sb.role, "backup");
  assert.is((sb.peer as { unit: number }).unit, 1);
  // The CLI's view of the same socket, as an operator types it.
  const human = units.b.statusCli();
  assert.is(human.code, 0, human.err);
  assert.match(human.out, /^role\s+backup, epoch \d+, priority 100$/m);
  assert.match(human.out, /^peer\s+unit 1 active/m);
  // Config sync over real UDP between the two images (2.0 active, 1.1 standby), as
  // `lastgasp sync-check --active 2.0 --standby 1.1 configs/lb-2.0.conf` plans it.
  const plan = JSON.parse(spawnSync(process.execPath, [BIN, "sync-check", "--active", "2.0", "--standby", "1.1", PAIR.config.a, "--json"], { encoding: "utf8" }).stdout);
  await units.b.waitEvent((e) => e.event === "sync.state" && e.state === "hot", 15_000);
  const sync = (await units.b.status()).sync as Record<string, unknown>;
  assert.equal([sync.as, sync.state, sync.mode, sync.peerImage], ["standby", "hot", plan.mode, "2.0"]);
  assert.is(sync.lines, plan.standbyConfig.length);
  // The client learns the VIPs from the active unit's kernel (the VIPs are on its interface).
  seg.exec("c", "ping", ["-c", "2", "-i", "0.2", "-W", "2", PAIR.vip4]);
  seg.exec("c", "ping", ["-6", "-c", "2", "-i", "0.2", "-W", "2", PAIR.vip6]);
  await neighboursAt(PAIR.mac.a);
  assert.match(ip("-n", seg.member("a").ns, "addr", "show", "dev", seg.member("a").iface), new RegExp(`inet ${PAIR.vip4.replace(/\./g, "\\.")}/32`));
});

test("bad input: one line, exit 2, nothing started; status without a unit: exit 1", () => {
  ready();
  const env = { ...process.env };
  delete env.FORCE_COLOR; // as a user's shell runs it (Node warns when both are set)
  delete env.NO_COLOR;
  const inA = (args: string[]) => spawnSync("ip", ["netns", "exec", seg.member("a").ns, process.execPath, BIN, ...args], { encoding: "utf8", env });
  const base = ["run", "--board", files.board.a, "--peer", files.board.b, "--key-file", files.key, "--socket", path.join(dir, "bad.sock")];
  for (const [args, re] of [
    [["--image", "9.9"], /--image: "9\.9" is not one of 1\.0, 1\.1, 2\.0/],
    [["--image", "2.0", "--config", path.join(dir, "nosuch.conf")], /nosuch\.conf: no such file/],
    [["--priority", "0"], /--priority/],
  ] as [string[], RegExp][]) {
    const r = inA([...base, ...args]);
    assert.is(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, re);
    assert.is(r.stdout, "");
  }
  assert.not.ok(fs.existsSync(path.join(dir, "bad.sock")));
  const st = spawnSync(process.execPath, [BIN, "status", "--socket", path.join(dir, "bad.sock")], { encoding: "utf8", env });
  assert.is(st.status, 1, st.stderr);
  assert.match(st.stderr, /no unit is running on this socket/);
});

// [death, the signal it dies by]
const DEATHS: [string, string][] = [["null-store", "SIGSEGV"], ["abort", "SIGABRT"], ["heap", "SIGABRT"], ["hang", "SIGABRT"]];
let captured: Uint8Array[] = [];
const outages: string[] = [];

test("the active dies four ways: the standby takes over on the gasp, the client's neighbour entries move, the dead unit rejoins as standby", async () => {
  ready();
  for (const [k, [death, signal]] of DEATHS.entries()) {
    const victim = units[active];
    const survivor = units[other(active)];
    // The kernel ignores a GARP within a second of the entry's last update (locktime).
    await sleep(1100);
    const cap = k === 0 ? await startDumpcap(seg.member(survivor.name).ns, seg.member(survivor.name).iface, path.join(dir, "gasp.pcap"), ["-f", "ether proto 0x88b5"]) : null;
    const probe = startProbe(seg, PAIR.vip4);
    await sleep(300);
    const mark = survivor.events.length;
    const t0 = Date.now();
    await victim.die(death);
    const exit = await victim.exited;
    assert.is(exit.signal, signal, `${death}: ${JSON.stringify(exit)} ${victim.stderr.slice(-400)}`);
    const takeover = await survivor.waitEvent((e) => e.event === "role.takeover", 10_000, mark);
    assert.is(takeover.reason, "gasp", `${death}: ${JSON.stringify(takeover)}`);
    assert.ok(survivor.events.slice(mark).some((e) => e.event === "gasp.accepted" && e.from === victim.unitId), `${death}: gasp.accepted`);
    await neighboursAt(PAIR.mac[survivor.name]);
    await sleep(300);
    const lost = await probe.stop();
    outages.push(`${death}: ${lost} ms lost, takeover ${Date.parse(takeover.time as string) - t0} ms after the request`);
    // A heartbeat takeover needs 3 intervals of silence (3 s): the gasp's is well inside it.
    assert.ok(lost < 3000, `${death}: ${lost} packets (ms) lost`);
    if (cap) {
      await cap.stop();
      captured = readPcap(fs.readFileSync(path.join(dir, "gasp.pcap"))).map((p) => p.data);
    }
    // The dead unit restarts and rejoins as standby; the survivor keeps the VIPs.
    units[victim.name] = new PairUnit(seg, files, victim.name);
    await units[victim.name].waitEvent((e) => e.event === "peer.hello" && e.role === "active", 15_000);
    // The survivor runs the configuration it received as standby and syncs it back (1.1 → 2.0 or 2.0 → 1.1).
    await units[victim.name].waitEvent((e) => e.event === "sync.state" && e.state === "hot", 15_000);
    assert.is((await units[victim.name].status()).role, "backup", death);
    assert.is((await survivor.status()).role, "active", death);
    assert.ok(!survivor.events.slice(mark).some((e) => e.event === "role.step-down" || e.event === "vip.removed"), `${death}: the survivor kept the VIPs`);
    active = survivor.name;
  }
  console.log(`  outages (client 1 pkt/ms to ${PAIR.vip4}): ${outages.join("; ")}`);
});

test("a replayed gasp and a forged one, injected at the standby, change nothing", async () => {
  ready();
  const standby = units[other(active)];
  const gasps = captured.filter((f) => f[12] === 0x88 && f[13] === 0xb5);
  assert.ok(gasps.length >= 1, `captured ${captured.length} frames at the first death`);
  const replay = Buffer.from(gasps[0]);
  // The gasp was sent to the then-standby; send it to whichever unit is standby now.
  Buffer.from(PAIR.mac[standby.name].replace(/:/g, ""), "hex").copy(replay, 0);
  const forged = Buffer.from(replay);
  forged[forged.length - 1] ^= 0x01; // the last byte of the MAC
  const before = await standby.status();
  const activeBefore = await units[active].status();
  const mark = standby.events.length;
  seg.inject("c", [replay.toString("hex"), forged.toString("hex")]);
  await waitFor(async () => {
    const c = (await standby.status()).counters as Record<string, number>;
    const b = before.counters as Record<string, number>;
    return c.gaspsRefused + c.duplicates >= b.gaspsRefused + b.duplicates + 2;
  }, 5000, () => "the standby did not see both frames");
  await sleep(200);
  const after = await standby.status();
  assert.is(after.role, "backup");
  assert.is((after.counters as Record<string, number>).gaspsAccepted, (before.counters as Record<string, number>).gaspsAccepted);
  assert.ok(!standby.events.slice(mark).some((e) => e.event === "role.takeover" || e.event === "gasp.accepted"), JSON.stringify(standby.events.slice(mark)));
  const activeAfter = await units[active].status();
  assert.is(activeAfter.role, "active");
  assert.is(activeAfter.epoch, activeBefore.epoch);
});

test("SIGKILL of the active: no gasp; the standby takes over on its heartbeat timer", async () => {
  ready();
  const victim = units[active];
  const survivor = units[other(active)];
  await sleep(1100);
  const mark = survivor.events.length;
  const t0 = Date.now();
  victim.kill("SIGKILL");
  assert.is((await victim.exited).signal, "SIGKILL");
  const takeover = await survivor.waitEvent((e) => e.event === "role.takeover", 15_000, mark);
  assert.is(takeover.reason, "heartbeat lost", JSON.stringify(takeover));
  assert.ok(Date.now() - t0 >= 2000, `took over ${Date.now() - t0} ms after the kill: 3 HELLO intervals of silence are at least 2 s after it`);
  assert.ok(!survivor.events.slice(mark).some((e) => e.event === "gasp.accepted"), "no gasp");
  await neighboursAt(PAIR.mac[survivor.name]);
  // The killed unit left its VIPs on the interface (nothing ran): its restart removes them.
  units[victim.name] = new PairUnit(seg, files, victim.name);
  await units[victim.name].waitEvent((e) => e.event === "peer.hello" && e.role === "active", 15_000);
  assert.ok(units[victim.name].events.some((e) => e.event === "vip.stale-removed"), "the restart removed the VIPs a SIGKILL left behind");
  assert.is((await units[victim.name].status()).role, "backup");
  active = survivor.name;
});

test("a link cut on the active's front port: it gives the VIPs up (FAULT), the standby takes over; the link back: standby", async () => {
  ready();
  const cut = units[active];
  const peer = units[other(active)];
  const m = seg.member(cut.name);
  await sleep(1100);
  const [markCut, markPeer] = [cut.events.length, peer.events.length];
  seg.cable(cut.name, false);
  try {
    await cut.waitEvent((e) => e.event === "role.fault" && e.wasActive === true, 5000, markCut);
    await cut.waitEvent((e) => e.event === "vip.removed", 5000, markCut);
    assert.not.match(ip("-n", m.ns, "addr", "show", "dev", m.iface), /192\.0\.2\.1\/32/);
    // One port, its cable cut: the resign cannot reach the peer, whose heartbeat timer decides.
    const takeover = await peer.waitEvent((e) => e.event === "role.takeover", 15_000, markPeer);
    assert.is(takeover.reason, "heartbeat lost");
    await neighboursAt(PAIR.mac[peer.name]);
  } finally {
    seg.cable(cut.name, true);
  }
  await cut.waitEvent((e) => e.event === "role.recover", 10_000, markCut);
  await sleep(500);
  assert.is((await cut.status()).role, "backup");
  assert.is((await peer.status()).role, "active");
  active = peer.name;
});

test("SIGTERM: a planned stop — no gasp; the active resigns, the standby takes over at once; VIPs removed; exit 0", async () => {
  ready();
  const leaving = units[active];
  const staying = units[other(active)];
  const m = seg.member(leaving.name);
  const mark = staying.events.length;
  leaving.kill("SIGTERM");
  const exit = await leaving.exited;
  assert.is(exit.code, 0, `${JSON.stringify(exit)} ${leaving.stderr}`);
  assert.ok(leaving.events.some((e) => e.event === "unit.stop" && e.resigned === true), "unit.stop resigned=true");
  const takeover = await staying.waitEvent((e) => e.event === "role.takeover", 5000, mark);
  assert.is(takeover.reason, "peer resigned");
  assert.ok(!staying.events.slice(mark).some((e) => e.event === "gasp.accepted"), "no gasp");
  assert.not.match(ip("-n", m.ns, "addr", "show", "dev", m.iface), /192\.0\.2\.1\/32|2001:db8::1\/128/);
  await neighboursAt(PAIR.mac[staying.name]);
  staying.kill("SIGTERM");
  assert.is((await staying.exited).code, 0, staying.stderr);
  assert.not.ok(fs.existsSync(staying.socket), "the control socket is removed");
});

test("cleanup removes every namespace", () => {
  ready();
  for (const u of Object.values(units)) u.kill("SIGKILL");
  seg.cleanup();
  assert.is(seg.exists(), false);
});

test.after(() => {
  for (const u of Object.values(units)) u?.kill("SIGKILL");
  seg.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
