// The NIC's view of physical memory: bus-master DMA reaches only the windows a board maps.
//
// On the virtual board each window is (part of) a core instance's linear memory: the board
// maps the OS core's DMA region (memmap.ts DMA_BASE..+DMA_SIZE) at one physical base and the
// fault core's at another, as a real board's IOMMU or physical layout would. An access that
// is not wholly inside one window fails (null / false) and is counted: on real hardware it
// is a master abort or an IOMMU fault, and the NIC drops the frame (host/nic/e1000.ts).
//
// Physical addresses are JavaScript numbers: exact up to 2^53, which every window must lie
// below. A descriptor's 64-bit address above that can only miss every window.

import { DMA_BASE, DMA_SIZE } from "../../assembly/shared/memmap";

export interface DmaWindow {
  readonly name: string;
  readonly physBase: number;
  readonly size: number;
  readonly memory: Uint8Array;
  readonly offset: number;
}

export interface DmaFault {
  kind: "read" | "write";
  phys: number;
  len: number;
}

export class DmaSpace {
  private windows: DmaWindow[] = [];
  /** The window the last access hit: a NIC's accesses come in runs on one window. */
  private last: DmaWindow | undefined;
  /** Accesses that fell outside every window. */
  faults = 0;
  /** The most recent failed access (for error messages in tests and bring-up). */
  lastFault: DmaFault | undefined;
  /** Bytes moved by successful accesses (reads, writes). */
  readBytes = 0;
  writtenBytes = 0;

  /**
   * Maps memory[offset, offset+size) at physical [physBase, physBase+size). Windows must not
   * overlap in physical space. The memory is used live (no copy): a WebAssembly memory's
   * Uint8Array works as long as that memory never grows (the core's never does).
   */
  map(physBase: number, memory: Uint8Array, offset: number, size: number, name: string): DmaWindow {
    if (!Number.isSafeInteger(physBase) || physBase < 0) throw new RangeError(`DMA window ${name}: physical base ${physBase} is not a non-negative safe integer`);
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`DMA window ${name}: size ${size} must be a positive integer`);
    if (!Number.isSafeInteger(physBase + size)) throw new RangeError(`DMA window ${name}: ends beyond 2^53`);
    if (!Number.isInteger(offset) || offset < 0 || offset + size > memory.length) {
      throw new RangeError(`DMA window ${name}: [${offset}, ${offset + size}) is outside its ${memory.length}-byte memory`);
    }
    if (this.windows.some((w) => w.name === name)) throw new Error(`DMA window ${name} is already mapped`);
    const clash = this.windows.find((w) => physBase < w.physBase + w.size && w.physBase < physBase + size);
    if (clash) throw new Error(`DMA window ${name} overlaps ${clash.name} in physical space`);
    const w: DmaWindow = { name, physBase, size, memory, offset };
    this.windows.push(w);
    return w;
  }

  /** Removes a window (an IOMMU revoking a mapping): later accesses to it fault. */
  unmap(name: string): boolean {
    const i = this.windows.findIndex((w) => w.name === name);
    if (i < 0) return false;
    this.windows.splice(i, 1);
    this.last = undefined;
    return true;
  }

  /** The mapped windows, in mapping order. */
  list(): readonly DmaWindow[] {
    return this.windows;
  }

  /** The window holding [phys, phys+len) entirely, if any. */
  find(phys: number, len: number): DmaWindow | undefined {
    if (!Number.isSafeInteger(phys) || phys < 0 || len < 0) return undefined;
    const last = this.last;
    if (last !== undefined && phys >= last.physBase && phys + len <= last.physBase + last.size) return last;
    const windows = this.windows;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i];
      if (phys >= w.physBase && phys + len <= w.physBase + w.size) return (this.last = w);
    }
    return undefined;
  }

  /**
   * A copy of physical [phys, phys+len), or null (counted) when outside every window. With
   * `into` (at least len bytes), the copy goes there and `into` is returned: a NIC model
   * reads descriptors into one scratch array instead of allocating one per descriptor.
   */
  read(phys: number, len: number, into?: Uint8Array): Uint8Array | null {
    const w = this.find(phys, len);
    if (!w) return this.fail("read", phys, len), null;
    const at = w.offset + (phys - w.physBase);
    this.readBytes += len;
    if (into === undefined) return w.memory.slice(at, at + len);
    copyBytes(w.memory, at, into, 0, len);
    return into;
  }

  /**
   * Writes bytes at physical phys; false (counted, nothing written) when outside every window.
   * `own`: bytes is the caller's own small array, never a view of mapped memory, so it is
   * copied byte by byte (a NIC model's descriptor, status byte and write-back dword: cheaper
   * than TypedArray.set for a few bytes).
   */
  write(phys: number, bytes: Uint8Array, own = false): boolean {
    const len = bytes.length;
    const w = this.find(phys, len);
    if (!w) return this.fail("write", phys, len), false;
    const at = w.offset + (phys - w.physBase);
    if (own) {
      copyBytes(bytes, 0, w.memory, at, len);
    } else {
      w.memory.set(bytes, at);
    }
    this.writtenBytes += len;
    return true;
  }

  private fail(kind: "read" | "write", phys: number, len: number): void {
    this.faults++;
    this.lastFault = { kind, phys, len };
  }
}

/** Copies len bytes between two arrays that do not overlap; a descriptor's 16 unrolled. */
function copyBytes(from: Uint8Array, f: number, to: Uint8Array, t: number, len: number): void {
  if (len === 16) {
    to[t] = from[f]; to[t + 1] = from[f + 1]; to[t + 2] = from[f + 2]; to[t + 3] = from[f + 3];
    to[t + 4] = from[f + 4]; to[t + 5] = from[f + 5]; to[t + 6] = from[f + 6]; to[t + 7] = from[f + 7];
    to[t + 8] = from[f + 8]; to[t + 9] = from[f + 9]; to[t + 10] = from[f + 10]; to[t + 11] = from[f + 11];
    to[t + 12] = from[f + 12]; to[t + 13] = from[f + 13]; to[t + 14] = from[f + 14]; to[t + 15] = from[f + 15];
    return;
  }
  for (let i = 0; i < len; i++) to[t + i] = from[f + i];
}

/** Joins a descriptor's two little-endian 32-bit address halves; NaN-free, may exceed 2^53 (then it hits no window). */
export function physAddress(lo: number, hi: number): number {
  return (hi >>> 0) * 0x1_0000_0000 + (lo >>> 0);
}

/**
 * Maps a core instance's DMA region (memmap.ts DMA_BASE..DMA_BASE+DMA_SIZE of its linear
 * memory) at the physical base a board declares: what a board does for the OS core and the
 * fault core.
 */
export function mapCoreDma(dma: DmaSpace, coreMemory: Uint8Array, physBase: number, name: string): DmaWindow {
  return dma.map(physBase, coreMemory, DMA_BASE, DMA_SIZE, name);
}
