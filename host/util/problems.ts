// Problems with an input file, as every validator reports them (board files, scenarios):
// where — the file, a JSON Pointer (RFC 6901), line and column — what is wrong, and what the
// field is (the schema's own description). The CLI prints one line per problem and puts the
// list into its JSON error object; nothing stops at the first.

import { locateJson, positionOf } from "./json-locate";

export interface Problem {
  /** The file the problem is in (a scenario's problem may be in one of its boards). */
  file?: string;
  /** JSON Pointer into the file ("" for the whole file). */
  path: string;
  line?: number;
  column?: number;
  message: string;
  /** What the field is, from the schema's description of it. */
  description?: string;
}

/** A problem as one line: `FILE:LINE:COLUMN: /pointer: message`. */
export function problemLine(p: Problem): string {
  const where = p.file ? `${p.file}${p.line !== undefined ? `:${p.line}:${p.column}` : ""}: ` : "";
  return `${where}${p.path || "/"}: ${p.message}`;
}

/**
 * Gives problems without a file this one, with the line and column of their pointer in its
 * text; sorted in file order (problems of other files keep their place after them).
 */
export function locateProblems(problems: Problem[], file: string, text: string): Problem[] {
  const map = locateJson(text);
  const located = problems.map((p) => {
    if (p.file !== undefined && p.file !== file) return p;
    const at = p.line === undefined ? positionOf(map, p.path) : { line: p.line, column: p.column! };
    return { ...p, file, ...(at ? { line: at.line, column: at.column } : {}) };
  });
  const key = (p: Problem) => (p.file === file ? (p.line ?? 0) * 1e6 + (p.column ?? 0) : Number.MAX_SAFE_INTEGER);
  return located.map((p, i) => ({ p, i })).sort((a, b) => key(a.p) - key(b.p) || a.i - b.i).map((x) => x.p);
}
