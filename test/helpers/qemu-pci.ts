// pci boards in the QEMU rig (docs/qemu-rig.md, "pci boards"): a guest whose e1000 the
// TypeScript host drives — Node inside the guest, the host's root shared over 9p — on q35 with
// a virtual IOMMU (VFIO) or on the pc machine with reserved RAM (/dev/mem). A plan of steps
// (helpers/pci-guest.ts) runs there; this side owns the e1000's far end of the wire: a UDP
// socket that returns every frame while bring-up runs (the loopback plug), and QEMU's
// filter-dump capture of everything the e1000 sent and received, with QEMU's timestamps.

import * as dgram from "dgram";
import * as fs from "fs";
import * as path from "path";
import { readPcap } from "../../host/pcap";
import { guestJs, guestNode, guestPreamble, runShellGuest } from "./qemu-guest";
import type { GuestPlan, GuestStep } from "./pci-guest";
import type { RigRecord } from "./qemu";

const ROOT = path.join(__dirname, "..", "..");

/** Where the e1000 sits: QEMU gives it the first free slot after the machine's own devices. */
export const E1000_ADDRESS = { q35: "0000:00:01.0", pc: "0000:00:02.0" } as const;
/** A device of each machine that is not a NIC (the ICH9 LPC bridge; the PIIX3 ISA bridge). */
export const NOT_A_NIC = { q35: "0000:00:1f.0", pc: "0000:00:01.0" } as const;
export const RIG_MAC = "02:00:5e:10:00:01";
/** Reserved RAM on the pc machine: both cores' memories (48 MiB each) fit. */
export const RESERVED = { base: 0x1000_0000, size: "128M" } as const;

/** A work directory under the repository (the guest sees the host's root at the same paths). */
export function guestWorkDir(name: string): string {
  const dir = path.join(ROOT, "build", name, String(process.pid));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const compiled = new Map<string, string>();

/** Compiles the guest's program (pci-guest.js) into dir/js, once per dir. */
export function compileGuest(dir: string): string {
  const done = compiled.get(dir);
  if (done) return done;
  // The board kinds are loaded on demand (host/board/native.ts): compile pci.ts too.
  const js = guestJs(path.join(ROOT, "test", "helpers", "pci-guest.ts"), path.join(dir, "js"), [path.join(ROOT, "host", "board", "pci.ts")]);
  compiled.set(dir, js);
  return js;
}

/** A board file for the rig's e1000 (kind pci), written into dir. */
export function writeRigBoard(dir: string, name: string, pci: Record<string, unknown>, dma: { os: number; fault: number }): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({
    id: name,
    description: "the QEMU rig's e1000 as a pci port",
    chassis: "rig",
    role: "linecard",
    unit: 1,
    peer: "rig-peer",
    nic: { model: "e1000" },
    dma: { os: `0x${dma.os.toString(16)}`, fault: `0x${dma.fault.toString(16)}` },
    rings: { tx: 64, rx: 64, fault: 32 },
    ports: [{ name: "fp0", kind: "pci", pci, role: "front", mac: RIG_MAC, link: { partner: "rig-peer/fp0" }, ipv4: ["192.0.2.2/24"] }],
    vips: [{ port: "fp0", ipv4: "192.0.2.1" }],
  }, null, 1));
  return file;
}

export interface CapturedFrame {
  timeUs: number;
  data: Uint8Array;
}

export interface PciGuestRun {
  /** Every record, in order; steps by name. */
  records: RigRecord[];
  step(name: string): RigRecord;
  /** QEMU's filter-dump: every frame through the e1000's netdev, both directions, stamped. */
  frames: CapturedFrame[];
  pcapFile: string;
  console: string;
  bootMs: number;
  totalMs: number;
}

export interface PciGuestOptions {
  machine: "q35" | "pc";
  /** RAM reserved at RESERVED.base (memmap=); "0": none. */
  reserve: string;
  /** Shell lines after the host's root is mounted (modules, driver binding). */
  setup: string[];
  steps: GuestStep[];
  /** Return every frame while this is true (bring-up's loopback plug); asked per frame. */
  reflect: () => boolean;
  onRecord?: (rec: RigRecord) => void;
  dir: string;
  timeoutMs?: number;
}

function bindUdp(sock: dgram.Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(0, "127.0.0.1", () => resolve(sock.address().port));
  });
}

export async function runPciGuest(opts: PciGuestOptions): Promise<PciGuestRun> {
  const pciGuest = compileGuest(opts.dir);
  const plan: GuestPlan = { root: ROOT, steps: opts.steps };
  const planFile = path.join(opts.dir, `plan-${opts.machine}.json`);
  fs.writeFileSync(planFile, JSON.stringify(plan));
  const script = guestPreamble(true) + opts.setup.join("\n") + "\n" + guestNode(pciGuest, [planFile]) + "\n";
  const pcapFile = path.join(opts.dir, `e1000-${opts.machine}.pcap`);

  // The e1000's far end: QEMU sends to farPort and receives on qemuPort (both loopback).
  const far = dgram.createSocket("udp4");
  const farPort = await bindUdp(far);
  const probe = dgram.createSocket("udp4");
  const qemuPort = await bindUdp(probe);
  await new Promise<void>((r) => probe.close(() => r()));
  far.on("message", (msg) => {
    if (opts.reflect()) far.send(msg, qemuPort, "127.0.0.1");
  });
  try {
    const own = path.join(opts.dir, opts.machine); // runShellGuest's script and pid file
    fs.mkdirSync(own, { recursive: true });
    const run = await runShellGuest(script, {
      shareRoot: true, mem: "1G", dir: own, timeoutMs: opts.timeoutMs ?? 600_000,
      onRecord: (rec) => opts.onRecord?.(rec),
      runArgs: [
        "--mac", RIG_MAC, ...(opts.machine === "q35" ? ["--iommu"] : ["--machine", "pc"]),
        "--phys", `0x${RESERVED.base.toString(16)}`, "--reserve", opts.reserve,
        "--udp", `${farPort}:${qemuPort}`, "--pcap", pcapFile,
      ],
    });
    const frames = fs.existsSync(pcapFile) ? readPcap(fs.readFileSync(pcapFile)).map((r) => ({ timeUs: r.timeUs, data: r.data })) : [];
    const step = (name: string) => {
      const r = run.records.find((x) => x.op === "step" && x.name === name);
      if (!r) throw new Error(`no record of step ${name} (the guest said: ${JSON.stringify(run.records.filter((x) => x.op === "error"))})`);
      return r;
    };
    return { records: run.records, step, frames, pcapFile, console: run.console, bootMs: run.bootMs, totalMs: run.totalMs };
  } finally {
    far.close();
  }
}
