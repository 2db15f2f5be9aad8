// The poll-mode packet engine's round (ixy's forwarder, DPDK's l2fwd; docs/switching-path.md
// "Packet engine"). One call, eng_poll(ctx, now), is one round of one switching core:
//
//   for each RX queue the context owns:                        a batch of up to 32 frames
//     the next received frame (nic/rxq.ts rxqNext, DD first), in place in its buffer
//     (the batch parsed first, its connection lookups read ahead: switch/batch.ts)
//     run it through the switching path (parse results, lookup, rewrite in place)
//     carry the verdict out:
//       FORWARD, ANSWER  post the frame on the egress port's TX queue (nic/txq.ts)
//                        zero copy: the TX slot takes the RX buffer, the RX slot the TX
//                        slot's idle buffer (txqPostSwap); copy mode: copied (txqPost)
//       PUNT, DROP       nothing to send (a punt was copied into the UP ring)
//     recycle the RX slot with the buffer it now holds (rxqRecycle)
//   if the context drains the DOWN punt ring: up to 32 injections, copied onto TX rings
//   doorbells: txqKick per TX queue this round posted on, rxqKick per RX queue it
//   harvested, as one list of register writes (REGOP region) for the host to perform.
//   This file touches no ring cursor and writes no register itself.
//
// The round never waits and never reads a register: TX descriptors are reclaimed by DD (memory),
// the list holds writes only, so the host performs it once (host/nic/regops.ts
// performRegops) and no nic_step follows. A full TX ring drops the frame and counts it
// (ECTR_TX_FULL): a forwarder that waited for one port would stall every other.

import { RING_TX, NIC_MAX_PORTS, NIC_BUF_SIZE, FRAME_MIN_LEN, OP_NONE } from "../shared/rings";
import { V_FORWARD, V_ANSWER, V_PUNT, verdictAction, verdictPort, verdictLow } from "../shared/switch";
import {
  ENG_INJECT_BUDGET, ENG_STAGE_BASE, ENG_STAGE_SIZE, ECTR_POLLS, ECTR_RX, ECTR_RX_ERRORS,
  ECTR_FORWARD, ECTR_ANSWER, ECTR_PUNT, ECTR_DROP, ECTR_TX_FULL, ECTR_TX_UNSENDABLE, ECTR_ZERO_COPY,
  ECTR_COPIED, ECTR_INJECT, ECTR_TDT, ECTR_RDT, ECTR_BATCHES, ECTR_FULL_BATCHES, ECTR_RECLAIMED,
  ECTR_TX_PORT,
} from "../shared/engine";
import { E_RING_FULL, E_ENG_BUSY } from "../shared/status";
import { SW_ST_IN_BATCH } from "../state";
import { opsClear } from "../nic/ops";
import { nicOp } from "../nic/op";
import { nicPort, portConfigured } from "../nic/port";
import { TxQueue, txQueue, txqLive, txqPost, txqPostSwap, txqReclaim, txqKick } from "../nic/txq";
import { RxQueue, rxQueue, rxqLive, rxqNext, rxqBuf, rxqRecycle, rxqKick, rxqPeek, rxqPeekBuf, rxqSize } from "../nic/rxq";
import { switchTick, injectNext } from "../switch/pipeline";
import { stageFrame, stageNothing, stageLookAhead, stageSwitch } from "../switch/batch";
import { ctxBatch, ctxCopies, ctxRxPorts, ctxInjects, ectrAdd, enginePortValid, engineContext } from "./context";

/** The port has an RX ring this core set up. */
@inline
function rxUsable(port: i32): bool {
  return portConfigured(port) && rxqLive(rxQueue(port));
}

/** The port's normal TX ring is live and active (not handed to a fault-path takeover). */
@inline
function txUsable(port: i32): bool {
  return enginePortValid(port) && portConfigured(port) && nicPort(port).activeTx == RING_TX && txqLive(txQueue(port));
}

// What the round has done to the TX queues, one u32 carried through each batch (read from and
// written back to the context once per batch, never kept in a global): bit p, a frame was
// posted on port p's TX queue, so its doorbell is due; bit ROUND_RECLAIMED + p, the queue was
// reclaimed already this round.
const ROUND_RECLAIMED = 8;

/**
 * Posts a frame of len bytes on port out's TX ring: by buffer swap with the RX queue's
 * current slot when rx is given and the context is in zero-copy mode, else by copying from
 * src. Returns the round's mask, updated.
 */
function post(ctx: i32, out: i32, len: i32, src: usize, rx: RxQueue | null, round: u32): u32 {
  if (!txUsable(out) || len < FRAME_MIN_LEN || len > NIC_BUF_SIZE) {
    ectrAdd(ctx, ECTR_TX_UNSENDABLE, 1);
    return round;
  }
  const bit: u32 = 1 << out;
  const q: TxQueue = txQueue(out);
  if ((round & (bit << ROUND_RECLAIMED)) == 0) {
    // Once per ring per round, before its first post: free what the NIC finished (ixy).
    ectrAdd(ctx, ECTR_RECLAIMED, txqReclaim(q));
    round |= bit << ROUND_RECLAIMED;
  }
  let rc: i32;
  if (rx != null && !ctxCopies(ctx)) {
    rc = txqPostSwap(q, rx, src, len);
    if (rc > 0) ectrAdd(ctx, ECTR_ZERO_COPY, 1);
  } else {
    rc = txqPost(q, src, len, 1);
    if (rc > 0) ectrAdd(ctx, ECTR_COPIED, 1);
  }
  if (rc == E_RING_FULL) {
    ectrAdd(ctx, ECTR_TX_FULL, 1);
    return round;
  }
  ectrAdd(ctx, ECTR_TX_PORT + out, 1);
  return round | bit;
}

/** Carries out verdict v for the frame at buf (the current slot of rx, or null: a copy). */
function carryOut(ctx: i32, v: i32, buf: usize, rx: RxQueue | null, round: u32): u32 {
  const action = verdictAction(v);
  if (action == V_FORWARD || action == V_ANSWER) {
    ectrAdd(ctx, action == V_FORWARD ? ECTR_FORWARD : ECTR_ANSWER, 1);
    return post(ctx, verdictPort(v), verdictLow(v), buf, rx, round);
  }
  ectrAdd(ctx, action == V_PUNT ? ECTR_PUNT : ECTR_DROP, 1);
  return round;
}

/**
 * One batch from port's RX queue: up to the context's batch size (and one lap of the ring),
 * through the switching path's batch pipeline (switch/batch.ts): every finished frame is
 * parsed first, the batch's connection lookups read ahead, then the frames are switched and
 * carried out in order. Returns frames taken.
 */
function rxBatch(ctx: i32, port: i32): i32 {
  const rx = rxQueue(port);
  const budget = min(ctxBatch(ctx), rxqSize(rx));
  let n = 0;
  while (n < budget) {
    const len = rxqPeek(rx, n);
    if (len == 0) break; // not done: the NIC still owns it
    if (len > 0) stageFrame(n, rxqPeekBuf(rx, n), len);
    else stageNothing(n);
    n++;
  }
  if (n == 0) return 0;
  stageLookAhead(n);
  const c = engineContext(ctx);
  let round = c.round;
  for (let k = 0; k < n; k++) {
    const len = rxqNext(rx); // the frame rxqPeek found: finished slots stay finished
    if (len < 0) {
      ectrAdd(ctx, ECTR_RX_ERRORS, 1);
    } else {
      const buf = rxqBuf(rx);
      round = carryOut(ctx, stageSwitch(k, buf, len, NIC_BUF_SIZE, port), buf, rx, round);
    }
    rxqRecycle(rx); // with the buffer the slot holds now (swapped or its own)
  }
  c.round = round;
  ectrAdd(ctx, ECTR_RX, n);
  ectrAdd(ctx, ECTR_BATCHES, 1);
  if (n == ctxBatch(ctx)) ectrAdd(ctx, ECTR_FULL_BATCHES, 1);
  return n;
}

/** Up to ENG_INJECT_BUDGET frames from the DOWN punt ring, through the context's stage buffer. */
function injectBatch(ctx: i32): i32 {
  const stage: usize = <usize>ENG_STAGE_BASE + <usize>ctx * ENG_STAGE_SIZE;
  const c = engineContext(ctx);
  let round = c.round;
  let n = 0;
  while (n < ENG_INJECT_BUDGET) {
    const v = injectNext(stage, ENG_STAGE_SIZE);
    if (v <= 0) break; // 0: empty (E_CAP cannot happen: a slot holds at most PUNT_MAX_FRAME)
    n++;
    round = carryOut(ctx, v, stage, null, round);
  }
  c.round = round;
  ectrAdd(ctx, ECTR_INJECT, n);
  return n;
}

/** The round's register writes: TDT per TX ring posted on, RDT per harvested RX queue. */
function doorbells(ctx: i32, rxPorts: u32): void {
  const posted = engineContext(ctx).round;
  for (let p = 0; p < NIC_MAX_PORTS; p++) {
    const bit: u32 = 1 << p;
    if ((posted & bit) != 0 && txqKick(txQueue(p))) ectrAdd(ctx, ECTR_TDT, 1);
    if ((rxPorts & bit) != 0 && rxUsable(p) && rxqKick(rxQueue(p))) ectrAdd(ctx, ECTR_RDT, 1);
  }
}

/**
 * One poll round of context ctx at tick now. Returns the frames handled (harvested plus
 * injected), the REGOP list holding the round's doorbells; E_ENG_BUSY (nothing done) while a
 * register operation is in progress, whose list the round would overwrite.
 */
export function engPoll(ctx: i32, now: u32): i32 {
  if (nicOp().op != OP_NONE) return E_ENG_BUSY;
  opsClear();
  ectrAdd(ctx, ECTR_POLLS, 1);
  engineContext(ctx).round = 0;
  switchTick(now); // the round is one batch for the load-distribution generation latch
  store<u32>(SW_ST_IN_BATCH, 1);
  const rxPorts = ctxRxPorts(ctx);
  let handled = 0;
  for (let p = 0; p < NIC_MAX_PORTS; p++) {
    if ((rxPorts & (1 << p)) != 0 && rxUsable(p)) handled += rxBatch(ctx, p);
  }
  if (ctxInjects(ctx)) handled += injectBatch(ctx);
  store<u32>(SW_ST_IN_BATCH, 0);
  doorbells(ctx, rxPorts);
  return handled;
}
