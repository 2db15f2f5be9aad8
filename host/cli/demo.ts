// `lastgasp demo`: the main job. Runs a scenario on the virtual chassis (scenarios/*.json; the
// default: the active line card crashes) and prints its timeline, figures and checks; the
// scenario's "kind" picks the runner (demo-kinds.ts). Outputs go where the user says
// (--out), by default into the installation's build/demo, never into whatever directory the
// user happens to be in.

import * as path from "path";
import { Command, InputError, Parsed, optionalInt, optionalString } from "./command";
import { DEMO_KINDS } from "./demo-kinds";
import { checkOutputDir, checkOutputFile } from "./files";
import { eventsFormat } from "./events";
import { BUILD_DIR, SCENARIOS_DIR, displayPath } from "../paths";

export const DEFAULT_SCENARIO = path.join(SCENARIOS_DIR, "default.json");
export const DEFAULT_OUT = path.join(BUILD_DIR, "demo");

export const command: Command = {
  usage: "demo [--scenario FILE] [--json] [--out DIR | --no-pcap] [--events FILE [--events-format jsonl|csv]] [--seed N]",
  details: `options:
  --scenario FILE   a scenario file (default scenarios/default.json: the active line card crashes)
  --json            print the figures, timeline, checks and comparison as JSON
  --out DIR         where the captures go, one pcap per link, comparison runs in
                    heartbeat-<preset>/ (created if missing; default ${displayPath(DEFAULT_OUT)},
                    in the lastgasp installation). --pcap-dir DIR is the same.
  --no-pcap         write no captures
  --events FILE     every event of every run (the report shows the first of each kind):
                    JSON lines, or CSV when FILE ends in .csv
  --events-format F jsonl or csv, whatever FILE is called
  --seed N          override the scenario's seed

On a terminal, runs longer than a second show their progress on stderr.

scenario kinds:
${Object.values(DEMO_KINDS).map((k) => `  ${k.kind.padEnd(12)} ${k.summary}`).join("\n")}

exit status: 0 every check passed (the scenario's expectations, one active unit at the end, no
host on a dead unit's MAC; loadbalance: its checks); 1 a check failed; 2 bad input (an option,
a scenario or board file: every problem listed with file, line, column and JSON Pointer).

examples:
  lastgasp demo
  lastgasp demo --scenario scenarios/nic-hang.json
  lastgasp demo --scenario scenarios/loadbalance.json --no-pcap
  lastgasp demo --json --out out/demo --events out/demo/events.csv`,
  options: {
    scenario: { type: "string" },
    json: { type: "boolean" },
    out: { type: "string" },
    "pcap-dir": { type: "string" },
    "no-pcap": { type: "boolean" },
    events: { type: "string" },
    "events-format": { type: "string" },
    seed: { type: "string" },
  },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const file = optionalString(args, "scenario") ?? DEFAULT_SCENARIO;
    const seed = optionalInt(args, "seed", 0, 0xffffffff);
    const out = optionalString(args, "out");
    const pcapDir = optionalString(args, "pcap-dir");
    if (out !== undefined && pcapDir !== undefined) throw new InputError("--pcap-dir: the same as --out; give one");
    const noPcap = args.values["no-pcap"] === true;
    if (noPcap && (out ?? pcapDir) !== undefined) throw new InputError(`${out !== undefined ? "--out" : "--pcap-dir"}: not with --no-pcap`);
    const outDir = noPcap ? null : (out ?? pcapDir ?? DEFAULT_OUT);
    if (outDir !== null) checkOutputDir(out !== undefined ? "--out" : pcapDir !== undefined ? "--pcap-dir" : "--out (default)", outDir);
    const eventsFile = optionalString(args, "events");
    const format = optionalString(args, "events-format");
    if (format !== undefined && eventsFile === undefined) throw new InputError("--events-format: only with --events FILE");
    let events: { file: string; format: ReturnType<typeof eventsFormat> } | undefined;
    if (eventsFile !== undefined) {
      events = { file: eventsFile, format: eventsFormat(eventsFile, format) };
      // The events file may go into the output directory, which the run creates.
      const inOut = outDir !== null && path.resolve(path.dirname(eventsFile)).startsWith(path.resolve(outDir));
      if (inOut) checkOutputDir("--events", path.dirname(eventsFile));
      else checkOutputFile("--events", eventsFile);
    }

    const { scenarioKind, ScenarioError } = require("../chassis/scenario") as typeof import("../chassis/scenario");
    let kind: string;
    try {
      kind = scenarioKind(file);
    } catch (e) {
      if (e instanceof ScenarioError) throw new InputError(e.first, e.problems.map((p) => ({ file: e.file, ...p })));
      throw e;
    }
    const runner = DEMO_KINDS[kind];
    if (!runner) throw new InputError(`${file}: /kind: "${kind}" is not a known scenario kind (${Object.keys(DEMO_KINDS).join(", ")})`);
    return runner.run(file, { json: args.values.json === true, outDir, seed, events });
  },
};
