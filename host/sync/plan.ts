// The bulk sync as a plan, without units or transport: what `lastgasp sync-check` prints.
// It runs the same engine the units run, so the plan is what a real bulk sync would do.

import { ConfigLine, ConfigLineError, RunningConfig, parseConfigText } from "./config";
import { Compatibility, checkPair } from "./diff";
import { Fate, convert } from "./engine";
import { Pair } from "./pair";
import { Mode, PolicyHandler, PolicyRules } from "./policy";

/** A configuration file the active's image rejects: every bad line, by number. */
export class ConfigInputError extends Error {
  constructor(
    readonly file: string,
    readonly errors: ConfigLineError[],
  ) {
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more bad line${errors.length > 2 ? "s" : ""})` : "";
    super(`${file} line ${first.lineNo}: ${first.error}: "${first.raw}"${more}`);
  }
}

export interface PlanRow {
  lineNo: number;
  text: string;
  /** Canonical form, when it differs from what the file says. */
  canonical: string;
  fate: Fate | { kind: "superseded"; byLine: number };
}

export interface SyncPlan {
  pair: Pair;
  compat: Compatibility;
  rows: PlanRow[];
  /** The active's running config (canonical) and the standby's it should produce. */
  activeConfig: RunningConfig;
  standbyConfig: RunningConfig;
  handler: PolicyHandler;
  mode: Mode;
  /** SSO with every command synced or knowingly skipped (warnings allowed). */
  syncable: boolean;
}

/** Parses the active's configuration file; throws ConfigInputError naming every bad line. */
export function readActiveConfig(pair: Pair, file: string, text: string): { config: RunningConfig; lines: ConfigLine[] } {
  const { lines, errors } = parseConfigText(pair.active.grammar, text);
  if (errors.length) throw new ConfigInputError(file, errors);
  const config = new RunningConfig(pair.active.grammar);
  for (const l of lines) config.apply(l.cmd);
  return { config, lines };
}

export function planBulkSync(pair: Pair, file: string, text: string, rules: PolicyRules = {}): SyncPlan {
  const { config, lines } = readActiveConfig(pair, file, text);
  const compat = checkPair(pair);
  const conversion = convert(pair.table, pair.path, config);
  const fateBySlot = new Map(conversion.rows.map((r) => [r.cmd.slot, r]));
  const lastLineOfSlot = new Map<string, number>();
  for (const l of lines) lastLineOfSlot.set(l.cmd.slot, l.lineNo);

  const handler = new PolicyHandler(rules);
  const rows: PlanRow[] = lines.map((l) => {
    const last = lastLineOfSlot.get(l.cmd.slot)!;
    const base = { lineNo: l.lineNo, text: l.raw, canonical: l.cmd.text };
    if (l.cmd.negated) return { ...base, fate: { kind: "noop" } };
    if (last !== l.lineNo) return { ...base, fate: { kind: "superseded", byLine: last } };
    const fate = fateBySlot.get(l.cmd.slot)!.fate;
    // A line with no path at all is the incompatibility itself (no sync happens), not an
    // event for the policy handler.
    if (fate.kind === "policy" && fate.cause !== "no-transform") {
      fate.action = handler.decide(fate);
      handler.record({ where: `line ${l.lineNo}`, text: l.cmd.text, action: fate.action, cause: fate.cause, reason: fate.reason, by: pair.direction === "upgrade" ? "standby" : "active" });
    }
    return { ...base, fate };
  });
  const mode = handler.mode(compat.compatible ? "sso" : "rpr");
  return {
    pair,
    compat,
    rows,
    activeConfig: config,
    standbyConfig: conversion.config,
    handler,
    mode,
    syncable: mode === "sso",
  };
}
