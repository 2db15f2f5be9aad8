// `lastgasp sync-check`: what a bulk config sync between two image versions would do with a
// configuration file — the diff lists, what each line becomes, the policy events and the
// redundancy mode — without any unit running. Exit 0: the config syncs in SSO (hot standby);
// 1: the images are incompatible or the config cannot be synced hot; 2: bad input.

import { Command, Parsed, UsageError, requireString } from "./command";
import { readInput } from "./files";
import { shipped } from "../sync/images";
import { UnknownVersionError, Pair } from "../sync/pair";
import { ConfigInputError, PlanRow, SyncPlan, planBulkSync } from "../sync/plan";
import { DiffEntry } from "../sync/diff";

const MODE_TEXT = { sso: "SSO (hot standby, stateful switchover)", rpr: "RPR (cold standby: a switchover reloads)", none: "non-redundant (standby held in reset)" };

function version(args: Parsed, name: "active" | "standby"): string {
  const v = requireString(args, name);
  try {
    return shipped().get(v).version;
  } catch (e) {
    if (e instanceof UnknownVersionError) throw new UsageError(`--${name}: ${e.message}`);
    throw e;
  }
}

function fateText(r: PlanRow): string {
  const f = r.fate;
  switch (f.kind) {
    case "unchanged":
      return "unchanged";
    case "superseded":
      return `superseded by line ${f.byLine}`;
    case "noop":
      return "a removal: nothing to sync in a bulk sync";
    case "transformed": {
      const steps = f.trace.map((t) => `${t.from}→${t.to}`).filter((s, i, a) => a.indexOf(s) === i).join(", ");
      const out = f.lines.length ? f.lines.join(" + ") : "(nothing)";
      const same = f.lines.length === 1 && f.lines[0] === r.canonical;
      return `${same ? "same text, checked by" : "→"} ${same ? steps : `${out}  [${steps}]`}${f.notes.length ? `  note: ${f.notes.join("; ")}` : ""}`;
    }
    case "dcl":
      return `DCL: not synced (${f.why})`;
    case "policy":
      return f.cause === "no-transform" ? `NO PATH: ${f.reason}` : `POLICY ${f.action}: ${f.reason}`;
  }
}

function entryLine(e: DiffEntry): string {
  const status = e.status === "policy" ? `policy:${e.action}` : e.status;
  return `  ${status.padEnd(18)} ${e.sig}\n  ${"".padEnd(18)}   ${e.detail}`;
}

function counts(plan: SyncPlan): Record<string, number> {
  const n: Record<string, number> = {};
  for (const r of plan.rows) n[r.fate.kind] = (n[r.fate.kind] ?? 0) + 1;
  return n;
}

function printText(plan: SyncPlan, file: string): void {
  const p: Pair = plan.pair;
  const c = plan.compat;
  const out: string[] = [];
  out.push(`sync-check ${file}: active ${p.active.version} → standby ${p.standby.version} (${p.direction}; image ${p.table.version}'s table)`);
  out.push(`CLI dumps: ${p.active.version} has ${p.active.dump.length} commands, ${p.standby.version} has ${p.standby.dump.length}`);
  out.push("", `ADL — ${c.adl.length} commands only the active (${p.active.version}) accepts, and how each reaches ${p.standby.version}:`);
  out.push(...(c.adl.length ? c.adl.map(entryLine) : ["  (none)"]));
  out.push("", `SDL — ${c.sdl.length} commands only the standby (${p.standby.version}) accepts, and how each gets back to ${p.active.version}:`);
  out.push(...(c.sdl.length ? c.sdl.map(entryLine) : ["  (none)"]));
  out.push("", c.compatible ? "Images compatible: every diff-list entry has a transform or is on the DCL." : `Images INCOMPATIBLE (${c.reasons.length} entries without a way across):`);
  if (!c.compatible) out.push(...c.reasons.map((r) => `  - ${r}`));
  out.push("", `Configuration (${plan.rows.length} commands):`);
  const w = Math.max(...plan.rows.map((r) => r.text.length), 10);
  for (const r of plan.rows) out.push(`  ${String(r.lineNo).padStart(4)}  ${r.text.padEnd(Math.min(w, 60))}  ${fateText(r)}`);
  out.push("", `Lines: ${Object.entries(counts(plan)).map(([k, v]) => `${v} ${k}`).join(", ") || "none"}`);
  if (plan.handler.events.length) {
    out.push(`Policy events: ${plan.handler.events.length}`);
    for (const e of plan.handler.events) out.push(`  ${e.where}: ${e.action} (${e.cause}) — ${e.text}`);
  }
  out.push(plan.compat.compatible ? `Standby configuration: ${plan.standbyConfig.size} lines (--json lists them)` : "Standby configuration: not synced (incompatible images: cold standby)");
  out.push(`Mode: ${MODE_TEXT[plan.mode]}${plan.syncable ? "" : " — cannot be synced hot"}`);
  console.log(out.join("\n"));
}

function toJson(plan: SyncPlan, file: string) {
  const p = plan.pair;
  return {
    file,
    active: p.active.version,
    standby: p.standby.version,
    direction: p.direction,
    table: p.table.version,
    compatible: plan.compat.compatible,
    reasons: plan.compat.reasons,
    adl: plan.compat.adl,
    sdl: plan.compat.sdl,
    lines: plan.rows.map((r) => {
      const f = r.fate;
      const base = { line: r.lineNo, text: r.text, canonical: r.canonical, fate: f.kind };
      switch (f.kind) {
        case "unchanged":
          return { ...base, result: f.lines };
        case "transformed":
          return { ...base, result: f.lines, steps: f.trace, notes: f.notes };
        case "dcl":
          return { ...base, result: [], dcl: { version: f.version, id: f.id, why: f.why } };
        case "policy":
          return { ...base, result: f.lines, policy: { action: f.action, cause: f.cause, reason: f.reason, step: f.step, id: f.id } };
        case "superseded":
          return { ...base, result: [], byLine: f.byLine };
        case "noop":
          return { ...base, result: [] };
      }
    }),
    counts: counts(plan),
    policyEvents: plan.handler.events,
    mode: plan.mode,
    inSync: plan.handler.inSync,
    syncable: plan.syncable,
    standbyConfig: plan.compat.compatible ? plan.standbyConfig.lines() : null,
  };
}

export const command: Command = {
  usage: "sync-check --active VER --standby VER CONFIG_FILE [--strict] [--json]",
  details: `CONFIG_FILE is the active unit's configuration (one command per line; "!" and "#"
start comments), in the syntax of the active's image.

options:
  --active VER    image version of the active unit (${shipped().versions.join(", ")})
  --standby VER   image version of the standby unit
  --strict        treat every policy "warn" as "out-of-sync"
  --json          print the report as one JSON object

exit status: 0 the config syncs in SSO (hot standby); 1 the images are incompatible or the
config cannot be synced hot (the report says why); 2 bad input (one line naming it).

example:
  lastgasp sync-check --active 2.0 --standby 1.1 configs/lb-2.0.conf`,
  options: { active: { type: "string" }, standby: { type: "string" }, strict: { type: "boolean" }, json: { type: "boolean" } },
  positionals: { min: 1, max: 1 },
  run(args: Parsed): number {
    const active = version(args, "active");
    const standby = version(args, "standby");
    const file = args.positionals[0];
    const text = readInput(null, file);
    let plan: SyncPlan;
    try {
      plan = planBulkSync(shipped().pair(active, standby), file, text, { strict: args.values.strict === true });
    } catch (e) {
      if (e instanceof ConfigInputError) throw new UsageError(e.message);
      throw e;
    }
    if (args.values.json) console.log(JSON.stringify(toJson(plan, file), null, 2));
    else printText(plan, file);
    return plan.syncable ? 0 : 1;
  },
};
