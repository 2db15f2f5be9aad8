// `lastgasp bringup BOARD.json`: validate a board file and bring the board up on the virtual
// board, step by step (host/board/bringup.ts, docs/boards.md). Exit 0 only when every step
// passed; 1 naming the failed step otherwise.

import { Command, Parsed, UsageError } from "./command";
import { bringup, StepResult, STEPS } from "../board/bringup";

const MARK: Record<StepResult["status"], string> = { pass: "ok  ", fail: "FAIL", skip: "skip" };

export const command: Command = {
  usage: "bringup BOARD.json [--json] [--pcap DIR]",
  details: `steps, in order (the first failure ends the run, later steps are skipped):
  ${STEPS.join(", ")}

options:
  --json       print the report as JSON ({file, board, ok, failedStep, steps: [...]})
  --pcap DIR   write each port's loopback link capture to DIR/<board>.<port>.pcap

exit status: 0 when every step passed, 1 when one failed, 2 on bad usage.

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
    const pcapDir = args.values.pcap as string | undefined;
    if (pcapDir === "") throw new UsageError("--pcap: needs a directory");
    const report = bringup(file, { pcapDir });
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
