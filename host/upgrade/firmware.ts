// A line card's flash on the chassis (docs/upgrade.md "Flash and boot"): the flash model of
// host/flash (in a file, one per unit, or in memory for campaigns), the board's layout and the
// keys it trusts, and the core as the card's boot ROM: the same boot stage and flasher
// `lastgasp boot | flash | confirm | revert` run (host/flash/card.ts), on this unit's flash.
//
// Every operation opens the model afresh, so a power cut can be armed for it (the model's
// cuts: a program torn at byte, word or page granularity, an erase left half done), and is
// timed with typical datasheet figures for the part (FLASH_TIMING): the controller waits that
// long before its next step, and a cut lands at the time of the operation it tears.

import * as fs from "fs";
import type { Board } from "../board/board";
import { Core } from "../core/core";
import { FlashCard, CardTrust } from "../flash/card";
import { FlashDevice, FlashGeometry } from "../flash/device";
import { FlashModel, PowerCut, Tear } from "../flash/model";
import { FlashLayout, REGION_NAMES } from "../flash/layout";
import { FlashReport } from "../flash/driver";
import { Rng } from "../util/rng";
import * as S from "../../assembly/shared/status";

/** Typical figures: an SPI NOR (4 KiB sector erase 45 ms, 256-byte page 0.7 ms, reads 50 MB/s) and an SLC NAND (block erase 2 ms, page program 200 µs, page read 25 µs + 40 MB/s transfer). */
export const FLASH_TIMING = {
  nor: { eraseNs: 45_000_000, programUnit: 256, programNs: 700_000, readNsPerByte: 20, readNsPerOp: 0 },
  nand: { eraseNs: 2_000_000, programUnit: 0, programNs: 200_000, readNsPerByte: 25, readNsPerOp: 25_000 },
} as const;

type Timing = (typeof FLASH_TIMING)[keyof typeof FLASH_TIMING];

/** A device that counts the time its operations take on the real part. */
class TimedDevice implements FlashDevice {
  ns = 0;
  mutations = 0;
  constructor(readonly inner: FlashDevice, private readonly t: Timing) {}
  get geometry(): FlashGeometry {
    return this.inner.geometry;
  }
  get description(): string {
    return this.inner.description;
  }
  read(off: number, into: Uint8Array): void {
    // NAND: a page load per page touched, then the transfer; NOR: the transfer only.
    this.ns += this.t.readNsPerOp * Math.ceil(into.length / this.inner.geometry.writeSize) + this.t.readNsPerByte * into.length;
    this.inner.read(off, into);
  }
  erase(off: number): void {
    this.ns += this.t.eraseNs;
    this.mutations++;
    this.inner.erase(off);
  }
  program(off: number, data: Uint8Array): void {
    const unit = this.t.programUnit || this.inner.geometry.writeSize;
    this.ns += this.t.programNs * Math.ceil(data.length / unit);
    this.mutations++;
    this.inner.program(off, data);
  }
  isBad(off: number): boolean {
    return this.inner.isBad(off);
  }
  sync(): void {
    this.inner.sync();
  }
  close(): void {
    this.inner.close();
  }
}

export type FlashOpKind = "boot" | "write" | "confirm" | "revert" | "status";

/** A power cut armed for one operation: it lands in mutating operation `atOp` (erase or program, from 0). */
export interface CutRequest {
  atOp: number;
  tear: Tear;
  seed: number;
}

export interface FlashRun {
  kind: FlashOpKind;
  /** What the core reported; null when the power was cut during the operation. */
  report: FlashReport | null;
  /** Modelled time on the part, ns: up to and including the operation that was cut. */
  ns: number;
  /** Erases and programs performed (the one cut included). */
  mutations: number;
  cut: boolean;
}

/** The bytes a layout needs: up to the end of its last region. */
export function layoutEnd(l: FlashLayout): number {
  return Math.max(...REGION_NAMES.map((n) => l.regions[n].offset + l.regions[n].size));
}

function geometryOf(l: FlashLayout): FlashGeometry {
  return { type: l.type, size: layoutEnd(l), eraseSize: l.eraseSize, writeSize: l.writeSize };
}

export class UnitFlash {
  readonly layout: FlashLayout;
  readonly geometry: FlashGeometry;
  /** Every operation run on this flash, in order (reports and campaigns read it). */
  readonly runs: FlashRun[] = [];
  private readonly timing: Timing;

  /**
   * store: a model file (created from `initial` when given), or the bytes of an in-memory
   * model (the campaign's: the same model, without the file).
   */
  constructor(
    readonly board: Board,
    readonly trust: CardTrust,
    private readonly store: { file: string } | { bytes: Uint8Array },
    initial?: Uint8Array,
    private readonly core: Core = Core.load(),
  ) {
    if (!board.flash) throw new Error(`board ${board.id} has no flash layout`);
    this.layout = board.flash;
    this.geometry = geometryOf(this.layout);
    this.timing = FLASH_TIMING[this.layout.type];
    if ("file" in store) {
      fs.rmSync(store.file, { force: true });
      fs.rmSync(FlashModel.sidecarOf(store.file), { force: true });
      FlashModel.create(store.file, this.geometry);
      if (initial) fs.writeFileSync(store.file, initial);
    } else if (initial) {
      store.bytes.set(initial);
    }
  }

  /** An in-memory flash of this board's layout, erased (for provisioning templates). */
  static blank(board: Board, trust: CardTrust, core?: Core): UnitFlash {
    return new UnitFlash(board, trust, { bytes: new Uint8Array(geometryOf(board.flash!).size).fill(0xff) }, undefined, core);
  }

  private open(cut?: CutRequest): FlashModel {
    const opts = cut ? { cut: { atOp: cut.atOp, tear: cut.tear, rng: new Rng(cut.seed) } } : {};
    if ("file" in this.store) return FlashModel.open(this.store.file, { type: this.layout.type, eraseSize: this.layout.eraseSize, writeSize: this.layout.writeSize }, opts);
    return FlashModel.inMemory(this.geometry, opts, this.store.bytes);
  }

  /** Runs one operation of the core's boot stage or flasher; a cut ends it with report null. */
  run(kind: FlashOpKind, image?: Uint8Array, cut?: CutRequest): FlashRun {
    const model = this.open(cut);
    const dev = new TimedDevice(model, this.timing);
    let report: FlashReport | null = null;
    try {
      const card = new FlashCard(dev, this.layout, this.trust, this.core);
      if (kind === "boot") report = card.boot();
      else if (kind === "write") report = card.flash(image!);
      else if (kind === "confirm") report = card.confirm();
      else if (kind === "revert") report = card.revert();
      else report = card.status(true);
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
    } finally {
      dev.close();
    }
    const run: FlashRun = { kind, report, ns: dev.ns, mutations: dev.mutations, cut: report === null };
    this.runs.push(run);
    return run;
  }

  /** Manufacture: golden written once, then `image` flashed, booted and confirmed. Throws if any step fails. */
  provision(golden: Uint8Array, image: Uint8Array): void {
    const card = new FlashCard(this.open(), this.layout, this.trust, this.core);
    try {
      for (const [what, r] of [
        ["golden", () => card.golden(golden)],
        ["flash", () => card.flash(image)],
        ["boot", () => card.boot()],
        ["confirm", () => card.confirm()],
      ] as const) {
        const rep = r();
        if (rep.status !== S.OK) throw new Error(`provisioning ${this.board.id}: ${what}: ${rep.statusName}`);
      }
    } finally {
      card.dev.close();
    }
  }

  /** The whole flash as it is now (templates, campaigns' checks). */
  bytes(): Uint8Array {
    const m = this.open();
    try {
      return m.raw();
    } finally {
      m.close();
    }
  }

  /**
   * The image in a slot, read straight from the cells (bad blocks skipped as the layout
   * says), `length` bytes: what a boot loader copies into RAM after the boot stage chose it.
   */
  readSlot(slot: string, length: number): Uint8Array {
    const region = this.layout.regions[slot.toLowerCase() as "golden" | "a" | "b"];
    const e = this.layout.eraseSize;
    const m = this.open();
    const out = new Uint8Array(length);
    try {
      let got = 0;
      for (let off = region.offset; got < length && off < region.offset + region.size; off += e) {
        if (m.isBad(off)) continue;
        const chunk = out.subarray(got, Math.min(length, got + e));
        m.read(off, chunk);
        got += chunk.length;
      }
      if (got < length) throw new Error(`slot ${slot} holds fewer than ${length} good bytes`);
    } finally {
      m.close();
    }
    return out;
  }
}
