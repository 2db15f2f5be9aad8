// The host's shape, kept by tests because it decays silently:
//   - the exception handler's wrapper (host/fault/fault.ts) starts light: requiring it alone
//     loads the core loader, the register-operation loop and shared constants — no board
//     files, no JSON-schema validator — so a crash handler's process starts fast;
//   - no file of the chassis or the switching path's host side grows past 400 lines, so each
//     keeps one concern a reader can hold.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";

const ROOT = path.join(__dirname, "..");

/** Modules that requiring `file` adds to require.cache, in a fresh Node with ts-node (transpile only). */
function modulesLoadedBy(file: string): string[] {
  const script = `
    const before = new Set(Object.keys(require.cache));
    require(${JSON.stringify(path.join(ROOT, file))});
    const added = Object.keys(require.cache).filter((k) => !before.has(k));
    process.stdout.write(JSON.stringify(added));
  `;
  const r = spawnSync(process.execPath, ["-r", "ts-node/register", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
  });
  assert.is(r.status, 0, `node exited ${r.status}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as string[]).map((m) => path.relative(ROOT, m));
}

test("requiring host/fault/fault.ts alone loads fewer than 40 modules, none from node_modules or host/board", () => {
  const mods = modulesLoadedBy("host/fault/fault.ts");
  // The probe sees the wrapper and what it imports (the core loader), not just the first file.
  for (const m of ["host/fault/fault.ts", "host/core/core.ts"]) assert.ok(mods.includes(path.normalize(m)), `${m} not among ${mods.join(", ")}`);
  assert.ok(mods.length < 40, `${mods.length} modules: ${mods.join(", ")}`);
  assert.equal(mods.filter((m) => m.includes("node_modules") || m.startsWith(path.join("host", "board"))), []);
});

test("the probe sees packages too: the board loader pulls in the schema validator", () => {
  const mods = modulesLoadedBy("host/board/load.ts");
  assert.ok(mods.some((m) => m.includes(path.join("node_modules", "ajv"))), `ajv not among ${mods.length} modules`);
  assert.ok(mods.length >= 40, `${mods.length} modules`);
});

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

test("no file in host/chassis/ or host/switch/ (subfolders included) is over 400 lines", () => {
  const files = ["host/chassis", "host/switch"].flatMap((d) => tsFiles(path.join(ROOT, d)));
  assert.ok(files.length >= 20, `only ${files.length} files found`);
  const lines = (f: string) => {
    const text = fs.readFileSync(f, "utf8");
    return text.split("\n").length - (text.endsWith("\n") ? 1 : 0); // as wc -l counts a terminated file
  };
  const over = files.filter((f) => lines(f) > 400).map((f) => `${path.relative(ROOT, f)}: ${lines(f)} lines`);
  assert.equal(over, []);
});

test.run();
