// Where lastgasp's own files are. The host runs from its TypeScript sources (tests, ts-node)
// and compiled (build/js/host/..., what bin/lastgasp.js runs), so a path written relative to
// a module's own directory would differ between the two: every module asks here instead.
// The installation root is the nearest directory above this module holding package.json.

import * as fs from "fs";
import * as path from "path";

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`lastgasp: no package.json above ${start}`);
  }
}

/** The lastgasp installation (a checkout, or the installed package). */
export const ROOT = findRoot(__dirname);
/** Build outputs: the cores, the native addon, the compiled host. */
export const BUILD_DIR = path.join(ROOT, "build");
export const BOARDS_DIR = path.join(ROOT, "boards");
export const SCENARIOS_DIR = path.join(ROOT, "scenarios");
export const CONFIGS_DIR = path.join(ROOT, "configs");
export const TOOLS_DIR = path.join(ROOT, "tools");
export const CONFORMANCE_DIR = path.join(ROOT, "conformance");

/** A path for messages: relative to the working directory when that is shorter. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && rel.length < p.length ? rel : p;
}
