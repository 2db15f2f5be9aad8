// VRRP advertisements (RFC 3768 version 2, RFC 5798 / RFC 9568 version 3): the header view
// and the emitter. The dialect templates (dialect/build.ts) write through vrrpWrite; tests and
// receivers read through the view.
//
//   v2:  ver/type | VRID | priority | count | auth type | adver int (s) | checksum | addrs | auth[8]
//   v3:  ver/type | VRID | priority | count | rsvd(4) max adver int (12 bits, cs)  | checksum | addrs
//
// v2's checksum covers the VRRP message only; v3's adds the IPv4 or IPv6 pseudo-header.

import {
  VRRP_OFF_VER_TYPE, VRRP_OFF_VRID, VRRP_OFF_PRIORITY, VRRP_OFF_COUNT, VRRP_OFF_AUTH_TYPE,
  VRRP_OFF_ADVER_INT, VRRP_OFF_CHECKSUM, VRRP_OFF_ADDRS, VRRP_TYPE_ADVERT, VRRP_MAX_INT_V3,
} from "../shared/wire";
import { ld8, ld16be, st8, st16be } from "../lib/mem";

// ---- the header view ----

@inline export function vrrpVersion(v: usize): i32 { return ld8(v + VRRP_OFF_VER_TYPE) >> 4; }
@inline export function vrrpType(v: usize): i32 { return ld8(v + VRRP_OFF_VER_TYPE) & 0xf; }
@inline export function vrrpVrid(v: usize): i32 { return ld8(v + VRRP_OFF_VRID); }
@inline export function vrrpPriority(v: usize): i32 { return ld8(v + VRRP_OFF_PRIORITY); }
@inline export function vrrpCount(v: usize): i32 { return ld8(v + VRRP_OFF_COUNT); }
/** v3: the maximum advertisement interval in centiseconds; v2: the interval in seconds. */
export function vrrpInterval(v: usize): i32 {
  return vrrpVersion(v) == 3 ? ld16be(v + VRRP_OFF_AUTH_TYPE) & VRRP_MAX_INT_V3 : ld8(v + VRRP_OFF_ADVER_INT);
}

// ---- the emitter ----

/**
 * Writes the 8-byte header with a zero checksum; the caller copies the addresses (and, v2,
 * the authentication data) after it and fills the checksum. interval: v2 seconds, v3
 * centiseconds (already range-checked); authType is v2's.
 */
export function vrrpWrite(v: usize, version: i32, vrid: i32, priority: i32, count: i32, interval: i32, authType: i32): void {
  st8(v + VRRP_OFF_VER_TYPE, (version << 4) | VRRP_TYPE_ADVERT);
  st8(v + VRRP_OFF_VRID, vrid);
  st8(v + VRRP_OFF_PRIORITY, priority);
  st8(v + VRRP_OFF_COUNT, count);
  if (version == 3) {
    st16be(v + VRRP_OFF_AUTH_TYPE, interval & VRRP_MAX_INT_V3);
  } else {
    st8(v + VRRP_OFF_AUTH_TYPE, authType);
    st8(v + VRRP_OFF_ADVER_INT, interval);
  }
  st16be(v + VRRP_OFF_CHECKSUM, 0);
}

/** Where the addresses start. */
@inline export function vrrpAddrs(v: usize): usize { return v + VRRP_OFF_ADDRS; }
