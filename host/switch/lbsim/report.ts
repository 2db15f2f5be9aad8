// What a loadbalance run reports and how it judges itself: new flows per back end per phase
// (phases.ts), every A/B flip, which connections moved (only a failed back end's may), RSTs,
// drops, punts and the engine's counters, and the checks that say whether all of that is as it
// should be. format() prints it for people; the JSON is the report itself.

import type { ControlProcessor, Strategy } from "./cp";
import type { LoadbalanceScenario } from "./spec";
import type { LbWorld } from "./world";
import type { PhaseBook, PhaseReport } from "./phases";
import { NS_PER_MS } from "../../ha/timeline";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface LoadbalanceReport {
  kind: "loadbalance";
  file: string;
  seed: number;
  ok: boolean;
  checks: Check[];
  simulatedMs: number;
  cores: number;
  strategy: Strategy;
  /** assigned: connections the switching path gave it (sw back-end counter); lastLoad: its last report. */
  backends: { name: string; weight: number; capacity: number; state: string; assigned: number; lastLoad: number | null }[];
  phases: PhaseReport[];
  flips: ControlProcessor["flips"];
  connections: {
    opened: { tcp: number; udp: number };
    completed: { tcp: number; udp: number };
    established: number;
    moved: number;
    movedFromFailed: number;
    resetByBackend: number;
    unanswered: number;
    strays: { tcp: number; udp: number; echo: number };
    strayResets: number;
    echoReplies: number;
  };
  lineCard: {
    forwarded: number;
    replies: number;
    rstsSent: number;
    drops: number;
    dropReasons: Record<string, number>;
    punts: number;
    puntsByApp: Record<string, number>;
    injected: number;
    connectionsLive: number;
    switchCounters: Record<string, number>;
  };
  engine: Record<string, number>[];
  nics: Record<string, unknown>[];
  loadReports: number;
  pcaps: string[];
}

/** The report of a finished run; failed: the back ends the file failed; pcaps: the captures written. */
export function buildReport(sc: LoadbalanceScenario, w: LbWorld, book: PhaseBook, failed: Set<string>, pcaps: string[]): LoadbalanceReport {
  const s = sc.spec;
  const board = sc.board;
  const strategy = s.distribution.strategy;
  const tolerance = book.tolerance;
  const { app, cp, collector, oracle, router, servers, backends, cores, clock } = w;
  const phases = book.report(oracle);

  const moved = [...oracle.moved];
  const movedFromFailed = moved.filter(([, m]) => failed.has(m.from)).length;
  const resetFlows = router.flowsIn("reset");
  const unansweredFlows = router.flowsIn("unanswered");
  const sw = app.sw.counters();
  const dropReasons = Object.fromEntries(Object.entries(sw).filter(([k, v]) => k.startsWith("drop_") && v > 0));
  const engine = Array.from({ length: cores }, (_, ctx) => app.engine.counters(ctx));
  const sumEngine = (k: string) => engine.reduce((a, e) => a + e[k], 0);

  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const judged = phases.filter((p) => p.newFlows >= 200);
  const over = judged.filter((p) => p.maxDeviation > p.bound);
  check("spread", judged.length > 0 && over.length === 0, `new flows per back end within max(${(tolerance * 100).toFixed(1)} points, 3 sigma) of the table's shares in every phase of 200+ flows (worst ${(Math.max(...judged.map((p) => p.maxDeviation)) * 100).toFixed(2)} points${over.length ? `; over in ${over.map((p) => p.label).join(", ")}` : ""})`);
  check("sticky", moved.length === movedFromFailed, `${moved.length - movedFromFailed} connections changed back end across ${cp.flips.length - 1} flips (only a failed back end's may)`);
  check("failover", resetFlows.every((f) => failed.has(oracle.firstServer.get(f) ?? "")), `${resetFlows.length} flows reset, all of them on a failed back end`);
  check("answered", unansweredFlows.every((f) => failed.has(oracle.firstServer.get(f) ?? "")), `${unansweredFlows.length} flows unanswered, all of them on a failed back end`);
  const bad = router.stats.badChecksums + router.stats.wrongSource + servers.reduce((a, x) => a + x.stats.badChecksums, 0);
  check("rewrite", bad === 0, `${bad} frames with a bad checksum or not from the VIP, at the clients and the servers`);
  const removals = cp.flips.filter((f) => /^(remove|fail) /.test(f.reason));
  if (strategy !== "wrr" && removals.length) {
    const worstNeedless = Math.max(...removals.map((f) => f.needless / f.slots));
    check("consistent", worstNeedless <= 0.03, `removing a back end moved only its own slots (needless moves at most ${(worstNeedless * 100).toFixed(2)} % of the table)`);
  }
  const st = router.stats.strays;
  check("strays", router.stats.strayResets === st.tcp && router.stats.echoReplies === st.echo && sw.drop_udp_no_service === st.udp,
    `${st.tcp} SYNs to a closed port answered by ${router.stats.strayResets} RSTs, ${st.udp} UDP datagrams to a closed port dropped (${sw.drop_udp_no_service}), ${st.echo} echoes to the VIP answered by the CP (${router.stats.echoReplies})`);
  check("no-loss", sumEngine("tx_full") + sumEngine("tx_unsendable") + sumEngine("rx_errors") === 0 && app.sim.nics.every((n) => n.counters.rxDropped === 0), "no frame lost by the line card (TX ring full, RX overrun, RX error)");

  return {
    kind: "loadbalance",
    file: sc.file,
    seed: s.seed,
    ok: checks.every((x) => x.ok),
    checks,
    simulatedMs: Math.round(clock.now() / NS_PER_MS),
    cores,
    strategy,
    backends: backends.map((b) => ({
      name: b.name, weight: cp.weight.get(b.name)!, capacity: b.capacity, state: cp.state.get(b.name)!,
      assigned: app.sw.backendStats(b.index).connections, lastLoad: collector.latest.get(b.name)?.load ?? null,
    })),
    phases,
    flips: cp.flips,
    connections: {
      opened: router.stats.opened, completed: router.stats.completed, established: router.stats.established,
      moved: moved.length, movedFromFailed, resetByBackend: router.stats.resets, unanswered: router.stats.unanswered,
      strays: router.stats.strays, strayResets: router.stats.strayResets, echoReplies: router.stats.echoReplies,
    },
    lineCard: {
      forwarded: sw.forward, replies: sw.forward_reply, rstsSent: sw.answer_rst, drops: sw.drop, dropReasons,
      punts: sw.punt, puntsByApp: { "load-reports": collector.received, arp: app.arp.answered.requests, "icmp-echo": app.echo.answered.v4 + app.echo.answered.v6, unclaimed: app.punts.stats.unclaimed },
      injected: sw.inject_tx + sw.inject_switched, connectionsLive: sw.conn_live, switchCounters: sw,
    },
    engine,
    nics: app.sim.nics.map((n, i) => ({ port: board.ports[i].name, ...n.counters })),
    loadReports: collector.received,
    pcaps,
  };
}

// ---- printing it ------------------------------------------------------------------------------

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function format(r: LoadbalanceReport): string {
  const L: string[] = [];
  const names = r.backends.map((b) => b.name);
  L.push(`loadbalance: ${r.file} (seed ${r.seed}): ${r.simulatedMs} ms simulated, ${r.cores} switching core${r.cores > 1 ? "s" : ""}, ${r.strategy} over ${names.length} back ends`);
  L.push("");
  L.push("new flows per back end: actual share / share of the table in force");
  L.push(`  ${"phase".padEnd(28)}${"flows".padStart(6)}  ${names.map((n) => n.padEnd(19)).join("")}max dev`);
  for (const p of r.phases) {
    const cells = names.map((n) => `${String(p.perBackend[n]).padStart(4)} ${pct(p.actualShare[n]).padStart(6)}/${pct(p.expectedShare[n]).padEnd(6)}`.padEnd(19)).join("");
    L.push(`  ${`${p.fromMs}-${p.toMs} ms ${p.label}`.padEnd(28)}${String(p.newFlows).padStart(6)}  ${cells}${pct(p.maxDeviation)} (bound ${pct(p.bound)})`);
  }
  L.push("");
  const loadFlips = r.flips.filter((f) => f.reason === "load reports").length;
  L.push(`A/B flips: ${r.flips.length - 1} after the initial table (${loadFlips} on load reports)`);
  for (const f of r.flips.filter((x) => x.reason !== "load reports" && x.reason !== "initial weights")) {
    const needless = /^(remove|fail) /.test(f.reason) ? `, ${pct(f.needless / f.slots)} between remaining back ends` : "";
    L.push(`  ${String(f.atMs).padStart(5)} ms  ${f.reason.padEnd(18)} ${pct(f.moved / f.slots)} of ${f.slots} slots moved${needless}; shares ${names.map((n) => `${n} ${pct(f.shares[n])}`).join(", ")}`);
  }
  const k = r.connections;
  L.push("");
  L.push(`connections: opened ${k.opened.tcp + k.opened.udp} (tcp ${k.opened.tcp}, udp ${k.opened.udp}), completed ${k.completed.tcp + k.completed.udp}, moved ${k.moved} (${k.movedFromFailed} from a failed back end), reset by their new back end ${k.resetByBackend}, unanswered ${k.unanswered}`);
  L.push(`strays: ${k.strays.tcp} SYNs to a closed port -> ${k.strayResets} RSTs from the line card; ${k.strays.udp} UDP to a closed port -> dropped; ${k.strays.echo} echoes to the VIP -> ${k.echoReplies} replies from the CP`);
  L.push(`back ends: ${r.backends.map((b) => `${b.name} ${b.state} weight ${b.weight}, ${b.assigned} connections assigned, last load ${b.lastLoad ?? "-"}`).join("; ")}`);
  const lc = r.lineCard;
  L.push(`line card: forwarded ${lc.forwarded}, replies ${lc.replies}, RSTs sent ${lc.rstsSent}, drops ${lc.drops}${lc.drops ? ` (${Object.entries(lc.dropReasons).filter(([x]) => x !== "drop").map(([x, v]) => `${x.slice(5)} ${v}`).join(", ")})` : ""}, punts ${lc.punts} (${Object.entries(lc.puntsByApp).map(([x, v]) => `${x} ${v}`).join(", ")}), injected ${lc.injected}, live connections ${lc.connectionsLive}`);
  r.engine.forEach((e, i) => {
    L.push(`core ${i}: ${e.polls} rounds, rx ${e.rx} in ${e.batches} batches, forward ${e.forward}, answer ${e.answer}, punt ${e.punt}, drop ${e.drop}, zero-copy ${e.zero_copy}, copied ${e.copied}, TX full ${e.tx_full}, doorbells ${e.tdt} TDT + ${e.rdt} RDT`);
  });
  if (r.pcaps.length) L.push(`captures: ${r.pcaps.join(", ")}`);
  L.push("");
  for (const c of r.checks) L.push(`${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
  L.push(r.ok ? "result: ok" : "result: FAILED");
  return L.join("\n");
}
