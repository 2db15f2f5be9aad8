// JSON Schema validation (2020-12, ajv) that reports every problem as a Problem: a JSON
// Pointer, a message a person can act on (a bad address says why, not which regular
// expression it failed: formats.ts), and the schema's own description of the field.
// Board files, failover and loadbalance scenarios all validate through here.

import * as fs from "fs";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import { FORMATS } from "./formats";
import { valueAt } from "./json-locate";
import type { Problem } from "./problems";

type Node = Record<string, unknown>;

export class SchemaValidator {
  private readonly validateFn: ValidateFunction;
  readonly schema: Node;
  /** Schemas this one refers to ("$ref": "<their $id>#/..."), by $id. */
  private readonly others = new Map<string, Node>();

  /** `refs`: files of other schemas this one's $refs name by their $id (a kind that shares another's definitions). */
  constructor(readonly file: string, refs: string[] = []) {
    this.schema = JSON.parse(fs.readFileSync(file, "utf8")) as Node;
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, strictTypes: false });
    for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, { type: "string", validate: (v: string) => check(v) === undefined });
    for (const f of refs) {
      const other = JSON.parse(fs.readFileSync(f, "utf8")) as Node;
      this.others.set(String(other.$id), other);
      ajv.addSchema(other);
    }
    this.validateFn = ajv.compile(this.schema);
  }

  /** Every problem of a parsed document (empty when it is valid). */
  validate(raw: unknown): Problem[] {
    if (this.validateFn(raw)) return [];
    return this.problems(this.validateFn.errors ?? [], raw);
  }

  /** ajv's errors as problems: one per JSON Pointer, without the noise of if/oneOf wrappers. */
  private problems(errors: ErrorObject[], raw: unknown): Problem[] {
    const byPath = new Map<string, string[]>();
    for (const e of errors) {
      if (e.keyword === "if" || e.keyword === "oneOf" || e.keyword === "anyOf") continue; // their sub-errors say what is wrong
      let p = e.instancePath;
      let m: string;
      switch (e.keyword) {
        case "required":
          p = `${p}/${e.params.missingProperty}`;
          m = "is required";
          break;
        case "additionalProperties": {
          p = `${p}/${e.params.additionalProperty}`;
          const known = Object.keys((e.parentSchema as Node | undefined)?.properties ?? {}).filter((k) => k !== "$schema");
          m = `is not a known field (a misspelling?${known.length ? ` known: ${known.join(", ")}` : ""})`;
          break;
        }
        case "enum":
          m = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
          break;
        case "const":
          m = `must be ${JSON.stringify(e.params.allowedValue)}`;
          break;
        case "format": {
          const v = valueAt(raw, p);
          m = (typeof v === "string" ? FORMATS[e.params.format as string]?.(v) : undefined) ?? `must be a ${e.params.format}`;
          break;
        }
        case "pattern":
          m = `"${String(valueAt(raw, p))}" does not have the form ${this.describe(p) ? "described below" : `/${e.params.pattern}/`}`;
          break;
        default:
          m = e.message ?? e.keyword;
      }
      const list = byPath.get(p) ?? [];
      if (!list.includes(m)) list.push(m);
      byPath.set(p, list);
    }
    return [...byPath].map(([p, ms]) => {
      const description = this.describe(p);
      return { path: p, message: ms.join(" or "), ...(description ? { description } : {}) };
    });
  }

  /** The schema's description of the field at an instance pointer, if it has one. */
  describe(pointer: string): string | undefined {
    let cur = this.expand([this.schema]);
    const direct = (nodes: Node[]) => nodes.find((n) => typeof n.description === "string")?.description as string | undefined;
    if (pointer === "") return direct(cur);
    for (const raw of pointer.slice(1).split("/")) {
      const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      const next: Node[] = [];
      for (const n of cur) {
        const props = n.properties as Record<string, Node> | undefined;
        if (props && typeof props[seg] === "object") next.push(props[seg]);
        else if (/^\d+$/.test(seg) && n.items && typeof n.items === "object") next.push(n.items as Node);
        else if (n.additionalProperties && typeof n.additionalProperties === "object") next.push(n.additionalProperties as Node);
      }
      if (!next.length) return undefined;
      cur = this.expand(next);
    }
    return direct(cur);
  }

  /** The nodes and every branch they apply ($ref, allOf/anyOf/oneOf, then/else), in order. */
  private expand(nodes: Node[]): Node[] {
    const out: Node[] = [];
    const seen = new Set<Node>();
    const visit = (n: unknown) => {
      if (!n || typeof n !== "object" || seen.has(n as Node)) return;
      const node = n as Node;
      seen.add(node);
      out.push(node);
      if (typeof node.$ref === "string") {
        const [id, pointer] = node.$ref.split("#");
        const root = id === "" ? this.schema : this.others.get(id);
        if (root && pointer !== undefined) visit(valueAt(root, pointer));
      }
      for (const k of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(node[k])) (node[k] as unknown[]).forEach(visit);
      for (const k of ["then", "else"]) visit(node[k]);
    };
    nodes.forEach(visit);
    return out;
  }
}
