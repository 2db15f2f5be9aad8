// libpcap capture files (the classic format: https://wiki.wireshark.org/Development/LibpcapFileFormat):
// magic 0xa1b2c3d4 (microsecond timestamps), version 2.4, LINKTYPE_ETHERNET (1).

import * as fs from "fs";

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
const GLOBAL_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;
const SNAPLEN = 65535;

export interface PcapRecord {
  /** Capture time in microseconds (simulated or real). */
  timeUs: number;
  data: Uint8Array;
  /** Length on the wire, when more than was captured. */
  origLen?: number;
}

/** Builds a capture in memory; write it out with save() or take the bytes(). */
export class PcapWriter {
  private chunks: Buffer[] = [];

  constructor() {
    const h = Buffer.alloc(GLOBAL_HEADER_LEN);
    h.writeUInt32LE(PCAP_MAGIC_USEC, 0);
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
    const t = Math.max(0, Math.round(rec.timeUs));
    h.writeUInt32LE(Math.floor(t / 1e6), 0);
    h.writeUInt32LE(t % 1e6, 4);
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

/** Reads a classic little-endian microsecond pcap (what PcapWriter writes). */
export function readPcap(buf: Uint8Array): PcapRecord[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < GLOBAL_HEADER_LEN || b.readUInt32LE(0) !== PCAP_MAGIC_USEC) throw new Error("not a little-endian microsecond pcap");
  if (b.readUInt32LE(20) !== LINKTYPE_ETHERNET) throw new Error("pcap link type is not Ethernet");
  const out: PcapRecord[] = [];
  let off = GLOBAL_HEADER_LEN;
  while (off + RECORD_HEADER_LEN <= b.length) {
    const sec = b.readUInt32LE(off);
    const usec = b.readUInt32LE(off + 4);
    const incl = b.readUInt32LE(off + 8);
    const orig = b.readUInt32LE(off + 12);
    off += RECORD_HEADER_LEN;
    if (off + incl > b.length) throw new Error("pcap record truncated");
    out.push({ timeUs: sec * 1e6 + usec, data: new Uint8Array(b.subarray(off, off + incl)), origLen: orig });
    off += incl;
  }
  return out;
}
