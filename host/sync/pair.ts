// A pair of units: which image each runs, whose transformation table applies, and the
// versions a command crosses on its way from the active to the standby.
//
// Lines on the wire are always in the OLDER version's syntax: a newer active downgrades
// before sending, a newer standby upgrades after receiving. Only the newer image knows the
// step between them (an image knows its past, not its future), so only it transforms and
// only it can check the diff lists (diff.ts).

import { Grammar } from "./grammar";
import { Image } from "./image";

export class UnknownVersionError extends Error {}

/** Dotted numeric versions: "1.10" is newer than "1.9". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export class Registry {
  readonly images: readonly Image[];

  constructor(images: Image[]) {
    this.images = [...images].sort((a, b) => compareVersions(a.version, b.version));
  }

  get versions(): string[] {
    return this.images.map((i) => i.version);
  }

  get(version: string): Image {
    const img = this.images.find((i) => i.version === version);
    if (!img) throw new UnknownVersionError(`unknown version ${version} (known: ${this.versions.join(", ")})`);
    return img;
  }

  /** Every version from `from` to `to` inclusive, in the order a command crosses them. */
  path(from: string, to: string): Image[] {
    const i = this.versions.indexOf(this.get(from).version);
    const j = this.versions.indexOf(this.get(to).version);
    const step = j >= i ? 1 : -1;
    const out: Image[] = [];
    for (let k = i; k !== j + step; k += step) out.push(this.images[k]);
    return out;
  }

  pair(active: string, standby: string): Pair {
    return new Pair(this, this.get(active), this.get(standby));
  }
}

export class Pair {
  /** The image whose table (TFT and DCL) this pair uses: the newer one. */
  readonly table: Image;
  /** The version lines travel in: the older one. */
  readonly wire: Image;
  /** Versions from the active's to the standby's. */
  readonly path: Grammar[];
  readonly direction: "same" | "downgrade" | "upgrade";

  constructor(
    readonly registry: Registry,
    readonly active: Image,
    readonly standby: Image,
  ) {
    const c = compareVersions(active.version, standby.version);
    this.direction = c === 0 ? "same" : c > 0 ? "downgrade" : "upgrade";
    this.table = c >= 0 ? active : standby;
    this.wire = c >= 0 ? standby : active;
    this.path = registry.path(active.version, standby.version).map((i) => i.grammar);
  }

  get name(): string {
    return `${this.active.version}→${this.standby.version}`;
  }

  /** The part of the path the active walks (down to the wire version). */
  get activePath(): Grammar[] {
    return this.direction === "downgrade" ? this.path : [this.active.grammar];
  }

  /** The part the standby walks (up from the wire version). */
  get standbyPath(): Grammar[] {
    return this.direction === "upgrade" ? this.path : [this.standby.grammar];
  }

  /** The reverse pair, for the standby diff list: after a switchover the standby is the one
   * that must sync its commands to the other unit. */
  reversed(): Pair {
    return new Pair(this.registry, this.standby, this.active);
  }
}
