// An independent reading of the gasp protocol, written from docs/gasp-protocol.md with its
// own offsets (on purpose not importing assembly/shared/gasp.ts) and Node's OpenSSL HMAC, so
// that a wrong constant in the core cannot hide in both places. RefReceiver reproduces the
// documented check order and returns the status name the core must return.

import * as crypto from "crypto";
import { refChecksum } from "./ref-wire";

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const u64 = (b: Uint8Array, o: number) => (BigInt(u32(b, o)) << 32n) | BigInt(u32(b, o + 4));

export const REF_PORT = 19527;
export const REF_ETHERTYPE = 0x88b5;

export interface RefGasp {
  magic: number;
  version: number;
  type: number;
  chassis: number;
  unit: number;
  role: number;
  priority: number;
  keyId: number;
  boot: number;
  epoch: number;
  flags: number;
  cause: number;
  excerptLen: number;
  reserved: number;
  seq: bigint;
  pc: bigint;
  uptimeUs: bigint;
  vector: number;
  excerpt: Uint8Array;
  mac: Uint8Array;
  /** Bytes the MAC covers: everything before it. */
  covered: Uint8Array;
}

/** Reads a message laid out per the doc (no validation beyond having the bytes). */
export function refGasp(m: Uint8Array): RefGasp {
  const n = m[22];
  return {
    magic: u16(m, 0), version: m[2], type: m[3], chassis: u32(m, 4), unit: m[8], role: m[9], priority: m[10],
    keyId: m[11], boot: u32(m, 12), epoch: u32(m, 16), flags: m[20], cause: m[21], excerptLen: n, reserved: m[23],
    seq: u64(m, 24), pc: u64(m, 32), uptimeUs: u64(m, 40), vector: u32(m, 48),
    excerpt: m.slice(52, 52 + n), mac: m.slice(52 + n, 68 + n), covered: m.slice(0, 52 + n),
  };
}

export function refMac(key: Uint8Array, covered: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.createHmac("sha256", key).update(covered).digest().subarray(0, 16));
}

/** Where the message starts in a frame, per encapsulation; null when it is not one. */
export function refMessageOffset(f: Uint8Array): { off: number; encap: "raw" | "udp" } | null {
  let type = u16(f, 12);
  let off = 14;
  if (type === 0x8100) {
    type = u16(f, 16);
    off = 18;
  }
  if (type === REF_ETHERTYPE) return { off, encap: "raw" };
  if (type === 0x0800) return { off: off + (f[off] & 0xf) * 4 + 8, encap: "udp" };
  return null;
}

/** Recomputes the IPv4 header and UDP checksums of a UDP frame after a test edited it. */
export function refFixUdp(f: Uint8Array): void {
  const at = refMessageOffset(f);
  if (!at || at.encap !== "udp") throw new Error("not a UDP frame");
  const ip = u16(f, 12) === 0x8100 ? 18 : 14;
  const hl = (f[ip] & 0xf) * 4;
  f[ip + 10] = f[ip + 11] = 0;
  const ic = refChecksum([f.subarray(ip, ip + hl)]);
  f[ip + 10] = ic >> 8;
  f[ip + 11] = ic & 0xff;
  const u = ip + hl;
  const len = u16(f, u + 4);
  f[u + 6] = f[u + 7] = 0;
  const pseudo = Uint8Array.from([...f.subarray(ip + 12, ip + 20), 0, 17, len >> 8, len & 0xff]);
  let c = refChecksum([pseudo, f.subarray(u, u + len)]);
  if (c === 0) c = 0xffff;
  f[u + 6] = c >> 8;
  f[u + 7] = c & 0xff;
}

export interface RefRxConfig {
  chassis: number;
  ownUnit?: number;
  port?: number;
  raw?: boolean;
  udp?: boolean;
  /** key id -> key */
  keys: Map<number, Uint8Array>;
}

/** The receiver as the doc specifies it: verdict per frame, replay table per unit. */
export class RefReceiver {
  readonly highest = new Map<number, { boot: number; seq: bigint }>();
  constructor(readonly cfg: RefRxConfig) {}

  /** "accepted" (and the table moves on) or the E_GASP_* name the core must return. */
  verdict(f: Uint8Array): string {
    return this.check(f);
  }

  private classify(f: Uint8Array): { off: number; avail: number; exact: boolean } | string {
    const len = f.length;
    if (len < 14) return "E_GASP_TRUNCATED";
    let type = u16(f, 12);
    let off = 14;
    if (type === 0x8100) {
      if (len < 18) return "E_GASP_TRUNCATED";
      type = u16(f, 16);
      off = 18;
    }
    if (type === REF_ETHERTYPE) {
      if (this.cfg.raw === false) return "E_GASP_NOT_GASP";
      return { off, avail: len - off, exact: false };
    }
    if (type !== 0x0800 || this.cfg.udp === false) return "E_GASP_NOT_GASP";
    const ipAvail = len - off;
    if (ipAvail < 20) return "E_GASP_TRUNCATED";
    if (f[off] >> 4 !== 4) return "E_GASP_ENCAP";
    if (f[off + 9] !== 17) return "E_GASP_NOT_GASP";
    const hl = (f[off] & 0xf) * 4;
    if (hl < 20) return "E_GASP_ENCAP";
    if (hl > ipAvail) return "E_GASP_TRUNCATED";
    const total = u16(f, off + 2);
    if (total < hl + 8) return "E_GASP_ENCAP";
    if (total > ipAvail) return "E_GASP_TRUNCATED";
    if ((u16(f, off + 6) & 0x3fff) !== 0) return "E_GASP_ENCAP";
    const u = off + hl;
    if (u16(f, u + 2) !== (this.cfg.port ?? REF_PORT)) return "E_GASP_NOT_GASP";
    if (refChecksum([f.subarray(off, off + hl)]) !== 0) return "E_GASP_CHECKSUM";
    const ulen = u16(f, u + 4);
    if (ulen < 8 || ulen > total - hl) return "E_GASP_ENCAP";
    if (u16(f, u + 6) !== 0) {
      const pseudo = Uint8Array.from([...f.subarray(off + 12, off + 20), 0, 17, ulen >> 8, ulen & 0xff]);
      if (refChecksum([pseudo, f.subarray(u, u + ulen)]) !== 0) return "E_GASP_CHECKSUM";
    }
    return { off: u + 8, avail: ulen - 8, exact: true };
  }

  private check(f: Uint8Array): string {
    const c = this.classify(f);
    if (typeof c === "string") return c;
    const m = f.subarray(c.off, c.off + c.avail);
    const short = c.exact ? "E_GASP_LENGTH" : "E_GASP_TRUNCATED";
    if (m.length < 4) return short;
    if (u16(m, 0) !== 0x4c47) return "E_GASP_MAGIC";
    if (m[2] !== 1) return "E_GASP_VERSION";
    if (m[3] !== 1 && m[3] !== 2) return "E_GASP_TYPE";
    if (m.length < 52) return short;
    const n = m[22];
    if (n > 64) return "E_GASP_LENGTH";
    if (m.length < 68 + n) return short;
    if (c.exact && m.length !== 68 + n) return "E_GASP_LENGTH";
    const g = refGasp(m);
    const key = this.cfg.keys.get(g.keyId);
    if (!key) return "E_GASP_KEY_ID";
    if (g.chassis !== this.cfg.chassis >>> 0) return "E_GASP_CHASSIS";
    if (this.cfg.ownUnit !== undefined && g.unit === this.cfg.ownUnit) return "E_GASP_SELF";
    if (!Buffer.from(refMac(key, g.covered)).equals(Buffer.from(g.mac))) return "E_GASP_BAD_MAC";
    const h = this.highest.get(g.unit);
    if (h) {
      if (g.boot < h.boot || (g.boot === h.boot && g.seq < h.seq)) return "E_GASP_REPLAY";
      if (g.boot === h.boot && g.seq === h.seq) return "E_GASP_DUPLICATE";
    }
    this.highest.set(g.unit, { boot: g.boot, seq: g.seq });
    return "accepted";
  }
}
