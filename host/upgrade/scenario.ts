// The `upgrade` scenario file (scenarios/upgrade*.json, schema scenarios/upgrade.schema.json,
// docs/upgrade.md "Scenarios"): the chassis part is a failover scenario's, validated the same
// way (host/chassis/scenario.ts); then what an upgrade needs — releases whose configuration
// grammar config sync knows, a key the boards trust, boards with a flash layout, a running
// configuration the first release's grammar takes, names that refer to boards. Every problem
// is reported at once, each located in its file.

import * as fs from "fs";
import * as path from "path";
import type { Board } from "../board/board";
import { SchemaValidator } from "../util/schema";
import type { Problem } from "../util/problems";
import { SCENARIOS_DIR } from "../paths";
import { FailoverScenario, LoadedScenario, ScenarioError, SCENARIO_SCHEMA, semantic, readScenarioFile } from "../chassis/scenario";
import { KeyFileError, hexId } from "../image/keys";
import { parseVersion } from "../image/format";
import { shipped } from "../sync/images";
import { parseConfigText } from "../sync/config";
import { DEVELOPMENT_KEY, readSigningKey, syncVersionOf, syncVersionProblem } from "./images";
import type { Tear } from "../flash/model";
import type { FlashOpKind } from "./firmware";

export const UPGRADE_SCHEMA = path.join(SCENARIOS_DIR, "upgrade.schema.json");

export interface Release {
  version: string;
  securityCounter?: number;
}

export type FailureSpec =
  | { kind: "boot" }
  | { kind: "health" }
  | { kind: "crash"; afterMs: number }
  | { kind: "power-cut"; unit: string; during: Exclude<FlashOpKind, "status">; op: number; tear?: Tear };

export interface UpgradeScenario extends Omit<FailoverScenario, "kind" | "faults" | "compare" | "expect" | "durationMs"> {
  kind: "upgrade";
  maxDurationMs?: number;
  images: { from: Release; to: Release; key?: string };
  config: string;
  boot?: { osMs?: number; powerRestoreMs?: number };
  policy?: {
    startMs?: number;
    drainMs?: number;
    syncTimeoutMs?: number;
    trialDeadlineMs?: number;
    configLoss?: "refuse" | "accept";
    health?: { windowMs?: number; service?: boolean; minPackets?: number; peers?: boolean };
  };
  failure?: FailureSpec;
  expect?: { outcome?: "upgraded" | "reverted" | "stopped" | "refused" | "failed"; versions?: Record<string, string>; activeAtEnd?: string; maxLost?: number };
}

/** A validated upgrade scenario: the file, its boards, its configuration's text, the key file. */
export interface LoadedUpgrade {
  scenario: UpgradeScenario;
  boards: Board[];
  config: { file: string; text: string };
  keyFile: string;
}

let validator: SchemaValidator | undefined;

export function upgradeSchema(): SchemaValidator {
  return (validator ??= new SchemaValidator(UPGRADE_SCHEMA, [SCENARIO_SCHEMA]));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The failover scenario the chassis runs for an upgrade: the same chassis, no faults of its own. */
export function chassisView(s: UpgradeScenario, file: string): FailoverScenario {
  const { images: _i, config: _c, boot: _b, policy: _p, failure: _f, expect: _e, maxDurationMs, kind: _k, ...rest } = s;
  return { ...rest, file, kind: "failover", durationMs: maxDurationMs ?? 120_000, faults: [] };
}

function upgradeProblems(file: string, s: Obj, boards: Board[]): { problems: Problem[]; config?: { file: string; text: string }; keyFile: string } {
  const problems: Problem[] = [];
  const add = (p: string, message: string) => problems.push({ path: p, message });
  const dir = path.dirname(file);
  const ids = boards.map((b) => b.id);
  const images = isObj(s.images) ? s.images : {};
  const versions: Record<string, string | undefined> = {};
  for (const which of ["from", "to"]) {
    const r = isObj(images[which]) ? (images[which] as Obj) : {};
    const v = str(r.version);
    if (v === undefined) continue;
    try {
      parseVersion(v);
    } catch (e) {
      add(`/images/${which}/version`, (e as Error).message);
      continue;
    }
    const bad = syncVersionProblem(v);
    if (bad) add(`/images/${which}/version`, bad);
    else versions[which] = v;
  }
  if (versions.from && versions.to && versions.from === versions.to) add("/images/to/version", `${versions.to} is the release the pair runs already`);
  // The key signs every image; each board must trust it.
  const keyFile = str(images.key) !== undefined ? path.resolve(dir, str(images.key)!) : DEVELOPMENT_KEY;
  try {
    const key = readSigningKey(keyFile);
    for (const b of boards) if (!b.trustedKeys.includes(hexId(key.id))) add(str(images.key) !== undefined ? "/images/key" : "/chassis/boards", `board ${b.id} does not trust key ${hexId(key.id)} (${path.basename(keyFile)}): its images would never boot`);
  } catch (e) {
    if (!(e instanceof KeyFileError)) throw e;
    add("/images/key", e.message);
  }
  boards.forEach((b, i) => {
    if (!b.flash) add(`/chassis/boards/${i}`, `${b.id} has no flash layout ("flash", docs/flashing.md): it has nowhere to install an image`);
  });
  // The running configuration, in the first release's grammar.
  let config: { file: string; text: string } | undefined;
  const cf = str(s.config);
  if (cf !== undefined) {
    const f = path.resolve(dir, cf);
    let text: string | undefined;
    try {
      text = fs.readFileSync(f, "utf8");
    } catch (e) {
      add("/config", `${cf}: cannot read the configuration (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (text !== undefined && versions.from) {
      const { errors } = parseConfigText(shipped().get(syncVersionOf(versions.from)).grammar, text);
      for (const err of errors.slice(0, 5)) add("/config", `${cf} line ${err.lineNo}: ${err.error} (for release ${versions.from}, configuration ${syncVersionOf(versions.from)}): "${err.raw}"`);
      if (errors.length > 5) add("/config", `${cf}: ${errors.length - 5} more bad lines`);
      if (!errors.length) config = { file: f, text };
    }
  }
  const failure = isObj(s.failure) ? s.failure : {};
  const unit = str(failure.unit);
  if (unit !== undefined && boards.length === 2 && !ids.includes(unit)) add("/failure/unit", `"${unit}" is not one of the boards (${ids.join(", ")})`);
  const expect = isObj(s.expect) ? s.expect : {};
  if (isObj(expect.versions)) {
    for (const [k, v] of Object.entries(expect.versions)) {
      if (boards.length === 2 && !ids.includes(k)) add(`/expect/versions/${k}`, `"${k}" is not one of the boards (${ids.join(", ")})`);
      else if (typeof v === "string" && versions.from && versions.to && v !== versions.from && v !== versions.to) add(`/expect/versions/${k}`, `${v} is neither images.from (${versions.from}) nor images.to (${versions.to})`);
    }
  }
  const policy = isObj(s.policy) ? s.policy : {};
  const health = isObj(policy.health) ? policy.health : {};
  const win = typeof health.windowMs === "number" ? health.windowMs : 500;
  const deadline = typeof policy.trialDeadlineMs === "number" ? policy.trialDeadlineMs : 60_000;
  if (win >= deadline) add("/policy/health/windowMs", `a ${win} ms health window does not fit in the ${deadline} ms trial deadline`);
  return { problems, config, keyFile };
}

/** Validates parsed JSON as an upgrade scenario; throws ScenarioError listing every problem. */
export function validateUpgrade(file: string, raw: unknown, text?: string): LoadedUpgrade {
  const schema = upgradeSchema().validate(raw);
  let problems: Problem[] = [];
  let boards: Board[] = [];
  let config: { file: string; text: string } | undefined;
  let keyFile = DEVELOPMENT_KEY;
  if (isObj(raw)) {
    const chassis = semantic(file, raw);
    boards = chassis.boards;
    const own = upgradeProblems(file, raw, boards);
    problems = [...chassis.problems, ...own.problems];
    config = own.config;
    keyFile = own.keyFile;
  }
  const taken = new Set(schema.map((p) => p.path));
  const all = [...schema, ...problems.filter((p) => p.file !== undefined || !taken.has(p.path))];
  if (all.length) {
    const err = new ScenarioError(file, all);
    throw text === undefined ? err : err.located(text);
  }
  return { scenario: { ...(raw as UpgradeScenario), file }, boards, config: config!, keyFile };
}

export function loadUpgrade(file: string): LoadedUpgrade {
  const { raw, text } = readScenarioFile(file);
  return validateUpgrade(file, raw, text);
}

/** The chassis part of a loaded upgrade, as the chassis takes it. */
export function chassisScenario(l: LoadedUpgrade): LoadedScenario {
  return { scenario: chassisView(l.scenario, l.scenario.file), boards: l.boards };
}
