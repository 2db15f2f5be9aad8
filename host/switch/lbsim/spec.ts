// The `loadbalance` scenario file (scenarios/loadbalance.json, schema
// scenarios/loadbalance.schema.json): its shape, and validation — the schema (ajv), then the
// checks a schema cannot make (addresses, names that refer to something, collisions, a prime
// table size for Maglev). A bad file is refused with every problem listed (ScenarioError).

import * as path from "path";
import { loadBoard } from "../../board/load";
import { SchemaValidator } from "../../util/schema";
import { SCENARIOS_DIR } from "../../paths";
import { Board, BoardError, BoardProblem } from "../../board/board";
import { checkIPv4 } from "../../board/validate";
import { parseIPv4 } from "../../util/addr";
import { isPrime } from "../distribution";
import type { Strategy } from "./cp";
import { ScenarioError } from "../../chassis/scenario";

export const SCENARIO_SCHEMA = path.join(SCENARIOS_DIR, "loadbalance.schema.json");

/** What a file leaves out: Maglev's usual prime table size, and the connection table's entries. */
export const DEFAULT_TABLE_SIZE = 65537;
export const DEFAULT_CAPACITY = 65536;

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
  const size = s.distribution.tableSize ?? DEFAULT_TABLE_SIZE;
  if (s.distribution.strategy !== "wrr" && !isPrime(size)) add("/distribution/tableSize", `${size} is not prime (Maglev needs a prime table size)`);
  const cap = s.capacity ?? DEFAULT_CAPACITY;
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
  const board = semantic.board;
  return { file, spec, board: board! };
}
