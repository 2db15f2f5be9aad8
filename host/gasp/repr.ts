// Host-side types of the gasp reprs (assembly/shared/gasp.ts) and their readers/writers over
// the core's memory. Offsets come from the shared file only.

import * as G from "../../assembly/shared/gasp";
import { ETH_ALEN } from "../../assembly/shared/wire";

export type Encap = "raw" | "udp";

export const ENCAP_CODE: Record<Encap, number> = { raw: G.GASP_ENCAP_RAW, udp: G.GASP_ENCAP_UDP };
export const encapName = (code: number): Encap => (code === G.GASP_ENCAP_RAW ? "raw" : "udp");

/** One board port and the path to the peer through it. */
export interface GaspPortConfig {
  ownMac: Uint8Array;
  /** Destination MAC: the peer's on a backplane, the next hop's for routed UDP. */
  peerMac: Uint8Array;
  /** Needed when encaps includes "udp". */
  ownIp?: Uint8Array;
  peerIp?: Uint8Array;
  /** 802.1Q TCI (PCP/DEI/VID); absent = untagged. */
  vlanTci?: number;
  encaps: Encap[];
}

export interface GaspConfig {
  chassis: number;
  unit: number;
  role: number;
  priority: number;
  /** HMAC slot already holding the chassis key (hmac_set_key); its key id must be 0..255. */
  keySlot: number;
  /** Persisted and incremented before every arming (host/gasp/persist.ts nextBootCounter). */
  boot: number;
  epoch?: number;
  /** Copies of each frame the ring code sends (1..8). */
  copies: number;
  /** Default true: the gasp promises silence and the core refuses later hellos. */
  selfFence?: boolean;
  ttl?: number;
  tos?: number;
  udpPort?: number;
  ports: GaspPortConfig[];
}

export function writeConfig(m: Uint8Array, p: number, c: GaspConfig): void {
  const v = new DataView(m.buffer);
  m.fill(0, p, p + G.GASP_CFG_SIZE);
  v.setUint32(p + G.GASP_CFG_CHASSIS, c.chassis >>> 0, true);
  m[p + G.GASP_CFG_UNIT] = c.unit;
  m[p + G.GASP_CFG_ROLE] = c.role;
  m[p + G.GASP_CFG_PRIORITY] = c.priority;
  m[p + G.GASP_CFG_KEY_SLOT] = c.keySlot;
  v.setUint32(p + G.GASP_CFG_BOOT, c.boot >>> 0, true);
  v.setUint32(p + G.GASP_CFG_EPOCH, (c.epoch ?? 0) >>> 0, true);
  m[p + G.GASP_CFG_COPIES] = c.copies;
  m[p + G.GASP_CFG_PORT_COUNT] = c.ports.length;
  m[p + G.GASP_CFG_FLAGS] = c.selfFence === false ? 0 : G.GASP_CFGF_SELF_FENCE;
  m[p + G.GASP_CFG_TTL] = c.ttl ?? 0;
  m[p + G.GASP_CFG_TOS] = c.tos ?? G.GASP_IP_TOS_DEFAULT;
  v.setUint16(p + G.GASP_CFG_UDP_PORT, c.udpPort ?? 0, true);
  c.ports.slice(0, G.GASP_MAX_PORTS).forEach((port, i) => {
    const q = p + G.GASP_CFG_PORTS + i * G.GASP_CFG_PORT_SIZE;
    m.set(port.ownMac.subarray(0, ETH_ALEN), q + G.GASP_CP_OWN_MAC);
    m.set(port.peerMac.subarray(0, ETH_ALEN), q + G.GASP_CP_PEER_MAC);
    if (port.ownIp) m.set(port.ownIp.subarray(0, 4), q + G.GASP_CP_OWN_IP);
    if (port.peerIp) m.set(port.peerIp.subarray(0, 4), q + G.GASP_CP_PEER_IP);
    if (port.vlanTci !== undefined) {
      v.setUint16(q + G.GASP_CP_TCI, port.vlanTci, true);
      m[q + G.GASP_CP_TAGGED] = 1;
    }
    m[q + G.GASP_CP_ENCAPS] = port.encaps.reduce((bits, e) => bits | (1 << ENCAP_CODE[e]), 0);
  });
}

/** One ready-to-send frame of a result table. */
export interface GaspFrame {
  port: number;
  encap: Encap;
  copies: number;
  /** Address of the frame in the core's linear memory (the GASP region). */
  addr: number;
  bytes: Uint8Array;
}

export interface GaspBuilt {
  boot: number;
  seq: bigint;
  messageLength: number;
  copies: number;
  frames: GaspFrame[];
}

export function readResult(m: Uint8Array, p: number): GaspBuilt {
  const v = new DataView(m.buffer);
  const count = v.getUint32(p + G.GASP_RES_COUNT, true);
  const frames: GaspFrame[] = [];
  for (let i = 0; i < count; i++) {
    const e = p + G.GASP_RES_ENTRIES + i * G.GASP_RES_ENTRY_SIZE;
    const addr = v.getUint32(e + G.GASP_RE_ADDR, true);
    const len = v.getUint16(e + G.GASP_RE_LEN, true);
    frames.push({
      port: m[e + G.GASP_RE_PORT],
      encap: encapName(m[e + G.GASP_RE_ENCAP]),
      copies: v.getUint16(e + G.GASP_RE_COPIES, true),
      addr,
      bytes: m.slice(addr, addr + len),
    });
  }
  return {
    boot: v.getUint32(p + G.GASP_RES_BOOT, true),
    seq: (BigInt(v.getUint32(p + G.GASP_RES_SEQ_HI, true)) << 32n) | BigInt(v.getUint32(p + G.GASP_RES_SEQ_LO, true)),
    messageLength: v.getUint32(p + G.GASP_RES_MSG_LEN, true),
    copies: v.getUint32(p + G.GASP_RES_COPIES, true),
    frames,
  };
}

export interface GaspRxConfig {
  chassis: number;
  /** Messages from this unit are our own, looped back: refused (E_GASP_SELF). */
  ownUnit?: number;
  udpPort?: number;
  /** Default: both. */
  accept?: Encap[];
}

export function writeRxConfig(m: Uint8Array, p: number, c: GaspRxConfig): void {
  const v = new DataView(m.buffer);
  m.fill(0, p, p + G.GASP_RXC_SIZE);
  v.setUint32(p + G.GASP_RXC_CHASSIS, c.chassis >>> 0, true);
  v.setUint16(p + G.GASP_RXC_UDP_PORT, c.udpPort ?? 0, true);
  let flags = 0;
  if (c.ownUnit !== undefined) {
    m[p + G.GASP_RXC_OWN_UNIT] = c.ownUnit;
    flags |= G.GASP_RXF_HAS_OWN_UNIT;
  }
  for (const e of c.accept ?? ["raw", "udp"]) flags |= e === "raw" ? G.GASP_RXF_ACCEPT_RAW : G.GASP_RXF_ACCEPT_UDP;
  m[p + G.GASP_RXC_FLAGS] = flags;
}

/** A received, authenticated message (and how it arrived: not authenticated). */
export interface GaspMessage {
  type: number;
  unit: number;
  role: number;
  priority: number;
  chassis: number;
  boot: number;
  epoch: number;
  seq: bigint;
  pc: bigint;
  uptimeUs: bigint;
  vector: number;
  flags: number;
  cause: number;
  keyId: number;
  excerpt: Uint8Array;
  encap: Encap;
  vlanTci?: number;
  ethSrc: Uint8Array;
  ipSrc?: Uint8Array;
}

export function readMessage(m: Uint8Array, p: number): GaspMessage {
  const v = new DataView(m.buffer);
  const n = m[p + G.GASP_MR_EXCERPT_LEN];
  const encap = encapName(m[p + G.GASP_MR_ENCAP]);
  return {
    type: m[p + G.GASP_MR_TYPE],
    unit: m[p + G.GASP_MR_UNIT],
    role: m[p + G.GASP_MR_ROLE],
    priority: m[p + G.GASP_MR_PRIORITY],
    chassis: v.getUint32(p + G.GASP_MR_CHASSIS, true),
    boot: v.getUint32(p + G.GASP_MR_BOOT, true),
    epoch: v.getUint32(p + G.GASP_MR_EPOCH, true),
    seq: v.getBigUint64(p + G.GASP_MR_SEQ, true),
    pc: v.getBigUint64(p + G.GASP_MR_PC, true),
    uptimeUs: v.getBigUint64(p + G.GASP_MR_UPTIME, true),
    vector: v.getUint32(p + G.GASP_MR_VECTOR, true),
    flags: m[p + G.GASP_MR_FLAGS],
    cause: m[p + G.GASP_MR_CAUSE],
    keyId: m[p + G.GASP_MR_KEY_ID],
    excerpt: m.slice(p + G.GASP_MR_EXCERPT, p + G.GASP_MR_EXCERPT + n),
    encap,
    vlanTci: m[p + G.GASP_MR_TAGGED] ? v.getUint16(p + G.GASP_MR_TCI, true) : undefined,
    ethSrc: m.slice(p + G.GASP_MR_ETH_SRC, p + G.GASP_MR_ETH_SRC + ETH_ALEN),
    ipSrc: encap === "udp" ? m.slice(p + G.GASP_MR_IP_SRC, p + G.GASP_MR_IP_SRC + 4) : undefined,
  };
}
