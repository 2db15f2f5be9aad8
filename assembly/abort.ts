// The core's abort handler. AssemblyScript's default abort is an import from the host
// (env.abort); this replaces it (asc --use abort=assembly/abort/coreAbort) so the module
// has no imports at all. The core never relies on aborts: every decoder bounds-checks
// first. If one fires anyway, remember where and trap: a trap is a bug the tests catch.

import { STATE_ABORT_LINE } from "./state";

export function coreAbort(msg: string | null, file: string | null, line: u32, column: u32): void {
  store<u32>(STATE_ABORT_LINE, line);
  unreachable();
}
