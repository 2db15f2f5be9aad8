// `--events FILE`: a run's whole timeline, every event of every run (the demo's report shows
// only the first of each kind), as JSON lines or CSV (RFC 4180). One row per event:
//
//   run              which run: "gasp" (the scenario as written) or "heartbeat-<preset>"
//   t_ns             simulated time, ns
//   t_from_fault_ns  the same from the first fault (negative before it; empty without a fault)
//   source, event    who said it and what (docs/failover.md, docs/chassis.md name them)
//   detail           the event's fields (JSON in CSV's column)

import { InputError } from "./command";

export type Detail = Record<string, string | number | boolean | null>;

export interface EventRow {
  run: string;
  tNs: number;
  tFromFaultNs: number | null;
  source: string;
  event: string;
  detail: Detail;
}

export type EventsFormat = "jsonl" | "csv";

/** The format asked for, or the one the file name implies (.csv; anything else: JSON lines). */
export function eventsFormat(file: string, asked: string | undefined): EventsFormat {
  if (asked !== undefined) {
    if (asked !== "jsonl" && asked !== "csv") throw new InputError(`--events-format: "${asked}" is not jsonl or csv`);
    return asked;
  }
  return /\.csv$/i.test(file) ? "csv" : "jsonl";
}

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function formatEvents(rows: EventRow[], format: EventsFormat): string {
  if (format === "jsonl") return rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : "");
  const lines = ["run,t_ns,t_from_fault_ns,source,event,detail"];
  for (const r of rows) {
    lines.push([r.run, String(r.tNs), r.tFromFaultNs === null ? "" : String(r.tFromFaultNs), r.source, r.event, Object.keys(r.detail).length ? JSON.stringify(r.detail) : ""].map(csvField).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
