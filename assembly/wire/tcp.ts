// TCP (RFC 9293 §3.1): the header view the switching path's parser reads and the emitter the
// RST builder writes with. The core originates no TCP connection; it only reads segments it
// forwards and answers a segment for no service with a RST (switch/reset.ts).

import {
  TCP_MIN_HEADER, TCP_OFF_SRC_PORT, TCP_OFF_DST_PORT, TCP_OFF_SEQ, TCP_OFF_ACK, TCP_OFF_DATA_OFF,
  TCP_OFF_FLAGS, TCP_OFF_WINDOW, TCP_OFF_CHECKSUM, TCP_OFF_URGENT,
} from "../shared/wire";
import { ld8, ld16be, ld32be, st8, st16be, st32be } from "../lib/mem";

// ---- the header view ----

/** Header length in bytes (data offset x 4). */
@inline export function tcpHeaderLen(t: usize): i32 { return (ld8(t + TCP_OFF_DATA_OFF) >> 4) << 2; }
@inline export function tcpSrcPort(t: usize): i32 { return ld16be(t + TCP_OFF_SRC_PORT); }
@inline export function tcpDstPort(t: usize): i32 { return ld16be(t + TCP_OFF_DST_PORT); }
@inline export function tcpFlags(t: usize): i32 { return ld8(t + TCP_OFF_FLAGS); }
@inline export function tcpSeq(t: usize): u32 { return ld32be(t + TCP_OFF_SEQ); }
@inline export function tcpAck(t: usize): u32 { return ld32be(t + TCP_OFF_ACK); }

// ---- the emitter ----

/**
 * Writes a 20-byte header without options: ports, sequence and acknowledgment numbers,
 * flags, window; urgent pointer 0 and a zero checksum (the caller fills it).
 */
export function tcpWrite(t: usize, srcPort: i32, dstPort: i32, seq: u32, ack: u32, flags: i32, window: i32): void {
  st16be(t + TCP_OFF_SRC_PORT, srcPort);
  st16be(t + TCP_OFF_DST_PORT, dstPort);
  st32be(t + TCP_OFF_SEQ, seq);
  st32be(t + TCP_OFF_ACK, ack);
  st8(t + TCP_OFF_DATA_OFF, (TCP_MIN_HEADER >> 2) << 4);
  st8(t + TCP_OFF_FLAGS, flags);
  st16be(t + TCP_OFF_WINDOW, window);
  st16be(t + TCP_OFF_CHECKSUM, 0);
  st16be(t + TCP_OFF_URGENT, 0);
}
