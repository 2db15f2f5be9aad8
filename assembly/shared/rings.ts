// The core's NIC rings: limits, the layout of the DMA region per port, ring kinds, the
// diagnostic fields an operation leaves behind, and the tunable bounds of every poll loop.
// Portable (asc + tsc): the core's ring code, the host's board simulation and the tests all
// read these. docs/rings.md explains them.

import { DMA_BASE } from "./memmap";

// ---- limits ----
export const NIC_MAX_PORTS = 4;
export const NIC_BUF_SIZE = 2048; // one packet buffer per descriptor (RCTL.BSIZE = 2048)
export const RING_MIN = 8; // TDLEN/RDLEN are multiples of 128 bytes = 8 descriptors
export const RING_ALIGN = 8; // sizes must be multiples of this
export const TX_RING_MAX = 256;
export const RX_RING_MAX = 256;
export const FAULT_RING_MAX = 64;
export const FRAME_MIN_LEN = 14; // an Ethernet header; the NIC pads to 60 (TCTL.PSP)

// ---- ring kinds: each port has up to three rings in its own slice of the DMA region ----
export const RING_TX = 0; // the normal TX ring (queue 0), owned by the core that set it up
export const RING_RX = 1; // the RX ring (queue 0)
export const RING_FAULT = 2; // the fault path's TX ring: its own queue, or queue 0 after a reset
export const RINGS_PER_PORT = 3;

// ---- the DMA region, per port (offsets from portDmaBase) ----
// Descriptor rings first (4 KiB aligned, more than the 128-byte alignment the i210 needs),
// then one NIC_BUF_SIZE buffer per descriptor. Every address the core puts in a descriptor
// or a base register lies in one of these ranges; the property tests check that nothing
// outside them changes.
export const PORT_DMA_STRIDE = 0x0014_0000;
export const PORT_DMA_TX_DESC = 0x0000_0000; // TX_RING_MAX * 16 = 4 KiB
export const PORT_DMA_RX_DESC = 0x0000_1000; // RX_RING_MAX * 16 = 4 KiB
export const PORT_DMA_FAULT_DESC = 0x0000_2000; // FAULT_RING_MAX * 16 = 1 KiB
export const PORT_DMA_TX_BUFS = 0x0000_4000; // TX_RING_MAX * 2 KiB = 512 KiB
export const PORT_DMA_RX_BUFS = 0x0008_4000; // RX_RING_MAX * 2 KiB = 512 KiB
export const PORT_DMA_FAULT_BUFS = 0x0010_4000; // FAULT_RING_MAX * 2 KiB = 128 KiB
export const PORT_DMA_END = 0x0012_4000; // <= PORT_DMA_STRIDE

/** Core address of port p's slice of the DMA region. */
export function portDmaBase(port: i32): i32 {
  return DMA_BASE + port * PORT_DMA_STRIDE;
}

/** Offset of a ring's descriptors inside its port's slice. */
export function ringDescOffset(kind: i32): i32 {
  return kind == RING_TX ? PORT_DMA_TX_DESC : kind == RING_RX ? PORT_DMA_RX_DESC : PORT_DMA_FAULT_DESC;
}

/** Offset of a ring's packet buffers inside its port's slice. */
export function ringBufOffset(kind: i32): i32 {
  return kind == RING_TX ? PORT_DMA_TX_BUFS : kind == RING_RX ? PORT_DMA_RX_BUFS : PORT_DMA_FAULT_BUFS;
}

/** Largest ring of a kind. */
export function ringMax(kind: i32): i32 {
  return kind == RING_TX ? TX_RING_MAX : kind == RING_RX ? RX_RING_MAX : FAULT_RING_MAX;
}

// ---- no fault queue: the fault path takes over queue 0 ----
export const FAULT_QUEUE_NONE = -1;

// ---- how a takeover got a ring (nic_op_info(OPINFO_PATH)) ----
export const PATH_NONE = 0;
export const PATH_OWN_QUEUE = 1; // the board gives the fault path a TX queue of its own
export const PATH_RECLAIM = 2; // queue 0's ring is in this core's memory: reclaimed by TDH
export const PATH_RESET = 3; // queue 0 reprogrammed to the fault ring (TX disabled first)
// A takeover whose transmit hangs after its path escalates once to a device reset (CTRL.RST,
// as Linux e1000_reset_task does for a TX hang) and takes the path again: OPINFO_DEVICE_RESETS.

// ---- what an operation leaves behind: nic_op_info(field) ----
export const OPINFO_OP = 0; // which operation ran (OP_*)
export const OPINFO_PORT = 1;
export const OPINFO_PATH = 2; // PATH_* (takeover)
export const OPINFO_ROUNDS = 3; // register-operation rounds (STEP_IO answers)
export const OPINFO_POLLS = 4; // poll rounds (each one delay + reads)
export const OPINFO_QUEUED = 5; // descriptors queued by the operation
export const OPINFO_LEAD = 6; // 1: a sacrificial lead copy was queued (see docs/rings.md)
export const OPINFO_RERINGS = 7; // doorbells written again because TDT read back wrong
export const OPINFO_RESETS = 8; // ring resets done by this operation
export const OPINFO_REG = 9; // register self-test: the register that failed
export const OPINFO_WROTE = 10; // ... the value written (or 0 for a reset-value check)
export const OPINFO_READ = 11; // ... the value read back
export const OPINFO_EXPECT = 12; // ... the value expected (under OPINFO_MASK)
export const OPINFO_MASK = 13;
export const OPINFO_HEAD = 14; // last head (TDH) read
export const OPINFO_TAIL = 15; // last tail written (TDT)
export const OPINFO_RECLAIMED = 16; // descriptors reclaimed
export const OPINFO_CHECKS = 17; // register self-test: comparisons made
export const OPINFO_DEVICE_RESETS = 18; // device resets (CTRL.RST) done by this operation
export const OPINFO_FIELDS = 19;

// ---- operations (OPINFO_OP) ----
export const OP_NONE = 0;
export const OP_TX_INIT = 1;
export const OP_RX_INIT = 2;
export const OP_LINK_WAIT = 3;
export const OP_TX_DOORBELL = 4;
export const OP_RX_DOORBELL = 5;
export const OP_TX_RECLAIM_HEAD = 6;
export const OP_TX_CONFIRM = 7;
export const OP_TAKEOVER = 8;
export const OP_FAULT_SEND = 9;
export const OP_REGTEST = 10;

// ---- tunable bounds (nic_tune(field, value); 0 restores the default) ----
export const TUNE_POLL_US = 0; // delay between two polls of TDH / STATUS / TXDCTL
export const TUNE_TX_POLLS = 1; // most polls while waiting for TDH to reach TDT
export const TUNE_STALL_POLLS = 2; // polls without TDH moving that mean "engine hung"
export const TUNE_LINK_POLLS = 3; // most polls of STATUS.LU in a takeover
export const TUNE_QUEUE_POLLS = 4; // most polls of TXDCTL.QUEUE_ENABLE
export const TUNE_RESET_US = 5; // wait after CTRL.RST before touching the NIC again
export const TUNE_FIELDS = 6;

export const DEFAULT_POLL_US = 10;
export const DEFAULT_TX_POLLS = 500; // 5 ms at 10 us
export const DEFAULT_STALL_POLLS = 50; // 500 us with TDH frozen while work is pending
export const DEFAULT_LINK_POLLS = 10; // 100 us: a takeover does not wait for autonegotiation
export const DEFAULT_QUEUE_POLLS = 100; // 1 ms
export const DEFAULT_RESET_US = 1000; // SDM §14.9 / Linux e1000_reset_hw wait after RST

// Largest frame count one nic_fault_send / nic_tx_enqueue_copies may ask for.
export const MAX_COPIES = FAULT_RING_MAX - 2;

// ---- ring soft state (nic_ring_info(port, kind, field)) ----
export const RINGINFO_SIZE = 0;
export const RINGINFO_USE = 1; // next descriptor the writer fills
export const RINGINFO_CLEAN = 2; // next to reclaim (TX) / to harvest (RX)
export const RINGINFO_TAIL = 3; // last TDT / RDT written
export const RINGINFO_QUEUE = 4; // hardware queue whose registers point at the ring
export const RINGINFO_HEAD = 5; // last head read
export const RINGINFO_FLAGS = 6; // RING_FLAG_*
export const RING_FLAG_SIZED = 1; // a size was configured
export const RING_FLAG_LIVE = 2; // this core programmed the NIC's registers with the ring
export const RING_FLAG_LEAD = 4; // TX: the next frame leads with a sacrificial copy (docs/rings.md)
export const RINGINFO_DESC = 7; // core address of descriptor 0
export const RINGINFO_BUFS = 8; // core address of buffer 0
export const RINGINFO_FREE = 9; // TX: free descriptors (one slot always empty)
