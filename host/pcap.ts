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

/** Reads a classic little-endian microsecond or nanosecond pcap (what PcapWriter writes). */
export function readPcap(buf: Uint8Array): PcapRecord[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = b.length >= GLOBAL_HEADER_LEN ? b.readUInt32LE(0) : 0;
  if (magic !== PCAP_MAGIC_USEC && magic !== PCAP_MAGIC_NSEC) throw new Error("not a little-endian microsecond or nanosecond pcap");
  const ns = magic === PCAP_MAGIC_NSEC;
  if (b.readUInt32LE(20) !== LINKTYPE_ETHERNET) throw new Error("pcap link type is not Ethernet");
  const out: PcapRecord[] = [];
  let off = GLOBAL_HEADER_LEN;
  while (off + RECORD_HEADER_LEN <= b.length) {
    const sec = b.readUInt32LE(off);
    const frac = b.readUInt32LE(off + 4);
    const incl = b.readUInt32LE(off + 8);
    const orig = b.readUInt32LE(off + 12);
    off += RECORD_HEADER_LEN;
    if (off + incl > b.length) throw new Error("pcap record truncated");
    const timeNs = ns ? sec * 1e9 + frac : (sec * 1e6 + frac) * 1000;
    out.push({ timeUs: timeNs / 1000, timeNs, data: new Uint8Array(b.subarray(off, off + incl)), origLen: orig });
    off += incl;
  }
  return out;
}
