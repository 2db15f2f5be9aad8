// Running one call script under two engines, for tests that compare them on the spot: real
// wasmtime (Cranelift, the npm binding, in a child process: host/check/wasmtime-runner.ts)
// and V8. The binding has no memory access: inputs go in through mem_store8 (poke), outputs
// come back as region digests. The recorded suites `lastgasp check` replays are built from
// the same calls (test/helpers/conformance/).

import { CORE_WASM } from "../../host/core/core";
import { runEngine } from "../../host/check/engines";
import type { CallScript } from "../../host/check/script";
import { ensureBuilt } from "./cli";

export type Call = [string, ...number[]];

/** Appends mem_store8 calls that place data at ptr. */
export function poke(script: Call[], ptr: number, data: Uint8Array): void {
  data.forEach((b, i) => script.push(["mem_store8", ptr + i, b]));
}

export interface EngineRun {
  wasmtime: unknown[];
  v8: unknown[];
  /** Calls whose results differ, with both results. */
  diffs: { call: Call; wasmtime: unknown; v8: unknown }[];
}

/** Runs the script under wasmtime and under V8, each on a fresh instance of build/core.wasm. */
export function runOnBothEngines(calls: Call[], label: string): EngineRun {
  ensureBuilt();
  const script: CallScript = { name: label, description: label, steps: calls.map(([fn, ...args]) => [fn, args, 0]) };
  const wasmtime: unknown[] = runEngine("wasmtime", CORE_WASM, [script]).scripts[0].answers;
  const v8: unknown[] = runEngine("v8", CORE_WASM, [script]).scripts[0].answers;
  const diffs = calls.map((call, i) => ({ call, wasmtime: wasmtime[i], v8: v8[i] })).filter((d) => JSON.stringify(d.wasmtime) !== JSON.stringify(d.v8));
  return { wasmtime, v8, diffs };
}
