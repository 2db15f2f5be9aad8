// An upgrade scenario run from the CLI — `lastgasp upgrade` and `lastgasp demo` with a scenario
// of kind "upgrade" (docs/cli.md): validate the file (every problem at once, exit 2), run it,
// write the captures, the cards' flash model files and the events where asked, print the
// report or its JSON. Exit 0 only when the upgrade succeeded and every check passed.

import * as path from "path";
import { InputError } from "./command";
import { EventRow, formatEvents } from "./events";
import { makeOutputDir, writeOutput } from "./files";
import { Progress } from "./progress";
import type { DemoOptions } from "./demo-kinds";
import type { Problem } from "../util/problems";
import { ScenarioError, readScenarioFile } from "../chassis/scenario";
import { validateUpgrade, LoadedUpgrade } from "../upgrade/scenario";
import { runUpgrade } from "../upgrade/run";
import { buildReport, formatReport } from "../upgrade/report";

/** Reads and validates an upgrade scenario; bad input is an InputError listing every problem. */
export function loadUpgradeFile(file: string): LoadedUpgrade {
  try {
    const { raw, text } = readScenarioFile(file);
    return validateUpgrade(file, raw, text);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const problems: Problem[] = e.problems.map((p) => ({ file: e.file, ...p }));
    throw new InputError(`${e.file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`, problems);
  }
}

export function runUpgradeFile(file: string, opts: DemoOptions): number {
  const loaded = loadUpgradeFile(file);
  if (opts.outDir !== null) makeOutputDir("--out", opts.outDir);
  const progress = Progress.watch(`upgrade ${loaded.scenario.name}`);
  let run: ReturnType<typeof runUpgrade>;
  try {
    // With --out, the cards' flash model files stay there (lastgasp flash-status reads them).
    run = runUpgrade(loaded, { seed: opts.seed, flashDir: opts.outDir ?? undefined });
  } finally {
    progress.stop();
  }
  const report = buildReport(run);
  const files: string[] = [];
  if (opts.outDir !== null) {
    try {
      files.push(...run.world.chassis.wire.savePcaps(opts.outDir));
    } catch (e) {
      throw new InputError(`--out: ${opts.outDir}: cannot write the captures (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (opts.events) {
    const t0 = run.controller.startNs;
    const rows: EventRow[] = run.chassis.timeline.map((e) => ({ run: "upgrade", tNs: e.tNs, tFromFaultNs: t0 === null ? null : e.tNs - t0, source: e.source, event: e.name, detail: e.detail ?? {} }));
    makeOutputDir("--events", path.dirname(opts.events.file));
    writeOutput("--events", opts.events.file, formatEvents(rows, opts.events.format));
  }
  if (opts.json) {
    console.log(JSON.stringify({ ...report, pcaps: files, outDir: opts.outDir, events: opts.events?.file ?? null }, null, 2));
  } else {
    console.log(formatReport(report));
    if (opts.outDir !== null) {
      console.log(`\ncaptures: ${files.length} pcap files under ${opts.outDir}; the cards' flash: ${loaded.boards.map((b) => path.join(opts.outDir!, `${b.id}.flash`)).join(", ")}`);
      console.log(`  (lastgasp flash-status --board ${path.relative(process.cwd(), loaded.boards[0].file)} --target ${path.join(opts.outDir, `${loaded.boards[0].id}.flash`)})`);
    }
    if (opts.events) console.log(`${opts.events.file}: every event of the run (${opts.events.format})`);
  }
  return report.ok ? 0 : 1;
}
