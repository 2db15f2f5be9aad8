// How the simulated guest OS (sim-os/os.ts) can fail. Portable (asc + tsc): the chassis
// simulation names a fault with these, the OS carries it out.

export const OS_FAULT_TRAP_UNREACHABLE = 1; // a real wasm trap: unreachable executed
export const OS_FAULT_TRAP_OOB = 2; // a real wasm trap: load beyond linear memory
export const OS_FAULT_TRAP_DIV0 = 3; // a real wasm trap: integer divide by zero
export const OS_FAULT_WILD_WRITES = 4; // scribble over a memory range (e.g. its TX ring), then trap
export const OS_FAULT_PANIC = 5; // the kernel calls its panic hook: an uncaught host exception
export const OS_FAULT_HANG = 6; // livelock: ticks return but the watchdog is never kicked again

// Layout of the OS's state inside the SIMOS region (memmap.ts).
export const OS_OFF_KICKS = 0x0; // u32, incremented by every healthy tick (the watchdog reads it)
export const OS_OFF_HUNG = 0x4; // u32, 1 once the OS has hung
export const OS_OFF_TICKS = 0x8; // u32, ticks run
export const OS_OFF_DATA = 0x100; // static data of os.wasm starts here (asc --memoryBase)
