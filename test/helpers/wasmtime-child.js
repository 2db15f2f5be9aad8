// Runs a call script against build/core.wasm under the npm `wasmtime` binding (real wasmtime,
// Cranelift) and prints the results as JSON. Runs in its own process because the binding
// aborts the whole process on contract violations (imports, void exports, start traps).
//
// usage: node wasmtime-child.js CORE.wasm SCRIPT.json
"use strict";
const fs = require("fs");
const { Engine, Config, Module, Store, Instance } = require("wasmtime");

const [wasmFile, scriptFile] = process.argv.slice(2);
const script = JSON.parse(fs.readFileSync(scriptFile, "utf8"));
const engine = new Engine(new Config());
const store = new Store(engine);
const instance = new Instance(store, Module.fromFile(engine, wasmFile));
const results = script.map(([fn, ...args]) => {
  const f = instance.getFunc(store, fn);
  if (!f) return { error: `no export ${fn}` };
  try {
    return f.call(store, args);
  } catch (e) {
    return { trap: String(e && e.message) };
  }
});
process.stdout.write(JSON.stringify(results));
