// Flashing and the boot stage (docs/flashing.md): the layout the host configures, the flash
// operations the core asks for, the state record kept on flash, and the report the core
// leaves in FLASHINFO. Portable (asc + tsc): plain integer constants only.
//
// The core does no I/O. A flash call (boot_select, flash_write, flash_confirm, flash_revert,
// flash_status) returns STEP_IO (shared/regop.ts) after listing flash operations in the
// FLASHOP region; the host performs them in order, fills in each one's result, and calls
// flash_step() again, until STEP_DONE (0) or a negative status.

// ---- regions of the layout ------------------------------------------------------------------
export const FL_STATE = 0; // the state area: two alternating copies of the state record
export const FL_GOLDEN = 1; // written at manufacture, never by an update
export const FL_A = 2;
export const FL_B = 3;
export const FL_REGIONS = 4;
export const FL_NONE = 0xff; // "no slot" in the state record and in reports

// ---- the layout (flash_config's argument, FLC_LEN bytes, u32 little-endian) -----------------
export const FLC_DEVICE_SIZE = 0; // bytes of the device (MTD partition, model file)
export const FLC_ERASE_SIZE = 4; // erase block: a power of two, 512 .. FLASH_MAX_ERASE
export const FLC_WRITE_SIZE = 8; // program unit (NAND page; 1 on NOR): a power of two <= erase block
export const FLC_FLAGS = 12; // FLC_F_*
export const FLC_ATTEMPTS = 16; // trial boots an update gets before it reverts: 1..FLASH_MAX_ATTEMPTS
export const FLC_REGION = 32; // FL_REGIONS x { u32 offset, u32 size }, in FL_* order
export const FLC_LEN = 64;
export const FLC_F_BAD_BLOCKS = 1; // the device has bad blocks (NAND): ask before using a block

export const FLASH_MAX_ERASE = 0x0004_0000; // = FLASH_WINDOW_SIZE: one block fits the window
export const FLASH_MAX_BAD_MAP = 1024; // blocks per region the bad-block map covers (NAND)
export const FLASH_MAX_ATTEMPTS = 16;

// ---- flash operations (FLASHOP region) -------------------------------------------------------
//   +0  u32 count
//   +16 entries of FOP_ENTRY_SIZE bytes:
//         +0 u32 kind (FOP_*)
//         +4 u32 flash offset (FETCH: offset in the image being written)
//         +8 u32 offset in FLASHWIN
//         +12 u32 length (ERASE: the erase block size)
//         +16 i32 result, filled in by the host: 0 done (ISBAD: 0 good, 1 bad), < 0 -errno.
//             The core sets FOP_PENDING before it hands the list over; the host stops at
//             the first operation that fails and leaves the rest pending.
export const FOP_OFF_COUNT = 0;
export const FOP_OFF_ENTRIES = 16;
export const FOP_ENTRY_SIZE = 32;
export const FOP_MAX = 500;
export const FOP_E_KIND = 0;
export const FOP_E_ADDR = 4;
export const FOP_E_WIN = 8;
export const FOP_E_LEN = 12;
export const FOP_E_RESULT = 16;
export const FOP_PENDING = 0x7fff_0000; // not performed (yet)

export const FOP_READ = 1; // flash [addr, addr+len) -> window [win, win+len)
export const FOP_ERASE = 2; // the erase block at addr (every byte reads 0xff after)
export const FOP_PROGRAM = 3; // window [win, win+len) -> flash [addr, addr+len); erased bytes only
export const FOP_ISBAD = 4; // result 1 if the erase block at addr is bad (MEMGETBADBLOCK)
export const FOP_FETCH = 5; // the image being written, bytes [addr, addr+len) -> window [win, ...)

// ---- the state record (STATE region of the flash) ---------------------------------------------
// Two copies, each in its own erase block (the first two good blocks of the state area). A
// copy holds the record twice (at 0 and at one write-unit-rounded stride), so that one bad
// page does not lose it. A record is valid when magic, format, length and CRC-32 hold and its
// fields are in range; the valid one with the highest sequence number is the state.
export const SR_MAGIC = 0x5346_474c; // "LGFS" as bytes 4c 47 46 53
export const SR_FORMAT = 1;
export const SR_LEN = 96;
export const SR_OFF_MAGIC = 0; // u32
export const SR_OFF_FORMAT = 4; // u16
export const SR_OFF_LEN = 6; // u16
export const SR_OFF_SEQ = 8; // u32: +1 per write
export const SR_OFF_COUNTER = 12; // u32: the security counter confirmed so far (never goes down)
export const SR_OFF_CONFIRMED = 16; // u8: FL_A, FL_B or FL_NONE
export const SR_OFF_TRIAL = 17; // u8: FL_A, FL_B or FL_NONE
export const SR_OFF_ATTEMPTS = 18; // u8: trial boots left
export const SR_OFF_ATTEMPTS_MAX = 19; // u8: trial boots the trial was given
export const SR_OFF_CONFIRMED_ID = 20; // 16: image id of the confirmed image
export const SR_OFF_TRIAL_ID = 36; // 16: image id of the trial image
export const SR_OFF_REJECTED_ID = 52; // 16: image id of the last trial reverted (zero: none)
export const SR_OFF_CRC = 92; // u32: CRC-32 of bytes [0, 92)
export const FLASH_ID_LEN = 16; // an image id: the first 16 bytes of its Ed25519 signature (R)

// ---- operations and the boot report ---------------------------------------------------------
export const FLOP_NONE = 0;
export const FLOP_BOOT = 1;
export const FLOP_WRITE = 2;
export const FLOP_GOLDEN = 3;
export const FLOP_CONFIRM = 4;
export const FLOP_REVERT = 5;
export const FLOP_STATUS = 6;

export const BOOT_TRIAL = 1; // the trial slot, with an attempt spent
export const BOOT_CONFIRMED = 2; // the confirmed slot
export const BOOT_FALLBACK = 3; // the other slot: the confirmed one did not verify (or none is confirmed)
export const BOOT_GOLDEN = 4; // neither A nor B verified

export const FIF_NO_STATE = 1; // no valid state copy: a blank card (initial state)
export const FIF_REVERTED = 2; // a trial was reverted (attempts used up, or it did not verify)
export const FIF_ATTEMPT = 4; // a trial attempt was spent
export const FIF_STATE_WRITTEN = 8; // a state copy was written
export const FIF_STATE_WRITE_FAILED = 16; // a state write failed (the previous state stands)

// FLASHINFO (memmap.ts FLASH_INFO_BASE), written by the core.
export const FI_OP = 0; // u32 FLOP_*
export const FI_STATUS = 4; // i32: 1 running, then STEP_DONE (0) or the error
export const FI_CHOSEN = 8; // u32: boot: the slot chosen (FL_*), FL_NONE if none
export const FI_REASON = 12; // u32: BOOT_*
export const FI_FLAGS = 16; // u32: FIF_*
export const FI_TARGET = 20; // u32: write: the slot written
export const FI_ROUNDS = 24; // u32: STEP_IO rounds so far
export const FI_KEEP = 28; // u32: write: the slot kept (what the card boots now), FL_NONE if none
export const FI_COPY_VALID = 32; // 2 x u32: state copy 0 / 1 valid when read
export const FI_COPY_SEQ = 40; // 2 x u32: their sequence numbers
export const FI_COPY_ADDR = 48; // 2 x u32: their flash offsets
export const FI_CUR_COPY = 56; // u32: the copy the state now comes from (0, 1; FL_NONE: none)
export const FI_STATE_BEFORE = 64; // SR_LEN: the state when the operation began
export const FI_STATE = 160; // SR_LEN: the state when it ended
export const FI_SLOTS = 256; // FL_REGIONS entries of FI_SLOT_SIZE, by region index
export const FI_SLOT_SIZE = 64;
export const FS_STATUS = 0; // i32: FS_UNCHECKED, OK, or why the slot was refused
export const FS_LEN = 4; // u32: image length from its header
export const FS_COUNTER = 8; // u32: its security counter
export const FS_VERSION = 12; // 8 bytes: major u8, minor u8, patch u16, build u32
export const FS_GOOD_BLOCKS = 20; // u32
export const FS_BAD_BLOCKS = 24; // u32
export const FS_CHECKED = 28; // u32: 1 when the slot was read this operation
export const FS_ID = 32; // 16: image id
export const FS_UNCHECKED = 1;
