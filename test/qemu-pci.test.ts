// pci boards on QEMU's e1000, driven by the TypeScript host (docs/real-hardware.md,
// docs/qemu-rig.md "pci boards"). Two guests, booted side by side, each running Node with the
// host's root over 9p:
//
//   q35 + a virtual Intel IOMMU, the e1000 bound to vfio-pci (access vfio, dma iommu): the
//     core's memory mapped through the IOMMU where V8 keeps it. `lastgasp bringup` passes;
//     then a unit's process, armed, dies three ways — a NULL store in native code, abort(),
//     V8's fatal heap exhaustion — and each time the native crash path puts the armed gasp
//     on the wire: QEMU's filter-dump capture holds it, the core's receiver accepts it with
//     the cause the death deserves, tshark dissects it cleanly. SIGKILL sends nothing. Then
//     the refusals: no such device, not a NIC, a device a kernel driver holds.
//   pc, no IOMMU, RAM reserved with memmap= (access sysfs, dma devmem): the core's memory
//     placed over the reserved RAM; bring-up and the three deaths again; the refusals of a
//     machine without an IOMMU, of a placement outside the reserved RAM, and of a user who
//     is not root.
//
// Each refusal is one line naming the cause, exit 2, and the device is as it was.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { DMA_BASE, MEM_END } from "../assembly/shared/memmap";
import * as G from "../assembly/shared/gasp";
import * as S from "../assembly/shared/status";
import { Core } from "../host/core/core";
import { GaspReceiver, GaspSender } from "../host/gasp/gasp";
import { readKeyFile } from "../host/gasp/key";
import { DEFAULT_GASP_CHASSIS } from "../host/cli/frame-sources";
import { buildRig, type RigRecord } from "./helpers/qemu";
import { requireTshark, writePcap, fields, expertItems } from "./helpers/tshark";
import { runPciGuest, writeRigBoard, guestWorkDir, E1000_ADDRESS, NOT_A_NIC, RESERVED, type PciGuestRun, type CapturedFrame } from "./helpers/qemu-pci";
import type { GuestStep } from "./helpers/pci-guest";
import { BOARD_ADDON_PATH } from "../host/native/board";

const ROOT = path.join(__dirname, "..");
const LUA = path.join(ROOT, "tools", "wireshark", "lastgasp-gasp.lua");

requireTshark();
buildRig();
if (!fs.existsSync(BOARD_ADDON_PATH)) throw new Error(`${BOARD_ADDON_PATH} is missing: run make native (make test does)`);

const dir = guestWorkDir("qemu-pci");
process.on("exit", () => {
  if (!process.env.QEMU_PCI_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});
const keyFile = path.join(dir, "chassis.key");
fs.writeFileSync(keyFile, crypto.randomBytes(32).toString("hex") + "\n", { mode: 0o600 });

// IOVAs for the q35 guest (where its RAM is not: any address the IOMMU does not reserve).
const IOVA = { os: 0x1_0000_0000 + DMA_BASE, fault: 0x2_0000_0000 + DMA_BASE };
// Physical addresses inside the pc guest's reserved RAM: the two memories back to back.
const PHYS = { os: RESERVED.base + DMA_BASE, fault: RESERVED.base + MEM_END + DMA_BASE };

const boards = {
  vfio: writeRigBoard(dir, "pci-vfio", { address: E1000_ADDRESS.q35, access: "vfio", loopback: true }, IOVA),
  missing: writeRigBoard(dir, "pci-missing", { address: "0000:00:09.0" }, IOVA),
  notNic: writeRigBoard(dir, "pci-not-a-nic", { address: NOT_A_NIC.q35 }, IOVA),
  devmem: writeRigBoard(dir, "pci-devmem", { address: E1000_ADDRESS.pc, access: "sysfs", loopback: true }, PHYS),
  noIommu: writeRigBoard(dir, "pci-no-iommu", { address: E1000_ADDRESS.pc, access: "vfio" }, IOVA),
  unreserved: writeRigBoard(dir, "pci-unreserved", { address: E1000_ADDRESS.pc, access: "sysfs" }, { os: 0x3000_0000 + DMA_BASE, fault: 0x3000_0000 + MEM_END + DMA_BASE }),
};

/** The peer unit the gasps go to (raw, and UDP: both ends have an IPv4 address). Only read. */
const peer = path.join(dir, "rig-peer.json");
fs.writeFileSync(peer, JSON.stringify({
  id: "rig-peer", chassis: "rig", role: "linecard", unit: 2, peer: "rig-unit",
  nic: { model: "e1000" }, dma: { os: "0x100000000", fault: "0x200000000" }, rings: { tx: 64, rx: 64, fault: 32 },
  ports: [{ name: "fp0", role: "front", mac: "02:00:5e:10:00:02", link: { partner: "rig-unit/fp0" }, ipv4: ["192.0.2.3/24"] }],
}));

/** The three deaths (and SIGKILL): `lastgasp drill`, each with the next boot counter. */
const DEATHS = [
  { death: "null-store", signal: "SIGSEGV", cause: G.GASP_CAUSE_TRAP, excerpt: /^SIGSEGV at 0x0 pc 0x[0-9a-f]+$/ },
  { death: "abort", signal: "SIGABRT", cause: G.GASP_CAUSE_EXCEPTION, excerpt: /^SIGABRT: abort\(\)/ },
  { death: "heap", signal: "SIGABRT", cause: G.GASP_CAUSE_EXCEPTION, excerpt: /^SIGABRT: abort\(\)/ },
] as const;
const drill = (board: string, death: string, boot: number): GuestStep => ({
  // The watchdog armed but far off: under TCG on a loaded machine a heap exhaustion's last
  // garbage collections can outlast a second, and the watchdog would call that a hang.
  kind: "cli", name: death, args: ["drill", "--board", board, "--peer", peer, "--key-file", keyFile, "--death", death, "--boot", String(boot), "--watchdog-ms", "30000", "--json"],
  // V8's heap limit small enough to reach quickly; the cores' memories are outside it.
  nodeFlags: death === "heap" ? ["--max-old-space-size=64"] : [],
});
const deathSteps = (board: string): GuestStep[] => DEATHS.map((d, i) => drill(board, d.death, i + 1));
/** What `lastgasp drill` printed before it died (its --json line). */
const armedLine = (r: RigRecord) => JSON.parse(String(r.stdout).trim().split("\n").pop()!) as { boot: number; dyingAtUs: number; rehearsal: { result: number } | null };

// The loopback plug: the far end returns every frame until bring-up's record arrives.
const reflecting = { q35: true, pc: true };
const stopReflecting = (m: "q35" | "pc") => (rec: RigRecord) => {
  if (rec.op === "step" && rec.name === "bringup") reflecting[m] = false;
};

const q35 = runPciGuest({
  machine: "q35", reserve: "0", dir, reflect: () => reflecting.q35, onRecord: stopReflecting("q35"),
  setup: [
    // vfio-pci takes the e1000 first; the kernel's e1000 driver is loaded but finds it taken.
    'lgmod vfio-pci && lgmod vfio_iommu_type1 || { echo "LG {\\"op\\":\\"error\\",\\"what\\":\\"vfio modules\\"}"; exit 1; }',
    "echo 8086 100e > /sys/bus/pci/drivers/vfio-pci/new_id",
    "lgmod e1000",
  ],
  steps: [
    { kind: "cli", name: "bringup", args: ["bringup", "--board", boards.vfio, "--json"] },
    ...deathSteps(boards.vfio),
    drill(boards.vfio, "sigkill", DEATHS.length + 1),
    { kind: "look", name: "e1000-before", address: E1000_ADDRESS.q35 },
    { kind: "look", name: "lpc-before", address: NOT_A_NIC.q35 },
    { kind: "cli", name: "missing", args: ["bringup", boards.missing] },
    { kind: "cli", name: "not-a-nic", args: ["bringup", boards.notNic] },
    { kind: "look", name: "e1000-after", address: E1000_ADDRESS.q35 },
    { kind: "look", name: "lpc-after", address: NOT_A_NIC.q35 },
    { kind: "sysfs", name: "to-e1000", writes: [["/sys/bus/pci/drivers/vfio-pci/unbind", E1000_ADDRESS.q35], ["/sys/bus/pci/drivers/e1000/bind", E1000_ADDRESS.q35]] },
    { kind: "look", name: "driver-before", address: E1000_ADDRESS.q35 },
    { kind: "cli", name: "kernel-driver", args: ["bringup", boards.vfio] },
    { kind: "look", name: "driver-after", address: E1000_ADDRESS.q35 },
  ],
});
const pc = runPciGuest({
  machine: "pc", reserve: RESERVED.size, dir, reflect: () => reflecting.pc, onRecord: stopReflecting("pc"),
  setup: [],
  steps: [
    { kind: "cli", name: "bringup", args: ["bringup", "--board", boards.devmem, "--json"] },
    ...deathSteps(boards.devmem),
    { kind: "look", name: "e1000-before", address: E1000_ADDRESS.pc },
    { kind: "cli", name: "no-iommu", args: ["bringup", boards.noIommu] },
    { kind: "cli", name: "unreserved", args: ["bringup", boards.unreserved] },
    // The board where uid 65534 can read it (a clean clone's directory may be closed to others).
    { kind: "copy", name: "board-for-all", from: boards.devmem, to: "/run/pci-devmem.json", mode: 0o644 },
    { kind: "cli", name: "not-root", args: ["bringup", "/run/pci-devmem.json"], uid: 65534, warm: ["bringup", boards.noIommu] },
    { kind: "look", name: "e1000-after", address: E1000_ADDRESS.pc },
  ],
});
// Each guest's tests fail with its own error; the other guest's still run.
const runs = {} as { q35: PciGuestRun; pc: PciGuestRun };
const outcome = { q35: q35.then((r) => (runs.q35 = r)), pc: pc.then((r) => (runs.pc = r)) };
const booted = Promise.allSettled([outcome.q35, outcome.pc]);
const guest = async (m: "q35" | "pc") => {
  await booted;
  await outcome[m]; // throws the guest's failure into the test that needs it
  return runs[m];
};

/** Every gasp in a capture through the core's receiver, in capture order. */
function receive(frames: CapturedFrame[]) {
  const core = Core.load();
  new GaspSender(core).setKey(0, readKeyFile(keyFile), 1);
  const rx = new GaspReceiver(core);
  rx.configure({ chassis: DEFAULT_GASP_CHASSIS });
  return frames.map((f) => ({ ...f, r: rx.receive(f.data) })).filter((x) => x.r.ok || x.r.status !== S.E_GASP_NOT_GASP);
}

for (const machine of ["q35", "pc"] as const) {
  const what = machine === "q35" ? "VFIO + IOMMU" : "sysfs + /dev/mem";

  test(`${machine} (${what}): lastgasp bringup passes on QEMU's e1000 from the TypeScript host`, async () => {
    const r = (await guest(machine)).step("bringup");
    assert.is(r.code, 0, `${r.stderr}\n${r.stdout}`);
    const report = JSON.parse(String(r.stdout));
    assert.ok(report.ok);
    const status = Object.fromEntries(report.steps.map((s: { step: string; status: string }) => [s.step, s.status]));
    // The device was fresh from power-on in either guest: the register self-test runs.
    assert.equal(status, { load: "pass", schema: "pass", instantiate: "pass", regtest: "pass", link: "pass", loopback: "pass", wrap: "pass", counters: "pass", "fault-tx": "pass" });
    const inst = report.steps.find((s: { step: string }) => s.step === "instantiate").detail;
    assert.match(inst, machine === "q35" ? /pci 0000:00:01\.0 \(vfio, dma iommu\)/ : /pci 0000:00:02\.0 \(sysfs, dma devmem\)/);
  });

  test(`${machine} (${what}): three deaths of the host process, three gasps on the wire the receiver accepts with the right cause${machine === "q35" ? "; SIGKILL sends nothing" : ""}`, async () => {
    const run = await guest(machine);
    const got = receive(run.frames);
    const accepted = got.filter((x) => x.r.ok).map((x) => (x.r as { message: { boot: number; cause: number; excerpt: Uint8Array; unit: number } }).message);
    const refused = got.filter((x) => !x.r.ok && x.r.status !== S.E_GASP_DUPLICATE && x.r.status !== S.E_GASP_MAGIC && x.r.status !== S.E_GASP_TRUNCATED);
    assert.equal(refused.map((x) => (x.r as { reason: string }).reason), [], "no gasp refused (bring-up's own frames are not gasps)");
    for (const d of DEATHS) {
      const s = run.step(d.death);
      assert.is(s.signal, d.signal, `${d.death}: the process died of its death (${s.stderr})`);
      const armed = armedLine(s);
      assert.is(armed.rehearsal?.result, 0, `${d.death}: the rehearsal at arm time sent (in a dry run) the gasp`);
      const mine = accepted.filter((m) => m.boot === armed.boot);
      assert.is(mine.length, 1, `${d.death}: one message accepted for boot ${armed.boot} (the copies are authentic duplicates)`);
      assert.is(mine[0].cause, d.cause, `${d.death}: cause`);
      assert.match(Buffer.from(mine[0].excerpt).toString(), d.excerpt);
    }
    if (machine === "q35") {
      const kill = run.step("sigkill");
      assert.is(kill.signal, "SIGKILL");
      const killed = armedLine(kill);
      assert.equal(got.filter((x) => (x.r.ok || x.r.status === S.E_GASP_DUPLICATE) && (x.r as { message: { boot: number } }).message.boot === killed.boot), [], "SIGKILL: no handler runs, nothing is sent");
    }
    assert.is(accepted.length, DEATHS.length, "nothing else was accepted");
  });

  test(`${machine} (${what}): tshark dissects every gasp cleanly: MAC good with the chassis key, checksums valid, no expert warning`, async () => {
    const run = await guest(machine);
    const gasps = receive(run.frames).filter((x) => x.r.ok || x.r.status === S.E_GASP_DUPLICATE);
    const file = path.join(dir, `gasps-${machine}.pcap`);
    writePcap(file, gasps.map((g) => g.data));
    const key = fs.readFileSync(keyFile, "utf8").trim();
    const lua = ["-X", `lua_script:${LUA}`, "-o", `lgasp.key:${key}`];
    const rows = fields(file, ["lgasp.type", "lgasp.cause", "lgasp.boot", "lgasp.mac.status", "udp.checksum.status", "ip.checksum.status"], lua);
    assert.is(rows.length, gasps.length);
    for (const r of rows) {
      assert.is(r["lgasp.type"], String(G.GASP_TYPE_GASP));
      assert.is(r["lgasp.mac.status"], "1", "MAC good");
      if (r["udp.checksum.status"]) assert.equal([r["ip.checksum.status"], r["udp.checksum.status"]], ["1", "1"], "IPv4 and UDP checksums good");
    }
    assert.ok(rows.some((r) => r["udp.checksum.status"]) && rows.some((r) => !r["udp.checksum.status"]), "both encapsulations on the wire");
    assert.equal(expertItems(file, lua).filter((e) => e.severity === "warning" || e.severity === "error"), []);
  });
}

test("q35: refusals — no such device, not a NIC, a kernel driver holds it: one line, exit 2, the devices as they were", async () => {
  const run = await guest("q35");
  const one = (name: string, pattern: RegExp) => {
    const r = run.step(name);
    assert.is(r.code, 2, `${name}: exit 2 (${r.stderr})`);
    const lines = String(r.stderr).trim().split("\n");
    assert.is(lines.length, 1, `${name}: one line: ${r.stderr}`);
    assert.match(lines[0], pattern);
    assert.not.match(lines[0], /\n|at .*\.js:\d+/, "no stack trace");
  };
  one("missing", /^lastgasp bringup: .*: \/ports\/0\/pci\/address: 0000:00:09\.0 \(port fp0\): no such PCI device/);
  one("not-a-nic", /^lastgasp bringup: .*: \/ports\/0\/pci\/address: 0000:00:1f\.0 \(port fp0\): 8086:2918, class 0x060100 is not a supported NIC/);
  one("kernel-driver", /0000:00:01\.0 \(port fp0\): bound to the kernel driver e1000: unbind it and bind vfio-pci/);
  const look = (name: string) => {
    const { op: _op, line: _line, ...rest } = run.step(name);
    return rest;
  };
  assert.equal({ ...look("e1000-after"), name: "" }, { ...look("e1000-before"), name: "" }, "the e1000 untouched: driver, config space");
  assert.equal({ ...look("lpc-after"), name: "" }, { ...look("lpc-before"), name: "" }, "the bridge untouched");
  assert.is(look("driver-before").driver, "e1000", "the kernel's e1000 driver holds it");
  assert.equal({ ...look("driver-after"), name: "" }, { ...look("driver-before"), name: "" }, "still the kernel's, untouched");
});

test("pc: refusals — no IOMMU, no reserved RAM, not root: one line, exit 2, the device as it was", async () => {
  const run = await guest("pc");
  for (const [name, pattern] of [
    ["no-iommu", /\/ports\/0\/pci\/address: 0000:00:02\.0 \(port fp0\): no IOMMU: the device has no IOMMU group/],
    ["not-root", /^lastgasp bringup: .*: \/ports: fp0 \(pci\): opening real ports needs root/],
    ["unreserved", /\/dma: no reserved RAM for the cores' memories \(0x30000000\.\.0x32ffffff, 0x33000000\.\.0x35ffffff; 48 MiB each\): System RAM is there/],
  ] as const) {
    const r = run.step(name);
    assert.is(r.code, 2, `${name}: exit 2 (${r.stderr})`);
    const lines = String(r.stderr).trim().split("\n");
    assert.is(lines.length, 1, `${name}: one line: ${r.stderr}`);
    assert.match(lines[0], pattern);
  }
  const { op: _a, line: _b, name: _c, ...before } = run.step("e1000-before");
  const { op: _d, line: _e, name: _f, ...after } = run.step("e1000-after");
  assert.equal(after, before, "the e1000 untouched");
});

test.run();
