// The sync campaign: random config-sync streams over every version pair. A stream starts
// with a bulk sync (of an example config or a random one), then enters random commands on
// the active, synced line by line through the real units and their reliable channel — in
// memory (lossless) for most streams, over UDP frames the core builds on a lossy, reordering
// link for one in ten. For every command: synced (unchanged or transformed), skipped on the
// DCL, or reported by the policy handler — none lost silently; the standby applied exactly
// the commands sent, once each; and its config equals the expected one (the active's final
// config converted along the pair's path) unless the policy reset the standby, and said so.

import { SimulatedPair } from "../sync/sim";
import { convert } from "../sync/engine";
import { checkPair } from "../sync/diff";
import { outcomeOf } from "../sync/active";
import { PRC_OK, PRC_REFUSED } from "../sync/prc";
import { Rng } from "../util/rng";
import { allPairs, exampleConfig } from "./sync-images";
import { randomCommand, randomConfig } from "./sync-gen";
import type { CampaignKind, Trial } from "./campaign";

export const COMMANDS_PER_STREAM = 12;

export interface StreamResult {
  /** Counted outcomes: each command's fate, and the stream's end (`stream:sso`, ...). */
  outcomes: string[];
  problems: string[];
}

/** One stream of pair `pairIndex` (of allPairs()). */
export function syncStream(rng: Rng, pairIndex: number, lossy: boolean, streamSeed: number): StreamResult {
  const p = allPairs()[pairIndex];
  const pair = p.registry.pair(p.active, p.standby);
  const compatible = checkPair(pair).compatible;
  const problems: string[] = [];
  const outcomes: string[] = [];
  const initial = rng.bool() ? exampleConfig(p.active) : randomConfig(rng, pair.active.grammar, 5 + rng.int(20)).text();
  const sim = new SimulatedPair({
    registry: p.registry, active: p.active, standby: p.standby, config: initial, seed: streamSeed,
    carrier: lossy ? "udp" : "direct", link: lossy ? { loss: 0.2, duplicate: 0.02, jitterNs: 300_000 } : undefined,
  });
  sim.bulkSync();
  const bulkState = sim.active.state;
  for (let k = 0; k < COMMANDS_PER_STREAM; k++) sim.configure(randomCommand(rng, pair.active.grammar, sim.active.running));
  sim.verify();
  const a = sim.active;
  const s = sim.standby;

  const sent = a.commands.filter((r) => r.sent.length > 0);
  for (const r of a.commands) {
    const kind = outcomeOf(r, a.pair);
    outcomes.push(kind === "policy" && r.fate.kind === "policy" ? `command: policy ${r.fate.action}` : `command: ${kind}`);
    if (kind === "not-synced" && a.state !== "cold" && a.state !== "standby-reset") problems.push(`"${r.text}" not synced while ${a.state}`);
    if (r.fate.kind === "policy" && !a.handler.events.some((e) => e.where === `command ${r.id}`)) problems.push(`policy fate of "${r.text}" not reported`);
    if (r.ack?.prc === PRC_REFUSED && !a.handler.events.some((e) => e.where === `command ${r.id}` && e.by === "standby")) problems.push(`refusal of "${r.text}" not reported`);
  }
  if (a.state !== "standby-reset") {
    for (const r of sent) {
      if (!r.ack) problems.push(`"${r.text}" sent but never acknowledged`);
      else if (r.ack.prc !== PRC_OK && r.ack.prc !== PRC_REFUSED) problems.push(`"${r.text}" PRC ${r.ack.prc} ${r.ack.detail}`);
    }
    const applied = s.appliedIds.join(","), want = sent.map((r) => r.id).join(",");
    if (applied !== want) problems.push(`standby applied [${applied}], the active sent [${want}]`);
  }
  if (s.duplicateCommands !== 0) problems.push(`${s.duplicateCommands} commands applied twice`);

  let end: string;
  if (!compatible) {
    end = "stream: incompatible (rpr)";
    if (bulkState !== "cold") problems.push(`incompatible pair, bulk sync left the active ${bulkState}`);
    if (s.running.size !== 0) problems.push("incompatible pair, the standby has a config");
    if (a.mode !== "rpr") problems.push(`incompatible pair in mode ${a.mode}`);
  } else if (a.state === "standby-reset") {
    end = "stream: standby reset by the policy";
    if (s.state !== "reset") problems.push(`standby ${s.state} after a reset`);
    if (s.running.size !== 0) problems.push("the reset standby kept a config");
    if (a.mode !== "none") problems.push(`mode ${a.mode} after a reset`);
    if (!a.handler.events.some((e) => e.action === "reset-standby")) problems.push("reset without a reset-standby event");
  } else {
    end = `stream: ${a.mode}`;
    const expected = convert(pair.table, pair.path, a.running).config;
    if (s.running.lines().join("\n") !== expected.lines().join("\n")) problems.push("the standby's config differs from the expected one");
    if (!a.verifications.at(-1)?.ok) problems.push(`verification failed: ${a.verifications.at(-1)?.reasons}`);
  }
  if (a.mode === "sso" && !a.handler.events.every((e) => e.action === "warn")) problems.push(`SSO with policy actions ${a.handler.events.map((e) => e.action).join(", ")}`);
  outcomes.push(end, lossy ? "carrier: udp, lossy link" : "carrier: in memory");
  return { outcomes, problems: problems.map((m) => `${p.label}${lossy ? " (lossy link)" : ""}: ${m}`) };
}

export const SYNC: CampaignKind = {
  name: "sync",
  unit: "config-sync streams",
  blockSize: 1,
  open: (_seed, _block, rng) => ({
    trial(): Trial {
      const pairIndex = rng.int(allPairs().length);
      const lossy = rng.int(10) === 0;
      const r = syncStream(rng, pairIndex, lossy, rng.u32());
      return r.problems.length ? { outcome: r.outcomes, failure: r.problems.join("; ") } : { outcome: r.outcomes };
    },
    close: () => [],
  }),
};
