// The unit's log: one line per event on stdout, for a person (`2026-05-01T10:00:00.123Z
// unit-a role.takeover reason=gasp epoch=3`) or, with --json, as JSON lines
// (`{"time":"…","unit":"unit-a","level":"info","event":"role.takeover","reason":"gasp","epoch":3}`)
// that journald, a log shipper or a test reads field by field. Warnings and errors go to
// stdout too (one stream keeps their order) with level warn / error; the CLI's own one-line
// errors before the unit runs go to stderr as every command's do. docs/running-a-pair.md.

import * as fs from "fs";
import type { LogFields } from "./service";

export type Level = "info" | "warn" | "error";

export interface RunLog {
  (event: string, fields?: LogFields, level?: Level): void;
}

const RESERVED = new Set(["time", "unit", "level", "event"]);

/** A value as a person reads it after `key=`: quoted when it has spaces or quotes. */
function human(v: unknown): string {
  const s = String(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

/** A log writing to fd (stdout by default) with one write(2) per line (lines never interleave). */
export function runLog(unit: string, json: boolean, fd = 1): RunLog {
  return (event, fields = {}, level = "info") => {
    const time = new Date().toISOString();
    // A field never replaces the line's own time, unit, level or event.
    const kept = Object.entries(fields).filter(([k, v]) => v !== undefined && !RESERVED.has(k));
    const line = json
      ? JSON.stringify({ time, unit, level, event, ...Object.fromEntries(kept) })
      : `${time} ${unit}${level === "info" ? "" : ` ${level.toUpperCase()}`} ${event}${kept.map(([k, v]) => ` ${k}=${human(v)}`).join("")}`;
    try {
      fs.writeSync(fd, line + "\n");
    } catch {
      // stdout gone (a closed pipe): the unit keeps running; its status socket still answers.
    }
  };
}
