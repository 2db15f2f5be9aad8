// A board file's dialects (boards/schema.json "dialects", docs/dialects.md) as the fault core
// arms them: VRRP adverts with the port's address (IPv6: the link-local address its MAC
// gives, EUI-64) as source, OAM on the port, BFD sessions with static discriminators (a
// session whose discriminators the host learns from the unit's bfdd is armed when it is
// learned: bfd-learn.ts), and the carrier drop's ports.

import type { Board, BoardBfdSession } from "../board/board";
import type { Dialect, BfdDialect } from "./dialect";
import { parseIPv4, parseIPv6, parseMac } from "../util/addr";
import { DIALECT_CARRIER_DRAIN_DEFAULT_US } from "../../assembly/shared/dialect";

const addr = (s: string) => (s.includes(":") ? parseIPv6(s) : parseIPv4(s));

/** fe80::/64 with the modified EUI-64 interface id of mac (RFC 4291 appendix A). */
export function linkLocalFromMac(mac: Uint8Array): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0xfe;
  a[1] = 0x80;
  a.set([mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]], 8);
  return a;
}

/** VRRP's v3 interval in centiseconds, v2's in seconds, from keepalived's advert_int. */
export function vrrpInterval(version: 2 | 3, advertInt = 1): number {
  return version === 2 ? Math.round(advertInt) : Math.round(advertInt * 100);
}

/** The session's local address: given, or the port's first of the peer's family. */
export function bfdLocal(board: Board, s: BoardBfdSession): string | undefined {
  if (s.local) return s.local;
  const p = board.ports.find((x) => x.name === s.port);
  const v6 = s.peer.includes(":");
  return (v6 ? p?.ipv6 : p?.ipv4)?.[0]?.split("/")[0];
}

export function bfdFromBoard(board: Board, s: BoardBfdSession, i: number, disc?: { myDisc: number; yourDisc: number }): BfdDialect {
  const port = board.ports.findIndex((x) => x.name === s.port);
  return {
    kind: "bfd", port, copies: 1, ownMac: board.ports[port].macBytes, peerMac: parseMac(s.peerMac), src: addr(bfdLocal(board, s)!), dst: addr(s.peer),
    srcPort: s.srcPort ?? 49152 + i, myDisc: disc?.myDisc ?? s.myDisc ?? 0, yourDisc: disc?.yourDisc ?? s.yourDisc ?? 0,
    detectMult: s.detectMult ?? 3, diag: s.diag, desiredMinTxUs: (s.intervalMs ?? 300) * 1000, requiredMinRxUs: (s.intervalMs ?? 300) * 1000, multihop: s.multihop,
  };
}

/** What the fault core arms at boot from the board (BFD: only sessions with static discriminators). */
export function boardDialects(board: Board): Dialect[] {
  const out: Dialect[] = [];
  const portOf = (name: string) => board.ports.findIndex((p) => p.name === name);
  for (const v of board.dialects.vrrp ?? []) {
    const port = portOf(v.port);
    const version = v.version ?? 3;
    const v6 = v.vips[0].includes(":");
    const p = board.ports[port];
    const src = v.source ? addr(v.source) : v6 ? linkLocalFromMac(p.macBytes) : parseIPv4(p.ipv4[0].split("/")[0]);
    out.push({
      kind: "vrrp", port, copies: v.copies ?? 3, version, vrid: v.vrid, src, addrs: v.vips.map(addr), interval: vrrpInterval(version, v.advertInt),
      password: v.password === undefined ? undefined : new TextEncoder().encode(v.password),
    });
  }
  const bfd = board.dialects.bfd;
  if (bfd && (bfd.learn ?? "frr") === "static") bfd.sessions.forEach((s, i) => out.push(bfdFromBoard(board, s, i)));
  for (const o of board.dialects.oam ?? []) out.push({ kind: "oam", port: portOf(o.port), copies: 1, ownMac: board.ports[portOf(o.port)].macBytes });
  return out;
}

export function boardCarrierDrop(board: Board): { ports: number[]; drainUs: number } | null {
  const c = board.dialects.carrierDrop;
  if (!c?.ports.length) return null;
  return { ports: c.ports.map((n) => board.ports.findIndex((p) => p.name === n)), drainUs: c.drainUs ?? DIALECT_CARRIER_DRAIN_DEFAULT_US };
}

/** Descriptors the board's dialects put on each port's fault ring (copies). */
export function dialectDescriptors(raw: { dialects?: Board["dialects"] }, port: string): number {
  const d = raw.dialects ?? {};
  return (d.vrrp ?? []).filter((v) => v.port === port).reduce((a, v) => a + (v.copies ?? 3), 0)
    + (d.bfd?.sessions ?? []).filter((s) => s.port === port).length
    + (d.oam ?? []).filter((o) => o.port === port).length;
}
