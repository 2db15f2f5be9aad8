// `lastgasp campaign`: a long randomized campaign over worker threads (host/campaign/), with
// counts per outcome and a reproducer for every failure; or, with --index, one trial of a
// campaign run again in this process.

import * as os from "os";
import { Command, InputError, Parsed, optionalInt } from "./command";
import type { ProgressStream } from "./progress";
import { CAMPAIGNS, CampaignName, CampaignReport, campaignKind, runCampaign, reproduce, reproducer } from "../campaign/campaign";

const MAX_COUNT = 1e12;

/** One progress line on a terminal, rewritten in place, after the first second. */
function progressLine(kind: string, count: number, workers: number, out: ProgressStream = process.stderr) {
  const t0 = Date.now();
  const after = Number(process.env.LASTGASP_PROGRESS_AFTER_MS ?? 1000);
  let last = 0;
  let shown = false;
  return {
    update(done: number, failures: number) {
      const now = Date.now();
      if (!out.isTTY || now - t0 < after || now - last < 100) return;
      last = now;
      shown = true;
      const s = (now - t0) / 1000;
      out.write(`\r\x1b[Kcampaign ${kind}: ${done.toLocaleString("en-US")} of ${count.toLocaleString("en-US")} (${((100 * done) / count).toFixed(0)} %), ${workers} worker${workers === 1 ? "" : "s"}, ${s.toFixed(1)} s, ${failures} failure${failures === 1 ? "" : "s"}`);
    },
    stop() {
      if (shown) out.write("\r\x1b[K");
    },
  };
}

export function formatReport(r: CampaignReport): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const lines = [
    `campaign ${r.kind}: ${n(r.count)} ${r.unit}, seed ${r.seed}, ${r.workers} worker${r.workers === 1 ? "" : "s"}, ${r.seconds.toFixed(1)} s (${n(Math.round(r.perSecond))} per second; load average ${r.load[0].toFixed(1)} -> ${r.load[1].toFixed(1)} on ${r.cpus} CPUs)`,
  ];
  const width = Math.max(...Object.keys(r.outcomes).map((k) => k.length), 7);
  lines.push(`  ${"outcome".padEnd(width)}  ${"count".padStart(12)}`);
  for (const [k, v] of Object.entries(r.outcomes)) lines.push(`  ${k.padEnd(width)}  ${n(v).padStart(12)}`);
  lines.push(`failures: ${n(r.failureCount)}${r.failureCount > r.failures.length ? ` (the first ${r.failures.length} by index below)` : ""}`);
  for (const f of r.failures) lines.push(`  #${f.index}: ${f.message}\n    reproduce: ${f.reproduce}`);
  return lines.join("\n");
}

export const command: Command = {
  usage: "campaign <fuzz|rings|failover|sync|forgery> --count N [--workers K] [--seed S] [--json] [--index I]",
  details: `A randomized campaign of N trials, sharded over K worker threads:
  fuzz      fuzzed frames through the wire decoders and the switching path's filter: no trap,
            the decoders agree with an independent reference reader, no read past a frame's
            length, no write outside the outputs
  rings     crashed-driver ring states on the e1000 and i210-like models, every fault mode:
            the fault path's takeover sends the gasp or names the reason it cannot
  failover  the active line card crashes on a chassis whose links lose 0..50 % of frames:
            one active unit at the end, no host left on the dead unit's MAC
  sync      config-sync streams over every version pair (some on a lossy link): nothing lost
            silently, the standby's config the expected one
  forgery   forged, replayed, truncated and bit-flipped gasps: none accepted, each refused
            for the reason an independent reference receiver names

Prints the counts per outcome and every failure with its reproducer: the trial's seed and
index, which run it alone again (--index), in this process. A campaign gives the same
counts for the same seed whatever the number of workers.

options:
  --count N     trials (required)
  --workers K   worker threads, 1..256 (default: the CPUs this process may use)
  --seed S      0..4294967295 (default 1)
  --index I     run trial I of the campaign (of --count trials, --seed S) again and show it
  --json        the report as JSON: kind, unit, count, seed, workers, seconds, perSecond,
                load, cpus, outcomes, failureCount, failures [{index, message, reproduce}], ok

On a terminal a run longer than a second shows its progress on stderr.

exit status: 0 every trial held; 1 a trial failed (its reproducer is printed);
2 bad input (an unknown campaign, a bad number)

examples:
  lastgasp campaign fuzz --count 10000000
  lastgasp campaign forgery --count 1000000 --workers 2 --json > forgery.json
  lastgasp campaign rings --count 10000 --seed 7 --index 4242`,
  options: {
    count: { type: "string" },
    workers: { type: "string" },
    seed: { type: "string" },
    index: { type: "string" },
    json: { type: "boolean" },
  },
  positionals: { min: 1, max: 1 },
  async run(args: Parsed): Promise<number> {
    const kind = args.positionals[0] as CampaignName;
    if (!CAMPAIGNS.includes(kind)) throw new InputError(`${args.positionals[0]}: no such campaign (${CAMPAIGNS.join(", ")})`);
    const count = optionalInt(args, "count", 1, MAX_COUNT);
    if (count === undefined) throw new InputError("--count: required");
    const seed = optionalInt(args, "seed", 0, 0xffffffff) ?? 1;
    const workers = optionalInt(args, "workers", 1, 256) ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    const index = optionalInt(args, "index", 0, MAX_COUNT);
    const json = args.values.json === true;

    if (index !== undefined) {
      if (index >= count) throw new InputError(`--index: ${index} is not below --count ${count}`);
      const r = reproduce(kind, count, seed, index);
      const ok = r.failures.length === 0;
      if (json) {
        console.log(JSON.stringify({ kind, count, seed, index, unit: campaignKind(kind).unit, outcomes: r.outcomes, failures: r.failures, ok, reproduce: reproducer(kind, count, seed, index) }, null, 1));
      } else {
        console.log(`campaign ${kind}, seed ${seed}, trial ${index}: ${r.outcomes.join(", ")}`);
        for (const f of r.failures) console.log(`  FAILED: ${f.message}`);
        if (ok) console.log("  held");
      }
      return ok ? 0 : 1;
    }

    const progress = progressLine(kind, count, workers);
    let report: CampaignReport;
    try {
      report = await runCampaign({ kind, count, seed, workers, onProgress: (d, f) => progress.update(d, f) });
    } finally {
      progress.stop();
    }
    console.log(json ? JSON.stringify(report, null, 1) : formatReport(report));
    return report.ok ? 0 : 1;
  },
};
