// Scenario files (scenarios/*.json): read, parse, validate against scenarios/schema.json with
// ajv (JSON Schema 2020-12), then the checks a schema cannot express (the boards load and
// pair up, names refer to something, documentation addresses). Every problem names the file,
// a JSON Pointer and what was expected — the same shape as board files (host/board/load.ts).
//
// `kind` selects the scenario family: "failover" here. The demo dispatches on it in one
// place (host/cli/demo-kinds.ts); another family adds its definition to the schema and a
// runner there.

import * as fs from "fs";
import * as path from "path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import { schemaProblems } from "../board/load";
import { loadBoard } from "../board/load";
import { Board, BoardError, BoardProblem } from "../board/board";
import { checkIPv4 } from "../board/validate";
import type { Encap } from "../gasp/repr";
import type { ArpVariant } from "../ha/announcer";
import { SCENARIOS_DIR } from "../paths";

export { SCENARIOS_DIR };
export const SCENARIO_SCHEMA = path.join(SCENARIOS_DIR, "schema.json");
export const DEFAULT_SCENARIO = path.join(SCENARIOS_DIR, "default.json");

export type HeartbeatPresetName = "keepalived" | "bfd" | "bfd-hw";

export interface LinkSpec {
  latencyNs?: number;
  bitsPerSecond?: number;
  loss?: number;
  duplicate?: number;
  reorder?: number;
}

export interface HostSpec {
  name: string;
  mac: string;
  ipv4: string;
  side?: string;
  arpAccept?: 0 | 1 | 2;
}

export interface HeartbeatSpec {
  preset?: HeartbeatPresetName;
  intervalMs?: number;
  multiplier?: number;
  skewMs?: number;
  jitter?: boolean;
}

export type FaultSpec =
  | { kind: "crash"; atMs: number; unit: string; trap?: "unreachable" | "oob" | "div0"; wildWrites?: boolean }
  | { kind: "panic" | "hang" | "power-loss"; atMs: number; unit: string }
  | { kind: "link-cut"; atMs: number; unit: string; port: string; untilMs?: number }
  | { kind: "nic-hang"; atMs: number; unit: string; port: string; queue?: number; survivesReset?: boolean }
  | { kind: "partition"; atMs: number; untilMs?: number }
  | { kind: "loss"; atMs: number; untilMs?: number; loss: number; links?: "backplane" | "front" | "host" | "all" };

export type FaultKind = FaultSpec["kind"];

export interface FailoverScenario {
  /** The file it came from, as given (or "(inline)"). */
  file: string;
  kind: "failover";
  name: string;
  description?: string;
  seed?: number;
  durationMs?: number;
  chassis: { boards: string[]; active: string; priorities?: Record<string, number>; chassisId?: number; key?: string; keyId?: number };
  switch?: { forwardNs?: number; ageingMs?: number };
  links?: { backplane?: LinkSpec; front?: LinkSpec; host?: LinkSpec };
  hosts: HostSpec[];
  traffic?: { intervalUs?: number; startMs?: number };
  timers?: {
    heartbeat?: HeartbeatSpec;
    watchdogMs?: number;
    osTickUs?: number;
    irqLatencyNs?: number;
    link?: { pollMs?: number; upDelayMs?: number; downDelayMs?: number };
    announce?: {
      count?: number; spacingUs?: number; secondBurstDelayMs?: number; secondBurstCount?: number;
      refreshMs?: number; refreshCount?: number; arpVariants?: ArpVariant[];
    };
    pathFailover?: { standby?: "cold" | "warm"; delayMs?: number };
  };
  detection?: { gasp?: boolean; copies?: number; linkFirst?: boolean; encaps?: { backplane?: Encap[]; front?: Encap[] } };
  faults: FaultSpec[];
  compare?: HeartbeatPresetName[];
}

/** Any scenario: the kind decides the rest. */
export type Scenario = FailoverScenario;

/** A loaded failover scenario with its boards. */
export interface LoadedScenario {
  scenario: FailoverScenario;
  boards: Board[];
}

/** A scenario file that cannot be run: every problem with its JSON Pointer (any kind). */
export class ScenarioError extends Error {
  constructor(readonly file: string, readonly problems: BoardProblem[]) {
    super(problems.map((p) => `${file}: ${p.path || "/"}: ${p.message}`).join("\n"));
  }

  get first(): string {
    const p = this.problems[0];
    return `${this.file}: ${p.path || "/"}: ${p.message}`;
  }
}

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, strictTypes: false });
    validator = ajv.compile(JSON.parse(fs.readFileSync(SCENARIO_SCHEMA, "utf8")));
  }
  return validator;
}

/** Reads a scenario file as JSON; a missing file or bad JSON is a ScenarioError with a position. */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ScenarioError(file, [{ path: "", message: err.code === "ENOENT" ? "no such file" : err.message }]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = /line \d+ column \d+/.exec(msg)?.[0] ?? "";
    if (!where && pos) {
      const before = text.slice(0, Number(pos[1]));
      where = `line ${before.split("\n").length} column ${before.length - before.lastIndexOf("\n")}`;
    }
    throw new ScenarioError(file, [{ path: "", message: `not valid JSON${where ? ` (${where})` : ""}: ${msg}` }]);
  }
}

/** The checks a schema cannot express; problems with JSON Pointers. */
function semantic(file: string, s: FailoverScenario): { problems: BoardProblem[]; boards: Board[] } {
  const problems: BoardProblem[] = [];
  const boards: Board[] = [];
  const dir = path.dirname(file);
  s.chassis.boards.forEach((b, i) => {
    const f = path.resolve(dir, b);
    try {
      const board = loadBoard(f);
      if (board.role !== "linecard") problems.push({ path: `/chassis/boards/${i}`, message: `${b} is a ${board.role}, not a line card` });
      boards.push(board);
    } catch (e) {
      if (!(e instanceof BoardError)) throw e;
      problems.push({ path: `/chassis/boards/${i}`, message: `${b}: ${e.first.slice(e.file.length + 2)}` });
    }
  });
  if (problems.length) return { problems, boards };
  const ids = boards.map((b) => b.id);
  if (ids[0] === ids[1]) problems.push({ path: "/chassis/boards/1", message: `both boards are ${ids[0]}` });
  else if (boards[0].unit === boards[1].unit) problems.push({ path: "/chassis/boards/1", message: `both boards are unit ${boards[0].unit}` });
  const unitOk = (u: string) => ids.includes(u);
  if (!unitOk(s.chassis.active)) problems.push({ path: "/chassis/active", message: `"${s.chassis.active}" is not one of the boards (${ids.join(", ")})` });
  for (const k of Object.keys(s.chassis.priorities ?? {})) {
    if (!unitOk(k)) problems.push({ path: `/chassis/priorities/${k}`, message: `"${k}" is not one of the boards (${ids.join(", ")})` });
  }
  for (const b of boards) {
    if (!b.ports.some((p) => p.role === "front")) problems.push({ path: "/chassis/boards", message: `${b.id} has no front port` });
    if (!b.vips.length) problems.push({ path: "/chassis/boards", message: `${b.id} has no VIPs` });
  }
  const hb = s.timers?.heartbeat;
  if (hb) {
    for (const k of ["intervalMs", "multiplier", "skewMs"] as const) {
      if (hb.preset !== undefined && hb[k] !== undefined) problems.push({ path: `/timers/heartbeat/${k}`, message: `not with a preset ("${hb.preset}" sets the timers)` });
    }
    if (hb.preset === undefined && (hb.intervalMs === undefined || hb.multiplier === undefined)) problems.push({ path: "/timers/heartbeat", message: "needs a preset, or intervalMs and multiplier" });
  }
  const hostNames = new Set<string>();
  s.hosts.forEach((h, i) => {
    if (hostNames.has(h.name)) problems.push({ path: `/hosts/${i}/name`, message: `"${h.name}" is used twice` });
    hostNames.add(h.name);
    const m = checkIPv4(h.ipv4, true);
    if (m) problems.push({ path: `/hosts/${i}/ipv4`, message: m });
    if (h.side !== undefined && !unitOk(h.side)) problems.push({ path: `/hosts/${i}/side`, message: `"${h.side}" is not one of the boards (${ids.join(", ")})` });
  });
  s.faults.forEach((f, i) => {
    if ("unit" in f && !unitOk(f.unit)) problems.push({ path: `/faults/${i}/unit`, message: `"${f.unit}" is not one of the boards (${ids.join(", ")})` });
    if ("port" in f && "unit" in f && unitOk(f.unit)) {
      const b = boards[ids.indexOf(f.unit)];
      if (!b.ports.some((p) => p.name === f.port)) problems.push({ path: `/faults/${i}/port`, message: `"${f.port}" is not a port of ${f.unit} (${b.ports.map((p) => p.name).join(", ")})` });
    }
    if ("untilMs" in f && f.untilMs !== undefined && f.untilMs <= f.atMs) problems.push({ path: `/faults/${i}/untilMs`, message: `must be after atMs (${f.atMs})` });
    const end = s.durationMs ?? 6000;
    if (f.atMs >= end) problems.push({ path: `/faults/${i}/atMs`, message: `${f.atMs} is not before the end of the run (durationMs ${end})` });
  });
  return { problems, boards };
}

/** Validates parsed JSON as a scenario of any kind; throws ScenarioError listing every problem. */
export function validateScenario(file: string, raw: unknown): LoadedScenario {
  const validate = schemaValidator();
  if (!validate(raw)) throw new ScenarioError(file, schemaProblems(validate.errors ?? []));
  const s = { ...(raw as FailoverScenario), file };
  const { problems, boards } = semantic(file, s);
  if (problems.length) throw new ScenarioError(file, problems);
  return { scenario: s, boards };
}

/** Reads, parses and validates a scenario file. */
export function loadScenario(file: string): LoadedScenario {
  return validateScenario(file, readJson(file));
}

/** The kind of a scenario file, for dispatch before the kind's own loading. */
export function scenarioKind(file: string): string {
  const raw = readJson(file) as { kind?: unknown };
  if (typeof raw !== "object" || raw === null || typeof raw.kind !== "string") throw new ScenarioError(file, [{ path: "/kind", message: "is required" }]);
  return raw.kind;
}
