// libpcap capture files (the classic format: https://wiki.wireshark.org/Development/LibpcapFileFormat):
// magic 0xa1b2c3d4 (microsecond timestamps) or 0xa1b23c4d (nanosecond timestamps, for the
// simulated wire where frames are hundreds of ns apart), version 2.4, LINKTYPE_ETHERNET (1).

import * as fs from "fs";

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const LINKTYPE_ETHERNET = 1;
const GLOBAL_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;
const SNAPLEN = 65535;

export interface PcapRecord {
  /** Capture time in microseconds (simulated or real). */
  timeUs: number;
  /** Capture time in nanoseconds; a nanosecond writer prefers it to timeUs. */
  timeNs?: number;
  data: Uint8Array;
  /** Length on the wire, when more than was captured. */
  origLen?: number;
}

/** Builds a capture in memory; write it out with save() or take the bytes(). */
export class PcapWriter {
  private chunks: Buffer[] = [];
  readonly resolution: "us" | "ns";

  constructor(opts: { resolution?: "us" | "ns" } = {}) {
    this.resolution = opts.resolution ?? "us";
    const h = Buffer.alloc(GLOBAL_HEADER_LEN);
    h.writeUInt32LE(this.resolution === "ns" ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8); // thiszone
    h.writeUInt32LE(0, 12); // sigfigs
    h.writeUInt32LE(SNAPLEN, 16);
    h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.chunks.push(h);
  }

  add(rec: PcapRecord): void {
    const captured = rec.data.subarray(0, SNAPLEN);
    const h = Buffer.alloc(RECORD_HEADER_LEN);
    const perSec = this.resolution === "ns" ? 1e9 : 1e6;
    const t = Math.max(0, Math.round(this.resolution === "ns" ? rec.timeNs ?? rec.timeUs * 1000 : rec.timeUs));
    h.writeUInt32LE(Math.floor(t / perSec), 0);
    h.writeUInt32LE(t % perSec, 4);
    h.writeUInt32LE(captured.length, 8);
    h.writeUInt32LE(rec.origLen ?? rec.data.length, 12);
    this.chunks.push(h, Buffer.from(captured));
  }

  get count(): number {
    return (this.chunks.length - 1) / 2;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  save(file: string): void {
    fs.writeFileSync(file, this.bytes());
  }
}

/** A capture file that cannot be read: the message says why. */
export class PcapFormatError extends Error {}

const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

/**
 * Reads a capture: classic libpcap in either byte order, microsecond or nanosecond
 * timestamps (what PcapWriter, tcpdump -w write), or pcapng (what dumpcap and Wireshark write:
 * enhanced and simple packet blocks, per-interface timestamp resolution). Ethernet only.
 */
export function readPcap(buf: Uint8Array): PcapRecord[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length >= 4 && b.readUInt32LE(0) === PCAPNG_SHB) return readPcapng(b);
  if (b.length < GLOBAL_HEADER_LEN) throw new PcapFormatError("not a pcap or pcapng file (too short for a header)");
  const le = b.readUInt32LE(0);
  const be = b.readUInt32BE(0);
  const little = le === PCAP_MAGIC_USEC || le === PCAP_MAGIC_NSEC;
  if (!little && be !== PCAP_MAGIC_USEC && be !== PCAP_MAGIC_NSEC) throw new PcapFormatError("not a pcap or pcapng file (unknown magic number)");
  const u32 = (o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ns = (little ? le : be) === PCAP_MAGIC_NSEC;
  if (u32(20) !== LINKTYPE_ETHERNET) throw new PcapFormatError(`link type ${u32(20)} is not Ethernet (1)`);
  const out: PcapRecord[] = [];
  let off = GLOBAL_HEADER_LEN;
  while (off + RECORD_HEADER_LEN <= b.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const orig = u32(off + 12);
    off += RECORD_HEADER_LEN;
    if (off + incl > b.length) throw new PcapFormatError(`record ${out.length + 1} is truncated`);
    const timeNs = ns ? sec * 1e9 + frac : (sec * 1e6 + frac) * 1000;
    out.push({ timeUs: timeNs / 1000, timeNs, data: new Uint8Array(b.subarray(off, off + incl)), origLen: orig });
    off += incl;
  }
  return out;
}

/** pcapng (draft-ietf-opsawg-pcapng): section header, interface descriptions, packets. */
function readPcapng(b: Buffer): PcapRecord[] {
  let little = true;
  const u32 = (o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u16 = (o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const ifaces: { linktype: number; unitsPerSec: number }[] = [];
  const out: PcapRecord[] = [];
  let off = 0;
  while (off + 12 <= b.length) {
    const type = b.readUInt32LE(off) === PCAPNG_SHB ? PCAPNG_SHB : u32(off);
    if (type === PCAPNG_SHB) {
      const bom = b.readUInt32LE(off + 8);
      if (bom === PCAPNG_BYTE_ORDER) little = true;
      else if (b.readUInt32BE(off + 8) === PCAPNG_BYTE_ORDER) little = false;
      else throw new PcapFormatError("pcapng section header with an unknown byte-order magic");
      ifaces.length = 0;
    }
    const len = u32(off + 4);
    if (len < 12 || len % 4 || off + len > b.length) throw new PcapFormatError(`pcapng block at byte ${off} has a bad length (${len})`);
    const body = off + 8;
    if (type === 1) {
      // Interface description: link type, snap length, options (if_tsresol = 9).
      let unitsPerSec = 1e6;
      let o = body + 8;
      while (o + 4 <= off + len - 4) {
        const code = u16(o);
        const olen = u16(o + 2);
        if (code === 0) break;
        if (code === 9 && olen >= 1) {
          const r = b[o + 4];
          unitsPerSec = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** (r & 0x7f);
        }
        o += 4 + ((olen + 3) & ~3);
      }
      ifaces.push({ linktype: u16(body), unitsPerSec });
    } else if (type === 6 || type === 3) {
      const enhanced = type === 6;
      const iface = ifaces[enhanced ? u32(body) : 0];
      if (!iface) throw new PcapFormatError(`pcapng packet at byte ${off} names an interface that was not described`);
      if (iface.linktype !== LINKTYPE_ETHERNET) throw new PcapFormatError(`link type ${iface.linktype} is not Ethernet (1)`);
      const incl = enhanced ? u32(body + 12) : Math.min(u32(body), len - 16);
      const orig = enhanced ? u32(body + 16) : u32(body);
      const data = enhanced ? body + 20 : body + 4;
      if (data + incl > off + len) throw new PcapFormatError(`pcapng packet at byte ${off} is truncated`);
      const ticks = enhanced ? u32(body + 4) * 2 ** 32 + u32(body + 8) : 0;
      const timeNs = (ticks / iface.unitsPerSec) * 1e9;
      out.push({ timeUs: timeNs / 1000, timeNs, data: new Uint8Array(b.subarray(data, data + incl)), origLen: orig });
    }
    off += len;
  }
  return out;
}
