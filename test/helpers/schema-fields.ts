// Every property name a JSON Schema declares, however deep (a page documenting a schema must
// name each one).

import * as fs from "fs";

export function schemaFieldNames(file: string): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown) => {
    if (!node || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === "object") for (const k of Object.keys(o.properties)) if (k !== "$schema") names.add(k);
    for (const v of Object.values(o)) walk(v);
  };
  walk(JSON.parse(fs.readFileSync(file, "utf8")));
  return names;
}
