// Typed wrapper over the dialect exports (assembly/exports/dialect.ts, docs/dialects.md): the
// VRRP, BFD and 802.3ah OAM frames a stock peer acts on at once, armed in the fault core at
// boot and sent by its fault entry after the gasp. Thin: every byte is the core's.
//
// Slot use: ABI slot 80 (the config repr) and 81..86 (a received OAMPDU, up to 1536 bytes)
// belong to this wrapper.

import { Core } from "../core/core";
import { CoreError } from "../core/status";
import * as D from "../../assembly/shared/dialect";
import { GASP_BASE } from "../../assembly/shared/memmap";
import { VRRP_AUTH_NONE, VRRP_AUTH_PASS } from "../../assembly/shared/wire";

const CFG = Core.slot(80);
const RX = Core.slot(81);
const RX_MAX = 6 * 256;

export type DialectKind = "vrrp" | "bfd" | "oam";
export const KIND_CODE: Record<DialectKind, number> = { vrrp: D.DIALECT_VRRP, bfd: D.DIALECT_BFD, oam: D.DIALECT_OAM };
export const kindName = (code: number): DialectKind => (code === D.DIALECT_VRRP ? "vrrp" : code === D.DIALECT_BFD ? "bfd" : "oam");

interface Common {
  /** Board port (one of the gasp's ports). */
  port: number;
  /** Copies, sent back to back (1..8). */
  copies: number;
  /** 802.1Q TCI; absent = untagged (OAM is never tagged). */
  vlanTci?: number;
}

export interface VrrpDialect extends Common {
  kind: "vrrp";
  version: 2 | 3;
  vrid: number;
  /** 0 (the dialect); anything else only for diagnosis: a backup falls back to its full timer. */
  priority?: number;
  /** The master's interface address (IPv6: its link-local address, RFC 5798 §5.1.2.1). */
  src: Uint8Array;
  /** The virtual addresses, one family (1..8). */
  addrs: Uint8Array[];
  /** v2: seconds (1..255); v3: centiseconds (1..4095). The backup drops a v2 advert whose interval differs from its own. */
  interval: number;
  /** v2 simple password (keepalived auth_type PASS), at most 8 bytes. */
  password?: Uint8Array;
}

export interface BfdDialect extends Common {
  kind: "bfd";
  ownMac: Uint8Array;
  peerMac: Uint8Array;
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  myDisc: number;
  yourDisc: number;
  detectMult: number;
  /** RFC 5880 diag; default 4, forwarding plane reset. Never state AdminDown. */
  diag?: number;
  desiredMinTxUs: number;
  requiredMinRxUs: number;
  requiredMinEchoRxUs?: number;
  multihop?: boolean;
}

export interface OamDialect extends Common {
  kind: "oam";
  ownMac: Uint8Array;
  /** Our Local Information TLV. */
  oamConfig?: number;
  state?: number;
  pduConfig?: number;
  revision?: number;
  oui?: Uint8Array;
  vendor?: Uint8Array;
}

export type Dialect = VrrpDialect | BfdDialect | OamDialect;

export const BFD_DIAG_FORWARDING_PLANE_RESET = 4;

function family(a: Uint8Array): 4 | 6 {
  return a.length === 16 ? 6 : 4;
}

/** Writes a dialect's config repr (shared/dialect.ts DC_*) at p. */
export function writeDialect(m: Uint8Array, p: number, d: Dialect): void {
  const v = new DataView(m.buffer);
  m.fill(0, p, p + 256);
  m[p + D.DC_PORT] = d.port;
  m[p + D.DC_COPIES] = d.copies;
  if (d.vlanTci !== undefined) {
    v.setUint16(p + D.DC_TCI, d.vlanTci, true);
    m[p + D.DC_TAGGED] = 1;
  }
  switch (d.kind) {
    case "vrrp": {
      m[p + D.DC_FAMILY] = family(d.src);
      m[p + D.DCV_VERSION] = d.version;
      m[p + D.DCV_VRID] = d.vrid;
      m[p + D.DCV_PRIORITY] = d.priority ?? 0;
      m[p + D.DCV_COUNT] = d.addrs.length;
      v.setUint16(p + D.DCV_INTERVAL, d.interval, true);
      m[p + D.DCV_AUTH_TYPE] = d.password ? VRRP_AUTH_PASS : VRRP_AUTH_NONE;
      if (d.password) m.set(d.password.subarray(0, 8), p + D.DCV_AUTH);
      m.set(d.src, p + D.DCV_SRC);
      d.addrs.slice(0, D.DIALECT_VRRP_MAX_ADDRS).forEach((a, i) => m.set(a, p + D.DCV_ADDRS + 16 * i));
      return;
    }
    case "bfd": {
      m[p + D.DC_FAMILY] = family(d.src);
      m[p + D.DC_FLAGS] = d.multihop ? D.DCF_BFD_MULTIHOP : 0;
      m.set(d.ownMac, p + D.DC_OWN_MAC);
      m[p + D.DCB_DIAG] = d.diag ?? BFD_DIAG_FORWARDING_PLANE_RESET;
      m[p + D.DCB_DETECT_MULT] = d.detectMult;
      v.setUint16(p + D.DCB_SRC_PORT, d.srcPort, true);
      v.setUint32(p + D.DCB_MY_DISC, d.myDisc >>> 0, true);
      v.setUint32(p + D.DCB_YOUR_DISC, d.yourDisc >>> 0, true);
      v.setUint32(p + D.DCB_DESIRED_MIN_TX, d.desiredMinTxUs >>> 0, true);
      v.setUint32(p + D.DCB_REQUIRED_MIN_RX, d.requiredMinRxUs >>> 0, true);
      v.setUint32(p + D.DCB_REQUIRED_MIN_ECHO_RX, (d.requiredMinEchoRxUs ?? 0) >>> 0, true);
      m.set(d.peerMac, p + D.DCB_PEER_MAC);
      m.set(d.src, p + D.DCB_SRC);
      m.set(d.dst, p + D.DCB_DST);
      return;
    }
    case "oam": {
      m.set(d.ownMac, p + D.DC_OWN_MAC);
      m[p + D.DCO_CONFIG] = d.oamConfig ?? 0x00;
      m[p + D.DCO_STATE] = d.state ?? 0x00;
      v.setUint16(p + D.DCO_PDU_CONFIG, d.pduConfig ?? 1518, true);
      v.setUint16(p + D.DCO_REVISION, d.revision ?? 1, true);
      if (d.oui) m.set(d.oui.subarray(0, 3), p + D.DCO_OUI);
      if (d.vendor) m.set(d.vendor.subarray(0, 4), p + D.DCO_VENDOR);
      return;
    }
  }
}

export interface DialectFrame {
  index: number;
  kind: DialectKind;
  port: number;
  copies: number;
  bytes: Uint8Array;
}

/** The fault core's dialects: arm at boot, re-arm when the peer's view changes. */
export class Dialects {
  constructor(readonly core: Core) {}

  /** Arms one frame; its slot index. Throws CoreError (E_DIALECT_CONFIG, E_DIALECT_RING...). */
  arm(d: Dialect): number {
    writeDialect(this.core.bytes, CFG, d);
    return this.core.call("dialect_arm", KIND_CODE[d.kind], CFG);
  }

  /** Rebuilds slot index (same kind): a BFD session's discriminators or port changed. */
  rearm(index: number, d: Dialect): number {
    writeDialect(this.core.bytes, CFG, d);
    return this.core.call("dialect_rearm", index, KIND_CODE[d.kind], CFG);
  }

  disarm(index: number): void {
    this.core.call("dialect_disarm", index);
  }

  clear(): void {
    this.core.call("dialect_clear");
  }

  /** A received OAMPDU for slot index: true when the armed frame now echoes a new TLV. */
  learnOam(index: number, frame: Uint8Array): boolean {
    if (frame.length > RX_MAX) throw new RangeError(`frame of ${frame.length} bytes exceeds ${RX_MAX}`);
    this.core.write(RX, frame);
    return this.core.call("dialect_oam_learn", index, RX, frame.length) === 1;
  }

  /** Drops carrier on these ports last, drainUs after their frames were confirmed. */
  carrier(ports: number[], drainUs = D.DIALECT_CARRIER_DRAIN_DEFAULT_US): void {
    this.core.call("dialect_carrier", ports.reduce((m, p) => m | (1 << p), 0), drainUs);
  }

  info(index: number, field: number): number {
    return this.core.exports.dialect_info(index, field);
  }

  /** Every armed frame as it would leave now (as the fault entry copies it). */
  frames(): DialectFrame[] {
    const out: DialectFrame[] = [];
    const n = this.info(-1, D.DINFO_COUNT);
    for (let i = 0; i < n; i++) {
      if (this.info(i, D.DINFO_ARMED) !== 1) continue;
      const addr = this.info(i, D.DINFO_ADDR);
      out.push({
        index: i, kind: kindName(this.info(i, D.DINFO_KIND)), port: this.info(i, D.DINFO_PORT), copies: this.info(i, D.DINFO_COPIES),
        bytes: this.core.bytes.slice(addr, addr + this.info(i, D.DINFO_LEN)),
      });
    }
    return out;
  }

  /** dialect_fire(cause): the per-cause bytes patched, the table published (what fault_fire does). */
  fire(cause: number): DialectFrame[] {
    const rc = this.core.exports.dialect_fire(cause);
    if (rc < 0) throw new CoreError("dialect_fire", rc);
    return this.frames();
  }

  /** The table in the GASP region (host view of what the fault entry sends). */
  tableAddress(): number {
    return GASP_BASE + D.DIALECT_REG_TABLE;
  }
}
