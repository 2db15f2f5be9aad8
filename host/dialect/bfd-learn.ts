// Where the host learns a BFD session for the dialect: from the unit's own bfdd (FRR's
// `show bfd peers json`), which knows both discriminators, the detect multiplier and the
// intervals. The armed frame must never be stale — a peer matches a control packet on Your
// Discriminator and ignores one that names a session it no longer has (RFC 5880 §6.8.6;
// FRR re-creates a session with a new discriminator) — so the host compares what bfdd says
// now with what is armed and re-arms every session whose fields changed.

import type { BfdDialect } from "./dialect";
import { parseIPv4, parseIPv6, formatMac } from "../util/addr";

/** One session of FRR's `show bfd peers json` (the fields the dialect needs). */
export interface FrrBfdPeer {
  peer: string;
  local?: string;
  interface?: string;
  status: string;
  id: number;
  "remote-id": number;
  "detect-multiplier"?: number;
  "remote-detect-multiplier"?: number;
  "transmit-interval"?: number;
  "receive-interval"?: number;
  "echo-receive-interval"?: number;
}

export interface BfdLink {
  port: number;
  ownMac: Uint8Array;
  peerMac: Uint8Array;
  /** The session's UDP source port (the unit's bfdd picks one per session, 49152..65535). */
  srcPort: number;
  copies?: number;
}

const addr = (s: string) => (s.includes(":") ? parseIPv6(s) : parseIPv4(s));

/** The Down frame's fields for an Up session; null when it is not Up (nothing to signal). */
export function bfdDialectFrom(p: FrrBfdPeer, link: BfdLink): BfdDialect | null {
  if (p.status !== "up" || !p.local || !p.id || !p["remote-id"]) return null;
  return {
    kind: "bfd", port: link.port, copies: link.copies ?? 1, ownMac: link.ownMac, peerMac: link.peerMac,
    src: addr(p.local), dst: addr(p.peer), srcPort: link.srcPort, myDisc: p.id, yourDisc: p["remote-id"],
    detectMult: p["detect-multiplier"] ?? 3, desiredMinTxUs: (p["transmit-interval"] ?? 300) * 1000,
    requiredMinRxUs: (p["receive-interval"] ?? 300) * 1000, requiredMinEchoRxUs: (p["echo-receive-interval"] ?? 0) * 1000,
  };
}

/** A session's identity: the same peer, local address and link. */
export function sessionKey(p: FrrBfdPeer): string {
  return `${p.peer}|${p.local ?? ""}|${p.interface ?? ""}`;
}

/** What decides whether an armed frame is still right. */
function fingerprint(d: BfdDialect): string {
  return [d.myDisc, d.yourDisc, d.srcPort, d.detectMult, d.desiredMinTxUs, d.requiredMinRxUs, formatMac(d.ownMac), formatMac(d.peerMac), d.port].join("/");
}

/**
 * The sessions to re-arm: for each armed session (by key) whose fields differ now, the new
 * dialect; sessions no longer Up come back as null (disarm them: there is nothing to signal).
 */
export function bfdChanges(armed: Map<string, BfdDialect>, now: FrrBfdPeer[], link: (p: FrrBfdPeer) => BfdLink): Map<string, BfdDialect | null> {
  const out = new Map<string, BfdDialect | null>();
  for (const p of now) {
    const key = sessionKey(p);
    const d = bfdDialectFrom(p, link(p));
    const old = armed.get(key);
    if (!d) {
      if (old) out.set(key, null);
      continue;
    }
    if (!old || fingerprint(old) !== fingerprint(d)) out.set(key, d);
  }
  for (const key of armed.keys()) if (!now.some((p) => sessionKey(p) === key)) out.set(key, null);
  return out;
}
