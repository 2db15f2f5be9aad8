// Shared set-up for the chassis tests: the shipped scenarios, loaded and adjusted (shorter
// runs, other faults), and queries over a run's timeline.

import * as path from "path";
import { loadScenario, LoadedScenario, FailoverScenario, SCENARIOS_DIR } from "../chassis/scenario";
import type { ChassisRun } from "../chassis/chassis";
import type { TimelineEvent } from "../ha/timeline";

/** A shipped scenario (scenarios/NAME.json), with changes applied to a copy. */
export function scenario(name: string, change: (s: FailoverScenario) => void = () => {}): LoadedScenario {
  const loaded = loadScenario(path.join(SCENARIOS_DIR, `${name}.json`));
  const s = JSON.parse(JSON.stringify(loaded.scenario)) as FailoverScenario;
  change(s);
  return { scenario: s, boards: loaded.boards };
}

/** Events of a run at or after t, optionally from one source. */
export function events(run: ChassisRun, name: string, source?: string, t = 0): TimelineEvent[] {
  return run.timeline.filter((e) => e.name === name && e.tNs >= t && (source === undefined || e.source === source));
}

export function first(run: ChassisRun, name: string, source?: string, t = 0): TimelineEvent | undefined {
  return events(run, name, source, t)[0];
}

export function unit(run: ChassisRun, id: string) {
  const u = run.units.find((x) => x.id === id);
  if (!u) throw new Error(`no unit ${id}`);
  return u;
}

/** Where each host maps each VIP at the end. */
export function mappings(run: ChassisRun): (string | null)[] {
  return run.hosts.flatMap((h) => Object.values(h.vips).map((v) => v.mapping));
}
