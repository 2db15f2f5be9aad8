// Scenario files (scenarios/*.json): read, parse, validate against scenarios/schema.json with
// ajv (JSON Schema 2020-12), then the checks a schema cannot express (the boards load and
// pair up, names refer to something, documentation addresses). Every problem names the file,
// a JSON Pointer and what was expected — the same shape as board files (host/board/load.ts).
//
// `kind` selects the scenario family: "failover" here. The demo dispatches on it in one
// place (host/cli/demo-kinds.ts); another family adds its definition to the schema and a
// runner there.

import * as path from "path";
import { loadBoard, readJsonFile } from "../board/load";
import { Board, BoardError } from "../board/board";
import { inPrefix } from "../board/validate";
import { SchemaValidator } from "../util/schema";
import { FORMATS } from "../util/formats";
import { Problem, problemLine, locateProblems } from "../util/problems";
import { pointerToken } from "../util/json-locate";
import { formatIPv6, formatMac, parseIPv4, parseIPv6, parseMac } from "../util/addr";
import type { Encap } from "../gasp/repr";
import { dialectDescriptors } from "../dialect/board";
import type { ArpVariant } from "../ha/announcer";
import { SCENARIOS_DIR, displayPath } from "../paths";
import type { ProxiesSpec } from "./proxies";

export { SCENARIOS_DIR };
export const SCENARIO_SCHEMA = path.join(SCENARIOS_DIR, "schema.json");

export type HeartbeatPresetName = "keepalived" | "bfd" | "bfd-hw";

export interface LinkSpec {
  latencyNs?: number;
  bitsPerSecond?: number;
  loss?: number;
  duplicate?: number;
  reorder?: number;
}

export interface HostSpec {
  name: string;
  mac: string;
  ipv4: string;
  side?: string;
  arpAccept?: 0 | 1 | 2;
}

export interface HeartbeatSpec {
  preset?: HeartbeatPresetName;
  intervalMs?: number;
  multiplier?: number;
  skewMs?: number;
  jitter?: boolean;
}

export type FaultSpec =
  | { kind: "crash"; atMs: number; unit: string; trap?: "unreachable" | "oob" | "div0"; wildWrites?: boolean }
  | { kind: "panic" | "hang" | "power-loss"; atMs: number; unit: string }
  | { kind: "link-cut"; atMs: number; unit: string; port: string; untilMs?: number }
  | { kind: "nic-hang"; atMs: number; unit: string; port: string; queue?: number; survivesReset?: boolean }
  | { kind: "partition"; atMs: number; untilMs?: number }
  | { kind: "loss"; atMs: number; untilMs?: number; loss: number; links?: "backplane" | "front" | "host" | "all" };

export type FaultKind = FaultSpec["kind"];

export interface FailoverScenario {
  /** The file it came from, as given (or "(inline)"). */
  file: string;
  kind: "failover";
  name: string;
  description?: string;
  seed?: number;
  durationMs?: number;
  chassis: { boards: string[]; active: string; priorities?: Record<string, number>; chassisId?: number; key?: string; keyId?: number };
  switch?: { forwardNs?: number; ageingMs?: number };
  links?: { backplane?: LinkSpec; front?: LinkSpec; host?: LinkSpec };
  hosts: HostSpec[];
  traffic?: { intervalUs?: number; startMs?: number };
  timers?: {
    heartbeat?: HeartbeatSpec;
    watchdogMs?: number;
    osTickUs?: number;
    irqLatencyNs?: number;
    link?: { pollMs?: number; upDelayMs?: number; downDelayMs?: number };
    announce?: {
      count?: number; spacingUs?: number; secondBurstDelayMs?: number; secondBurstCount?: number;
      refreshMs?: number; refreshCount?: number; arpVariants?: ArpVariant[];
    };
    pathFailover?: { standby?: "cold" | "warm"; delayMs?: number };
  };
  detection?: { gasp?: boolean; copies?: number; linkFirst?: boolean; encaps?: { backplane?: Encap[]; front?: Encap[] } };
  proxies?: ProxiesSpec;
  faults: FaultSpec[];
  compare?: HeartbeatPresetName[];
  expect?: FailoverExpectations;
}

/** What the run must show for `lastgasp demo` to exit 0 (docs/chassis.md "Expectations"). */
export interface FailoverExpectations {
  /** The one unit active at the end. */
  activeAtEnd?: string;
  /** Packets lost, summed over the hosts, at most this many. */
  maxLost?: number;
  /** Every host maps every VIP to the serving unit's MAC at the end (default true). */
  vipsMoved?: boolean;
  /** ARP-proxy mode: the station that takes the VIPs over, and the one that falls silent. */
  proxy?: { announces: string; silent: string };
}

/** Any scenario: the kind decides the rest. */
export type Scenario = FailoverScenario;

/** A loaded failover scenario with its boards. */
export interface LoadedScenario {
  scenario: FailoverScenario;
  boards: Board[];
}

/** A scenario file that cannot be run: every problem, located (any kind). */
export class ScenarioError extends Error {
  constructor(readonly file: string, readonly problems: Problem[]) {
    super(problems.map((p) => problemLine({ file, ...p })).join("\n"));
  }

  get first(): string {
    return problemLine({ file: this.file, ...this.problems[0] });
  }

  /** The same problems with line and column from the file's text. */
  located(text: string): ScenarioError {
    return new ScenarioError(this.file, locateProblems(this.problems, this.file, text));
  }
}

let validator: SchemaValidator | undefined;

export function scenarioSchema(): SchemaValidator {
  return (validator ??= new SchemaValidator(SCENARIO_SCHEMA));
}

/** Reads a scenario file: its parsed JSON and text; a missing, empty or malformed file is a ScenarioError. */
export function readScenarioFile(file: string): { raw: unknown; text: string } {
  const r = readJsonFile(file);
  if ("problem" in r) throw new ScenarioError(file, [r.problem]);
  return r;
}

/** Reads a scenario file as JSON; a missing file or bad JSON is a ScenarioError with a position. */
export function readJson(file: string): unknown {
  return readScenarioFile(file).raw;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** The encapsulations each board port sends the gasp in, as the unit arms them (unit.ts gaspPorts). */
function gaspFrames(board: Board, peer: Board, encaps: { backplane: string[]; front: string[] }): number[] {
  const peerFront = peer.ports.find((p) => p.role === "front");
  const ownBp = board.ports.filter((p) => p.role === "backplane");
  const peerBp = peer.ports.filter((p) => p.role === "backplane");
  return board.ports.map((p) => {
    const to = p.role === "backplane" ? (peerBp[ownBp.indexOf(p)] ?? peerFront) : peerFront;
    let e = p.role === "backplane" ? encaps.backplane : encaps.front;
    if (!p.ipv4.length || !to?.ipv4.length) e = e.filter((x) => x !== "udp");
    return Math.max(1, e.length);
  });
}

/**
 * The checks a schema cannot express, on a parsed file whether or not it passed the schema
 * (each looks only at values of the shape it needs): the boards load and pair up, names refer
 * to something, addresses and MACs do not collide, the units serve the same VIPs, the hosts
 * reach them, the fault rings hold the gasp's copies. A board's own problems are reported in
 * the board's file.
 */
export function semantic(file: string, s: Obj): { problems: Problem[]; boards: Board[] } {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const boards: Board[] = [];
  const dir = path.dirname(file);
  const chassis = isObj(s.chassis) ? s.chassis : {};
  list(chassis.boards).forEach((b, i) => {
    if (typeof b !== "string") return;
    const f = path.resolve(dir, b);
    try {
      const board = loadBoard(f);
      if (board.role !== "linecard") add(`/chassis/boards/${i}`, `${b} is a ${board.role}, not a line card`);
      boards.push(board);
    } catch (e) {
      if (!(e instanceof BoardError)) throw e;
      const n = e.problems.length;
      add(`/chassis/boards/${i}`, n === 1 && e.step === "load" ? `${b}: ${e.problems[0].message}` : `${b}: ${n} problem${n > 1 ? "s" : ""} in the board file (listed with its name)`);
      if (e.step === "schema") problems.push(...e.problems.map((p) => ({ ...p, file: displayPath(f) })));
    }
  });
  const ids = boards.map((b) => b.id);
  const unitOk = (u: string) => boards.length < 2 || ids.includes(u);
  const notBoard = (u: string) => `"${u}" is not one of the boards (${ids.join(", ")})`;
  if (boards.length === 2 && boards.every((x) => x.role === "linecard")) {
    const [a, b] = boards;
    if (a.id === b.id) add("/chassis/boards/1", `both boards are ${a.id}`);
    else {
      if (a.unit === b.unit) add("/chassis/boards/1", `both boards are unit ${a.unit}`);
      if (a.chassis !== b.chassis) add("/chassis/boards/1", `${b.id} is in chassis ${b.chassis}, ${a.id} in ${a.chassis}: an HA pair shares one chassis`);
      for (const [x, y, i] of [[a, b, 0], [b, a, 1]] as const) {
        if (x.peer !== undefined && x.peer !== y.id) add(`/chassis/boards/${i}`, `${x.id} names its peer "${x.peer}", but the other board is ${y.id}`);
      }
      const vipSet = (x: Board) => x.vips.map((v) => (v.ipv4 ?? formatIPv6(parseIPv6(v.ipv6!)))).sort();
      const [va, vb] = [vipSet(a), vipSet(b)];
      if (va.join() !== vb.join()) add("/chassis/boards/1", `${b.id} serves ${vb.join(", ") || "no VIPs"}, ${a.id} serves ${va.join(", ") || "no VIPs"}: the pair must serve the same VIPs (the standby takes over the active's)`);
      const macs = new Map<string, string>();
      for (const x of boards) for (const p of x.ports) {
        if (macs.has(p.mac)) add("/chassis/boards/1", `${p.mac} is the MAC of ${macs.get(p.mac)} and of ${x.id}/${p.name}`);
        else macs.set(p.mac, `${x.id}/${p.name}`);
      }
      const addrs = new Map<string, string>();
      for (const x of boards) for (const p of x.ports) for (const pre of [...p.ipv4, ...p.ipv6]) {
        const ad = pre.split("/")[0];
        const key = ad.includes(":") ? formatIPv6(parseIPv6(ad)) : ad;
        if (addrs.has(key)) add("/chassis/boards/1", `${ad} is the address of ${addrs.get(key)} and of ${x.id}/${p.name}`);
        else addrs.set(key, `${x.id}/${p.name}`);
      }
      for (const x of boards) {
        if (!x.ports.some((p) => p.role === "front")) add("/chassis/boards", `${x.id} has no front port`);
        if (!x.vips.length) add("/chassis/boards", `${x.id} has no VIPs`);
      }
      // Hosts: unique, on-link with the VIPs, not colliding with the boards.
      const hostMacs = new Map<string, number>();
      const hostIps = new Map<string, number>();
      const v4vips = a.vips.filter((v) => v.ipv4).map((v) => v.ipv4!);
      list(s.hosts).forEach((h, i) => {
        if (!isObj(h)) return;
        const mac = str(h.mac);
        if (mac !== undefined && !FORMATS["unicast-mac"](mac)) {
          const m = formatMac(parseMac(mac));
          if (hostMacs.has(m)) add(`/hosts/${i}/mac`, `${mac} is also the MAC of /hosts/${hostMacs.get(m)}`);
          else if (macs.has(m)) add(`/hosts/${i}/mac`, `${mac} is the MAC of ${macs.get(m)}`);
          else hostMacs.set(m, i);
        }
        const ip = str(h.ipv4);
        if (ip !== undefined && !FORMATS["ipv4-interface"](ip)) {
          const [addr, len] = ip.split("/");
          if (hostIps.has(addr)) add(`/hosts/${i}/ipv4`, `${addr} is also the address of /hosts/${hostIps.get(addr)}`);
          else if (addrs.has(addr)) add(`/hosts/${i}/ipv4`, `${addr} is the address of ${addrs.get(addr)}`);
          else if (v4vips.includes(addr)) add(`/hosts/${i}/ipv4`, `${addr} is a VIP`);
          else hostIps.set(addr, i);
          const off = v4vips.filter((v) => !inPrefix(parseIPv4(v), parseIPv4(addr), Number(len)));
          if (off.length) add(`/hosts/${i}/ipv4`, `${ip} does not contain the VIP ${off.join(", ")}: the hosts reach the VIPs on-link (there is no router on the chassis)`);
        }
      });
      // The fault ring of every port holds the gasp: frames x copies + a lead copy + the empty slot.
      const det = isObj(s.detection) ? s.detection : {};
      const enc = isObj(det.encaps) ? det.encaps : {};
      const encaps = {
        backplane: Array.isArray(enc.backplane) ? (enc.backplane as string[]) : ["raw"],
        front: Array.isArray(enc.front) ? (enc.front as string[]) : ["raw", "udp"],
      };
      const copies = num(det.copies) ?? 3;
      for (const [x, y] of [[a, b], [b, a]] as const) {
        const frames = gaspFrames(x, y, encaps);
        const need = Math.max(...frames.map((f, i) => f * copies + dialectDescriptors(x, x.ports[i].name))) + 2;
        if (need > x.rings.fault) {
          add(det.copies !== undefined ? "/detection/copies" : "/chassis/boards", `${x.id}'s fault ring (rings.fault ${x.rings.fault}) cannot hold the gasp's ${Math.max(...frames)} frames x ${copies} copies, the dialects' copies, a lead copy and the empty slot (${need}): fewer copies or encapsulations, or a larger fault ring`);
        }
      }
    }
  }
  if (boards.length === 2) {
    const active = str(chassis.active);
    if (active !== undefined && !unitOk(active)) add("/chassis/active", notBoard(active));
    for (const k of Object.keys(isObj(chassis.priorities) ? chassis.priorities : {})) if (!unitOk(k)) add(`/chassis/priorities/${pointerToken(k)}`, notBoard(k));
  }
  const timers = isObj(s.timers) ? s.timers : {};
  const hb = isObj(timers.heartbeat) ? timers.heartbeat : undefined;
  if (hb) {
    for (const k of ["intervalMs", "multiplier", "skewMs"]) {
      if (hb.preset !== undefined && hb[k] !== undefined) add(`/timers/heartbeat/${k}`, `not with a preset ("${String(hb.preset)}" sets the timers)`);
    }
    if (hb.preset === undefined && (hb.intervalMs === undefined || hb.multiplier === undefined)) add("/timers/heartbeat", "needs a preset, or intervalMs and multiplier");
  }
  const hostNames = new Set<string>();
  list(s.hosts).forEach((h, i) => {
    if (!isObj(h)) return;
    const name = str(h.name);
    if (name !== undefined) {
      if (hostNames.has(name)) add(`/hosts/${i}/name`, `"${name}" is used twice`);
      hostNames.add(name);
    }
    const side = str(h.side);
    if (side !== undefined && !unitOk(side)) add(`/hosts/${i}/side`, notBoard(side));
  });
  proxyProblems(s, boards, add, new Set([...hostNames]));
  const end = num(s.durationMs) ?? 6000;
  list(s.faults).forEach((f, i) => {
    if (!isObj(f)) return;
    const unit = str(f.unit);
    const port = str(f.port);
    const at = num(f.atMs);
    const until = num(f.untilMs);
    if (unit !== undefined && !unitOk(unit)) add(`/faults/${i}/unit`, notBoard(unit));
    if (port !== undefined && unit !== undefined && boards.length === 2 && ids.includes(unit)) {
      const b = boards[ids.indexOf(unit)];
      if (!b.ports.some((p) => p.name === port)) add(`/faults/${i}/port`, `"${port}" is not a port of ${unit} (${b.ports.map((p) => p.name).join(", ")})`);
    }
    if (until !== undefined && at !== undefined && until <= at) add(`/faults/${i}/untilMs`, `must be after atMs (${at})`);
    if (at !== undefined && at >= end) add(`/faults/${i}/atMs`, `${at} is not before the end of the run (durationMs ${end})`);
  });
  const expect = isObj(s.expect) ? s.expect : {};
  const who = str(expect.activeAtEnd);
  if (who !== undefined && !unitOk(who)) add("/expect/activeAtEnd", notBoard(who));
  return { problems, boards };
}

/** Validates parsed JSON as a scenario of any kind; throws ScenarioError listing every problem. */
export function validateScenario(file: string, raw: unknown, text?: string): LoadedScenario {
  const schema = scenarioSchema().validate(raw);
  const { problems, boards } = isObj(raw) && (raw.kind === undefined || raw.kind === "failover") ? semantic(file, raw) : { problems: [], boards: [] };
  const taken = new Set(schema.map((p) => p.path));
  const all = [...schema, ...problems.filter((p) => p.file !== undefined || !taken.has(p.path))];
  if (all.length) {
    const err = new ScenarioError(file, all);
    throw text === undefined ? err : err.located(text);
  }
  return { scenario: { ...(raw as FailoverScenario), file }, boards };
}

/** Reads, parses and validates a scenario file. */
export function loadScenario(file: string): LoadedScenario {
  const { raw, text } = readScenarioFile(file);
  return validateScenario(file, raw, text);
}

/** The kind of a scenario file, for dispatch before the kind's own loading. */
export function scenarioKind(file: string): string {
  const raw = readJson(file) as { kind?: unknown };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ScenarioError(file, [{ path: "", message: "must be a JSON object" }]);
  if (typeof raw.kind !== "string") throw new ScenarioError(file, [{ path: "/kind", message: "is required (the scenario's kind: failover, loadbalance or upgrade)" }]);
  return raw.kind;
}

/** ARP-proxy mode: one station per unit, each unit one front port, IPv4 VIPs, names that exist. */
function proxyProblems(s: Obj, boards: Board[], add: (path: string, message: string) => void, hostNames: Set<string>): void {
  const px = isObj(s.proxies) ? s.proxies : undefined;
  const stations = list(px?.stations).filter(isObj);
  const names = stations.map((st) => str(st.name));
  const ids = boards.map((b) => b.id);
  stations.forEach((st, i) => {
    const name = str(st.name);
    const client = str(st.client);
    if (name !== undefined && (hostNames.has(name) || names.indexOf(name) !== i)) add(`/proxies/stations/${i}/name`, `"${name}" is also the name of a ${hostNames.has(name) ? "host" : "station"}`);
    if (client === undefined || boards.length !== 2) return;
    if (!ids.includes(client)) add(`/proxies/stations/${i}/client`, `"${client}" is not one of the boards (${ids.join(", ")})`);
    else if (stations.findIndex((x) => x.client === client) !== i) add(`/proxies/stations/${i}/client`, `${client} already has a proxy: one per unit`);
    const mac = str(st.mac);
    const b = boards.find((x) => x.id === client);
    if (mac !== undefined && !FORMATS["unicast-mac"](mac) && boards.some((x) => x.ports.some((p) => p.mac === formatMac(parseMac(mac))))) add(`/proxies/stations/${i}/mac`, `${mac} is the MAC of a board's port`);
    if (b && b.ports.filter((p) => p.role === "front").length !== 1) add(`/proxies/stations/${i}/client`, `${client} has ${b.ports.filter((p) => p.role === "front").length} front ports: a proxied unit reaches its proxy through exactly one`);
  });
  if (px && boards.length === 2) {
    const v6 = boards[0].vips.filter((v) => v.ipv6).map((v) => v.ipv6!);
    if (v6.length) add("/proxies", `an ARP proxy answers for IPv4 addresses only; the boards' VIPs include ${v6.join(", ")}`);
  }
  const ex = isObj(s.expect) && isObj(s.expect.proxy) ? s.expect.proxy : undefined;
  for (const k of ["announces", "silent"]) {
    const v = str(ex?.[k]);
    if (v !== undefined && !names.includes(v)) add(`/expect/proxy/${k}`, px ? `"${v}" is not one of the proxy stations (${names.join(", ")})` : "the scenario has no proxies");
  }
}
