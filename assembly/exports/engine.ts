// Exports of the poll-mode packet engine (assembly/engine/, docs/switching-path.md "Packet
// engine"): contexts (switching cores) claim RX queues and the DOWN punt ring, then each
// poll round harvests, switches and posts frames, and leaves its doorbells as a list of
// register writes for the host:
//
//   eng_rx_claim(0, 0, 0); eng_inject_claim(0)          // context 0 polls port 0, drains DOWN
//   loop: n = eng_poll(0, now_ms)                       // frames handled, or a status
//         host performs the REGOP list (writes only: TDT per TX ring, RDT per RX queue)
//         host services the UP punt ring
//
// Contract as everywhere (docs/core-abi.md): i32 in, i32 out, pointers range-checked,
// nothing allocated, bad input never traps.

import { OK, E_ARG, E_RANGE, E_SW_STATE } from "../shared/status";
import { ECTR_COUNT, ENG_RX_QUEUES } from "../shared/engine";
import { hostRange } from "../lib/mem";
import { switchReady } from "../switch/init";
import {
  engineReset, ctxConfigure, ctxValid, rxClaim, rxRelease, injectClaim, injectRelease, ectrAddress,
} from "../engine/context";
import { engPoll } from "../engine/poll";

/** Forgets every context's claims, settings and counters. */
export function eng_reset(): i32 {
  engineReset();
  return OK;
}

/** Context ctx's batch size (frames per RX queue per round, 1..ENG_BATCH_MAX) and mode (ENG_ZERO_COPY / ENG_COPY). */
export function eng_config(ctx: i32, batch: i32, mode: i32): i32 {
  return ctxConfigure(ctx, batch, mode);
}

/** Context ctx polls RX queue `queue` of port from now on: E_ENG_OWNED if another context does. */
export function eng_rx_claim(ctx: i32, port: i32, queue: i32): i32 {
  if (queue < 0 || queue >= ENG_RX_QUEUES) return E_ARG;
  return rxClaim(ctx, port);
}

/** Context ctx stops polling the queue: E_ENG_OWNED if it did not own it. */
export function eng_rx_release(ctx: i32, port: i32, queue: i32): i32 {
  if (queue < 0 || queue >= ENG_RX_QUEUES) return E_ARG;
  return rxRelease(ctx, port);
}

/** Context ctx drains the DOWN punt ring (one context at most: E_ENG_OWNED). */
export function eng_inject_claim(ctx: i32): i32 {
  return injectClaim(ctx);
}

export function eng_inject_release(ctx: i32): i32 {
  return injectRelease(ctx);
}

/**
 * One poll round of context ctx at tick now (milliseconds by convention). Returns the frames
 * handled; the REGOP list then holds the round's register writes (possibly none) for the host
 * to perform. E_SW_STATE before sw_init; E_ENG_BUSY while a nic_* operation is in progress.
 */
export function eng_poll(ctx: i32, now: i32): i32 {
  if (!ctxValid(ctx)) return E_ARG;
  if (!switchReady()) return E_SW_STATE;
  return engPoll(ctx, <u32>now);
}

/** Copies min(n, ECTR_COUNT) u32 counters (ECTR_*) of context ctx to out; returns how many. */
export function eng_counters(ctx: i32, out: i32, n: i32): i32 {
  if (!ctxValid(ctx) || n < 0) return E_ARG;
  const k = n < ECTR_COUNT ? n : ECTR_COUNT;
  if (!hostRange(out, k << 2)) return E_RANGE;
  memory.copy(out, ectrAddress(ctx), k << 2);
  return k;
}
