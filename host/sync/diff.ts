// Diff lists and the compatibility verdict.
//
// The standby compares the active's CLI dump with its own: the Active diff list (ADL) holds
// the commands only the active accepts, the Standby diff list (SDL) those only the standby
// accepts. Every ADL entry must reach the standby's version (transforms, or the DCL); every
// SDL entry must reach the active's version the same way, because after a switchover the
// standby becomes the active and must sync its commands back. One entry with no way across
// makes the images incompatible: the pair runs cold (RPR) instead of hot (SSO).
//
// The check is static (per command, not per configured value): a transform that refuses
// some values still counts, since its refusals go to the policy handler with a published
// action. A transform that produces nothing for any value (a command with no counterpart)
// is reported as such: "policy: warn" etc.

import { Grammar } from "./grammar";
import { Image } from "./image";
import { Pair } from "./pair";
import { PolicyAction } from "./tft";

/** Entries of `a` not in `b`; both sorted (CLI dumps are). One merge pass. */
export function sortedDifference(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j] < x) j++;
    if (j >= b.length || b[j] !== x) out.push(x);
  }
  return out;
}

export function diffLists(activeDump: readonly string[], standbyDump: readonly string[]): { adl: string[]; sdl: string[] } {
  return { adl: sortedDifference(activeDump, standbyDump), sdl: sortedDifference(standbyDump, activeDump) };
}

export type EntryStatus = "transform" | "dcl" | "policy" | "missing";

export interface DiffEntry {
  /** The CLI dump entry. */
  sig: string;
  /** The command id in the version it belongs to. */
  id: string;
  status: EntryStatus;
  /** How it crosses ("1.1→1.0 failover.heartbeat"), or where it stops. */
  detail: string;
  /** For "policy": the published action for its values. */
  action?: PolicyAction;
}

/** How a command of path[0] crosses to the end of the path, statically. */
export function crossing(table: Image, path: Grammar[], sig: string): DiffEntry {
  const spec = path[0].specBySig(sig);
  if (!spec) throw new Error(`${sig} is not a ${path[0].version} command`);
  const hops: string[] = [];
  let status: EntryStatus = "transform";
  let action: PolicyAction | undefined;
  let missing: string | undefined;

  const visit = (i: number, id: string): void => {
    if (missing || i + 1 >= path.length) return;
    const from = path[i];
    const to = path[i + 1];
    const s = from.spec(id);
    const t = table.tft.find(from.version, to.version, id);
    if (t) {
      hops.push(`${from.version}→${to.version} ${id}${t.to.length ? ` → ${t.to.join(" + ")}` : " (no counterpart)"}`);
      if (t.to.length === 0) {
        status = status === "transform" ? "policy" : status;
        action = t.policy;
      }
      for (const next of t.to) visit(i + 1, next);
      return;
    }
    if (to.has(s.sig)) return visit(i + 1, to.specBySig(s.sig)!.id);
    const dcl = table.dclEntry(from.version, id);
    if (dcl) {
      hops.push(`${from.version} ${id} on ${table.version}'s DCL (${dcl.why})`);
      if (hops.length === 1) status = "dcl";
      return;
    }
    missing = `image ${table.version} has no ${from.version}→${to.version} transform for ${id} and it is not on the DCL`;
  };
  visit(0, spec.id);
  if (missing) return { sig, id: spec.id, status: "missing", detail: missing };
  return { sig, id: spec.id, status, detail: hops.join("; "), action };
}

export interface Compatibility {
  pair: string;
  /** The image whose table decided. */
  table: string;
  compatible: boolean;
  adl: DiffEntry[];
  sdl: DiffEntry[];
  /** One line per missing entry. */
  reasons: string[];
}

/** The verdict for a pair, from its diff lists and the newer image's table. */
export function checkPair(pair: Pair): Compatibility {
  const { adl, sdl } = diffLists(pair.active.dump, pair.standby.dump);
  return checkLists(pair, adl, sdl);
}

/** The verdict for diff lists as a unit received them. An entry the table's path does not
 * know at all (a dump that disagrees with the version it claims) is missing too. */
export function checkLists(pair: Pair, adl: string[], sdl: string[]): Compatibility {
  const back = pair.reversed();
  const cross = (path: Grammar[], sig: string): DiffEntry =>
    path[0].has(sig) ? crossing(pair.table, path, sig) : { sig, id: "?", status: "missing", detail: `not a ${path[0].version} command` };
  const a = adl.map((sig) => cross(pair.path, sig));
  const s = sdl.map((sig) => cross(back.path, sig));
  const reasons = [
    ...a.filter((e) => e.status === "missing").map((e) => `ADL ${e.sig}: ${e.detail}`),
    ...s.filter((e) => e.status === "missing").map((e) => `SDL ${e.sig}: ${e.detail}`),
  ];
  return { pair: pair.name, table: pair.table.version, compatible: reasons.length === 0, adl: a, sdl: s, reasons };
}
