// The switching path's forwarding logic written again in plain TypeScript, for
// bench/switch.bench.ts and bench/engine.bench.ts to measure side by side with the core. The
// same pipeline and the same data structures as assembly/switch/: the connection table's
// bucket layout byte for byte (a signature line of 16-bit signatures, services, flags and
// ticks, then entries three to a line; two candidate buckets of 8 ways), the same hashes, the
// same insert and eviction rules, the same RFC 1624 updates, and the same batch pipeline
// (stage: parse and plan every frame; look ahead: read the batch's signature lines, then its
// entry lines; then decide frame by frame) — in the form that is fast in JavaScript: typed
// arrays over one buffer, Math.imul, no allocation per packet.
//
// Header offsets are written as literals, as a hand-optimised JavaScript forwarder would;
// test/switch-reference.test.ts holds this file to the core's behaviour byte for byte.
//
// Scope: what the benchmarks exercise — Ethernet/802.1Q, IPv4 (options, fragment test),
// IPv6 (fixed header), TCP/UDP, the CP-address and service checks, the connection table
// (find, insert, expiry, eviction), the load-distribution pick and the MAC/NAT rewrite.
// RST answers, punting, fragment tracking and reverse NAT are not on the measured path and
// are not re-implemented (such packets get a "drop" here).

export const V_FORWARD = 1;
export const V_DROP = 4;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const step = (acc: number, w: number) => Math.imul(rotl((acc + Math.imul(w, 0x85ebca77)) | 0, 13), 0x9e3779b1);
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface RefService {
  family: 4 | 6;
  proto: number;
  port: number;
  vip: Uint8Array; // 4 or 16 bytes
  nat: boolean;
}

export interface RefBackend {
  up: boolean;
  mac: Uint8Array;
  addr: Uint8Array; // IPv4 for NAT
  port: number;
  txPort: number;
}

const STAGE = 64; // frames staged at once (the core's SW_STAGE_MAX)
/** Byte offset of way w's entry in its bucket: line 1 + w / 3, 20 bytes per way. */
const ENTRY = [64, 84, 104, 128, 148, 168, 192, 212];

export class SwitchReference {
  // connection table: the core's layout, 256-byte buckets of 8 ways, 32 bytes per entry
  private readonly t8: Uint8Array;
  private readonly t16: Uint16Array;
  private readonly t32: Uint32Array;
  private readonly mask: number;
  // the stage: one slot per frame of a batch (structure of arrays)
  private readonly sVerdict = new Int32Array(STAGE); // 0: go on to the connection; else the verdict
  private readonly sAt = new Int32Array(STAGE);
  private readonly sLen = new Int32Array(STAGE);
  private readonly sFamily = new Uint8Array(STAGE);
  private readonly sProto = new Uint8Array(STAGE);
  private readonly sSrc = new Int32Array(STAGE);
  private readonly sL3 = new Int32Array(STAGE);
  private readonly sL4 = new Int32Array(STAGE);
  private readonly sSport = new Uint16Array(STAGE);
  private readonly sFlags = new Uint8Array(STAGE);
  private readonly sSvc = new Int32Array(STAGE);
  private readonly sHash = new Uint32Array(STAGE);
  private readonly sB1 = new Int32Array(STAGE); // bucket byte offsets
  private readonly sB2 = new Int32Array(STAGE);
  private readonly sSig = new Uint16Array(STAGE);
  private readonly services: RefService[] = [];
  private readonly svcHash: number[] = [];
  private readonly svcVip32: number[] = [];
  private readonly backends: RefBackend[] = [];
  private readonly backendAddr32: number[] = [];
  private readonly portMacs: Uint8Array[] = [];
  private readonly cp32: number[] = [];
  private table = new Uint16Array(0);
  private tableOff: number[] = [];
  private tableSize: number[] = [];
  now = 0;
  tcpTimeout = 900_000;
  udpTimeout = 300_000;
  live = 0;
  evicted = 0;
  /** What the look-ahead read (kept, so that no engine drops the loads). */
  lookahead = 0;

  constructor(readonly capacity: number, private readonly seed: number) {
    const buf = new ArrayBuffer(capacity * 32);
    this.t8 = new Uint8Array(buf);
    this.t16 = new Uint16Array(buf);
    this.t32 = new Uint32Array(buf);
    this.mask = capacity / 8 - 1;
  }

  setPort(port: number, mac: Uint8Array) {
    this.portMacs[port] = mac;
  }

  addCp(addr4: Uint8Array) {
    this.cp32.push(new DataView(addr4.buffer, addr4.byteOffset).getInt32(0, true));
  }

  setService(i: number, s: RefService) {
    this.services[i] = s;
    this.svcVip32[i] = new DataView(s.vip.buffer, s.vip.byteOffset).getInt32(0, true);
    let h = this.hashAddr(0x2545f491, s.vip, 0, s.family);
    h = step(h, s.proto | (s.port << 8));
    this.svcHash[i] = fmix(h);
  }

  setBackend(i: number, b: RefBackend) {
    this.backends[i] = b;
    this.backendAddr32[i] = new DataView(b.addr.buffer, b.addr.byteOffset).getInt32(0, true);
  }

  /** Per-service tables, concatenated (as the core's A/B table). */
  setTables(tables: Map<number, ArrayLike<number>>) {
    const total = [...tables.values()].reduce((n, t) => n + t.length, 0);
    const slots = new Uint16Array(total);
    let off = 0;
    this.tableOff = [];
    this.tableSize = [];
    for (const [svc, t] of tables) {
      slots.set(t, off);
      this.tableOff[svc] = off;
      this.tableSize[svc] = t.length;
      off += t.length;
    }
    this.table = slots;
  }

  private hashAddr(acc: number, b: Uint8Array, at: number, family: number): number {
    const words = family === 6 ? 4 : 1;
    for (let k = 0; k < words; k++) {
      const o = at + 4 * k;
      acc = step(acc, b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
    }
    return acc;
  }

  /** Processes one frame in place; returns (action << 24) | (port << 16) | length. */
  packet(buf: Uint8Array, at: number, len: number): number {
    this.stage(0, buf, at, len);
    return this.decide(0, buf);
  }

  /**
   * The batch pipeline, stage: parse the frame at buf[at, at+len) into stage slot k, decide
   * what does not need the connection table, and plan its lookup (buckets, signature).
   */
  stage(k: number, buf: Uint8Array, at: number, len: number): void {
    this.sVerdict[k] = V_DROP << 24;
    this.sB1[k] = -1;
    if (len < 14) return;
    let type = (buf[at + 12] << 8) | buf[at + 13];
    let l3 = at + 14;
    if (type === 0x8100) {
      if (len < 18) return;
      type = (buf[at + 16] << 8) | buf[at + 17];
      l3 += 4;
    }
    const end0 = at + len;
    let family: number, proto: number, l4: number, end: number, src: number, dst: number;
    if (type === 0x0800) {
      if (end0 - l3 < 20) return;
      const vi = buf[l3];
      if (vi >> 4 !== 4) return;
      const hl = (vi & 0xf) << 2;
      const total = (buf[l3 + 2] << 8) | buf[l3 + 3];
      if (hl < 20 || total < hl || total > end0 - l3) return;
      if (((buf[l3 + 6] << 8) | buf[l3 + 7]) & 0x3fff) return; // fragments: not re-implemented
      family = 4;
      proto = buf[l3 + 9];
      src = l3 + 12;
      dst = l3 + 16;
      l4 = l3 + hl;
      end = l3 + total;
    } else if (type === 0x86dd) {
      if (end0 - l3 < 40 || buf[l3] >> 4 !== 6) return;
      const pl = (buf[l3 + 4] << 8) | buf[l3 + 5];
      if (pl > end0 - l3 - 40) return;
      family = 6;
      proto = buf[l3 + 6];
      src = l3 + 8;
      dst = l3 + 24;
      l4 = l3 + 40;
      end = l4 + pl;
    } else return;
    let tcpFlags = 0;
    if (proto === 6) {
      if (end - l4 < 20) return;
      const thl = (buf[l4 + 12] >> 4) << 2;
      if (thl < 20 || thl > end - l4) return;
      tcpFlags = buf[l4 + 13];
    } else if (proto === 17) {
      if (end - l4 < 8) return;
    } else return;
    const sport = (buf[l4] << 8) | buf[l4 + 1];
    const dport = (buf[l4 + 2] << 8) | buf[l4 + 3];
    const dst32 = buf[dst] | (buf[dst + 1] << 8) | (buf[dst + 2] << 16) | (buf[dst + 3] << 24);
    if (family === 4) for (let i = 0; i < this.cp32.length; i++) if (this.cp32[i] === dst32) {
      this.sVerdict[k] = (3 << 24) | len;
      return;
    }
    if (family === 4 ? buf[src] >= 224 || buf[dst] >= 224 : buf[src] === 0xff || buf[dst] === 0xff) return;
    let svc = -1;
    for (let i = 0; i < this.services.length; i++) {
      const s = this.services[i];
      if (s.family === family && s.proto === proto && s.port === dport && this.svcVip32[i] === dst32 && (family === 4 || this.eq16(buf, dst, s.vip))) {
        svc = i;
        break;
      }
    }
    if (svc < 0) return;
    const h = fmix(step(this.hashAddr(this.seed, buf, src, family), sport | (proto << 16) | (family << 24)));
    const alt = fmix(h ^ 0x6a09e667);
    const b1 = h & this.mask;
    let b2 = (alt >>> 8) & this.mask;
    if (b2 === b1) b2 = b1 ^ 1;
    this.sVerdict[k] = 0;
    this.sAt[k] = at;
    this.sLen[k] = len;
    this.sFamily[k] = family;
    this.sProto[k] = proto;
    this.sSrc[k] = src;
    this.sL3[k] = l3;
    this.sL4[k] = l4;
    this.sSport[k] = sport;
    this.sFlags[k] = tcpFlags;
    this.sSvc[k] = svc;
    this.sHash[k] = h;
    this.sB1[k] = b1 << 8;
    this.sB2[k] = b2 << 8;
    this.sSig[k] = (((h >>> 16) & 0xff00) | (alt & 0xff)) || 1;
  }

  /** The batch pipeline, stage: slot k holds no frame (nothing to look up). */
  stageNothing(k: number): void {
    this.sB1[k] = -1;
  }

  /** The first way of the bucket at byte offset b whose signature is s, or -1. */
  private way(b: number, s: number): number {
    const t16 = this.t16;
    const i = b >> 1;
    for (let w = 0; w < 8; w++) if (t16[i + w] === s) return w;
    return -1;
  }

  /**
   * The batch pipeline, look ahead over stage slots [0, n): every planned lookup's first
   * signature line; then the entry line its signature names there, or else its second
   * bucket's signature line; then the entry lines of the second buckets.
   */
  lookAhead(n: number): void {
    const t32 = this.t32;
    let acc = 0;
    for (let k = 0; k < n; k++) if (this.sB1[k] >= 0) acc ^= t32[this.sB1[k] >> 2];
    let second = 0;
    for (let k = 0; k < n; k++) {
      const b1 = this.sB1[k];
      if (b1 < 0) continue;
      const w = this.way(b1, this.sSig[k]);
      if (w >= 0) acc ^= t32[(b1 + ENTRY[w]) >> 2];
      else {
        acc ^= t32[this.sB2[k] >> 2];
        second++;
      }
    }
    if (second > 0) {
      for (let k = 0; k < n; k++) {
        const b1 = this.sB1[k];
        if (b1 < 0 || this.way(b1, this.sSig[k]) >= 0) continue;
        const w = this.way(this.sB2[k], this.sSig[k]);
        if (w >= 0) acc ^= t32[(this.sB2[k] + ENTRY[w]) >> 2];
      }
    }
    this.lookahead = acc;
  }

  /** The batch pipeline, decide: stage slot k's frame (in buf), through the connection table and rewritten. */
  decide(k: number, buf: Uint8Array): number {
    const v = this.sVerdict[k];
    if (v !== 0) return v;
    return this.toBackend(buf, k);
  }

  private eq16(buf: Uint8Array, at: number, v: Uint8Array): boolean {
    for (let i = 0; i < 16; i++) if (buf[at + i] !== v[i]) return false;
    return true;
  }

  /** The bucket byte offset and way of the connection, as (b << 3) | w, or -1. */
  private find(buf: Uint8Array, k: number): number {
    const { t8, t16, t32 } = this;
    const s = this.sSig[k], svc = this.sSvc[k], sport = this.sSport[k], src = this.sSrc[k];
    const v6 = this.sFamily[k] === 6 ? 1 : 0;
    const words = v6 ? 4 : 1;
    for (let i = 0, b = this.sB1[k]; i < 2; i++, b = this.sB2[k]) {
      const si = b >> 1;
      for (let w = 0; w < 8; w++) {
        if (t16[si + w] !== s || t8[b + 16 + w] !== svc || (t8[b + 24 + w] & 1) !== v6) continue;
        const e = b + ENTRY[w];
        if (t16[(e + 16) >> 1] !== sport) continue;
        let same = true;
        for (let q = 0; q < words; q++) {
          const o = src + 4 * q;
          if (t32[(e >> 2) + q] !== ((buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16) | (buf[o + 3] << 24)) >>> 0)) same = false;
        }
        if (same) return (b << 3) | w;
      }
    }
    return -1;
  }

  private toBackend(buf: Uint8Array, k: number): number {
    const { t8, t16, t32 } = this;
    const at = this.sAt[k], len = this.sLen[k], svc = this.sSvc[k], h = this.sHash[k];
    const family = this.sFamily[k], proto = this.sProto[k], src = this.sSrc[k], sport = this.sSport[k];
    const tcpFlags = proto === 6 ? this.sFlags[k] : 0;
    let c = this.find(buf, k);
    const now = this.now;
    let be = -1;
    if (c >= 0) {
      const b = c >> 3, w = c & 7;
      const f = t8[b + 24 + w];
      if (((now - t32[(b >> 2) + 8 + w]) | 0) > this.timeout(f)) {
        // expired: reused in place
      } else if ((tcpFlags & 0x12) === 0x02 && (f & 0x1c)) {
        // a SYN on a closed or closing entry: a new connection
      } else {
        be = t16[(b + ENTRY[w] + 18) >> 1];
        if (!this.backends[be].up) {
          be = this.pick(svc, h);
          if (be < 0) return V_DROP << 24;
          t16[(b + ENTRY[w] + 18) >> 1] = be;
        }
      }
    }
    if (be < 0) {
      be = this.pick(svc, h);
      if (be < 0) return V_DROP << 24;
      if (c < 0 && !(tcpFlags & 4)) c = this.insert(k, now);
      if (c >= 0) {
        const b = c >> 3, w = c & 7;
        const e = b + ENTRY[w];
        t8[b + 16 + w] = svc;
        t8[b + 24 + w] = (family === 6 ? 1 : 0) | (proto === 17 ? 0x20 : 0);
        const words = family === 6 ? 4 : 1;
        for (let q = 0; q < 4; q++) {
          const o = src + 4 * q;
          t32[(e >> 2) + q] = q < words ? buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16) | (buf[o + 3] << 24) : 0;
        }
        t16[(e + 16) >> 1] = sport;
        t16[(e + 18) >> 1] = be;
      }
    }
    if (c >= 0) {
      const b = c >> 3, w = c & 7;
      t32[(b >> 2) + 8 + w] = now;
      if (proto === 6) {
        let f = t8[b + 24 + w];
        if (tcpFlags & 4) f |= 0x10;
        if (tcpFlags & 1) f |= 0x04;
        if (!(tcpFlags & 2)) f |= 0x02;
        t8[b + 24 + w] = f;
      }
    }
    const bk = this.backends[be];
    const mac = bk.mac;
    const pm = this.portMacs[bk.txPort];
    for (let i = 0; i < 6; i++) {
      buf[at + i] = mac[i];
      buf[at + 6 + i] = pm[i];
    }
    if (this.services[svc].nat) this.nat(buf, this.sL3[k], this.sL4[k], proto, bk, this.services[svc].port);
    return (V_FORWARD << 24) | (bk.txPort << 16) | len;
  }

  private timeout(f: number): number {
    if (f & 0x10) return 10_000;
    if (f & 0x0c) return 120_000;
    if (f & 0x20) return this.udpTimeout;
    return f & 0x02 ? this.tcpTimeout : 60_000;
  }

  private pick(svc: number, h: number): number {
    const size = this.tableSize[svc];
    if (!size) return -1;
    const off = this.tableOff[svc];
    let slot = fmix(h ^ this.svcHash[svc]) % size;
    for (let k = 0; k < 8; k++) {
      const b = this.table[off + slot];
      if (this.backends[b]?.up) return b;
      slot = slot + 1 === size ? 0 : slot + 1;
    }
    return -1;
  }

  /** A way for stage slot k's new connection, signed and stamped ((b << 3) | w), or -1: never (policy evict). */
  private insert(k: number, now: number): number {
    const { t8, t16, t32 } = this;
    const b1 = this.sB1[k], b2 = this.sB2[k];
    let f1 = 0, f2 = 0;
    for (let w = 0; w < 8; w++) {
      if (t16[(b1 >> 1) + w] === 0) f1++;
      if (t16[(b2 >> 1) + w] === 0) f2++;
    }
    let c = -1;
    if (f1 > 0 || f2 > 0) {
      const b = f1 >= f2 ? b1 : b2;
      c = (b << 3) | this.way(b, 0);
      this.live++;
    } else {
      let oldest = -1, age = -1;
      for (let i = 0, b = b1; i < 2 && c < 0; i++, b = b2) {
        for (let w = 0; w < 8; w++) {
          const a = (now - t32[(b >> 2) + 8 + w]) | 0;
          if (a > this.timeout(t8[b + 24 + w])) {
            c = (b << 3) | w;
            break;
          }
          if (oldest < 0 || a > age) {
            oldest = (b << 3) | w;
            age = a;
          }
        }
      }
      if (c < 0) {
        c = oldest;
        this.evicted++;
      }
    }
    const b = c >> 3, w = c & 7;
    t16[(b >> 1) + w] = this.sSig[k];
    t8[b + 16 + w] = 0;
    t8[b + 24 + w] = 0;
    t32[(b >> 2) + 8 + w] = now;
    t8.fill(0, b + ENTRY[w], b + ENTRY[w] + 20);
    return c;
  }

  /** RFC 1624 eqn. 3 for one 16-bit word. */
  private static upd(hc: number, m: number, m2: number): number {
    let s = (~hc & 0xffff) + (~m & 0xffff) + (m2 & 0xffff);
    s = (s & 0xffff) + (s >>> 16);
    s = (s & 0xffff) + (s >>> 16);
    return ~s & 0xffff;
  }

  private nat(buf: Uint8Array, l3: number, l4: number, proto: number, b: RefBackend, svcPort: number): void {
    const d = l3 + 16;
    const oldHi = (buf[d] << 8) | buf[d + 1];
    const oldLo = (buf[d + 2] << 8) | buf[d + 3];
    const a = b.addr;
    const newHi = (a[0] << 8) | a[1];
    const newLo = (a[2] << 8) | a[3];
    const upd = SwitchReference.upd;
    let hc = (buf[l3 + 10] << 8) | buf[l3 + 11];
    hc = upd(upd(hc, oldHi, newHi), oldLo, newLo);
    buf[l3 + 10] = hc >> 8;
    buf[l3 + 11] = hc & 0xff;
    buf[d] = a[0];
    buf[d + 1] = a[1];
    buf[d + 2] = a[2];
    buf[d + 3] = a[3];
    const newPort = b.port || svcPort;
    const oldPort = (buf[l4 + 2] << 8) | buf[l4 + 3];
    const co = proto === 6 ? l4 + 16 : l4 + 6;
    let c = (buf[co] << 8) | buf[co + 1];
    if (proto === 6 || c !== 0) {
      c = upd(upd(upd(c, oldHi, newHi), oldLo, newLo), oldPort, newPort);
      if (proto === 17 && c === 0) c = 0xffff;
      buf[co] = c >> 8;
      buf[co + 1] = c & 0xff;
    }
    buf[l4 + 2] = newPort >> 8;
    buf[l4 + 3] = newPort & 0xff;
  }

  /** Runs a batch of count frames at offsets[i] with lengths lens[i], through the batch pipeline; verdicts into out. */
  batch(buf: Uint8Array, offsets: Uint32Array, lens: Uint16Array, count: number, now: number, out: Int32Array): void {
    this.now = now;
    for (let at = 0; at < count; at += STAGE) {
      const n = Math.min(STAGE, count - at);
      for (let k = 0; k < n; k++) this.stage(k, buf, offsets[at + k], lens[at + k]);
      this.lookAhead(n);
      for (let k = 0; k < n; k++) out[at + k] = this.decide(k, buf);
    }
  }
}
