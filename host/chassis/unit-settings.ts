// What a failover scenario says about one unit, as the unit's settings (UnitSettings): key and
// chassis identity, role and priority, the gasp's copies and encapsulations, the heartbeat
// monitor, the announcer's knobs, the OS's timers, link monitoring and path failover. A
// scenario leaves most of it out; the defaults here are the shipped chassis's.

import type { Board } from "../board/board";
import type { AnnounceKnobs } from "../ha/announcer";
import { heartbeatPreset, HeartbeatOptions } from "../ha/heartbeat";
import { ms, us } from "../ha/timeline";
import { Rng } from "../util/rng";
import type { FailoverScenario, HeartbeatSpec } from "./scenario";
import type { UnitSettings } from "./unit";
import { DEMO_KEY_HEX, parseKeyHex } from "../gasp/key";

const DEFAULT_CHASSIS_ID = 0x4c470001;

/** A heartbeat spec as the monitor's options, for a unit of the given priority. */
export function heartbeatOptions(spec: HeartbeatSpec, priority: number, rng: Rng): Omit<HeartbeatOptions, "name" | "timeline"> {
  const base = spec.preset ? heartbeatPreset(spec.preset, priority) : { intervalNs: ms(spec.intervalMs!), multiplier: spec.multiplier!, skewNs: ms(spec.skewMs ?? 0), probe: "hello" as const };
  const jitter = spec.jitter ?? (spec.preset === "bfd" || spec.preset === "bfd-hw");
  return { ...base, jitter: jitter ? { rng, maxFraction: 0.25 } : undefined };
}

/** What a heartbeat spec is called in reports. */
export function heartbeatLabel(spec: HeartbeatSpec): string {
  if (spec.preset) return spec.preset;
  return `${spec.intervalMs} ms x ${spec.multiplier}${spec.skewMs ? ` + ${spec.skewMs} ms` : ""}`;
}

/** The settings of the unit on `board`; run: what the run overrides (sweeps, comparisons). */
export function unitSettings(s: FailoverScenario, board: Board, run: { gasp: boolean; heartbeat: HeartbeatSpec; seed: number }): UnitSettings {
  const t = s.timers ?? {};
  const prio = s.chassis.priorities?.[board.id] ?? 100;
  const an = t.announce ?? {};
  const announce: Partial<AnnounceKnobs> = {};
  if (an.count !== undefined) announce.count = an.count;
  if (an.spacingUs !== undefined) announce.spacingNs = us(an.spacingUs);
  if (an.secondBurstDelayMs !== undefined) announce.secondBurstDelayNs = ms(an.secondBurstDelayMs);
  if (an.secondBurstCount !== undefined) announce.secondBurstCount = an.secondBurstCount;
  if (an.refreshMs !== undefined) announce.refreshNs = ms(an.refreshMs);
  if (an.refreshCount !== undefined) announce.refreshCount = an.refreshCount;
  if (an.arpVariants) announce.arpVariants = [...an.arpVariants];
  return {
    chassisId: s.chassis.chassisId ?? DEFAULT_CHASSIS_ID,
    key: parseKeyHex(s.chassis.key ?? DEMO_KEY_HEX),
    keyId: s.chassis.keyId ?? 1,
    priority: prio,
    startActive: s.chassis.active === board.id,
    boot: 1,
    gasp: run.gasp,
    copies: s.detection?.copies ?? 3,
    linkFirst: s.detection?.linkFirst ?? true,
    encaps: { backplane: s.detection?.encaps?.backplane ?? ["raw"], front: s.detection?.encaps?.front ?? ["raw", "udp"] },
    heartbeat: heartbeatOptions(run.heartbeat, prio, new Rng(run.seed * 31 + board.unit)),
    announce,
    watchdogNs: ms(t.watchdogMs ?? 100),
    osTickNs: us(t.osTickUs ?? 1000),
    irqLatencyNs: t.irqLatencyNs ?? 2000,
    link: { pollNs: ms(t.link?.pollMs ?? 100), upDelayNs: ms(t.link?.upDelayMs ?? 0), downDelayNs: ms(t.link?.downDelayMs ?? 0) },
    pathFailover: { standby: t.pathFailover?.standby ?? "cold", delayNs: ms(t.pathFailover?.delayMs ?? 50) },
    linkWaitPolls: Math.ceil((board.sim.linkWaitUs ?? 20_000) / 1000),
  };
}
