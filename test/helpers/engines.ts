// Running one call script under two engines: real wasmtime (Cranelift, npm binding, in a
// child process because the binding aborts the process on contract violations) and V8.
// The binding has no memory access: inputs go in through mem_store8/mem_store32/mem_fill,
// outputs come back as region digests.

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Core, CORE_WASM } from "../../host/core/core";
import { tmpDir } from "./tshark";

export type Call = [string, ...number[]];

/** Appends mem_store8 calls that place data at ptr. */
export function poke(script: Call[], ptr: number, data: Uint8Array): void {
  data.forEach((b, i) => script.push(["mem_store8", ptr + i, b]));
}

export interface EngineRun {
  wasmtime: unknown[];
  v8: number[];
  /** Calls whose results differ, with both results. */
  diffs: { call: Call; wasmtime: unknown; v8: number }[];
}

/** Runs the script under wasmtime and under a fresh V8 instance of the same core.wasm. */
export function runOnBothEngines(script: Call[], label: string): EngineRun {
  const dir = tmpDir(label);
  const file = path.join(dir, "script.json");
  fs.writeFileSync(file, JSON.stringify(script));
  const child = path.join(__dirname, "wasmtime-child.js");
  let wasmtime: unknown[];
  try {
    wasmtime = JSON.parse(execFileSync(process.execPath, [child, CORE_WASM, file], { encoding: "utf8", maxBuffer: 64 << 20 })) as unknown[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const core = Core.load();
  const v8 = script.map(([fn, ...args]) => core.exports[fn](...args));
  const diffs = script.map((call, i) => ({ call, wasmtime: wasmtime[i], v8: v8[i] })).filter((d) => d.wasmtime !== d.v8);
  return { wasmtime, v8, diffs };
}
