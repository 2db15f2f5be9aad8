// Runs inside the QEMU guest (test/qemu-pci.test.ts, bench/qemu-pci.bench.ts) with the host's
// Node over 9p: a plan of steps — the `lastgasp` CLI as a user runs it, each in a process of
// its own (bring-up, `lastgasp drill` dying on purpose, refusals, as root or not), a sysfs
// write (binding drivers), a look at the device (to show what a refused command left alone),
// a calibration frame — and one "LG {json}" record per step on the serial console.
//
// Calibration: one frame (EtherType 0x88B6, "lastgasp-cal") sent through the OS core's TX
// ring of the board, with the realtime clock read just before and after the one native call
// that writes its TDT. QEMU's e1000 transmits inside that TDT write and filter-dump stamps
// the frame then, which maps the capture's clock onto the guest's: `lastgasp drill` prints
// the guest's realtime of its death (dyingAtUs), the capture stamps its gasp.
//
// usage (in the guest): node pci-guest.js PLAN.json

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { loadBoard } from "../../host/board/load";
import { openBoard } from "../../host/board/runtime";
import { CoreRings } from "../../host/nic/rings";

export type GuestStep =
  /**
   * node [nodeFlags] bin/lastgasp.js ARGS: exit code, signal, output. With uid, the command
   * first runs as root with `warm` (a board refused before anything is touched: every module
   * it loads on demand is loaded — a clean clone's directory may be closed to others), then
   * the process becomes that user and runs ARGS.
   */
  | { kind: "cli"; name: string; args: string[]; uid?: number; warm?: string[]; nodeFlags?: string[] }
  /** Copies a file (for another user to read: the guest's /run is open to all). */
  | { kind: "copy"; name: string; from: string; to: string; mode: number }
  /** Writes to sysfs files, in order (unbind, bind, new_id). */
  | { kind: "sysfs"; name: string; writes: [string, string][] }
  /** The device as sysfs shows it: driver, config space (first 64 bytes), enable. */
  | { kind: "look"; name: string; address: string }
  /**
   * A calibration frame through the board's port 0, from a process of its own (so that this
   * one never maps the addon: dropping the page cache really drops its code).
   */
  | { kind: "calibrate"; name: string; board: string };

export const CALIBRATION_ETHERTYPE = 0x88b6;
export const CALIBRATION_TEXT = "lastgasp-cal";

export interface GuestPlan {
  /** The repository (the guest sees the host's root at the same paths). */
  root: string;
  steps: GuestStep[];
}

const rec = (o: object) => process.stdout.write(`LG ${JSON.stringify(o)}\n`);

function look(address: string): Record<string, unknown> {
  const dir = `/sys/bus/pci/devices/${address}`;
  let driver: string | null = null;
  try {
    driver = path.basename(fs.readlinkSync(`${dir}/driver`));
  } catch {
    // unbound
  }
  const config = fs.readFileSync(`${dir}/config`).subarray(0, 64);
  return { driver, config: config.toString("hex"), command: config.readUInt16LE(4), enable: fs.readFileSync(`${dir}/enable`, "utf8").trim() };
}

/** Realtime in microseconds with sub-millisecond resolution (as `lastgasp drill` prints it). */
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** Calibration frames per calibrate step: the one whose TDT write was timed narrowest counts. */
export const CALIBRATION_FRAMES = 5;

function calibrate(boardFile: string): Record<string, unknown> {
  const rt = openBoard(loadBoard(boardFile));
  try {
    rt.osRings.must("nic_tx_init", 0);
    const windows: { k: number; calA: number; calB: number }[] = [];
    for (let k = 0; k < CALIBRATION_FRAMES; k++) {
      const f = new Uint8Array(60);
      f.fill(0xff, 0, 6);
      f.set(rt.board.ports[0].macBytes, 6);
      f[12] = CALIBRATION_ETHERTYPE >> 8;
      f[13] = CALIBRATION_ETHERTYPE & 0xff;
      f.set(new TextEncoder().encode(CALIBRATION_TEXT), 14);
      f[14 + CALIBRATION_TEXT.length] = k;
      if (rt.osRings.enqueue(0, [f]) !== 1) throw new Error("the calibration frame did not fit the TX ring");
      // nic_tx_doorbell lists one TDT write: time the native call that performs it.
      let calA = 0;
      let calB = 0;
      const timed = new CoreRings(rt.os, rt.nics, rt.delay, (view) => {
        calA = nowUs();
        const n = rt.perform(view);
        calB = nowUs();
        return n;
      });
      timed.must("nic_tx_doorbell", 0);
      rt.osRings.must("nic_tx_confirm", 0);
      windows.push({ k, calA, calB });
    }
    return { windows };
  } finally {
    rt.close();
  }
}

function main(): void {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as GuestPlan;
  const root = plan.root;
  rec({ op: "node", uptime: fs.readFileSync("/proc/uptime", "utf8").split(" ")[0] });
  for (const s of plan.steps) {
    const t0 = Date.now();
    if (s.kind === "cli") {
      const js = path.join(root, "build", "js", "host");
      // As another user: the command first runs once as root with `warm` (a board refused
      // before anything is touched), so that every module it loads on demand is resolved and
      // loaded (a clean clone's directory may be closed to others), silenced; then the process
      // becomes that user and runs the command for real.
      const asUser = s.uid === undefined ? [] : ["-e", [
        `const { main } = require(${JSON.stringify(path.join(js, "cli", "main"))});`,
        `const warm = ${JSON.stringify(s.warm ?? [])}, real = process.argv.slice(1);`,
        `const { log, error } = console; console.log = console.error = () => {};`,
        `main(warm).then(() => { console.log = log; console.error = error; process.setgid(${s.uid}); process.setuid(${s.uid}); return main(real); }).then((c) => process.exit(c));`,
      ].join("\n")];
      const argv = [...(s.nodeFlags ?? []), ...(asUser.length ? asUser : [path.join(root, "bin", "lastgasp.js")]), ...s.args];
      // Output into files, not pipes: a write to a pipe would wake this process up in the
      // middle of what a drill times (the guest has one CPU).
      const [out, err] = ["out", "err"].map((k) => fs.openSync(`/run/step.${k}`, "w+", 0o666));
      const r = spawnSync(process.execPath, argv, { stdio: ["ignore", out, err], cwd: "/run" });
      const [stdout, stderr] = [out, err].map((fd) => {
        fs.closeSync(fd);
        return fs.readFileSync(fd === out ? "/run/step.out" : "/run/step.err", "utf8");
      });
      rec({ op: "step", name: s.name, code: r.status, signal: r.signal, stdout, stderr: stderr.slice(-4000), ms: Date.now() - t0 });
    } else if (s.kind === "copy") {
      fs.copyFileSync(s.from, s.to);
      fs.chmodSync(s.to, s.mode);
      rec({ op: "step", name: s.name });
    } else if (s.kind === "calibrate") {
      const r = spawnSync(process.execPath, [__filename, "--calibrate", s.board], { encoding: "utf8", cwd: "/run" });
      let cal: Record<string, unknown> = { error: r.stderr.slice(-2000) };
      try {
        cal = JSON.parse(r.stdout);
      } catch {
        // the error above says why
      }
      rec({ op: "step", name: s.name, ...cal, ms: Date.now() - t0 });
    } else if (s.kind === "sysfs") {
      const done: string[] = [];
      let error: string | undefined;
      for (const [file, value] of s.writes) {
        try {
          fs.writeFileSync(file, value);
          done.push(file);
        } catch (e) {
          error = `${file}: ${(e as Error).message}`;
          break;
        }
      }
      rec({ op: "step", name: s.name, done, error, ms: Date.now() - t0 });
    } else {
      rec({ op: "step", name: s.name, ...look(s.address) });
    }
  }
}

if (require.main === module && process.argv[2] === "--calibrate") {
  process.stdout.write(JSON.stringify(calibrate(process.argv[3])));
} else if (require.main === module) {
  try {
    main();
  } catch (e) {
    rec({ op: "error", message: (e as Error).stack });
    process.exitCode = 1;
  }
}
