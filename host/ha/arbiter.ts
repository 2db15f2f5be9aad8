// The split-brain decision, asked of the core (assembly/ha/arbitrate.ts, export
// ha_arbitrate): the rule lives where a board could run it. The order it implements is in
// assembly/shared/ha.ts and docs/failover.md.

import { Core } from "../core/core";
import { HA_LOCAL_WINS, HA_PRIORITY_MAX, HA_UNIT_MAX } from "../../assembly/shared/ha";

/** What a unit claims when it is (or wants to be) active. */
export interface Claim {
  /** Takeover epoch, unsigned 32-bit: raised by every takeover. */
  epoch: number;
  /** 0 (resigning, never active) .. 255. */
  priority: number;
  /** Unit id, 0..255 (one byte in the gasp protocol), unique in the chassis. */
  unit: number;
}

export type Arbitrate = (local: Claim, peer: Claim) => "local" | "peer";

export function validClaim(c: Claim): boolean {
  return (
    Number.isInteger(c.epoch) && c.epoch >= 0 && c.epoch <= 0xffffffff &&
    Number.isInteger(c.priority) && c.priority >= 0 && c.priority <= HA_PRIORITY_MAX &&
    Number.isInteger(c.unit) && c.unit >= 0 && c.unit <= HA_UNIT_MAX
  );
}

/** Arbitration through the core; a bad claim (or two equal unit ids) throws CoreError. */
export function coreArbiter(core: Core): Arbitrate {
  return (local, peer) =>
    core.call("ha_arbitrate", local.epoch | 0, local.priority, local.unit, peer.epoch | 0, peer.priority, peer.unit) === HA_LOCAL_WINS ? "local" : "peer";
}
