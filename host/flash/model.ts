// A flash part in a file (or in memory), with the semantics that make power cuts dangerous:
//
//   NOR   program only clears bits (new = old & data); erase sets a whole block to 0xff.
//   NAND  the same, in whole pages, and a page must be erased before it is programmed; bad
//         blocks refuse erase and program (EIO); bit flips: up to `eccStrength` flipped bits
//         per 512-byte ECC step are corrected on read, more come back wrong WITHOUT an error
//         (as a plain read of Linux's nandsim does).
//
// Power cuts: `cut` names a mutating operation (erase or program, counted from 0); when it
// comes, it is done only in part — a program torn at byte, word or page granularity (the
// torn unit with a random part of its bits programmed), an erase left half done (a prefix
// erased, the unit at the edge with a random part of its bits set) — and PowerCut is thrown;
// every later operation throws PowerCut too, until powerOn(). A file-backed model writes
// every mutating operation to its file at once, so killing the process is a power cut too.
//
// Bad blocks and injected bit flips of a file-backed NAND model live in a sidecar,
// FILE.nand.json.

import * as fs from "fs";
import { FlashDevice, FlashGeometry, FlashIoError, ERRNO } from "./device";
import { Rng } from "../util/rng";

export type Tear = "byte" | "word" | "page";
export const TEARS: Tear[] = ["byte", "word", "page"];

export class PowerCut extends Error {
  constructor(readonly op: number) {
    super(`power cut at flash operation ${op}`);
  }
}

export interface CutSpec {
  /** Index of the mutating operation (erase or program) the power dies in. */
  atOp: number;
  tear: Tear;
  rng: Rng;
}

export interface ModelOptions {
  badBlocks?: number[];
  /** Bits per 512-byte ECC step the NAND corrects on read (default 1, nandsim's). */
  eccStrength?: number;
  cut?: CutSpec;
  /** Throw (a test's tripwire) if an erase or program touches [from, to). */
  guard?: { from: number; to: number; name: string };
  /** Called before every mutating operation, with the model as it is before it. */
  beforeMutate?: (op: ModelOp, model: FlashModel) => void;
}

/** A mutating operation as the model saw it (for campaigns: what would have been done). */
export interface ModelOp {
  kind: "erase" | "program";
  off: number;
  data?: Uint8Array;
}

const ECC_STEP = 512;

interface Backing {
  read(off: number, len: number): Uint8Array;
  write(off: number, data: Uint8Array): void;
  close(): void;
}

class MemoryBacking implements Backing {
  constructor(readonly bytes: Uint8Array) {}
  read(off: number, len: number) {
    return this.bytes.slice(off, off + len);
  }
  write(off: number, data: Uint8Array) {
    this.bytes.set(data, off);
  }
  close() {}
}

class FileBacking implements Backing {
  constructor(private fd: number) {}
  read(off: number, len: number) {
    const b = new Uint8Array(len);
    fs.readSync(this.fd, b, 0, len, off);
    return b;
  }
  write(off: number, data: Uint8Array) {
    fs.writeSync(this.fd, data, 0, data.length, off);
  }
  close() {
    fs.closeSync(this.fd);
  }
}

interface Sidecar {
  /** A NAND model's geometry: the file alone is only its cells. */
  eraseSize?: number;
  writeSize?: number;
  badBlocks: number[];
  /** Injected bit flips: byte offset -> xor mask. */
  flips: [number, number][];
}

export class FlashModel implements FlashDevice {
  readonly description: string;
  /** Mutating operations performed (or attempted) so far. */
  ops = 0;
  /** Every mutating operation, in order, with its data (when recording). */
  readonly log: ModelOp[] = [];
  record = false;
  private powered = true;
  private readonly bad: Set<number>;
  private readonly flips = new Map<number, number>();
  private readonly ecc: number;

  private constructor(
    readonly geometry: FlashGeometry,
    private readonly store: Backing,
    private readonly opts: ModelOptions,
    private readonly sidecar: string | undefined,
    what: string,
  ) {
    this.bad = new Set(opts.badBlocks ?? []);
    this.ecc = opts.eccStrength ?? 1;
    this.description = `${geometry.type.toUpperCase()} model ${what}`;
  }

  /** A model in memory over `bytes` (erased when absent). */
  static inMemory(geometry: FlashGeometry, opts: ModelOptions = {}, bytes?: Uint8Array): FlashModel {
    return new FlashModel(geometry, new MemoryBacking(bytes ?? new Uint8Array(geometry.size).fill(0xff)), opts, undefined, "(memory)");
  }

  static sidecarOf(file: string): string {
    return `${file}.nand.json`;
  }

  /** Creates an erased model file (and a NAND's sidecar). Refuses to replace an existing file. */
  static create(file: string, geometry: FlashGeometry, opts: { badBlocks?: number[] } = {}): void {
    const fd = fs.openSync(file, "wx", 0o644);
    try {
      const block = new Uint8Array(Math.min(geometry.size, 1 << 20)).fill(0xff);
      for (let at = 0; at < geometry.size; at += block.length) fs.writeSync(fd, block, 0, Math.min(block.length, geometry.size - at), at);
    } finally {
      fs.closeSync(fd);
    }
    if (geometry.type === "nand") {
      const s: Sidecar = { eraseSize: geometry.eraseSize, writeSize: geometry.writeSize, badBlocks: opts.badBlocks ?? [], flips: [] };
      fs.writeFileSync(FlashModel.sidecarOf(file), JSON.stringify(s) + "\n");
    }
  }

  /**
   * Opens a model file. Its size is the device's; with a sidecar it is NAND with the sidecar's
   * geometry, without one NOR with the erase size the caller (the board) expects.
   */
  static open(file: string, expected: Omit<FlashGeometry, "size">, opts: ModelOptions = {}): FlashModel {
    const size = fs.statSync(file).size;
    const side = FlashModel.sidecarOf(file);
    let geometry: FlashGeometry = { type: "nor", size, eraseSize: expected.eraseSize, writeSize: expected.type === "nor" ? expected.writeSize : 1 };
    let sc: Sidecar = { badBlocks: [], flips: [] };
    if (fs.existsSync(side)) {
      sc = JSON.parse(fs.readFileSync(side, "utf8")) as Sidecar;
      geometry = { type: "nand", size, eraseSize: sc.eraseSize ?? expected.eraseSize, writeSize: sc.writeSize ?? expected.writeSize };
    }
    const m = new FlashModel(geometry, new FileBacking(fs.openSync(file, "r+")), { ...opts, badBlocks: [...(opts.badBlocks ?? []), ...sc.badBlocks] }, geometry.type === "nand" ? side : undefined, file);
    for (const [off, mask] of sc.flips) m.flips.set(off, mask);
    return m;
  }

  private saveSidecar(): void {
    if (!this.sidecar) return;
    const s: Sidecar = { badBlocks: [...this.bad].sort((a, b) => a - b), flips: [...this.flips] };
    fs.writeFileSync(this.sidecar, JSON.stringify(s) + "\n");
  }

  /** The raw cells (no ECC, no flips): for tests and campaigns. */
  raw(off = 0, len = this.geometry.size - off): Uint8Array {
    return this.store.read(off, len);
  }

  powerOn(): void {
    this.powered = true;
    this.opts.cut = undefined;
  }

  markBad(block: number): void {
    this.bad.add(block);
    this.saveSidecar();
  }

  /** Flips bit `bit` of the byte at off (a NAND cell that lost or gained charge). */
  flipBit(off: number, bit: number): void {
    const m = (this.flips.get(off) ?? 0) ^ (1 << bit);
    if (m) this.flips.set(off, m);
    else this.flips.delete(off);
    this.saveSidecar();
  }

  private check(off: number, len: number, what: string): void {
    if (!this.powered) throw new PowerCut(this.ops);
    if (!Number.isInteger(off) || off < 0 || len < 0 || off + len > this.geometry.size) {
      throw new FlashIoError(`${what} [${off}, ${off + len}) outside the device (${this.geometry.size} bytes)`, "EINVAL", ERRNO.EINVAL);
    }
  }

  private blockOf(off: number): number {
    return Math.floor(off / this.geometry.eraseSize);
  }

  read(off: number, into: Uint8Array): void {
    this.check(off, into.length, "read");
    into.set(this.store.read(off, into.length));
    if (this.flips.size === 0) return;
    // Flips count per ECC step: corrected up to eccStrength (NAND), else returned as they are.
    const steps = new Map<number, number>();
    for (const [at, mask] of this.flips) {
      const step = Math.floor(at / ECC_STEP);
      steps.set(step, (steps.get(step) ?? 0) + popcount(mask));
    }
    for (const [at, mask] of this.flips) {
      if (at < off || at >= off + into.length) continue;
      const corrected = this.geometry.type === "nand" && steps.get(Math.floor(at / ECC_STEP))! <= this.ecc;
      if (!corrected) into[at - off] ^= mask;
    }
  }

  isBad(off: number): boolean {
    this.check(off, 0, "isbad");
    return this.geometry.type === "nand" && this.bad.has(this.blockOf(off));
  }

  /** Power cut or guard for mutating operation number this.ops; returns the cut to apply, if any. */
  private mutating(kind: "erase" | "program", off: number, len: number, data?: Uint8Array): CutSpec | undefined {
    this.check(off, len, kind);
    const g = this.opts.guard;
    if (g && off < g.to && g.from < off + len) throw new Error(`${kind} at ${off} touches the ${g.name} region [${g.from}, ${g.to})`);
    if (this.record) this.log.push({ kind, off, data: data ? Uint8Array.from(data) : undefined });
    this.opts.beforeMutate?.({ kind, off, data }, this);
    const cut = this.opts.cut && this.opts.cut.atOp === this.ops ? this.opts.cut : undefined;
    this.ops++;
    if (this.geometry.type === "nand" && this.bad.has(this.blockOf(off))) {
      throw new FlashIoError(`${kind} at ${off}: block ${this.blockOf(off)} is bad`, "EIO", ERRNO.EIO);
    }
    return cut;
  }

  private unit(tear: Tear): number {
    if (tear === "byte") return 1;
    if (tear === "word") return 4;
    return this.geometry.type === "nand" ? this.geometry.writeSize : 256; // NOR: its write buffer
  }

  erase(off: number): void {
    const e = this.geometry.eraseSize;
    if (off % e !== 0) throw new FlashIoError(`erase at ${off}: not on an erase block boundary`, "EINVAL", ERRNO.EINVAL);
    const cut = this.mutating("erase", off, e);
    const ff = new Uint8Array(e).fill(0xff);
    for (const at of [...this.flips.keys()]) if (at >= off && at < off + e) this.flips.delete(at);
    if (!cut) {
      this.store.write(off, ff);
      this.saveSidecar();
      return;
    }
    // Half an erase: a prefix of units erased, the unit at the edge partly.
    const u = this.unit(cut.tear);
    const units = Math.ceil(e / u);
    const k = cut.rng.int(units + 1);
    const cells = this.store.read(off, e);
    cells.fill(0xff, 0, Math.min(k * u, e));
    for (let i = k * u; i < Math.min((k + 1) * u, e); i++) cells[i] |= cut.rng.int(256);
    this.store.write(off, cells);
    this.powerFails();
  }

  program(off: number, data: Uint8Array): void {
    const g = this.geometry;
    if (g.type === "nand" && (off % g.writeSize !== 0 || data.length % g.writeSize !== 0)) {
      throw new FlashIoError(`program [${off}, ${off + data.length}): NAND programs whole ${g.writeSize}-byte pages`, "EINVAL", ERRNO.EINVAL);
    }
    const cut = this.mutating("program", off, data.length, data);
    const cells = this.store.read(off, data.length);
    if (g.type === "nand") {
      for (let p = 0; p < data.length; p += g.writeSize) {
        for (let i = p; i < p + g.writeSize; i++) {
          if (cells[i] !== 0xff) throw new FlashIoError(`program at ${off + p}: NAND page not erased`, "EIO", ERRNO.EIO);
        }
      }
    }
    let end = data.length;
    let partial = -1;
    if (cut) {
      const u = this.unit(cut.tear);
      const k = cut.rng.int(Math.ceil(data.length / u) + 1);
      end = Math.min(k * u, data.length);
      partial = end;
    }
    for (let i = 0; i < end; i++) cells[i] &= data[i];
    if (cut) {
      // The torn unit: a random part of the bits that were to be cleared, cleared.
      const u = this.unit(cut.tear);
      for (let i = partial; i < Math.min(partial + u, data.length); i++) cells[i] &= data[i] | cut.rng.int(256);
    }
    this.store.write(off, cells);
    if (cut) this.powerFails();
  }

  private powerFails(): never {
    this.powered = false;
    this.saveSidecar();
    throw new PowerCut(this.ops - 1);
  }

  sync(): void {}

  close(): void {
    this.store.close();
  }
}

function popcount(v: number): number {
  let n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}
