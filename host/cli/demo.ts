// `lastgasp demo`: the main job. Runs a scenario on the virtual chassis (scenarios/*.json; the
// default: the active line card crashes) and prints its timeline and figures; the scenario's
// "kind" picks the runner (demo-kinds.ts).

import * as path from "path";
import { Command, Parsed, UsageError, optionalInt } from "./command";
import { DEMO_KINDS } from "./demo-kinds";
import { DEFAULT_SCENARIO, ScenarioError, scenarioKind } from "../chassis/scenario";

export const command: Command = {
  usage: "demo [--scenario FILE] [--json] [--pcap-dir DIR] [--seed N]",
  details: `options:
  --scenario FILE  a scenario file (default scenarios/default.json: the active line card crashes)
  --json           print the figures, timeline and comparison as JSON
  --pcap-dir DIR   where every link's capture goes (default build/demo)
  --seed N         override the scenario's seed

scenario kinds:
${Object.values(DEMO_KINDS).map((k) => `  ${k.kind.padEnd(10)} ${k.summary}`).join("\n")}

examples:
  lastgasp demo
  lastgasp demo --scenario scenarios/nic-hang.json
  lastgasp demo --scenario scenarios/loadbalance.json
  lastgasp demo --json --pcap-dir /tmp/caps`,
  options: { scenario: { type: "string" }, json: { type: "boolean" }, "pcap-dir": { type: "string" }, seed: { type: "string" } },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const file = (args.values.scenario as string | undefined) ?? DEFAULT_SCENARIO;
    if (file === "") throw new UsageError("--scenario: needs a file");
    const pcapDir = (args.values["pcap-dir"] as string | undefined) ?? path.join("build", "demo");
    const seed = optionalInt(args, "seed", 0, 0xffffffff);
    try {
      const kind = scenarioKind(file);
      const runner = DEMO_KINDS[kind];
      if (!runner) throw new UsageError(`--scenario: ${file}: /kind: "${kind}" is not a known scenario kind (${Object.keys(DEMO_KINDS).join(", ")})`);
      return runner.run(file, { json: args.values.json === true, pcapDir, seed });
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(`--scenario: ${e.first}`);
      throw e;
    }
  },
};
