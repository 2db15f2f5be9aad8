// Exports of the foundation: lifecycle, diagnostics, memory access, checksums, wire formats,
// SHA-256 and HMAC. (assembly/index.ts re-exports every subsystem's export file.)
//
// Contract (DEVELOPERS.md, docs/core-abi.md): no imports; every export returns i32 — a value
// (>= 0) or a status (< 0, shared/status.ts); pointer arguments are byte offsets that must lie
// in host-visible memory (shared/memmap.ts HOST_BASE..MEM_END) or the call returns E_RANGE;
// nothing is allocated; bad input returns a negative status, it never traps.

import { ABI_VERSION } from "../shared/abi";
import { OK, E_RANGE, E_ARG, E_STATE, E_LAYOUT, E_MEMSIZE } from "../shared/status";
import { MEM_PAGES, STATIC_BASE, STATIC_SIZE } from "../shared/memmap";
import {
  ETH_REPR_SIZE, ARP_REPR_SIZE, IPV4_REPR_SIZE, UDP_REPR_SIZE, IPV6_REPR_SIZE, NA_REPR_SIZE,
} from "../shared/repr";
import { STATE_ABORT_LINE, STATE_INIT_DONE, STATE_SHA_COMPRESSIONS, STATE_SHA_CTX_A } from "../state";
import { hostRange } from "../lib/mem";
import { crc32 } from "../lib/crc32";
import { sumWords, finish, update16 } from "../wire/checksum";
import { ethEmit, ethParse, ethPad } from "../wire/ethernet";
import { arpEmit, arpParse, arpAnnounce, ARP_KIND_ANNOUNCE, ARP_KIND_REPLY, ARP_KIND_PROBE } from "../wire/arp";
import { ipv4Emit, ipv4Parse } from "../wire/ipv4";
import { udp4Emit, udp4Parse } from "../wire/udp";
import { ipv6Emit, ipv6Parse } from "../wire/ipv6";
import { naEmit, naParse, naUnsolicited } from "../wire/ndp";
import { sha256 as sha256Oneshot } from "../crypto/sha256";
import { hmacSetKey, hmacCompute, hmacClearKey, slotValid, HMAC_SLOT_COUNT } from "../crypto/hmac";
import { runSelftest } from "../selftest/selftest";
import { gaspReset } from "../gasp/reset";
import { dialectReset } from "../dialect/state";
import { fSetArmed } from "../fault/state";
import { stateLayoutOk } from "../layout";
import { imgReset } from "../image/parser";
import { trustClear } from "../image/trust";
import { flashAbandon } from "../flash/stage";
import { layoutForget } from "../flash/layout";


// ---- lifecycle and diagnostics -------------------------------------------------------------

export function abi_version(): i32 {
  return ABI_VERSION;
}

/**
 * Checks the build against the memory map and clears the core's state. Returns OK,
 * E_LAYOUT (static data overflows its region) or E_MEMSIZE (memory is not MEM_PAGES).
 */
export function init(): i32 {
  if (<i32>__heap_base > STATIC_BASE + STATIC_SIZE || !stateLayoutOk()) return E_LAYOUT;
  if (memory.size() != MEM_PAGES) return E_MEMSIZE;
  for (let slot = 0; slot < HMAC_SLOT_COUNT; slot++) hmacClearKey(slot);
  gaspReset();
  dialectReset(); // no dialect frame of an earlier arming survives
  fSetArmed(false, 0, 0); // the fault entry's plan goes with the gasp it was checked against
  imgReset(); // signed images: no parse in progress, no trusted key, no board
  trustClear();
  flashAbandon(); // flashing: no operation in progress, no layout
  layoutForget();
  store<u32>(STATE_SHA_COMPRESSIONS, 0);
  store<u32>(STATE_INIT_DONE, 1);
  return OK;
}

/** 0 when every known-answer vector passes, else the number of the first that failed. */
export function selftest(): i32 {
  return runSelftest();
}

/** Source line of the last abort (0 if none): a trap's post-mortem. */
export function last_abort_line(): i32 {
  return <i32>load<u32>(STATE_ABORT_LINE);
}

/** Bytes from which static data ends (__heap_base), for the layout check and docs. */
export function static_end(): i32 {
  return <i32>__heap_base;
}

// ---- memory access for engines that cannot reach linear memory (wasmtime binding) ---------

export function mem_store8(ptr: i32, value: i32): i32 {
  if (!hostRange(ptr, 1)) return E_RANGE;
  store<u8>(ptr, <u8>value);
  return OK;
}

export function mem_store32(ptr: i32, value: i32): i32 {
  if (!hostRange(ptr, 4)) return E_RANGE;
  store<u32>(ptr, <u32>value);
  return OK;
}

export function mem_fill(ptr: i32, len: i32, value: i32): i32 {
  if (!hostRange(ptr, len)) return E_RANGE;
  memory.fill(ptr, <u8>value, len);
  return OK;
}

/** CRC-32 of [ptr, ptr+len) shifted right by one (31 bits, never negative), or E_RANGE. */
export function region_digest(ptr: i32, len: i32): i32 {
  if (!hostRange(ptr, len)) return E_RANGE;
  return <i32>(crc32(ptr, len) >>> 1);
}

// ---- checksums ----------------------------------------------------------------------------

/** RFC 1071 checksum of [ptr, ptr+len) (the value to put in a zeroed checksum field). */
export function inet_checksum(ptr: i32, len: i32): i32 {
  if (!hostRange(ptr, len)) return E_RANGE;
  return <i32>finish(sumWords(ptr, len, 0));
}

/** RFC 1624 eqn. 3: checksum hc after a 16-bit word changes from old to new. */
export function csum_update16(hc: i32, oldWord: i32, newWord: i32): i32 {
  return <i32>update16(<u32>hc, <u32>oldWord, <u32>newWord);
}

// ---- Ethernet -----------------------------------------------------------------------------

export function eth_emit(repr: i32, out: i32, cap: i32): i32 {
  if (!hostRange(repr, ETH_REPR_SIZE) || !hostRange(out, cap)) return E_RANGE;
  return ethEmit(repr, out, cap);
}

export function eth_parse(buf: i32, len: i32, repr: i32): i32 {
  if (!hostRange(buf, len) || !hostRange(repr, ETH_REPR_SIZE)) return E_RANGE;
  return ethParse(buf, len, repr);
}

export function eth_pad(buf: i32, len: i32, cap: i32): i32 {
  if (!hostRange(buf, cap) || len < 0 || len > cap) return E_RANGE;
  return ethPad(buf, len, cap);
}

// ---- ARP ----------------------------------------------------------------------------------

export function arp_emit(eth: i32, arp: i32, out: i32, cap: i32): i32 {
  if (!hostRange(eth, ETH_REPR_SIZE) || !hostRange(arp, ARP_REPR_SIZE) || !hostRange(out, cap)) return E_RANGE;
  return arpEmit(eth, arp, out, cap);
}

export function arp_parse(buf: i32, len: i32, eth: i32, arp: i32): i32 {
  if (!hostRange(buf, len) || !hostRange(eth, ETH_REPR_SIZE) || !hostRange(arp, ARP_REPR_SIZE)) return E_RANGE;
  return arpParse(buf, len, eth, arp);
}

function announce(kind: i32, mac: i32, ip: i32, vlan: i32, out: i32, cap: i32): i32 {
  if (!hostRange(mac, 6) || !hostRange(ip, 4) || !hostRange(out, cap)) return E_RANGE;
  return arpAnnounce(kind, mac, ip, vlan, out, cap);
}

/** RFC 5227 announcement: broadcast request, sender IP = target IP = ip, target MAC zero. */
export function arp_announce(mac: i32, ip: i32, vlan: i32, out: i32, cap: i32): i32 {
  return announce(ARP_KIND_ANNOUNCE, mac, ip, vlan, out, cap);
}

/** The "arping -A" variant: broadcast reply, sender IP = target IP, target MAC = own MAC. */
export function arp_announce_reply(mac: i32, ip: i32, vlan: i32, out: i32, cap: i32): i32 {
  return announce(ARP_KIND_REPLY, mac, ip, vlan, out, cap);
}

/** RFC 5227 probe: broadcast request, sender IP 0.0.0.0, target MAC zero, target IP = ip. */
export function arp_probe(mac: i32, ip: i32, vlan: i32, out: i32, cap: i32): i32 {
  return announce(ARP_KIND_PROBE, mac, ip, vlan, out, cap);
}

// ---- IPv4 and UDP -------------------------------------------------------------------------

export function ipv4_emit(repr: i32, out: i32, cap: i32): i32 {
  if (!hostRange(repr, IPV4_REPR_SIZE) || !hostRange(out, cap)) return E_RANGE;
  return ipv4Emit(repr, out, cap);
}

export function ipv4_parse(buf: i32, len: i32, repr: i32): i32 {
  if (!hostRange(buf, len) || !hostRange(repr, IPV4_REPR_SIZE)) return E_RANGE;
  return ipv4Parse(buf, len, repr);
}

export function udp4_emit(eth: i32, ip: i32, udp: i32, payload: i32, plen: i32, out: i32, cap: i32): i32 {
  if (!hostRange(eth, ETH_REPR_SIZE) || !hostRange(ip, IPV4_REPR_SIZE) || !hostRange(udp, UDP_REPR_SIZE)) return E_RANGE;
  if (!hostRange(payload, plen) || !hostRange(out, cap)) return E_RANGE;
  return udp4Emit(eth, ip, udp, payload, plen, out, cap);
}

export function udp4_parse(buf: i32, len: i32, eth: i32, ip: i32, udp: i32): i32 {
  if (!hostRange(buf, len) || !hostRange(eth, ETH_REPR_SIZE)) return E_RANGE;
  if (!hostRange(ip, IPV4_REPR_SIZE) || !hostRange(udp, UDP_REPR_SIZE)) return E_RANGE;
  return udp4Parse(buf, len, eth, ip, udp);
}

// ---- IPv6 and Neighbor Discovery -----------------------------------------------------------

export function ipv6_emit(repr: i32, out: i32, cap: i32): i32 {
  if (!hostRange(repr, IPV6_REPR_SIZE) || !hostRange(out, cap)) return E_RANGE;
  return ipv6Emit(repr, out, cap);
}

export function ipv6_parse(buf: i32, len: i32, repr: i32): i32 {
  if (!hostRange(buf, len) || !hostRange(repr, IPV6_REPR_SIZE)) return E_RANGE;
  return ipv6Parse(buf, len, repr);
}

export function na_emit(eth: i32, ip6: i32, na: i32, out: i32, cap: i32): i32 {
  if (!hostRange(eth, ETH_REPR_SIZE) || !hostRange(ip6, IPV6_REPR_SIZE) || !hostRange(na, NA_REPR_SIZE)) return E_RANGE;
  if (!hostRange(out, cap)) return E_RANGE;
  return naEmit(eth, ip6, na, out, cap);
}

export function na_parse(buf: i32, len: i32, eth: i32, ip6: i32, na: i32): i32 {
  if (!hostRange(buf, len) || !hostRange(eth, ETH_REPR_SIZE)) return E_RANGE;
  if (!hostRange(ip6, IPV6_REPR_SIZE) || !hostRange(na, NA_REPR_SIZE)) return E_RANGE;
  return naParse(buf, len, eth, ip6, na);
}

/** Unsolicited NA for target (16 bytes) with mac: ff02::1, hop limit 255, S=0, O=1, TLLA. */
export function na_unsolicited(mac: i32, target: i32, router: i32, vlan: i32, out: i32, cap: i32): i32 {
  if (!hostRange(mac, 6) || !hostRange(target, 16) || !hostRange(out, cap)) return E_RANGE;
  return naUnsolicited(mac, target, router, vlan, out, cap);
}

// ---- SHA-256 and HMAC-SHA256 -----------------------------------------------------------------

export function sha256(ptr: i32, len: i32, out: i32): i32 {
  if (!hostRange(ptr, len) || !hostRange(out, 32)) return E_RANGE;
  sha256Oneshot(STATE_SHA_CTX_A, ptr, len, out);
  return OK;
}

/** Precomputes the inner/outer key states for slot (0..HMAC_SLOT_COUNT-1). */
export function hmac_set_key(slot: i32, key: i32, len: i32, keyId: i32): i32 {
  if (slot < 0 || slot >= HMAC_SLOT_COUNT) return E_ARG;
  if (!hostRange(key, len)) return E_RANGE;
  hmacSetKey(slot, key, len, <u32>keyId);
  return OK;
}

export function hmac_clear_key(slot: i32): i32 {
  if (slot < 0 || slot >= HMAC_SLOT_COUNT) return E_ARG;
  hmacClearKey(slot);
  return OK;
}

/** Writes HMAC-SHA256(key of slot, msg) (32 bytes) to out. E_STATE when the slot has no key. */
export function hmac_sha256(slot: i32, msg: i32, len: i32, out: i32): i32 {
  if (slot < 0 || slot >= HMAC_SLOT_COUNT) return E_ARG;
  if (!hostRange(msg, len) || !hostRange(out, 32)) return E_RANGE;
  if (!slotValid(slot)) return E_STATE;
  hmacCompute(slot, msg, len, out);
  return OK;
}

/** SHA-256 compressions since init (mod 2^31): lets tests count the cost of a MAC. */
export function sha256_compressions(): i32 {
  return <i32>(load<u32>(STATE_SHA_COMPRESSIONS) & 0x7fffffff);
}
