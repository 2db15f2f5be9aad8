// Registries for tests. The shipped 2.0 carries no downgrade to 1.0 (so 1.0/2.0 pairs are
// incompatible); "2.0 with rollback" also carries the 1.1→1.0 step (the very transforms 1.1
// ships), which gives two-step paths in both directions to exercise multi-step sync.

import * as fs from "fs";
import * as path from "path";
import { CONFIGS_DIR } from "../paths";
import { Image } from "../sync/image";
import { Registry } from "../sync/pair";
import { IMAGE_1_0 } from "../sync/images/v1_0";
import { IMAGE_1_1 } from "../sync/images/v1_1";
import { IMAGE_2_0 } from "../sync/images/v2_0";
import { STEP_1_1_TO_1_0 } from "../sync/images/step_1_0_1_1";
import { shipped } from "../sync/images";

export const CONFIGS = CONFIGS_DIR;

export function exampleConfig(version: string): string {
  return fs.readFileSync(path.join(CONFIGS, `lb-${version}.conf`), "utf8");
}

let rollback: Registry | undefined;
export function rollbackRegistry(): Registry {
  rollback ??= new Registry([
    new Image(IMAGE_1_0),
    new Image(IMAGE_1_1),
    new Image({ ...IMAGE_2_0, summary: "2.0 with rollback to 1.0", steps: [...IMAGE_2_0.steps, STEP_1_1_TO_1_0] }),
  ]);
  return rollback;
}

/** Every ordered pair of the shipped images, and the two-step pairs of the rollback 2.0. */
export function allPairs(): { registry: Registry; active: string; standby: string; label: string }[] {
  const out: { registry: Registry; active: string; standby: string; label: string }[] = [];
  const reg = shipped();
  for (const a of reg.versions) for (const s of reg.versions) out.push({ registry: reg, active: a, standby: s, label: `${a}→${s}` });
  const rb = rollbackRegistry();
  out.push({ registry: rb, active: "2.0", standby: "1.0", label: "2.0(rollback)→1.0" });
  out.push({ registry: rb, active: "1.0", standby: "2.0", label: "1.0→2.0(rollback)" });
  return out;
}
