// The failover campaign: the default crash of the active line card on a chassis whose every
// link loses a random share (0..50 %) of its frames — heartbeats, gasps, GARPs, the hosts'
// own ARP — each scenario with its own seed. Whatever was lost (the gasp, a burst of
// heartbeats and the spurious takeover and split brain that follow, announcements), each run
// must end with the crashed unit dead, exactly one active unit (the standby), and no host
// mapping a VIP to the dead unit's MAC. Outcomes: how the standby came to take over.

import { runChassis, ChassisRun } from "../chassis/chassis";
import { figures } from "../chassis/report";
import type { LoadedScenario } from "../chassis/scenario";
import { scenario, unit, mappings } from "./chassis-fixture";
import type { CampaignKind, Trial } from "./campaign";

const DEAD = "linecard-a";
const STANDBY = "linecard-b";
const DEAD_MAC = "02:00:00:0a:00:02";

let sweep: LoadedScenario | undefined;
/** The default crash, short, BFD heartbeats, every host sending so that the caches are tested. */
export function lossyScenario(): LoadedScenario {
  sweep ??= scenario("default", (s) => {
    s.durationMs = 2500;
    s.traffic = { intervalUs: 5000, startMs: 100 };
    s.timers = { ...s.timers, heartbeat: { preset: "bfd" }, announce: { count: 10, secondBurstDelayMs: 300, secondBurstCount: 10 } };
  });
  return sweep;
}

/** What the standby's first takeover gave as its reason (none: it never took over). */
export function takeoverReason(run: ChassisRun): string {
  const e = run.timeline.find((x) => x.name === "role.takeover" && x.source === STANDBY);
  return e ? String(e.detail!.reason) : "none";
}

/** The run's failures against the properties above (empty: it held). */
export function failoverProblems(run: ChassisRun): string[] {
  const f = figures(run);
  const out: string[] = [];
  if (unit(run, DEAD).state !== "dead") out.push(`${DEAD} is ${unit(run, DEAD).state}, not dead`);
  if (f.activeAtEnd.join() !== STANDBY) out.push(`active at the end: [${f.activeAtEnd.join(", ")}], not [${STANDBY}]`);
  if (mappings(run).includes(DEAD_MAC)) out.push(`a host still maps a VIP to the dead unit's MAC ${DEAD_MAC}`);
  if (f.hostsOnDeadMac.length) out.push(`hosts on the dead unit's MAC: ${f.hostsOnDeadMac.join(", ")}`);
  return out;
}

export const FAILOVER: CampaignKind = {
  name: "failover",
  unit: "lossy-link failover scenarios",
  blockSize: 1,
  open: (_seed, _block, rng) => ({
    trial(): Trial {
      const loss = rng.int(51) / 100; // 0 .. 0.50 in steps of a point
      const seed = rng.u32();
      const run = runChassis(lossyScenario(), { loss, seed });
      const problems = failoverProblems(run);
      const outcome = `takeover: ${takeoverReason(run)}`;
      return problems.length ? { outcome, failure: `loss ${loss}, chassis seed ${seed}: ${problems.join("; ")}` } : { outcome };
    },
    close: () => [],
  }),
};
