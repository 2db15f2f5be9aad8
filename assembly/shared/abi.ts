// ABI constants shared by core and host. Portable (asc + tsc).

/** Bumped whenever an export's meaning, a repr layout or the memory map changes. */
export const ABI_VERSION = 3; // 3: flashing and the boot stage (flash_, boot_ exports; FLASHOP, FLASHINFO, FLASHWIN; STATE +0xB000). 2: signed images (sha512_, ed25519_, img_ exports; EDSCRATCH, IMGINFO, IMGWIN; STATE +0xA000)
