// `lastgasp bringup BOARD.json` (or --board BOARD.json): validate a board file and bring the
// board up, step by step, on whatever its ports are — the virtual board, pci or linux ports
// (host/board/bringup.ts, docs/boards.md, docs/real-hardware.md). Exit 0 only when every step
// passed or did not apply; 1 naming the failed step; 2 when the file cannot be used (missing,
// unreadable, empty, malformed, invalid: every problem listed) or the board cannot be opened
// on this machine (not root, no such interface or device).

import { Command, InputError, Parsed, optionalString } from "./command";
import { checkOutputDir, makeOutputDir } from "./files";
import { bringup, StepResult, STEPS } from "../board/bringup";

const MARK: Record<StepResult["status"], string> = { pass: "ok  ", fail: "FAIL", skip: "skip", "n/a": "n/a " };

export const command: Command = {
  usage: "bringup BOARD.json | --board BOARD.json [--json] [--pcap DIR]",
  details: `steps, in order (the first failure ends the run, later steps are skipped; a step
that does not apply to a port kind is reported n/a with the reason):
  ${STEPS.join(", ")}

options:
  --json       print the report as JSON ({file, board, ok, failedStep, steps: [...]})
  --board FILE the board file (the same as the positional argument)
  --pcap DIR   write each port's loopback link capture to DIR/<board>.<port>.pcap (created
               if missing; virtual boards only — on a linux port use tcpdump)

exit status: 0 every step passed (or did not apply); 1 a step failed (named); 2 bad input:
the board file is missing, unreadable, empty, not JSON or not valid (every problem listed
with its line, column and JSON Pointer), or the board cannot be opened here (pci and linux
ports need root; an interface or device that does not exist) — nothing is touched then.

examples:
  lastgasp bringup boards/linecard-a.json
  lastgasp bringup boards/linecard-b.json --json
  sudo lastgasp bringup --board my-linux-board.json`,
  options: {
    json: { type: "boolean" },
    pcap: { type: "string" },
    board: { type: "string" },
  },
  positionals: { min: 0, max: 1 },
  run(args: Parsed): number {
    const flag = optionalString(args, "board");
    if (flag !== undefined && args.positionals.length) throw new InputError("--board: the board file is given twice (as --board and as an argument)");
    const file = flag ?? args.positionals[0];
    if (file === undefined) throw new InputError(`missing argument (usage: lastgasp ${command.usage})`);
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
    if (report.openProblems) throw new InputError(report.steps.find((s) => s.status === "fail")!.detail, report.openProblems);
    if (args.values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(`bringup ${file}${report.board ? ` (board ${report.board})` : ""}`);
      const width = Math.max(...STEPS.map((s) => s.length));
      for (const s of report.steps) {
        const time = s.simUs !== undefined && s.simUs > 0 ? ` [${s.simUs} us simulated]` : s.us !== undefined && s.us > 0 ? ` [${s.us} us]` : "";
        console.log(`  ${MARK[s.status]}  ${s.step.padEnd(width)}  ${s.detail}${time}`);
      }
      const na = report.steps.filter((s) => s.status === "n/a").length;
      console.log(report.ok ? `all ${report.steps.length} steps passed${na ? ` (${na} not applicable)` : ""}` : `FAILED at step ${report.failedStep}: ${report.steps.find((s) => s.status === "fail")?.detail}`);
    }
    return report.ok ? 0 : 1;
  },
};
