// `lastgasp check`: the core checked on one engine. Three suites of call scripts, every script
// on a fresh instance:
//
//   core         abi_version() is the ABI this lastgasp speaks; selftest() returns 0
//   kat          the known-answer vectors through the exports (kat.ts)
//   conformance  the recorded call scripts (conformance/*.json): every result and every
//                region digest as V8 recorded them — the wire codecs, the switching path,
//                the gasp, the fault entry round by round, the packet engine, Ed25519 and
//                the image parser
//
// A case passes when every call answered exactly what was expected.

import * as crypto from "crypto";
import * as fs from "fs";
import { ABI_VERSION } from "../../assembly/shared/abi";
import { statusName } from "../core/status";
import { EngineName, runEngine } from "./engines";
import { katScripts } from "./kat";
import { Answer, CallScript, conformanceScripts, isPoke } from "./script";

export interface CaseResult {
  suite: "core" | "kat" | "conformance";
  name: string;
  description: string;
  ok: boolean;
  ms: number;
  calls: number;
  digests: number;
  /** The first wrong answer, and how many there were. */
  failure?: string;
  detail?: string;
}

export interface CheckReport {
  engine: string;
  core: { file: string; bytes: number; sha256: string };
  ok: boolean;
  passed: number;
  failed: number;
  ms: number;
  cases: CaseResult[];
}

const show = (a: Answer) => (typeof a === "number" ? `${a}${a < 0 ? ` (${statusName(a)})` : ""}` : "trap" in a ? `a trap (${a.trap})` : `an error (${a.error})`);

/** Compares an engine's answers with a script's expectations. */
function judge(suite: CaseResult["suite"], s: CallScript, answers: Answer[], ms: number, coreAbi: number | null): CaseResult {
  const calls = s.steps.filter((x) => !isPoke(x)).length;
  const digests = s.steps.filter((x) => !isPoke(x) && x[0] === "region_digest").length;
  const base = { suite, name: s.name, description: s.description, ms, calls, digests };
  if (s.abi !== undefined && coreAbi !== null && s.abi !== coreAbi) {
    return { ...base, ok: false, failure: `recorded for core ABI ${s.abi}; this core is ABI ${coreAbi} (regenerate with scripts/gen-conformance.js, or check with the lastgasp of that core)` };
  }
  const wrong: string[] = [];
  s.steps.forEach((step, i) => {
    const got = answers[i];
    if (isPoke(step)) {
      if (got !== 0) wrong.push(`step ${i + 1}: writing ${step[2].length / 2} bytes at ${step[1]}: ${show(got ?? { error: "no answer" })}`);
      return;
    }
    const [fn, args, expect] = step;
    if (got !== expect) wrong.push(`step ${i + 1}: ${fn}(${args.join(", ")}) = ${got === undefined ? "no answer" : show(got)}, expected ${show(expect)}`);
  });
  if (!wrong.length) return { ...base, ok: true };
  return { ...base, ok: false, failure: `${wrong[0]}${wrong.length > 1 ? ` (and ${wrong.length - 1} more)` : ""}`, detail: wrong.slice(0, 20).join("\n") };
}

export function runCheck(engine: EngineName, coreFile: string): CheckReport {
  const t0 = Date.now();
  const bytes = fs.readFileSync(coreFile);
  const core: CallScript[] = [
    { name: "abi", description: `abi_version() is ${ABI_VERSION}, the ABI this lastgasp speaks`, steps: [["abi_version", [], ABI_VERSION]] },
    { name: "selftest", description: "selftest() returns 0: every built-in known answer holds", steps: [["init", [], 0], ["selftest", [], 0]] },
  ];
  const kat = katScripts();
  const conformance = conformanceScripts();
  // The core's ABI, to tell recorded expectations that cannot apply from real differences.
  let coreAbi: number | null = null;
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    coreAbi = (inst.exports.abi_version as () => number)();
  } catch {
    coreAbi = null;
  }
  const all = [...core, ...kat, ...conformance];
  const run = runEngine(engine, coreFile, all);
  const suites: CaseResult["suite"][] = [...core.map(() => "core" as const), ...kat.map(() => "kat" as const), ...conformance.map(() => "conformance" as const)];
  const cases = all.map((s, i) => judge(suites[i], s, run.scripts[i]?.answers ?? [], run.scripts[i]?.ms ?? 0, coreAbi));
  const failed = cases.filter((c) => !c.ok).length;
  return {
    engine: run.engine,
    core: { file: coreFile, bytes: bytes.length, sha256: crypto.createHash("sha256").update(bytes).digest("hex") },
    ok: failed === 0,
    passed: cases.length - failed,
    failed,
    ms: Date.now() - t0,
    cases,
  };
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "");

/** JUnit XML (the de-facto schema Jenkins, GitLab and GitHub reporters read): one testcase per script. */
export function junitXml(r: CheckReport, engineName: EngineName, when = new Date()): string {
  const sec = (ms: number) => (ms / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lastgasp check" tests="${r.cases.length}" failures="${r.failed}" errors="0" time="${sec(r.ms)}">`,
    `  <testsuite name="lastgasp check (${engineName})" tests="${r.cases.length}" failures="${r.failed}" errors="0" skipped="0" time="${sec(r.ms)}" timestamp="${when.toISOString().replace(/\.\d+Z$/, "")}">`,
    "    <properties>",
    `      <property name="engine" value="${xml(r.engine)}"/>`,
    `      <property name="core" value="${xml(r.core.file)}"/>`,
    `      <property name="core.sha256" value="${r.core.sha256}"/>`,
    "    </properties>",
  ];
  for (const c of r.cases) {
    const open = `    <testcase classname="lastgasp.${c.suite}" name="${xml(c.name)}" time="${sec(c.ms)}"`;
    if (c.ok) lines.push(`${open}/>`);
    else {
      lines.push(`${open}>`);
      lines.push(`      <failure message="${xml(c.failure ?? "failed")}" type="mismatch">${xml(`${c.description}\n${c.detail ?? c.failure ?? ""}`)}</failure>`);
      lines.push("    </testcase>");
    }
  }
  lines.push("  </testsuite>", "</testsuites>", "");
  return lines.join("\n");
}
