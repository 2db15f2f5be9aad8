// The seam between the flasher and a flash part (ixy-style: a small device interface, one
// implementation per kind of hardware): the file-backed model (model.ts) and a Linux MTD
// character device (mtd.ts). The core never sees it: the host performs the flash
// operations the core lists (driver.ts) on one of these.

export type FlashType = "nor" | "nand";

export interface FlashGeometry {
  type: FlashType;
  /** Bytes of the device (an MTD partition, a model file). */
  size: number;
  /** Erase block. */
  eraseSize: number;
  /** Program unit: a NAND page; 1 on NOR. */
  writeSize: number;
}

/** An operation the device refused: errno as Linux names it ("EIO", "EBADMSG", ...). */
export class FlashIoError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

export interface FlashDevice {
  readonly geometry: FlashGeometry;
  /** What the device is, for reports ("model nand build/x.flash", "/dev/mtd0 (nandsim)"). */
  readonly description: string;
  /** Fills `into` from [off, off + into.length). A NAND read may return wrong data without an error. */
  read(off: number, into: Uint8Array): void;
  /** Erases the block at off: every byte reads 0xff after. */
  erase(off: number): void;
  /** Programs data at off (erased bytes only; NAND: whole pages). */
  program(off: number, data: Uint8Array): void;
  /** True when the erase block at off is marked bad. */
  isBad(off: number): boolean;
  /** Makes the operations performed so far durable, in order (called after every round that changed the flash). */
  sync(): void;
  close(): void;
}

export const ERRNO = { EIO: 5, EINVAL: 22, EROFS: 30, EBADMSG: 74 } as const;
