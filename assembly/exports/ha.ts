// Exports of the HA subsystem: the split-brain arbitration the host's role machine asks
// (host/ha/role.ts). Contract as every export file: i32 in, i32 out, no memory touched.

import { arbitrate } from "../ha/arbitrate";

/**
 * Should the local unit be the active one against this peer? Epochs are unsigned 32-bit
 * (pass them as i32 bit patterns). Returns HA_LOCAL_WINS (1), HA_LOCAL_LOSES (0) or E_ARG.
 */
export function ha_arbitrate(localEpoch: i32, localPrio: i32, localUnit: i32, peerEpoch: i32, peerPrio: i32, peerUnit: i32): i32 {
  return arbitrate(<u32>localEpoch, localPrio, localUnit, <u32>peerEpoch, peerPrio, peerUnit);
}
