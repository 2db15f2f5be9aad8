// The scenario families `lastgasp demo` runs, by the scenario's "kind": the one place the demo
// dispatches. A family brings its schema definition (scenarios/schema.json $defs) and an entry
// here; the demo command only finds the kind and hands the file over.

import * as fs from "fs";
import * as path from "path";
// The chassis is loaded only when a demo runs: every other command starts without it.
type ReportModule = typeof import("../chassis/report");
type ScenarioModule = typeof import("../chassis/scenario");
type LoadbalanceModule = typeof import("../switch/scenario");

export interface DemoOptions {
  json: boolean;
  /** Where every link's capture goes; comparison runs in subdirectories. */
  pcapDir: string;
  seed?: number;
}

export interface DemoKind {
  kind: string;
  summary: string;
  /** Runs the scenario file, prints the report; returns the exit code. */
  run(file: string, opts: DemoOptions): number;
}

const failover: DemoKind = {
  kind: "failover",
  summary: "a fault on the active line card: the takeover timeline, and heartbeat-only failover measured alongside",
  run(file, opts) {
    const { runFailoverDemo, formatDemo } = require("../chassis/report") as ReportModule;
    const { loadScenario } = require("../chassis/scenario") as ScenarioModule;
    const loaded = loadScenario(file);
    const { result, runs } = runFailoverDemo(loaded, { seed: opts.seed });
    const files: string[] = [];
    runs.forEach((r, i) => {
      const dir = i === 0 ? opts.pcapDir : path.join(opts.pcapDir, `heartbeat-${r.heartbeat.replace(/[^a-z0-9-]+/gi, "_")}`);
      fs.mkdirSync(dir, { recursive: true });
      files.push(...r.wire.savePcaps(dir));
    });
    if (opts.json) {
      console.log(JSON.stringify({ ...result, pcaps: files }, null, 2));
    } else {
      console.log(formatDemo(result));
      console.log(`\ncaptures: ${files.length} pcap files under ${opts.pcapDir} (one per link; tshark -r ${files[0]})`);
    }
    return 0;
  },
};

const loadbalance: DemoKind = {
  kind: "loadbalance",
  summary: "clients, a service VIP and back ends on the switching path: spread per weights, A/B flips, connections staying put",
  run(file, opts) {
    const { readJson } = require("../chassis/scenario") as ScenarioModule;
    const { loadbalanceScenario } = require("../switch/scenario") as LoadbalanceModule;
    const sc = loadbalanceScenario.validate(readJson(file), file);
    if (opts.seed !== undefined) sc.spec.seed = opts.seed;
    const report = loadbalanceScenario.run(sc, { pcapDir: opts.pcapDir });
    console.log(opts.json ? JSON.stringify(report, null, 2) : loadbalanceScenario.format(report));
    return report.ok ? 0 : 1;
  },
};

export const DEMO_KINDS: Record<string, DemoKind> = { [failover.kind]: failover, [loadbalance.kind]: loadbalance };
