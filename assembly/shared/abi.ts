// ABI constants shared by core and host. Portable (asc + tsc).

/** Bumped whenever an export's meaning, a repr layout or the memory map changes. */
export const ABI_VERSION = 1;
