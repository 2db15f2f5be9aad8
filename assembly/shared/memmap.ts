// The core's linear-memory map: the one place it is declared.
//
// Portable: this file compiles under both asc (the core) and tsc (the host), so it holds
// plain integer constants only. Untyped integer literals are i32 in AssemblyScript and
// number in TypeScript; keep every value below 2^31.
//
// The memory never grows: MEM_PAGES is both the initial and the maximum size (asconfig.json
// and scripts/build-core.js read it from here). docs/memory-map.md is checked against this
// file by test/memmap.test.ts.

export const PAGE_SIZE = 0x10000;

// AssemblyScript's own static data (constant tables, known-answer vectors). init() refuses
// to run if the compiler placed more than this (__heap_base beyond STATIC_END).
export const STATIC_BASE = 0x0000_0000;
export const STATIC_SIZE = 0x0001_0000;

// Core-private state: SHA-256 contexts, HMAC key slots, counters, configuration. No export
// takes a pointer into it, so the host cannot make the core overwrite it by mistake.
export const STATE_BASE = 0x0001_0000;
export const STATE_SIZE = 0x0001_0000;

// Everything from HOST_BASE up is host-visible: pointers passed to exports must lie in
// [HOST_BASE, MEM_END), or the export returns E_RANGE.
export const HOST_BASE = 0x0002_0000;

// Argument and result slots: plain representations (see repr.ts) the host fills before a
// call and reads after it. ABI_SLOT_COUNT slots of ABI_SLOT_SIZE bytes.
export const ABI_BASE = 0x0002_0000;
export const ABI_SIZE = 0x0001_0000;
export const ABI_SLOT_SIZE = 0x100;
export const ABI_SLOT_COUNT = 256;

// Frame buffers for encode and decode calls: FRAME_SLOT_COUNT buffers of FRAME_SLOT_SIZE.
export const FRAME_BASE = 0x0003_0000;
export const FRAME_SIZE = 0x0001_0000;
export const FRAME_SLOT_SIZE = 0x0800;
export const FRAME_SLOT_COUNT = 32;

// Register-operation list: register writes the core asks the host to perform (NIC rings).
export const REGOP_BASE = 0x0004_0000;
export const REGOP_SIZE = 0x0001_0000;

// Fault path: the armed gasp template and its fault-time working area.
export const GASP_BASE = 0x0005_0000;
export const GASP_SIZE = 0x0001_0000;

// Simulation only: the guest OS image (build/sim/os.wasm) that shares an OS-side core
// instance's memory on the virtual chassis, so its wild writes really land in the driver's
// rings. Unused on a board.
export const SIMOS_BASE = 0x0006_0000;
export const SIMOS_SIZE = 0x0001_0000;

// Signed images (docs/image-format.md), inside 0x0007_0000 .. 0x000A_0000:
// The Ed25519 verifier's working memory (field elements, points, the window tables, the
// scalar reduction), used within one call and wiped before it returns. Exports refuse
// arguments that overlap it (E_RANGE).
export const ED_SCRATCH_BASE = 0x0007_0000;
export const ED_SCRATCH_SIZE = 0x0000_1000;
// What the core's image parser found: header fields, the record table, the refusal and
// where it happened (shared/image.ts IMG_INFO_* offsets). Written by the core, read by the host.
export const IMG_INFO_BASE = 0x0007_1000;
export const IMG_INFO_SIZE = 0x0000_1000;
// The window the host streams an image through, a chunk at a time (img_update): the core
// never needs the whole image in memory.
export const IMG_WINDOW_BASE = 0x0008_0000;
export const IMG_WINDOW_SIZE = 0x0002_0000;

// Flashing and the boot stage (docs/flashing.md), inside 0x000A_0000 .. 0x0010_0000:
// The flash operations the core asks the host to perform (shared/flash.ts FOP_*), the way
// REGOP carries register operations. Written by the core, results filled in by the host.
export const FLASH_OP_BASE = 0x000a_0000;
export const FLASH_OP_SIZE = 0x0000_4000;
// What the last flash operation or boot selection found: the state copies, the state
// before and after, per slot its verdict, header fields and image id (shared/flash.ts FI_*).
export const FLASH_INFO_BASE = 0x000a_4000;
export const FLASH_INFO_SIZE = 0x0000_1000;
// The window flash reads land in and programs come from: one erase block at most
// (FLASH_MAX_ERASE), and the chunk the boot stage streams an image through.
export const FLASH_WINDOW_BASE = 0x000c_0000;
export const FLASH_WINDOW_SIZE = 0x0004_0000;

// 0x0007_2000 .. 0x0008_0000 and 0x000A_5000 .. 0x000C_0000 are reserved for future fixed regions.

// DMA window: descriptor rings and packet buffers the NIC reads and writes. A board
// declares the physical address at which it sees DMA_BASE.
export const DMA_BASE = 0x0010_0000;
export const DMA_SIZE = 0x0080_0000;

// Switching path: punt rings, load-distribution tables A/B, connection table.
export const SWITCH_BASE = 0x0090_0000;
export const SWITCH_SIZE = 0x0270_0000;

// SWITCH sub-layout (docs/switching-path.md has the record layouts; shared/switch.ts the
// record offsets). Configuration records are written by the core's sw_* exports, never
// directly by the host; the host writes only the inactive load-distribution table and its
// own producer side of the host-to-core punt ring.
export const SW_PORTS_BASE = 0x0090_0000; // SW_MAX_PORTS x 16: port MACs
export const SW_CP_BASE = 0x0090_0100; // SW_MAX_CP x 32: the control processor's addresses
export const SW_SERVICES_BASE = 0x0090_1000; // SW_MAX_SERVICES x 64: (VIP, protocol, port)
export const SW_BACKENDS_BASE = 0x0091_0000; // SW_MAX_BACKENDS x 64: back ends
export const SW_FRAGS_BASE = 0x0092_0000; // SW_FRAG_SLOTS x 16: fragment tracking
export const SW_RING_HDR_BASE = 0x0093_0000; // two 256-byte punt-ring headers
export const SW_PUNT_UP_BASE = 0x0094_0000; // core -> host punt ring slots (256 KiB)
export const SW_PUNT_DOWN_BASE = 0x0098_0000; // host -> core injection ring slots (256 KiB)
export const SW_LB_A_BASE = 0x00a0_0000; // load-distribution table A (512 KiB)
export const SW_LB_B_BASE = 0x00a8_0000; // load-distribution table B (512 KiB)
export const SW_LB_TABLE_SIZE = 0x0008_0000;
// 0x00b0_0000 .. 0x0100_0000 is reserved for the switching path.
export const SW_CONN_BASE = 0x0100_0000; // connection table: up to 2^20 entries x 32 bytes
export const SW_CONN_SIZE = 0x0200_0000;

export const MEM_END = 0x0300_0000;
export const MEM_PAGES = 0x0300;
