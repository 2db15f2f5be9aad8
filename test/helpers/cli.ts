// Running the `lastgasp` CLI from tests: as a user does — bin/lastgasp.js in a child process,
// which runs the compiled host in build/js/ — or through the same main() in this process.
// The compiled host is brought up to date first (scripts/build-js.js: a stat walk when it
// is, tsc when a source is newer), so a test never runs yesterday's CLI.

import { spawnSync, execFileSync } from "child_process";
import * as path from "path";
import { main } from "../../host/cli/main";

export const ROOT = path.join(__dirname, "..", "..");
export const BIN = path.join(ROOT, "bin", "lastgasp.js");

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

// As a user's shell would run it: no colour settings inherited from the test runner.
const env = { ...process.env };
delete env.FORCE_COLOR;
delete env.NO_COLOR;
delete env.LASTGASP_DEBUG;

let built = false;
/** Compiles build/js when a source is newer (once per test process). */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build-js.js")], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  built = true;
}

/** `lastgasp ARGS` in a child process, in cwd (default: the repository root). */
export function spawnCli(args: string[], cwd: string = ROOT, opts: { input?: string; env?: Record<string, string> } = {}): CliResult {
  ensureBuilt();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd, env: { ...env, ...opts.env }, input: opts.input, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * `lastgasp ARGS` through main() in this process, console output captured (one string per
 * console call, newline-terminated). For cases that need the command's internals; the exit
 * codes and messages users see are tested through spawnCli.
 */
export async function runCliInProcess(args: string[], cwd?: string): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  const before = process.cwd();
  console.log = (...xs: unknown[]) => void out.push(xs.join(" ") + "\n");
  console.error = (...xs: unknown[]) => void err.push(xs.join(" ") + "\n");
  if (cwd) process.chdir(cwd);
  try {
    const code = await main(args);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    console.log = log;
    console.error = error;
    process.chdir(before);
  }
}
