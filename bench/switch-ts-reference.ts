// The switching path's forwarding logic written again in plain TypeScript, for
// bench/switch.bench.ts to measure side by side with the core. Same pipeline and the same
// data structures as assembly/switch/ (two-choice 8-way buckets with tags, 32 bytes per entry;
// the same hashes; the same RFC 1624 updates), in the form that is fast in JavaScript:
// typed arrays, structure-of-arrays for the table, Math.imul, no allocation per packet.
//
// Header offsets are written as literals, as a hand-optimised JavaScript forwarder would;
// test/switch-reference.test.ts holds this file to the core's behaviour byte for byte.
//
// Scope: what the benchmark exercises — Ethernet/802.1Q, IPv4 (options, fragment test),
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

export class SwitchReference {
  // connection table, structure of arrays: 4 + 4 + 2 + 2 + 2 + 1 + 1 + 16 = 32 bytes per entry
  private readonly tags: Uint32Array;
  private readonly seen: Uint32Array;
  private readonly backend: Uint16Array;
  private readonly service: Uint16Array;
  private readonly cport: Uint16Array;
  private readonly proto: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly caddr: Int32Array; // 4 words per entry
  private readonly mask: number;
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

  constructor(readonly capacity: number, private readonly seed: number) {
    this.tags = new Uint32Array(capacity);
    this.seen = new Uint32Array(capacity);
    this.backend = new Uint16Array(capacity);
    this.service = new Uint16Array(capacity);
    this.cport = new Uint16Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.caddr = new Int32Array(capacity * 4);
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
    if (len < 14) return V_DROP << 24;
    let type = (buf[at + 12] << 8) | buf[at + 13];
    let l3 = at + 14;
    if (type === 0x8100) {
      if (len < 18) return V_DROP << 24;
      type = (buf[at + 16] << 8) | buf[at + 17];
      l3 += 4;
    }
    const end0 = at + len;
    let family: number, proto: number, l4: number, end: number, src: number, dst: number;
    if (type === 0x0800) {
      if (end0 - l3 < 20) return V_DROP << 24;
      const vi = buf[l3];
      if (vi >> 4 !== 4) return V_DROP << 24;
      const hl = (vi & 0xf) << 2;
      const total = (buf[l3 + 2] << 8) | buf[l3 + 3];
      if (hl < 20 || total < hl || total > end0 - l3) return V_DROP << 24;
      if (((buf[l3 + 6] << 8) | buf[l3 + 7]) & 0x3fff) return V_DROP << 24; // fragments: not re-implemented
      family = 4;
      proto = buf[l3 + 9];
      src = l3 + 12;
      dst = l3 + 16;
      l4 = l3 + hl;
      end = l3 + total;
    } else if (type === 0x86dd) {
      if (end0 - l3 < 40 || buf[l3] >> 4 !== 6) return V_DROP << 24;
      const pl = (buf[l3 + 4] << 8) | buf[l3 + 5];
      if (pl > end0 - l3 - 40) return V_DROP << 24;
      family = 6;
      proto = buf[l3 + 6];
      src = l3 + 8;
      dst = l3 + 24;
      l4 = l3 + 40;
      end = l4 + pl;
    } else return V_DROP << 24;
    let sport = 0, dport = 0, tcpFlags = 0;
    if (proto === 6) {
      if (end - l4 < 20) return V_DROP << 24;
      const thl = (buf[l4 + 12] >> 4) << 2;
      if (thl < 20 || thl > end - l4) return V_DROP << 24;
      tcpFlags = buf[l4 + 13];
    } else if (proto === 17) {
      if (end - l4 < 8) return V_DROP << 24;
    } else return V_DROP << 24;
    sport = (buf[l4] << 8) | buf[l4 + 1];
    dport = (buf[l4 + 2] << 8) | buf[l4 + 3];
    const dst32 = buf[dst] | (buf[dst + 1] << 8) | (buf[dst + 2] << 16) | (buf[dst + 3] << 24);
    if (family === 4) for (let i = 0; i < this.cp32.length; i++) if (this.cp32[i] === dst32) return (3 << 24) | len;
    if (family === 4 ? buf[src] >= 224 || buf[dst] >= 224 : buf[src] === 0xff || buf[dst] === 0xff) return V_DROP << 24;
    let svc = -1;
    for (let i = 0; i < this.services.length; i++) {
      const s = this.services[i];
      if (s.family === family && s.proto === proto && s.port === dport && this.svcVip32[i] === dst32 && (family === 4 || this.eq16(buf, dst, s.vip))) {
        svc = i;
        break;
      }
    }
    if (svc < 0) return V_DROP << 24;
    return this.toBackend(buf, at, len, svc, family, proto, src, l3, l4, sport, tcpFlags);
  }

  private eq16(buf: Uint8Array, at: number, v: Uint8Array): boolean {
    for (let i = 0; i < 16; i++) if (buf[at + i] !== v[i]) return false;
    return true;
  }

  private toBackend(buf: Uint8Array, at: number, len: number, svc: number, family: number, proto: number, src: number, l3: number, l4: number, sport: number, tcpFlags: number): number {
    const h = fmix(step(this.hashAddr(this.seed, buf, src, family), sport | (proto << 16) | (family << 24)));
    const alt = fmix(h ^ 0x6a09e667);
    const b1 = h & this.mask;
    let b2 = (alt >>> 8) & this.mask;
    if (b2 === b1) b2 = b1 ^ 1;
    const tag = (alt | 1) >>> 0;
    const words = family === 6 ? 4 : 1;
    let e = -1;
    for (let k = 0, b = b1; k < 2 && e < 0; k++, b = b2) {
      for (let w = 0; w < 8; w++) {
        const i = b * 8 + w;
        if (this.tags[i] === tag && this.service[i] === svc && this.cport[i] === sport && (this.flags[i] & 1) === (family === 6 ? 1 : 0)) {
          let same = true;
          for (let q = 0; q < words; q++) {
            const o = src + 4 * q;
            if (this.caddr[i * 4 + q] !== (buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16) | (buf[o + 3] << 24))) same = false;
          }
          if (same) {
            e = i;
            break;
          }
        }
      }
    }
    const now = this.now;
    let be = -1;
    if (e >= 0) {
      if (((now - this.seen[e]) | 0) <= this.timeout(e)) be = this.backend[e]; // else: reused in place
      if (be >= 0 && !this.backends[be].up) {
        be = this.pick(svc, h);
        if (be < 0) return V_DROP << 24;
        this.backend[e] = be;
      }
    }
    if (be < 0) {
      be = this.pick(svc, h);
      if (be < 0) return V_DROP << 24;
      if (e < 0 && !(tcpFlags & 4)) e = this.insert(b1, b2, tag, now);
      if (e >= 0) {
        this.backend[e] = be;
        this.service[e] = svc;
        this.cport[e] = sport;
        this.proto[e] = proto;
        this.flags[e] = family === 6 ? 1 : 0;
        for (let q = 0; q < 4; q++) {
          const o = src + 4 * q;
          this.caddr[e * 4 + q] = q < words ? buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16) | (buf[o + 3] << 24) : 0;
        }
      }
    }
    if (e >= 0) {
      this.seen[e] = now;
      if (proto === 6) {
        let f = this.flags[e];
        if (tcpFlags & 4) f |= 0x10;
        if (tcpFlags & 1) f |= 0x04;
        if (!(tcpFlags & 2)) f |= 0x02;
        this.flags[e] = f;
      }
    }
    const b = this.backends[be];
    const mac = b.mac;
    const pm = this.portMacs[b.txPort];
    for (let i = 0; i < 6; i++) {
      buf[at + i] = mac[i];
      buf[at + 6 + i] = pm[i];
    }
    if (this.services[svc].nat) this.nat(buf, l3, l4, proto, b, this.services[svc].port);
    return (V_FORWARD << 24) | (b.txPort << 16) | len;
  }

  private timeout(e: number): number {
    const f = this.flags[e];
    if (f & 0x10) return 10_000;
    if (f & 0x0c) return 120_000;
    if (this.proto[e] !== 6) return this.udpTimeout;
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

  private insert(b1: number, b2: number, tag: number, now: number): number {
    let f1 = 0, f2 = 0;
    for (let w = 0; w < 8; w++) {
      if (this.tags[b1 * 8 + w] === 0) f1++;
      if (this.tags[b2 * 8 + w] === 0) f2++;
    }
    let i = -1;
    if (f1 > 0 || f2 > 0) {
      const b = f1 >= f2 ? b1 : b2;
      for (let w = 0; w < 8; w++) if (this.tags[b * 8 + w] === 0) {
        i = b * 8 + w;
        break;
      }
      this.live++;
    } else {
      let oldest = -1, age = -1;
      for (const b of [b1, b2]) {
        for (let w = 0; w < 8; w++) {
          const j = b * 8 + w;
          if (((now - this.seen[j]) | 0) > this.timeout(j)) {
            i = j;
            break;
          }
          const a = (now - this.seen[j]) | 0;
          if (oldest < 0 || a > age) {
            oldest = j;
            age = a;
          }
        }
        if (i >= 0) break;
      }
      if (i < 0) {
        i = oldest;
        this.evicted++;
      }
    }
    this.tags[i] = tag;
    this.seen[i] = now;
    return i;
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

  /** Runs a batch of count frames at offsets[i] with lengths lens[i]; verdicts into out. */
  batch(buf: Uint8Array, offsets: Uint32Array, lens: Uint16Array, count: number, now: number, out: Int32Array): void {
    this.now = now;
    for (let i = 0; i < count; i++) out[i] = this.packet(buf, offsets[i], lens[i]);
  }
}
