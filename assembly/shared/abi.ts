// ABI constants shared by core and host. Portable (asc + tsc).

/** Bumped whenever an export's meaning, a repr layout or the memory map changes. */
export const ABI_VERSION = 2; // 2: signed images (sha512_, ed25519_, img_ exports; EDSCRATCH, IMGINFO, IMGWIN; STATE +0xA000)
