// The control processor's side of the punt rings (layout: assembly/shared/switch.ts PUNT_*,
// docs/switching-path.md "Punt rings"): it consumes the UP ring (frames the switching path
// punted), hands each frame to the registered control-processor applications, and produces
// their replies on the DOWN ring, from which the switching path sends them.
//
// On real ports the switching service adds one more application, the TAP bridge (tap.ts):
// punted frames to the control processor's kernel through a TAP device, and what that kernel
// sends back into the DOWN ring.

import { Core } from "../core/core";
import * as MAP from "../../assembly/shared/memmap";
import * as S from "../../assembly/shared/switch";

export interface PuntedFrame {
  frame: Uint8Array;
  /** Ingress port. */
  port: number;
  /** PUNT_* reason. */
  reason: number;
  tick: number;
}

export interface Injection {
  frame: Uint8Array;
  port: number;
  /** "tx": send as is on port; "switch": through the switching path as if received on port. */
  via?: "tx" | "switch";
}

/** A control-processor application: returns its replies, or null when the frame is not its. */
export interface CpApp {
  readonly name: string;
  handle(p: PuntedFrame): Injection[] | null;
}

const UP = MAP.SW_RING_HDR_BASE + S.PUNT_UP * S.PUNT_HDR_SIZE;
const DOWN = MAP.SW_RING_HDR_BASE + S.PUNT_DOWN * S.PUNT_HDR_SIZE;

export class PuntRings {
  constructor(readonly core: Core) {}

  private u32(p: number): number {
    return this.core.view.getUint32(p, true);
  }

  /** Frames waiting on the UP ring. */
  pending(): number {
    return (this.u32(UP + S.PUNT_HEAD) - this.u32(UP + S.PUNT_TAIL)) >>> 0;
  }

  /** Takes up to max punted frames (consumer of the UP ring). */
  take(max = S.PUNT_SLOTS): PuntedFrame[] {
    const out: PuntedFrame[] = [];
    const head = this.u32(UP + S.PUNT_HEAD);
    let tail = this.u32(UP + S.PUNT_TAIL);
    while (tail !== head && out.length < max) {
      const slot = MAP.SW_PUNT_UP_BASE + (tail & (S.PUNT_SLOTS - 1)) * S.PUNT_SLOT_SIZE;
      const len = this.core.view.getUint16(slot + S.RS_LEN, true);
      out.push({
        frame: this.core.read(slot + S.RS_FRAME, Math.min(len, S.PUNT_MAX_FRAME)),
        port: this.core.bytes[slot + S.RS_PORT],
        reason: this.core.bytes[slot + S.RS_KIND],
        tick: this.u32(slot + S.RS_TICK),
      });
      tail = (tail + 1) >>> 0;
      this.core.view.setUint32(UP + S.PUNT_TAIL, tail, true); // slot consumed: hand it back
    }
    return out;
  }

  /** Queues a frame on the DOWN ring (producer); false when the ring is full. */
  inject(inj: Injection): boolean {
    if (inj.frame.length > S.PUNT_MAX_FRAME) throw new RangeError(`frame of ${inj.frame.length} bytes exceeds a ring slot`);
    const head = this.u32(DOWN + S.PUNT_HEAD);
    const tail = this.u32(DOWN + S.PUNT_TAIL);
    if (((head - tail) >>> 0) >= S.PUNT_SLOTS) return false;
    const slot = MAP.SW_PUNT_DOWN_BASE + (head & (S.PUNT_SLOTS - 1)) * S.PUNT_SLOT_SIZE;
    this.core.view.setUint16(slot + S.RS_LEN, inj.frame.length, true);
    this.core.bytes[slot + S.RS_PORT] = inj.port;
    this.core.bytes[slot + S.RS_KIND] = inj.via === "switch" ? S.INJECT_SWITCH : S.INJECT_TX;
    this.core.write(slot + S.RS_FRAME, inj.frame);
    this.core.view.setUint32(DOWN + S.PUNT_HEAD, (head + 1) >>> 0, true); // publish after the slot
    return true;
  }
}

/** The punt-ring service loop: UP ring -> applications -> DOWN ring. */
export class PuntService {
  readonly rings: PuntRings;
  private apps: CpApp[] = [];
  readonly stats = { delivered: 0, unclaimed: 0, replies: 0, downFull: 0 };
  /** Frames no application claimed, most recent last (bounded). */
  readonly unclaimed: PuntedFrame[] = [];

  constructor(core: Core) {
    this.rings = new PuntRings(core);
  }

  register(app: CpApp): this {
    this.apps.push(app);
    return this;
  }

  /** One pass: every punted frame to the first application that claims it. Returns frames taken. */
  poll(max = S.PUNT_SLOTS): number {
    const frames = this.rings.take(max);
    for (const p of frames) {
      let replies: Injection[] | null = null;
      for (const app of this.apps) {
        replies = app.handle(p);
        if (replies) break;
      }
      if (!replies) {
        this.stats.unclaimed++;
        this.unclaimed.push(p);
        if (this.unclaimed.length > 64) this.unclaimed.shift();
        continue;
      }
      this.stats.delivered++;
      for (const r of replies) {
        if (this.rings.inject(r)) this.stats.replies++;
        else this.stats.downFull++;
      }
    }
    return frames.length;
  }
}
