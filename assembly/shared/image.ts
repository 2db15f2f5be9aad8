// The signed image format (docs/image-format.md): layout constants shared by the core's
// parser (assembly/image/) and the host's builder (host/image/). Portable (asc + tsc): plain
// integer constants only.
//
// An image is a 64-byte little-endian header followed by records, each an 8-byte record
// header (type, reserved, value length) and its value, zero-padded to a multiple of 8:
//   core (its SHA-256, then core.wasm), board (SHA-256, the board file), optionally native
//   (SHA-256, the wasm2c build), optionally non-critical extensions, then the trailer: the
//   signing key's id and the Ed25519 signature over every byte before the signature value.

export const IMG_MAGIC = 0x4d49474c; // "LGIM" as bytes 4c 47 49 4d
export const IMG_FORMAT_VERSION = 1;
export const IMG_HEADER_LEN = 64;

// Header fields (byte offsets, little-endian).
export const IMG_OFF_MAGIC = 0; // u32
export const IMG_OFF_FORMAT = 4; // u16 format version
export const IMG_OFF_HEADER_LEN = 6; // u16, = IMG_HEADER_LEN
export const IMG_OFF_IMAGE_LEN = 8; // u32 total bytes, signature included
export const IMG_OFF_FLAGS = 12; // u32, every bit reserved (must be 0) in format 1
export const IMG_OFF_BOARD = 16; // 32 bytes: board compatibility id, ASCII, NUL-padded
export const IMG_OFF_VER_MAJOR = 48; // u8
export const IMG_OFF_VER_MINOR = 49; // u8
export const IMG_OFF_VER_PATCH = 50; // u16
export const IMG_OFF_VER_BUILD = 52; // u32
export const IMG_OFF_SECURITY_COUNTER = 56; // u32
export const IMG_OFF_RECORD_COUNT = 60; // u16, trailer included
export const IMG_OFF_RESERVED = 62; // u16, must be 0
export const IMG_BOARD_ID_LEN = 32;
export const IMG_FLAGS_KNOWN = 0; // no flag is defined in format 1: any set bit refuses the image

// Records.
export const IMG_REC_HEADER_LEN = 8;
export const IMG_REC_OFF_TYPE = 0; // u16; bit 15 = critical
export const IMG_REC_OFF_RESERVED = 2; // u16, must be 0
export const IMG_REC_OFF_LEN = 4; // u32 value length (padding excluded)
export const IMG_ALIGN = 8;
export const IMG_REC_CRITICAL = 0x8000;
export const IMG_REC_CORE = 0x8001; // SHA-256 + core.wasm
export const IMG_REC_BOARD = 0x8002; // SHA-256 + the board file (JSON, as written)
export const IMG_REC_NATIVE = 0x8003; // SHA-256 + the wasm2c native build (optional)
export const IMG_REC_KEY_ID = 0x8010; // 16 bytes: first half of SHA-256(raw public key)
export const IMG_REC_SIGNATURE = 0x8011; // 64 bytes: Ed25519 R || S
export const IMG_DIGEST_LEN = 32;
export const IMG_KEY_ID_LEN = 16;
export const IMG_SIG_LEN = 64;
export const IMG_PUBKEY_LEN = 32;
// Key id record (8 + 16) and signature record (8 + 64): always the last 96 bytes.
export const IMG_TRAILER_LEN = 96;

// Bounds. Content lengths exclude the 32-byte digest in front of them.
export const IMG_MAX_RECORDS = 16;
export const IMG_MAX_LEN = 0x0100_0000; // 16 MiB
export const IMG_CORE_MIN = 8; // a WebAssembly module header at least
export const IMG_CORE_MAX = 0x0010_0000; // 1 MiB
export const IMG_BOARD_MIN = 2; // "{}"
export const IMG_BOARD_MAX = 0x0001_0000; // 64 KiB
export const IMG_NATIVE_MIN = 1;
export const IMG_NATIVE_MAX = 0x00c0_0000; // 12 MiB
export const IMG_EXT_MAX = 0x0001_0000; // a non-critical record the card does not know
// header + core (8 + 32 + 8) + board (8 + 32 + 8) + trailer
export const IMG_MIN_LEN = 64 + 48 + 48 + 96;

// img_begin modes.
export const IMG_MODE_PARSE = 0; // structure and part digests only (lastgasp image inspect)
export const IMG_MODE_VERIFY = 1; // and the signature, under a trusted key (the card's boot check)

export const IMG_TRUST_SLOTS = 8;

// What the parser found, at memmap.ts IMG_INFO_BASE (written by the core, read by the host).
export const IMG_INFO_STATUS = 0; // i32: 0 in progress, IMG_DONE_* when finished, < 0 the refusal
export const IMG_INFO_ERR_OFFSET = 4; // u32: image offset at which the refusal was decided
export const IMG_INFO_ERR_RECORD = 8; // i32: index of the record being parsed, -1 for the header
export const IMG_INFO_RECORDS = 12; // u32: records whose header was accepted
export const IMG_INFO_TRUST_SLOT = 16; // i32: trust slot whose key verified the image, -1 none
export const IMG_INFO_CONSUMED = 20; // u32: bytes consumed so far
export const IMG_INFO_HEADER = 64; // 64: the header as received
export const IMG_INFO_TABLE = 128; // IMG_MAX_RECORDS entries of IMG_INFO_ENTRY_SIZE
export const IMG_INFO_ENTRY_SIZE = 32;
export const IMG_ENT_TYPE = 0; // u16
export const IMG_ENT_OFFSET = 4; // u32: the record header's offset in the image
export const IMG_ENT_LEN = 8; // u32: value length
export const IMG_ENT_CONTENT_OFFSET = 12; // u32: content (after a digest, if any)
export const IMG_ENT_CONTENT_LEN = 16; // u32
export const IMG_ENT_FLAGS = 20; // u32: IMG_ENT_F_*
export const IMG_ENT_F_DIGEST_OK = 1; // the part's SHA-256 matched its content
export const IMG_ENT_F_UNKNOWN = 2; // a non-critical record this core does not know (skipped)
export const IMG_DONE_PARSED = 1; // IMG_MODE_PARSE: structure and digests valid
export const IMG_DONE_VERIFIED = 2; // IMG_MODE_VERIFY: and the signature verified
