// IEEE 802.3 clause 57 OAMPDUs (802.3ah Ethernet OAM): slow-protocols frames to
// 01:80:c2:00:00:02, EtherType 0x8809, subtype 3. The header view (with the Information
// TLV walk the dialect's peer learning needs) and the emitter.
//
//   subtype | flags (u16) | code | data: Information TLVs (type, length, ...), end TLV 0

import {
  OAM_OFF_SUBTYPE, OAM_OFF_FLAGS, OAM_OFF_CODE, OAM_OFF_DATA, SLOW_SUBTYPE_OAM, OAM_TLV_END,
  OAM_INFO_OFF_TYPE, OAM_INFO_OFF_LEN,
} from "../shared/wire";
import { ld8, ld16be, st8, st16be } from "../lib/mem";

// ---- the header view ----

@inline export function oamSubtype(o: usize): i32 { return ld8(o + OAM_OFF_SUBTYPE); }
@inline export function oamFlags(o: usize): i32 { return ld16be(o + OAM_OFF_FLAGS); }
@inline export function oamCode(o: usize): i32 { return ld8(o + OAM_OFF_CODE); }

/**
 * Offset (from o) of the first TLV of the given type in an Information OAMPDU of len bytes
 * (from o), or -1: the walk stops at the end TLV, at a TLV shorter than its own header, or at
 * the end of the data. Bounded by len.
 */
export function oamFindTlv(o: usize, len: i32, type: i32): i32 {
  let off = OAM_OFF_DATA;
  while (off + 2 <= len) {
    const t = ld8(o + <usize>off + OAM_INFO_OFF_TYPE);
    const l = ld8(o + <usize>off + OAM_INFO_OFF_LEN);
    if (t == OAM_TLV_END || l < 2 || off + l > len) return -1;
    if (t == type) return off;
    off += l;
  }
  return -1;
}

// ---- the emitter ----

/** Writes the OAMPDU header (subtype 3, flags, code); the caller writes the data after it. */
export function oamWrite(o: usize, flags: i32, code: i32): void {
  st8(o + OAM_OFF_SUBTYPE, SLOW_SUBTYPE_OAM);
  st16be(o + OAM_OFF_FLAGS, flags);
  st8(o + OAM_OFF_CODE, code);
}
