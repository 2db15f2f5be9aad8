// Where a unit's gasp goes on each of its ports (GaspPortConfig per board port), from its own
// board and its peer's: a backplane port reaches the peer's backplane port of the same rank
// (a chassis pairs them so); every other port reaches the peer's front port. UDP needs an
// IPv4 address at both ends; without one the port sends raw only. Used by the virtual
// chassis and by a unit on real ports (host/board/crash.ts).

import { parseIPv4, parseMac } from "../util/addr";
import type { Board, BoardPort } from "../board/board";
import type { Encap, GaspPortConfig } from "./repr";

export interface GaspEncaps {
  backplane: Encap[];
  front: Encap[];
}

export const DEFAULT_GASP_ENCAPS: GaspEncaps = { backplane: ["raw"], front: ["raw", "udp"] };

const BROADCAST = parseMac("ff:ff:ff:ff:ff:ff");

function ipOf(p: BoardPort | undefined): Uint8Array | undefined {
  const a = p?.ipv4[0]?.split("/")[0];
  return a ? parseIPv4(a) : undefined;
}

/**
 * The gasp's ports. Without a peer board every port sends raw to the broadcast MAC (any
 * receiver on the segment authenticates it; UDP needs the peer's address).
 */
export function gaspPorts(board: Board, peer: Board | undefined, encaps: GaspEncaps = DEFAULT_GASP_ENCAPS): GaspPortConfig[] {
  if (!peer) return board.ports.map((p) => ({ ownMac: p.macBytes, peerMac: BROADCAST, encaps: ["raw"] }));
  const peerFront = peer.ports.find((p) => p.role === "front") ?? peer.ports[0];
  const ownBp = board.ports.filter((p) => p.role === "backplane");
  const peerBp = peer.ports.filter((p) => p.role === "backplane");
  return board.ports.map((p) => {
    const to = p.role === "backplane" ? (peerBp[ownBp.indexOf(p)] ?? peerFront) : peerFront;
    const ownIp = ipOf(p);
    const peerIp = ipOf(to);
    let e = p.role === "backplane" ? encaps.backplane : encaps.front;
    if (!ownIp || !peerIp) e = e.filter((x) => x !== "udp");
    if (!e.length) e = ["raw"];
    return { ownMac: p.macBytes, peerMac: to.macBytes, ownIp, peerIp, encaps: e };
  });
}
