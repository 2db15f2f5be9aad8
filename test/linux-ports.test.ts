// linux ports on a real Linux kernel, in a network namespace the test creates (both ends of a
// veth pair inside it; nothing in the root namespace is touched):
//
//  - `lastgasp bringup --board B` passes every step on a linux port: the soft e1000's register
//    self-test, the carrier as STATUS.LU, frames out through AF_PACKET and back through the
//    kernel's transmit tap, both rings wrapping, the counters, the fault core's takeover;
//  - a unit armed on one end (`lastgasp drill`) dies by a NULL store in native code, abort(),
//    V8's fatal heap exhaustion and a hang (watchdog): each time its gasp — raw and UDP, from
//    the native crash path — reaches the other end (dumpcap there), is accepted by the core's
//    receiver with the right cause, and tshark dissects it cleanly (the gasp dissector verifies
//    its MAC with the key, the UDP checksum is checked); SIGKILL sends nothing;
//  - bad input — an interface that does not exist, not root — is one line naming the cause,
//    exit 2, and nothing touched (no frame reaches the peer, the interface keeps its flags).
// Runs as root (CI); otherwise every test FAILS.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BIN, ROOT, ensureBuilt } from "./helpers/cli";
import { fields, expertItems, requireTshark, tmpDir } from "./helpers/tshark";
import { VethPairNamespace, requireRoot, startDumpcap } from "./helpers/netns";
import { receiver } from "../host/campaign/gasp-fixture";
import { readPcap } from "../host/pcap";
import { BOARD_ADDON_PATH } from "../host/native/board";
import * as G from "../assembly/shared/gasp";

const UNIT_MAC = "02:00:00:0a:00:02";
const PEER_MAC = "02:00:00:0b:00:02";
const CHASSIS = 0x4c470001;
const KEY_HEX = "7e".repeat(32);
const dir = tmpDir("linux-ports");
fs.chmodSync(dir, 0o755); // readable by the unprivileged user of the not-root case
const KEY = path.join(dir, "chassis.key");
fs.writeFileSync(KEY, KEY_HEX, { mode: 0o600 });
const GASP_LUA = path.join(ROOT, "tools", "wireshark", "lastgasp-gasp.lua");

const vp = new VethPairNamespace("lgl");
let setupError: Error | null = null;
try {
  requireRoot("linux-ports.test.ts");
  requireTshark();
  if (!fs.existsSync(BOARD_ADDON_PATH)) throw new Error(`${BOARD_ADDON_PATH} missing: make native`);
  ensureBuilt();
  vp.create({ unitMac: UNIT_MAC, peerMac: PEER_MAC });
} catch (e) {
  setupError = e as Error;
}
function ready(): void {
  if (setupError) throw setupError;
}

function boardFile(name: string, id: string, unit: number, iface: string, mac: string, ip: string, peer: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify({
    id, chassis: "chassis-1", role: "linecard", unit, peer,
    nic: { model: "e1000" },
    dma: { os: "0x100000000", fault: "0x200000000" },
    rings: { tx: 64, rx: 64, fault: 16 },
    ports: [{ name: "fp0", kind: "linux", linux: { interface: iface }, role: "front", mac, link: { partner: `${peer}/fp0` }, ipv4: [`${ip}/24`] }],
    vips: [{ port: "fp0", ipv4: "192.0.2.1" }],
  }, null, 2), { mode: 0o644 });
  return f;
}
const UNIT = boardFile("unit-a.json", "unit-a", 1, vp.unit, UNIT_MAC, "192.0.2.2", "unit-b");
const PEER = boardFile("unit-b.json", "unit-b", 2, vp.peer, PEER_MAC, "192.0.2.3", "unit-a");

// As a user's shell would run it: no colour settings inherited from the test runner (Node
// warns on stderr when both are set).
const env = { ...process.env };
delete env.FORCE_COLOR;
delete env.NO_COLOR;

/** The CLI inside the namespace, as root. */
function cli(args: string[], node: string[] = []) {
  // Through sh for `ulimit -c 0`: the deaths leave no core files behind.
  const r = spawnSync("ip", ["netns", "exec", vp.ns, "/bin/sh", "-c", 'ulimit -c 0; exec "$@"', "sh", process.execPath, ...node, BIN, ...args], { encoding: "utf8", cwd: dir, env, timeout: 120_000, maxBuffer: 64 << 20 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** dumpcap on the peer's end. */
const capture = (file: string) => startDumpcap(vp.ns, vp.peer, file, ["-f", "ether proto 0x88b5 or udp port 19527"]);

test("bringup --board on a linux port: every step passes, frames out through AF_PACKET and back through the kernel's transmit tap", () => {
  ready();
  const before = vp.link(vp.peer).rx;
  const r = cli(["bringup", "--board", UNIT, "--json"]);
  assert.is(r.code, 0, r.out + r.err);
  const report = JSON.parse(r.out);
  assert.equal(report.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`), ["load", "schema", "instantiate", "regtest", "link", "loopback", "wrap", "counters", "fault-tx"].map((s) => `${s}:pass`));
  assert.match(report.steps[2].detail, new RegExp(`linux ${vp.unit} \\(soft e1000 over AF_PACKET\\)`));
  // The frames really went out on the interface: the peer's end received them.
  const sent = report.steps.find((s: { step: string }) => s.step === "counters").ports[0].GPTC;
  assert.ok(vp.link(vp.peer).rx - before >= sent, `peer received ${vp.link(vp.peer).rx - before}, the port sent ${sent}`);
});

// [death, the signal it dies by, the gasp cause, the excerpt, node flags, watchdog ms]
const DEATHS: [string, string, number, RegExp, string[], number][] = [
  ["null-store", "SIGSEGV", G.GASP_CAUSE_TRAP, /^SIGSEGV at 0x0 pc 0x/, [], 0],
  ["abort", "SIGABRT", G.GASP_CAUSE_EXCEPTION, /^SIGABRT: abort\(\)/, [], 0],
  ["heap", "SIGABRT", G.GASP_CAUSE_EXCEPTION, /^SIGABRT: abort\(\)/, ["--max-old-space-size=32"], 0],
  ["hang", "SIGABRT", G.GASP_CAUSE_WATCHDOG, /^watchdog: no kick for \d+ ms/, [], 300],
];

test("a unit armed on one end dies four ways; each gasp reaches the other end, accepted with its cause; SIGKILL sends nothing", async () => {
  ready();
  const cap = await capture(path.join(dir, "deaths.pcap"));
  const died: string[] = [];
  try {
    DEATHS.forEach(([death, signal, , , node, wd], k) => {
      const r = cli(["drill", "--board", UNIT, "--peer", PEER, "--key-file", KEY, "--death", death, "--boot", String(k + 1), "--watchdog-ms", String(wd), "--json"], node);
      assert.is(r.signal, signal, `${death}: ${r.code} ${r.err.slice(-500)}`);
      assert.match(r.out, /"rehearsal":\{/, r.out);
      died.push(death);
    });
    const k = cli(["drill", "--board", UNIT, "--peer", PEER, "--key-file", KEY, "--death", "sigkill", "--boot", "9", "--watchdog-ms", "0", "--json"]);
    assert.is(k.signal, "SIGKILL", k.err);
  } finally {
    await cap.stop();
  }
  const file = path.join(dir, "deaths.pcap");
  const frames = readPcap(fs.readFileSync(file)).map((p) => p.data);
  const rx = receiver({ chassis: CHASSIS }, [[1, Buffer.from(KEY_HEX, "hex")]]);
  const byBoot = new Map<number, string[]>();
  for (const f of frames) {
    const g = rx.receive(f);
    const key = g.ok ? g.message.boot : -1; // refused frames (duplicates) together
    byBoot.set(key, [...(byBoot.get(key) ?? []), g.ok ? `accepted ${g.message.encap} cause ${g.message.cause}: ${new TextDecoder().decode(g.message.excerpt)}` : g.reason]);
  }
  // Per death: one accepted message (the first frame), every other frame an authentic duplicate.
  const dupes = byBoot.get(-1) ?? [];
  assert.ok(dupes.every((v) => v === "E_GASP_DUPLICATE"), dupes.join("\n"));
  DEATHS.forEach(([death, , cause, excerpt], k) => {
    const v = byBoot.get(k + 1) ?? [];
    assert.is(v.length, 1, `${death}: ${JSON.stringify(v)}`);
    const m = /^accepted (raw|udp) cause (\d+): (.*)$/.exec(v[0]);
    assert.ok(m, `${death}: ${v[0]}`);
    assert.is(Number(m![2]), cause, death);
    assert.match(m![3], excerpt, death);
  });
  assert.is(byBoot.get(9), undefined, "SIGKILL: nothing sent");
  // Raw and UDP per port, 3 copies each and a lead copy: 7 frames per death, none for SIGKILL.
  assert.is(frames.length, 7 * DEATHS.length, `${frames.length} frames`);
  assert.is(dupes.length, 7 * DEATHS.length - DEATHS.length);
  // tshark dissects every frame cleanly; the dissector verifies each MAC with the key.
  const lua = ["-X", `lua_script:${GASP_LUA}`, "-o", `lgasp.key:${KEY_HEX}`];
  const f = fields(file, ["lgasp.type", "lgasp.cause", "lgasp.mac.status", "udp.checksum.status"], lua);
  assert.is(f.length, frames.length);
  assert.ok(f.every((x) => x["lgasp.type"] === "1" && x["lgasp.mac.status"] === "1"), JSON.stringify(f));
  assert.ok(f.filter((x) => x["udp.checksum.status"] !== "").every((x) => x["udp.checksum.status"] === "1"), `UDP checksums good (1 = Good): ${JSON.stringify(f)}`);
  assert.equal(expertItems(file, lua).filter((e) => e.severity === "error" || e.severity === "warning"), []);
  assert.equal(died, DEATHS.map((d) => d[0]));
});

test("bad input: an interface that does not exist — one line naming it, exit 2, nothing touched", () => {
  ready();
  const ghost = boardFile("ghost.json", "unit-a", 1, "lgnosuch0", UNIT_MAC, "192.0.2.2", "unit-b");
  const before = vp.link(vp.peer).rx;
  for (const args of [["bringup", "--board", ghost], ["drill", "--board", ghost, "--key-file", KEY, "--death", "abort"]]) {
    const r = cli(args);
    assert.is(r.code, 2, `${args[0]}: ${r.out}${r.err}`);
    assert.is(r.err.trim().split("\n").length, 1, r.err);
    assert.match(r.err, /ghost\.json: \/ports\/0\/linux\/interface: lgnosuch0: no such interface/);
  }
  assert.is(vp.link(vp.peer).rx, before, "nothing reached the wire");
});

test("bad input: not root — one line saying so, exit 2, nothing touched", () => {
  ready();
  const before = vp.link(vp.unit);
  // The unprivileged process: each command first runs once as root on a board whose
  // interface does not exist (refused before anything is touched), so that every module it
  // loads on demand is loaded — a clean clone's directory may be closed to others — then the
  // process drops to nobody and runs the command on the real board.
  const ghost = boardFile("ghost-nr.json", "unit-a", 1, "lgnosuch1", UNIT_MAC, "192.0.2.2", "unit-b");
  const script = [
    `const {main}=require(${JSON.stringify(path.join(ROOT, "build", "js", "host", "cli", "main"))});`,
    "const [warm, real] = JSON.parse(process.argv[1]);",
    "const {log, error} = console; console.log = console.error = () => {};",
    "main(warm).then(() => { console.log = log; console.error = error; process.setgid(65534); process.setuid(65534); return main(real); }).then((c) => process.exit(c));",
  ].join("");
  for (const cmd of [["bringup"], ["drill", "--key-file", KEY, "--death", "abort"]]) {
    const args = [[cmd[0], "--board", ghost, ...cmd.slice(1)], [cmd[0], "--board", UNIT, ...cmd.slice(1)]];
    const r = spawnSync("ip", ["netns", "exec", vp.ns, process.execPath, "-e", script, JSON.stringify(args)], { encoding: "utf8", cwd: dir, env });
    assert.is(r.status, 2, `${cmd[0]}: ${r.stdout}${r.stderr}`);
    assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /unit-a\.json: \/ports: fp0 \(linux\): opening real ports needs root/);
  }
  const after = vp.link(vp.unit);
  assert.equal(after.flags, before.flags, "the interface's flags are as they were (no promiscuous mode)");
  assert.is(after.tx, before.tx, "nothing sent");
});

test("cleanup removes the namespace and both ends", () => {
  ready();
  vp.cleanup();
  assert.is(vp.exists(), false);
});

test.after(() => {
  vp.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
