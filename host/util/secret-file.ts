// Files that hold a secret — a chassis key (host/gasp/key.ts), an image-signing private key
// (host/image/keys.ts) — are used only when nobody but their owner can read or change them,
// as ssh insists for a private key: mode 0600 or stricter, a regular file.

import * as fs from "fs";

/** Why the file must not be used for a secret (what: "chassis key", "private key"), or undefined. */
export function secretFileProblem(file: string, what: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "no such file" : `cannot read the ${what} (${code ?? (e as Error).message})`;
  }
  if (st.isDirectory()) return `is a directory, not a ${what} file`;
  if (!st.isFile()) return `the ${what} is not a regular file`;
  if (st.mode & 0o077) return `${what} is readable by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}); chmod 600 ${file}`;
  return undefined;
}
