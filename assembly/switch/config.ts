// The switching path's configuration: port MACs, the control processor's addresses,
// services (VIP, protocol, port) and back ends. Records live in the SWITCH region
// (memmap.ts) and are written only here, after validation; the per-packet path reads them.

import {
  SW_PORTS_BASE, SW_CP_BASE, SW_SERVICES_BASE, SW_BACKENDS_BASE,
} from "../shared/memmap";
import {
  SW_MAX_PORTS, SW_MAX_CP, SW_MAX_SERVICES, SW_MAX_BACKENDS,
  SW_PORT_SIZE, SW_PORT_MAC, SW_PORT_VALID,
  SW_ADDR_SIZE, SW_ADDR_FAMILY, SW_ADDR_ADDR, FAMILY_NONE, FAMILY_V4, FAMILY_V6,
  SW_SVC_SIZE, SW_SVC_FAMILY, SW_SVC_PROTO, SW_SVC_MODE, SW_SVC_RETURN_PORT, SW_SVC_PORT,
  SW_SVC_RETURN_MAC, SW_SVC_VIP, SW_SVC_HASH, SVC_MODE_DSR, SVC_MODE_NAT,
  SW_BE_SIZE, SW_BE_STATE, SW_BE_FAMILY, SW_BE_TX_PORT, SW_BE_PORT, SW_BE_MAC, SW_BE_ADDR,
  SW_BE_PACKETS, BE_UNUSED, BE_UP, BE_DOWN,
} from "../shared/switch";
import { IPPROTO_TCP, IPPROTO_UDP } from "../shared/wire";
import { OK, E_SW_INDEX, E_SW_CONFIG, E_SW_CONFLICT } from "../shared/status";
import { SW_ST_SVC_COUNT, SW_ST_CP_COUNT } from "../state";
import { addrEq, isGroupAddr, isUnspecified } from "./addr";
import { hashAddr, hashFinal, hashStep } from "./hash";

// ---- ports -------------------------------------------------------------------------------

@inline
export function portRecord(port: i32): usize {
  return <usize>SW_PORTS_BASE + <usize>port * SW_PORT_SIZE;
}

/** True when port is in range and has a MAC: the only ports the path sends on. */
@inline
export function portValid(port: i32): bool {
  return <u32>port < <u32>SW_MAX_PORTS && load<u8>(portRecord(port) + SW_PORT_VALID) != 0;
}

export function portSet(port: i32, mac: usize): i32 {
  if (<u32>port >= <u32>SW_MAX_PORTS) return E_SW_INDEX;
  if (load<u8>(mac) & 1) return E_SW_CONFIG; // a group MAC is never a source
  const r = portRecord(port);
  memory.copy(r + SW_PORT_MAC, mac, 6);
  store<u8>(r + SW_PORT_VALID, 1);
  return OK;
}

// ---- control-processor addresses ---------------------------------------------------------

@inline
function cpRecord(i: i32): usize {
  return <usize>SW_CP_BASE + <usize>i * SW_ADDR_SIZE;
}

/** True when addr is one of the control processor's addresses (packets for it are punted). */
export function isCpAddr(family: i32, addr: usize): bool {
  const n = <i32>load<u32>(SW_ST_CP_COUNT);
  for (let i = 0; i < n; i++) {
    const r = cpRecord(i);
    if (<i32>load<u8>(r + SW_ADDR_FAMILY) == family && addrEq(r + SW_ADDR_ADDR, addr, family)) return true;
  }
  return false;
}

function validFamily(family: i32): bool {
  return family == FAMILY_V4 || family == FAMILY_V6;
}

/** Sets (family 4/6) or clears (family 0) CP address i from an SW_ADDR record. */
export function cpSet(i: i32, rec: usize): i32 {
  if (<u32>i >= <u32>SW_MAX_CP) return E_SW_INDEX;
  const family = <i32>load<u8>(rec + SW_ADDR_FAMILY);
  const r = cpRecord(i);
  if (family == FAMILY_NONE) {
    memory.fill(r, 0, SW_ADDR_SIZE);
  } else {
    if (!validFamily(family)) return E_SW_CONFIG;
    const a = rec + SW_ADDR_ADDR;
    if (isUnspecified(a, family) || isGroupAddr(a, family)) return E_SW_CONFIG;
    if (isVip(family, a)) return E_SW_CONFLICT;
    memory.fill(r, 0, SW_ADDR_SIZE);
    store<u8>(r + SW_ADDR_FAMILY, <u8>family);
    memory.copy(r + SW_ADDR_ADDR, a, family == FAMILY_V6 ? 16 : 4);
  }
  let n = 0;
  for (let k = 0; k < SW_MAX_CP; k++) if (load<u8>(cpRecord(k) + SW_ADDR_FAMILY) != 0) n = k + 1;
  store<u32>(SW_ST_CP_COUNT, n);
  return OK;
}

// ---- services ------------------------------------------------------------------------------

@inline
export function serviceRecord(i: i32): usize {
  return <usize>SW_SERVICES_BASE + <usize>i * SW_SVC_SIZE;
}

/** Index of the service (family, VIP, protocol, port), or -1. Linear: services are few. */
export function findService(family: i32, dst: usize, proto: i32, port: i32): i32 {
  const n = <i32>load<u32>(SW_ST_SVC_COUNT);
  const key = family | (proto << 8) | (port << 16);
  for (let i = 0; i < n; i++) {
    const r = serviceRecord(i);
    const rkey = <i32>load<u8>(r + SW_SVC_FAMILY) | (<i32>load<u8>(r + SW_SVC_PROTO) << 8) | (<i32>load<u16>(r + SW_SVC_PORT) << 16);
    if (rkey == key && addrEq(r + SW_SVC_VIP, dst, family)) return i;
  }
  return -1;
}

/** True when addr is the VIP of any service (whatever its protocol and port). */
export function isVip(family: i32, addr: usize): bool {
  const n = <i32>load<u32>(SW_ST_SVC_COUNT);
  for (let i = 0; i < n; i++) {
    const r = serviceRecord(i);
    if (<i32>load<u8>(r + SW_SVC_FAMILY) == family && addrEq(r + SW_SVC_VIP, addr, family)) return true;
  }
  return false;
}

@inline
export function serviceInUse(i: i32): bool {
  return <u32>i < <u32>SW_MAX_SERVICES && load<u8>(serviceRecord(i) + SW_SVC_FAMILY) != 0;
}

/**
 * Sets service i from a service record (family 0 clears it). Refuses: an unknown family,
 * protocol or mode; NAT for IPv6 (IPv6 services are DSR, docs/switching-path.md); a return
 * port out of range; an unspecified or group VIP; a VIP that is a CP address; the same
 * (VIP, protocol, port) twice.
 */
export function serviceSet(i: i32, rec: usize): i32 {
  if (<u32>i >= <u32>SW_MAX_SERVICES) return E_SW_INDEX;
  const r = serviceRecord(i);
  const family = <i32>load<u8>(rec + SW_SVC_FAMILY);
  if (family == FAMILY_NONE) {
    memory.fill(r, 0, SW_SVC_SIZE);
  } else {
    const proto = <i32>load<u8>(rec + SW_SVC_PROTO);
    const mode = <i32>load<u8>(rec + SW_SVC_MODE);
    const vip = rec + SW_SVC_VIP;
    const port = <i32>load<u16>(rec + SW_SVC_PORT);
    if (!validFamily(family)) return E_SW_CONFIG;
    if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) return E_SW_CONFIG;
    if (mode != SVC_MODE_DSR && mode != SVC_MODE_NAT) return E_SW_CONFIG;
    if (mode == SVC_MODE_NAT && family != FAMILY_V4) return E_SW_CONFIG;
    if (<u32>load<u8>(rec + SW_SVC_RETURN_PORT) >= <u32>SW_MAX_PORTS) return E_SW_CONFIG;
    if (port == 0) return E_SW_CONFIG;
    if (isUnspecified(vip, family) || isGroupAddr(vip, family)) return E_SW_CONFIG;
    if (family == FAMILY_V4 && (load<u64>(vip, 4) != 0 || load<u64>(vip, 8) != 0)) return E_SW_CONFIG;
    if (isCpAddr(family, vip)) return E_SW_CONFLICT;
    const other = findService(family, vip, proto, port);
    if (other >= 0 && other != i) return E_SW_CONFLICT;
    memory.copy(r, rec, SW_SVC_SIZE);
    let h = hashAddr(0x2545f491, r + SW_SVC_VIP, family);
    h = hashStep(h, <u32>(proto | (port << 8)));
    store<u32>(r + SW_SVC_HASH, hashFinal(h));
  }
  let n = 0;
  for (let k = 0; k < SW_MAX_SERVICES; k++) if (serviceInUse(k)) n = k + 1;
  store<u32>(SW_ST_SVC_COUNT, n);
  return OK;
}

@inline
export function serviceIsNat(svc: usize): bool {
  return load<u8>(svc + SW_SVC_MODE) == SVC_MODE_NAT;
}

// ---- back ends ----------------------------------------------------------------------------

@inline
export function backendRecord(i: i32): usize {
  return <usize>SW_BACKENDS_BASE + <usize>i * SW_BE_SIZE;
}

@inline
export function backendUp(i: i32): bool {
  return <u32>i < <u32>SW_MAX_BACKENDS && load<u8>(backendRecord(i) + SW_BE_STATE) == BE_UP;
}

@inline
export function backendConfigured(i: i32): bool {
  return <u32>i < <u32>SW_MAX_BACKENDS && load<u8>(backendRecord(i) + SW_BE_STATE) != BE_UNUSED;
}

/**
 * Sets back end i from a back-end record (state BE_UNUSED clears it). Its packet and
 * connection counters are kept. Changing the address of a back end that still has
 * connections breaks reverse NAT for them: mark it down, sweep, then reuse the index.
 */
export function backendSet(i: i32, rec: usize): i32 {
  if (<u32>i >= <u32>SW_MAX_BACKENDS) return E_SW_INDEX;
  const r = backendRecord(i);
  const state = <i32>load<u8>(rec + SW_BE_STATE);
  if (state == BE_UNUSED) {
    memory.fill(r, 0, SW_BE_PACKETS);
    return OK;
  }
  if (state != BE_UP && state != BE_DOWN) return E_SW_CONFIG;
  const family = <i32>load<u8>(rec + SW_BE_FAMILY);
  if (!validFamily(family)) return E_SW_CONFIG;
  if (<u32>load<u8>(rec + SW_BE_TX_PORT) >= <u32>SW_MAX_PORTS) return E_SW_CONFIG;
  if (load<u8>(rec + SW_BE_MAC) & 1) return E_SW_CONFIG; // a group MAC is no next hop
  memory.copy(r, rec, SW_BE_PACKETS); // everything before the counters
  return OK;
}
