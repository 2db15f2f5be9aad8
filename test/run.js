#!/usr/bin/env node
// The test command (`make test` / `npm test`). Runs, in order:
//   1. the type check (tsc --noEmit over host/, test/, bench/ and the shared constants),
//   2. every test/*.test.ts file under uvu, each in its own process so one file's crash
//      cannot hide another's results,
// then prints a closing line "N passed, N failed" (CI reads it). A skipped test counts as
// failed: in CI a test that cannot run is a failure.
//
// usage: node test/run.js [substring...]   (only files whose name contains a substring)
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const filters = process.argv.slice(2);
const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");
let passed = 0;
let failed = 0;
const failures = [];

function check(name, ok, detail) {
  if (ok) passed++;
  else {
    failed++;
    failures.push(detail ? `${name}: ${detail}` : name);
  }
}

if (filters.length === 0) {
  const t0 = Date.now();
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc", { paths: [root] }), "--noEmit", "-p", "tsconfig.json"], { cwd: root, encoding: "utf8" });
  process.stdout.write(`typecheck (tsc --noEmit): ${tsc.status === 0 ? "ok" : "FAILED"} (${Date.now() - t0} ms)\n`);
  if (tsc.status !== 0) process.stdout.write(tsc.stdout + tsc.stderr);
  check("typecheck", tsc.status === 0, "tsc --noEmit reported errors");
}

const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".test.ts"))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

const childEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", TS_NODE_PROJECT: path.join(root, "tsconfig.json"), NO_COLOR: "1" };
delete childEnv.FORCE_COLOR;
const uvu = path.join(root, "node_modules", "uvu", "bin.js");
for (const file of files) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [uvu, "-r", "ts-node/register", "test", `^${file.replace(/\./g, "\\.")}$`], {
    cwd: root,
    encoding: "utf8",
    env: childEnv,
    maxBuffer: 64 << 20,
  });
  const out = strip(r.stdout + r.stderr);
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const ok = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (Number.isNaN(total) || Number.isNaN(ok)) {
    process.stdout.write(`${file}: CRASHED (exit ${r.status}, ${secs} s)\n${out}\n`);
    check(file, false, "crashed before reporting");
    continue;
  }
  passed += ok;
  const bad = total - ok;
  failed += bad;
  if (bad > 0) failures.push(`${file}: ${bad - skipped} failed${skipped ? `, ${skipped} skipped` : ""}`);
  if (r.status !== 0 && bad === 0) check(file, false, `uvu exited ${r.status}`);
  const summary = bad > 0 || r.status !== 0 ? "FAILED" : "ok";
  process.stdout.write(`${file}: ${ok}/${total} ${summary} (${secs} s)\n`);
  if (summary !== "ok") process.stdout.write(out.split("\n").filter((l) => !/^\s*(Total|Passed|Skipped|Duration):/.test(l)).join("\n") + "\n");
}

if (failures.length) process.stdout.write(`\nfailures:\n${failures.map((f) => `  - ${f}`).join("\n")}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
