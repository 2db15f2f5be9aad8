// Layout of the core-private state region (memmap.ts STATE_BASE .. +STATE_SIZE). Core-only:
// the host never reads these directly, it calls exports. docs/memory-map.md summarises it.

import { STATE_BASE } from "./shared/memmap";

// Diagnostics.
export const STATE_ABORT_LINE: usize = STATE_BASE + 0x000; // u32, last abort's source line
export const STATE_INIT_DONE: usize = STATE_BASE + 0x004; // u32, 1 after init()
export const STATE_SHA_COMPRESSIONS: usize = STATE_BASE + 0x008; // u32, SHA-256 blocks so far

// SHA-256 contexts (crypto/sha256.ts SHA_CTX_SIZE = 128 each).
export const STATE_SHA_CTX_A: usize = STATE_BASE + 0x100; // HMAC and one-shot digests
export const STATE_SHA_CTX_B: usize = STATE_BASE + 0x200; // self-test
export const STATE_SHA_SCRATCH: usize = STATE_BASE + 0x300; // 64 bytes: key block, inner digest

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

// 0x8000 .. 0x10000 is free.

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
export const SW_ST_TIMEOUTS: usize = STATE_SWITCH_BASE + 0x040; // u32 x TMO_COUNT
export const SW_ST_COUNTERS: usize = STATE_SWITCH_BASE + 0x100; // u32 x C_COUNT (<= 64)
export const SW_ST_END: usize = STATE_SWITCH_BASE + 0x2000; // end of the switching path's range
