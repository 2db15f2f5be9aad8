// The memory map as a list, for docs, tests and `lastgasp` diagnostics.

import * as MAP from "../../assembly/shared/memmap";

export interface Region {
  name: string;
  base: number;
  size: number;
  what: string;
}

export function memoryRegions(): Region[] {
  return [
    { name: "STATIC", base: MAP.STATIC_BASE, size: MAP.STATIC_SIZE, what: "AssemblyScript static data: constant tables, known-answer vectors" },
    { name: "STATE", base: MAP.STATE_BASE, size: MAP.STATE_SIZE, what: "core-private state: SHA-256 contexts, HMAC key slots, counters" },
    { name: "ABI", base: MAP.ABI_BASE, size: MAP.ABI_SIZE, what: "argument/result slots (reprs) the host fills and reads" },
    { name: "FRAME", base: MAP.FRAME_BASE, size: MAP.FRAME_SIZE, what: "frame buffers for encode/decode calls" },
    { name: "REGOP", base: MAP.REGOP_BASE, size: MAP.REGOP_SIZE, what: "register operations the core asks the host to perform" },
    { name: "GASP", base: MAP.GASP_BASE, size: MAP.GASP_SIZE, what: "armed gasp template and fault-time working area" },
    { name: "SIMOS", base: MAP.SIMOS_BASE, size: MAP.SIMOS_SIZE, what: "simulation only: the guest OS image sharing an OS-side core instance's memory" },
    { name: "EDSCRATCH", base: MAP.ED_SCRATCH_BASE, size: MAP.ED_SCRATCH_SIZE, what: "the Ed25519 verifier's working memory, wiped after every call" },
    { name: "IMGINFO", base: MAP.IMG_INFO_BASE, size: MAP.IMG_INFO_SIZE, what: "what the image parser found: header, record table, refusal" },
    { name: "IMGWIN", base: MAP.IMG_WINDOW_BASE, size: MAP.IMG_WINDOW_SIZE, what: "the window the host streams an image through" },
    { name: "FLASHOP", base: MAP.FLASH_OP_BASE, size: MAP.FLASH_OP_SIZE, what: "flash operations the core asks the host to perform (read, erase, program, bad-block query, image fetch)" },
    { name: "FLASHINFO", base: MAP.FLASH_INFO_BASE, size: MAP.FLASH_INFO_SIZE, what: "what the last flash operation or boot selection found: state copies, per-slot verdicts" },
    { name: "FLASHWIN", base: MAP.FLASH_WINDOW_BASE, size: MAP.FLASH_WINDOW_SIZE, what: "the window flash reads land in and programs come from" },
    { name: "DMA", base: MAP.DMA_BASE, size: MAP.DMA_SIZE, what: "descriptor rings and packet buffers the NIC reads and writes" },
    { name: "SWITCH", base: MAP.SWITCH_BASE, size: MAP.SWITCH_SIZE, what: "switching path: punt rings, load tables A/B, connection table" },
  ];
}
