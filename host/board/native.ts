// A board whose ports are real (pci, linux) as a BoardRuntime (runtime.ts): the OS and fault
// core instances under V8, the native addon's port table (host/native/lg_port.h) holding
// every port, register-operation lists performed in one native call, and each core's DMA
// region made reachable from the ports at the board's dma.os / dma.fault.
//
// Each kind brings a PortOpener (linux.ts; pci.ts): checks that touch nothing, then opening
// its port into the addon's table. The addon is one per process (a signal handler finds the
// port table without arguments), so one NativeRuntime is open at a time.

import { Core } from "../core/core";
import { CoreRings } from "../nic/rings";
import { DMA_BASE, DMA_SIZE } from "../../assembly/shared/memmap";
import { loadBoardAddon, BoardAddon, BoardAddonMissingError } from "../native/board";
import { registerName, modelRegisters } from "./registers";
import { BoardOpenError, type BoardRuntime, type PortRuntime } from "./runtime";
import type { Board, PortKind } from "./board";
import type { NicDevice, DelayFn, RegopPerformer } from "../nic/device";
import type { Problem } from "../util/problems";

/** How one kind of real port is checked and opened. */
export interface PortOpener {
  /**
   * Port i's problems, found without touching anything (no socket, no mapping, no sysfs
   * write): each at the pointer of the field it is about, naming the cause. Root is checked
   * once for the board.
   */
  preflight(board: Board, i: number, addon: BoardAddon): Problem[];
  /** Opens port i into the addon's port table. */
  open(rt: NativeRuntime, i: number): PortRuntime;
  /**
   * Makes a core's memory reachable by this kind's NICs so that they see its DMA region at
   * bus address `bus` (called once per core, after every port of the kind is open).
   */
  placeDma?(rt: NativeRuntime, core: Core, bus: number, which: "os" | "fault"): void;
  /** Bring-up's loopback steps begin on port i: make what it sends come back (see PortRuntime.loopback). */
  beforeTraffic?(rt: NativeRuntime, i: number): void;
  /** Lets frames arrive in port i's RX ring (see BoardRuntime.settle). */
  settle?(rt: NativeRuntime, i: number, frames: number, timeoutUs: number): void;
  /** Releases what open and placeDma took for port i (after the addon's entry is closed). */
  close?(rt: NativeRuntime, i: number): void;
}

const openers: Record<Exclude<PortKind, "sim">, () => PortOpener> = {
  linux: () => (require("./linux") as typeof import("./linux")).opener,
  pci: () => {
    try {
      return (require("./pci") as { opener: PortOpener }).opener;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
      return {
        preflight: (board, i) => [{ path: `/ports/${i}/kind`, message: `${board.ports[i].name}: pci ports are not supported by this build` }],
        open: () => {
          throw new Error("pci ports are not supported by this build");
        },
      };
    }
  },
};

let openRuntime: NativeRuntime | null = null;

export interface NativeOpenOptions {
  addon?: BoardAddon;
  /**
   * Openers in place of the built-in ones for some kinds (tests: a linux port whose soft
   * e1000 sends into a pipe instead of an interface). They bring their own checks: root is
   * required only for ports the built-in openers open.
   */
  openers?: Partial<Record<Exclude<PortKind, "sim">, PortOpener>>;
}

/** Checks every port (BoardOpenError listing every problem), then opens them. */
export function openNativeBoard(board: Board, opts: NativeOpenOptions = {}): NativeRuntime {
  const { addon, openerOf } = checkNativeBoard(board, opts);
  if (openRuntime) throw new Error(`board ${openRuntime.board.id} is still open in this process: close it first`);
  return new NativeRuntime(board, addon, openerOf);
}

/**
 * What openNativeBoard checks before it touches anything — root, the addon, each port's
 * preflight — so that a command can refuse a board before it reads anything else (a key).
 * Throws BoardOpenError listing every problem.
 */
export function checkNativeBoard(board: Board, opts: NativeOpenOptions = {}): { addon: BoardAddon; openerOf: (kind: Exclude<PortKind, "sim">) => PortOpener } {
  const problems: Problem[] = [];
  const builtIn = board.ports.some((p) => p.device.kind !== "sim" && !opts.openers?.[p.device.kind]);
  if (builtIn && typeof process.getuid === "function" && process.getuid() !== 0) {
    const real = board.ports.filter((p) => p.device.kind !== "sim").map((p) => `${p.name} (${p.device.kind})`);
    throw new BoardOpenError([{ path: "/ports", message: `${real.join(", ")}: opening real ports needs root (AF_PACKET sockets need CAP_NET_RAW; VFIO, sysfs resource0 and /dev/mem need root)` }]);
  }
  let addon: BoardAddon;
  try {
    addon = opts.addon ?? loadBoardAddon();
  } catch (e) {
    if (e instanceof BoardAddonMissingError) throw new BoardOpenError([{ path: "/ports", message: e.message }]);
    throw e;
  }
  const openerOf = (kind: Exclude<PortKind, "sim">) => opts.openers?.[kind] ?? openers[kind]();
  board.ports.forEach((p, i) => {
    if (p.device.kind === "sim") return;
    problems.push(...openerOf(p.device.kind).preflight(board, i, addon));
  });
  if (problems.length) throw new BoardOpenError(problems);
  return { addon, openerOf };
}

export class NativeRuntime implements BoardRuntime {
  readonly os: Core;
  readonly fault: Core;
  readonly nics: NicDevice[];
  readonly delay: DelayFn;
  readonly perform: RegopPerformer;
  readonly osRings: CoreRings;
  readonly faultRings: CoreRings;
  readonly ports: PortRuntime[] = [];
  private readonly openersUsed = new Map<PortKind, PortOpener>();
  private closed = false;

  constructor(readonly board: Board, readonly addon: BoardAddon, openerOf: (kind: Exclude<PortKind, "sim">) => PortOpener = (k) => openers[k]()) {
    this.os = Core.load();
    this.fault = Core.load();
    this.nics = board.ports.map((_, i) => ({
      read32: (offset: number) => addon.read32(i, offset),
      write32: (offset: number, value: number) => addon.write32(i, offset, value),
    }));
    this.delay = (us) => addon.delayUs(us);
    this.perform = (view) => addon.regops(view.buffer as ArrayBuffer);
    this.osRings = new CoreRings(this.os, this.nics, this.delay, this.perform);
    this.faultRings = new CoreRings(this.fault, this.nics, this.delay, this.perform);
    openRuntime = this;
    try {
      addon.dmaClear();
      // The soft e1000 (linux ports) reaches each core's DMA region at the board's address
      // for it, as the virtual board's DmaSpace does; pci ports' NICs through placeDma.
      addon.dmaWindow(board.dma.os, this.os.exports.memory.buffer, DMA_BASE, DMA_SIZE);
      addon.dmaWindow(board.dma.fault, this.fault.exports.memory.buffer, DMA_BASE, DMA_SIZE);
      board.ports.forEach((p, i) => {
        const kind = p.device.kind as Exclude<PortKind, "sim">;
        const opener = openerOf(kind);
        this.openersUsed.set(kind, opener);
        this.ports[i] = opener.open(this, i);
      });
      for (const opener of this.openersUsed.values()) {
        opener.placeDma?.(this, this.os, board.dma.os, "os");
        opener.placeDma?.(this, this.fault, board.dma.fault, "fault");
      }
      board.ports.forEach((p, i) => {
        const cfg = { txQueues: board.nic.txQueues, faultQueue: board.nic.faultQueue ?? undefined, ...board.rings, mac: p.macBytes };
        this.osRings.configure(i, { ...cfg, dmaPhys: board.dma.os });
        this.faultRings.configure(i, { ...cfg, dmaPhys: board.dma.fault });
      });
    } catch (e) {
      this.close();
      throw e;
    }
  }

  now(): number {
    return this.addon.nowNs();
  }

  settle(port: number, frames: number, timeoutUs: number): void {
    const opener = this.openersUsed.get(this.board.ports[port].device.kind);
    if (opener?.settle) opener.settle(this, port, frames, timeoutUs);
    else this.delay(Math.min(timeoutUs, 10_000));
  }

  beforeTraffic(): void {
    this.board.ports.forEach((p, i) => this.openersUsed.get(p.device.kind)?.beforeTraffic?.(this, i));
  }

  regName(_port: number, offset: number): string {
    return registerName(modelRegisters(this.board.nic.model), offset);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Without its ports the crash path has nothing to send on: a closed board is disarmed.
    this.addon.crashDisarm();
    this.board.ports.forEach((p, i) => {
      this.addon.portClose(i);
      this.openersUsed.get(p.device.kind)?.close?.(this, i);
    });
    this.addon.dmaClear();
    if (openRuntime === this) openRuntime = null;
  }
}
