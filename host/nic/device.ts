// The seam between the core's ring code and a NIC: 32-bit register access to BAR0, as ixy's
// device interface. The virtual board's models implement it; a real board would implement
// it over an mmap of /sys/bus/pci/devices/<addr>/resource0.

export interface NicDevice {
  /** Reads the 32-bit register at a BAR0 byte offset (unknown registers read 0). */
  read32(offset: number): number;
  /** Writes a 32-bit register (read-only and unknown registers ignore writes). */
  write32(offset: number, value: number): void;
}

/** Waits or lets simulated time pass; the virtual board advances its clock. */
export type DelayFn = (microseconds: number) => void;
