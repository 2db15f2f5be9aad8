// `lastgasp` — the command-line entry point: dispatch, help, --version, and the one place
// errors become exit codes and messages (command.ts has the convention). Every failure is a
// line on stderr (one per problem); under --json the same is also printed on stdout as an
// object {"error": {...}}, so a script reading stdout always gets JSON.

import { COMMANDS, CommandEntry } from "./commands";
import { ServiceConfigError } from "../run/service";
import { Command, InputError, Problem, parseCommandArgs, problemLine } from "./command";
import { AddrError } from "../util/addr";
import { ROOT } from "../paths";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INPUT = 2;
/** A lastgasp bug or a broken installation: never the answer to anything a user typed. */
export const EXIT_INTERNAL = 70;

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "lastgasp — a dying line card announces its own death; the standby takes over at once.",
    "",
    "usage: lastgasp <command> [options]      (lastgasp <command> --help for details)",
    "       lastgasp --version",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "exit status: 0 success; 1 what was checked failed; 2 bad input (arguments, files);",
    "70 an internal error (a bug). docs/cli.md has the details.",
  ].join("\n");
}

function commandHelp(entry: CommandEntry, cmd: Command): string {
  return [`usage: lastgasp ${cmd.usage}`, "", entry.summary, "", cmd.details.trimEnd()].join("\n");
}

function version(): string {
  // Both files are small; neither pulls in the rest of the host.
  const pkg = JSON.parse(require("fs").readFileSync(require("path").join(ROOT, "package.json"), "utf8")) as { version: string };
  const { ABI_VERSION } = require("../../assembly/shared/abi") as typeof import("../../assembly/shared/abi");
  return `lastgasp ${pkg.version} (core ABI ${ABI_VERSION})`;
}

/** File-system errors carry the path the user named: bad input, not a crash. */
const FS_CODES: Record<string, string> = {
  ENOENT: "no such file or directory",
  EISDIR: "is a directory",
  ENOTDIR: "a component of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "already exists",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
};

function asInputError(e: unknown): InputError | null {
  if (e instanceof InputError) return e;
  if (e instanceof AddrError) return new InputError(e.message);
  // A service's configuration (a board's switching file): one line per problem, exit 2.
  if (e instanceof ServiceConfigError) return new InputError(e.message, e.problems);
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === "string" && FS_CODES[err.code] && typeof err.path === "string") {
    return new InputError(`${err.path}: ${FS_CODES[err.code]}`);
  }
  return null;
}

interface Reporter {
  name: string;
  json: boolean;
}

function report(r: Reporter, exitCode: number, message: string, problems: Problem[] = []): number {
  const prefix = r.name ? `lastgasp ${r.name}: ` : "lastgasp: ";
  const lines = problems.length ? problems.map(problemLine) : [message];
  for (const l of lines) console.error(prefix + l);
  if (r.json) console.log(JSON.stringify({ error: { command: r.name || null, exitCode, message, problems } }, null, 2));
  return exitCode;
}

/** Runs `lastgasp ARGV`; returns the exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const top: Reporter = { name: "", json: argv.includes("--json") };
  try {
    if (name === undefined) return report(top, EXIT_INPUT, "missing command (lastgasp --help lists the commands)");
    if (name === "--help" || name === "-h") {
      console.log(mainHelp());
      return EXIT_OK;
    }
    if (name === "--version") {
      console.log(version());
      return EXIT_OK;
    }
    if (name === "help") {
      if (rest.length === 0) {
        console.log(mainHelp());
        return EXIT_OK;
      }
      const topic = COMMANDS.find((c) => c.name === rest[0]);
      if (!topic || rest.length > 1) return report(top, EXIT_INPUT, `${rest[topic ? 1 : 0]}: ${topic ? "unexpected argument" : "unknown command (lastgasp --help lists them)"}`);
      console.log(commandHelp(topic, topic.load()));
      return EXIT_OK;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) return report(top, EXIT_INPUT, `${name}: unknown ${name.startsWith("-") ? "option" : "command"} (lastgasp --help lists the commands)`);
    const cmd = entry.load();
    const r: Reporter = { name, json: rest.includes("--json") && "json" in cmd.options };
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(commandHelp(entry, cmd));
      return EXIT_OK;
    }
    try {
      const code = await cmd.run(parseCommandArgs(cmd.usage, cmd, rest));
      return code;
    } catch (e) {
      const bad = asInputError(e);
      if (bad) return report(r, EXIT_INPUT, bad.message, bad.problems);
      return internal(r, e);
    }
  } catch (e) {
    return internal(top, e);
  }
}

function internal(r: Reporter, e: unknown): number {
  if (process.env.LASTGASP_DEBUG) console.error(e instanceof Error && e.stack ? e.stack : String(e));
  const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return report(r, EXIT_INTERNAL, `internal error: ${msg} (a lastgasp bug; LASTGASP_DEBUG=1 prints where)`);
}
