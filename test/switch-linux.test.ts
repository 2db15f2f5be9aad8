// The switching service on real ports (linux kind: the soft e1000 over AF_PACKET), with real
// kernels at every end, in three network namespaces the test creates (unit, client, back end):
//
//  - a client's TCP connections to the service VIP go through the packet engine (NAT) to a
//    back end: Node's TCP server in the back end's namespace echoes what Node's TCP client in
//    the client's namespace sends; every byte comes back intact;
//  - a ping (iputils) to the control processor's address on each port is answered by the
//    unit's kernel through the TAP device (punted frames to the TAP, its replies injected);
//    with the service stopped nothing answers, and its TAPs are gone; a TCP server on the unit's
//    kernel (an ordinary program, as an SSH server would be) is reached through the TAP;
//  - a bad switching file is refused with every problem listed.
// The service runs under `lastgasp run --board B` (the unit's daemon: bring-up, the crash path
// armed, the loop; the board's "switching" file starts the service). Runs as root (CI);
// otherwise every test FAILS.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BIN, ROOT, ensureBuilt } from "./helpers/cli";
import { tmpDir } from "./helpers/tshark";
import { requireRoot } from "./helpers/netns";
import { SwitchNamespaces, SWITCH_NS, PORT_MACS, writeSwitchBoard, startIn, stopChild, ECHO_SERVER, TCP_CLIENT } from "./helpers/switch-ns";
import { BOARD_ADDON_PATH } from "../host/native/board";
import { loadBoard } from "../host/board/load";
import { loadSwitchingConfig, SwitchingConfigError } from "../host/switch/config";

const ns = new SwitchNamespaces();
const dir = tmpDir("switch-linux");
const KEY = path.join(dir, "chassis.key");
fs.writeFileSync(KEY, "5a".repeat(32), { mode: 0o600 });
const { board: BOARD, switching: SWITCHING } = writeSwitchBoard(dir, ns);
const RUN = [process.execPath, BIN, "run", "--board", BOARD, "--key-file", KEY, "--state-dir", path.join(dir, "state"), "--watchdog-ms", "0", "--socket", path.join(dir, "unit.sock"), "--json"];

let setupError: Error | null = null;
try {
  requireRoot("switch-linux.test.ts");
  for (const tool of ["ping", "ethtool"]) if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) throw new Error(`${tool} missing: scripts/install-deps.sh installs it`);
  if (!fs.existsSync(BOARD_ADDON_PATH)) throw new Error(`${BOARD_ADDON_PATH} missing: make native`);
  ensureBuilt();
  ns.create(SWITCH_NS);
} catch (e) {
  setupError = e as Error;
}
function ready(): void {
  if (setupError) throw setupError;
}

let harness: { child: ChildProcess; out: () => string } | null = null;

test("a bad switching file: every problem listed with its pointer", () => {
  const bad = { ...SWITCHING, clientPort: "nosuch", service: { ...SWITCHING.service, vip: "203.0.113.99" }, distribution: { strategy: "maglev", tableSize: 100 }, capacity: 1000, tap: [{ port: "servers", name: "x" }, { port: "servers", name: "y" }] };
  fs.writeFileSync(path.join(dir, "bad-switching.json"), JSON.stringify(bad, null, 2));
  const b = JSON.parse(fs.readFileSync(BOARD, "utf8"));
  fs.writeFileSync(path.join(dir, "bad-board.json"), JSON.stringify({ ...b, switching: "bad-switching.json" }));
  try {
    loadSwitchingConfig(loadBoard(path.join(dir, "bad-board.json")));
    assert.unreachable("accepted");
  } catch (e) {
    assert.instance(e, SwitchingConfigError);
    const lines = (e as Error).message.split("\n");
    for (const want of [/\/clientPort: "nosuch" is not a port/, /\/service\/vip: 203\.0\.113\.99 is not a VIP/, /\/distribution\/tableSize: 100 is not prime/, /\/capacity: 1000 is not a power of two/, /\/tap\/1\/port: port servers's TAP is also/]) {
      assert.ok(lines.some((l) => want.test(l)), `${want}: ${lines.join("\n")}`);
    }
    assert.ok(lines.every((l) => l.startsWith(path.join(dir, "bad-switching.json"))), lines.join("\n"));
  }
});

test("the shipped example (boards/appliance/lb-linux.json) and its switching file are valid", () => {
  const board = loadBoard(path.join(ROOT, "boards", "appliance", "lb-linux.json"));
  const cfg = loadSwitchingConfig(board);
  assert.equal([cfg.clientPort, cfg.serverPort, cfg.taps.map((t) => t.name).join(",")], [0, 1, "cp0,cp1"]);
});

test("lastgasp run starts the service on the board's linux ports: its TAPs are up with the ports' MACs and addresses", async () => {
  ready();
  harness = await startIn(ns.unit, RUN, /"event":"role.takeover"/); // no peer: it takes over after the heartbeat timeout
  const links = JSON.parse(spawnSync("ip", ["-n", ns.unit, "-j", "addr", "show", "dev", ns.tapClients], { encoding: "utf8" }).stdout) as { address: string; flags: string[]; addr_info: { local: string }[] }[];
  assert.is(links[0].address, PORT_MACS[0]);
  assert.ok(links[0].flags.includes("UP"), links[0].flags.join(","));
  assert.equal(links[0].addr_info.map((a) => a.local), ["192.0.2.2", "203.0.113.2"]);
});

test("TCP through the engine: connections to the VIP reach the back end (NAT) and every byte echoes back", async () => {
  ready();
  const server = await startIn(ns.backend, [process.execPath, "-e", ECHO_SERVER], /listening/);
  try {
    const r = spawnSync("ip", ["netns", "exec", ns.client, process.execPath, "-e", TCP_CLIENT, "4", String(256 * 1024)], { encoding: "utf8", timeout: 90_000 });
    assert.is(r.status, 0, r.stderr);
    const results = JSON.parse(r.stdout) as { ok: boolean; len: number; why?: string }[];
    assert.equal(results.map((x) => x.ok ? "ok" : `${x.why ?? "mismatch"} after ${x.len}`), ["ok", "ok", "ok", "ok"]);
    // `lastgasp status` shows the service's counters: the engine forwarded both ways.
    const st = spawnSync(process.execPath, [BIN, "status", "--socket", path.join(dir, "unit.sock"), "--json"], { encoding: "utf8", timeout: 30_000 });
    assert.is(st.status, 0, st.stdout + st.stderr);
    const sw = JSON.parse(st.stdout).services.switching;
    assert.is(sw.serving, true);
    assert.ok(sw.engine_tx_port0 > 0 && sw.engine_tx_port1 > 4 * 256 * 1024 / 1500, JSON.stringify(sw));
  } finally {
    await stopChild(server.child);
  }
});

test("an ordinary program on the control processor: a TCP server on the unit's kernel, reached by the client through the TAP", async () => {
  ready();
  const server = await startIn(ns.unit, [process.execPath, "-e", ECHO_SERVER, "192.0.2.2", "2222"], /listening/);
  try {
    const r = spawnSync("ip", ["netns", "exec", ns.client, process.execPath, "-e", TCP_CLIENT, "2", String(64 * 1024), "192.0.2.2", "2222"], { encoding: "utf8", timeout: 90_000 });
    assert.is(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { ok: boolean }[]).map((x) => x.ok), [true, true]);
  } finally {
    await stopChild(server.child);
  }
});

test("ping to the control processor's addresses: answered by the unit's kernel through the TAPs", () => {
  ready();
  for (const [where, addr] of [[ns.client, "192.0.2.2"], [ns.backend, "198.51.100.1"]]) {
    const r = spawnSync("ip", ["netns", "exec", where, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", addr], { encoding: "utf8", timeout: 30_000 });
    assert.is(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /3 packets transmitted, 3 received/);
    assert.not.match(r.stdout, /DUP!/);
  }
});

test("SIGTERM: lastgasp run stops the service; its counters show the engine forwarded and the TAPs carried both ways; the TAPs are gone and nothing answers", async () => {
  ready();
  assert.ok(harness, "the service runs");
  await stopChild(harness!.child);
  const lines = harness!.out().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const c = lines.find((l) => l.event === "switching.stop");
  assert.ok(c, harness!.out());
  assert.ok(c.engine_forward > 4 * 256 * 1024 / 1500, `forwarded ${c.engine_forward}`);
  assert.ok(c.tap_toKernel >= 6 + 2 * 64 * 1024 / 1500 && c.tap_fromKernel >= 6 + 2 * 64 * 1024 / 1500, JSON.stringify(c));
  assert.is(c.punt_unclaimed, 0, JSON.stringify(c));
  const links = ns.unitLinks();
  assert.ok(!links.includes(ns.tapClients) && !links.includes(ns.tapServers), links.join(","));
  const r = spawnSync("ip", ["netns", "exec", ns.client, "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", "192.0.2.2"], { encoding: "utf8", timeout: 30_000 });
  assert.match(r.stdout, /2 packets transmitted, 0 received/, "with the service stopped nothing answers (the port's kernel interface does not)");
});

test("cleanup removes the namespaces", () => {
  ready();
  ns.cleanup();
  assert.is(ns.exists(), false);
});

test.after(async () => {
  if (harness) await stopChild(harness.child);
  ns.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
