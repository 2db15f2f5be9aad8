// The host's half of the flash-operation protocol (assembly/shared/flash.ts): configure the
// core with the layout, perform the operations it lists on a FlashDevice, and read back what
// it found (FLASHINFO). Like host/nic/regops.ts: the decisions are the core's.

import * as L from "../../assembly/shared/flash";
import * as S from "../../assembly/shared/status";
import { STEP_IO } from "../../assembly/shared/regop";
import { FLASH_OP_BASE, FLASH_INFO_BASE, FLASH_WINDOW_BASE, FLASH_WINDOW_SIZE } from "../../assembly/shared/memmap";
import { Core } from "../core/core";
import { statusName } from "../core/status";
import { FlashDevice, FlashIoError } from "./device";
import { FlashLayout, layoutBytes, SLOT_NAMES } from "./layout";
import { versionText } from "../image/format";

/** ABI slot of flash_config's argument (the flashing allocation is slots 72..79). */
export const FLASH_CONFIG_SLOT = 72;

/** Where the image being written comes from (FOP_FETCH). */
export type ImageSource = (offset: number, length: number) => Uint8Array;

export interface RoundHook {
  /** Called after each round is performed, with the round number and the operations in it. */
  (round: number, ops: number): void;
}

/** Sets the core's flash layout for a device; throws with the core's status when refused. */
export function configureFlash(core: Core, layout: FlashLayout, dev: FlashDevice): void {
  const slot = Core.slot(FLASH_CONFIG_SLOT);
  core.write(slot, layoutBytes(layout, dev.geometry));
  const rc = core.exports.flash_config(slot);
  if (rc !== S.OK) throw new Error(`the core refuses the flash layout: ${statusName(rc)}`);
}

const errnoOf = (e: unknown): number => (e instanceof FlashIoError ? -Math.abs(e.errno || 5) : -5);

/**
 * Performs the listed operations in order, writing each result; stops at the first failure
 * (the rest stay pending). Returns true when one of them changed the flash.
 */
export function performFlashOps(core: Core, dev: FlashDevice, source?: ImageSource): boolean {
  const v = core.view;
  const count = v.getUint32(FLASH_OP_BASE + L.FOP_OFF_COUNT, true);
  if (count > L.FOP_MAX) throw new Error(`core listed ${count} flash operations (max ${L.FOP_MAX})`);
  let mutated = false;
  for (let i = 0; i < count; i++) {
    const e = FLASH_OP_BASE + L.FOP_OFF_ENTRIES + i * L.FOP_ENTRY_SIZE;
    const kind = v.getUint32(e + L.FOP_E_KIND, true);
    const addr = v.getUint32(e + L.FOP_E_ADDR, true);
    const win = v.getUint32(e + L.FOP_E_WIN, true);
    const len = v.getUint32(e + L.FOP_E_LEN, true);
    if (win + (kind === L.FOP_READ || kind === L.FOP_PROGRAM || kind === L.FOP_FETCH ? len : 0) > FLASH_WINDOW_SIZE) {
      throw new Error(`flash operation ${i} runs past the window`);
    }
    const w = FLASH_WINDOW_BASE + win;
    let result = 0;
    try {
      if (kind === L.FOP_READ) dev.read(addr, core.bytes.subarray(w, w + len));
      else if (kind === L.FOP_ERASE) {
        mutated = true;
        dev.erase(addr);
      } else if (kind === L.FOP_PROGRAM) {
        mutated = true;
        dev.program(addr, core.bytes.subarray(w, w + len));
      } else if (kind === L.FOP_ISBAD) result = dev.isBad(addr) ? 1 : 0;
      else if (kind === L.FOP_FETCH) {
        if (!source) throw new Error("the core asked for image bytes but no image is being written");
        const data = source(addr, len);
        if (data.length !== len) throw new Error(`image source gave ${data.length} of ${len} bytes at ${addr}`);
        core.bytes.set(data, w);
      } else throw new Error(`flash operation ${i} has unknown kind ${kind}`);
    } catch (err) {
      if (!(err instanceof FlashIoError)) throw err; // a power cut, a bug: not the device's answer
      v.setInt32(e + L.FOP_E_RESULT, errnoOf(err), true);
      break;
    }
    v.setInt32(e + L.FOP_E_RESULT, result, true);
  }
  return mutated;
}

/**
 * Runs a flash operation the core has begun (begin: one of boot_select, flash_write, ...)
 * to its end: returns the core's final status (STEP_DONE or an error).
 */
export function runFlash(core: Core, dev: FlashDevice, begin: () => number, source?: ImageSource, onRound?: RoundHook, maxRounds = 100_000): number {
  let rc = begin();
  if (rc !== S.OK) return rc;
  for (let round = 0; round < maxRounds; round++) {
    rc = core.exports.flash_step();
    if (rc !== STEP_IO) return rc;
    const ops = core.view.getUint32(FLASH_OP_BASE + L.FOP_OFF_COUNT, true);
    if (performFlashOps(core, dev, source)) dev.sync();
    onRound?.(round, ops);
  }
  throw new Error(`flash operation did not finish in ${maxRounds} rounds`);
}

// ---- what the core found --------------------------------------------------------------------

export interface StateRecord {
  seq: number;
  securityCounter: number;
  confirmed: string | null;
  trial: string | null;
  attemptsLeft: number;
  attemptsGiven: number;
  confirmedId: string | null;
  trialId: string | null;
  rejectedId: string | null;
}

export interface SlotReport {
  slot: string;
  checked: boolean;
  /** "ok", "not checked", or the core's reason (a status name). */
  verdict: string;
  status: number;
  length?: number;
  version?: string;
  securityCounter?: number;
  imageId?: string;
  goodBlocks: number;
  badBlocks: number;
}

export interface FlashReport {
  status: number;
  statusName: string;
  chosen: string | null;
  reason: string | null;
  flags: string[];
  target: string | null;
  keep: string | null;
  rounds: number;
  copies: { valid: boolean; seq: number; offset: number }[];
  stateBefore: StateRecord;
  state: StateRecord;
  slots: SlotReport[];
}

const slotName = (v: number) => (v === L.FL_NONE ? null : SLOT_NAMES[v] ?? `slot ${v}`);
const hexId = (b: Uint8Array) => (b.every((x) => x === 0) ? null : Buffer.from(b).toString("hex"));
const REASONS: Record<number, string> = { [L.BOOT_TRIAL]: "trial", [L.BOOT_CONFIRMED]: "confirmed", [L.BOOT_FALLBACK]: "fallback", [L.BOOT_GOLDEN]: "golden" };
const FLAGS: [number, string][] = [
  [L.FIF_NO_STATE, "no-state"],
  [L.FIF_REVERTED, "reverted"],
  [L.FIF_ATTEMPT, "attempt-spent"],
  [L.FIF_STATE_WRITTEN, "state-written"],
  [L.FIF_STATE_WRITE_FAILED, "state-write-failed"],
];

export function readRecord(core: Core, at: number): StateRecord {
  const v = core.view;
  const id = (off: number) => hexId(core.read(at + off, L.FLASH_ID_LEN));
  return {
    seq: v.getUint32(at + L.SR_OFF_SEQ, true),
    securityCounter: v.getUint32(at + L.SR_OFF_COUNTER, true),
    confirmed: slotName(v.getUint8(at + L.SR_OFF_CONFIRMED)),
    trial: slotName(v.getUint8(at + L.SR_OFF_TRIAL)),
    attemptsLeft: v.getUint8(at + L.SR_OFF_ATTEMPTS),
    attemptsGiven: v.getUint8(at + L.SR_OFF_ATTEMPTS_MAX),
    confirmedId: id(L.SR_OFF_CONFIRMED_ID),
    trialId: id(L.SR_OFF_TRIAL_ID),
    rejectedId: id(L.SR_OFF_REJECTED_ID),
  };
}

export function readFlashReport(core: Core): FlashReport {
  const v = core.view;
  const b = FLASH_INFO_BASE;
  const status = v.getInt32(b + L.FI_STATUS, true);
  const flags = v.getUint32(b + L.FI_FLAGS, true);
  const slots: SlotReport[] = [];
  for (const idx of [L.FL_GOLDEN, L.FL_A, L.FL_B]) {
    const s = b + L.FI_SLOTS + idx * L.FI_SLOT_SIZE;
    const st = v.getInt32(s + L.FS_STATUS, true);
    const checked = v.getUint32(s + L.FS_CHECKED, true) === 1;
    const r: SlotReport = {
      slot: SLOT_NAMES[idx],
      checked,
      status: st,
      verdict: !checked || st === L.FS_UNCHECKED ? "not checked" : st === S.OK ? "ok" : statusName(st),
      goodBlocks: v.getUint32(s + L.FS_GOOD_BLOCKS, true),
      badBlocks: v.getUint32(s + L.FS_BAD_BLOCKS, true),
    };
    if (checked && st !== S.E_FLASH_EMPTY && st !== S.E_FLASH_IO && st !== S.E_FLASH_BAD_BLOCKS) {
      r.length = v.getUint32(s + L.FS_LEN, true);
      r.securityCounter = v.getUint32(s + L.FS_COUNTER, true);
      r.version = versionText({ major: v.getUint8(s + L.FS_VERSION), minor: v.getUint8(s + L.FS_VERSION + 1), patch: v.getUint16(s + L.FS_VERSION + 2, true), build: v.getUint32(s + L.FS_VERSION + 4, true) });
      r.imageId = hexId(core.read(s + L.FS_ID, L.FLASH_ID_LEN)) ?? undefined;
    }
    slots.push(r);
  }
  return {
    status,
    statusName: statusName(status),
    chosen: slotName(v.getUint32(b + L.FI_CHOSEN, true)),
    reason: REASONS[v.getUint32(b + L.FI_REASON, true)] ?? null,
    flags: FLAGS.filter(([bit]) => flags & bit).map(([, n]) => n),
    target: slotName(v.getUint32(b + L.FI_TARGET, true)),
    keep: slotName(v.getUint32(b + L.FI_KEEP, true)),
    rounds: v.getUint32(b + L.FI_ROUNDS, true),
    copies: [0, 1].map((k) => ({ valid: v.getUint32(b + L.FI_COPY_VALID + 4 * k, true) === 1, seq: v.getUint32(b + L.FI_COPY_SEQ + 4 * k, true), offset: v.getUint32(b + L.FI_COPY_ADDR + 4 * k, true) })),
    stateBefore: readRecord(core, b + L.FI_STATE_BEFORE),
    state: readRecord(core, b + L.FI_STATE),
    slots,
  };
}
