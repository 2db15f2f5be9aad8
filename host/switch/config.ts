// The switching service's configuration (boards/switching.schema.json; a board file refers to
// it with "switching"): its shape, and validation — the schema (ajv), then what a schema
// cannot check (ports and the VIP of the board, names and addresses that collide, Maglev's
// prime table size, TAP names). A bad file is refused with every problem listed, each with
// its file, pointer, line and column (SwitchingConfigError).

import * as path from "path";
import { BOARDS_DIR } from "../paths";
import { SchemaValidator } from "../util/schema";
import { locateProblems, problemLine, type Problem } from "../util/problems";
import { readJsonFile } from "../board/load";
import { checkIPv4 } from "../board/validate";
import { isPrime, MAGLEV_DEFAULT_SIZE } from "./distribution";
import type { Board } from "../board/board";

export const SWITCHING_SCHEMA = path.join(BOARDS_DIR, "switching.schema.json");
export const DEFAULT_CAPACITY = 65536;

export interface SwitchingSpec {
  kind: "switching";
  description?: string;
  clientPort: string;
  serverPort: string;
  service: { vip: string; tcpPort: number; udpPort?: number; mode: "nat"; backendPort: number };
  distribution?: { strategy?: "maglev" | "wrr"; tableSize?: number };
  backends: { name: string; ip: string; mac: string; weight?: number }[];
  router: { ip: string; mac: string };
  capacity?: number;
  batch?: number;
  tap?: { port: string; name: string }[];
}

/** A validated configuration with the board's port names resolved to indices. */
export interface SwitchingConfig {
  file: string;
  spec: SwitchingSpec;
  clientPort: number;
  serverPort: number;
  /** TAP devices: board port index -> interface name. */
  taps: { port: number; name: string }[];
}

export class SwitchingConfigError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(problemLine).join("\n"));
  }
}

let validator: SchemaValidator | undefined;

/** The checks a schema cannot make. */
function semanticProblems(s: SwitchingSpec, board: Board): Problem[] {
  const out: Problem[] = [];
  const add = (p: string, m: string) => out.push({ path: p, message: m });
  const names = board.ports.map((p) => p.name);
  const portOf = (where: string, name: string) => {
    if (!names.includes(name)) add(where, `"${name}" is not a port of ${board.id} (${names.join(", ")})`);
  };
  portOf("/clientPort", s.clientPort);
  portOf("/serverPort", s.serverPort);
  if (s.clientPort === s.serverPort) add("/serverPort", "must differ from clientPort");
  if (!board.vips.some((v) => v.ipv4 === s.service.vip && v.port === s.clientPort)) add("/service/vip", `${s.service.vip} is not a VIP of ${board.id} on port ${s.clientPort}`);
  const client = board.ports.find((p) => p.name === s.clientPort);
  if (client && client.role !== "front") add("/clientPort", `port ${s.clientPort} has role ${client.role ?? "(none)"} on ${board.id}: the VIP's port must be a front port (the unit announces its VIPs and answers ARP for them there)`);
  const seen = new Map<string, string>();
  const unique = (key: string, where: string, what: string) => {
    if (seen.has(key)) add(where, `${what} is also ${seen.get(key)}`);
    else seen.set(key, where);
  };
  for (const p of board.ports) unique(p.mac, `${board.file}: ports/${p.name}`, `MAC ${p.mac}`);
  for (const p of board.ports) for (const a of p.ipv4) unique(a.split("/")[0], `${board.file}: ports/${p.name}`, `address ${a.split("/")[0]}`);
  unique(s.service.vip, "/service/vip", `address ${s.service.vip}`);
  unique(s.router.mac.toLowerCase(), "/router/mac", `MAC ${s.router.mac}`);
  unique(s.router.ip, "/router/ip", `address ${s.router.ip}`);
  s.backends.forEach((b, i) => {
    unique(`name:${b.name}`, `/backends/${i}/name`, `name ${b.name}`);
    unique(b.ip, `/backends/${i}/ip`, `address ${b.ip}`);
    unique(b.mac.toLowerCase(), `/backends/${i}/mac`, `MAC ${b.mac}`);
  });
  for (const [where, a] of [["/router/ip", s.router.ip], ...s.backends.map((b, i) => [`/backends/${i}/ip`, b.ip])] as [string, string][]) {
    const bad = checkIPv4(a, false);
    if (bad) add(where, bad);
  }
  const size = s.distribution?.tableSize ?? MAGLEV_DEFAULT_SIZE;
  if ((s.distribution?.strategy ?? "maglev") === "maglev" && !isPrime(size)) add("/distribution/tableSize", `${size} is not prime (Maglev needs a prime table size)`);
  const cap = s.capacity ?? DEFAULT_CAPACITY;
  if ((cap & (cap - 1)) !== 0) add("/capacity", `${cap} is not a power of two`);
  (s.tap ?? []).forEach((t, i) => {
    portOf(`/tap/${i}/port`, t.port);
    unique(`tap-port:${t.port}`, `/tap/${i}/port`, `port ${t.port}'s TAP`);
    unique(`tap:${t.name}`, `/tap/${i}/name`, `TAP ${t.name}`);
    if (names.includes(t.port) && board.ports[names.indexOf(t.port)].ipv4.length === 0) add(`/tap/${i}/port`, `port ${t.port} has no IPv4 address on ${board.id}: the TAP would have none`);
  });
  return out;
}

/** Reads and validates the board's switching configuration; throws SwitchingConfigError listing every problem. */
export function loadSwitchingConfig(board: Board): SwitchingConfig {
  const file = board.switching;
  if (!file) throw new Error(`${board.id} has no switching configuration`);
  const r = readJsonFile(file);
  if ("problem" in r) throw new SwitchingConfigError([{ file, ...r.problem }]);
  const schema = (validator ??= new SchemaValidator(SWITCHING_SCHEMA)).validate(r.raw);
  const spec = r.raw as SwitchingSpec;
  // The semantic checks run on a file the schema refused too (every problem at once); on a
  // file of the wrong shape they may stop short (a TypeError), and the schema's list stands.
  let semantic: Problem[] = [];
  try {
    semantic = semanticProblems(spec, board);
  } catch (e) {
    if (!(e instanceof TypeError) || schema.length === 0) throw e;
  }
  const taken = new Set(schema.map((p) => p.path));
  const problems = [...schema, ...semantic.filter((p) => !taken.has(p.path))];
  if (problems.length) throw new SwitchingConfigError(locateProblems(problems, file, r.text));
  const index = (name: string) => board.ports.findIndex((p) => p.name === name);
  return {
    file,
    spec,
    clientPort: index(spec.clientPort),
    serverPort: index(spec.serverPort),
    taps: (spec.tap ?? []).map((t) => ({ port: index(t.port), name: t.name })),
  };
}
