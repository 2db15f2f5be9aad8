// The simulated unit's operating system: a small guest that CAN fail, unlike the core.
//
// On the virtual chassis it imports the memory of its unit's OS-side core instance (the
// driver), the way a kernel shares an address space with its drivers: a wild write here
// really corrupts the driver's descriptor rings. The fault core is a separate instance with
// its own memory, out of this guest's reach. Its faults are real: wasm traps (unreachable,
// out-of-bounds access, divide by zero), a panic that surfaces as an uncaught host
// exception, or a hang that stops kicking the watchdog.

import { SIMOS_BASE } from "../assembly/shared/memmap";
import {
  OS_FAULT_TRAP_UNREACHABLE, OS_FAULT_TRAP_OOB, OS_FAULT_TRAP_DIV0, OS_FAULT_WILD_WRITES,
  OS_FAULT_PANIC, OS_FAULT_HANG, OS_OFF_KICKS, OS_OFF_HUNG, OS_OFF_TICKS,
} from "./faults";

/** The host's panic hook: it throws, like a kernel's BUG() reaching an exception handler. */
@external("env", "panic")
declare function panic(code: i32): void;

const KICKS: usize = SIMOS_BASE + OS_OFF_KICKS;
const HUNG: usize = SIMOS_BASE + OS_OFF_HUNG;
const TICKS: usize = SIMOS_BASE + OS_OFF_TICKS;

export function os_boot(): i32 {
  store<u32>(KICKS, 0);
  store<u32>(HUNG, 0);
  store<u32>(TICKS, 0);
  return 0;
}

/** One scheduler tick: a healthy OS kicks the watchdog; a hung one spins and does not. */
export function os_tick(): i32 {
  store<u32>(TICKS, load<u32>(TICKS) + 1);
  if (load<u32>(HUNG) != 0) return 0;
  store<u32>(KICKS, load<u32>(KICKS) + 1);
  return 1;
}

export function os_kicks(): i32 {
  return <i32>load<u32>(KICKS);
}

/** Fails as asked. Returns only for a hang; every other kind traps or throws. */
export function os_fault(kind: i32, arg0: i32, arg1: i32): i32 {
  if (kind == OS_FAULT_TRAP_UNREACHABLE) unreachable();
  if (kind == OS_FAULT_TRAP_OOB) return <i32>load<u32>(<usize>0xfffffff0);
  if (kind == OS_FAULT_TRAP_DIV0) return arg0 / (arg1 - arg1);
  if (kind == OS_FAULT_WILD_WRITES) {
    // arg0 = start, arg1 = length: a runaway memset over whatever the OS pointed at
    let x: u32 = 0x9e3779b9;
    for (let i = 0; i < arg1; i++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      store<u8>(<usize>(arg0 + i), <u8>x);
    }
    unreachable();
  }
  if (kind == OS_FAULT_PANIC) {
    panic(arg0);
    return -1;
  }
  if (kind == OS_FAULT_HANG) {
    store<u32>(HUNG, 1);
    return 0;
  }
  return -1;
}
