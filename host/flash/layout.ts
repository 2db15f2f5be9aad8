// A board's flash section (boards/schema.json "flash", docs/flashing.md): the part's
// geometry and the four regions, parsed, checked with one message per problem, and turned
// into the core's layout (shared/flash.ts FLC_*). The core checks the same rules again
// (flash_config); the host checks first to name what is wrong.

import * as L from "../../assembly/shared/flash";
import { FlashGeometry, FlashType } from "./device";

export type RegionName = "state" | "golden" | "a" | "b";
export const REGION_NAMES: RegionName[] = ["state", "golden", "a", "b"];
/** Region names by the core's index (FL_STATE, FL_GOLDEN, FL_A, FL_B). */
export const SLOT_NAMES = ["state", "golden", "A", "B"];

export interface Region {
  offset: number;
  size: number;
}

export interface FlashLayout {
  type: FlashType;
  size: number;
  eraseSize: number;
  writeSize: number;
  trialAttempts: number;
  regions: Record<RegionName, Region>;
}

export const DEFAULT_TRIAL_ATTEMPTS = 3;

/** "0x20000" or 131072. */
export function flashNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^0x[0-9a-f]+$/.test(v)) return parseInt(v.slice(2), 16);
  return NaN;
}

export interface RawFlash {
  type: FlashType;
  size: number | string;
  eraseSize: number | string;
  writeSize: number | string;
  trialAttempts?: number;
  state: { offset: number | string; size: number | string };
  golden: { offset: number | string; size: number | string };
  a: { offset: number | string; size: number | string };
  b: { offset: number | string; size: number | string };
}

export function toLayout(raw: RawFlash): FlashLayout {
  const region = (r: { offset: number | string; size: number | string }) => ({ offset: flashNumber(r.offset), size: flashNumber(r.size) });
  return {
    type: raw.type,
    size: flashNumber(raw.size),
    eraseSize: flashNumber(raw.eraseSize),
    writeSize: flashNumber(raw.writeSize),
    trialAttempts: raw.trialAttempts ?? DEFAULT_TRIAL_ATTEMPTS,
    regions: { state: region(raw.state), golden: region(raw.golden), a: region(raw.a), b: region(raw.b) },
  };
}

const pow2 = (v: number) => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0;
const hex = (n: number) => `0x${n.toString(16)}`;

/** Every problem with a layout, as [JSON Pointer below /flash, message]. */
export function layoutProblems(l: FlashLayout): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const add = (path: string, message: string) => out.push({ path: `/flash${path}`, message });
  if (!pow2(l.eraseSize) || l.eraseSize < 512 || l.eraseSize > L.FLASH_MAX_ERASE) add("/eraseSize", `must be a power of two in 512..${L.FLASH_MAX_ERASE}`);
  if (!pow2(l.writeSize) || l.writeSize > l.eraseSize) add("/writeSize", `must be a power of two no larger than eraseSize`);
  else if (2 * Math.ceil(L.SR_LEN / l.writeSize) * l.writeSize > l.eraseSize) add("/writeSize", `two state records (${L.SR_LEN} bytes, rounded up to writeSize) must fit in one erase block`);
  if (!Number.isInteger(l.size) || l.size <= 0 || l.size > 0xffffffff || (pow2(l.eraseSize) && l.size % l.eraseSize !== 0)) add("/size", `must be a multiple of eraseSize below 4 GiB`);
  if (out.length) return out;
  for (const name of REGION_NAMES) {
    const r = l.regions[name];
    if (!Number.isInteger(r.offset) || !Number.isInteger(r.size) || r.size <= 0) add(`/${name}`, "offset and size must be numbers, size above 0");
    else if (r.offset % l.eraseSize !== 0 || r.size % l.eraseSize !== 0) add(`/${name}`, `offset ${hex(r.offset)} and size ${hex(r.size)} must be multiples of eraseSize (${hex(l.eraseSize)})`);
    else if (r.offset + r.size > l.size) add(`/${name}`, `[${hex(r.offset)}, ${hex(r.offset + r.size)}) runs past the end of the flash (${hex(l.size)})`);
    else if (l.type === "nand" && r.size / l.eraseSize > L.FLASH_MAX_BAD_MAP) add(`/${name}`, `more than ${L.FLASH_MAX_BAD_MAP} erase blocks (the core's bad-block map)`);
  }
  if (l.regions.state.size < 2 * l.eraseSize) add("/state", `needs two erase blocks at least (two alternating copies), has ${hex(l.regions.state.size)}`);
  for (let i = 0; i < REGION_NAMES.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = l.regions[REGION_NAMES[i]];
      const b = l.regions[REGION_NAMES[j]];
      if (a.offset < b.offset + b.size && b.offset < a.offset + a.size) add(`/${REGION_NAMES[i]}`, `overlaps ${REGION_NAMES[j]} ([${hex(a.offset)}, ${hex(a.offset + a.size)}) and [${hex(b.offset)}, ${hex(b.offset + b.size)}))`);
    }
  }
  return out;
}

/**
 * Problems of a board file's flash section as parsed (board validation runs these whether or
 * not the file passed the schema): only a section of the right shape is checked here; the
 * schema reports the rest.
 */
export function flashSectionProblems(raw: unknown): { path: string; message: string }[] {
  if (!raw || typeof raw !== "object") return [];
  const f = raw as Record<string, unknown>;
  if (f.type !== "nor" && f.type !== "nand") return [];
  const region = (v: unknown) => !!v && typeof v === "object" && !Number.isNaN(flashNumber((v as Record<string, unknown>).offset)) && !Number.isNaN(flashNumber((v as Record<string, unknown>).size));
  if (!REGION_NAMES.every((n) => region(f[n]))) return [];
  if ([f.size, f.eraseSize, f.writeSize].some((v) => Number.isNaN(flashNumber(v)))) return [];
  if (f.trialAttempts !== undefined && typeof f.trialAttempts !== "number") return [];
  return layoutProblems(toLayout(raw as RawFlash));
}

/** The layout as the core's flash_config argument (FLC_LEN bytes). */
export function layoutBytes(l: FlashLayout, geometry: FlashGeometry): Uint8Array {
  const b = new Uint8Array(L.FLC_LEN);
  const v = new DataView(b.buffer);
  v.setUint32(L.FLC_DEVICE_SIZE, geometry.size >>> 0, true);
  v.setUint32(L.FLC_ERASE_SIZE, l.eraseSize, true);
  v.setUint32(L.FLC_WRITE_SIZE, l.writeSize, true);
  v.setUint32(L.FLC_FLAGS, l.type === "nand" ? L.FLC_F_BAD_BLOCKS : 0, true);
  v.setUint32(L.FLC_ATTEMPTS, l.trialAttempts, true);
  const order: RegionName[] = ["state", "golden", "a", "b"];
  order.forEach((name, i) => {
    v.setUint32(L.FLC_REGION + i * 8, l.regions[name].offset, true);
    v.setUint32(L.FLC_REGION + i * 8 + 4, l.regions[name].size, true);
  });
  return b;
}

/** Why a device cannot hold this layout (one line), or undefined. */
export function geometryMismatch(l: FlashLayout, g: FlashGeometry): string | undefined {
  if (g.type !== l.type) return `the target is ${g.type.toUpperCase()} flash, the board's layout is for ${l.type.toUpperCase()}`;
  if (g.eraseSize !== l.eraseSize) return `the target's erase block is ${hex(g.eraseSize)} bytes, the board's layout needs ${hex(l.eraseSize)}`;
  if (g.writeSize !== l.writeSize) return `the target's write size is ${g.writeSize} bytes, the board's layout needs ${l.writeSize}`;
  const end = Math.max(...REGION_NAMES.map((n) => l.regions[n].offset + l.regions[n].size));
  if (g.size < end) return `the target has ${hex(g.size)} bytes, smaller than the layout (it ends at ${hex(end)})`;
  return undefined;
}
