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

// NIC rings and takeover (assembly/nic/): the register operation in progress, tunable
// bounds, per-port configuration and per-ring soft state. Layouts in nic/op.ts, nic/port.ts,
// nic/ring.ts.
export const STATE_NIC_OP: usize = STATE_NIC_BASE + 0x000; // 256 bytes
export const STATE_NIC_TUNE: usize = STATE_NIC_BASE + 0x100; // TUNE_FIELDS u32 (shared/rings.ts)
export const STATE_NIC_PORTS: usize = STATE_NIC_BASE + 0x200; // NIC_MAX_PORTS x 64 bytes
export const STATE_NIC_RINGS: usize = STATE_NIC_BASE + 0x400; // NIC_MAX_PORTS x 3 x 64 bytes (.. 0x700)

// 0x8000 .. 0x10000 is free.
