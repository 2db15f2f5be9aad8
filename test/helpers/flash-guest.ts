// Runs inside the QEMU guest (test/qemu-flash.test.ts), with the host's Node over 9p: a plan
// of steps — the very `lastgasp` commands a user runs on a line card (host/cli/flash.ts, on
// /dev/mtdN through the MTD addon), mtd-utils as an independent reader and bit flipper — and
// one "LG {json}" record per step on the serial console.
//
// usage (in the guest): node -r ts-node/register flash-guest.ts PLAN.json

import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import { parseCommandArgs, UsageError, Command } from "../../host/cli/command";
import { command as flash, boot, confirm, revert, flashStatus } from "../../host/cli/flash";
import { flashImage } from "../../host/flash/commands";
import { MtdDevice } from "../../host/flash/mtd";

export type GuestStep =
  | { kind: "cli"; args: string[] }
  /**
   * lastgasp flash, with a record after every round of flash operations and a random pause of
   * up to paceMs after it: the serial console is slower than the flasher, and a power cut
   * decided from the records must land near the round it was meant for.
   */
  | { kind: "flash-rounds"; board: string; image: string; target: string; paceMs: number }
  /** A program (mtd-utils); with file: the SHA-256 of its first `length` bytes. */
  | { kind: "sh"; argv: string[]; file?: string; length?: number }
  | { kind: "ecc"; target: string };

const rec = (o: object) => process.stdout.write(`LG ${JSON.stringify(o)}\n`);
const COMMANDS: Record<string, Command> = { flash, boot, confirm, revert, "flash-status": flashStatus };

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...xs: unknown[]) => void out.push(xs.join(" "));
  console.error = (...xs: unknown[]) => void err.push(xs.join(" "));
  try {
    const cmd = COMMANDS[args[0]];
    if (!cmd) throw new UsageError(`${args[0]}: unknown command`);
    const code = await cmd.run(parseCommandArgs(cmd.usage, cmd, args.slice(1)));
    return { code, out: out.join("\n"), err: err.join("\n") };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, out: out.join("\n"), err: `lastgasp ${args[0]}: ${e.message}` };
    return { code: -1, out: out.join("\n"), err: `crash: ${(e as Error).stack}` };
  } finally {
    console.log = log;
    console.error = error;
  }
}

async function main(): Promise<void> {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as GuestStep[];
  rec({ op: "node", uptime: fs.readFileSync("/proc/uptime", "utf8").split(" ")[0] });
  for (let i = 0; i < plan.length; i++) {
    const s = plan[i];
    const t0 = Date.now();
    if (s.kind === "cli") {
      const r = await cli(s.args);
      rec({ op: "cli", i, args: s.args, ...r, ms: Date.now() - t0 });
    } else if (s.kind === "flash-rounds") {
      rec({ op: "flash-begin", i });
      try {
        const pause = new Int32Array(new SharedArrayBuffer(4));
        const onRound = (n: number, ops: number) => {
          rec({ op: "round", i, n, ops });
          Atomics.wait(pause, 0, 0, Math.random() * s.paceMs);
        };
        const o = flashImage({ boardFile: s.board, target: s.target, imageFile: s.image, onRound });
        rec({ op: "flash-done", i, slot: o.report.target, rounds: o.report.rounds, ms: Date.now() - t0 });
      } catch (e) {
        rec({ op: "flash-failed", i, error: (e as Error).message });
      }
    } else if (s.kind === "sh") {
      const r = spawnSync(s.argv[0], s.argv.slice(1), { encoding: "utf8" });
      const o: Record<string, unknown> = { op: "sh", i, argv: s.argv, code: r.status, out: (r.stdout + r.stderr).slice(-2000), ms: Date.now() - t0 };
      if (s.file && fs.existsSync(s.file)) {
        const b = fs.readFileSync(s.file);
        const part = s.length !== undefined ? b.subarray(0, s.length) : b;
        o.size = b.length;
        o.sha256 = crypto.createHash("sha256").update(part).digest("hex");
      }
      rec(o);
    } else if (s.kind === "ecc") {
      const d = new MtdDevice(s.target, false);
      rec({ op: "ecc", i, ...d.eccStats() });
      d.close();
    }
  }
  rec({ op: "plan-done" });
}

main().catch((e) => rec({ op: "crash", error: String((e as Error).stack) }));
