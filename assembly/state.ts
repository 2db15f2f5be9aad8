// Layout of the core-private state region (memmap.ts STATE_BASE .. +STATE_SIZE). Core-only:
// the host never reads these directly, it calls exports. docs/memory-map.md summarises it;
// test/memmap.test.ts checks that the blocks below never overlap (declare a block's size).

import { STATE_BASE } from "./shared/memmap";

// Diagnostics.
export const STATE_ABORT_LINE: usize = STATE_BASE + 0x000; // u32, last abort's source line
export const STATE_INIT_DONE: usize = STATE_BASE + 0x004; // u32, 1 after init()
export const STATE_SHA_COMPRESSIONS: usize = STATE_BASE + 0x008; // u32, SHA-256 blocks so far

// SHA-256 contexts (crypto/sha256.ts SHA_CTX_SIZE = 128 each) and scratch. Scratch: what it
// holds matters only during one call; the HMAC code wipes it when a key is set up or cleared,
// because it held key-derived bytes (the padded key block, the key's message schedule).
export const STATE_SHA_CTX_A: usize = STATE_BASE + 0x100; // HMAC and one-shot digests
export const STATE_SHA_CTX_B: usize = STATE_BASE + 0x200; // self-test
export const STATE_SHA_SCRATCH: usize = STATE_BASE + 0x300; // 64 bytes: key block, inner digest
export const STATE_SHA_SCHEDULE: usize = STATE_BASE + 0x900; // 256 bytes: compress()'s message schedule W[64]
export const STATE_SHA512_SCHEDULE: usize = STATE_BASE + 0xa00; // 640 bytes: compress512()'s message schedule W[80]

// HMAC-SHA256 key slots (crypto/hmac.ts): HMAC_SLOT_COUNT host slots plus one private
// self-test slot, HMAC_SLOT_SIZE = 128 bytes each: 0x400 .. 0x880.
export const STATE_HMAC_SLOTS: usize = STATE_BASE + 0x400;

// Self-test scratch: frames, reprs and digests the self-test builds (4 KiB).
export const STATE_SELFTEST: usize = STATE_BASE + 0x1000;

// Scratch reprs the high-level encoders (arpAnnounce, naUnsolicited) build into.
export const STATE_WIRE_ETH: usize = STATE_BASE + 0x2000; // ETH_REPR_SIZE
export const STATE_WIRE_ARP: usize = STATE_BASE + 0x2040; // ARP_REPR_SIZE
export const STATE_WIRE_IP6: usize = STATE_BASE + 0x2080; // IPV6_REPR_SIZE
export const STATE_WIRE_NA: usize = STATE_BASE + 0x20c0; // NA_REPR_SIZE

// Reserved per subsystem; each declares its own layout inside its range, here.
export const STATE_NIC_BASE: usize = STATE_BASE + 0x3000; // .. 0x3fff rings and takeover
export const STATE_GASP_BASE: usize = STATE_BASE + 0x4000; // .. 0x5fff gasp sender/receiver
export const STATE_SWITCH_BASE: usize = STATE_BASE + 0x6000; // .. 0x7fff switching path
export const STATE_NIC_SIZE: usize = 0x1000;
export const STATE_GASP_SIZE: usize = 0x2000;
export const STATE_SWITCH_SIZE: usize = 0x2000;

// NIC rings and takeover (assembly/nic/): typed structs at fixed addresses (AssemblyScript
// @unmanaged classes placed with changetype, never allocated). Each array has its own stride,
// declared here, and init() checks that every struct fits it.
export const STATE_NIC_OP: usize = STATE_NIC_BASE + 0x000; // NicOp (nic/op.ts): the operation in progress
export const STATE_NIC_OP_INFO: usize = STATE_NIC_BASE + 0x080; // OPINFO_FIELDS x i32: what it left behind
export const STATE_NIC_TUNE: usize = STATE_NIC_BASE + 0x100; // TUNE_FIELDS x i32 (shared/rings.ts)
export const STATE_NIC_REGOPS: usize = STATE_NIC_BASE + 0x140; // RegopList (nic/ops.ts): entries pushed this round
export const STATE_NIC_PORTS: usize = STATE_NIC_BASE + 0x200; // NIC_MAX_PORTS x NicPort (nic/port.ts)
export const STATE_NIC_TXQ: usize = STATE_NIC_BASE + 0x400; // NIC_MAX_PORTS x TxQueue (nic/txq.ts): the normal TX rings
export const STATE_NIC_FAULTQ: usize = STATE_NIC_BASE + 0x500; // NIC_MAX_PORTS x TxQueue: the fault path's TX rings
export const STATE_NIC_RXQ: usize = STATE_NIC_BASE + 0x600; // NIC_MAX_PORTS x RxQueue (nic/rxq.ts) (.. 0x700)
export const NIC_PORT_STRIDE: usize = 0x40;
export const NIC_QUEUE_STRIDE: usize = 0x40;
// Which packet buffer each TX and RX descriptor slot holds (nic/bufs.ts): buffers move between
// slots when the packet engine forwards without copying. The TX table (NIC_MAX_PORTS x
// TX_RING_MAX u16), then the RX table (NIC_MAX_PORTS x RX_RING_MAX u16): 4 KiB, which does not
// fit the NIC range above, so it sits in the free part of STATE.
export const STATE_NIC_SLOT_BUFS: usize = STATE_BASE + 0x9000; // outside STATE_NIC_BASE's 4 KiB
export const STATE_NIC_SLOT_BUFS_SIZE: usize = 0x1000;
// Gasp sender and receiver (assembly/gasp/), inside STATE_GASP_BASE .. +0x2000. The fault
// path touches only the sender's part: its own copy of the key states, its own SHA-256
// context, nothing shared with code that was running when the fault hit.
export const STATE_GASP_TX: usize = STATE_GASP_BASE + 0x000; // 64: armed, fenced, seq, counts
export const STATE_GASP_TX_KEY: usize = STATE_GASP_BASE + 0x040; // 64: inner + outer key state
export const STATE_GASP_TX_CTX: usize = STATE_GASP_BASE + 0x080; // 128: SHA-256 context
export const STATE_GASP_TX_DIGEST: usize = STATE_GASP_BASE + 0x100; // 32: inner/outer digest
export const STATE_GASP_TX_CONFIG: usize = STATE_GASP_BASE + 0x200; // 256: copy of the arm config
export const STATE_GASP_TX_FRAMES: usize = STATE_GASP_BASE + 0x300; // 2 x 8 x 32: frame metadata
export const STATE_GASP_RX: usize = STATE_GASP_BASE + 0x500; // 64: receiver config
export const STATE_GASP_RX_COUNTERS: usize = STATE_GASP_BASE + 0x540; // 33 x u32: accepted + reasons
export const STATE_GASP_RX_DIGEST: usize = STATE_GASP_BASE + 0x600; // 32: the recomputed MAC
export const STATE_GASP_RX_REPLAY: usize = STATE_GASP_BASE + 0x1000; // 256 x 16: highest (boot, seq)

// Switching path state (STATE_SWITCH_BASE .. +0x2000), see docs/switching-path.md.
export const SW_ST_INIT: usize = STATE_SWITCH_BASE + 0x000; // u32: 1 after sw_init
export const SW_ST_CONN_CAP: usize = STATE_SWITCH_BASE + 0x004; // u32 entries
export const SW_ST_CONN_MASK: usize = STATE_SWITCH_BASE + 0x008; // u32 bucket index mask
export const SW_ST_SEED: usize = STATE_SWITCH_BASE + 0x00c; // u32 hash seed (from the host)
export const SW_ST_POLICY: usize = STATE_SWITCH_BASE + 0x010; // u32 CONN_POLICY_*
export const SW_ST_NOW: usize = STATE_SWITCH_BASE + 0x014; // u32 tick latched by sw_tick/sw_batch
export const SW_ST_LB_ACTIVE: usize = STATE_SWITCH_BASE + 0x018; // u32 LB_TABLE_A / LB_TABLE_B
export const SW_ST_LB_GEN: usize = STATE_SWITCH_BASE + 0x01c; // u32 flips so far
export const SW_ST_LB_SEEN: usize = STATE_SWITCH_BASE + 0x020; // u32 generation the path last latched
export const SW_ST_IN_BATCH: usize = STATE_SWITCH_BASE + 0x024; // u32 1 while a batch runs
export const SW_ST_SWEEP: usize = STATE_SWITCH_BASE + 0x028; // u32 next bucket sw_conn_sweep visits
export const SW_ST_SVC_COUNT: usize = STATE_SWITCH_BASE + 0x02c; // u32 highest service index + 1
export const SW_ST_CP_COUNT: usize = STATE_SWITCH_BASE + 0x030; // u32 highest CP index + 1
export const SW_ST_LOOKAHEAD: usize = STATE_SWITCH_BASE + 0x034; // u32: what the batch look-ahead read (kept, so no pass reads for nothing)
export const SW_ST_TIMEOUTS: usize = STATE_SWITCH_BASE + 0x040; // u32 x TMO_COUNT
export const SW_ST_COUNTERS: usize = STATE_SWITCH_BASE + 0x100; // u32 x C_COUNT (<= 64)
// The poll-mode packet engine (assembly/engine/, docs/switching-path.md "Packet engine").
export const SW_ST_ENG_RX_OWNER: usize = STATE_SWITCH_BASE + 0x800; // u32 x NIC_MAX_PORTS: owning context + 1, 0 = none
export const SW_ST_ENG_INJECT_OWNER: usize = STATE_SWITCH_BASE + 0x810; // u32: context + 1 that drains the DOWN punt ring
export const SW_ST_ENG_CTX: usize = STATE_SWITCH_BASE + 0x900; // ENG_MAX_CTX x ENG_CTX_SIZE (256): settings, counters
// The batch pipeline's stage (switch/batch.ts): one StagedPacket per frame of the batch being
// switched, parse results and look-ahead, written and read within one call.
export const SW_ST_STAGE: usize = STATE_SWITCH_BASE + 0x1000; // SW_STAGE_MAX x SW_STAGE_STRIDE (4 KiB)
export const SW_STAGE_MAX: i32 = 64; // frames staged at once (ENG_BATCH_MAX; sw_batch works in chunks of it)
export const SW_STAGE_STRIDE: usize = 64;
export const SW_ST_END: usize = STATE_SWITCH_BASE + 0x2000; // end of the switching path's range

// The fault entry (assembly/fault/state.ts): the plan armed at boot and the progress of a fire.
export const STATE_FAULT_BASE: usize = STATE_BASE + 0x8000;
export const STATE_FAULT_SIZE: usize = 0x100;
export const STATE_FAULT_PLAN: usize = STATE_FAULT_BASE + 0x00; // FaultPlan
export const STATE_FAULT_PORTS: usize = STATE_FAULT_BASE + 0x40; // GASP_MAX_PORTS x FaultPort
export const FAULT_PORT_STRIDE: usize = 0x30;

// Signed images and Ed25519 (assembly/crypto/ed25519.ts, assembly/image/), 0xa000 .. 0xafff.
export const STATE_IMG_BASE: usize = STATE_BASE + 0xa000;
export const STATE_IMG_SIZE: usize = 0x1000;
export const STATE_IMG_ED_ONESHOT: usize = STATE_IMG_BASE + 0x000; // ED_CTX_SIZE (352): ed25519_verify
export const STATE_IMG_SHA512: usize = STATE_IMG_BASE + 0x180; // SHA512_CTX_SIZE (256): sha512()
export const STATE_IMG_PARSER: usize = STATE_IMG_BASE + 0x300; // 256: the streaming parser's state (image/parser.ts)
export const STATE_IMG_ED: usize = STATE_IMG_BASE + 0x400; // ED_CTX_SIZE: the image signature's verification
export const STATE_IMG_SHA256: usize = STATE_IMG_BASE + 0x580; // SHA_CTX_SIZE (128): the current record's SHA-256
export const STATE_IMG_TRUST: usize = STATE_IMG_BASE + 0x600; // IMG_TRUST_SLOTS x 64: trusted keys (image/trust.ts)
export const STATE_IMG_TRUST_BOARD: usize = STATE_IMG_BASE + 0x800; // 36: the card's board id and its length
export const STATE_IMG_TRAILER: usize = STATE_IMG_BASE + 0x880; // IMG_TRAILER_LEN (96): key id and signature given first
export const STATE_IMG_COLLECT: usize = STATE_IMG_BASE + 0x900; // 128: header, record header and digest as they arrive

// Dialects (assembly/dialect/, docs/dialects.md), 0xc000 .. 0xcfff: the table's control block
// and one DialectSlot per frame. The frames themselves are in the GASP region (shared/dialect.ts).
export const STATE_DIALECT_BASE: usize = STATE_BASE + 0xc000;
export const STATE_DIALECT_SIZE: usize = 0x1000;
export const STATE_DIALECT_CTL: usize = STATE_DIALECT_BASE + 0x000; // DialectCtl (dialect/state.ts)
export const STATE_DIALECT_SLOTS: usize = STATE_DIALECT_BASE + 0x100; // DIALECT_MAX_FRAMES x DialectSlot
export const DIALECT_SLOT_STRIDE: usize = 0x40;

// Flashing and the boot stage (assembly/flash/, docs/flashing.md), 0xb000 .. 0xbfff.
export const STATE_FLASH_BASE: usize = STATE_BASE + 0xb000;
export const STATE_FLASH_SIZE: usize = 0x1000;
export const STATE_FLASH_LAYOUT: usize = STATE_FLASH_BASE + 0x000; // FLC_LEN (64): the checked layout, and derived values
export const STATE_FLASH_OP: usize = STATE_FLASH_BASE + 0x080; // 128: the operation in progress (flash/stage.ts)
export const STATE_FLASH_BAD: usize = STATE_FLASH_BASE + 0x100; // FL_REGIONS x 128: bad-block bitmaps (1024 blocks each)
export const STATE_FLASH_CUR: usize = STATE_FLASH_BASE + 0x300; // SR_LEN (96): the state record in force
export const STATE_FLASH_NEXT: usize = STATE_FLASH_BASE + 0x380; // SR_LEN: the record being written
export const STATE_FLASH_SHA_W: usize = STATE_FLASH_BASE + 0x400; // SHA_CTX_SIZE: SHA-256 of what was written
export const STATE_FLASH_SHA_R: usize = STATE_FLASH_BASE + 0x480; // SHA_CTX_SIZE: SHA-256 of what was read back
export const STATE_FLASH_DIGESTS: usize = STATE_FLASH_BASE + 0x500; // 64: the two digests
export const STATE_FLASH_VID: usize = STATE_FLASH_BASE + 0x540; // 16: id of the image just verified

// 0x8100 .. 0x9000 is free; 0x9000 .. 0xa000 is STATE_NIC_SLOT_BUFS (above); 0xd000 .. 0x10000 is free.
