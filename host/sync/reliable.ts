// Reliable, ordered, duplicate-free message delivery over a lossy datagram port: sequence
// numbers per segment, cumulative + selective acknowledgements, a retransmission timer per
// segment with exponential back-off, a bounded window, and reassembly of messages larger
// than one segment. Timers run on the Clock given (clock.ts), never on wall-clock time.
//
// Both directions are independent: each end sends DATA and ACKs for what it receives. ACKs
// are not acknowledged; every DATA (duplicates included) is answered with a fresh ACK, so a
// lost ACK is repaired by the next one or by the sender's retransmission.

import { Clock, Timer } from "./clock";
import { SEG_ACK, SEG_DATA, SEG_FLAG_FIRST, SEG_FLAG_MORE, SEG_MAX_PAYLOAD, Segment, emitSegment, parseSegment } from "./segment";

/** What the channel sends segments through: UdpCarrier (udp.ts) over a FrameLink. */
export interface DatagramPort {
  send(payload: Uint8Array): void;
  onDatagram(cb: (payload: Uint8Array) => void): void;
}

export interface ReliableOptions {
  session: number;
  /** Segments in flight (and held out of order by the receiver). At most 32: the SACK bitmap. */
  window?: number;
  /** First retransmission timeout and its cap, ns. */
  rtoNs?: number;
  maxRtoNs?: number;
  /** Largest message reassembled; a peer that sends more is broken. */
  maxMessage?: number;
}

export interface ChannelStats {
  messagesSent: number;
  messagesDelivered: number;
  segmentsSent: number;
  retransmissions: number;
  acksSent: number;
  acksReceived: number;
  /** DATA segments received again (already delivered or already held). */
  duplicates: number;
  /** DATA segments that arrived ahead of a gap and were held. */
  outOfOrder: number;
  /** Datagrams that are not a valid segment (bad CRC, truncated...). */
  badSegments: number;
  /** Segments of another session (from before a standby reset). */
  staleSession: number;
  /** DATA beyond the receive window (a sender ignoring the window). */
  beyondWindow: number;
}

interface InFlight {
  bytes: Uint8Array;
  rto: number;
  timer: Timer;
}

export class ReliableChannel {
  readonly stats: ChannelStats = {
    messagesSent: 0, messagesDelivered: 0, segmentsSent: 0, retransmissions: 0, acksSent: 0, acksReceived: 0,
    duplicates: 0, outOfOrder: 0, badSegments: 0, staleSession: 0, beyondWindow: 0,
  };
  readonly session: number;
  private readonly window: number;
  private readonly rtoNs: number;
  private readonly maxRtoNs: number;
  private readonly maxMessage: number;

  // sender
  private nextSeq = 0;
  private sendBase = 0;
  private queue: { flags: number; payload: Uint8Array }[] = [];
  private inflight = new Map<number, InFlight>();
  // receiver
  private expected = 0;
  private held = new Map<number, Segment>();
  private partial: Uint8Array[] = [];
  private partialLen = 0;
  private receiver: (msg: Uint8Array) => void = () => {};
  private closed = false;
  /** Why the channel gave up, if it did (a peer breaking the protocol). */
  failure: string | undefined;

  constructor(
    private readonly port: DatagramPort,
    private readonly clock: Clock,
    opts: ReliableOptions,
  ) {
    this.session = opts.session & 0xffff;
    this.window = Math.min(32, Math.max(1, opts.window ?? 16));
    this.rtoNs = opts.rtoNs ?? 1_000_000;
    this.maxRtoNs = opts.maxRtoNs ?? 64_000_000;
    this.maxMessage = opts.maxMessage ?? 1 << 20;
    port.onDatagram((d) => this.receive(d));
  }

  onMessage(cb: (msg: Uint8Array) => void): void {
    this.receiver = cb;
  }

  /** Queues a message; it is delivered once, in order, whatever the link loses. */
  send(msg: Uint8Array): void {
    if (this.closed) throw new Error("channel closed");
    if (msg.length > this.maxMessage) throw new RangeError(`message of ${msg.length} bytes > ${this.maxMessage}`);
    this.stats.messagesSent++;
    let off = 0;
    do {
      const piece = msg.subarray(off, off + SEG_MAX_PAYLOAD);
      const first = off === 0 ? SEG_FLAG_FIRST : 0;
      off += piece.length;
      this.queue.push({ flags: first | (off < msg.length ? SEG_FLAG_MORE : 0), payload: piece });
    } while (off < msg.length);
    this.pump();
  }

  /** Nothing queued and nothing unacknowledged. */
  get idle(): boolean {
    return this.queue.length === 0 && this.inflight.size === 0;
  }

  /** Stops timers and ignores further input (a unit that is reset). */
  close(): void {
    this.closed = true;
    for (const f of this.inflight.values()) f.timer.cancel();
    this.inflight.clear();
    this.queue = [];
  }

  private pump(): void {
    while (this.queue.length && this.nextSeq - this.sendBase < this.window) {
      const { flags, payload } = this.queue.shift()!;
      const seq = this.nextSeq++;
      const bytes = emitSegment({ type: SEG_DATA, flags, session: this.session, seq, sack: 0, payload });
      this.stats.segmentsSent++;
      this.port.send(bytes);
      this.inflight.set(seq, { bytes, rto: this.rtoNs, timer: this.arm(seq, this.rtoNs) });
    }
  }

  private arm(seq: number, rto: number): Timer {
    return this.clock.after(rto, () => {
      const f = this.inflight.get(seq);
      if (!f || this.closed) return;
      this.stats.retransmissions++;
      this.port.send(f.bytes);
      f.rto = Math.min(f.rto * 2, this.maxRtoNs);
      f.timer = this.arm(seq, f.rto);
    });
  }

  private receive(d: Uint8Array): void {
    if (this.closed) return;
    const p = parseSegment(d);
    if (!p.ok) {
      this.stats.badSegments++;
      return;
    }
    const seg = p.seg;
    if (seg.session !== this.session) {
      this.stats.staleSession++;
      return;
    }
    if (seg.type === SEG_ACK) this.onAck(seg);
    else this.onData(seg);
  }

  private onAck(seg: Segment): void {
    this.stats.acksReceived++;
    const ack = seg.seq;
    if (ack > this.nextSeq) return; // acknowledges what was never sent: ignore
    for (const [seq, f] of this.inflight) {
      const sacked = seq > ack && seq - ack - 1 < 32 && (seg.sack >>> (seq - ack - 1)) & 1;
      if (seq < ack || sacked) {
        f.timer.cancel();
        this.inflight.delete(seq);
      }
    }
    if (ack > this.sendBase) this.sendBase = ack;
    this.pump();
  }

  private onData(seg: Segment): void {
    const seq = seg.seq;
    if (seq < this.expected || this.held.has(seq)) this.stats.duplicates++;
    else if (seq - this.expected >= this.window) this.stats.beyondWindow++;
    else {
      if (seq !== this.expected) this.stats.outOfOrder++;
      this.held.set(seq, seg);
      while (this.held.has(this.expected)) {
        const s = this.held.get(this.expected)!;
        this.held.delete(this.expected);
        this.expected++;
        this.collect(s);
      }
    }
    this.sendAck();
  }

  private collect(s: Segment): void {
    this.partial.push(s.payload);
    this.partialLen += s.payload.length;
    if (this.partialLen > this.maxMessage) {
      this.failure = `peer sent a message over ${this.maxMessage} bytes`;
      this.close();
      return;
    }
    if (s.flags & SEG_FLAG_MORE) return;
    const msg = new Uint8Array(this.partialLen);
    let off = 0;
    for (const p of this.partial) {
      msg.set(p, off);
      off += p.length;
    }
    this.partial = [];
    this.partialLen = 0;
    this.stats.messagesDelivered++;
    this.receiver(msg);
  }

  private sendAck(): void {
    let sack = 0;
    for (let i = 0; i < 32; i++) if (this.held.has(this.expected + 1 + i)) sack |= 1 << i;
    this.stats.acksSent++;
    this.port.send(emitSegment({ type: SEG_ACK, flags: 0, session: this.session, seq: this.expected, sack: sack >>> 0, payload: new Uint8Array(0) }));
  }
}
