// The receiver: classify, bounds-check, authenticate, enforce chassis and replay, count.
//
// Checks run cheapest first, and nothing a frame says is believed before its MAC verifies
// except what is needed to find the key and to refuse it cheaply:
//   encapsulation (classify.ts) -> magic -> version -> type -> lengths -> key id -> chassis
//   -> own unit -> MAC -> replay.
// Every return is counted under its status (rxstate.ts); the first failing check names it.

import {
  E_GASP_NOT_ARMED, E_GASP_TRUNCATED, E_GASP_MAGIC, E_GASP_VERSION, E_GASP_TYPE, E_GASP_LENGTH,
  E_GASP_KEY_ID, E_GASP_CHASSIS, E_GASP_SELF, E_GASP_BAD_MAC, E_GASP_REPLAY, E_GASP_DUPLICATE, OK,
  E_GASP_CONFIG,
} from "../shared/status";
import {
  GASP_MAGIC, GASP_VERSION, GASP_TYPE_MAX, GASP_FIXED_LEN, GASP_EXCERPT_MAX, GASP_MAC_LEN,
  GASP_UDP_PORT, GASP_RXC_CHASSIS, GASP_RXC_UDP_PORT, GASP_RXC_OWN_UNIT, GASP_RXC_FLAGS,
  GASP_RXF_HAS_OWN_UNIT, GASP_RXF_ACCEPT_RAW, GASP_RXF_ACCEPT_UDP, gaspAcceptedValue, GASP_MR_SIZE, GASP_MR_TYPE, GASP_MR_UNIT,
} from "../shared/gasp";
import { STATE_GASP_RX, STATE_GASP_RX_COUNTERS, STATE_GASP_RX_DIGEST } from "../state";
import { hmacCompute, slotValid, slotKeyId, HMAC_SLOT_COUNT } from "../crypto/hmac";
import { ld8 } from "../lib/mem";
import { classify } from "./classify";
import { macEqual } from "./mac";
import {
  msgMagic, msgVersion, msgType, msgChassis, msgUnit, msgKeyId, msgBoot, msgExcerptLen, msgSeq, parseToRepr,
} from "./message";
import { replayClearAll, replayCompare, replayRecord } from "./replay";
import {
  RX_CONFIGURED, RX_CHASSIS, RX_UDP_PORT, RX_OWN_UNIT, RX_FLAGS, RX_MSG_AVAIL, RX_MSG_EXACT,
  RX_COUNTER_SLOTS, count,
} from "./rxstate";

const RX_FLAG_BITS: i32 = GASP_RXF_HAS_OWN_UNIT | GASP_RXF_ACCEPT_RAW | GASP_RXF_ACCEPT_UDP;

/** gasp_rx_config: sets the receiver up and forgets every sender and counter. */
export function gaspRxConfig(cfg: usize): i32 {
  const flags = ld8(cfg + GASP_RXC_FLAGS);
  if ((flags & ~RX_FLAG_BITS) != 0 || (flags & (GASP_RXF_ACCEPT_RAW | GASP_RXF_ACCEPT_UDP)) == 0) return E_GASP_CONFIG;
  let port = <i32>load<u16>(cfg + GASP_RXC_UDP_PORT);
  if (port == 0) port = GASP_UDP_PORT;
  memory.fill(STATE_GASP_RX, 0, 64);
  memory.fill(STATE_GASP_RX_COUNTERS, 0, <usize>RX_COUNTER_SLOTS << 2);
  replayClearAll();
  store<u32>(RX_CHASSIS, load<u32>(cfg + GASP_RXC_CHASSIS));
  store<u16>(RX_UDP_PORT, <u16>port);
  store<u8>(RX_OWN_UNIT, <u8>ld8(cfg + GASP_RXC_OWN_UNIT));
  store<u8>(RX_FLAGS, <u8>flags);
  store<u32>(RX_CONFIGURED, 1);
  return OK;
}

/** The host key slot holding keyId, or -1. Bounded: HMAC_SLOT_COUNT slots. */
function slotForKeyId(keyId: i32): i32 {
  for (let s = 0; s < HMAC_SLOT_COUNT; s++) {
    if (slotValid(s) && slotKeyId(s) == <u32>keyId) return s;
  }
  return -1;
}

function check(buf: usize, len: i32, repr: usize): i32 {
  if (load<u32>(RX_CONFIGURED) != 1) return E_GASP_NOT_ARMED;
  memory.fill(repr, 0, GASP_MR_SIZE);
  const off = classify(buf, len, repr);
  if (off < 0) return off;
  const m = buf + <usize>off;
  const avail = <i32>load<u32>(RX_MSG_AVAIL);
  const exact = load<u32>(RX_MSG_EXACT) != 0;
  // A datagram too short for the message it claims is malformed; a raw frame cut short is truncated.
  const short = exact ? E_GASP_LENGTH : E_GASP_TRUNCATED;

  if (avail < 4) return short;
  if (msgMagic(m) != GASP_MAGIC) return E_GASP_MAGIC;
  if (msgVersion(m) != GASP_VERSION) return E_GASP_VERSION;
  const type = msgType(m);
  if (type < 1 || type > GASP_TYPE_MAX) return E_GASP_TYPE;
  if (avail < GASP_FIXED_LEN) return short;
  const n = msgExcerptLen(m);
  if (n > GASP_EXCERPT_MAX) return E_GASP_LENGTH;
  const macLen = GASP_FIXED_LEN + n;
  const need = macLen + GASP_MAC_LEN;
  if (avail < need) return short;
  if (exact && avail != need) return E_GASP_LENGTH;

  const slot = slotForKeyId(msgKeyId(m));
  if (slot < 0) return E_GASP_KEY_ID;
  if (msgChassis(m) != load<u32>(RX_CHASSIS)) return E_GASP_CHASSIS;
  const unit = msgUnit(m);
  if ((ld8(RX_FLAGS) & GASP_RXF_HAS_OWN_UNIT) != 0 && unit == ld8(RX_OWN_UNIT)) return E_GASP_SELF;

  hmacCompute(slot, m, macLen, STATE_GASP_RX_DIGEST);
  if (!macEqual(STATE_GASP_RX_DIGEST, m + <usize>macLen)) return E_GASP_BAD_MAC;

  const boot = msgBoot(m);
  const seq = msgSeq(m);
  const order = replayCompare(unit, boot, seq);
  parseToRepr(m, repr); // authentic: a duplicate's fields are reported too
  if (order < 0) return E_GASP_REPLAY;
  if (order == 0) return E_GASP_DUPLICATE;
  replayRecord(unit, boot, seq);
  return OK;
}

/**
 * gasp_receive: (type << 8) | unit for an accepted message, else a negative status; the
 * repr is filled for accepted messages and for authentic duplicates (E_GASP_DUPLICATE).
 */
export function gaspReceive(buf: usize, len: i32, repr: usize): i32 {
  const rc = check(buf, len, repr);
  count(rc);
  if (rc != OK) return rc;
  return gaspAcceptedValue(<i32>load<u8>(repr + GASP_MR_TYPE), <i32>load<u8>(repr + GASP_MR_UNIT));
}
