// `lastgasp check --engine v8|wasmtime|native [--core FILE] [--junit FILE] [--json]`: the
// core's self-test, the known-answer vectors and the conformance replay on one engine
// (host/check/, docs/ci.md). Exit 0 every case passed, 1 one failed, 2 bad input (including
// an engine that cannot run here: a missing tool, a module the engine refuses).

import { Command, InputError, Parsed, optionalString } from "./command";
import { checkOutputFile, readInput, writeOutput } from "./files";
import { BUILD_DIR, displayPath } from "../paths";
import * as path from "path";

const DEFAULT_CORE = path.join(BUILD_DIR, "core.wasm");

export const command: Command = {
  usage: "check [--engine v8|wasmtime|native] [--core FILE] [--junit FILE] [--json]",
  details: `Checks the core on an engine, each script on a fresh instance:
  core         abi_version() is the ABI this lastgasp speaks; selftest() returns 0
  kat          known-answer vectors through the exports: SHA-256 and SHA-512 (FIPS 180-4),
               HMAC-SHA-256 (RFC 4231), Ed25519 (RFC 8032), the Internet checksum (RFC 1071),
               CRC-32, an RFC 5227 announcement and an RFC 4861 unsolicited NA, byte for byte
  conformance  recorded call scripts (conformance/*.json): every result and every region
               digest of the wire codecs, the switching path, the gasp, the fault entry
               round by round, the packet engine, Ed25519 and the image parser, as V8
               computes them

engines:
  v8        Node's WebAssembly (default)
  wasmtime  real wasmtime (Cranelift), the npm binding, in a child process
  native    the core translated to C by wasm2c (Debian wabt) and compiled with this
            machine's C compiler: what runs on a board without a WASM runtime

options:
  --engine NAME  the engine (default v8)
  --core FILE    the core to check (default ${displayPath(DEFAULT_CORE)})
  --junit FILE   also write the results as JUnit XML, one testcase per script
  --json         print the report as JSON

exit status: 0 every case passed; 1 a case failed (each failure names the first wrong call);
2 bad input, or an engine that cannot run here (wasm2c or a C compiler missing).

examples:
  lastgasp check --engine wasmtime --junit check-wasmtime.xml
  lastgasp check --engine native`,
  options: { engine: { type: "string" }, core: { type: "string" }, junit: { type: "string" }, json: { type: "boolean" } },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const { ENGINES, EngineError } = require("../check/engines") as typeof import("../check/engines");
    const engine = optionalString(args, "engine") ?? "v8";
    if (!(ENGINES as readonly string[]).includes(engine)) throw new InputError(`--engine: "${engine}" is not one of ${ENGINES.join(", ")}`);
    const coreFile = optionalString(args, "core") ?? DEFAULT_CORE;
    const bytes = readInput(args.values.core === undefined ? null : "--core", coreFile, { binary: true });
    const label = `${args.values.core === undefined ? "" : "--core: "}${coreFile}`;
    if (!WebAssembly.validate(bytes)) throw new InputError(`${label}: not a valid WebAssembly module`);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
    if (imports.length) throw new InputError(`${label}: imports ${imports.map((i) => `${i.module}.${i.name}`).join(", ")}: the core has none (docs/core-abi.md)`);
    const junit = optionalString(args, "junit");
    if (junit !== undefined) checkOutputFile("--junit", junit);

    const { runCheck, junitXml } = require("../check/check") as typeof import("../check/check");
    let report: ReturnType<typeof runCheck>;
    try {
      report = runCheck(engine as (typeof ENGINES)[number], coreFile);
    } catch (e) {
      if (e instanceof EngineError) throw new InputError(`--engine ${engine}: ${e.message}`);
      throw e;
    }
    if (junit !== undefined) writeOutput("--junit", junit, junitXml(report, engine as (typeof ENGINES)[number]));
    if (args.values.json) {
      console.log(JSON.stringify({ ...report, junit: junit ?? null }, null, 2));
    } else {
      console.log(`check ${displayPath(coreFile)} (${report.core.bytes} bytes, sha256 ${report.core.sha256.slice(0, 16)}…) on ${report.engine}`);
      const width = Math.max(...report.cases.map((c) => c.suite.length + c.name.length + 1));
      for (const c of report.cases) {
        const what = c.ok ? `${c.calls} call${c.calls === 1 ? "" : "s"}${c.digests ? `, ${c.digests} digest${c.digests === 1 ? "" : "s"}` : ""} as expected` : c.failure;
        console.log(`  ${c.ok ? "ok  " : "FAIL"}  ${`${c.suite}/${c.name}`.padEnd(width)}  ${what}`);
      }
      console.log(`${report.passed} passed, ${report.failed} failed (${(report.ms / 1000).toFixed(1)} s)${junit !== undefined ? `; JUnit XML in ${junit}` : ""}`);
    }
    return report.ok ? 0 : 1;
  },
};
