// The punt rings: the pseudo-interface between the switching path and the control
// processor. Two single-producer single-consumer rings of fixed slots in the SWITCH region
// (memmap.ts SW_RING_HDR_BASE, SW_PUNT_UP_BASE, SW_PUNT_DOWN_BASE; layout shared/switch.ts):
//   UP   (core -> host): frames for the control processor, with ingress port and reason;
//   DOWN (host -> core): the control processor's replies and injections, each either sent
//        as is on a port (INJECT_TX) or run through the switching path (INJECT_SWITCH).
// head and tail are free-running u32 counters on separate cache lines; the producer writes
// the slot before it publishes head, the consumer reads the slot before it publishes tail
// (on a weakly ordered board: a release store of head/tail, an acquire load of the other's).
// The core trusts nothing the host wrote: a head or tail more than PUNT_SLOTS apart means
// a broken ring; a slot with a bad length, kind or port is skipped and counted.

import { SW_RING_HDR_BASE, SW_PUNT_UP_BASE, SW_PUNT_DOWN_BASE } from "../shared/memmap";
import {
  PUNT_HDR_SIZE, PUNT_UP, PUNT_DOWN, PUNT_HEAD, PUNT_TAIL, PUNT_SLOTS, PUNT_SLOT_SIZE,
  RS_LEN, RS_PORT, RS_KIND, RS_TICK, RS_FRAME, PUNT_MAX_FRAME, SW_MAX_PORTS,
  INJECT_TX, INJECT_SWITCH, V_PUNT, verdict,
  C_PUNT, C_DROP_PUNT_FULL, C_DROP_PUNT_TOO_BIG, C_INJECT_TX, C_INJECT_SWITCHED, C_INJECT_BAD,
} from "../shared/switch";
import { ETH_HEADER_LEN } from "../shared/wire";
import { E_CAP } from "../shared/status";
import { SW_ST_NOW } from "../state";
import { count, drop } from "./counters";

@inline
function header(ring: i32): usize {
  return <usize>SW_RING_HDR_BASE + <usize>ring * PUNT_HDR_SIZE;
}

@inline
function slot(base: usize, index: u32): usize {
  return base + <usize>(index & (PUNT_SLOTS - 1)) * PUNT_SLOT_SIZE;
}

/** Copies a frame into the UP ring; returns V_PUNT, or a drop when full or too big. */
export function punt(buf: usize, len: i32, inPort: i32, reason: i32): i32 {
  if (len > PUNT_MAX_FRAME) return drop(C_DROP_PUNT_TOO_BIG);
  const h = header(PUNT_UP);
  const head = load<u32>(h + PUNT_HEAD);
  const tail = load<u32>(h + PUNT_TAIL);
  if (head - tail >= <u32>PUNT_SLOTS) return drop(C_DROP_PUNT_FULL); // full, or a tail from nowhere
  const s = slot(SW_PUNT_UP_BASE, head);
  store<u16>(s + RS_LEN, <u16>len);
  store<u8>(s + RS_PORT, <u8>inPort);
  store<u8>(s + RS_KIND, <u8>reason);
  store<u32>(s + RS_TICK, load<u32>(SW_ST_NOW));
  memory.copy(s + RS_FRAME, buf, len);
  store<u32>(h + PUNT_HEAD, head + 1); // publish after the slot is complete
  count(C_PUNT);
  return verdict(V_PUNT, inPort, len);
}

/** What injectTake() found: INJECT_TX / INJECT_SWITCH, 0 (empty) or -1 (bad slot skipped). */
export let iKind: i32 = 0;
export let iPort: i32 = 0;

/**
 * Takes the next frame from the DOWN ring into [out, out+cap). Returns its length (iKind,
 * iPort say what to do with it); 0 when nothing was taken (iKind 0: empty; -1: an invalid
 * slot was skipped and counted); E_CAP, slot left in place, when cap is too small.
 */
export function injectTake(out: usize, cap: i32): i32 {
  const h = header(PUNT_DOWN);
  const head = load<u32>(h + PUNT_HEAD);
  const tail = load<u32>(h + PUNT_TAIL);
  iKind = 0;
  if (head == tail) return 0;
  iKind = -1;
  if (head - tail > <u32>PUNT_SLOTS) {
    // The host's head is not within one ring of our tail: resynchronise, skip what is there.
    store<u32>(h + PUNT_TAIL, head);
    count(C_INJECT_BAD);
    return 0;
  }
  const s = slot(SW_PUNT_DOWN_BASE, tail);
  const len = <i32>load<u16>(s + RS_LEN);
  const port = <i32>load<u8>(s + RS_PORT);
  const kind = <i32>load<u8>(s + RS_KIND);
  if (len < ETH_HEADER_LEN || len > PUNT_MAX_FRAME || port >= SW_MAX_PORTS || (kind != INJECT_TX && kind != INJECT_SWITCH)) {
    store<u32>(h + PUNT_TAIL, tail + 1);
    count(C_INJECT_BAD);
    return 0;
  }
  if (len > cap) return E_CAP;
  memory.copy(out, s + RS_FRAME, len);
  store<u32>(h + PUNT_TAIL, tail + 1); // the slot is the host's again
  iKind = kind;
  iPort = port;
  count(kind == INJECT_TX ? C_INJECT_TX : C_INJECT_SWITCHED);
  return len;
}

export function ringsReset(): void {
  memory.fill(SW_RING_HDR_BASE, 0, 2 * PUNT_HDR_SIZE);
}
