// Files the user names on the command line: inputs that must exist, be readable and not be
// empty; outputs whose place is checked before any work starts (so a long run never ends in
// a stack trace over a missing folder, and never leaves half its outputs behind). Every
// problem is an InputError naming the option and the path: exit 2.

import * as fs from "fs";
import * as path from "path";
import { InputError } from "./command";

const label = (option: string | null, p: string) => (option ? `${option}: ${p}` : p);

function errno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOENT: "no such file",
    ENOTDIR: "no such file (a component of the path is not a directory)",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EISDIR: "is a directory",
    ENOSPC: "no space left on the device",
    EROFS: "read-only file system",
    ENAMETOOLONG: "name too long",
  };
  return why[code ?? ""] ?? (e as Error).message;
}

/** Reads an input file the user named: exists, is a file, readable, not empty. */
export function readInput(option: string | null, file: string, opts: { binary: true }): Buffer;
export function readInput(option: string | null, file: string, opts?: { binary?: false }): string;
export function readInput(option: string | null, file: string, opts: { binary?: boolean } = {}): string | Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new InputError(`${label(option, file)}: ${errno(e)}`);
  }
  if (st.isDirectory()) throw new InputError(`${label(option, file)}: is a directory, not a file`);
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    throw new InputError(`${label(option, file)}: cannot read it (${errno(e)})`);
  }
  if (data.length === 0) throw new InputError(`${label(option, file)}: is empty`);
  return opts.binary ? data : data.toString("utf8");
}

/** The nearest ancestor of p that exists (p itself when it does). */
function existingAncestor(p: string): string {
  let d = path.resolve(p);
  while (!fs.existsSync(d)) {
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks that a file can be written at `file` (an existing file is replaced): its directory
 * exists and is writable, and `file` is not a directory. Creates nothing.
 */
export function checkOutputFile(option: string, file: string): void {
  if (file === "") throw new InputError(`${option}: needs a file name`);
  const abs = path.resolve(file);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) throw new InputError(`${label(option, file)}: is a directory (give a file name)`);
  if (file.endsWith("/")) throw new InputError(`${label(option, file)}: names a directory (give a file name)`);
  const dir = path.dirname(abs);
  if (!fs.existsSync(dir)) throw new InputError(`${label(option, file)}: no such directory ${path.dirname(file) || "."} (create it first)`);
  if (!fs.statSync(dir).isDirectory()) throw new InputError(`${label(option, file)}: ${path.dirname(file)} is not a directory`);
  if (!writable(dir)) throw new InputError(`${label(option, file)}: cannot write in ${path.dirname(file) || "."} (permission denied)`);
  if (fs.existsSync(abs) && !writable(abs) && fs.statSync(abs).isFile()) {
    try {
      fs.accessSync(abs, fs.constants.W_OK);
    } catch {
      throw new InputError(`${label(option, file)}: exists and is not writable`);
    }
  }
}

/**
 * Checks that a directory can receive outputs at `dir`: it is a writable directory, or it can
 * be created (its nearest existing ancestor is a writable directory). Creates nothing.
 */
export function checkOutputDir(option: string, dir: string): void {
  if (dir === "") throw new InputError(`${option}: needs a directory`);
  const abs = path.resolve(dir);
  const base = existingAncestor(abs);
  if (!fs.statSync(base).isDirectory()) {
    throw new InputError(`${label(option, dir)}: ${base === abs ? "exists and is not a directory" : `${path.relative(process.cwd(), base) || base} is a file, not a directory`}`);
  }
  if (!writable(base)) throw new InputError(`${label(option, dir)}: cannot write in ${path.relative(process.cwd(), base) || base} (permission denied)`);
}

/** Creates a checked output directory (mkdir -p). */
export function makeOutputDir(option: string, dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new InputError(`${label(option, dir)}: cannot create it (${errno(e)})`);
  }
}

/** Writes a checked output file. */
export function writeOutput(option: string, file: string, data: string | Uint8Array): void {
  try {
    fs.writeFileSync(file, data);
  } catch (e) {
    throw new InputError(`${label(option, file)}: cannot write it (${errno(e)})`);
  }
}
