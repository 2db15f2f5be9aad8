// The conformance scripts `lastgasp check` replays on every engine (conformance/*.json):
// their builders, recorded on V8 by scripts/gen-conformance.js. A new subsystem adds a builder
// here and regenerates; test/conformance.test.ts fails while a file is out of date.

import type { Call } from "../engines";
import { wire } from "./wire";
import { switchPath } from "./switch";
import { gasp } from "./gasp";
import { faultEntry } from "./fault";
import { engine } from "./engine";
import { image } from "./image";
import { flash } from "./flash";
import { dialect } from "./dialect";

export interface ConformanceSource {
  /** The file is conformance/<name>.json. */
  name: string;
  description: string;
  /** The calls, in order; deterministic (seeded). */
  build(): Call[];
}

export const SOURCES: ConformanceSource[] = [wire, switchPath, gasp, ...faultEntry, engine, image, flash, ...dialect];
