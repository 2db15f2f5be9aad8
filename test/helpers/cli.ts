// Running the `lastgasp` CLI from tests: as a user does (the bin script in a child process,
// each costing a ts-node start-up), or through the same entry point in this process.

import { spawnSync } from "child_process";
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

/** `lastgasp ARGS` in a child process, in cwd (default: the repository root). */
export function spawnCli(args: string[], cwd: string = ROOT): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * `lastgasp ARGS` through main() in this process, console output captured (one string per
 * console call, newline-terminated). The bin script does nothing more than call main().
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
