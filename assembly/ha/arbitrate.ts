// Split-brain arbitration: which of two units that both claim the active role keeps it.
// The order is documented in shared/ha.ts and docs/failover.md. Pure: no state, no memory.

import { E_ARG } from "../shared/status";
import { HA_PRIORITY_MAX, HA_PRIORITY_RESIGN, HA_UNIT_MAX, HA_LOCAL_WINS, HA_LOCAL_LOSES } from "../shared/ha";

function validPriority(p: i32): bool {
  return p >= 0 && p <= HA_PRIORITY_MAX;
}

function validUnit(u: i32): bool {
  return u >= 0 && u <= HA_UNIT_MAX;
}

/**
 * HA_LOCAL_WINS when the local unit should stay (or become) active against the peer,
 * HA_LOCAL_LOSES when it should step down, E_ARG on a priority or unit id out of range or
 * two units with the same id (no order exists between them). Both ineligible: both lose.
 */
export function arbitrate(localEpoch: u32, localPrio: i32, localUnit: i32, peerEpoch: u32, peerPrio: i32, peerUnit: i32): i32 {
  if (!validPriority(localPrio) || !validPriority(peerPrio)) return E_ARG;
  if (!validUnit(localUnit) || !validUnit(peerUnit) || localUnit == peerUnit) return E_ARG;
  if (localPrio == HA_PRIORITY_RESIGN) return HA_LOCAL_LOSES;
  if (peerPrio == HA_PRIORITY_RESIGN) return HA_LOCAL_WINS;
  if (localEpoch != peerEpoch) return localEpoch > peerEpoch ? HA_LOCAL_WINS : HA_LOCAL_LOSES;
  if (localPrio != peerPrio) return localPrio > peerPrio ? HA_LOCAL_WINS : HA_LOCAL_LOSES;
  return localUnit < peerUnit ? HA_LOCAL_WINS : HA_LOCAL_LOSES;
}
