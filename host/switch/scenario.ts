// The `loadbalance` scenario (scenarios/loadbalance.json, schema scenarios/loadbalance.schema.json;
// docs/switching-path.md "The loadbalance scenario"), run by `lastgasp demo --scenario FILE`:
//
//   router + clients ── lb-a.clients ══ line card (switching path, packet engine, CP) ══
//        lb-a.servers ── bridge ── web1, web2, ... (TCP/UDP servers with load agents)
//
// Everything runs on the board's SimClock with seeded randomness: the same file replays to the
// same report and the same captures. The report says how new flows spread over the back ends
// against the table in force, every A/B flip and how many slots it moved, which connections
// moved (only those of a failed back end may), RSTs, drops, punts and the engine's counters;
// its checks say whether all of that is as it should be.

import * as fs from "fs";
import * as path from "path";
import { loadBoard } from "../board/load";
import { SchemaValidator } from "../util/schema";
import { Board, BoardError, BoardProblem } from "../board/board";
import { checkIPv4 } from "../board/validate";
import { parseIPv4, parseMac } from "../util/addr";
import { Rng } from "../util/rng";
import { Wire } from "../sim/wire";
import { Bridge } from "../sim/bridge";
import { isPrime } from "./distribution";
import { LbAppliance, SVC_TCP, SVC_UDP } from "./lbsim/appliance";
import { ControlProcessor, LoadCollector, Strategy } from "./lbsim/cp";
import { BackendServer, FlowOracle } from "./lbsim/servers";
import { ClientNetwork } from "./lbsim/clients";
import { ScenarioError } from "../chassis/scenario";
import { SCENARIOS_DIR } from "../paths";

export { ScenarioError };

export const SCENARIO_SCHEMA = path.join(SCENARIOS_DIR, "loadbalance.schema.json");

// ---- the file ---------------------------------------------------------------------------------

export interface LoadbalanceSpec {
  kind: "loadbalance";
  description?: string;
  seed: number;
  board: string;
  clientPort: string;
  serverPort: string;
  durationMs: number;
  cores?: 1 | 2;
  pollIntervalUs?: number;
  service: { vip: string; tcpPort: number; udpPort: number; mode: "nat"; backendPort: number };
  distribution: { strategy: Strategy; tableSize?: number; recomputeMs?: number };
  backends: { name: string; ip: string; mac: string; weight: number; capacity: number }[];
  router: { ip: string; mac: string };
  clients: {
    network: string; newFlowsPerSec: number; udpShare?: number; requests?: number; requestIntervalMs?: number;
    requestBytes?: number; responseBytes?: number; timeoutMs?: number; strayPerSec?: number;
  };
  loadAgents?: { intervalMs?: number; port?: number };
  events?: { atMs: number; action: "weight" | "remove" | "fail"; backend: string; weight?: number; detectMs?: number }[];
  capacity?: number;
  tolerance?: number;
}

/** A validated scenario: the spec, the file it came from, its board. */
export interface LoadbalanceScenario {
  file: string;
  spec: LoadbalanceSpec;
  board: Board;
}

let validator: SchemaValidator | undefined;

/** The checks a schema cannot make: addresses, names that refer to something, collisions. */
function semanticProblems(s: LoadbalanceSpec, file: string): { problems: BoardProblem[]; board?: Board } {
  const out: BoardProblem[] = [];
  const add = (p: string, m: string) => out.push({ path: p, message: m });
  let board: Board | undefined;
  try {
    board = loadBoard(path.resolve(path.dirname(file), s.board));
  } catch (e) {
    add("/board", e instanceof BoardError ? e.first : (e as Error).message);
  }
  if (board) {
    const names = board.ports.map((p) => p.name);
    if (!names.includes(s.clientPort)) add("/clientPort", `"${s.clientPort}" is not a port of ${board.id} (${names.join(", ")})`);
    if (!names.includes(s.serverPort)) add("/serverPort", `"${s.serverPort}" is not a port of ${board.id} (${names.join(", ")})`);
    if (s.clientPort === s.serverPort) add("/serverPort", "must differ from clientPort");
    if (!board.vips.some((v) => v.ipv4 === s.service.vip && v.port === s.clientPort)) add("/service/vip", `${s.service.vip} is not a VIP of ${board.id} on port ${s.clientPort}`);
  }
  const m = checkIPv4(s.service.vip, false);
  if (m) add("/service/vip", m);
  const seen = new Map<string, string>();
  const unique = (key: string, where: string, what: string) => {
    if (seen.has(key)) add(where, `${what} is also ${seen.get(key)}`);
    else seen.set(key, where);
  };
  for (const p of board?.ports ?? []) unique(p.mac, `${board!.file}: ports/${p.name}`, `MAC ${p.mac}`);
  for (const p of board?.ports ?? []) for (const a of p.ipv4) unique(a.split("/")[0], `${board!.file}: ports/${p.name}`, `address ${a.split("/")[0]}`);
  const rip = checkIPv4(s.router.ip, false);
  if (rip) add("/router/ip", rip);
  unique(s.router.mac, "/router/mac", `MAC ${s.router.mac}`);
  unique(s.router.ip, "/router/ip", `address ${s.router.ip}`);
  s.backends.forEach((b, i) => {
    const bad = checkIPv4(b.ip, false);
    if (bad) add(`/backends/${i}/ip`, bad);
    unique(`name:${b.name}`, `/backends/${i}/name`, `name ${b.name}`);
    unique(b.ip, `/backends/${i}/ip`, `address ${b.ip}`);
    unique(b.mac, `/backends/${i}/mac`, `MAC ${b.mac}`);
  });
  const [net, len] = s.clients.network.split("/");
  const bad = checkIPv4(s.clients.network, true);
  if (bad) add("/clients/network", bad);
  else if (Number(len) < 8 || Number(len) > 30) add("/clients/network", `prefix length /${len} is not in 8..30`);
  else if (checkIPv4(net, false)) add("/clients/network", checkIPv4(net, false)!);
  else {
    const a = parseIPv4(net);
    const value = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
    if (value % 2 ** (32 - Number(len)) !== 0) add("/clients/network", `${net} has host bits set for /${len}`);
  }
  const size = s.distribution.tableSize ?? 65537;
  if (s.distribution.strategy !== "wrr" && !isPrime(size)) add("/distribution/tableSize", `${size} is not prime (Maglev needs a prime table size)`);
  const cap = s.capacity ?? 65536;
  if ((cap & (cap - 1)) !== 0) add("/capacity", `${cap} is not a power of two`);
  const live = new Set(s.backends.map((b) => b.name));
  [...(s.events ?? [])].map((e, i) => ({ e, i })).sort((a, b) => a.e.atMs - b.e.atMs).forEach(({ e, i }) => {
    if (!s.backends.some((b) => b.name === e.backend)) add(`/events/${i}/backend`, `"${e.backend}" is not a back end (${s.backends.map((b) => b.name).join(", ")})`);
    if (e.atMs > s.durationMs) add(`/events/${i}/atMs`, `${e.atMs} is after durationMs (${s.durationMs})`);
    if (e.action !== "weight") {
      live.delete(e.backend);
      if (live.size === 0) add(`/events/${i}`, "leaves no back end to distribute to");
    }
  });
  return { problems: out, board };
}

/** Validates parsed JSON; throws ScenarioError listing every problem. */
export function validate(json: unknown, file: string): LoadbalanceScenario {
  const schema = (validator ??= new SchemaValidator(SCENARIO_SCHEMA)).validate(json);
  const spec = json as LoadbalanceSpec;
  // The semantic checks run on a file the schema refused too, for every problem at once; on a
  // file of the wrong shape they may stop short (a TypeError), and the schema's list stands.
  let semantic: ReturnType<typeof semanticProblems> = { problems: [] };
  try {
    semantic = semanticProblems(spec, file);
  } catch (e) {
    if (!(e instanceof TypeError) || schema.length === 0) throw e;
  }
  const taken = new Set(schema.map((p) => p.path));
  const problems = [...schema, ...semantic.problems.filter((p) => !taken.has(p.path))];
  if (problems.length) throw new ScenarioError(file, problems);
  return { file, spec, board: semantic.board! };
}

// ---- the report -------------------------------------------------------------------------------

export interface PhaseReport {
  fromMs: number;
  toMs: number;
  /** What started the phase: "start" or the event. */
  label: string;
  newFlows: number;
  /** New flows per back end (by the server that saw their first packet). */
  perBackend: Record<string, number>;
  /** Each back end's share of the new flows, and its share of the table(s) in force when they opened. */
  actualShare: Record<string, number>;
  expectedShare: Record<string, number>;
  maxDeviation: number;
  /** The largest deviation accepted: max(tolerance, 3 binomial standard deviations of the largest share). */
  bound: number;
}

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

// ---- running it -------------------------------------------------------------------------------

export interface RunOptions {
  /** Write each link's capture here (created if missing). */
  pcapDir?: string;
  /** Accepted for the scenario-runner interface; the runner prints nothing (format() or JSON is the caller's). */
  json?: boolean;
}

const MS = 1_000_000;
/** Closed ports of the VIP the stray packets go to (no service there). */
const STRAY_TCP_PORT = 22;
const STRAY_UDP_PORT = 123;

export function run(sc: LoadbalanceScenario, opts: RunOptions = {}): LoadbalanceReport {
  const s = sc.spec;
  const board = sc.board;
  const portIndex = (name: string) => board.ports.findIndex((p) => p.name === name);
  const clientPort = portIndex(s.clientPort);
  const serverPort = portIndex(s.serverPort);
  const strategy = s.distribution.strategy;
  const cores = s.cores ?? 2;
  const c = {
    udpShare: 0.2, requests: 4, requestIntervalMs: 150, requestBytes: 100, responseBytes: 400, timeoutMs: 1000, strayPerSec: 0, ...s.clients,
  };
  const agentMs = s.loadAgents?.intervalMs ?? 100;
  const agentPort = s.loadAgents?.port ?? 7000;
  const backends = s.backends.map((b, index) => ({ ...b, index, ipBytes: parseIPv4(b.ip), macBytes: parseMac(b.mac) }));

  const app = new LbAppliance({
    board, clientPort, serverPort, vip: parseIPv4(s.service.vip), tcpPort: s.service.tcpPort, udpPort: s.service.udpPort,
    backendPort: s.service.backendPort, routerMac: parseMac(s.router.mac),
    backends: backends.map((b) => ({ index: b.index, name: b.name, ip: b.ipBytes, mac: b.macBytes })),
    cores, capacity: s.capacity ?? 65536, seed: s.seed,
  });
  const clock = app.sim.clock;
  const cpServerSide = app.cpAddrs[serverPort][0];
  if (!cpServerSide) throw new Error(`${board.id}/${s.serverPort} has no IPv4 address: the back ends need it as their gateway`);
  const collector = new LoadCollector(cpServerSide, agentPort, () => app.nowMs());
  app.punts.register(collector);
  app.finishPunts();
  const cp = new ControlProcessor(app.sw, app.lb, backends.map((b) => ({ index: b.index, name: b.name, weight: b.weight })), strategy, s.distribution.tableSize ?? 65537, [SVC_TCP, SVC_UDP], collector);
  cp.publish("initial weights", 0);

  // the outside world
  const rng = new Rng(s.seed);
  const wire = new Wire(clock, s.seed);
  const oracle = new FlowOracle();
  const [net, len] = c.network.split("/");
  const first = parseIPv4(net);
  first[3] += 1; // hosts start one above the prefix's own address
  const router = new ClientNetwork({
    routerMac: parseMac(s.router.mac), routerIp: parseIPv4(s.router.ip), vip: parseIPv4(s.service.vip),
    tcpPort: s.service.tcpPort, udpPort: s.service.udpPort, network: first, hosts: 2 ** (32 - Number(len)) - 2,
    newFlowsPerSec: c.newFlowsPerSec, udpShare: c.udpShare, requests: c.requests, requestIntervalNs: c.requestIntervalMs * MS,
    requestBytes: c.requestBytes, timeoutNs: c.timeoutMs * MS,
    strayPerSec: c.strayPerSec, strayTcpPort: STRAY_TCP_PORT, strayUdpPort: STRAY_UDP_PORT,
  }, clock, new Rng(rng.u32()));
  const bridge = new Bridge("server-switch");
  const lineName = (p: string) => `${board.id}.${p}`;
  wire.connect(app.sim.nics[clientPort], router, { name: lineName(s.clientPort), latencyNs: board.ports[clientPort].link.latencyNs });
  wire.connect(app.sim.nics[serverPort], bridge.port(), { name: lineName(s.serverPort), latencyNs: board.ports[serverPort].link.latencyNs });
  const servers = backends.map((b) => {
    const srv = new BackendServer(
      { name: b.name, ip: b.ipBytes, mac: b.macBytes, tcpPort: s.service.backendPort, udpPort: s.service.backendPort, capacity: b.capacity, responseBytes: c.responseBytes },
      clock, oracle, { cp: cpServerSide, cpPort: agentPort, intervalNs: agentMs * MS },
    );
    wire.connect(bridge.port(), srv, { name: b.name, latencyNs: 200 });
    return srv;
  });

  // phases: the start and each event; expected shares booked as flows open
  const events = [...(s.events ?? [])].sort((a, b) => a.atMs - b.atMs);
  const bounds = [0, ...events.map((e) => e.atMs), s.durationMs];
  const labels = ["start", ...events.map((e) => (e.action === "weight" ? `${e.backend} weight ${e.weight}` : `${e.action} ${e.backend}`))];
  const phaseOf = (ms: number) => {
    let k = 0;
    while (k + 1 < bounds.length - 1 && ms >= bounds[k + 1]) k++;
    return k;
  };
  const tolerance = s.tolerance ?? 0.03;
  const expected = labels.map(() => new Map<string, number>());
  const flowPhase = new Map<string, number>();
  router.onOpen = (flow, _proto, tNs) => {
    const k = phaseOf(tNs / MS);
    flowPhase.set(flow, k);
    for (const b of backends) expected[k].set(b.name, (expected[k].get(b.name) ?? 0) + cp.share(b.index));
  };

  // time line
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
  if (strategy === "least-load") every(s.distribution.recomputeMs ?? 200, () => cp.recompute(app.nowMs()));
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

  // ---- the report ----
  const phases: PhaseReport[] = labels.map((label, k) => {
    const per: Record<string, number> = Object.fromEntries(backends.map((b) => [b.name, 0]));
    let n = 0;
    for (const [flow, ph] of flowPhase) {
      if (ph !== k) continue;
      n++;
      const srv = oracle.firstServer.get(flow);
      if (srv) per[srv]++;
    }
    const seenTotal = Object.values(per).reduce((a, b) => a + b, 0);
    const actualShare: Record<string, number> = {};
    const expectedShare: Record<string, number> = {};
    let maxDeviation = 0;
    for (const b of backends) {
      actualShare[b.name] = seenTotal ? round4(per[b.name] / seenTotal) : 0;
      expectedShare[b.name] = n ? round4((expected[k].get(b.name) ?? 0) / n) : 0;
      if (seenTotal) maxDeviation = Math.max(maxDeviation, Math.abs(per[b.name] / seenTotal - (expected[k].get(b.name) ?? 0) / n));
    }
    const pMax = Math.max(...Object.values(expectedShare), 0);
    const bound = Math.max(tolerance, seenTotal ? 3 * Math.sqrt((pMax * (1 - pMax)) / seenTotal) : 1);
    return { fromMs: bounds[k], toMs: bounds[k + 1], label, newFlows: n, perBackend: per, actualShare, expectedShare, maxDeviation: round4(maxDeviation), bound: round4(bound) };
  });

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
  check("no-loss", sumEngine("tx_full") + sumEngine("tx_no_ring") + sumEngine("rx_errors") === 0 && app.sim.nics.every((n) => n.counters.rxDropped === 0), "no frame lost by the line card (TX ring full, RX overrun, RX error)");

  const pcaps: string[] = [];
  if (opts.pcapDir) {
    fs.mkdirSync(opts.pcapDir, { recursive: true });
    pcaps.push(...wire.savePcaps(opts.pcapDir));
  }
  return {
    kind: "loadbalance",
    file: sc.file,
    seed: s.seed,
    ok: checks.every((x) => x.ok),
    checks,
    simulatedMs: Math.round(clock.now() / MS),
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

const round4 = (x: number) => Number(x.toFixed(4));

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

/** The scenario kind `lastgasp demo --scenario` dispatches on. */
export const loadbalanceScenario = {
  kind: "loadbalance" as const,
  validate,
  run,
  format,
};
