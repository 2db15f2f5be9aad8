// Loading a board file: read, parse JSON (errors with line and column), validate against
// boards/schema.json (JSON Schema 2020-12, host/util/schema.ts) together with the checks a
// schema cannot express (validate.ts). Every problem is reported at once, each with the file,
// a JSON Pointer, its line and column, and the schema's description of the field.

import * as fs from "fs";
import * as path from "path";
import { formatMac, parseMac } from "../util/addr";
import { BOARDS_DIR } from "../paths";
import { SchemaValidator } from "../util/schema";
import { locateProblems, Problem } from "../util/problems";
import { parseErrorPosition } from "../util/json-locate";
import { Board, BoardError, PortDevice } from "./board";
import { semanticProblems, physOf, pciDefaultDma } from "./validate";
import { toLayout } from "../flash/layout";

export { BOARDS_DIR };
export const SCHEMA_FILE = path.join(BOARDS_DIR, "schema.json");

let validator: SchemaValidator | undefined;

export function boardSchema(): SchemaValidator {
  return (validator ??= new SchemaValidator(SCHEMA_FILE));
}

/** Every problem of a parsed board file: the schema's and the semantic checks', together. */
export function boardProblems(raw: unknown): Problem[] {
  const schema = boardSchema().validate(raw);
  const taken = new Set(schema.map((p) => p.path));
  // A field the schema already refused is not reported twice.
  return [...schema, ...semanticProblems(raw).filter((p) => !taken.has(p.path))];
}

/** Validates parsed JSON; throws BoardError("schema") listing every problem. */
export function validateBoard(file: string, raw: unknown, text?: string): void {
  const problems = boardProblems(raw);
  if (problems.length) throw new BoardError(file, "schema", text === undefined ? problems : locateProblems(problems, file, text));
}

/** Reads a JSON input file; a missing, unreadable, empty or malformed file is one problem. */
export function readJsonFile(file: string): { raw: unknown; text: string } | { problem: Problem } {
  let text: string;
  try {
    if (fs.statSync(file).isDirectory()) return { problem: { path: "", message: "is a directory, not a file" } };
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why: Record<string, string> = { ENOENT: "no such file", EACCES: "cannot read it (permission denied)", ENOTDIR: "no such file (a component of the path is not a directory)" };
    return { problem: { path: "", message: why[err.code ?? ""] ?? err.message } };
  }
  if (text.trim() === "") return { problem: { path: "", message: "is empty (expected a JSON object)" } };
  try {
    return { raw: JSON.parse(text), text };
  } catch (e) {
    const msg = (e as Error).message.replace(/^JSON\.parse: /, "");
    const at = parseErrorPosition(text, msg);
    const what = msg.replace(/ in JSON at position \d+.*$/, "").replace(/ \(line \d+ column \d+\)$/, "");
    return { problem: { path: "", ...(at ?? {}), message: `not valid JSON${at ? ` (line ${at.line} column ${at.column})` : ""}: ${what}` } };
  }
}

/** Reads and parses a board file; throws BoardError("load"). */
export function readBoardJson(file: string): unknown {
  return readBoardFile(file).raw;
}

/** The parsed board file and its text (for line and column); throws BoardError("load"). */
export function readBoardFile(file: string): { raw: unknown; text: string } {
  const r = readJsonFile(file);
  if ("problem" in r) throw new BoardError(file, "load", [r.problem]);
  return r;
}

/** A validated board with defaults applied. */
export function toBoard(file: string, raw: any): Board {
  const model = raw.nic.model;
  return {
    file,
    id: raw.id,
    description: raw.description,
    chassis: raw.chassis,
    role: raw.role,
    unit: raw.unit,
    peer: raw.peer,
    nic: { model, txQueues: raw.nic.txQueues ?? (model === "i210" ? 4 : 1), faultQueue: raw.nic.faultQueue ?? null },
    dma: { os: physOf(raw.dma.os), fault: physOf(raw.dma.fault) },
    rings: { ...raw.rings },
    ports: raw.ports.map((p: any) => {
      const macBytes = parseMac(p.mac);
      return { name: p.name, device: portDevice(p), mac: formatMac(macBytes), macBytes, role: p.role, link: { ...p.link }, ipv4: p.ipv4 ?? [], ipv6: p.ipv6 ?? [] };
    }),
    vips: raw.vips ?? [],
    trustedKeys: raw.trustedKeys ?? [],
    dialects: raw.dialects ?? {},
    pathFailover: raw.pathFailover ? { primary: raw.pathFailover.primary, secondary: raw.pathFailover.secondary, delayMs: raw.pathFailover.delayMs ?? 50 } : undefined,
    flash: raw.flash ? toLayout(raw.flash) : undefined,
    sim: raw.sim ?? {},
    switching: raw.switching === undefined ? undefined : path.resolve(path.dirname(file), raw.switching),
  };
}

/** A validated port's hardware, defaults applied (access vfio, dma iommu). */
function portDevice(p: any): PortDevice {
  if (p.kind === "pci") {
    const access = p.pci.access ?? "vfio";
    return { kind: "pci", address: p.pci.address, access, dma: p.pci.dma ?? pciDefaultDma(access), loopback: p.pci.loopback === true };
  }
  if (p.kind === "linux") return { kind: "linux", interface: p.linux.interface };
  return { kind: "sim" };
}

/** Reads, parses and validates a board file. */
export function loadBoard(file: string): Board {
  const { raw, text } = readBoardFile(file);
  validateBoard(file, raw, text);
  return toBoard(file, raw);
}
