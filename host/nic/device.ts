// The seam between the core's ring code and a NIC: 32-bit register access to BAR0, as ixy's
// device interface. Every port kind implements it (host/board/runtime.ts): the virtual
// board's models (sim), a real NIC's BAR0 mapped by the native addon (pci), and the addon's
// soft e1000 in front of a Linux interface (linux).

export interface NicDevice {
  /** Reads the 32-bit register at a BAR0 byte offset (unknown registers read 0). */
  read32(offset: number): number;
  /** Writes a 32-bit register (read-only and unknown registers ignore writes). */
  write32(offset: number, value: number): void;
}

/** Waits or lets simulated time pass; the virtual board advances its clock. */
export type DelayFn = (microseconds: number) => void;

/**
 * Performs a core's pending register-operation list (assembly/shared/regop.ts) on a board's
 * ports, in order, and returns how many operations there were; the view is the core's
 * linear memory. The virtual board does it register by register in TypeScript
 * (regops.ts tsPerformer); pci and linux boards in one native call over the addon's port
 * table (host/native/lg_port.h lg_perform_regops) — the function the crash path runs too.
 */
export type RegopPerformer = (view: DataView) => number;
