// High-availability constants shared by the core's arbitration (assembly/ha/arbitrate.ts)
// and the host's role machine (host/ha/role.ts). Portable (asc + tsc).
//
// Split brain is settled by a total order over (eligibility, epoch, priority, unit id):
//   1. a unit with priority 0 is not eligible (VRRP's "priority 0 = resigning");
//   2. the higher epoch wins: every takeover raises it, so a unit that was replaced while
//      it hung or was cut off (and still believes it is active) loses to its replacement;
//   3. the higher priority wins (VRRP/keepalived semantics between equally recent claims);
//   4. the lower unit id wins (slot 0 before slot 1), so the order is total.
// Epochs compare as unsigned 32-bit integers.

import { GASP_UNITS } from "./gasp";

export const HA_PRIORITY_RESIGN = 0; // never active
export const HA_PRIORITY_MAX = 255; // VRRP's range: 1..254 backups, 255 address owner
export const HA_UNIT_MAX = GASP_UNITS - 1; // unit ids are one byte in the gasp protocol

// ha_arbitrate results (values the host interprets; errors are E_ARG).
export const HA_LOCAL_LOSES = 0;
export const HA_LOCAL_WINS = 1;
