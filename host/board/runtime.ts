// A board brought to life: the one interface bring-up, the fault entry and the tests use,
// whatever its ports are (docs/real-hardware.md). A board file says what each port is
// (board.ts PortDevice):
//
//   sim    the virtual board: NIC models on a SimClock, each port looped back through the
//          virtual wire (sim-runtime.ts)
//   pci    a real NIC: BAR0 mapped by the native addon, the core's memory DMA-able in place
//          (pci.ts, host/native/pci.c)
//   linux  a Linux interface through AF_PACKET behind the addon's soft e1000 (linux.ts,
//          host/native/softnic.c)
//
// Either way the host holds two core instances — the OS side (driver rings, normal traffic)
// and the fault core (the armed gasp) — whose DMA regions the NICs see at the board's
// dma.os / dma.fault, a NicDevice per port for single registers, and a RegopPerformer for
// whole register-operation lists (one native call on pci and linux ports).

import type { Core } from "../core/core";
import type { NicDevice, DelayFn, RegopPerformer } from "../nic/device";
import type { CoreRings } from "../nic/rings";
import type { Board, PortKind } from "./board";
import { problemLine, type Problem } from "../util/problems";

/** What bring-up may do on one port, and how to say what the port is. */
export interface PortRuntime {
  readonly kind: PortKind;
  /** For messages: "virtual e1000", "linux lgv0 (soft e1000)", "pci 0000:00:03.0 (vfio)". */
  readonly describe: string;
  /**
   * null when the register self-test applies (the device was just reset: its registers hold
   * their reset values); otherwise why not (QEMU's e1000 resets nothing on CTRL.RST, a device
   * another process used before...).
   */
  readonly regtestSkip: string | null;
  /**
   * How frames the port sends come back for the loopback steps (loopback, wrap, counters,
   * fault-tx): "a loopback plug on the virtual wire", "the kernel's transmit tap"; or null.
   */
  readonly loopback: string | null;
  /** Why not, when loopback is null (the steps are reported as not applicable). */
  readonly loopbackSkip?: string;
  /** How long bring-up waits for STATUS.LU, microseconds. */
  readonly linkWaitUs: number;
}

export interface BoardRuntime {
  readonly board: Board;
  /** The OS-side core: driver rings and normal traffic; the NICs see its DMA region at dma.os. */
  readonly os: Core;
  /** The fault core: the armed gasp and its own TX ring; seen at dma.fault. */
  readonly fault: Core;
  /** One per port: single register reads and writes. */
  readonly nics: NicDevice[];
  /** Waits (real ports) or lets simulated time pass (sim). */
  readonly delay: DelayFn;
  /** Performs a core's whole register-operation list. */
  readonly perform: RegopPerformer;
  readonly osRings: CoreRings;
  readonly faultRings: CoreRings;
  readonly ports: PortRuntime[];
  /** Monotonic time in nanoseconds (simulated on a sim board). */
  now(): number;
  /**
   * Lets frames in flight arrive in port's RX ring: the virtual wire runs until idle; a real
   * port waits until `frames` frames arrived or timeoutUs passed (linux: the socket drained
   * into the soft e1000's RX ring).
   */
  settle(port: number, frames: number, timeoutUs: number): void;
  /** A register's name for messages ("TDH (0x3810)"), from the NIC's register table. */
  regName(port: number, offset: number): string;
  /**
   * Bring-up's traffic steps begin (after the register self-test and the link): sim injects
   * the board file's TX faults; a linux port loops what it sends back through the kernel's
   * transmit tap.
   */
  beforeTraffic?(): void;
  /** Writes each port's capture (sim only: the virtual wire's taps). */
  savePcaps?(dir: string): void;
  /** Releases ports, sockets and mappings. Safe to call twice. */
  close(): void;
}

/**
 * A board that cannot be opened on this machine as its file says: bad input, exit 2, and
 * nothing was touched (not root, no such interface, no such PCI device, a device bound to a
 * kernel driver, no IOMMU and no reserved RAM). One problem per cause, each at the JSON
 * Pointer of the board field it is about (the port's interface or PCI address; /ports for
 * the machine itself: not root, no addon).
 */
export class BoardOpenError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(problemLine).join("\n"));
  }
}

/** The kinds of a board's ports (the file says; validate.ts keeps sim apart from the others). */
export function boardKinds(board: Board): PortKind[] {
  return [...new Set(board.ports.map((p) => p.device.kind))];
}

/**
 * Opens a validated board: every port virtual → the virtual board; pci and linux ports →
 * the native addon (native.ts). Checks first (BoardOpenError), then opens; a failure while
 * opening closes what was opened.
 */
export function openBoard(board: Board): BoardRuntime {
  const kinds = boardKinds(board);
  if (kinds.every((k) => k === "sim")) {
    const { SimRuntime } = require("./sim-runtime") as typeof import("./sim-runtime");
    return new SimRuntime(board);
  }
  const { openNativeBoard } = require("./native") as typeof import("./native");
  return openNativeBoard(board);
}
