// The register-operation protocol: how the core, which does no I/O, gets NIC registers read
// and written. Portable (asc + tsc).
//
// A core call that needs hardware returns STEP_IO after writing a list of operations into
// the REGOP region (memmap.ts REGOP_BASE). The host performs them in order — writes, reads
// (storing the value read back into the entry), delays — and calls the core's step function
// again, which consumes the read values. STEP_DONE (0) ends the exchange; a negative status
// is an error. The host's part is host/nic/regops.ts, a dozen lines.
//
// Layout of the REGOP region:
//   +0   u32 count of entries (<= REGOP_MAX)
//   +16  entries, REGOP_ENTRY_SIZE bytes each:
//          +0 u8  kind (REGOP_WRITE / REGOP_READ / REGOP_DELAY_US)
//          +1 u8  port: index of the NIC on the board
//          +4 u32 register offset in BAR0
//          +8 u32 value: written (WRITE), filled in by the host (READ), microseconds (DELAY)

export const STEP_DONE = 0;
export const STEP_IO = 1;

export const REGOP_OFF_COUNT = 0;
export const REGOP_OFF_ENTRIES = 16;
export const REGOP_ENTRY_SIZE = 16;
export const REGOP_MAX = 1024;

export const REGOP_E_KIND = 0;
export const REGOP_E_PORT = 1;
export const REGOP_E_OFFSET = 4;
export const REGOP_E_VALUE = 8;

export const REGOP_WRITE = 1;
export const REGOP_READ = 2;
export const REGOP_DELAY_US = 3;
