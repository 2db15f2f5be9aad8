// The simulated unit's operating system (build/sim/os.wasm from sim-os/os.ts), bound to the
// memory of its unit's OS-side core instance. Its failures are real: calls into it throw
// WebAssembly.RuntimeError on a trap, or GuestPanic when it panics; a hang shows as a
// watchdog that stops being kicked.

import * as fs from "fs";
import * as path from "path";
import { BUILD_DIR, Core } from "../core/core";
import * as F from "../../sim-os/faults";

// Outside build/*.wasm on purpose: that glob is "the core", which must have no imports.
export const OS_WASM = path.join(BUILD_DIR, "sim", "os.wasm");

/** The guest's panic hook fired: an uncaught exception in the OS. */
export class GuestPanic extends Error {
  constructor(readonly code: number) {
    super(`guest OS panic ${code}`);
  }
}

export type OsFaultKind = "unreachable" | "oob" | "div0" | "wild-writes" | "panic" | "hang";

export const OS_FAULTS: Record<OsFaultKind, number> = {
  unreachable: F.OS_FAULT_TRAP_UNREACHABLE,
  oob: F.OS_FAULT_TRAP_OOB,
  div0: F.OS_FAULT_TRAP_DIV0,
  "wild-writes": F.OS_FAULT_WILD_WRITES,
  panic: F.OS_FAULT_PANIC,
  hang: F.OS_FAULT_HANG,
};

let compiled: WebAssembly.Module | undefined;

export class GuestOs {
  private readonly fns: Record<string, (...a: number[]) => number>;

  /** Boots the guest inside the memory of `driver` (the unit's OS-side core instance). */
  constructor(readonly driver: Core) {
    compiled ??= new WebAssembly.Module(fs.readFileSync(OS_WASM));
    const instance = new WebAssembly.Instance(compiled, {
      env: {
        memory: driver.exports.memory,
        panic: (code: number) => {
          throw new GuestPanic(code);
        },
      },
    });
    this.fns = instance.exports as unknown as Record<string, (...a: number[]) => number>;
    this.fns.os_boot();
  }

  /** One scheduler tick; false when the OS is hung (it ran but did not kick the watchdog). */
  tick(): boolean {
    return this.fns.os_tick() === 1;
  }

  /** Watchdog kicks so far: a watchdog compares this between its periods. */
  get kicks(): number {
    return this.fns.os_kicks() >>> 0;
  }

  /**
   * Makes the OS fail. Throws WebAssembly.RuntimeError for a trap and GuestPanic for a
   * panic — as the real failure would reach an exception handler. Returns for a hang.
   * For "wild-writes", [start, start+length) of the driver's memory is scribbled on first.
   */
  fault(kind: OsFaultKind, start = 0, length = 0): void {
    this.fns.os_fault(OS_FAULTS[kind], start, length);
  }
}
