#!/usr/bin/env node
// Builds the core: build/core.wasm (release) and build/core.debug.wasm (debug, source map).
//
// The memory size comes from assembly/shared/memmap.ts (MEM_PAGES), the one place it is
// declared: initial = maximum, so the memory can never grow. Prints each module's size.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const memmap = fs.readFileSync(path.join(root, "assembly/shared/memmap.ts"), "utf8");
const m = /export const MEM_PAGES = (0x[0-9a-fA-F_]+|\d+);/.exec(memmap);
if (!m) {
  console.error("build-core: MEM_PAGES not found in assembly/shared/memmap.ts");
  process.exit(1);
}
const pages = String(Number(m[1].replace(/_/g, "")));
const asc = require.resolve("assemblyscript/bin/asc.js", { paths: [root] });

fs.mkdirSync(path.join(root, "build"), { recursive: true });
for (const target of ["release", "debug"]) {
  execFileSync(process.execPath, [asc, "assembly/index.ts", "--target", target,
    "--initialMemory", pages, "--maximumMemory", pages], { cwd: root, stdio: "inherit" });
}
// The simulated guest OS (sim-os/): not the core, so it may import (its memory and a panic
// hook) and trap. Its own options only: --config points away from ./asconfig.json.
const simosBase = /export const SIMOS_BASE = (0x[0-9a-fA-F_]+);/.exec(memmap);
const osDataOffset = /export const OS_OFF_DATA = (0x[0-9a-fA-F_]+);/.exec(fs.readFileSync(path.join(root, "sim-os/faults.ts"), "utf8"));
execFileSync(process.execPath, [asc, "sim-os/os.ts", "--config", "sim-os/asconfig.json",
  "--memoryBase", String(Number(simosBase[1].replace(/_/g, "")) + Number(osDataOffset[1]))], { cwd: root, stdio: "inherit" });

for (const f of ["core.wasm", "core.debug.wasm", "sim/os.wasm"]) {
  const size = fs.statSync(path.join(root, "build", f)).size;
  const memory = f === "sim/os.wasm" ? "imports its unit's core memory" : `memory ${pages} pages fixed`;
  console.log(`build/${f}: ${size} bytes (${(size / 1024).toFixed(1)} KiB), ${memory}`);
}
