#!/usr/bin/env node
// Records the conformance scripts `lastgasp check` replays (conformance/*.json): each builder
// in test/helpers/conformance/ produces its calls, V8 runs them on a fresh instance of
// build/core.wasm, and every result is written next to its call (runs of byte and word stores
// folded into pokes). The expectations are V8's: on another engine, the check proves it
// computes what V8 does, call for call and digest for digest.
//
//   node scripts/gen-conformance.js           write the files
//   node scripts/gen-conformance.js --check   exit 1 when a file differs from a fresh recording
//
// Regenerate after a change to the core that changes what a script observes (review the
// diff: it is the behaviour that changed).
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
process.env.TS_NODE_TRANSPILE_ONLY = "1";
process.env.TS_NODE_PROJECT = path.join(root, "tsconfig.json");
require("ts-node/register");
const { SOURCES } = require(path.join(root, "test", "helpers", "conformance", "index.ts"));
const { compact, FORMAT } = require(path.join(root, "host", "check", "script.ts"));
const { ABI_VERSION } = require(path.join(root, "assembly", "shared", "abi.ts"));

const dir = path.join(root, "conformance");
const module_ = new WebAssembly.Module(fs.readFileSync(path.join(root, "build", "core.wasm")));
const check = process.argv[2] === "--check";
let stale = 0;
if (!check) fs.mkdirSync(dir, { recursive: true });
for (const src of SOURCES) {
  const calls = src.build();
  const ex = new WebAssembly.Instance(module_, {}).exports;
  const results = calls.map(([fn, ...args]) => {
    if (typeof ex[fn] !== "function") throw new Error(`${src.name}: the core has no export ${fn}`);
    return ex[fn](...args);
  });
  const doc = { format: FORMAT, name: src.name, description: src.description, abi: ABI_VERSION, generatedBy: "scripts/gen-conformance.js", steps: compact(calls, results) };
  const text = `{\n${Object.entries(doc).map(([k, v]) => k === "steps" ? ` "steps": [\n${v.map((s) => `  ${JSON.stringify(s)}`).join(",\n")}\n ]` : ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n")}\n}\n`;
  const file = path.join(dir, `${src.name}.json`);
  if (check) {
    const cur = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (cur !== text) {
      console.error(`conformance/${src.name}.json is out of date: run node scripts/gen-conformance.js`);
      stale++;
    }
  } else {
    fs.writeFileSync(file, text);
    console.log(`conformance/${src.name}.json: ${calls.length} calls, ${doc.steps.length} steps, ${text.length} bytes`);
  }
}
if (check) {
  const known = new Set(SOURCES.map((s) => `${s.name}.json`));
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (f.endsWith(".json") && !known.has(f)) {
      console.error(`conformance/${f} has no builder in test/helpers/conformance/`);
      stale++;
    }
  }
  process.exit(stale ? 1 : 0);
}
