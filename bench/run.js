#!/usr/bin/env node
// Runs every bench/*.bench.ts and prints its figures. Benchmarks report numbers; they never
// assert on time (the machine is shared and noisy: medians and side-by-side ratios only).
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const only = process.argv.slice(2);
const files = fs.readdirSync(__dirname).filter((f) => f.endsWith(".bench.ts") && (only.length === 0 || only.some((s) => f.includes(s)))).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, ["-r", "ts-node/register", path.join(__dirname, f)], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", TS_NODE_PROJECT: path.join(root, "tsconfig.json") },
  });
  if (r.status !== 0) failed++;
}
if (files.length === 0) console.log("no benchmarks");
process.exitCode = failed ? 1 : 0;
