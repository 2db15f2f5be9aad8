// The shape every CLI command has, the errors that decide its exit code, and the argument
// helpers every command shares. The exit-code convention (docs/cli.md):
//
//   0  success
//   1  the thing checked failed: a bring-up step, a scenario expectation, a sync mode not
//      reached, a verification, a conformance check — the command returns 1 itself
//   2  bad input: arguments, files, schemas — throw InputError (one line per problem)
//   70 a lastgasp bug (never for anything a user can type); LASTGASP_DEBUG=1 shows the stack
//
// A command module exports `command: Command`; host/cli/commands.ts lists it with its name and
// one-line summary and loads it only when it runs, so `lastgasp --help` loads nothing else.

import { parseArgs, ParseArgsConfig } from "util";
import type { Problem } from "../util/problems";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  /** Synopsis, e.g. "encode <garp|na> --ip ADDR --mac MAC". */
  usage: string;
  /** The rest of `lastgasp CMD --help`: options, exit status, examples. */
  details: string;
  options: Options;
  /** Accepted number of positional arguments. */
  positionals: { min: number; max: number };
  /** Returns the exit code (0 or 1). Throw InputError for bad input (exit 2). */
  run(args: Parsed): Promise<number> | number;
}

export type { Problem } from "../util/problems";
export { problemLine } from "../util/problems";

/**
 * Bad input from the user (exit 2): the message names the argument or file. With problems,
 * each is printed on its own line (the message is then the summary JSON carries).
 */
export class InputError extends Error {
  constructor(message: string, readonly problems: Problem[] = []) {
    super(message);
  }
}

/** The name commands have always used for InputError. */
export const UsageError = InputError;

/** Option values that look like negative numbers: `--vlan -1` means the value -1, not an option. */
const NEGATIVE = /^-(\d|\.\d)/;

/** parseArgs with our error style: unknown options and missing values become InputErrors. */
export function parseCommandArgs(usage: string, cmd: Command, argv: string[]): Parsed {
  // Node's parseArgs refuses `--vlan -1` as "ambiguous"; join such values to their option.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([\w-]+)$/.exec(argv[i])?.[1];
    const next = argv[i + 1];
    if (name && cmd.options[name]?.type === "string" && next !== undefined && NEGATIVE.test(next)) {
      args.push(`--${name}=${next}`);
      i++;
    } else args.push(argv[i]);
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options: cmd.options, allowPositionals: true, strict: true }) as Parsed;
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    const opt = /'(-[-\w]+)/.exec(msg)?.[1];
    if (/Unknown option/.test(msg)) throw new InputError(`${opt ?? "option"}: unknown option`);
    if (/argument missing/.test(msg)) throw new InputError(`${opt ?? "option"}: needs a value`);
    if (/does not take an argument/.test(msg)) throw new InputError(`${opt ?? "option"}: takes no value`);
    if (/ambiguous/.test(msg)) throw new InputError(`${opt ?? "option"}: needs a value (use ${opt ?? "--option"}=VALUE for a value starting with "-")`);
    throw new InputError(msg);
  }
  const seen = new Set<string>();
  for (const a of args) {
    if (a === "--") break;
    const name = /^--([\w-]+)(=|$)/.exec(a)?.[1];
    if (name === undefined || !(name in cmd.options) || cmd.options[name].multiple) continue; // a repeatable option (--pubkey)
    if (seen.has(name)) throw new InputError(`--${name}: given more than once`);
    seen.add(name);
  }
  const n = parsed.positionals.length;
  if (n < cmd.positionals.min) throw new InputError(`missing argument (usage: lastgasp ${usage})`);
  if (n > cmd.positionals.max) throw new InputError(`${parsed.positionals[cmd.positionals.max]}: unexpected argument`);
  return parsed;
}

/** Reads a string option that must be present. */
export function requireString(args: Parsed, name: string): string {
  const v = args.values[name];
  if (typeof v !== "string" || v === "") throw new InputError(`--${name}: required`);
  return v;
}

/** A string option that, when given, must not be empty. */
export function optionalString(args: Parsed, name: string): string | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") throw new InputError(`--${name}: needs a value`);
  return v;
}

/** Parses an integer option within [min, max]; undefined when absent. */
export function optionalInt(args: Parsed, name: string, min: number, max: number, what = "an integer"): number | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new InputError(`--${name}: "${String(v)}" is not ${what} in ${min}..${max}`);
  }
  return Number(v);
}

/** Parses a number option within [min, max] (decimals allowed); the default when absent. */
export function optionalNumber(args: Parsed, name: string, def: number, min: number, max: number): number {
  const v = args.values[name];
  if (v === undefined) return def;
  const x = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(x) || x < min || x > max) {
    throw new InputError(`--${name}: "${String(v)}" is not a number in ${min}..${max}`);
  }
  return x;
}
