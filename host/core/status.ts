// Names for the core's status codes, built from the shared declaration (status.ts) so a
// new code needs no second edit here.

import * as status from "../../assembly/shared/status";

const NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(status)) {
  if (typeof value === "number" && (name === "OK" || name.startsWith("E_"))) NAMES.set(value, name);
}

export function statusName(code: number): string {
  return NAMES.get(code) ?? (code >= 0 ? `OK(${code})` : `E_UNKNOWN(${code})`);
}

/** A negative status from a core export, thrown by the host's typed wrappers. */
export class CoreError extends Error {
  constructor(
    readonly fn: string,
    readonly status: number,
  ) {
    super(`${fn} returned ${statusName(status)} (${status})`);
  }
}
