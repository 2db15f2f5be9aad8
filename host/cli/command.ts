// The shape every CLI command has, and the usage error that means "exit 2".

import { parseArgs, ParseArgsConfig } from "util";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for `lastgasp --help`. */
  summary: string;
  /** Synopsis, e.g. "encode <garp|na> --ip ADDR --mac MAC". */
  usage: string;
  /** The rest of `lastgasp CMD --help`: options and examples. */
  details: string;
  options: Options;
  /** Accepted number of positional arguments. */
  positionals: { min: number; max: number };
  /** Returns the exit code. Throw UsageError for bad input (exit 2). */
  run(args: Parsed): Promise<number> | number;
}

/** Bad input from the user: reported as one line naming the argument, exit code 2. */
export class UsageError extends Error {}

/** parseArgs with our error style: unknown options and missing values become UsageErrors. */
export function parseCommandArgs(cmd: Command, argv: string[]): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options: cmd.options, allowPositionals: true, strict: true }) as Parsed;
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    const opt = /'(-[-\w]+)/.exec(msg)?.[1];
    if (/Unknown option/.test(msg)) throw new UsageError(`${opt ?? "option"}: unknown option`);
    if (/argument missing/.test(msg)) throw new UsageError(`${opt ?? "option"}: needs a value`);
    if (/does not take an argument/.test(msg)) throw new UsageError(`${opt ?? "option"}: takes no value`);
    throw new UsageError(msg);
  }
  const n = parsed.positionals.length;
  if (n < cmd.positionals.min) throw new UsageError(`missing argument (usage: lastgasp ${cmd.usage})`);
  if (n > cmd.positionals.max) throw new UsageError(`${parsed.positionals[cmd.positionals.max]}: unexpected argument`);
  return parsed;
}

/** Reads a string option that must be present. */
export function requireString(args: Parsed, name: string): string {
  const v = args.values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name}: required`);
  return v;
}

/** Parses an integer option within [min, max]; undefined when absent. */
export function optionalInt(args: Parsed, name: string, min: number, max: number, what = "an integer"): number | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name}: "${String(v)}" is not ${what} in ${min}..${max}`);
  }
  return Number(v);
}
