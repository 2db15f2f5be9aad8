// The poll-mode packet engine: limits, modes, the per-context counters and the engine's
// scratch buffers in the DMA window. Portable (asc + tsc): the core's assembly/engine/ and the
// host's host/switch/engine.ts both read these. docs/switching-path.md "Packet engine".

import { DMA_BASE } from "./memmap";
import { NIC_MAX_PORTS, PORT_DMA_STRIDE, NIC_BUF_SIZE } from "./rings";

// ---- contexts ("switching cores") ----------------------------------------------------------
// A context is one switching core's poll loop: the RX queues it owns, its batch size, its
// counters. Every context of an instance shares that instance's memory: the connection
// table, the load-distribution tables, the punt rings and every port's TX ring.
export const ENG_MAX_CTX = 4;
export const ENG_CTX_SIZE = 256; // bytes of core state per context
export const ENG_BATCH_DEFAULT = 32; // frames per RX queue per poll round (ixy, DPDK)
export const ENG_BATCH_MAX = 64;
export const ENG_INJECT_BUDGET = 32; // DOWN-ring frames per poll round, at most
export const ENG_RX_QUEUES = 1; // RX queues per port the ring code programs (queue 0)

// ---- how a forwarded frame reaches its TX ring (eng_config mode) ---------------------------
export const ENG_ZERO_COPY = 0; // the RX buffer itself is posted for TX; the RX slot gets the TX slot's idle buffer
export const ENG_COPY = 1; // the frame is copied into the TX slot's buffer; the RX slot keeps its own

// ---- scratch buffers: one per context, after the ports' slices of the DMA window -----------
// An injected frame (DOWN punt ring) is copied here, run through the path if it asks to be,
// then copied onto the TX ring: injections are the slow path.
export const ENG_STAGE_BASE = DMA_BASE + NIC_MAX_PORTS * PORT_DMA_STRIDE; // 0x0060_0000
export const ENG_STAGE_SIZE = NIC_BUF_SIZE;

// ---- per-context counters: eng_counters(ctx, out, n), u32 each, wrapping -------------------
export const ECTR_POLLS = 0; // poll rounds
export const ECTR_RX = 1; // frames harvested from owned RX queues (good or bad)
export const ECTR_RX_ERRORS = 2; // of those, dropped by the ring (error bit, no EOP, bad length)
export const ECTR_FORWARD = 3; // V_FORWARD frames posted on a TX ring
export const ECTR_ANSWER = 4; // V_ANSWER frames (RSTs) posted on the ingress port's TX ring
export const ECTR_PUNT = 5; // V_PUNT: copied into the UP punt ring
export const ECTR_DROP = 6; // V_DROP: the switching path dropped it (sw_counters says why)
export const ECTR_TX_FULL = 7; // forward/answer dropped: the egress TX ring was full (backpressure)
export const ECTR_TX_UNSENDABLE = 8; // forward/answer dropped: no live TX ring on the egress port, or a length outside FRAME_MIN_LEN..NIC_BUF_SIZE
export const ECTR_ZERO_COPY = 9; // frames posted by buffer swap
export const ECTR_COPIED = 10; // frames posted by copy (copy mode, injections)
export const ECTR_INJECT = 11; // frames taken from the DOWN punt ring
export const ECTR_TDT = 12; // TX doorbells: TDT writes handed to the host
export const ECTR_RDT = 13; // RDT writes handed to the host
export const ECTR_BATCHES = 14; // non-empty RX batches
export const ECTR_FULL_BATCHES = 15; // batches that used the whole budget (more may be waiting)
export const ECTR_RECLAIMED = 16; // TX descriptors reclaimed by DD
export const ECTR_TX_PORT = 17; // .. + NIC_MAX_PORTS - 1: frames posted per TX port
export const ECTR_COUNT = ECTR_TX_PORT + NIC_MAX_PORTS;
