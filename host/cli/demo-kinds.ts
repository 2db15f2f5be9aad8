// The scenario families `lastgasp demo` runs, by the scenario's "kind": the one place the demo
// dispatches. A family brings its schema definition (scenarios/schema.json $defs) and an entry
// here; the demo command only finds the kind and hands the file over.

import * as path from "path";
import { InputError } from "./command";
import { EventRow, EventsFormat, formatEvents } from "./events";
import { makeOutputDir, writeOutput } from "./files";
import { Progress } from "./progress";
import type { Problem } from "../util/problems";
// The chassis is loaded only when a demo runs: every other command starts without it.
type ReportModule = typeof import("../chassis/report");
type ScenarioModule = typeof import("../chassis/scenario");
type LoadbalanceModule = typeof import("../switch/scenario");
type UpgradeModule = typeof import("./upgrade-run");

export interface DemoOptions {
  json: boolean;
  /** Where every link's capture goes (comparison runs in subdirectories); null: no captures. */
  outDir: string | null;
  seed?: number;
  /** The whole timeline, to a file. */
  events?: { file: string; format: EventsFormat };
}

export interface DemoKind {
  kind: string;
  summary: string;
  /** Runs the scenario file, prints the report; returns the exit code (0 every check passed, 1 not). */
  run(file: string, opts: DemoOptions): number;
}

/** A scenario file's problems as bad input (exit 2), each located in its file. */
function badScenario(e: unknown): never {
  const { ScenarioError } = require("../chassis/scenario") as ScenarioModule;
  if (!(e instanceof ScenarioError)) throw e;
  const problems: Problem[] = e.problems.map((p) => ({ file: e.file, ...p }));
  throw new InputError(`${e.file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`, problems);
}

function writeCaptures(dir: string, save: (dir: string) => string[]): string[] {
  makeOutputDir("--out", dir);
  try {
    return save(dir);
  } catch (e) {
    throw new InputError(`--out: ${dir}: cannot write the captures (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

const failover: DemoKind = {
  kind: "failover",
  summary: "a fault on the active line card: the takeover timeline, and heartbeat-only failover measured alongside",
  run(file, opts) {
    const { runFailoverDemo, formatDemo } = require("../chassis/report") as ReportModule;
    const { readScenarioFile, validateScenario } = require("../chassis/scenario") as ScenarioModule;
    let loaded: ReturnType<ScenarioModule["validateScenario"]>;
    try {
      const { raw, text } = readScenarioFile(file);
      loaded = validateScenario(file, raw, text);
    } catch (e) {
      badScenario(e);
    }
    const progress = Progress.watch(`demo ${loaded.scenario.name}`);
    let out: ReturnType<ReportModule["runFailoverDemo"]>;
    try {
      out = runFailoverDemo(loaded, { seed: opts.seed });
    } finally {
      progress.stop();
    }
    const { result, runs } = out;
    const files: string[] = [];
    if (opts.outDir !== null) {
      runs.forEach((r, i) => {
        const dir = i === 0 ? opts.outDir! : path.join(opts.outDir!, `heartbeat-${r.heartbeat.replace(/[^a-z0-9-]+/gi, "_")}`);
        files.push(...writeCaptures(dir, (d) => r.wire.savePcaps(d)));
      });
    }
    if (opts.events) {
      const rows: EventRow[] = runs.flatMap((r) => r.timeline.map((e) => ({
        run: r.gasp ? "gasp" : `heartbeat-${r.heartbeat}`,
        tNs: e.tNs,
        tFromFaultNs: r.faultNs === null ? null : e.tNs - r.faultNs,
        source: e.source,
        event: e.name,
        detail: e.detail ?? {},
      })));
      makeOutputDir("--events", path.dirname(opts.events.file));
      writeOutput("--events", opts.events.file, formatEvents(rows, opts.events.format));
    }
    if (opts.json) {
      console.log(JSON.stringify({ ...result, pcaps: files, outDir: opts.outDir, events: opts.events?.file ?? null }, null, 2));
    } else {
      console.log(formatDemo(result));
      if (files.length) console.log(`\ncaptures: ${files.length} pcap files under ${opts.outDir} (one per link; tshark -r ${files[0]})`);
      if (opts.events) console.log(`${opts.events.file}: every event of ${runs.length} run${runs.length > 1 ? "s" : ""} (${opts.events.format})`);
    }
    return result.ok ? 0 : 1;
  },
};

const loadbalance: DemoKind = {
  kind: "loadbalance",
  summary: "clients, a service VIP and back ends on the switching path: spread per weights, A/B flips, connections staying put",
  run(file, opts) {
    const { readScenarioFile } = require("../chassis/scenario") as ScenarioModule;
    const { loadbalanceScenario } = require("../switch/scenario") as LoadbalanceModule;
    let sc: ReturnType<LoadbalanceModule["loadbalanceScenario"]["validate"]>;
    let text = "";
    try {
      const r = readScenarioFile(file);
      text = r.text;
      sc = loadbalanceScenario.validate(r.raw, file);
    } catch (e) {
      const { ScenarioError } = require("../chassis/scenario") as ScenarioModule;
      badScenario(e instanceof ScenarioError && text ? e.located(text) : e);
    }
    if (opts.seed !== undefined) sc.spec.seed = opts.seed;
    if (opts.outDir !== null) makeOutputDir("--out", opts.outDir);
    const progress = Progress.watch("demo loadbalance");
    let report: ReturnType<LoadbalanceModule["loadbalanceScenario"]["run"]>;
    try {
      report = loadbalanceScenario.run(sc, { pcapDir: opts.outDir ?? undefined });
    } finally {
      progress.stop();
    }
    if (opts.events) {
      // The scenario's events and the control processor's table flips, in time order.
      const rows: EventRow[] = [
        ...(sc.spec.events ?? []).map((e) => ({ run: "loadbalance", tNs: e.atMs * 1e6, tFromFaultNs: null, source: "scenario", event: `scenario.${e.action}`, detail: { backend: e.backend, ...(e.weight !== undefined ? { weight: e.weight } : {}) } })),
        ...report.flips.map((f) => ({ run: "loadbalance", tNs: f.atMs * 1e6, tFromFaultNs: null, source: "cp", event: "lb.flip", detail: { reason: f.reason, moved: f.moved, needless: f.needless, slots: f.slots } })),
      ].sort((a, b) => a.tNs - b.tNs);
      makeOutputDir("--events", path.dirname(opts.events.file));
      writeOutput("--events", opts.events.file, formatEvents(rows, opts.events.format));
    }
    console.log(opts.json ? JSON.stringify(report, null, 2) : loadbalanceScenario.format(report));
    return report.ok ? 0 : 1;
  },
};

const upgrade: DemoKind = {
  kind: "upgrade",
  summary: "an in-service upgrade of the pair: standby first, config sync across versions, planned switchover, health checks, confirm or revert",
  run(file, opts) {
    return (require("./upgrade-run") as UpgradeModule).runUpgradeFile(file, opts);
  },
};

export const DEMO_KINDS: Record<string, DemoKind> = { [failover.kind]: failover, [loadbalance.kind]: loadbalance, [upgrade.kind]: upgrade };
