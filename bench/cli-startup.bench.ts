// CLI start-up: `lastgasp --help` and a real command (`encode garp`, which loads the core),
// wall clock per process, this checkout's compiled CLI side by side with a baseline commit's
// (runs interleaved, so both see the same machine load). Medians of RUNS each.
//
//   node bench/run.js cli-startup                  baseline: the last commit whose bin ran ts-node
//   LASTGASP_BASELINE=<commit> node bench/run.js cli-startup
//
// The baseline is checked out in a temporary git worktree that borrows this checkout's
// node_modules, builds its own core (for the encode case), and is removed afterwards.

import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { median, quantile } from "./stats";

const ROOT = path.join(__dirname, "..");
const RUNS = Number(process.env.RUNS ?? 21);
const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();

function baselineCommit(): string | null {
  if (process.env.LASTGASP_BASELINE) return git("rev-parse", "--verify", `${process.env.LASTGASP_BASELINE}^{commit}`);
  try {
    // The commit that stopped bin/lastgasp.js from registering ts-node; its parent did.
    const removal = git("log", "-1", "--format=%H", "-S", 'require("ts-node")', "--", "bin/lastgasp.js");
    return removal ? git("rev-parse", `${removal}^`) : null;
  } catch {
    return null;
  }
}

function timeOnce(bin: string, args: string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: "ignore" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} exited ${r.status}`);
  return ms;
}

const CASES: [string, string[]][] = [
  ["--help", ["--help"]],
  ["encode garp (loads the core)", ["encode", "garp", "--ip", "192.0.2.1", "--mac", "02:00:00:aa:bb:cc", "--json"]],
];

execFileSync(process.execPath, [path.join(ROOT, "scripts", "build-js.js")], { cwd: ROOT, stdio: "inherit" });
const base = baselineCommit();
let wt: string | null = null;
try {
  if (base) {
    wt = fs.mkdtempSync(path.join(os.tmpdir(), "lastgasp-baseline-"));
    git("worktree", "add", "--detach", wt, base);
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(wt, "node_modules"));
    // Its own core: the host refuses a core of another ABI.
    execFileSync(process.execPath, ["scripts/build-core.js"], { cwd: wt, stdio: "ignore" });
  }
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}; ${RUNS} runs each, interleaved`);
  console.log(`this checkout: ${git("rev-parse", "--short", "HEAD")} (compiled, build/js)${base ? `; baseline ${base.slice(0, 7)} (ts-node, transpile only)` : "; no baseline found"}`);
  console.log(`${"command".padEnd(32)} ${"now median".padStart(11)} ${"p90".padStart(8)}   ${"baseline median".padStart(15)} ${"p90".padStart(8)}   ratio`);
  for (const [label, args] of CASES) {
    const now: number[] = [];
    const old: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      now.push(timeOnce(path.join(ROOT, "bin", "lastgasp.js"), args, ROOT));
      if (wt) old.push(timeOnce(path.join(wt, "bin", "lastgasp.js"), args, wt));
    }
    const f = (x: number) => `${x.toFixed(0)} ms`;
    const oldCols = old.length ? `${f(median(old)).padStart(15)} ${f(quantile(old, 0.9)).padStart(8)}   ${(median(old) / median(now)).toFixed(1)}×` : "";
    console.log(`${label.padEnd(32)} ${f(median(now)).padStart(11)} ${f(quantile(now, 0.9)).padStart(8)}   ${oldCols}`);
  }
} finally {
  if (wt) {
    git("worktree", "remove", "--force", wt);
    fs.rmSync(wt, { recursive: true, force: true });
  }
}
