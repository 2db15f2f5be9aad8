// What a chassis run means: the figures (times relative to the first fault), the key events
// of its timeline, packets lost and misdelivered per host, and the comparison of the gasp run
// with heartbeat-only runs of the same scenario. docs/chassis.md "The demo's output".

import * as path from "path";
import type { ChassisRun } from "./chassis";
import { runChassis } from "./chassis";
import { heartbeatLabel } from "./unit-settings";
import type { FailoverExpectations, HeartbeatPresetName, LoadedScenario } from "./scenario";
import type { TimelineEvent } from "../ha/timeline";

export interface Figures {
  /** The first fault's time, ns of simulated time. */
  faultNs: number | null;
  faultKind: string | null;
  faultUnit: string | null;
  /** The unit that took over after the fault (null: none did). */
  takeoverUnit: string | null;
  takeoverReason: string | null;
  /** The unit serving the VIPs after the fault: the one that took over, or moved its path. */
  servingUnit: string | null;
  /** Times after the fault, ns; null when it did not happen. */
  gaspOnWireNs: number | null;
  gaspAcceptedNs: number | null;
  takeoverNs: number | null;
  /** The alternate-path failover finished (docs/failover.md), when one ran. */
  pathFailoverNs: number | null;
  firstGarpNs: number | null;
  hostsMovedNs: number | null;
  firstHostPacketNs: number | null;
  /** Units active at the end, and whether any host still maps a VIP to a unit that is gone. */
  activeAtEnd: string[];
  hostsOnDeadMac: string[];
  hosts: { name: string; offered: number; delivered: number; lost: number; misdelivered: number; dropped: number }[];
}

const after = (run: ChassisRun, t0: number, name: string, pred: (e: TimelineEvent) => boolean = () => true) =>
  run.timeline.find((e) => e.tNs >= t0 && e.name === name && pred(e));

export function figures(run: ChassisRun): Figures {
  const t0 = run.faultNs;
  const rel = (e: TimelineEvent | undefined) => (e && t0 !== null ? e.tNs - t0 : null);
  const inject = t0 === null ? undefined : run.timeline.find((e) => e.tNs >= t0 && /^fault\./.test(e.name) && e.name !== "fault.doorbell");
  const faultUnit = inject ? ((inject.detail?.unit as string | undefined) ?? (inject.source === "chassis" ? null : inject.source)) : null;
  const takeover = t0 === null ? undefined : after(run, t0, "role.takeover");
  const pathDone = t0 === null ? undefined : after(run, t0, "failover.done");
  // Who serves the VIPs after the fault: the unit that took over, or the one that moved its
  // front path (the alternate-path failover) and kept them.
  const recovery = takeover ?? (pathDone ? after(run, t0!, "failover.iface-up", (e) => e.source === pathDone.source) : undefined);
  const who = takeover?.source ?? (pathDone ? pathDone.source.replace(/\.net$/, "") : null);
  const gaspWire = t0 === null ? undefined : after(run, t0, "gasp.wire");
  const accepted = t0 === null ? undefined : after(run, t0, "gasp.accepted");
  const garp = recovery && who ? after(run, recovery.tNs, "announce.wire", (e) => e.source === who) : undefined;
  const moved = t0 === null || !who ? undefined : after(run, t0, "hosts.moved", (e) => e.detail?.unit === who);
  const firstRx = who && recovery ? run.serviceRx[who].find((t) => t >= recovery.tNs) : undefined;
  const dead = new Set(run.units.filter((u) => u.state !== "up").map((u) => u.mac));
  const hostsOnDeadMac = run.hosts.filter((h) => Object.values(h.vips).some((v) => v.mapping !== null && dead.has(v.mapping))).map((h) => h.name);
  return {
    faultNs: t0,
    faultKind: inject ? ((inject.detail?.kind as string | undefined) ?? inject.name.replace(/^fault\./, "")) : null,
    faultUnit,
    takeoverUnit: takeover?.source ?? null,
    takeoverReason: (takeover?.detail?.reason as string | undefined) ?? null,
    servingUnit: who,
    gaspOnWireNs: rel(gaspWire),
    gaspAcceptedNs: rel(accepted),
    takeoverNs: rel(takeover),
    pathFailoverNs: rel(pathDone),
    firstGarpNs: rel(garp),
    hostsMovedNs: rel(moved),
    firstHostPacketNs: firstRx !== undefined && t0 !== null ? firstRx - t0 : null,
    activeAtEnd: run.units.filter((u) => u.state === "up" && u.role === "active").map((u) => u.id),
    hostsOnDeadMac,
    hosts: run.hosts.map((h) => {
      const vs = Object.values(h.vips);
      const sum = (k: "offered" | "delivered" | "misdelivered" | "dropped") => vs.reduce((a, v) => a + v[k], 0);
      return { name: h.name, offered: sum("offered"), delivered: sum("delivered"), lost: sum("offered") - sum("delivered"), misdelivered: sum("misdelivered"), dropped: sum("dropped") };
    }),
  };
}

/** The events worth reading, in order: firsts only where a burst repeats itself. */
export function keyEvents(run: ChassisRun): TimelineEvent[] {
  const t0 = run.faultNs ?? 0;
  const seen = new Set<string>();
  const out: TimelineEvent[] = [];
  const firstOnly = new Set(["gasp.wire", "dialect.wire", "announce.wire", "fault.doorbell", "host.neigh-update", "heartbeat.lost", "link.fail", "link.down"]);
  const skip = /^(announce\.sent|host\.misdelivered|monitor\.\w+|role\.ignored|unit\.boot|role\.start|heartbeat\.(up|back|cancel))$/;
  const firstFault = run.timeline.find((e) => /^fault\./.test(e.name))?.tNs ?? t0;
  for (const e of run.timeline) {
    // Faults that prepared the ground (a NIC hang, a loss burst) show before t = 0.
    const early = e.tNs >= firstFault && e.tNs < t0 && /^fault\./.test(e.name);
    if ((e.tNs < t0 && !early) || skip.test(e.name)) continue;
    if (e.name === "hosts.moved" && e.tNs < t0) continue;
    if (firstOnly.has(e.name)) {
      const key = `${e.source}|${e.name}|${e.detail?.port ?? e.detail?.kind ?? ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(e);
  }
  // The first service packet each unit received after the fault.
  for (const [unit, ts] of Object.entries(run.serviceRx)) {
    const t = ts.find((x) => x >= t0);
    if (t !== undefined && run.faultNs !== null) out.push({ tNs: t, source: unit, name: "service.first-rx", detail: { note: "first host packet received after the fault" } });
  }
  return out.sort((a, b) => a.tNs - b.tNs);
}

export interface ComparisonRow {
  mode: string;
  gasp: boolean;
  heartbeat: string;
  takeoverReason: string | null;
  firstGarpNs: number | null;
  firstHostPacketNs: number | null;
  lost: number;
  misdelivered: number;
  /** This row's figure divided by the gasp run's (how many times slower). */
  ratioFirstGarp: number | null;
  ratioFirstHostPacket: number | null;
}

/** One thing the run had to show (scenario `expect`, and what every failover must show). */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DemoResult {
  scenario: { file: string; name: string; kind: string; seed: number; description?: string };
  /** Every check passed: `lastgasp demo` exits 0, else 1. */
  ok: boolean;
  checks: Check[];
  run: { gasp: boolean; heartbeat: string; figures: Figures; timeline: TimelineEvent[]; units: ChassisRun["units"]; links: ChassisRun["links"] };
  comparison: ComparisonRow[];
}

/**
 * The checks of a failover run: always, exactly one unit active at the end and no host left
 * on a dead unit's MAC; every host mapping every VIP to the serving unit (unless the
 * scenario says vipsMoved: false); and what the scenario's `expect` asks.
 */
export function failoverChecks(run: ChassisRun, f: Figures, expect: FailoverExpectations = {}): Check[] {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const active = run.units.filter((u) => u.state === "up" && u.role === "active");
  check("one-active", active.length === 1, `${active.length} unit${active.length === 1 ? "" : "s"} active at the end${active.length ? ` (${active.map((u) => u.id).join(", ")})` : ""}`);
  check("no-dead-mac", f.hostsOnDeadMac.length === 0, f.hostsOnDeadMac.length ? `hosts still sending to a dead unit's MAC: ${f.hostsOnDeadMac.join(", ")}` : "no host maps a VIP to a dead unit's MAC");
  if (expect.vipsMoved ?? true) {
    const mac = active.length === 1 ? active[0].mac : null;
    const off = run.hosts.flatMap((h) => Object.entries(h.vips).filter(([, v]) => v.mapping !== mac).map(([vip, v]) => `${h.name}: ${vip} -> ${v.mapping ?? "unresolved"}`));
    check("vips-moved", mac !== null && off.length === 0, mac === null ? "no single active unit to move to" : off.length ? `not on ${mac}: ${off.join("; ")}` : `every host maps every VIP to ${mac} (${active[0].id})`);
  }
  if (expect.activeAtEnd !== undefined) {
    check("active-at-end", active.length === 1 && active[0].id === expect.activeAtEnd, `expected ${expect.activeAtEnd} active at the end, ${active.map((u) => u.id).join(", ") || "none"} is`);
  }
  if (expect.maxLost !== undefined) {
    const lost = f.hosts.reduce((a, h) => a + h.lost, 0);
    check("max-lost", lost <= expect.maxLost, `${lost} packets lost (at most ${expect.maxLost} expected)`);
  }
  if (expect.proxy) {
    // The new proxy announced after the fault and holds the VIPs; from that announcement on
    // the old one answered no request and holds nothing (no request answered by both).
    const px = run.proxies ?? [];
    const [to, from] = [px.find((p) => p.name === expect.proxy!.announces), px.find((p) => p.name === expect.proxy!.silent)];
    const first = to?.announced.find((t) => t >= (run.faultNs ?? 0));
    check("proxy-announces", !!to && first !== undefined && to.holds.length > 0, !to ? `no proxy ${expect.proxy.announces}` : first === undefined ? `${to.name} announced nothing after the fault` : `${to.name} announced at ${((first - (run.faultNs ?? 0)) / 1e6).toFixed(3)} ms after the fault, answers for ${to.holds.join(", ") || "nothing"}`);
    const late = from && first !== undefined ? from.answered.filter((a) => a.tNs >= first) : [];
    check("proxy-silent", !!from && first !== undefined && from.holds.length === 0 && late.length === 0, !from ? `no proxy ${expect.proxy.silent}` : `${from.name} answered ${late.length} request(s) after ${expect.proxy.announces}'s announcement, holds ${from.holds.join(", ") || "nothing"} at the end`);
  }
  return checks;
}

function row(run: ChassisRun, base: Figures | null): ComparisonRow {
  const f = figures(run);
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  return {
    mode: run.gasp ? `gasp (+ ${run.heartbeat} heartbeats)` : `heartbeat only: ${run.heartbeat}`,
    gasp: run.gasp,
    heartbeat: run.heartbeat,
    takeoverReason: f.takeoverReason,
    firstGarpNs: f.firstGarpNs,
    firstHostPacketNs: f.firstHostPacketNs,
    lost: f.hosts.reduce((a, h) => a + h.lost, 0),
    misdelivered: f.hosts.reduce((a, h) => a + h.misdelivered, 0),
    ratioFirstGarp: base ? ratio(f.firstGarpNs, base.firstGarpNs) : 1,
    ratioFirstHostPacket: base ? ratio(f.firstHostPacketNs, base.firstHostPacketNs) : 1,
  };
}

/**
 * The failover demo: the scenario as written, then the same scenario with the gasp disabled
 * and each heartbeat preset of its `compare` list, measured the same way.
 */
export function runFailoverDemo(loaded: LoadedScenario, opts: { pcapDir?: string; seed?: number } = {}): { result: DemoResult; runs: ChassisRun[] } {
  const s = loaded.scenario;
  const main = runChassis(loaded, { seed: opts.seed });
  const base = figures(main);
  const runs = [main];
  const comparison = [row(main, null)];
  for (const preset of (s.compare ?? []) as HeartbeatPresetName[]) {
    const r = runChassis(loaded, { seed: opts.seed, gasp: false, heartbeat: { preset } });
    runs.push(r);
    comparison.push(row(r, base));
  }
  const checks = failoverChecks(main, base, s.expect);
  return {
    runs,
    result: {
      scenario: { file: s.file, name: s.name, kind: s.kind, seed: main.seed, description: s.description },
      ok: checks.every((c) => c.ok),
      checks,
      run: { gasp: main.gasp, heartbeat: heartbeatLabel(s.timers?.heartbeat ?? { preset: "keepalived" }), figures: base, timeline: keyEvents(main), units: main.units, links: main.links },
      comparison,
    },
  };
}

/** A time after the fault, for people: µs below 10 ms, ms above. */
export function fmtNs(ns: number | null): string {
  if (ns === null) return "—";
  if (Math.abs(ns) < 10_000_000) return `${(ns / 1000).toFixed(3)} µs`;
  return `${(ns / 1e6).toFixed(3)} ms`;
}

function describe(e: TimelineEvent): string {
  const d = e.detail ?? {};
  const kv = Object.entries(d)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return kv;
}

/** The demo's text report. */
export function formatDemo(r: DemoResult): string {
  const f = r.run.figures;
  const lines: string[] = [];
  lines.push(`scenario ${r.scenario.name} (${path.relative(process.cwd(), r.scenario.file) || r.scenario.file}), seed ${r.scenario.seed}`);
  if (r.scenario.description) lines.push(r.scenario.description);
  lines.push("");
  lines.push(`timeline (t = 0 at the fault: ${f.faultKind ?? "none"} on ${f.faultUnit ?? "—"}; gasp ${r.run.gasp ? "on" : "off"}, heartbeats ${r.run.heartbeat})`);
  for (const e of r.run.timeline) lines.push(`  ${fmtNs(f.faultNs === null ? e.tNs : e.tNs - f.faultNs).padStart(14)}  ${e.source.padEnd(16)} ${e.name.padEnd(22)} ${describe(e)}`);
  lines.push("");
  lines.push("milestones after the fault");
  const m: [string, number | null][] = [
    ["gasp on the wire", f.gaspOnWireNs],
    ["gasp accepted", f.gaspAcceptedNs],
    [`takeover (${f.takeoverUnit ?? "—"}: ${f.takeoverReason ?? "—"})`, f.takeoverNs],
    ...(f.pathFailoverNs !== null ? [["alternate path in use", f.pathFailoverNs] as [string, number | null]] : []),
    [`first GARP on the wire (${f.servingUnit ?? "—"})`, f.firstGarpNs],
    ["hosts moved (every VIP)", f.hostsMovedNs],
    [`first host packet at ${f.servingUnit ?? "the new active"}`, f.firstHostPacketNs],
  ];
  for (const [k, v] of m) lines.push(`  ${k.padEnd(44)} ${fmtNs(v)}`);
  lines.push("");
  lines.push("hosts (IPv4 packets delivered by the unit's OS; IPv6 decided by the host, not built)");
  lines.push(`  ${"host".padEnd(6)} ${"offered".padStart(8)} ${"delivered".padStart(10)} ${"lost".padStart(6)} ${"misdelivered".padStart(13)}`);
  for (const h of f.hosts) lines.push(`  ${h.name.padEnd(6)} ${String(h.offered).padStart(8)} ${String(h.delivered).padStart(10)} ${String(h.lost).padStart(6)} ${String(h.misdelivered).padStart(13)}`);
  lines.push(`  active at the end: ${f.activeAtEnd.join(", ") || "none"}; hosts still on a dead unit's MAC: ${f.hostsOnDeadMac.join(", ") || "none"}`);
  if (r.comparison.length > 1) {
    lines.push("");
    lines.push("the same fault, measured in the same run: gasp vs heartbeat-only failover");
    lines.push(`  ${"detection".padEnd(44)} ${"→ first GARP".padStart(14)} ${"ratio".padStart(9)} ${"→ first host pkt".padStart(16)} ${"ratio".padStart(9)} ${"lost".padStart(6)}`);
    const ratio = (x: number | null) => (x === null ? "—" : `${x >= 100 ? x.toFixed(0) : x.toFixed(1)}×`);
    for (const c of r.comparison) {
      lines.push(`  ${c.mode.padEnd(44)} ${fmtNs(c.firstGarpNs).padStart(14)} ${ratio(c.ratioFirstGarp).padStart(9)} ${fmtNs(c.firstHostPacketNs).padStart(16)} ${ratio(c.ratioFirstHostPacket).padStart(9)} ${String(c.lost).padStart(6)}`);
    }
  }
  lines.push("");
  lines.push(`checks: ${r.ok ? "all passed" : `${r.checks.filter((c) => !c.ok).length} FAILED`}`);
  for (const c of r.checks) lines.push(`  ${c.ok ? "ok  " : "FAIL"}  ${c.name.padEnd(14)} ${c.detail}`);
  return lines.join("\n");
}
