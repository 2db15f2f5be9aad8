// The sync segment: what one UDP datagram on the chassis link carries. Parse and emit side by
// side; offsets named once. All fields big-endian (network order).
//
//   0  u16  magic 0x4C53 ("LS", lastgasp sync)
//   2  u8   version (1)
//   3  u8   type: 1 DATA, 2 ACK
//   4  u8   flags (DATA): bit 0 MORE, the message continues in the next segment; bit 1 FIRST,
//           the payload starts a message (its first byte is the message type, messages.ts)
//   5  u8   reserved, 0
//   6  u16  session: a standby reset starts a new one; segments of an old one are dropped
//   8  u32  DATA: sequence number. ACK: cumulative ack, the next sequence number expected
//  12  u32  ACK: selective-ack bitmap, bit i set = segment (ack + 1 + i) is held. DATA: 0
//  16  u16  payload length
//  18  u16  reserved, 0
//  20  u32  CRC-32 of the whole segment with this field zero
//  24  ...  payload (DATA only)

import { crc32 } from "../util/crc32";

export const SEG_MAGIC = 0x4c53;
export const SEG_VERSION = 1;
export const SEG_DATA = 1;
export const SEG_ACK = 2;
export const SEG_FLAG_MORE = 0x01;
export const SEG_FLAG_FIRST = 0x02;

export const SEG_OFF_MAGIC = 0;
export const SEG_OFF_VERSION = 2;
export const SEG_OFF_TYPE = 3;
export const SEG_OFF_FLAGS = 4;
export const SEG_OFF_SESSION = 6;
export const SEG_OFF_SEQ = 8;
export const SEG_OFF_SACK = 12;
export const SEG_OFF_LENGTH = 16;
export const SEG_OFF_CRC = 20;
export const SEG_HEADER_LEN = 24;
/** Payload bytes per segment: a segment in a 1500-byte IPv4 MTU with room to spare. */
export const SEG_MAX_PAYLOAD = 1200;

export interface Segment {
  type: typeof SEG_DATA | typeof SEG_ACK;
  flags: number;
  session: number;
  /** DATA: sequence number; ACK: next expected. */
  seq: number;
  sack: number;
  payload: Uint8Array;
}

export type SegmentParse = { ok: true; seg: Segment } | { ok: false; why: string };

export function emitSegment(s: Segment): Uint8Array {
  if (s.payload.length > SEG_MAX_PAYLOAD) throw new RangeError(`segment payload ${s.payload.length} > ${SEG_MAX_PAYLOAD}`);
  const out = new Uint8Array(SEG_HEADER_LEN + s.payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(SEG_OFF_MAGIC, SEG_MAGIC);
  out[SEG_OFF_VERSION] = SEG_VERSION;
  out[SEG_OFF_TYPE] = s.type;
  out[SEG_OFF_FLAGS] = s.flags;
  v.setUint16(SEG_OFF_SESSION, s.session);
  v.setUint32(SEG_OFF_SEQ, s.seq >>> 0);
  v.setUint32(SEG_OFF_SACK, s.sack >>> 0);
  v.setUint16(SEG_OFF_LENGTH, s.payload.length);
  out.set(s.payload, SEG_HEADER_LEN);
  v.setUint32(SEG_OFF_CRC, crc32(out));
  return out;
}

/** Never throws: anything malformed comes back as {ok: false, why}. */
export function parseSegment(b: Uint8Array): SegmentParse {
  if (b.length < SEG_HEADER_LEN) return { ok: false, why: `short: ${b.length} bytes` };
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint16(SEG_OFF_MAGIC) !== SEG_MAGIC) return { ok: false, why: "bad magic" };
  if (b[SEG_OFF_VERSION] !== SEG_VERSION) return { ok: false, why: `version ${b[SEG_OFF_VERSION]}` };
  const len = v.getUint16(SEG_OFF_LENGTH);
  if (len > SEG_MAX_PAYLOAD || SEG_HEADER_LEN + len !== b.length) return { ok: false, why: `length ${len} for ${b.length} bytes` };
  const zeroed = Uint8Array.from(b);
  zeroed.fill(0, SEG_OFF_CRC, SEG_OFF_CRC + 4);
  if (crc32(zeroed) !== v.getUint32(SEG_OFF_CRC)) return { ok: false, why: "bad CRC" };
  const type = b[SEG_OFF_TYPE];
  if (type !== SEG_DATA && type !== SEG_ACK) return { ok: false, why: `type ${type}` };
  if (type === SEG_ACK && len !== 0) return { ok: false, why: "ACK with payload" };
  return {
    ok: true,
    seg: {
      type,
      flags: b[SEG_OFF_FLAGS],
      session: v.getUint16(SEG_OFF_SESSION),
      seq: v.getUint32(SEG_OFF_SEQ),
      sack: v.getUint32(SEG_OFF_SACK),
      payload: b.slice(SEG_HEADER_LEN),
    },
  };
}
