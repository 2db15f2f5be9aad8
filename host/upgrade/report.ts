// What an upgrade run means (docs/upgrade.md "The report"): the timeline a person can follow —
// each step, its time from the start of the upgrade and the packets lost so far —, the
// duration and the packets lost of each phase, the units at the end, and the checks. The
// demo and `lastgasp upgrade` exit 0 only when the upgrade succeeded and every check passed.

import * as path from "path";
import type { TimelineEvent } from "../ha/timeline";
import { figures, failoverChecks, Check } from "../chassis/report";
import type { UpgradeRun } from "./run";

export interface TimelineRow {
  /** ms from the start of the upgrade (negative before it). */
  tMs: number;
  /** Packets lost so far: lost packets offered before this step. */
  lost: number;
  source: string;
  event: string;
  text: string;
  detail: TimelineEvent["detail"];
}

export interface PhaseRow {
  card: string;
  phase: string;
  startMs: number;
  ms: number;
  lost: number;
}

export interface UnitRow {
  id: string;
  state: string;
  role: string;
  version: string | null;
  slot: string | null;
  /** The flash's confirmed slot and trial pending, at the end. */
  confirmed: string | null;
  trial: string | null;
  securityCounter: number | null;
  boots: number;
  failedBoots: number;
  powerCuts: number;
}

export interface UpgradeReport {
  scenario: { file: string; name: string; kind: "upgrade"; seed: number; description?: string };
  /** The upgrade succeeded and every check passed: exit 0. */
  ok: boolean;
  outcome: string;
  failure: { kind: string; unit: string; reason: string } | null;
  recoveryProblem: string | null;
  from: string;
  to: string;
  /** Simulated time the upgrade started and how long it took, ms. */
  startMs: number | null;
  durationMs: number | null;
  offered: number;
  lost: number;
  /** Lost while the upgrade ran (from its start to its end). */
  lostDuringUpgrade: number;
  phases: PhaseRow[];
  timeline: TimelineRow[];
  units: UnitRow[];
  health: UpgradeRun["controller"]["health"];
  lostCommands: string[];
  syncs: UpgradeRun["world"]["sync"]["outcomes"];
  invariants: { checks: number; boots: number; violations: string[] };
  checks: Check[];
  flashDir: string | null;
}

/** Events a person follows; the rest (every GARP, every hello) stays in --events. */
const SHOWN = new Set([
  "upgrade.start", "upgrade.refused", "upgrade.phase", "upgrade.flashed", "upgrade.synced", "upgrade.switchover", "upgrade.health", "upgrade.confirmed",
  "upgrade.failed", "upgrade.reverted", "upgrade.stopped", "upgrade.recovery-failed", "upgrade.done",
  "flash.write", "flash.confirm", "flash.revert", "flash.power-cut",
  "unit.reset", "unit.power-off", "unit.power-on", "unit.boot-stage", "unit.boot-failed", "unit.up",
  "sync.start", "sync.done", "sync.abandoned",
  "role.takeover", "role.handover", "switchover.drain", "switchover.fenced", "hosts.moved",
  "fault.inject", "gasp.accepted",
]);

const d = (e: TimelineEvent, k: string) => e.detail?.[k];

function text(e: TimelineEvent): string {
  switch (e.name) {
    case "upgrade.start": return `upgrade ${d(e, "from")} → ${d(e, "to")}: ${d(e, "first")} first (the standby), then ${d(e, "then")}`;
    case "upgrade.refused": return `REFUSED: ${d(e, "reason")}`;
    case "upgrade.phase": return `── ${d(e, "phase")} (${d(e, "card")})`;
    case "upgrade.flashed": return `image ${d(e, "version")} in slot ${d(e, "slot")}: written, read back, verified, marked trial`;
    case "upgrade.synced": return `bulk sync to the new version: mode ${String(d(e, "mode")).toUpperCase()}, ${d(e, "events")} policy event(s), ${d(e, "verified") ? "verified" : "NOT verified"}`;
    case "upgrade.switchover": return `planned switchover ${d(e, "from")} → ${d(e, "to")} (make before break, no gasp)`;
    case "upgrade.health": return `health checks on ${d(e, "unit")}: ${d(e, "ok") ? "passed" : "FAILED"} (${Object.entries(e.detail ?? {}).filter(([k]) => !["unit", "ok"].includes(k)).map(([k, v]) => `${k} ${v ? "ok" : "FAIL"}`).join(", ")})`;
    case "upgrade.confirmed": return `${d(e, "unit")} confirmed ${d(e, "version")} in slot ${d(e, "slot")} (security counter ${d(e, "securityCounter")})`;
    case "upgrade.failed": return `FAILED (${d(e, "kind")}): ${d(e, "reason")}`;
    case "upgrade.reverted": return `${d(e, "unit")} back on ${d(e, "version")}; ${d(e, "active")} serves, every card on the release it ran before`;
    case "upgrade.stopped": return `${d(e, "unit")} on ${d(e, "version")}; ${d(e, "active")} serves; confirmed on the new release: ${d(e, "onNewRelease")} (mixed releases, the pair serving)`;
    case "upgrade.recovery-failed": return `RECOVERY FAILED: ${d(e, "reason")}`;
    case "upgrade.done": return `done: ${String(d(e, "outcome")).toUpperCase()}`;
    case "flash.write": return d(e, "status") === "OK" ? `flash write to slot ${d(e, "slot")} (${d(e, "ms")} ms on the part, ${d(e, "erases_programs")} erases/programs)` : `flash write: ${d(e, "status")} after ${d(e, "ms")} ms`;
    case "flash.confirm": return `confirm: state written (${d(e, "ms")} ms): ${d(e, "status")}`;
    case "flash.revert": return `revert: trial abandoned on flash (${d(e, "ms")} ms): ${d(e, "status")}`;
    case "flash.power-cut": return `POWER CUT during the ${d(e, "during")}`;
    case "unit.reset": return `reset (${d(e, "why")}: ${d(e, "note")})`;
    case "unit.power-off": return "power off";
    case "unit.power-on": return "power on";
    case "unit.boot-stage": return `boot stage: slot ${d(e, "slot")} (${d(e, "reason")}${d(e, "attempt") ? `, attempt ${d(e, "attempt")}` : ""}${d(e, "reverted") ? ", the trial reverted" : ""}): ${d(e, "version")}`;
    case "unit.boot-failed": return `boot FAILED: ${d(e, "reason")}`;
    case "unit.up": return `up, ${d(e, "version")} from slot ${d(e, "slot")} (boot ${d(e, "boot")})`;
    case "sync.start": return `bulk sync ${d(e, "active")} (${d(e, "from")}) → ${d(e, "standby")} (${d(e, "to")}), session ${d(e, "session")}`;
    case "sync.done": return `bulk sync to ${d(e, "standby")} done: ${String(d(e, "mode")).toUpperCase()}${d(e, "verified") ? ", verified" : ""}, ${d(e, "events")} policy event(s)`;
    case "sync.abandoned": return `bulk sync to ${d(e, "standby")} abandoned`;
    case "role.takeover": return `takes the VIPs (${d(e, "reason")}, epoch ${d(e, "epoch")})`;
    case "role.handover": return "hands the VIPs over";
    case "switchover.drain": return `drains: still forwards for ${d(e, "ms")} ms`;
    case "switchover.fenced": return "fenced: forwards nothing more";
    case "hosts.moved": return `every host maps every VIP to ${d(e, "unit")} (${d(e, "mac")})`;
    case "fault.inject": return `CRASH of its OS (${d(e, "what")})`;
    case "gasp.accepted": return `gasp from unit ${d(e, "from")} accepted (cause ${d(e, "cause")})`;
    default: return e.name;
  }
}

export function buildReport(r: UpgradeRun): UpgradeReport {
  const { controller: c, world: w, chassis: run, loaded } = r;
  const s = loaded.scenario;
  const t0 = c.startNs ?? 0;
  const ledger = w.ledger;
  const lostAll = ledger.lost().length;
  const endNs = c.doneNs ?? r.endNs;
  const seen = new Set<string>();
  const timeline: TimelineRow[] = [];
  for (const e of run.timeline) {
    if (!SHOWN.has(e.name) || (c.startNs !== null && e.tNs < t0)) continue;
    // The hosts move once per claim: show the first after each takeover only.
    if (e.name === "hosts.moved") {
      const key = `${e.detail?.unit}@${timeline.filter((x) => x.event === "role.takeover").length}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    timeline.push({ tMs: (e.tNs - t0) / 1e6, lost: ledger.lostBefore(e.tNs), source: e.source, event: e.name, text: text(e), detail: e.detail });
  }
  const phases: PhaseRow[] = c.phases.map((p) => ({ card: p.card, phase: p.name, startMs: (p.startNs - t0) / 1e6, ms: ((p.endNs < 0 ? endNs : p.endNs) - p.startNs) / 1e6, lost: ledger.lostBetween(p.startNs, p.endNs < 0 ? endNs : p.endNs) }));
  const units: UnitRow[] = [...w.nodes.values()].map((n) => {
    const st = r.finalFlash.get(n.board.id) ?? null;
    return {
      id: n.board.id,
      state: n.state,
      role: n.unit?.ha.currentRole ?? "—",
      version: n.image?.version ?? null,
      slot: n.bootReport?.chosen ?? null,
      confirmed: st?.state.confirmed ?? null,
      trial: st?.state.trial ?? null,
      securityCounter: st?.state.securityCounter ?? null,
      boots: n.boots,
      failedBoots: n.failedBoots,
      powerCuts: n.cuts,
    };
  });
  const f = figures(run);
  const ex = s.expect ?? {};
  const checks = failoverChecks(run, f, { activeAtEnd: ex.activeAtEnd });
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const inv = r.invariants;
  add("invariants", inv.violations.length === 0, inv.violations.length ? inv.violations.join("; ") : `never two actives, never both down, every image verified (${inv.checks} checks, ${inv.boots} boots)`);
  const pending = units.filter((u) => u.trial !== null);
  add("settled", pending.length === 0, pending.length ? `a trial still pending on ${pending.map((u) => u.id).join(", ")}` : "every card runs its confirmed image, no trial pending");
  if (ex.outcome !== undefined) add("outcome", c.outcome === ex.outcome, `expected ${ex.outcome}, the upgrade ${c.outcome}`);
  if (ex.versions) {
    const off = Object.entries(ex.versions).filter(([id, v]) => w.node(id).image?.version !== v);
    add("versions", off.length === 0, off.length ? off.map(([id, v]) => `${id} runs ${w.node(id).image?.version ?? "nothing"}, not ${v}`).join("; ") : Object.entries(ex.versions).map(([id, v]) => `${id} ${v}`).join(", "));
  }
  if (ex.maxLost !== undefined) add("max-lost", lostAll <= ex.maxLost, `${lostAll} packets lost (at most ${ex.maxLost} expected)`);
  const fromV = s.images.from.version;
  return {
    scenario: { file: s.file, name: s.name, kind: "upgrade", seed: run.seed, description: s.description },
    ok: c.outcome === "upgraded" && checks.every((x) => x.ok),
    outcome: c.outcome,
    failure: c.failure ? { kind: c.failure.kind, unit: c.failure.unit, reason: c.failure.message } : null,
    recoveryProblem: c.recoveryProblem,
    from: fromV,
    to: s.images.to.version,
    startMs: c.startNs === null ? null : c.startNs / 1e6,
    durationMs: c.startNs === null || c.doneNs === null ? null : (c.doneNs - c.startNs) / 1e6,
    offered: ledger.offeredCount,
    lost: lostAll,
    lostDuringUpgrade: c.startNs === null ? 0 : ledger.lostBetween(c.startNs, endNs),
    phases,
    timeline,
    units,
    health: c.health,
    lostCommands: c.lostCommands,
    syncs: w.sync.outcomes,
    invariants: { checks: inv.checks, boots: inv.boots, violations: inv.violations },
    checks,
    flashDir: r.flashDir,
  };
}

const fmtMs = (v: number) => `${v.toFixed(3)} ms`;

export function formatReport(r: UpgradeReport): string {
  const out: string[] = [];
  out.push(`scenario ${r.scenario.name} (${path.relative(process.cwd(), r.scenario.file) || r.scenario.file}), seed ${r.scenario.seed}`);
  if (r.scenario.description) out.push(r.scenario.description);
  out.push("");
  out.push(`timeline (t = 0 when the upgrade starts${r.startMs !== null ? `, ${r.startMs.toFixed(3)} ms into the run` : ""}; lost: packets lost so far)`);
  out.push(`  ${"t".padStart(13)} ${"lost".padStart(6)}  ${"who".padEnd(11)} step`);
  for (const e of r.timeline) out.push(`  ${fmtMs(e.tMs).padStart(13)} ${String(e.lost).padStart(6)}  ${e.source.padEnd(11)} ${e.text}`);
  out.push("");
  out.push("phases");
  out.push(`  ${"card".padEnd(11)} ${"phase".padEnd(11)} ${"start".padStart(13)} ${"duration".padStart(13)} ${"lost".padStart(6)}`);
  for (const p of r.phases) out.push(`  ${p.card.padEnd(11)} ${p.phase.padEnd(11)} ${fmtMs(p.startMs).padStart(13)} ${fmtMs(p.ms).padStart(13)} ${String(p.lost).padStart(6)}`);
  if (r.durationMs !== null) out.push(`  ${"all".padEnd(11)} ${"".padEnd(11)} ${"".padStart(13)} ${fmtMs(r.durationMs).padStart(13)} ${String(r.lostDuringUpgrade).padStart(6)}`);
  out.push("");
  out.push("units at the end");
  for (const u of r.units) {
    out.push(`  ${u.id.padEnd(11)} ${u.state === "up" ? u.role.padEnd(7) : u.state.padEnd(7)} ${String(u.version ?? "—").padEnd(8)} slot ${u.slot ?? "—"}; flash: confirmed ${u.confirmed ?? "none"}${u.trial ? `, trial ${u.trial} pending` : ""}, security counter ${u.securityCounter ?? "?"}; ${u.boots} boot${u.boots === 1 ? "" : "s"}${u.failedBoots ? `, ${u.failedBoots} failed` : ""}${u.powerCuts ? `, ${u.powerCuts} power cut${u.powerCuts > 1 ? "s" : ""}` : ""}`);
  }
  if (r.lostCommands.length) {
    out.push("");
    out.push("commands the configuration lost on the way (configLoss: accept)");
    for (const l of r.lostCommands) out.push(`  ${l}`);
  }
  out.push("");
  out.push(`service: ${r.offered} packets offered, ${r.lost} lost (${r.lostDuringUpgrade} while the upgrade ran)`);
  out.push("");
  const head = r.outcome === "upgraded" ? `UPGRADED: both cards on ${r.to}` : `${r.outcome.toUpperCase()}${r.failure ? ` after a ${r.failure.kind} failure on ${r.failure.unit}: ${r.failure.reason}` : ""}${r.recoveryProblem ? `; recovery: ${r.recoveryProblem}` : ""}`;
  out.push(`upgrade: ${head}`);
  out.push(`checks: ${r.checks.every((c) => c.ok) ? "all passed" : `${r.checks.filter((c) => !c.ok).length} FAILED`}`);
  for (const c of r.checks) out.push(`  ${c.ok ? "ok  " : "FAIL"}  ${c.name.padEnd(14)} ${c.detail}`);
  return out.join("\n");
}
