// ABI constants shared by core and host. Portable (asc + tsc).

/** Bumped whenever an export's meaning, a repr layout or the memory map changes. */
export const ABI_VERSION = 4; // 4: dialects (dialect_ exports, GASP +0x2000.., STATE +0xC000, FPI_ fields 7-9, FAULT_ARMF_QUIESCE). 3: flashing and the boot stage (flash_, boot_ exports; FLASHOP, FLASHINFO, FLASHWIN; STATE +0xB000). 2: signed images (sha512_, ed25519_, img_ exports; EDSCRATCH, IMGINFO, IMGWIN; STATE +0xA000)
