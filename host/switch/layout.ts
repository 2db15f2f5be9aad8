// The SWITCH region's sub-layout as a list, for docs, tests and diagnostics
// (declared once in assembly/shared/memmap.ts).

import * as MAP from "../../assembly/shared/memmap";
import * as S from "../../assembly/shared/switch";
import { Region } from "../core/layout";

export function switchRegions(): Region[] {
  return [
    { name: "SW_PORTS", base: MAP.SW_PORTS_BASE, size: S.SW_MAX_PORTS * S.SW_PORT_SIZE, what: "port records: the MAC each port sends from" },
    { name: "SW_CP", base: MAP.SW_CP_BASE, size: S.SW_MAX_CP * S.SW_ADDR_SIZE, what: "the control processor's addresses" },
    { name: "SW_SERVICES", base: MAP.SW_SERVICES_BASE, size: S.SW_MAX_SERVICES * S.SW_SVC_SIZE, what: "services: (VIP, protocol, port), mode, return path" },
    { name: "SW_BACKENDS", base: MAP.SW_BACKENDS_BASE, size: S.SW_MAX_BACKENDS * S.SW_BE_SIZE, what: "back ends: state, MAC, address, port, TX port, counters" },
    { name: "SW_FRAGS", base: MAP.SW_FRAGS_BASE, size: S.SW_FRAG_SLOTS * S.FRAG_SLOT_SIZE, what: "fragment tracking: first fragment's ports" },
    { name: "SW_RING_HDR", base: MAP.SW_RING_HDR_BASE, size: 2 * S.PUNT_HDR_SIZE, what: "punt-ring headers: UP then DOWN (head, tail)" },
    { name: "SW_PUNT_UP", base: MAP.SW_PUNT_UP_BASE, size: S.PUNT_SLOTS * S.PUNT_SLOT_SIZE, what: "core -> host punt slots" },
    { name: "SW_PUNT_DOWN", base: MAP.SW_PUNT_DOWN_BASE, size: S.PUNT_SLOTS * S.PUNT_SLOT_SIZE, what: "host -> core reply/injection slots" },
    { name: "SW_LB_A", base: MAP.SW_LB_A_BASE, size: MAP.SW_LB_TABLE_SIZE, what: "load-distribution table A" },
    { name: "SW_LB_B", base: MAP.SW_LB_B_BASE, size: MAP.SW_LB_TABLE_SIZE, what: "load-distribution table B" },
    { name: "SW_CONN", base: MAP.SW_CONN_BASE, size: MAP.SW_CONN_SIZE, what: "connection table, 2^20 x 32 bytes at most" },
  ];
}
