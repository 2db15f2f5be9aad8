// `lastgasp upgrade`: an in-service upgrade of the virtual chassis's pair (docs/upgrade.md) —
// a scenario of kind "upgrade" (default scenarios/upgrade.json), as `lastgasp demo` runs it;
// or, with --campaign N, the property campaign: N runs with random failures, every invariant
// checked after every event that can break it.

import * as path from "path";
import { Command, InputError, Parsed, optionalInt, optionalString } from "./command";
import { checkOutputDir, checkOutputFile } from "./files";
import { eventsFormat } from "./events";
import { BUILD_DIR, SCENARIOS_DIR, displayPath } from "../paths";

export const DEFAULT_UPGRADE = path.join(SCENARIOS_DIR, "upgrade.json");
export const DEFAULT_UPGRADE_OUT = path.join(BUILD_DIR, "upgrade");

export const command: Command = {
  usage: "upgrade [--scenario FILE] [--json] [--out DIR | --no-pcap] [--events FILE [--events-format jsonl|csv]] [--seed N]\n       upgrade --campaign N [--scenario FILE] [--seed N] [--json]",
  details: `Upgrades the virtual chassis's pair in service: the standby first — flash its inactive
slot, boot it into the trial image, bulk-sync the running configuration to the new version,
planned switchover (make before break), health checks, confirm — then the other card; any
failure reverts. Prints every step with its time and the packets lost so far, the duration and
losses of each phase, the units at the end, and the checks.

options:
  --scenario FILE   an upgrade scenario (default scenarios/upgrade.json; the failures:
                    scenarios/upgrade-<failure>.json)
  --json            print the report as JSON
  --out DIR         the captures (one pcap per link) and the cards' flash model files
                    (<board>.flash: lastgasp flash-status reads them); default
                    ${displayPath(DEFAULT_UPGRADE_OUT)}, in the lastgasp installation
  --no-pcap         no captures; the flash files live in a temporary directory
  --events FILE     every event of the run, JSON lines or CSV (.csv)
  --events-format F jsonl or csv
  --seed N          override the scenario's seed
  --campaign N      the property campaign instead: N runs of the scenario, each with a failure
                    drawn at random (none, a release that does not boot, crashes or fails its
                    health check, a configuration it cannot take, a power cut at a random erase
                    or program of any flash operation, a second cut during the revert); checks
                    never two actives, never both units down, never an unverified image, and
                    the pair serving at the end. --seed S picks the campaign; a failed run is
                    reported with its index and seed.

exit status: 0 the upgrade succeeded and every check passed (campaign: every run held every
invariant); 1 the upgrade failed or reverted, or a check failed (campaign: a run broke an
invariant); 2 bad input (an option, a scenario, board or configuration file: every problem
listed).

examples:
  lastgasp upgrade
  lastgasp upgrade --scenario scenarios/upgrade-crash.json      # exit 1: reverted, service kept
  lastgasp demo --scenario scenarios/upgrade.json
  lastgasp upgrade --campaign 1000 --seed 1`,
  options: {
    scenario: { type: "string" },
    json: { type: "boolean" },
    out: { type: "string" },
    "no-pcap": { type: "boolean" },
    events: { type: "string" },
    "events-format": { type: "string" },
    seed: { type: "string" },
    campaign: { type: "string" },
  },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const file = optionalString(args, "scenario") ?? DEFAULT_UPGRADE;
    const seed = optionalInt(args, "seed", 0, 0xffffffff);
    const campaign = optionalInt(args, "campaign", 1, 1_000_000);
    const json = args.values.json === true;
    const { loadUpgradeFile } = require("./upgrade-run") as typeof import("./upgrade-run");
    if (campaign !== undefined) {
      for (const o of ["out", "no-pcap", "events", "events-format"]) if (args.values[o] !== undefined) throw new InputError(`--${o}: not with --campaign`);
      return runCampaignCommand(loadUpgradeFile(file), campaign, seed ?? 1, json);
    }
    const out = optionalString(args, "out");
    const noPcap = args.values["no-pcap"] === true;
    if (noPcap && out !== undefined) throw new InputError("--out: not with --no-pcap");
    const outDir = noPcap ? null : (out ?? DEFAULT_UPGRADE_OUT);
    if (outDir !== null) checkOutputDir(out !== undefined ? "--out" : "--out (default)", outDir);
    const eventsFile = optionalString(args, "events");
    const format = optionalString(args, "events-format");
    if (format !== undefined && eventsFile === undefined) throw new InputError("--events-format: only with --events FILE");
    const events = eventsFile === undefined ? undefined : { file: eventsFile, format: eventsFormat(eventsFile, format) };
    if (events) {
      const inOut = outDir !== null && path.resolve(path.dirname(events.file)).startsWith(path.resolve(outDir));
      if (inOut) checkOutputDir("--events", path.dirname(events.file));
      else checkOutputFile("--events", events.file);
    }
    const kind = (require("../chassis/scenario") as typeof import("../chassis/scenario")).scenarioKind;
    let k: string;
    try {
      k = kind(file);
    } catch {
      k = "upgrade"; // the upgrade loader reports what is wrong with the file
    }
    if (k !== "upgrade") throw new InputError(`${file}: /kind: "${k}" is not an upgrade scenario (lastgasp demo runs the other kinds)`);
    return (require("./upgrade-run") as typeof import("./upgrade-run")).runUpgradeFile(file, { json, outDir, seed, events });
  },
};

function runCampaignCommand(loaded: import("../upgrade/scenario").LoadedUpgrade, runs: number, seed: number, json: boolean): number {
  const { runCampaign, CAMPAIGN_TIMING } = require("../upgrade/campaign") as typeof import("../upgrade/campaign");
  const tty = process.stderr.isTTY === true;
  const r = runCampaign(loaded, runs, seed, (done) => {
    if (tty && (done % 5 === 0 || done === runs)) process.stderr.write(`\r\x1b[Kupgrade campaign: ${done} of ${runs} runs`);
  });
  if (tty) process.stderr.write("\r\x1b[K");
  if (json) {
    console.log(JSON.stringify({ ok: r.failed.length === 0, timing: CAMPAIGN_TIMING, ...r }, null, 2));
    return r.failed.length === 0 ? 0 : 1;
  }
  const lines: string[] = [];
  lines.push(`upgrade campaign: ${r.runs} runs of ${loaded.scenario.name}, seed ${r.seed} (${(r.wallMs / 1000).toFixed(1)} s; ${(r.simMs / 1000).toFixed(1)} s simulated)`);
  lines.push(`  timing shortened: hosts every ${CAMPAIGN_TIMING.trafficIntervalUs / 1000} ms, OS boot ${CAMPAIGN_TIMING.osMs} ms, power back after ${CAMPAIGN_TIMING.powerRestoreMs} ms, health window ${CAMPAIGN_TIMING.healthWindowMs} ms`);
  lines.push("  failure drawn                 runs   packets lost");
  for (const [k, n] of Object.entries(r.byFailure).sort()) lines.push(`    ${k.padEnd(28)} ${String(n).padStart(5)}   ${String(r.lostByFailure[k]).padStart(6)}`);
  lines.push(`  outcomes: ${Object.entries(r.byOutcome).sort().map(([k, n]) => `${k} ${n}`).join(", ")}`);
  lines.push(`  invariants checked ${r.invariantChecks} times, ${r.boots} boots verified`);
  if (r.failed.length === 0) lines.push("  every run: never two actives, never both units down, never an unverified image; the pair serving at the end");
  else {
    lines.push(`  ${r.failed.length} run(s) FAILED:`);
    for (const f of r.failed.slice(0, 20)) lines.push(`    run ${f.index} (seed ${f.seed}, ${f.failure}, ${f.outcome}): ${f.problems.join("; ")}`);
  }
  console.log(lines.join("\n"));
  return r.failed.length === 0 ? 0 : 1;
}
