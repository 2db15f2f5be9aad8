// The pci board kind's checks before anything is touched (host/board/pci-probe.ts), over a
// fake /sys, /proc and /dev tree: each refusal is one line naming the device and the cause.
// The same refusals on a real kernel, in the QEMU guest: test/qemu-pci.test.ts.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { probePciPort, probeReservedRam, probeIova, PciProbeError, type SysPaths } from "../host/board/pci-probe";
import { DMA_BASE, MEM_END } from "../assembly/shared/memmap";
import { tmpDir } from "./helpers/tshark";
import { boardProblems, toBoard } from "../host/board/load";
import { pciPreflight } from "../host/board/pci";

const root = tmpDir("pci-probe");
process.on("exit", () => fs.rmSync(root, { recursive: true, force: true }));
const sys: SysPaths = { sys: path.join(root, "sys"), proc: path.join(root, "proc"), dev: path.join(root, "dev"), euid: 0 };

/** A device under the fake sysfs: vendor, device, class, driver and IOMMU group links, files. */
function device(address: string, o: { vendor?: number; device: number; cls?: string; driver?: string; group?: string }): void {
  const dir = path.join(sys.sys, "bus", "pci", "devices", address);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "vendor"), `0x${(o.vendor ?? 0x8086).toString(16).padStart(4, "0")}\n`);
  fs.writeFileSync(path.join(dir, "device"), `0x${o.device.toString(16).padStart(4, "0")}\n`);
  fs.writeFileSync(path.join(dir, "class"), `${o.cls ?? "0x020000"}\n`);
  for (const f of ["resource0", "config"]) fs.writeFileSync(path.join(dir, f), "", { mode: 0o600 });
  if (o.driver) fs.symlinkSync(`../../../bus/pci/drivers/${o.driver}`, path.join(dir, "driver"));
  if (o.group) {
    fs.symlinkSync(`../../../kernel/iommu_groups/${o.group}`, path.join(dir, "iommu_group"));
    const g = path.join(sys.sys, "kernel", "iommu_groups", o.group);
    fs.mkdirSync(g, { recursive: true });
    fs.writeFileSync(path.join(g, "reserved_regions"), "0x00000000fee00000 0x00000000feefffff msi\n");
    fs.mkdirSync(path.join(sys.dev, "vfio"), { recursive: true });
    fs.writeFileSync(path.join(sys.dev, "vfio", o.group), "", { mode: 0o600 });
    fs.writeFileSync(path.join(sys.dev, "vfio", "vfio"), "", { mode: 0o666 });
  }
}

device("0000:00:01.0", { device: 0x100e, driver: "vfio-pci", group: "1" }); // ready for vfio
device("0000:00:02.0", { device: 0x100e }); // unbound: ready for sysfs
device("0000:00:03.0", { device: 0x100e, driver: "e1000", group: "3" }); // a kernel driver holds it
device("0000:00:04.0", { device: 0x100e, driver: "e1000" }); // no IOMMU on this machine
device("0000:00:1f.0", { device: 0x2918, cls: "0x060100" }); // an ISA bridge
device("0000:00:05.0", { vendor: 0x1af4, device: 0x1009, cls: "0x000200" }); // virtio 9p
device("0000:00:06.0", { device: 0x1533, driver: "vfio-pci", group: "6" }); // an I210
fs.mkdirSync(sys.proc, { recursive: true });
fs.writeFileSync(path.join(sys.proc, "iomem"), [
  "00000000-00000fff : Reserved",
  "00001000-0009fbff : System RAM",
  "00100000-0fffffff : System RAM",
  "  01000000-01ffffff : Kernel code",
  "10000000-17ffffff : Reserved",
  "18000000-3ffdffff : System RAM",
  "febc0000-febdffff : 0000:00:02.0",
  "",
].join("\n"));

const spec = (address: string, access: "vfio" | "sysfs" = "vfio") => ({ address, access, dma: access === "vfio" ? "iommu" as const : "devmem" as const });

function refusal(fn: () => unknown): PciProbeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PciProbeError) return e;
    throw e;
  }
  throw new Error("no refusal");
}

test("a device bound to vfio-pci behind an IOMMU passes, with its group", () => {
  const p = probePciPort(spec("0000:00:01.0"), "e1000", sys);
  assert.equal([p.vendor, p.device, p.nicName, p.driver, p.iommuGroup], [0x8086, 0x100e, "82540EM", "vfio-pci", "1"]);
  assert.is(probePciPort(spec("0000:00:02.0", "sysfs"), "e1000", sys).driver, null);
});

test("no such device; not a supported NIC; the board's model is another", () => {
  let e = refusal(() => probePciPort(spec("0000:00:09.0"), "e1000", sys));
  assert.is(e.cause, "no-device");
  assert.match(e.message, /^no such PCI device \(nothing at \/sys\/bus\/pci\/devices\/0000:00:09\.0\)$/);
  e = refusal(() => probePciPort(spec("0000:00:1f.0"), "e1000", sys));
  assert.is(e.cause, "unsupported");
  assert.match(e.message, /8086:2918, class 0x060100 is not a supported NIC/);
  e = refusal(() => probePciPort(spec("0000:00:05.0"), "e1000", sys));
  assert.match(e.message, /1af4:1009.* is not a supported NIC/);
  e = refusal(() => probePciPort(spec("0000:00:06.0"), "e1000", sys));
  assert.is(e.cause, "model");
  assert.match(e.message, /I210 \(copper\) is an i210, but the board's nic.model is e1000/);
});

test("the driver: vfio needs vfio-pci, sysfs needs none; the kernel driver is named", () => {
  let e = refusal(() => probePciPort(spec("0000:00:03.0"), "e1000", sys));
  assert.is(e.cause, "driver");
  assert.match(e.message, /bound to the kernel driver e1000: unbind it and bind vfio-pci/);
  e = refusal(() => probePciPort(spec("0000:00:03.0", "sysfs"), "e1000", sys));
  assert.match(e.message, /bound to the kernel driver e1000: unbind it \(echo 0000:00:03\.0 > \/sys\/bus\/pci\/drivers\/e1000\/unbind\)/);
  e = refusal(() => probePciPort(spec("0000:00:02.0"), "e1000", sys).iommuGroup);
  assert.is(e.cause, "no-iommu", "an unbound device without a group: the missing IOMMU is the cause");
  e = refusal(() => probePciPort(spec("0000:00:01.0", "sysfs"), "e1000", sys));
  assert.match(e.message, /bound to vfio-pci: use access vfio/);
});

test("no IOMMU: vfio on a device without an IOMMU group says so before the driver", () => {
  const e = refusal(() => probePciPort(spec("0000:00:04.0"), "e1000", sys));
  assert.is(e.cause, "no-iommu");
  assert.match(e.message, /no IOMMU: the device has no IOMMU group \(boot with intel_iommu=on/);
});

test("reserved RAM: each core's whole memory inside a Reserved range of /proc/iomem; one refusal names every range that misses", () => {
  probeReservedRam([0x1000_0000 + DMA_BASE, 0x1000_0000 + MEM_END + DMA_BASE], sys);
  let e = refusal(() => probeReservedRam([0x2000_0000 + DMA_BASE], sys));
  assert.is(e.cause, "no-reserved-ram");
  assert.is(e.message, "no reserved RAM for the core's memory (0x20000000..0x22ffffff, 48 MiB): System RAM is there; reserve it on the kernel command line (memmap=48M$0x20000000) or move dma");
  e = refusal(() => probeReservedRam([0x2000_0000 + DMA_BASE, 0x2000_0000 + MEM_END + DMA_BASE], sys));
  assert.is(e.message, "no reserved RAM for the cores' memories (0x20000000..0x22ffffff, 0x23000000..0x25ffffff; 48 MiB each): System RAM is there; reserve it on the kernel command line (memmap=96M$0x20000000) or move dma");
  e = refusal(() => probeReservedRam([0x1000_0000 + DMA_BASE, 0x1600_0000 + DMA_BASE], sys));
  assert.match(e.message, /^no reserved RAM for the core's memory \(0x16000000\.\.0x18ffffff, 48 MiB\): System RAM is there/, "half in the reserved range is not enough");
  e = refusal(() => probeReservedRam([0x1000_0000 + DMA_BASE], { ...sys, euid: 1000 }));
  assert.is(e.cause, "not-root");
});

test("IOVA: the core's range must miss the IOMMU's reserved regions (the MSI window)", () => {
  probeIova("1", 0x1_0000_0000 + DMA_BASE, sys);
  const e = refusal(() => probeIova("1", 0xfe00_0000 + DMA_BASE, sys));
  assert.is(e.cause, "iommu-reserved");
  assert.match(e.message, /overlaps the IOMMU's reserved region 0xfee00000\.\.0xfeefffff \(msi\)/);
});

test("not root: the device files must open for writing (the probe run as uid 65534)", () => {
  if (process.geteuid?.() !== 0) throw new Error("this test runs as root (make test does), to probe as another user");
  fs.chmodSync(root, 0o755);
  // The probe is loaded as root (a clean clone's directory may be closed to others, and
  // ts-node compiles it here), then the process becomes uid 65534 before it probes.
  const probe = path.join(__dirname, "..", "host", "board", "pci-probe.ts");
  const code = `const p = require(${JSON.stringify(probe)}); const sys = ${JSON.stringify({ ...sys, euid: 65534 })};
    process.setgid(65534); process.setuid(65534);
    for (const [a, acc] of [["0000:00:01.0", "vfio"], ["0000:00:02.0", "sysfs"]]) {
      try { p.probePciPort({ address: a, access: acc, dma: acc === "vfio" ? "iommu" : "devmem" }, "e1000", sys); console.log("passed"); }
      catch (e) { console.log(e.cause + " " + e.subject + " " + e.message); } }`;
  const r = spawnSync(process.execPath, ["-r", "ts-node/register", "-e", code], { encoding: "utf8", env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" }, cwd: path.join(__dirname, "..") });
  const lines = r.stdout.trim().split("\n");
  assert.is(lines.length, 2, r.stdout + r.stderr);
  assert.match(lines[0], /^not-root 0000:00:01\.0 not root: cannot open \/dev\/vfio\/1 for writing \(run as root\)$/);
  assert.match(lines[1], /^not-root 0000:00:02\.0 not root: cannot open \/sys\/bus\/pci\/devices\/0000:00:02\.0\/resource0 for writing/);
});

/** A one-port pci board file (raw JSON) with the given pci section and dma addresses. */
function rawBoard(pci: Record<string, unknown>, dma = { os: "0x100100000", fault: "0x200100000" }, model = "e1000") {
  return {
    id: "unit-a", chassis: "c", role: "linecard", unit: 1, peer: "unit-b", nic: { model }, dma, rings: { tx: 64, rx: 64, fault: 32 },
    ports: [{ name: "fp0", kind: "pci", pci, role: "front", mac: "02:00:00:0a:00:02", link: { partner: "unit-b/fp0" }, ipv4: ["192.0.2.2/24"] }],
  };
}

test("board files: dma follows access (vfio: iommu, sysfs: devmem); a mismatch is refused at /ports/N/pci/dma; loopback defaults to false", () => {
  assert.equal(boardProblems(rawBoard({ address: "0000:00:01.0" })), []);
  const vfio = toBoard("b.json", rawBoard({ address: "0000:00:01.0" })).ports[0].device;
  const sysfs = toBoard("b.json", rawBoard({ address: "0000:00:02.0", access: "sysfs", loopback: true })).ports[0].device;
  assert.equal(vfio, { kind: "pci", address: "0000:00:01.0", access: "vfio", dma: "iommu", loopback: false });
  assert.equal(sysfs, { kind: "pci", address: "0000:00:02.0", access: "sysfs", dma: "devmem", loopback: true });
  const bad = (pci: Record<string, unknown>) => boardProblems(rawBoard(pci)).map((p) => `${p.path}: ${p.message}`);
  assert.equal(bad({ address: "0000:00:01.0", access: "vfio", dma: "devmem" }), ["/ports/0/pci/dma: access vfio maps the core's memory through the IOMMU: dma must be iommu (devmem goes with access sysfs)"]);
  assert.equal(bad({ address: "0000:00:02.0", access: "sysfs", dma: "iommu" }), ["/ports/0/pci/dma: access sysfs has no IOMMU mapping to make: dma must be devmem (iommu goes with access vfio)"]);
  assert.match(bad({ address: "0000:00:02.0", loopback: "yes" }).join(), /\/ports\/0\/pci\/loopback: must be boolean/);
});

test("pciPreflight: each problem at the field it is about, naming the device and the port", () => {
  const lines = (raw: object) => pciPreflight(toBoard("b.json", raw), 0, sys).map((p) => `${p.path}: ${p.message}`);
  assert.equal(lines(rawBoard({ address: "0000:00:01.0" })), []);
  assert.equal(lines(rawBoard({ address: "0000:00:09.0" })), ["/ports/0/pci/address: 0000:00:09.0 (port fp0): no such PCI device (nothing at /sys/bus/pci/devices/0000:00:09.0)"]);
  assert.equal(lines(rawBoard({ address: "0000:00:06.0" })), ["/nic/model: 0000:00:06.0 (port fp0): an Intel I210 (copper) is an i210, but the board's nic.model is e1000"]);
  assert.equal(lines(rawBoard({ address: "0000:00:02.0", access: "sysfs" }, { os: "0x10100000", fault: "0x13100000" })), []);
  assert.equal(lines(rawBoard({ address: "0000:00:02.0", access: "sysfs" }, { os: "0x10100000", fault: "0x20100000" })),
    ["/dma/fault: no reserved RAM for the core's memory (0x20000000..0x22ffffff, 48 MiB): System RAM is there; reserve it on the kernel command line (memmap=48M$0x20000000) or move dma"]);
  assert.equal(lines(rawBoard({ address: "0000:00:01.0" }, { os: "0xfe100000", fault: "0x200100000" })),
    ["/dma/os: IOVA 0xfe000000..0x100ffffff: overlaps the IOMMU's reserved region 0xfee00000..0xfeefffff (msi): move dma (the os core's memory)"]);
});

test.run();
