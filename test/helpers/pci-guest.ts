// Runs inside the QEMU guest (test/qemu-pci.test.ts, bench/qemu-pci.bench.ts) with the host's
// Node over 9p: a plan of steps, each a process of its own — the `lastgasp` CLI as a user runs
// it, a unit's armed process that dies (armed-unit.ts), a sysfs write (binding drivers), a
// look at the device (to show what a refused command left alone) — and one "LG {json}" record
// per step on the serial console.
//
// usage (in the guest): node pci-guest.js PLAN.json

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import "./armed-unit"; // compiled with this file for the guest: the process each "die" step runs

export type GuestStep =
  /** node bin/lastgasp.js ARGS, as root or as another user. */
  | { kind: "cli"; name: string; args: string[]; uid?: number }
  /** node [nodeFlags] armed-unit.js BOARD KEY HOW ARGS: the records it printed, how it ended. */
  | { kind: "die"; name: string; board: string; key: string; how: string; args?: string[]; nodeFlags?: string[] }
  /** Writes to sysfs files, in order (unbind, bind, new_id). */
  | { kind: "sysfs"; name: string; writes: [string, string][] }
  /** The device as sysfs shows it: driver, config space (first 64 bytes), enable. */
  | { kind: "look"; name: string; address: string };

export interface GuestPlan {
  /** The repository (the guest sees the host's root at the same paths). */
  root: string;
  /** armed-unit.js, compiled for the guest. */
  armedUnit: string;
  steps: GuestStep[];
}

const rec = (o: object) => process.stdout.write(`LG ${JSON.stringify(o)}\n`);

/** Every "LG {json}" line of a child's stdout. */
function records(out: string): object[] {
  return out.split("\n").flatMap((l) => {
    const m = /^LG (\{.*\})$/.exec(l);
    if (!m) return [];
    try {
      return [JSON.parse(m[1])];
    } catch {
      return [];
    }
  });
}

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

function main(): void {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as GuestPlan;
  const root = plan.root;
  rec({ op: "node", uptime: fs.readFileSync("/proc/uptime", "utf8").split(" ")[0] });
  for (const s of plan.steps) {
    const t0 = Date.now();
    if (s.kind === "cli") {
      const r = spawnSync(process.execPath, [path.join(root, "bin", "lastgasp.js"), ...s.args], { encoding: "utf8", uid: s.uid, gid: s.uid, cwd: "/tmp", maxBuffer: 16 << 20 });
      rec({ op: "step", name: s.name, code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 });
    } else if (s.kind === "die") {
      const argv = [...(s.nodeFlags ?? []), plan.armedUnit, s.board, s.key, s.how, ...(s.args ?? [])];
      const r = spawnSync(process.execPath, argv, { encoding: "utf8", cwd: "/tmp", maxBuffer: 16 << 20 });
      rec({ op: "step", name: s.name, code: r.status, signal: r.signal, records: records(r.stdout), stderr: r.stderr.slice(-2000), ms: Date.now() - t0 });
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

try {
  main();
} catch (e) {
  rec({ op: "error", message: (e as Error).stack });
  process.exitCode = 1;
}
