// A Linux MTD character device (/dev/mtdN) as a FlashDevice, through the lastgasp_mtd addon
// (host/native/mtd.c, built by `make native`). MEMGETINFO gives the geometry: NOR, RAM
// (block2mtd, mtdram) and DataFlash are byte-programmable ("nor"); NAND and MLC NAND program
// whole pages and have bad blocks ("nand").
//
// sync(): mtdchar calls mtd_sync() when a writable descriptor is closed, so a new descriptor
// is opened and the old one closed. block2mtd's sync flushes its page cache to the disk below
// it; without that, writes would reach the disk in whatever order the kernel's writeback
// chose, and a power cut could keep a later write while losing an earlier one.

import * as fs from "fs";
import * as path from "path";
import { FlashDevice, FlashGeometry, FlashIoError, ERRNO } from "./device";
import { BUILD_DIR } from "../paths";

export interface MtdAddon {
  open(path: string, writable: boolean): number;
  info(fd: number): { type: number; flags: number; size: number; erasesize: number; writesize: number; oobsize: number };
  read(fd: number, off: number, into: Uint8Array): number;
  write(fd: number, off: number, data: Uint8Array): number;
  erase(fd: number, off: number, len: number): void;
  isBad(fd: number, off: number): boolean;
  eccStats(fd: number): { corrected: number; failed: number; badblocks: number; bbtblocks: number };
  close(fd: number): void;
}

export const MTD_ADDON_PATH = path.join(BUILD_DIR, "native", "lastgasp_mtd.node");

// include/uapi/mtd/mtd-abi.h
const MTD_TYPES: Record<number, { name: string; kind: "nor" | "nand" }> = {
  1: { name: "RAM", kind: "nor" },
  3: { name: "NOR", kind: "nor" },
  4: { name: "NAND", kind: "nand" },
  6: { name: "DataFlash", kind: "nor" },
  8: { name: "MLC NAND", kind: "nand" },
};

let cached: MtdAddon | undefined;

export class MtdError extends Error {}

export function loadMtdAddon(): MtdAddon {
  if (cached) return cached;
  if (!fs.existsSync(MTD_ADDON_PATH)) throw new MtdError(`${path.relative(process.cwd(), MTD_ADDON_PATH)} is missing: build it with \`make native\` (node-gyp, Linux)`);
  cached = require(MTD_ADDON_PATH) as MtdAddon;
  return cached;
}

/** True when file names an MTD character device (/dev/mtdN, not /dev/mtdNro or mtdblockN). */
export function isMtdPath(file: string): boolean {
  return /^\/dev\/mtd\d+$/.test(file);
}

const asIoError = (e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err.code === "string" ? err.code : "EIO";
  return new FlashIoError(err.message, code, (ERRNO as Record<string, number>)[code] ?? ERRNO.EIO);
};

export class MtdDevice implements FlashDevice {
  readonly geometry: FlashGeometry;
  readonly description: string;
  readonly mtdType: string;
  private fd: number;

  constructor(
    readonly file: string,
    private readonly writable: boolean,
    private readonly addon: MtdAddon = loadMtdAddon(),
  ) {
    this.fd = addon.open(file, writable);
    const mi = addon.info(this.fd);
    const t = MTD_TYPES[mi.type];
    if (!t) {
      addon.close(this.fd);
      throw new MtdError(`${file}: MTD type ${mi.type} is not a flash the flasher knows (NOR, NAND, RAM, DataFlash)`);
    }
    this.mtdType = t.name;
    this.geometry = { type: t.kind, size: mi.size, eraseSize: mi.erasesize, writeSize: mi.writesize };
    const name = sysfsName(file);
    this.description = `${file}${name ? ` (${name})` : ""}: ${t.name}, ${mi.size} bytes, erase ${mi.erasesize}, write ${mi.writesize}`;
  }

  read(off: number, into: Uint8Array): void {
    try {
      this.addon.read(this.fd, off, into);
    } catch (e) {
      throw asIoError(e);
    }
  }

  erase(off: number): void {
    try {
      this.addon.erase(this.fd, off, this.geometry.eraseSize);
    } catch (e) {
      throw asIoError(e);
    }
  }

  program(off: number, data: Uint8Array): void {
    try {
      this.addon.write(this.fd, off, data);
    } catch (e) {
      throw asIoError(e);
    }
  }

  isBad(off: number): boolean {
    try {
      return this.addon.isBad(this.fd, off);
    } catch (e) {
      throw asIoError(e);
    }
  }

  eccStats() {
    return this.addon.eccStats(this.fd);
  }

  sync(): void {
    if (!this.writable) return;
    const next = this.addon.open(this.file, true);
    this.addon.close(this.fd); // mtdchar: mtd_sync()
    this.fd = next;
  }

  close(): void {
    this.addon.close(this.fd);
  }
}

function sysfsName(file: string): string | undefined {
  try {
    return fs.readFileSync(`/sys/class/mtd/${path.basename(file)}/name`, "utf8").trim();
  } catch {
    return undefined;
  }
}
