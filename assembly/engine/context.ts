// Engine contexts: one per switching core. A context owns RX queues (a queue is polled by
// exactly one context: the claim is exclusive) and, for one context, the consumer side of the
// DOWN punt ring; it may post frames on any port's TX ring. Settings and counters live in
// core state (state.ts SW_ST_ENG_*), never in host-visible memory.

import { SW_ST_ENG_RX_OWNER, SW_ST_ENG_INJECT_OWNER, SW_ST_ENG_CTX } from "../state";
import {
  ENG_MAX_CTX, ENG_CTX_SIZE, ENG_BATCH_DEFAULT, ENG_BATCH_MAX, ENG_ZERO_COPY, ENG_COPY,
} from "../shared/engine";
import { NIC_MAX_PORTS } from "../shared/rings";
import { OK, E_ARG, E_NO_PORT, E_ENG_OWNED } from "../shared/status";

/** One context's settings and its poll round's scratch; its counters follow at +64. */
@unmanaged
export class EngineContext {
  mode: u32; // ENG_ZERO_COPY / ENG_COPY
  batch: u32; // frames per RX queue per round; 0 = ENG_BATCH_DEFAULT
  rxPorts: u32; // bit p: this context polls port p's RX queue
  round: u32; // this poll round (engine/poll.ts ROUND_*): TX queues posted on, reclaimed
}
export const X_COUNTERS: usize = 64; // u32 x ECTR_COUNT (test/engine.test.ts checks they fit ENG_CTX_SIZE)

@inline
function ctxPtr(ctx: i32): usize {
  return SW_ST_ENG_CTX + <usize>ctx * ENG_CTX_SIZE;
}

@inline
export function engineContext(ctx: i32): EngineContext {
  return changetype<EngineContext>(ctxPtr(ctx));
}

@inline
export function ctxValid(ctx: i32): bool {
  return ctx >= 0 && ctx < ENG_MAX_CTX;
}

@inline
export function enginePortValid(port: i32): bool {
  return port >= 0 && port < NIC_MAX_PORTS;
}

/** Forgets every claim, setting and counter. */
export function engineReset(): void {
  memory.fill(SW_ST_ENG_RX_OWNER, 0, <usize>NIC_MAX_PORTS * 4);
  store<u32>(SW_ST_ENG_INJECT_OWNER, 0);
  memory.fill(SW_ST_ENG_CTX, 0, <usize>ENG_MAX_CTX * ENG_CTX_SIZE);
}

export function ctxConfigure(ctx: i32, batch: i32, mode: i32): i32 {
  if (!ctxValid(ctx) || batch < 1 || batch > ENG_BATCH_MAX) return E_ARG;
  if (mode != ENG_ZERO_COPY && mode != ENG_COPY) return E_ARG;
  const c = engineContext(ctx);
  c.batch = <u32>batch;
  c.mode = <u32>mode;
  return OK;
}

export function ctxBatch(ctx: i32): i32 {
  const b = <i32>engineContext(ctx).batch;
  return b == 0 ? ENG_BATCH_DEFAULT : b;
}

export function ctxCopies(ctx: i32): bool {
  return engineContext(ctx).mode == ENG_COPY;
}

export function ctxRxPorts(ctx: i32): u32 {
  return engineContext(ctx).rxPorts;
}

@inline
function ownerSlot(port: i32): usize {
  return SW_ST_ENG_RX_OWNER + (<usize>port << 2);
}

/** ctx polls port's RX queue from now on; refused if another context owns it. */
export function rxClaim(ctx: i32, port: i32): i32 {
  if (!ctxValid(ctx)) return E_ARG;
  if (!enginePortValid(port)) return E_NO_PORT;
  const owner = <i32>load<u32>(ownerSlot(port));
  if (owner != 0 && owner != ctx + 1) return E_ENG_OWNED;
  store<u32>(ownerSlot(port), <u32>(ctx + 1));
  engineContext(ctx).rxPorts |= 1 << port;
  return OK;
}

export function rxRelease(ctx: i32, port: i32): i32 {
  if (!ctxValid(ctx)) return E_ARG;
  if (!enginePortValid(port)) return E_NO_PORT;
  if (<i32>load<u32>(ownerSlot(port)) != ctx + 1) return E_ENG_OWNED;
  store<u32>(ownerSlot(port), 0);
  engineContext(ctx).rxPorts &= ~(1 << port);
  return OK;
}

/** ctx becomes the DOWN punt ring's consumer (a single-consumer ring: one context only). */
export function injectClaim(ctx: i32): i32 {
  if (!ctxValid(ctx)) return E_ARG;
  const owner = <i32>load<u32>(SW_ST_ENG_INJECT_OWNER);
  if (owner != 0 && owner != ctx + 1) return E_ENG_OWNED;
  store<u32>(SW_ST_ENG_INJECT_OWNER, <u32>(ctx + 1));
  return OK;
}

export function injectRelease(ctx: i32): i32 {
  if (!ctxValid(ctx)) return E_ARG;
  if (<i32>load<u32>(SW_ST_ENG_INJECT_OWNER) != ctx + 1) return E_ENG_OWNED;
  store<u32>(SW_ST_ENG_INJECT_OWNER, 0);
  return OK;
}

export function ctxInjects(ctx: i32): bool {
  return <i32>load<u32>(SW_ST_ENG_INJECT_OWNER) == ctx + 1;
}

// ---- counters ----

@inline
export function ectrAdd(ctx: i32, index: i32, n: i32): void {
  const p = ctxPtr(ctx) + X_COUNTERS + (<usize>index << 2);
  store<u32>(p, load<u32>(p) + <u32>n);
}

export function ectrAddress(ctx: i32): usize {
  return ctxPtr(ctx) + X_COUNTERS;
}
