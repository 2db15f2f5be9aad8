// The engines `lastgasp check` runs the core on, each answering every step of every script
// (a fresh instance per script):
//
//   v8        Node's own WebAssembly, in this process
//   wasmtime  real wasmtime (Cranelift) through its npm binding, in a child process
//   native    the core translated to C by wasm2c and compiled with this machine's C
//             compiler (the route onto boards without a WASM runtime), in a child process
//
// An engine that cannot run at all (a missing tool, a module it aborts on) throws EngineError.

import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BUILD_DIR, ROOT } from "../paths";
import { Answer, CallScript, isPoke } from "./script";

export const ENGINES = ["v8", "wasmtime", "native"] as const;
export type EngineName = (typeof ENGINES)[number];

/** The engine could not run (not a failed check): the message says why. */
export class EngineError extends Error {}

export interface EngineRun {
  /** What ran: the engine and its version. */
  engine: string;
  /** Per script: one answer per step (a poke: 0), and its wall time. */
  scripts: { answers: Answer[]; ms: number }[];
}

export function runEngine(engine: EngineName, coreFile: string, scripts: CallScript[]): EngineRun {
  if (engine === "v8") return runV8(coreFile, scripts);
  if (engine === "wasmtime") return runWasmtime(coreFile, scripts);
  return runNative(coreFile, scripts);
}

function runV8(coreFile: string, scripts: CallScript[]): EngineRun {
  const module = new WebAssembly.Module(fs.readFileSync(coreFile));
  const out = scripts.map((s) => {
    const t0 = process.hrtime.bigint();
    const inst = new WebAssembly.Instance(module, {});
    const ex = inst.exports as Record<string, unknown> & { memory: WebAssembly.Memory };
    const bytes = new Uint8Array(ex.memory.buffer);
    const answers: Answer[] = s.steps.map((step): Answer => {
      if (isPoke(step)) {
        const b = Buffer.from(step[2], "hex");
        if (step[1] < 0 || step[1] + b.length > bytes.length) return { error: "poke out of range" };
        bytes.set(b, step[1]);
        return 0;
      }
      const f = ex[step[0]];
      if (typeof f !== "function") return { error: `no export ${step[0]}` };
      try {
        return (f as (...a: number[]) => number)(...step[1]);
      } catch (e) {
        return { trap: (e as Error).message };
      }
    });
    return { answers, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  });
  return { engine: `v8 ${process.versions.v8} (Node ${process.version})`, scripts: out };
}

function runWasmtime(coreFile: string, scripts: CallScript[]): EngineRun {
  const runner = path.join(BUILD_DIR, "js", "host", "check", "wasmtime-runner.js");
  if (!fs.existsSync(runner)) throw new EngineError(`${runner} is missing: build lastgasp first (make)`);
  let version = "";
  try {
    version = (JSON.parse(fs.readFileSync(require.resolve("wasmtime/package.json", { paths: [ROOT] }), "utf8")) as { version: string }).version;
  } catch {
    throw new EngineError("the npm package wasmtime is not installed (npm install in the lastgasp directory)");
  }
  const r = spawnSync(process.execPath, [runner, path.resolve(coreFile)], { input: JSON.stringify(scripts), encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) {
    const why = r.status === 134 || r.signal === "SIGABRT" ? "wasmtime aborted: the module breaks its contract (an import, a void export or a trapping start function)" : (r.stderr || "").trim().split("\n").pop();
    throw new EngineError(`wasmtime could not run the core: ${why}`);
  }
  const out = JSON.parse(r.stdout) as EngineRun["scripts"];
  return { engine: `wasmtime (npm wasmtime ${version}, Cranelift)`, scripts: out };
}

/** The directory builds go to: the installation's build/, or the temp directory when it is read-only. */
function buildRoot(): string {
  try {
    fs.mkdirSync(BUILD_DIR, { recursive: true });
    fs.accessSync(BUILD_DIR, fs.constants.W_OK);
    return path.join(BUILD_DIR, "check-native");
  } catch {
    return path.join(os.tmpdir(), `lastgasp-check-native-${process.getuid?.() ?? 0}`);
  }
}

const RUNNER_C = path.join(ROOT, "host", "check", "native-runner.c");
const TRANSLATE = path.join(ROOT, "scripts", "wasm2c-core.sh");
const CALL_H = path.join(ROOT, "scripts", "wasm2c-core.h");
const WASM_RT = "/usr/share/wabt/wasm2c";

function tool(name: string, why: string): string {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (r.status !== 0) throw new EngineError(`${name} not found: ${why}`);
  return r.stdout.trim();
}

/** Translates and compiles the core with its runner, once per core (cached by content). */
export function nativeRunner(coreFile: string, log: (line: string) => void = () => {}): string {
  const cc = process.env.CC ?? "cc";
  tool("wasm2c", "the native engine translates the core with wasm2c (Debian package wabt; scripts/install-deps.sh)");
  tool(cc, "the native engine compiles the translated core with the system C compiler (Debian gcc)");
  if (!fs.existsSync(path.join(WASM_RT, "wasm-rt-impl.c"))) throw new EngineError(`${WASM_RT}/wasm-rt-impl.c missing (Debian package wabt)`);
  const h = crypto.createHash("sha256");
  for (const f of [coreFile, RUNNER_C, TRANSLATE, CALL_H]) h.update(fs.readFileSync(f));
  h.update(execFileSync("wasm2c", ["--version"], { encoding: "utf8" }));
  const dir = path.join(buildRoot(), h.digest("hex").slice(0, 16));
  const bin = path.join(dir, "runner");
  if (fs.existsSync(bin)) return bin;
  log(`building the native core: wasm2c ${path.basename(coreFile)}, ${cc} (once for this core, in ${dir})`);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const run = (file: string, args: string[]) => {
    const r = spawnSync(file, args, { cwd: tmp, encoding: "utf8" });
    if (r.status !== 0) throw new EngineError(`${path.basename(file)} ${args.slice(-2).join(" ")} failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" / ")}`);
  };
  try {
    run("sh", [TRANSLATE, tmp, path.resolve(coreFile)]);
    const cflags = ["-std=gnu11", "-O2", "-I", tmp, "-I", WASM_RT, "-I", path.dirname(CALL_H)];
    run(cc, [...cflags, "-w", "-c", path.join(tmp, "core.c"), "-o", path.join(tmp, "core.o")]);
    run(cc, [...cflags, "-w", "-c", path.join(WASM_RT, "wasm-rt-impl.c"), "-o", path.join(tmp, "wasm-rt-impl.o")]);
    run(cc, [...cflags, "-Wall", "-Wextra", "-c", RUNNER_C, "-o", path.join(tmp, "runner.o")]);
    run(cc, [path.join(tmp, "runner.o"), path.join(tmp, "core.o"), path.join(tmp, "wasm-rt-impl.o"), "-o", path.join(tmp, "runner"), "-lm"]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

function runNative(coreFile: string, scripts: CallScript[], log?: (line: string) => void): EngineRun {
  const bin = nativeRunner(coreFile, log ?? ((l) => process.stderr.write(`${l}\n`)));
  const lines: string[] = [];
  for (const s of scripts) {
    lines.push(`s ${s.name}`);
    for (const step of s.steps) lines.push(isPoke(step) ? `p ${step[1]} ${step[2]}` : `c ${step[0]} ${step[1].map((a) => a | 0).join(" ")}`);
    lines.push("x");
  }
  const r = spawnSync(bin, [], { input: lines.join("\n") + "\n", encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new EngineError(`the native runner failed (${r.signal ?? `exit ${r.status}`}): ${(r.stderr || "").trim().split("\n").pop()}`);
  const out: EngineRun["scripts"] = [];
  let answers: Answer[] = [];
  for (const l of r.stdout.split("\n")) {
    if (l === "") continue;
    const [kind, rest] = [l[0], l.slice(2)];
    if (kind === "d") {
      out.push({ answers, ms: Number(rest) / 1000 });
      answers = [];
    } else if (kind === "r") answers.push(Number(rest));
    else if (kind === "t") answers.push({ trap: `wasm2c trap ${rest}` });
    else answers.push({ error: rest });
  }
  let cc = "cc";
  try {
    cc = execFileSync(process.env.CC ?? "cc", ["--version"], { encoding: "utf8" }).split("\n")[0];
  } catch {
    /* the name will do */
  }
  const w2c = execFileSync("wasm2c", ["--version"], { encoding: "utf8" }).trim();
  return { engine: `native (wasm2c ${w2c}, ${cc}, ${os.arch()})`, scripts: out };
}
