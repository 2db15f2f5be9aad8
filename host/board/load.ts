// Loading a board file: read, parse JSON (errors with line and column), validate against
// boards/schema.json with ajv (JSON Schema 2020-12), then the checks a schema cannot express
// (validate.ts). Every problem names the file, a JSON Pointer and what was expected.

import * as fs from "fs";
import * as path from "path";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import { parseMac } from "../util/addr";
import { Board, BoardError, BoardProblem } from "./board";
import { semanticProblems, physOf } from "./validate";
import { toLayout } from "../flash/layout";

export const BOARDS_DIR = path.join(__dirname, "..", "..", "boards");
export const SCHEMA_FILE = path.join(BOARDS_DIR, "schema.json");

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    validator = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")));
  }
  return validator;
}

/** "line L column C" for a JSON.parse error, from the position V8 reports. */
function parsePosition(text: string, message: string): string {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return `line ${lc[1]} column ${lc[2]}`;
  const pos = /position (\d+)/.exec(message);
  if (!pos) return "";
  const before = text.slice(0, Number(pos[1]));
  const line = before.split("\n").length;
  return `line ${line} column ${before.length - before.lastIndexOf("\n")}`;
}

/** ajv's errors as problems: one per JSON Pointer, in the file's order, without noise. */
export function schemaProblems(errors: ErrorObject[]): BoardProblem[] {
  const byPath = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword === "if" || e.keyword === "oneOf") continue; // their sub-errors say what is wrong
    let p = e.instancePath;
    let m: string;
    switch (e.keyword) {
      case "required":
        p = `${p}/${e.params.missingProperty}`;
        m = "is required";
        break;
      case "additionalProperties":
        p = `${p}/${e.params.additionalProperty}`;
        m = "is not a known field (a misspelling?)";
        break;
      case "enum":
        m = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
        break;
      case "const":
        m = `must be ${JSON.stringify(e.params.allowedValue)}`;
        break;
      case "pattern":
        m = `must match pattern "${e.params.pattern}"`;
        break;
      default:
        m = e.message ?? e.keyword;
    }
    const list = byPath.get(p) ?? [];
    if (!list.includes(m)) list.push(m);
    byPath.set(p, list);
  }
  return [...byPath].map(([p, ms]) => ({ path: p, message: ms.join(" or ") }));
}

/** Validates parsed JSON; throws BoardError("schema") listing every problem. */
export function validateBoard(file: string, raw: unknown): void {
  const validate = schemaValidator();
  if (!validate(raw)) throw new BoardError(file, "schema", schemaProblems(validate.errors ?? []));
  const more = semanticProblems(raw as Parameters<typeof semanticProblems>[0]);
  if (more.length) throw new BoardError(file, "schema", more);
}

/** Reads and parses a board file; throws BoardError("load"). */
export function readBoardJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new BoardError(file, "load", [{ path: "", message: err.code === "ENOENT" ? "no such file" : err.message }]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const where = parsePosition(text, msg);
    throw new BoardError(file, "load", [{ path: "", message: `not valid JSON${where ? ` (${where})` : ""}: ${msg.replace(/^JSON\.parse: /, "")}` }]);
  }
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
    ports: raw.ports.map((p: any) => ({
      name: p.name,
      mac: p.mac,
      macBytes: parseMac(p.mac),
      role: p.role,
      link: { ...p.link },
      ipv4: p.ipv4 ?? [],
      ipv6: p.ipv6 ?? [],
    })),
    vips: raw.vips ?? [],
    trustedKeys: raw.trustedKeys ?? [],
    flash: raw.flash ? toLayout(raw.flash) : undefined,
    sim: raw.sim ?? {},
  };
}

/** Reads, parses and validates a board file. */
export function loadBoard(file: string): Board {
  const raw = readBoardJson(file);
  validateBoard(file, raw);
  return toBoard(file, raw);
}
