// The fault entry: what an exception handler calls, with no OS, to get the dying gasp out on
// every port the board has. docs/chassis.md "The fault entry" has the timing.
//
//   fault_arm (boot)  the gasp is armed (templates, private key states); every gasp port has
//                     a NIC port with a fault ring large enough for its frames x copies plus
//                     a lead copy: the descriptors are reserved before anything can fail.
//   fault_fire        gasp_fire (patch the changing fields, the MAC), then the send begins.
//   fault_step        one register-operation round at a time:
//
//   SCAN       one round: READ STATUS of every port (FAULT_ARMF_LINK_FIRST)
//   ORDER      ports with link first, in board order; the others after them
//   TAKE/      per port in that order: the ring takeover (nic/takeover.ts, THEN_HANDOFF);
//   TAKING     a port that fails (link down, queue enable timeout) is left, the next taken
//   QUEUE      the port's frames x copies, interleaved (frame 1, frame 2, frame 1, ...) so a
//              burst lost on the wire does not take every copy of one encapsulation, and the
//              doorbell, written in the same round as the next port's first registers
//   CONFIRM    per rung port: TDH must reach TDT (nic_tx_confirm: re-rings lost doorbells)
//   ESCALATE   a port whose engine hung: taken again frame by frame with nic_fault_send's
//              escalation (ring reset, one device reset); last, so it costs the others nothing
//
// Every doorbell is written before any confirmation is waited for: a hung engine or a dead
// link on one port delays no other port's frames. Nothing is allocated; every loop has a
// constant bound (4 ports, 8 frames, 8 copies, the NIC operations' own poll bounds); nothing
// is read from the dead OS: only this core's state, the GASP region it writes itself and the
// NIC registers.

import { OK, E_ARG, E_NO_OP, E_STATE, E_RING_FULL, E_TX_HUNG, E_FAULT_NOT_ARMED, E_FAULT_PLAN, E_FAULT_UNSENT, E_GASP_NOT_ARMED } from "../shared/status";
import { STEP_IO, STEP_DONE } from "../shared/regop";
import { GASP_BASE } from "../shared/memmap";
import {
  GASP_MAX_PORTS, GASP_CFG_PORT_COUNT, GASP_REG_RESULT, GASP_RES_COUNT, GASP_RES_COPIES, GASP_RES_SEQ_LO,
  GASP_RES_ENTRIES, GASP_RES_ENTRY_SIZE, GASP_RE_ADDR, GASP_RE_LEN, GASP_RE_PORT, GASP_MAX_FRAMES,
} from "../shared/gasp";
import { REG_STATUS, STATUS_LU } from "../shared/e1000";
import { RING_FAULT, OPINFO_PATH, FRAME_MIN_LEN, NIC_BUF_SIZE } from "../shared/rings";
import {
  FAULT_ARMF_LINK_FIRST, FAULT_ARMF_QUIESCE, FAULT_ARMF_ALL, FPS_IDLE, FPS_RUNG, FPS_SENT, FAULT_ORDER_NONE,
} from "../shared/fault";
import { DIALECT_MAX_FRAMES } from "../shared/dialect";
import { E_DIALECT_MDIC } from "../shared/status";
import { STATE_GASP_TX_CONFIG } from "../state";
import { gaspFire } from "../gasp/fire";
import { configuredCopies } from "../gasp/arm";
import { TX_ARMED, TX_FRAME_COUNT, SET_GASP, frameMeta, FM_PORT } from "../gasp/txstate";
import { opsClear, opsCount, opRead, opValue, opDelay } from "../nic/ops";
import { queuesQuiesce } from "../nic/qenable";
import { phyPowerDownBegin, phyPoll, phyAnswer } from "../nic/phy";
import { nicAdvance } from "../nic/step";
import { infoGet } from "../nic/op";
import { portConfigured, portHasFaultQueue } from "../nic/port";
import { faultQueue, activeTxQueue, txqSized, txqSize, txqPost, txqKick } from "../nic/txq";
import { dialectCtl, dialectSlot, dialectFrame, dialectDescriptorsOn } from "../dialect/state";
import { dialectFire } from "../dialect/fire";
import { takeoverHandoffBegin, txConfirmBegin, faultSendBegin } from "../nic/api";
import { FaultPlan, faultPlan, faultPort, fSetArmed, fBeginFire, fNoteBell, fOrder, fSetOrder } from "./state";

const FP_IDLE = 0;
const FP_SCAN = 1;
const FP_ORDER = 2;
const FP_TAKE = 3;
const FP_TAKING = 4;
const FP_QUEUE = 5;
const FP_CONFIRM = 6;
const FP_CONFIRMING = 7;
const FP_ESCALATE = 8;
const FP_ESC_SEND = 9;
const FP_ESC_SENDING = 10;
const FP_END = 11;
const FP_FLUSH = 12;
const FP_CARRIER = 13;
const FP_CARRIER_POLL = 14;

/** MDIC polls before the carrier drop gives up on a port (SDM: an MDI cycle takes ~64 µs at 2.5 MHz). */
const MDIC_POLLS = 10;
const MDIC_POLL_US = 10;

/** Internal: the phase changed, run the next one in the same round. */
const CONTINUE = 2;
/** More chained phases per round than the machine can take: a core bug, not a NIC state. */
const MAX_CHAIN = 64;

// ---- the gasp's result table (written by gasp_fire in this call) ------------------------------

@inline function result(): usize { return <usize>(GASP_BASE + GASP_REG_RESULT); }
@inline function entry(i: i32): usize { return result() + GASP_RES_ENTRIES + <usize>i * GASP_RES_ENTRY_SIZE; }
function entryPort(i: i32): i32 { return <i32>load<u8>(entry(i) + GASP_RE_PORT); }

/** The k-th frame (entry index) of the result table on port, or -1. */
function frameOn(port: i32, k: i32): i32 {
  const frames = faultPlan().frames;
  let seen = 0;
  for (let i = 0; i < frames; i++) {
    if (entryPort(i) != port) continue;
    if (seen == k) return i;
    seen++;
  }
  return -1;
}

/** The k-th armed dialect slot on port, or -1. */
function dialectOn(port: i32, k: i32): i32 {
  const n = min<i32>(dialectCtl().count, DIALECT_MAX_FRAMES);
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const s = dialectSlot(i);
    if (s.armed != 1 || s.port != port) continue;
    if (seen == k) return i;
    seen++;
  }
  return -1;
}

function dialectsOn(port: i32): i32 {
  const n = min<i32>(dialectCtl().count, DIALECT_MAX_FRAMES);
  let c = 0;
  for (let i = 0; i < n; i++) if (dialectSlot(i).armed == 1 && dialectSlot(i).port == port) c++;
  return c;
}

/** Moves on to the next position of the order. */
@inline
function advance(f: FaultPlan): i32 {
  f.cur++;
  return CONTINUE;
}

@inline
function next(f: FaultPlan, phase: i32): i32 {
  f.phase = phase;
  return CONTINUE;
}

// ---- arming -------------------------------------------------------------------------------------

/** Gasp frames the armed templates put on port (from the arm-time frame metadata). */
function armedFramesOn(port: i32): i32 {
  const n = min<i32>(<i32>load<u32>(TX_FRAME_COUNT), GASP_MAX_FRAMES);
  let c = 0;
  for (let i = 0; i < n; i++) if (<i32>load<u8>(frameMeta(SET_GASP, i) + FM_PORT) == port) c++;
  return c;
}

/** Descriptors port's fault ring needs: the gasp's frames x copies, `dialects`, a lead copy, the empty slot. */
function needed(port: i32, dialects: i32): i32 {
  const gasp = load<u32>(TX_ARMED) == 1 ? armedFramesOn(port) * configuredCopies() : 0;
  return gasp + dialects + 2;
}

/**
 * Would port's fault ring hold the gasp and `dialects` dialect descriptors? True while the
 * ring is not configured yet: fault_arm checks the whole plan then.
 */
export function faultRingFits(port: i32, dialects: i32): bool {
  if (!portConfigured(port) || !txqSized(faultQueue(port))) return true;
  return needed(port, dialects) <= txqSize(faultQueue(port));
}

/** fault_arm: checks the plan; returns the number of ports or a negative status. */
export function faultArm(flags: i32): i32 {
  if ((flags & ~FAULT_ARMF_ALL) != 0) return E_ARG;
  fSetArmed(false, 0, 0);
  if (load<u32>(TX_ARMED) != 1) return E_GASP_NOT_ARMED;
  const ports = <i32>load<u8>(STATE_GASP_TX_CONFIG + GASP_CFG_PORT_COUNT);
  for (let p = 0; p < ports; p++) {
    if (!portConfigured(p) || !txqSized(faultQueue(p))) return E_FAULT_PLAN;
    // frames x copies, the dialects' copies, a lead copy, and the slot that always stays empty
    if (needed(p, dialectDescriptorsOn(p)) > txqSize(faultQueue(p))) return E_FAULT_PLAN;
  }
  // A dialect on a port the gasp does not use would never be sent.
  for (let p = ports; p < GASP_MAX_PORTS; p++) if (dialectsOn(p) > 0) return E_FAULT_PLAN;
  fSetArmed(true, flags, ports);
  return ports;
}

// ---- firing -------------------------------------------------------------------------------------

/** fault_fire: the gasp, then the send machine at SCAN. Returns the frames built or a status. */
export function faultFire(cause: i32, vector: u32, pc: u64, uptime: u64, excerpt: i32, excerptLen: i32): i32 {
  if (faultPlan().armed != 1) return E_FAULT_NOT_ARMED;
  const n = gaspFire(cause, vector, pc, uptime, excerpt, excerptLen);
  if (n < 0) return n;
  dialectFire(cause);
  const res = result();
  fBeginFire(min<i32>(<i32>load<u32>(res + GASP_RES_COUNT), GASP_MAX_FRAMES), <i32>load<u32>(res + GASP_RES_COPIES), load<u32>(res + GASP_RES_SEQ_LO));
  const f = faultPlan();
  for (let p = 0; p < f.ports; p++) {
    let c = 0;
    for (let i = 0; i < f.frames; i++) if (entryPort(i) == p) c++;
    faultPort(p).frames = c;
    faultPort(p).dialects = dialectsOn(p);
  }
  for (let i = 0; i < GASP_MAX_PORTS; i++) fSetOrder(i, FAULT_ORDER_NONE);
  f.result = STEP_IO;
  f.phase = FP_SCAN;
  return n;
}

/**
 * FAULT_ARMF_QUIESCE: on a port with dialects and a fault queue of its own, every other TX
 * queue is disabled (TXDCTL := 0) in the first round, so nothing the dead OS queued can follow
 * the dialects. The fault queue's own enable reads back only after at least as long (the same
 * latency), and its doorbell comes after that.
 */
function quiesce(f: FaultPlan): bool {
  if ((f.flags & FAULT_ARMF_QUIESCE) == 0) return false;
  let any = false;
  for (let p = 0; p < f.ports; p++) {
    const fp = faultPort(p);
    if (fp.dialects == 0 || !portHasFaultQueue(p)) continue;
    queuesQuiesce(p);
    fp.quiesced = 1;
    any = true;
  }
  return any;
}

function scan(f: FaultPlan): i32 {
  const quiesced = quiesce(f);
  if ((f.flags & FAULT_ARMF_LINK_FIRST) == 0) {
    for (let p = 0; p < f.ports; p++) fSetOrder(p, p);
    f.cur = 0;
    if (quiesced) {
      f.phase = FP_TAKE;
      return STEP_IO;
    }
    return next(f, FP_TAKE);
  }
  for (let p = 0; p < f.ports; p++) faultPort(p).scanIdx = opRead(p, REG_STATUS);
  f.phase = FP_ORDER;
  return STEP_IO;
}

function order(f: FaultPlan): i32 {
  for (let p = 0; p < f.ports; p++) {
    const fp = faultPort(p);
    fp.link = (opValue(fp.scanIdx) & <u32>STATUS_LU) != 0 ? 1 : 0;
  }
  let k = 0;
  for (let want = 1; want >= 0; want--) {
    for (let p = 0; p < f.ports; p++) if (faultPort(p).link == want) fSetOrder(k++, p);
  }
  f.cur = 0;
  return next(f, FP_TAKE);
}

function take(f: FaultPlan): i32 {
  if (f.cur >= f.ports) {
    f.cur = 0;
    return next(f, FP_CONFIRM);
  }
  const p = fOrder(f.cur);
  if (faultPort(p).frames + faultPort(p).dialects == 0) return advance(f);
  const rc = takeoverHandoffBegin(p);
  if (rc != OK) {
    faultPort(p).status = rc;
    return advance(f);
  }
  return next(f, FP_TAKING);
}

function taking(f: FaultPlan): i32 {
  const rc = nicAdvance();
  if (rc == STEP_IO) return STEP_IO;
  const fp = faultPort(fOrder(f.cur));
  fp.path = infoGet(OPINFO_PATH);
  if (rc != STEP_DONE) {
    fp.status = rc;
    f.cur++;
    return next(f, FP_TAKE);
  }
  return next(f, FP_QUEUE);
}

/**
 * The port's frames x copies on the ring it took, interleaved (frame 1, frame 2, frame 1, ...),
 * and its doorbell: the TX queue appends it to this round's list, after the takeover's last
 * writes, before the next port's first registers.
 */
function queue(f: FaultPlan): i32 {
  const p = fOrder(f.cur);
  const fp = faultPort(p);
  const q = activeTxQueue(p);
  let queued = 0;
  let full = false;
  for (let c = 0; c < f.copies && !full; c++) {
    for (let k = 0; k < fp.frames && !full; k++) {
      const e = frameOn(p, k);
      if (e < 0) break;
      const len = <i32>load<u16>(entry(e) + GASP_RE_LEN);
      if (len < FRAME_MIN_LEN || len > NIC_BUF_SIZE) continue;
      const n = txqPost(q, <usize>load<u32>(entry(e) + GASP_RE_ADDR), len, 1);
      if (n < 0) full = true;
      else queued += n;
    }
  }
  // Then the dialects, each frame's copies back to back: every priority-0 advert restarts the
  // backup's Skew_Time, so spreading them would only delay the takeover.
  for (let k = 0; k < fp.dialects && !full; k++) {
    const i = dialectOn(p, k);
    if (i < 0) break;
    const s = dialectSlot(i);
    const n = txqPost(q, dialectFrame(i), s.len, s.copies);
    if (n < 0) full = true;
    else queued += n;
  }
  fp.queued = queued;
  if (queued > 0) {
    txqKick(q);
    fNoteBell(p);
    fp.status = FPS_RUNG;
  } else {
    fp.status = E_RING_FULL;
  }
  f.cur++;
  return next(f, FP_TAKE);
}

function confirm(f: FaultPlan): i32 {
  if (f.cur >= f.ports) {
    f.cur = 0;
    return next(f, FP_ESCALATE);
  }
  const p = fOrder(f.cur);
  if (faultPort(p).status != FPS_RUNG) return advance(f);
  const rc = txConfirmBegin(p);
  if (rc != OK) {
    faultPort(p).status = rc;
    return advance(f);
  }
  return next(f, FP_CONFIRMING);
}

function confirming(f: FaultPlan): i32 {
  const rc = nicAdvance();
  if (rc == STEP_IO) return STEP_IO;
  faultPort(fOrder(f.cur)).status = rc == STEP_DONE ? FPS_SENT : rc;
  f.cur++;
  return next(f, FP_CONFIRM);
}

function escalate(f: FaultPlan): i32 {
  if (f.cur >= f.ports) return next(f, FP_END);
  const fp = faultPort(fOrder(f.cur));
  if (fp.status != E_TX_HUNG) return advance(f);
  fp.escalated = 1;
  f.escFrame = 0;
  return next(f, FP_ESC_SEND);
}

function escSend(f: FaultPlan): i32 {
  const p = fOrder(f.cur);
  const fp = faultPort(p);
  // The gasp's frames first, then the dialects, as in QUEUE.
  const e = f.escFrame < fp.frames ? frameOn(p, f.escFrame) : -1;
  const d = e < 0 ? dialectOn(p, f.escFrame - fp.frames) : -1;
  if (e < 0 && d < 0) {
    fp.status = FPS_SENT;
    f.cur++;
    return next(f, FP_ESCALATE);
  }
  const rc = e >= 0
    ? faultSendBegin(p, <i32>load<u32>(entry(e) + GASP_RE_ADDR), <i32>load<u16>(entry(e) + GASP_RE_LEN), f.copies)
    : faultSendBegin(p, <i32>dialectFrame(d), dialectSlot(d).len, dialectSlot(d).copies);
  if (rc != OK) {
    fp.status = rc;
    f.cur++;
    return next(f, FP_ESCALATE);
  }
  fNoteBell(p); // the resend's doorbell follows its takeover; counted from here
  return next(f, FP_ESC_SENDING);
}

function escSending(f: FaultPlan): i32 {
  const rc = nicAdvance();
  if (rc == STEP_IO) return STEP_IO;
  const fp = faultPort(fOrder(f.cur));
  fp.path = infoGet(OPINFO_PATH);
  if (rc != STEP_DONE) {
    fp.status = rc;
    f.cur++;
    return next(f, FP_ESCALATE);
  }
  f.escFrame++;
  return next(f, FP_ESC_SEND);
}

function end(f: FaultPlan): i32 {
  // Writes a finished NIC operation left in the list still need a round.
  if (opsCount() > 0) {
    f.phase = FP_CARRIER;
    return STEP_IO;
  }
  return next(f, FP_CARRIER);
}

/**
 * The carrier drop (dialect_carrier): last, on ports whose frames were confirmed (TDH reached
 * TDT: fetched by the NIC), after a drain for the NIC's TX FIFO so everything has left the
 * wire: the internal PHY powered down through MDIC (write PHY control with POWER_DOWN),
 * then MDIC polled for READY. A port that did not send keeps its carrier: a peer that heard
 * nothing should not see the link go either.
 */
function carrier(f: FaultPlan): i32 {
  const c = dialectCtl();
  let any = false;
  for (let p = 0; p < f.ports; p++) {
    if ((c.carrierMask & (1 << p)) == 0) continue;
    const fp = faultPort(p);
    if (fp.status != FPS_SENT) {
      fp.carrier = fp.status < 0 ? fp.status : E_FAULT_UNSENT;
      continue;
    }
    if (!any) opDelay(c.drainUs);
    any = true;
    fp.scanIdx = phyPowerDownBegin(p);
    fp.carrier = 0;
  }
  if (!any) return finish(f);
  f.polls = 0;
  f.phase = FP_CARRIER_POLL;
  return STEP_IO;
}

function carrierPoll(f: FaultPlan): i32 {
  const c = dialectCtl();
  let pending = false;
  for (let p = 0; p < f.ports; p++) {
    const fp = faultPort(p);
    if ((c.carrierMask & (1 << p)) == 0 || fp.status != FPS_SENT || fp.carrier != 0) continue;
    const a = phyAnswer(opValue(fp.scanIdx));
    if (a != 0) fp.carrier = a > 0 ? 1 : E_DIALECT_MDIC;
    else if (f.polls >= MDIC_POLLS) fp.carrier = E_DIALECT_MDIC;
    else {
      if (!pending) opDelay(MDIC_POLL_US);
      pending = true;
      fp.scanIdx = phyPoll(p);
    }
  }
  if (!pending) return finish(f);
  f.polls++;
  return STEP_IO;
}

function finish(f: FaultPlan): i32 {
  let sent = 0;
  for (let p = 0; p < f.ports; p++) if (faultPort(p).status == FPS_SENT) sent++;
  const rc = sent > 0 ? STEP_DONE : E_FAULT_UNSENT;
  f.result = rc;
  f.phase = FP_IDLE;
  return rc;
}

function run(f: FaultPlan): i32 {
  switch (f.phase) {
    case FP_SCAN: return scan(f);
    case FP_ORDER: return order(f);
    case FP_TAKE: return take(f);
    case FP_TAKING: return taking(f);
    case FP_QUEUE: return queue(f);
    case FP_CONFIRM: return confirm(f);
    case FP_CONFIRMING: return confirming(f);
    case FP_ESCALATE: return escalate(f);
    case FP_ESC_SEND: return escSend(f);
    case FP_ESC_SENDING: return escSending(f);
    case FP_END: return end(f);
    case FP_FLUSH: return finish(f);
    case FP_CARRIER: return carrier(f);
    case FP_CARRIER_POLL: return carrierPoll(f);
  }
  return E_STATE;
}

/** fault_step: one round. STEP_IO (operations listed), STEP_DONE, or a negative status. */
export function faultStep(): i32 {
  const f = faultPlan();
  if (f.phase == FP_IDLE) return E_NO_OP;
  opsClear();
  let rc: i32 = CONTINUE;
  for (let hop = 0; hop < MAX_CHAIN && rc == CONTINUE; hop++) rc = run(f);
  if (rc == CONTINUE) {
    rc = E_STATE;
    f.result = rc;
    f.phase = FP_IDLE;
  }
  if (rc == STEP_IO) {
    f.rounds++;
    return STEP_IO;
  }
  return rc;
}

/** The status a port ended with (FPS_IDLE for a port outside the plan). */
export function portStatus(port: i32): i32 {
  return port < faultPlan().ports ? faultPort(port).status : FPS_IDLE;
}
