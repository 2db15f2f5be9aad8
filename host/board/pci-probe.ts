// Before a pci board touches anything: is each port's device there, a NIC the core drives, held
// by the right driver (or none), behind an IOMMU (vfio) or over reserved RAM (devmem), and may
// this process open it? Everything here only reads sysfs, /proc/iomem and file modes, so a
// refused board leaves the machine exactly as it was (docs/real-hardware.md).
//
// Each problem is one line naming the device and the cause; the CLI exits 2 on any.

import * as fs from "fs";
import * as path from "path";
import { MEM_END, DMA_BASE } from "../../assembly/shared/memmap";

/** Where the kernel's views are; tests point them at a fake tree. */
export interface SysPaths {
  sys: string;
  proc: string;
  dev: string;
  /** The effective uid (process.geteuid()). */
  euid: number;
}

export const REAL_SYS: SysPaths = { sys: "/sys", proc: "/proc", dev: "/dev", euid: process.geteuid?.() ?? -1 };

/**
 * The NICs whose register set and legacy descriptors the core's models follow: the 8254x
 * family (Intel PCI/PCI-X Family of Gigabit Ethernet Controllers SDM; QEMU's e1000 is an
 * 82540EM, the one the QEMU rig tests) and the I210 (I210 datasheet). Vendor 0x8086.
 */
export const PCI_VENDOR_INTEL = 0x8086;
export const SUPPORTED_NICS: ReadonlyMap<number, { name: string; model: "e1000" | "i210" }> = new Map([
  [0x100e, { name: "82540EM", model: "e1000" }],
  [0x1015, { name: "82540EM (LOM)", model: "e1000" }],
  [0x1017, { name: "82540EP", model: "e1000" }],
  [0x100f, { name: "82545EM (copper)", model: "e1000" }],
  [0x1011, { name: "82545EM (fiber)", model: "e1000" }],
  [0x1010, { name: "82546EB (copper)", model: "e1000" }],
  [0x1533, { name: "I210 (copper)", model: "i210" }],
  [0x1536, { name: "I210 (fiber)", model: "i210" }],
  [0x1537, { name: "I210 (SerDes)", model: "i210" }],
  [0x1538, { name: "I210 (SGMII)", model: "i210" }],
  [0x157b, { name: "I210 (copper, flashless)", model: "i210" }],
  [0x157c, { name: "I210 (SerDes, flashless)", model: "i210" }],
] as const);

export interface PciPortSpec {
  address: string;
  access: "vfio" | "sysfs";
  dma: "iommu" | "devmem";
}

/** What the probe found out about a device that passed. */
export interface PciProbe {
  address: string;
  vendor: number;
  device: number;
  nicName: string;
  driver: string | null;
  /** The IOMMU group (vfio), or null. */
  iommuGroup: string | null;
}

/** A refusal: what is wrong with the device (or range), and the cause in one word. */
export class PciProbeError extends Error {
  constructor(
    /** The device's PCI address, or the address range a placement needs. */
    readonly subject: string,
    readonly cause: "no-device" | "unsupported" | "model" | "driver" | "no-iommu" | "iommu-reserved" | "no-reserved-ram" | "not-root",
    message: string,
  ) {
    super(message);
  }
}

const hex = (n: number, w = 0) => `0x${n.toString(16).padStart(w, "0")}`;

function readHex(file: string): number {
  return parseInt(fs.readFileSync(file, "utf8").trim(), 16);
}

function linkName(file: string): string | null {
  try {
    return path.basename(fs.readlinkSync(file));
  } catch {
    return null;
  }
}

function writable(file: string): NodeJS.ErrnoException | null {
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    return null;
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
}

/** Checks one pci port; throws PciProbeError naming the first thing that is wrong. */
export function probePciPort(port: PciPortSpec, model: "e1000" | "i210", sys: SysPaths = REAL_SYS): PciProbe {
  const { address } = port;
  const refuse = (cause: PciProbeError["cause"], msg: string) => new PciProbeError(address, cause, msg);
  const dir = path.join(sys.sys, "bus", "pci", "devices", address);
  if (!fs.existsSync(dir)) throw refuse("no-device", `no such PCI device (nothing at ${path.join("/sys/bus/pci/devices", address)})`);

  const vendor = readHex(path.join(dir, "vendor"));
  const device = readHex(path.join(dir, "device"));
  const known = vendor === PCI_VENDOR_INTEL ? SUPPORTED_NICS.get(device) : undefined;
  if (!known) {
    let cls = "";
    try {
      cls = `, class ${fs.readFileSync(path.join(dir, "class"), "utf8").trim()}`;
    } catch {
      // no class file: say nothing about it
    }
    throw refuse("unsupported", `${hex(vendor, 4).slice(2)}:${hex(device, 4).slice(2)}${cls} is not a supported NIC (the core drives Intel 8254x (e1000) and I210 controllers)`);
  }
  if (known.model !== model) throw refuse("model", `an Intel ${known.name} is an ${known.model}, but the board's nic.model is ${model}`);

  const driver = linkName(path.join(dir, "driver"));
  const iommuGroup = linkName(path.join(dir, "iommu_group"));
  if (port.access === "vfio") {
    // Without an IOMMU, vfio-pci cannot even bind the device: say the real cause first.
    if (iommuGroup === null) throw refuse("no-iommu", "no IOMMU: the device has no IOMMU group (boot with intel_iommu=on, or amd_iommu=on; without one, use access sysfs with dma devmem)");
    if (driver !== "vfio-pci") {
      throw refuse("driver", driver
        ? `bound to the kernel driver ${driver}: unbind it and bind vfio-pci (docs/real-hardware.md)`
        : "bound to no driver: bind it to vfio-pci (docs/real-hardware.md)");
    }
  } else {
    if (driver !== null) {
      throw refuse("driver", driver === "vfio-pci"
        ? "bound to vfio-pci: use access vfio, or unbind it for sysfs access"
        : `bound to the kernel driver ${driver}: unbind it (echo ${address} > /sys/bus/pci/drivers/${driver}/unbind)`);
    }
  }

  // May this process open what it needs? Root, or a user given the device files.
  const need = port.access === "vfio"
    ? [path.join(sys.dev, "vfio", iommuGroup as string), path.join(sys.dev, "vfio", "vfio")]
    : [path.join(dir, "resource0"), path.join(dir, "config")];
  for (const f of need) {
    const err = writable(f);
    if (err && (err.code === "EACCES" || err.code === "EPERM")) throw refuse("not-root", `not root: cannot open ${f.replace(sys.dev, "/dev").replace(sys.sys, "/sys")} for writing (run as root)`);
    if (err && port.access === "vfio" && err.code === "ENOENT") throw refuse("driver", `no ${f.replace(sys.dev, "/dev")}: load the vfio-pci module and bind the device to it`);
  }
  return { address, vendor, device, nicName: known.name, driver, iommuGroup };
}

/** A range of /proc/iomem: its bounds (inclusive end) and name, top-level entries only. */
interface IomemRange {
  start: number;
  end: number;
  name: string;
}

function iomem(sys: SysPaths): IomemRange[] {
  const out: IomemRange[] = [];
  for (const line of fs.readFileSync(path.join(sys.proc, "iomem"), "utf8").split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) : (.*)$/.exec(line); // top level: no indentation
    if (m) out.push({ start: parseInt(m[1], 16), end: parseInt(m[2], 16), name: m[3] });
  }
  return out;
}

/**
 * devmem placement: each core's whole linear memory (MEM_END bytes from its bus address -
 * DMA_BASE) must lie in RAM the kernel was told to leave alone (an E820 "Reserved" range,
 * memmap=). /proc/iomem shows addresses to root only. One refusal covers every range that
 * misses, with the memmap= that would reserve them.
 */
export function probeReservedRam(dmaPhys: number[], sys: SysPaths = REAL_SYS): void {
  const spans = dmaPhys.map((bus) => ({ start: bus - DMA_BASE, end: bus - DMA_BASE + MEM_END - 1 }));
  const text = spans.map((r) => `${hex(r.start)}..${hex(r.end)}`).join(", ");
  if (sys.euid !== 0) throw new PciProbeError(text, "not-root", "not root: /proc/iomem shows addresses to root only, and /dev/mem opens for root only");
  const ranges = iomem(sys);
  if (ranges.every((r) => r.end === 0)) throw new PciProbeError(text, "not-root", "not root: /proc/iomem shows no addresses");
  const missing = spans.map((s) => {
    const hit = ranges.filter((r) => r.start <= s.end && s.start <= r.end);
    const inside = hit.some((r) => r.name === "Reserved" && r.start <= s.start && s.end <= r.end);
    return { ...s, inside, there: hit.find((r) => r.name !== "Reserved")?.name };
  }).filter((s) => !s.inside);
  if (!missing.length) return;
  const mib = MEM_END / 2 ** 20;
  // Back-to-back ranges are one reservation.
  const merged: { start: number; end: number }[] = [];
  for (const s of [...missing].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && last.end + 1 === s.start) last.end = s.end;
    else merged.push({ start: s.start, end: s.end });
  }
  const memmap = merged.map((m) => `memmap=${(m.end + 1 - m.start) / 2 ** 20}M$${hex(m.start)}`).join(" ");
  const there = [...new Set(missing.map((s) => s.there).filter(Boolean))];
  const what = missing.length === 1
    ? `no reserved RAM for the core's memory (${hex(missing[0].start)}..${hex(missing[0].end)}, ${mib} MiB)`
    : `no reserved RAM for the cores' memories (${missing.map((s) => `${hex(s.start)}..${hex(s.end)}`).join(", ")}; ${mib} MiB each)`;
  throw new PciProbeError(missing.map((s) => `${hex(s.start)}..${hex(s.end)}`).join(", "), "no-reserved-ram",
    `${what}${there.length ? `: ${there.join(", ")} is there` : ""}; reserve it on the kernel command line (${memmap}) or move dma`);
}

/**
 * iommu placement: the IOVA range of the core's memory must avoid the regions the IOMMU
 * reserves for the group (the MSI window on x86: /sys/kernel/iommu_groups/N/reserved_regions).
 */
export function probeIova(group: string, dmaIova: number, sys: SysPaths = REAL_SYS): void {
  const start = dmaIova - DMA_BASE;
  const end = start + MEM_END - 1;
  let text = "";
  try {
    text = fs.readFileSync(path.join(sys.sys, "kernel", "iommu_groups", group, "reserved_regions"), "utf8");
  } catch {
    return; // older kernels: VFIO_IOMMU_MAP_DMA says it then
  }
  for (const line of text.split("\n")) {
    const m = /^0x([0-9a-f]+) 0x([0-9a-f]+) (\S+)/.exec(line);
    if (!m) continue;
    const [a, b] = [parseInt(m[1], 16), parseInt(m[2], 16)];
    if (a <= end && start <= b) {
      throw new PciProbeError(`IOVA ${hex(start)}..${hex(end)}`, "iommu-reserved", `overlaps the IOMMU's reserved region ${hex(a)}..${hex(b)} (${m[3]}): move dma`);
    }
  }
}
