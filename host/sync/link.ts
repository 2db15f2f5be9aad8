// The seam to the chassis link. The sync transport sends and receives whole Ethernet frames
// through a FrameLink and knows nothing else about the medium. Two implementations:
//   - lossyLinkPair() below: a deterministic test link that drops, duplicates, delays and
//     reorders frames, driven by a seeded Rng and a Clock;
//   - the virtual chassis (host/upgrade/sync.ts): a unit's driver on its backplane port; or
//     the virtual wire (host/sim/wire.ts) directly: wrap one of its ports in an
//     object with these two methods and hand it to UdpCarrier (udp.ts).

import { Clock } from "./clock";
import { Rng } from "../util/rng";

export interface FrameLink {
  send(frame: Uint8Array): void;
  /** Registers the receiver (one per endpoint; a second call replaces the first). */
  onFrame(cb: (frame: Uint8Array) => void): void;
}

export interface LossyLinkOptions {
  /** Probability a frame is lost, 0..1. */
  loss?: number;
  /** Probability a delivered frame is delivered twice. */
  duplicate?: number;
  /** Probability one random bit of a delivered frame is flipped. */
  corrupt?: number;
  /** One-way delay, ns. */
  delayNs?: number;
  /** Extra delay, uniform in [0, jitterNs): frames sent close together overtake each other. */
  jitterNs?: number;
}

export interface LinkStats {
  sent: number;
  lost: number;
  duplicated: number;
  corrupted: number;
  delivered: number;
}

export interface TappedFrame {
  timeNs: number;
  /** 0: a→b, 1: b→a. */
  dir: 0 | 1;
  frame: Uint8Array;
}

export interface LinkPair {
  a: FrameLink;
  b: FrameLink;
  stats: LinkStats;
  /** Every frame as sent (before loss), with its send time: what a capture at the sender sees. */
  tap: TappedFrame[] | null;
}

export function lossyLinkPair(clock: Clock, rng: Rng, opts: LossyLinkOptions = {}, capture = false): LinkPair {
  const { loss = 0, duplicate = 0, corrupt = 0, delayNs = 50_000, jitterNs = 0 } = opts;
  for (const [k, v] of Object.entries({ loss, duplicate, corrupt })) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${k} ${v}: not a probability`);
  }
  const stats: LinkStats = { sent: 0, lost: 0, duplicated: 0, corrupted: 0, delivered: 0 };
  const receivers: ((f: Uint8Array) => void)[] = [() => {}, () => {}];
  const tap: TappedFrame[] | null = capture ? [] : null;

  const deliver = (to: 0 | 1, frame: Uint8Array) => {
    let f = frame;
    if (corrupt > 0 && rng.bool(corrupt)) {
      f = Uint8Array.from(frame);
      const bit = rng.int(f.length * 8);
      f[bit >> 3] ^= 0x80 >> (bit & 7);
      stats.corrupted++;
    }
    const delay = delayNs + (jitterNs > 0 ? rng.int(jitterNs) : 0);
    clock.after(delay, () => {
      stats.delivered++;
      receivers[to](f);
    });
  };

  const endpoint = (me: 0 | 1): FrameLink => ({
    send(frame) {
      stats.sent++;
      const copy = Uint8Array.from(frame);
      tap?.push({ timeNs: clock.now(), dir: me, frame: copy });
      if (loss > 0 && rng.bool(loss)) {
        stats.lost++;
        return;
      }
      const to = (1 - me) as 0 | 1;
      deliver(to, copy);
      if (duplicate > 0 && rng.bool(duplicate)) {
        stats.duplicated++;
        deliver(to, copy);
      }
    },
    onFrame(cb) {
      receivers[me] = cb;
    },
  });
  return { a: endpoint(0), b: endpoint(1), stats, tap };
}
