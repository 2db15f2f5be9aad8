// The upgrade's property campaign (docs/upgrade.md "Property campaign"): many runs of an
// upgrade scenario, each with a failure (the kinds in turn, their parameters at random) — none, a release that does not boot,
// one that crashes a random time after it takes over, one that fails its health check, a
// configuration the new release cannot take, a power cut at a random erase or program of a
// random flash operation (the write, the trial boot's attempt, the confirmation) on a random
// card, torn at a random granularity — sometimes with a second cut during the recovery's
// revert; and a random seed for the wire, the hosts and BFD's jitter. After every event that
// can change who is up or active, and at every boot, the invariants hold (invariants.ts):
// never two actives at once, never both units down, never a unit running an unverified
// image. And every run ends with the pair serving: one active, its peer up as the standby,
// no card left on a trial, the controller done.
//
// To keep a run cheap the campaign shortens what the properties do not depend on (stated in
// CAMPAIGN_TIMING): hosts send every 5 ms, the OS boots in 60 ms, the health window is 100 ms.
// The flash is the same model, in memory.

import * as fs from "fs";
import * as path from "path";
import { Rng } from "../util/rng";
import { CONFIGS_DIR } from "../paths";
import type { Tear } from "../flash/model";
import { runUpgrade } from "./run";
import type { FailureSpec, LoadedUpgrade, UpgradeScenario } from "./scenario";

/** How the campaign shortens a scenario (what the invariants do not depend on). */
export const CAMPAIGN_TIMING = { trafficIntervalUs: 5000, osMs: 60, powerRestoreMs: 100, healthWindowMs: 100, drainMs: 20, startMs: 200 };

/** Erases and programs each flash operation does at most, per flash type: the cut's operation index is drawn below it (plus two that never come). */
const MAX_OPS: Record<string, Record<string, number>> = {
  nor: { write: 48, boot: 2, confirm: 2, revert: 2 },
  nand: { write: 4, boot: 2, confirm: 2, revert: 2 },
};

/** A configuration the new release cannot take (2.0 wants 256-bit gasp keys). */
const BAD_CONFIG = path.join(CONFIGS_DIR, "lb-1.1-short-key.conf");

export interface CampaignRun {
  index: number;
  seed: number;
  failure: string;
  outcome: string;
  lost: number;
  problems: string[];
}

export interface CampaignResult {
  runs: number;
  seed: number;
  byFailure: Record<string, number>;
  byOutcome: Record<string, number>;
  /** Packets lost, summed per failure kind (runs of that kind). */
  lostByFailure: Record<string, number>;
  /** Runs whose invariants or end state failed (reproduce: --seed S with the run's index). */
  failed: CampaignRun[];
  invariantChecks: number;
  boots: number;
  wallMs: number;
  simMs: number;
}

/** The scenario made cheap (CAMPAIGN_TIMING), as a fresh copy. */
function cheap(base: LoadedUpgrade): LoadedUpgrade {
  const s = JSON.parse(JSON.stringify(base.scenario)) as UpgradeScenario;
  const t = CAMPAIGN_TIMING;
  s.traffic = { ...(s.traffic ?? {}), intervalUs: t.trafficIntervalUs };
  s.boot = { osMs: t.osMs, powerRestoreMs: t.powerRestoreMs };
  s.policy = { ...(s.policy ?? {}), startMs: t.startMs, drainMs: t.drainMs, health: { ...(s.policy?.health ?? {}), windowMs: t.healthWindowMs, minPackets: 1 } };
  return { ...base, scenario: s };
}

/** The failures a campaign cycles through (run i draws kind i mod 9), their parameters at random. */
const KINDS = ["none", "boot", "crash", "health", "config", "write", "write", "boot-cut", "confirm"] as const;

/** The failure of a run (and a second cut during the revert, sometimes). */
export function drawFailure(index: number, rng: Rng, boards: { id: string; type: string }[]): { failure: FailureSpec | null; cuts: Extract<FailureSpec, { kind: "power-cut" }>[]; config: boolean; label: string } {
  const tears: Tear[] = ["byte", "word", "page"];
  const cutOf = (during: "write" | "boot" | "confirm" | "revert"): Extract<FailureSpec, { kind: "power-cut" }> => {
    const b = boards[rng.int(boards.length)];
    return { kind: "power-cut", unit: b.id, during, op: rng.int(MAX_OPS[b.type][during] + 2), tear: tears[rng.int(3)] };
  };
  const kind = KINDS[index % KINDS.length];
  let failure: FailureSpec | null = null;
  let label: string = kind;
  if (kind === "boot") failure = { kind: "boot" };
  else if (kind === "crash") failure = { kind: "crash", afterMs: rng.int(150) };
  else if (kind === "health") failure = { kind: "health" };
  else if (kind === "write" || kind === "boot-cut" || kind === "confirm") {
    const during = kind === "boot-cut" ? "boot" : kind;
    failure = cutOf(during);
    label = `power-cut:${during}`;
  }
  const cuts = failure?.kind !== "power-cut" && kind !== "none" && rng.bool(0.3) ? [cutOf("revert")] : [];
  if (cuts.length) label += "+cut:revert";
  return { failure, cuts, config: kind === "config", label };
}

export function runCampaign(base: LoadedUpgrade, runs: number, seed = 1, progress?: (done: number) => void): CampaignResult {
  const t0 = Date.now();
  const res: CampaignResult = { runs: 0, seed, byFailure: {}, byOutcome: {}, lostByFailure: {}, failed: [], invariantChecks: 0, boots: 0, wallMs: 0, simMs: 0 };
  const badConfig = fs.readFileSync(BAD_CONFIG, "utf8");
  const boards = base.boards.map((b) => ({ id: b.id, type: b.flash!.type }));
  for (let i = 0; i < runs; i++) {
    const rng = new Rng((seed * 1_000_003 + i * 7919) >>> 0);
    const runSeed = 1 + rng.int(1_000_000);
    const f = drawFailure(i, rng, boards);
    const r = runUpgrade(cheap(base), { seed: runSeed, flashDir: null, failure: f.failure, cuts: f.cuts, configText: f.config ? badConfig : undefined });
    const problems = [...r.invariants.violations];
    const c = r.controller;
    if (c.outcome === "running" || c.outcome === "failed") problems.push(`the upgrade ${c.outcome}${c.recoveryProblem ? `: ${c.recoveryProblem}` : ""}`);
    const up = r.chassis.units.filter((u) => u.state === "up");
    const active = up.filter((u) => u.role === "active");
    if (active.length !== 1) problems.push(`${active.length} units active at the end`);
    if (up.length !== 2 || up.some((u) => u.role !== "active" && u.role !== "backup")) problems.push(`not both up with roles at the end: ${r.chassis.units.map((u) => `${u.id} ${u.state}/${u.role}`).join(", ")}`);
    for (const [id, st] of r.finalFlash) if (st?.state.trial) problems.push(`${id} left with a trial pending`);
    if (f.label === "none" && c.outcome !== "upgraded") problems.push(`no failure, yet the upgrade ${c.outcome}`);
    const lost = r.world.ledger.lost().length;
    res.runs++;
    res.byFailure[f.label] = (res.byFailure[f.label] ?? 0) + 1;
    res.byOutcome[c.outcome] = (res.byOutcome[c.outcome] ?? 0) + 1;
    res.lostByFailure[f.label] = (res.lostByFailure[f.label] ?? 0) + lost;
    res.invariantChecks += r.invariants.checks;
    res.boots += r.invariants.boots;
    res.simMs += r.endNs / 1e6;
    if (problems.length) res.failed.push({ index: i, seed: runSeed, failure: f.label, outcome: c.outcome, lost, problems });
    progress?.(i + 1);
  }
  res.wallMs = Date.now() - t0;
  return res;
}
