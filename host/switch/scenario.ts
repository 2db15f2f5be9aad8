// The `loadbalance` scenario (scenarios/loadbalance.json, schema scenarios/loadbalance.schema.json;
// docs/switching-path.md "The loadbalance scenario"), run by `lastgasp demo --scenario FILE`:
//
//   router + clients ── lb-a.clients ══ line card (switching path, packet engine, CP) ══
//        lb-a.servers ── bridge ── web1, web2, ... (TCP/UDP servers with load agents)
//
// Everything runs on the board's SimClock with seeded randomness: the same file replays to the
// same report and the same captures. This file runs it: the world is built (lbsim/world.ts),
// new flows are booked to phases as they open (lbsim/phases.ts), the file's events happen at
// their times, and the report judges the outcome (lbsim/report.ts). The file and its
// validation: lbsim/spec.ts.

import * as fs from "fs";
import { NS_PER_MS } from "../ha/timeline";
import { validate, LoadbalanceScenario, LoadbalanceSpec } from "./lbsim/spec";
import { buildWorld, LbWorld } from "./lbsim/world";
import { PhaseBook } from "./lbsim/phases";
import { buildReport, format, LoadbalanceReport } from "./lbsim/report";

export { ScenarioError } from "../chassis/scenario";
export { SCENARIO_SCHEMA, validate } from "./lbsim/spec";
export type { LoadbalanceSpec, LoadbalanceScenario } from "./lbsim/spec";
export type { PhaseReport } from "./lbsim/phases";
export type { Check, LoadbalanceReport } from "./lbsim/report";
export { format } from "./lbsim/report";

export interface RunOptions {
  /** Write each link's capture here (created if missing). */
  pcapDir?: string;
  /** Accepted for the scenario-runner interface; the runner prints nothing (format() or JSON is the caller's). */
  json?: boolean;
}

export function run(sc: LoadbalanceScenario, opts: RunOptions = {}): LoadbalanceReport {
  const s = sc.spec;
  const w = buildWorld(sc);
  const events = [...(s.events ?? [])].sort((a, b) => a.atMs - b.atMs);
  const book = new PhaseBook(s, events, w.backends, w.cp, s.tolerance ?? 0.03);
  w.router.onOpen = (flow, _proto, tNs) => book.opened(flow, tNs);
  const failed = drive(s, w, events);
  const pcaps: string[] = [];
  if (opts.pcapDir) {
    fs.mkdirSync(opts.pcapDir, { recursive: true });
    pcaps.push(...w.wire.savePcaps(opts.pcapDir));
  }
  return buildReport(sc, w, book, failed, pcaps);
}

/**
 * The time line: the line card polls, servers and clients start, the CP recomputes (least-load)
 * and sweeps the connection table, the file's events happen; then the clock runs until every
 * flow had time to finish. Returns the back ends the file failed.
 */
function drive(s: LoadbalanceSpec, w: LbWorld, events: NonNullable<LoadbalanceSpec["events"]>): Set<string> {
  const { app, clock, cp, router, servers, clients: c } = w;
  const MS = NS_PER_MS;
  const drainMs = c.requests * (c.requestIntervalMs + 10) + c.timeoutMs + 50;
  const endNs = (s.durationMs + drainMs) * MS;
  app.startPolling((s.pollIntervalUs ?? 50) * 1000, endNs);
  for (const srv of servers) srv.start(endNs);
  router.start(10 * MS, s.durationMs * MS);
  const every = (ms: number, fn: () => void) => {
    const tick = () => {
      fn();
      if (clock.now() + ms * MS <= endNs) clock.after(ms * MS, tick);
    };
    clock.after(ms * MS, tick);
  };
  if (s.distribution.strategy === "least-load") every(s.distribution.recomputeMs ?? 200, () => cp.recompute(app.nowMs()));
  every(100, () => app.sw.sweep(app.nowMs(), 512));
  const failed = new Set<string>();
  for (const e of events) {
    clock.at(e.atMs * MS, () => {
      if (e.action === "weight") cp.setWeight(e.backend, e.weight!, app.nowMs());
      else if (e.action === "remove") cp.remove(e.backend, app.nowMs());
      else {
        failed.add(e.backend);
        servers.find((x) => x.name === e.backend)!.up = false;
        clock.after((e.detectMs ?? 0) * MS, () => cp.fail(e.backend, app.nowMs()));
      }
    });
  }
  clock.runUntil(endNs);
  return failed;
}

/** The scenario kind `lastgasp demo --scenario` dispatches on. */
export const loadbalanceScenario = {
  kind: "loadbalance" as const,
  validate,
  run,
  format,
};
