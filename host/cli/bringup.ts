// `lastgasp bringup BOARD.json`: validate a board file and bring the board up on the virtual
// board, step by step (host/board/bringup.ts, docs/boards.md). Exit 0 only when every step
// passed; 1 naming the failed step; 2 when the file cannot be used (missing, unreadable,
// empty, malformed, invalid: every problem listed).

import { Command, InputError, Parsed, optionalString } from "./command";
import { checkOutputDir, makeOutputDir } from "./files";
import { bringup, StepResult, STEPS } from "../board/bringup";

const MARK: Record<StepResult["status"], string> = { pass: "ok  ", fail: "FAIL", skip: "skip" };

export const command: Command = {
  usage: "bringup BOARD.json [--json] [--pcap DIR]",
  details: `steps, in order (the first failure ends the run, later steps are skipped):
  ${STEPS.join(", ")}

options:
  --json       print the report as JSON ({file, board, ok, failedStep, steps: [...]})
  --pcap DIR   write each port's loopback link capture to DIR/<board>.<port>.pcap (created
               if missing)

exit status: 0 every step passed; 1 a step failed (named); 2 bad input: the board file is
missing, unreadable, empty, not JSON or not valid (every problem listed with its line,
column and JSON Pointer).

examples:
  lastgasp bringup boards/linecard-a.json
  lastgasp bringup boards/linecard-b.json --json`,
  options: {
    json: { type: "boolean" },
    pcap: { type: "string" },
  },
  positionals: { min: 1, max: 1 },
  run(args: Parsed): number {
    const file = args.positionals[0];
    const pcapDir = optionalString(args, "pcap");
    if (pcapDir !== undefined) checkOutputDir("--pcap", pcapDir);
    // The board is read and validated first; the capture directory is made only for a board
    // that gets as far as running.
    const report = bringup(file, {
      pcapDir,
      beforeRun: () => {
        if (pcapDir !== undefined) makeOutputDir("--pcap", pcapDir);
      },
    });
    if (report.failedStep === "load" || report.failedStep === "schema") {
      const n = report.problems?.length ?? 0;
      throw new InputError(report.steps.find((s) => s.status === "fail")!.detail, n ? report.problems : []);
    }
    if (args.values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(`bringup ${file}${report.board ? ` (board ${report.board})` : ""}`);
      const width = Math.max(...STEPS.map((s) => s.length));
      for (const s of report.steps) {
        const time = s.simUs !== undefined && s.simUs > 0 ? ` [${s.simUs} us simulated]` : "";
        console.log(`  ${MARK[s.status]}  ${s.step.padEnd(width)}  ${s.detail}${time}`);
      }
      console.log(report.ok ? `all ${report.steps.length} steps passed` : `FAILED at step ${report.failedStep}: ${report.steps.find((s) => s.status === "fail")?.detail}`);
    }
    return report.ok ? 0 : 1;
  },
};
