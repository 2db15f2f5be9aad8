// Fragment tracking, so that every fragment of a datagram reaches the back end its first
// fragment went to (the approach of Cilium's BPF load balancer; Katran drops fragments,
// Maglev re-hashes them on the 3-tuple and so may split a flow). The first fragment carries
// the ports: it is looked up and rewritten like any packet, and its (source, destination,
// protocol, identification) -> (source port, destination port) is recorded here. A later
// fragment finds its ports here and then follows the same connection entry. A later
// fragment that arrives before its first, or after the record was overwritten or expired
// (TMO_FRAG), is dropped and counted (C_DROP_FRAG_UNTRACKED): the datagram could not have
// been delivered correctly anyway.
//
// Direct-mapped (SW_FRAG_SLOTS slots of 16 bytes): a colliding datagram overwrites the
// older record. A 32-bit tag of (source, destination, protocol) plus the exact
// identification must match.

import { SW_FRAGS_BASE } from "../shared/memmap";
import {
  SW_FRAG_SLOTS, FRAG_SLOT_SIZE, FRAG_TAG, FRAG_IDENT, FRAG_SRC_PORT, FRAG_DST_PORT, FRAG_SEEN,
  TMO_FRAG, C_FRAG_TRACKED, C_FRAG_FOLLOWED,
} from "../shared/switch";
import { SW_ST_SEED, SW_ST_TIMEOUTS } from "../state";
import { count } from "./counters";
import { hashAddr, hashFinal, hashStep } from "./hash";

/** Ports found by fragFind(). */
export let fSport: i32 = 0;
export let fDport: i32 = 0;

@inline
function fragHash(family: i32, src: usize, dst: usize, proto: i32, ident: u32): u32 {
  let h = hashAddr(load<u32>(SW_ST_SEED) ^ 0x3c6ef372, src, family);
  h = hashAddr(h, dst, family);
  h = hashStep(h, <u32>proto);
  return hashFinal(hashStep(h, ident));
}

@inline
function slotOf(h: u32): usize {
  return <usize>SW_FRAGS_BASE + <usize>(h & (SW_FRAG_SLOTS - 1)) * FRAG_SLOT_SIZE;
}

/** Records a first fragment's ports. */
export function fragRecord(family: i32, src: usize, dst: usize, proto: i32, ident: u32, sport: i32, dport: i32, now: u32): void {
  const h = fragHash(family, src, dst, proto, ident);
  const s = slotOf(h);
  store<u32>(s + FRAG_TAG, h | 1);
  store<u32>(s + FRAG_IDENT, ident);
  store<u16>(s + FRAG_SRC_PORT, <u16>sport);
  store<u16>(s + FRAG_DST_PORT, <u16>dport);
  store<u32>(s + FRAG_SEEN, now);
  count(C_FRAG_TRACKED);
}

/** Finds a later fragment's first; on success fills fSport/fDport and refreshes the record. */
export function fragFind(family: i32, src: usize, dst: usize, proto: i32, ident: u32, now: u32): bool {
  const h = fragHash(family, src, dst, proto, ident);
  const s = slotOf(h);
  if (load<u32>(s + FRAG_TAG) != (h | 1) || load<u32>(s + FRAG_IDENT) != ident) return false;
  if (<i32>(now - load<u32>(s + FRAG_SEEN)) > <i32>load<u32>(SW_ST_TIMEOUTS + (<usize>TMO_FRAG << 2))) return false;
  store<u32>(s + FRAG_SEEN, now);
  fSport = <i32>load<u16>(s + FRAG_SRC_PORT);
  fDport = <i32>load<u16>(s + FRAG_DST_PORT);
  count(C_FRAG_FOLLOWED);
  return true;
}

export function fragReset(): void {
  memory.fill(SW_FRAGS_BASE, 0, SW_FRAG_SLOTS * FRAG_SLOT_SIZE);
}
