// The transformation engine: what one command becomes on its way across a version path, and
// what a whole configuration becomes. Both sync paths (bulk and line by line), both units
// (the active downgrading, the standby upgrading) and the offline planner (sync-check) use
// this one function, so they cannot disagree about a line.
//
// For each step of the path, each current line is, in this order:
//   1. transformed, if the table has a transform for its command on this step (the result
//      is parsed by the next version's grammar: a transform cannot smuggle in bad syntax);
//   2. carried unchanged, if the next version has the same command (same CLI dump entry);
//   3. skipped, if the table's don't-care list (DCL) names it;
//   4. otherwise it cannot be synced, and the policy handler is told why.
// A command is synced whole or not at all: if any branch of it is refused, none of it is.

import { Command, Grammar } from "./grammar";
import { ConfigView, RunningConfig } from "./config";
import { Image } from "./image";
import { PolicyAction } from "./tft";

export interface TraceStep {
  from: string;
  to: string;
  /** The command id the transform is registered for. */
  id: string;
  input: string;
  output: string[];
  note?: string;
}

export type PolicyCause = "refused" | "no-transform" | "transform-error";

export type Fate =
  | { kind: "unchanged"; lines: string[] }
  | { kind: "transformed"; lines: string[]; trace: TraceStep[]; notes: string[] }
  | { kind: "dcl"; version: string; id: string; why: string; trace: TraceStep[] }
  | {
      kind: "policy";
      action: PolicyAction;
      cause: PolicyCause;
      reason: string;
      /** The step and command where it stopped. */
      step: string;
      id: string;
      /** What is synced instead: the removal of the value this command replaced, so the
       * standby never keeps a value the active no longer has (empty for a new slot). */
      lines: string[];
      trace: TraceStep[];
    }
  /** A removal of a slot that is empty: nothing changes, nothing is sent. */
  | { kind: "noop" };

/** The published action for failures no transform speaks for. */
export const ACTION_NO_TRANSFORM: PolicyAction = "out-of-sync";
export const ACTION_TRANSFORM_ERROR: PolicyAction = "reset-standby";

export interface StepConfigs {
  before: ConfigView;
  after: ConfigView;
}

/** Source-version configs at each version of the path (the contexts transforms read). */
export type ContextAt = (version: string) => StepConfigs;

export interface RouteOptions {
  /** Line-by-line sync: when a command that replaced a value cannot be synced, sync the
   * removal of the old value instead. (A bulk sync fills an empty standby: nothing to remove.) */
  removeStale?: boolean;
}

/** Where one command ends up at the end of `path` (path[0] is the command's version). */
export function route(table: Image, path: Grammar[], cmd: Command, ctxAt: ContextAt, opts: RouteOptions = {}): Fate {
  const fate = walk(table, path, cmd, ctxAt).fate;
  if (fate.kind !== "policy" || !opts.removeStale || cmd.negated) return fate;
  const had = ctxAt(path[0].version).before.get(cmd.slot);
  if (!had) return fate;
  const removal = path[0].make(cmd.spec.id, cmd.args, true);
  const r = walk(table, path, removal, ctxAt).fate;
  if (r.kind === "transformed" || r.kind === "unchanged") fate.lines = r.lines;
  return fate;
}

/** The fate, and the commands it leaves at the end of the path (for fates that sync). */
function walk(table: Image, path: Grammar[], cmd: Command, ctxAt: ContextAt): { fate: Fate; out: Command[] } {
  const r = walkFate(table, path, cmd, ctxAt);
  return { fate: r.fate, out: r.out ?? [] };
}

function walkFate(table: Image, path: Grammar[], cmd: Command, ctxAt: ContextAt): { fate: Fate; out?: Command[] } {
  let current: Command[] = [cmd];
  const trace: TraceStep[] = [];
  const notes: string[] = [];
  let transformed = false;
  for (let i = 0; i + 1 < path.length; i++) {
    const from = path[i];
    const to = path[i + 1];
    const step = `${from.version}→${to.version}`;
    const next: Command[] = [];
    for (const c of current) {
      const t = table.tft.find(from.version, to.version, c.spec.id);
      const stop = (action: PolicyAction, cause: PolicyCause, reason: string) => ({
        fate: { kind: "policy", action, cause, reason, step, id: c.spec.id, lines: [], trace } as Fate,
      });
      if (t) {
        let res;
        try {
          res = t.fn(c, { from, to, ...ctxAt(from.version) });
        } catch (e) {
          return stop(ACTION_TRANSFORM_ERROR, "transform-error", `transform ${c.spec.id} (${step}) failed: ${(e as Error).message}`);
        }
        if ("refuse" in res) return stop(t.policy, "refused", res.refuse);
        const out: Command[] = [];
        for (const text of res.lines) {
          const p = to.parse(text);
          if (!p.ok) return stop(ACTION_TRANSFORM_ERROR, "transform-error", `transform ${c.spec.id} (${step}) produced "${text}", which ${to.version} rejects: ${p.error}`);
          const declared = t.to.some((id) => (p.cmd.negated ? to.spec(id).keySig === p.cmd.spec.keySig : id === p.cmd.spec.id));
          if (!declared) return stop(ACTION_TRANSFORM_ERROR, "transform-error", `transform ${c.spec.id} (${step}) produced ${p.cmd.spec.id}, which it does not declare`);
          out.push(p.cmd);
        }
        trace.push({ from: from.version, to: to.version, id: c.spec.id, input: c.text, output: out.map((o) => o.text), note: res.note });
        if (res.note) notes.push(res.note);
        next.push(...out);
        transformed = true;
        continue;
      }
      if (to.has(c.spec.sig)) {
        const p = to.parse(c.text);
        if (!p.ok) return stop(ACTION_TRANSFORM_ERROR, "transform-error", `"${c.text}" is in ${to.version}'s CLI dump but does not parse there: ${p.error}`);
        next.push(p.cmd);
        continue;
      }
      const dcl = table.dclEntry(from.version, c.spec.id);
      if (dcl) {
        if (!transformed && current.length === 1) return { fate: { kind: "dcl", version: from.version, id: c.spec.id, why: dcl.why, trace } };
        notes.push(`"${c.text}" dropped: don't-care (${dcl.why})`);
        transformed = true;
        continue;
      }
      return stop(ACTION_NO_TRANSFORM, "no-transform", `image ${table.version} has no ${step} transform for ${from.version} command ${c.spec.id} ("${c.spec.sig}")`);
    }
    current = dedupe(next);
  }
  const lines = current.map((c) => c.text);
  if (!transformed) return { fate: { kind: "unchanged", lines }, out: current };
  return { fate: { kind: "transformed", lines, trace, notes }, out: current };
}

function dedupe(cmds: Command[]): Command[] {
  const seen = new Set<string>();
  return cmds.filter((c) => (seen.has(c.text) ? false : (seen.add(c.text), true)));
}

/** The lines a fate sends to the next stage. */
export function fateLines(f: Fate): string[] {
  return f.kind === "unchanged" || f.kind === "transformed" || f.kind === "policy" ? f.lines : [];
}

export interface ConversionRow {
  cmd: Command;
  fate: Fate;
}

export interface Conversion {
  /** The configuration at the end of the path. */
  config: RunningConfig;
  /** What became of each source command, in listing order. */
  rows: ConversionRow[];
  /** The configuration at each version of the path (stages[0] is the source). */
  stages: RunningConfig[];
}

/** Converts a whole configuration along `path`, one step at a time: the config at each
 * intermediate version is built first and is the context for the next step's transforms. */
export function convert(table: Image, path: Grammar[], source: RunningConfig): Conversion {
  const stages = stagesOf(table, path, source);
  const ctxAt: ContextAt = (v) => {
    const s = stages[path.findIndex((g) => g.version === v)];
    return { before: s, after: s };
  };
  const config = new RunningConfig(path[path.length - 1]);
  const rows = source.commands().map((cmd) => {
    const r = walk(table, path, cmd, ctxAt);
    for (const c of r.out) config.apply(c);
    return { cmd, fate: r.fate };
  });
  return { config, rows, stages };
}

/** The config at each version of the path, each built from the previous one. */
export function stagesOf(table: Image, path: Grammar[], source: RunningConfig): RunningConfig[] {
  if (source.version !== path[0].version) throw new Error(`a ${source.version} config converted from ${path[0].version}`);
  const stages: RunningConfig[] = [source];
  for (let i = 0; i + 1 < path.length; i++) stages.push(convertStep(table, path[i], path[i + 1], stages[i]));
  return stages;
}

function convertStep(table: Image, from: Grammar, to: Grammar, cfg: RunningConfig): RunningConfig {
  const ctxAt: ContextAt = () => ({ before: cfg, after: cfg });
  const out = new RunningConfig(to);
  for (const c of cfg.commands()) for (const o of walk(table, [from, to], c, ctxAt).out) out.apply(o);
  return out;
}

/** Caches the conversion of config snapshots along a path, so that line-by-line sync can
 * give each step's transform its before/after context without converting twice. A snapshot
 * must not be modified once handed in (the units clone before changing). */
export class StageCache {
  private cache = new WeakMap<RunningConfig, RunningConfig[]>();

  constructor(
    private readonly table: Image,
    private readonly path: Grammar[],
  ) {}

  at(snapshot: RunningConfig, version: string): RunningConfig {
    let stages = this.cache.get(snapshot);
    if (!stages) {
      stages = stagesOf(this.table, this.path, snapshot);
      this.cache.set(snapshot, stages);
    }
    const i = this.path.findIndex((g) => g.version === version);
    if (i < 0) throw new Error(`version ${version} is not on the path`);
    return stages[i];
  }

  contexts(before: RunningConfig, after: RunningConfig): ContextAt {
    return (v) => ({ before: this.at(before, v), after: this.at(after, v) });
  }
}
