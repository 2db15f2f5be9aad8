// The seam between the role machine (role.ts) and the gasp protocol (host/gasp,
// docs/gasp-protocol.md): what a unit's HELLOs carry, and which role event an authenticated
// message from the peer is. HELLO and GASP share the message format; its identity block
// holds role, priority and epoch, which gasp_update rewrites before each gasp_hello.
//
//   role machine      gasp role byte
//   active            GASP_ROLE_ACTIVE   (a resign advert: ACTIVE with priority 0)
//   backup            GASP_ROLE_STANDBY
//   init/fault/fenced GASP_ROLE_NONE     (fault and fenced advertise priority 0)

import { GASP_ROLE_ACTIVE, GASP_ROLE_NONE, GASP_ROLE_STANDBY, GASP_TYPE_GASP, GASP_TYPE_HELLO, GASP_FLAG_SELF_FENCED } from "../../assembly/shared/gasp";
import type { GaspMessage } from "../gasp/repr";
import { Advert, Role, RoleEvent } from "./role";

/** (role, priority, epoch) for GaspSender.update before GaspSender.hello. */
export function helloFields(a: Advert): { role: number; priority: number; epoch: number } {
  const role = a.role === "active" ? GASP_ROLE_ACTIVE : a.role === "backup" ? GASP_ROLE_STANDBY : GASP_ROLE_NONE;
  return { role, priority: a.priority, epoch: a.epoch >>> 0 };
}

function roleOf(byte: number): Role {
  return byte === GASP_ROLE_ACTIVE ? "active" : byte === GASP_ROLE_STANDBY ? "backup" : "init";
}

/**
 * The role event for a message the gasp receiver accepted (authenticated, not replayed,
 * from the peer unit): a GASP is "gasp-accepted", a HELLO is "peer-advert". Null for types
 * this version does not know (receivers of a newer peer ignore them).
 */
export function roleEventFrom(m: Pick<GaspMessage, "type" | "unit" | "role" | "priority" | "epoch" | "flags">): RoleEvent | null {
  if (m.type === GASP_TYPE_GASP) {
    return { type: "gasp-accepted", peer: { unit: m.unit, priority: m.priority, epoch: m.epoch }, selfFenced: (m.flags & GASP_FLAG_SELF_FENCED) !== 0 };
  }
  if (m.type === GASP_TYPE_HELLO) {
    return { type: "peer-advert", peer: { role: roleOf(m.role), priority: m.priority, epoch: m.epoch, unit: m.unit } };
  }
  return null;
}
