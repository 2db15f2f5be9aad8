// Shell-script guests on the QEMU rig (docs/qemu-rig.md, "Shell guests and Node inside the
// guest"): a "#!/bin/sh" script runs instead of the harness, with the kernel modules of
// build/qemu/modules.cpio (lgmod) and, with shareRoot, the host's root file system at /host
// (hostroot), so `chroot /host /usr/bin/node ...` runs this repository's host code in the
// guest. Records are "LG {json}" lines on the serial console, as with the harness.
//
// powerCut() SIGKILLs QEMU itself: the guest gets no warning, a virtio disk keeps exactly
// what QEMU had written to its file.

import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RIG_DIR, recordLines, type RigRecord } from "./qemu";

const ROOT = path.join(__dirname, "..", "..");
const RUN_SH = path.join(ROOT, "scripts", "qemu-rig", "run.sh");
export const MODULES_CPIO = path.join(RIG_DIR, "modules.cpio");

export interface ShellGuestOptions {
  /** Share the host's / read-only (9p) for hostroot. */
  shareRoot?: boolean;
  /** A raw disk file: /dev/vda in the guest. */
  disk?: string;
  mem?: string;
  /** More run.sh options (the machine, an IOMMU, the network side, a capture...). */
  runArgs?: string[];
  /** Called for every record as it arrives; powerCut() kills QEMU at once. */
  onRecord?: (rec: RigRecord, ctl: { powerCut(): void }) => void;
  timeoutMs?: number;
  /** Work directory for the script and the pid file. */
  dir: string;
}

export interface ShellGuestRun {
  records: RigRecord[];
  console: string;
  stderr: string;
  /** True when powerCut() killed it. */
  cut: boolean;
  /** Milliseconds from spawn to the boot record, and to the end. */
  bootMs: number;
  totalMs: number;
}

/** The preamble of a guest script: helpers loaded, the host's root mounted when asked. */
export function guestPreamble(shareRoot: boolean): string {
  return [
    "#!/bin/sh",
    "B=/bin/busybox",
    ". /lib/lg/lgmod.sh",
    ". /lib/lg/hostroot.sh",
    shareRoot ? 'hostroot || { echo "LG {\\"op\\":\\"error\\",\\"what\\":\\"hostroot\\"}"; exit 1; }' : "",
  ].join("\n") + "\n";
}

/**
 * Compiles a TypeScript entry of this repository, and what it imports, to JavaScript in
 * outDir (under the repository, so the guest sees it at the same path): ts-node transpiling
 * in the guest under TCG costs about 20 s per start, plain Node about 2 s. What the code
 * finds relative to __dirname (build/, boards/, node_modules/) is symlinked. alsoCompile:
 * modules the entry loads with a computed require (the board kinds). Returns the entry's
 * .js file.
 */
export function guestJs(entry: string, outDir: string, alsoCompile: string[] = []): string {
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const flags = ["--outDir", outDir, "--rootDir", ROOT, "--noEmit", "false", "--target", "ES2022", "--module", "commonjs", "--moduleResolution", "node", "--esModuleInterop", "--resolveJsonModule", "--skipLibCheck", "--types", "node"];
  // The portable integer types (i32, u8...) that assembly/shared/ declares for tsc.
  const types = path.join(ROOT, "host", "types", "portable.d.ts");
  const r = spawnSync(process.execPath, [tsc, ...flags, types, entry, ...alsoCompile], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tsc for the guest failed:\n${r.stdout}${r.stderr}`);
  for (const d of ["build", "boards", "node_modules"]) {
    const link = path.join(outDir, d);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(ROOT, d), link);
  }
  return path.join(outDir, path.relative(ROOT, entry)).replace(/\.ts$/, ".js");
}

/** A command line that runs a JavaScript file (guestJs) with the host's Node, in the guest. */
export function guestNode(file: string, args: string[]): string {
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return `$B chroot /host /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/run TMPDIR=/run /usr/bin/node ${q(file)} ${args.map(q).join(" ")}`;
}

export async function runShellGuest(script: string, opts: ShellGuestOptions): Promise<ShellGuestRun> {
  const scriptFile = path.join(opts.dir, `guest-${process.pid}-${Date.now()}.sh`);
  const pidFile = `${scriptFile}.pid`;
  fs.writeFileSync(scriptFile, script);
  const args = ["--mem", opts.mem ?? "1G", "--cpio", MODULES_CPIO, "--pidfile", pidFile];
  if (opts.shareRoot) args.push("--share-root");
  if (opts.disk) args.push("--disk", opts.disk);
  args.push(...(opts.runArgs ?? []), scriptFile);
  const t0 = Date.now();
  let bootMs = NaN;
  let cut = false;
  const child = spawn(RUN_SH, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const records: RigRecord[] = [];
  let out = "";
  let err = "";
  const ctl = {
    powerCut() {
      if (cut) return;
      cut = true;
      try {
        process.kill(Number(fs.readFileSync(pidFile, "utf8").trim()), "SIGKILL");
      } catch {
        // already gone
      }
    },
  };
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => (err += d));
  const feed = recordLines((rec) => {
    if (cut) return; // whatever the console still delivers after the power went
    records.push(rec);
    if (rec.op === "boot") bootMs = Date.now() - t0;
    opts.onRecord?.(rec, ctl);
  });
  child.stdout.on("data", (d: string) => {
    out += d;
    feed(d);
  });
  const timeoutMs = opts.timeoutMs ?? 300_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.powerCut();
  }, timeoutMs);
  await new Promise<void>((resolve) => child.on("close", () => resolve()));
  clearTimeout(timer);
  fs.rmSync(scriptFile, { force: true });
  fs.rmSync(pidFile, { force: true });
  const totalMs = Date.now() - t0;
  if (process.env.QEMU_RIG_LOG) fs.appendFileSync(process.env.QEMU_RIG_LOG, out + (err ? `\n--- stderr\n${err}` : ""));
  if (timedOut || (!cut && (records.length === 0 || records[records.length - 1].op !== "exit"))) {
    throw new Error(`the guest did not finish (${totalMs} ms${totalMs >= timeoutMs ? ", timed out" : ""}):\n${out.slice(-4000)}\n${err}`);
  }
  return { records, console: out, stderr: err, cut, bootMs, totalMs };
}
