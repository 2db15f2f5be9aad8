// The wasmtime side of `lastgasp check --engine wasmtime`: a child process (the npm binding of
// real wasmtime, Cranelift, aborts the whole process on a contract violation — an import, a
// void export, a trapping start — so it never runs inside the CLI). Reads the scripts as JSON
// on stdin, runs each on a fresh instance, writes per script one answer per step (a poke: 0,
// or why it failed) and its wall time.
//
// usage: node wasmtime-runner.js CORE.wasm < scripts.json

import * as fs from "fs";
import type { Answer, CallScript } from "./script";
import { isPoke, pokeAsCalls } from "./script";

interface Wasmtime {
  Engine: new (config: unknown) => unknown;
  Config: new () => unknown;
  Module: { fromFile(engine: unknown, file: string): unknown };
  Store: new (engine: unknown) => unknown;
  Instance: new (store: unknown, module: unknown) => { getFunc(store: unknown, name: string): { call(store: unknown, args: number[]): number } | null };
}

function main(): void {
  const wasmFile = process.argv[2];
  const scripts = JSON.parse(fs.readFileSync(0, "utf8")) as CallScript[];
  const w = require("wasmtime") as Wasmtime;
  const engine = new w.Engine(new w.Config());
  const module = w.Module.fromFile(engine, wasmFile);
  const out: { answers: Answer[]; ms: number }[] = [];
  for (const s of scripts) {
    const t0 = process.hrtime.bigint();
    const store = new w.Store(engine);
    const instance = new w.Instance(store, module);
    const call = (fn: string, args: number[]): Answer => {
      const f = instance.getFunc(store, fn);
      if (!f) return { error: `no export ${fn}` };
      try {
        return f.call(store, args);
      } catch (e) {
        return { trap: String((e as Error)?.message ?? e) };
      }
    };
    const answers: Answer[] = [];
    for (const step of s.steps) {
      if (isPoke(step)) {
        let answer: Answer = 0;
        for (const [fn, a, v] of pokeAsCalls(step[1], step[2])) {
          const r = call(fn, [a, v]);
          if (r !== 0 && answer === 0) answer = { error: `poke at ${a}: ${fn} answered ${JSON.stringify(r)}` };
        }
        answers.push(answer);
      } else answers.push(call(step[0], step[1]));
    }
    out.push({ answers, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
  }
  process.stdout.write(JSON.stringify(out));
}

main();
