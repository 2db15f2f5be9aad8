// Crash -> gasp on the wire on QEMU's e1000 (a pci board: VFIO, the core's memory mapped
// through the virtual IOMMU), in guest time, with the crash path touched at arm time (the
// rehearsal, `lastgasp drill`'s default) and cold (--cold), runs interleaved in one guest
// boot so that both see the same load. Figures only (docs/real-hardware.md).
//
// How it is timed: `lastgasp drill` prints the guest's realtime clock just before it dies
// (dyingAtUs); QEMU's filter-dump stamps the gasp with the host's clock as the e1000 sends it
// (QEMU transmits inside the TDT write). A calibration frame whose TDT write the guest timed
// on its own clock (helpers/pci-guest.ts) maps one clock onto the other; one before the runs
// and one after show how far the two drifted meanwhile. Under TCG the guest's clock follows
// the host's, so an interval is the same on both.
//
// "Cold" under TCG: QEMU translates guest code once per guest physical page and keeps the
// translation while the page stays, across processes; so before every run (of either kind)
// the guest drops its page cache, and the addon's code comes back in fresh pages. The
// touched runs then pay for the translation in their rehearsal, the cold ones at the crash
// (on hardware: page faults, cold caches and TLBs instead).
//
// QEMU_PCI_RUNS (default 10) runs of each kind.

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { DMA_BASE } from "../assembly/shared/memmap";
import * as S from "../assembly/shared/status";
import { Core } from "../host/core/core";
import { GaspReceiver, GaspSender } from "../host/gasp/gasp";
import { readKeyFile } from "../host/gasp/key";
import { DEFAULT_GASP_CHASSIS } from "../host/cli/frame-sources";
import { buildRig, type RigRecord } from "../test/helpers/qemu";
import { runPciGuest, writeRigBoard, guestWorkDir, E1000_ADDRESS, type CapturedFrame } from "../test/helpers/qemu-pci";
import { CALIBRATION_ETHERTYPE, CALIBRATION_FRAMES, type GuestStep } from "../test/helpers/pci-guest";
import { median, quantile } from "./stats";

const RUNS = Number(process.env.QEMU_PCI_RUNS ?? 10);

async function main(): Promise<void> {
  buildRig();
  const dir = guestWorkDir("qemu-pci-bench");
  try {
    const keyFile = path.join(dir, "chassis.key");
    fs.writeFileSync(keyFile, crypto.randomBytes(32).toString("hex") + "\n", { mode: 0o600 });
    const board = writeRigBoard(dir, "pci-vfio", { address: E1000_ADDRESS.q35, access: "vfio" }, { os: 0x1_0000_0000 + DMA_BASE, fault: 0x2_0000_0000 + DMA_BASE });
    const steps: GuestStep[] = [{ kind: "calibrate", name: "cal-before", board }];
    const kinds: { name: string; boot: number; cold: boolean }[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const cold of [false, true]) {
        const k = { name: `${cold ? "cold" : "warm"}-${i}`, boot: kinds.length + 1, cold };
        kinds.push(k);
        // Each run starts from code the guest has never run: the page cache dropped, so the
        // addon's pages are read afresh into new frames, which TCG has never translated (its
        // translations are by guest physical page, and outlive a process otherwise).
        steps.push({ kind: "sysfs", name: `drop-${k.name}`, writes: [["/proc/sys/vm/drop_caches", "3"]] });
        steps.push({ kind: "cli", name: k.name, args: ["drill", "--board", board, "--key-file", keyFile, "--death", "null-store", "--boot", String(k.boot), "--watchdog-ms", "0", "--json", ...(cold ? ["--cold"] : [])] });
      }
    }
    steps.push({ kind: "calibrate", name: "cal-after", board });
    const run = await runPciGuest({
      machine: "q35", reserve: "0", dir, reflect: () => false, steps,
      setup: ["lgmod vfio-pci && lgmod vfio_iommu_type1 || exit 1", "echo 8086 100e > /sys/bus/pci/drivers/vfio-pci/new_id"],
    });

    // The capture: calibration frames, and each boot's first gasp frame.
    const core = Core.load();
    new GaspSender(core).setKey(0, readKeyFile(keyFile), 1);
    const rx = new GaspReceiver(core);
    rx.configure({ chassis: DEFAULT_GASP_CHASSIS });
    const isCal = (f: CapturedFrame) => ((f.data[12] << 8) | f.data[13]) === CALIBRATION_ETHERTYPE;
    const firstOfBoot = new Map<number, number>();
    for (const f of run.frames) {
      const r = rx.receive(f.data);
      const m = r.ok ? r.message : r.status === S.E_GASP_DUPLICATE ? r.message : undefined;
      if (m && !firstOfBoot.has(m.boot)) firstOfBoot.set(m.boot, f.timeUs);
    }
    // Each calibration step's frames, in order; the narrowest timed TDT write gives the offset
    // of the capture's clock over the guest's.
    const cals = run.frames.filter(isCal);
    if (cals.length !== 2 * CALIBRATION_FRAMES) throw new Error(`${cals.length} calibration frames in the capture, expected ${2 * CALIBRATION_FRAMES}`);
    const mapping = (rec: RigRecord, frames: CapturedFrame[]) => {
      const w = rec.windows as { k: number; calA: number; calB: number }[];
      const best = w.reduce((a, b) => (b.calB - b.calA < a.calB - a.calA ? b : a));
      const at = (best.calA + best.calB) / 2;
      return { at, offset: frames[best.k].timeUs - at, window: (best.calB - best.calA) / 2 };
    };
    const before = mapping(run.step("cal-before"), cals.slice(0, CALIBRATION_FRAMES));
    const after = mapping(run.step("cal-after"), cals.slice(CALIBRATION_FRAMES));
    const drift = after.offset - before.offset;
    // The capture's clock over the guest's, interpolated between the two calibrations.
    const offsetAt = (guestUs: number) => before.offset + (drift * (guestUs - before.at)) / (after.at - before.at);
    const window = Math.max(before.window, after.window);

    const figures = { warm: [] as number[], cold: [] as number[], rehearsalUs: [] as number[], armUs: { warm: [] as number[], cold: [] as number[] } };
    for (const k of kinds) {
      const r = run.step(k.name);
      const line = JSON.parse(String(r.stdout).trim().split("\n").pop()!) as { dyingAtUs: number; armUs: number; rehearsal: { us: number } | null };
      const onWire = firstOfBoot.get(k.boot);
      if (onWire === undefined) throw new Error(`${k.name}: no gasp of boot ${k.boot} in the capture (${r.signal}; ${r.stderr})`);
      (k.cold ? figures.cold : figures.warm).push(onWire - offsetAt(line.dyingAtUs) - line.dyingAtUs);
      (k.cold ? figures.armUs.cold : figures.armUs.warm).push(line.armUs);
      if (line.rehearsal) figures.rehearsalUs.push(line.rehearsal.us);
    }
    const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
    const row = (name: string, xs: number[]) => `  ${name.padEnd(42)} median ${ms(median(xs)).padStart(9)}   p10 ${ms(quantile(xs, 0.1)).padStart(9)}   p90 ${ms(quantile(xs, 0.9)).padStart(9)}   (n=${xs.length})`;
    console.log(`crash (NULL store in native code) -> first gasp frame on QEMU's e1000, guest time, VFIO + virtual IOMMU, TCG`);
    console.log(row("path touched at arm time (rehearsal)", figures.warm));
    console.log(row("cold (--cold: first run of the path)", figures.cold));
    console.log(`  ratio cold / touched (medians)             ${(median(figures.cold) / median(figures.warm)).toFixed(2)}`);
    console.log(row("the rehearsal itself, at arm time", figures.rehearsalUs));
    console.log(row("arm (gasp, fault plan, crash path), touched", figures.armUs.warm));
    console.log(row("arm, cold", figures.armUs.cold));
    console.log(`  clock mapping: calibration window +-${window.toFixed(0)} us; drift over the run ${drift.toFixed(0)} us`);
    console.log(`  guest: boot ${(run.bootMs / 1000).toFixed(1)} s, whole run ${(run.totalMs / 1000).toFixed(1)} s; load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  } finally {
    if (!process.env.QEMU_PCI_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
