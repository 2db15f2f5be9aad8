#!/usr/bin/env node
// Compiles the host (host/, and the shared constants it imports from assembly/shared/) with
// tsc into build/js/, which is what bin/lastgasp.js runs: no TypeScript at start-up.
//
//   node scripts/build-js.js           compile when a source is newer than the last build
//   node scripts/build-js.js --check   exit 1 (saying which file) when the build is stale
//
// Up to date is decided by modification times (a few hundred stat calls), so callers — make,
// the CLI tests — can ask on every run; tsc itself is incremental (build/js/.tsbuildinfo).
// Compiled files whose source is gone are removed, so a deleted command cannot linger.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const out = path.join(root, "build", "js");
const stamp = path.join(out, ".stamp");
const SOURCES = ["host", "assembly/shared", "sim-os"];
const CONFIGS = ["tsconfig.json", "tsconfig.build.json", "package.json"];

function walk(dir, ext, acc = []) {
  if (!fs.existsSync(dir)) return acc;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && e.name !== "build") walk(p, ext, acc);
    } else if (e.name.endsWith(ext)) acc.push(p);
  }
  return acc;
}

/** The newest source, or null when the last build is newer than every source. */
function staleBecause() {
  const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : -1;
  const files = [...SOURCES.flatMap((d) => walk(path.join(root, d), ".ts")), ...CONFIGS.map((f) => path.join(root, f))];
  for (const f of files) if (fs.statSync(f).mtimeMs > built) return path.relative(root, f);
  return null;
}

const why = staleBecause();
if (process.argv[2] === "--check") {
  if (why) {
    console.error(`build/js is older than ${why}: run make (or node scripts/build-js.js)`);
    process.exit(1);
  }
  process.exit(0);
}
if (!why) process.exit(0);

const t0 = Date.now();
const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (r.status !== 0) {
  console.error("build-js: tsc reported errors (build/js not updated)");
  process.exit(1);
}
// Remove compiled modules whose source was deleted.
let removed = 0;
for (const js of walk(out, ".js")) {
  const src = path.join(root, path.relative(out, js)).replace(/\.js$/, ".ts");
  if (!fs.existsSync(src)) {
    fs.rmSync(js);
    removed++;
  }
}
fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
const n = walk(out, ".js").length;
console.log(`build/js: ${n} modules compiled by tsc (${((Date.now() - t0) / 1000).toFixed(1)} s)${removed ? `, ${removed} stale removed` : ""}`);
