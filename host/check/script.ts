// Call scripts: what `lastgasp check` replays on an engine. A script is a list of steps on a
// fresh instance of the core — calls of exports with i32 arguments and the result each must
// return, and pokes of bytes into linear memory (the arguments a host hands the core). Results
// that are memory are checked through the core's region_digest (CRC-32 of a range), so an
// engine without memory access (the npm wasmtime binding) can run every script.
//
// The conformance scripts live in conformance/*.json (docs/ci.md): recorded on V8 by
// scripts/gen-conformance.js from builders in test/helpers/conformance/, and checked to be
// current by test/conformance.test.ts.

import * as fs from "fs";
import * as path from "path";
import { CONFORMANCE_DIR } from "../paths";

/** [export, arguments, expected result]: the result an engine must return. */
export type CallStep = [fn: string, args: number[], expect: number];
/** ["@poke", address, hex bytes]: write bytes into linear memory. */
export type PokeStep = ["@poke", addr: number, hex: string];
export type Step = CallStep | PokeStep;

export interface CallScript {
  name: string;
  description: string;
  /** The core ABI the expectations were recorded for (assembly/shared/abi.ts). */
  abi?: number;
  steps: Step[];
}

export const isPoke = (s: Step): s is PokeStep => s[0] === "@poke";

/** What an engine answered to one call: its i32 result, or why there was none. */
export type Answer = number | { trap: string } | { error: string };

export const FORMAT = 1;

/** The conformance scripts shipped in conformance/, in name order. */
export function conformanceScripts(dir = CONFORMANCE_DIR): CallScript[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const j = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as CallScript & { format: number };
      if (j.format !== FORMAT) throw new Error(`${f}: conformance format ${j.format}, expected ${FORMAT}`);
      return { name: j.name, description: j.description, abi: j.abi, steps: j.steps };
    });
}

/**
 * A recorded script as steps: calls with their results, and runs of successful byte and word
 * stores (mem_store8, mem_store32 to consecutive addresses) folded into pokes.
 */
export function compact(calls: [string, ...number[]][], results: number[]): Step[] {
  const out: Step[] = [];
  let run: { addr: number; bytes: number[] } | null = null;
  const flush = () => {
    if (run) out.push(["@poke", run.addr, Buffer.from(run.bytes).toString("hex")]);
    run = null;
  };
  calls.forEach(([fn, ...args], i) => {
    const store = (fn === "mem_store8" || fn === "mem_store32") && results[i] === 0;
    if (!store) {
      flush();
      out.push([fn, args, results[i]]);
      return;
    }
    const bytes = fn === "mem_store8" ? [args[1] & 0xff] : [0, 8, 16, 24].map((s) => (args[1] >>> s) & 0xff);
    const r = run as { addr: number; bytes: number[] } | null;
    if (r && r.addr + r.bytes.length === args[0]) r.bytes.push(...bytes);
    else {
      flush();
      run = { addr: args[0], bytes };
    }
  });
  flush();
  return out;
}

/** Pokes as mem_store32 / mem_store8 calls, for engines that reach memory only through exports. */
export function pokeAsCalls(addr: number, hex: string): [string, number, number][] {
  const b = Buffer.from(hex, "hex");
  const calls: [string, number, number][] = [];
  let i = 0;
  for (; i + 4 <= b.length; i += 4) calls.push(["mem_store32", addr + i, b.readInt32LE(i)]);
  for (; i < b.length; i++) calls.push(["mem_store8", addr + i, b[i]]);
  return calls;
}
