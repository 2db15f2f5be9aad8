// The board addon (lastgasp_board.node; C in this folder, lg_port.h is its seam): register
// access and whole register-operation lists in one native call, the bus-address windows the
// soft e1000 DMAs through, linux ports (AF_PACKET behind the soft e1000), pci ports (pci.c),
// and the crash path — the release core translated by wasm2c and linked in, run from a
// signal handler or a watchdog thread over the fault core's very memory.
// Built by `make native` (scripts/build-native.js). Linux only; opening a port needs root.

import * as fs from "fs";
import * as path from "path";
import { BUILD_DIR } from "../paths";

/** What linuxOpen found. */
export interface LinuxPortInfo {
  ifindex: number;
  /** The interface's own MAC. */
  mac: Uint8Array;
  /** The socket joined promiscuous mode: the port's MAC is not the interface's (dropped with the socket). */
  promisc: boolean;
  /** Carrier (IFF_UP and IFF_RUNNING) at open. */
  carrier: boolean;
}

/** The soft e1000's counters that registers do not show (diagnostics and tests). */
export interface SoftNicStats {
  txFrames: number;
  txBytes: number;
  /** send() refused a frame for a reason other than a full queue (the frame is dropped). */
  txErrors: number;
  /** send() found the socket's queue full: the TX engine stopped there and resumes on the next doorbell or TDH read. */
  txBusy: number;
  rxFrames: number;
  /** Frames the address filter (RAL/RAH, MTA, BAM, UPE/MPE) turned away. */
  rxFiltered: number;
  /** Frames dropped: receiver off, no descriptor (also MPC/RNBC), oversize. */
  rxDropped: number;
  /** Descriptor or buffer addresses outside every bus window. */
  dmaErrors: number;
  /** Frames the kernel dropped because the RX socket was full (PACKET_STATISTICS): the engine fell behind. */
  rxSocketDrops: number;
}

/** A TAP device the addon opened (tap.c). */
export interface TapInfo {
  fd: number;
  ifindex: number;
  name: string;
}

export interface CrashArmOptions {
  /** Watchdog: a hang is this long without crashKick(); 0: no watchdog thread. */
  watchdogMs: number;
  /** Run the whole path once at arm time on a copy of the memory, nothing sent (default true). */
  rehearse?: boolean;
  /** Where in the core's memory the handler writes its excerpt (a frame slot), and its capacity. */
  excerptAddr: number;
  excerptCap: number;
  /** Microseconds each port's frames get to leave the host after the core confirmed them (default 100000). */
  drainUs?: number;
}

export interface CrashArmReport {
  /** The rehearsal: what fault_fire and fault_step answered, rounds, register operations, and how long it took. */
  rehearsal: { fire: number; result: number; rounds: number; regops: number; us: number } | null;
  /** V8's own wasm trap handling is asked first (v8::TryHandleWebAssemblyTrapPosix was found). */
  v8TrapHandler: boolean;
  /** Microseconds the arm took in all. */
  us: number;
}

/** What the crash path did (crashState(), for tests in the same process and diagnostics). */
export interface CrashState {
  armed: boolean;
  fired: boolean;
  watchdog: boolean;
}

export interface BoardAddon {
  // ---- registers (lg_port.h) ----
  /** Performs the pending REGOP list in this core memory in one native call; returns the count. Throws on a list it refuses. */
  regops(memory: ArrayBuffer): number;
  read32(port: number, offset: number): number;
  write32(port: number, offset: number, value: number): void;
  delayUs(us: number): void;
  nowNs(): number;
  /** Wall-clock time (CLOCK_REALTIME) in microseconds: what a capture's timestamps use. */
  wallUs(): number;
  /** Maps [offset, offset + size) of memory at bus address `bus` for the soft e1000's DMA. */
  dmaWindow(bus: number, memory: ArrayBuffer, offset: number, size: number): void;
  dmaClear(): void;
  portClose(port: number): void;
  // ---- linux ports (linux.c, softnic.c) ----
  /** Opens an AF_PACKET socket on ifname for port, behind a fresh soft e1000 with this MAC. */
  linuxOpen(port: number, ifname: string, mac: Uint8Array): LinuxPortInfo;
  /** Receives what the socket holds into the RX ring, waiting up to waitUs for a first frame; returns frames delivered. */
  linuxPump(port: number, waitUs: number): number;
  /** Frames the port sends also come back as received (the kernel's transmit tap): bring-up's loopback. */
  linuxTap(port: number, on: boolean): void;
  linuxStats(port: number): SoftNicStats;
  // ---- test ports: a soft e1000 without an interface (test/softnic.test.ts, test/crash-path.test.ts) ----
  /** Opens port as a soft e1000 whose sends are kept (or, with fd, written to it: u16 little-endian length, then the frame). */
  softnicTest(port: number, mac: Uint8Array, fd?: number): void;
  /** The frames a test port sent since the last call (without fd). */
  softnicTestTake(port: number): Buffer[];
  /** A frame from the wire; true when it reached the RX ring. */
  softnicTestInject(port: number, frame: Uint8Array): boolean;
  /** Carrier of a test port (the soft e1000 notices at once). */
  softnicTestLink(port: number, up: boolean): void;
  // ---- the crash path (crash.c) ----
  crashArm(memory: ArrayBuffer, opts: CrashArmOptions): CrashArmReport;
  /** The JavaScript thread is alive. */
  crashKick(): void;
  /** Restores the signal dispositions and stops the watchdog (a planned stop is not a crash). */
  crashDisarm(): void;
  crashState(): CrashState;
  /** region_digest computed by the translated core over the memory it is armed on (-1: not armed). */
  crashDigest(p: number, len: number): number;
  /** Dies on purpose in native code (drills and tests): "null-store", "abort", "sigill", "sigfpe", "sigbus". */
  die(how: string): void;
  // ---- the control processor's TAP devices (tap.c) ----
  /** Opens (creates) the TAP device name: IFF_TAP | IFF_NO_PI, non-blocking; closing its fd removes it. */
  tapOpen(name: string): TapInfo;
  /** One frame from the kernel into buf: its length, 0 when none is waiting. */
  tapRead(fd: number, buf: Uint8Array): number;
  /** One frame to the kernel: false when it was not taken (queue full, interface down). */
  tapWrite(fd: number, frame: Uint8Array): boolean;
  tapClose(fd: number): void;
  /** Waits until a linux port's RX socket or one of fds is readable, at most timeoutUs: how many are. */
  ioWait(ports: number[], fds: number[], timeoutUs: number): number;
  /** pci.c adds its functions here (lg_pci_napi). */
  [pci: string]: unknown;
}

export const BOARD_ADDON_PATH = path.join(BUILD_DIR, "native", "lastgasp_board.node");

export class BoardAddonMissingError extends Error {}

let cached: BoardAddon | null = null;

export function loadBoardAddon(): BoardAddon {
  if (cached) return cached;
  if (process.platform !== "linux") throw new BoardAddonMissingError(`pci and linux ports need Linux (this is ${process.platform})`);
  if (!fs.existsSync(BOARD_ADDON_PATH)) {
    throw new BoardAddonMissingError(`${path.relative(process.cwd(), BOARD_ADDON_PATH)} is missing: build it with \`make native\` (node-gyp, wasm2c, Linux)`);
  }
  cached = require(BOARD_ADDON_PATH) as BoardAddon;
  return cached;
}
