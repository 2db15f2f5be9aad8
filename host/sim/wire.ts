// The virtual wire: full-duplex point-to-point links between endpoints (NIC ports, simple
// hosts), with propagation latency, bandwidth (each frame's serialization time at the link
// rate, frames queueing behind each other), loss, duplication and reordering drawn from a
// seeded Rng, and a pcap tap on every link. Everything runs on the SimClock, so the same
// topology, traffic and seed replay to identical captures.
//
// Timing of one frame in one direction (IEEE 802.3 framing):
//   on the wire: preamble+SFD 8 bytes, the frame padded to 60, FCS 4, inter-frame gap 12
//   start   = max(now, end of the previous frame's inter-frame gap)
//   arrival = start + serialization(frame, preamble, FCS) + latency   (last bit in)
// A lost frame still occupies the wire; a duplicate follows its original one frame time
// later; a reordered frame is held back reorderDelayNs so that later frames overtake it.
//
// Frames on the wire carry no FCS (the NIC model appends/strips it), like a capture.

import * as path from "path";
import type { SimClock } from "./clock";
import { Rng } from "../util/rng";
import { PcapWriter } from "../pcap";
import { ETH_FCS_LEN, ETH_MIN_FRAME } from "../../assembly/shared/wire";

/** Anything a link can plug into: the NIC models (E1000) and SimpleHost. */
export interface WireEndpoint {
  readonly name: string;
  /** The link hands its transmit function to the endpoint. */
  attach(tx: (frame: Uint8Array) => void): void;
  /** A frame arriving from the link. */
  receive(frame: Uint8Array): unknown;
  /** Carrier up/down (a NIC raises LSC). */
  setLink?(up: boolean): void;
}

export interface LinkOptions {
  /** Propagation delay, ns (default 500: about 100 m of copper). */
  latencyNs?: number;
  /** Link rate, bits per second (default 1e9); Infinity means no serialization time. */
  bitsPerSecond?: number;
  /** Probability a frame is lost on the wire. */
  loss?: number;
  /** Probability a frame is delivered twice. */
  duplicate?: number;
  /** Probability a frame is held back so that later frames overtake it. */
  reorder?: number;
  /** How long a reordered frame is held back (default 20 µs). */
  reorderDelayNs?: number;
  /** Frames one direction may hold waiting for the wire before tail drop (default unbounded). */
  queueLimit?: number;
  /** Where the tap sees frames: as delivered to the far end (default) or as transmitted. */
  tap?: "delivery" | "transmit";
}

export interface DirectionStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Dropped before the wire: link down or queue full. */
  dropped: number;
}

/** Bytes a frame occupies on the wire besides itself: preamble+SFD 8, FCS 4, inter-frame gap 12. */
export const PREAMBLE = 8;
export const FCS = ETH_FCS_LEN;
export const IFG = 12;
export const MIN_FRAME = ETH_MIN_FRAME;

/** Time to clock `bytes` onto a link of the given rate, rounded up to a whole ns. */
export function serializationNs(bytes: number, bitsPerSecond: number): number {
  if (!Number.isFinite(bitsPerSecond)) return 0;
  return Math.ceil((bytes * 8 * 1e9) / bitsPerSecond);
}

class Direction {
  readonly stats: DirectionStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, dropped: 0 };
  /** When the wire is free again (end of the last frame's inter-frame gap). */
  freeAt = 0;
  /** End times of frames waiting for or on the wire, oldest first (they only grow). */
  private ends: number[] = [];
  private endsHead = 0;

  constructor(readonly link: Link, readonly to: WireEndpoint) {}

  transmit(frame: Uint8Array): void {
    const { clock, opts, rng } = this.link;
    const now = clock.now();
    while (this.endsHead < this.ends.length && this.ends[this.endsHead] <= now) this.endsHead++;
    if (this.endsHead > 1024) {
      this.ends = this.ends.slice(this.endsHead);
      this.endsHead = 0;
    }
    if (!this.link.up || this.ends.length - this.endsHead >= (opts.queueLimit ?? Infinity)) {
      this.stats.dropped++;
      return;
    }
    const data = Uint8Array.from(frame);
    const onWire = Math.max(data.length, MIN_FRAME) + FCS;
    const rate = opts.bitsPerSecond ?? 1e9;
    const start = Math.max(now, this.freeAt);
    const end = start + serializationNs(PREAMBLE + onWire, rate);
    this.freeAt = end + serializationNs(IFG, rate);
    this.ends.push(end);
    this.stats.sent++;
    if (opts.tap === "transmit") this.link.capture(end, data);
    // Draw every random decision for every frame, in a fixed order, so that changing one
    // probability does not shift the others' random streams.
    const lost = rng.bool(opts.loss ?? 0);
    const dup = rng.bool(opts.duplicate ?? 0);
    const held = rng.bool(opts.reorder ?? 0);
    if (lost) {
      this.stats.lost++;
      return;
    }
    let arrival = end + (opts.latencyNs ?? 500);
    if (held) {
      this.stats.reordered++;
      arrival += opts.reorderDelayNs ?? 20_000;
    }
    this.deliverAt(arrival, data);
    if (dup) {
      this.stats.duplicated++;
      this.deliverAt(arrival + (end - start) + serializationNs(IFG, rate), data);
    }
  }

  private deliverAt(t: number, data: Uint8Array): void {
    this.link.clock.at(t, () => {
      if (!this.link.up) {
        this.stats.lost++; // carrier lost while the frame was in flight
        return;
      }
      this.stats.delivered++;
      if ((this.link.opts.tap ?? "delivery") === "delivery") this.link.capture(t, data);
      this.to.receive(Uint8Array.from(data));
    });
  }
}

/** A full-duplex link between two endpoints. */
export class Link {
  readonly name: string;
  readonly a: WireEndpoint;
  readonly b: WireEndpoint;
  readonly opts: LinkOptions;
  readonly clock: SimClock;
  readonly rng: Rng;
  /** The tap: every frame this link carried (both directions), with simulated ns timestamps. */
  readonly pcap = new PcapWriter({ resolution: "ns" });
  up = true;
  private readonly ab: Direction;
  private readonly ba: Direction;

  constructor(clock: SimClock, a: WireEndpoint, b: WireEndpoint, opts: LinkOptions & { seed?: number; name?: string } = {}) {
    for (const k of ["loss", "duplicate", "reorder"] as const) {
      const p = opts[k];
      if (p !== undefined && !(p >= 0 && p <= 1)) throw new RangeError(`link ${a.name}-${b.name}: ${k} ${p} is not a probability`);
    }
    if (opts.bitsPerSecond !== undefined && !(opts.bitsPerSecond > 0)) throw new RangeError(`link ${a.name}-${b.name}: bitsPerSecond must be positive`);
    for (const k of ["latencyNs", "reorderDelayNs"] as const) {
      const v = opts[k];
      if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new RangeError(`link ${a.name}-${b.name}: ${k} must be a non-negative integer`);
    }
    this.name = opts.name ?? `${a.name}--${b.name}`;
    this.clock = clock;
    this.a = a;
    this.b = b;
    this.opts = opts;
    this.rng = new Rng(opts.seed ?? 1);
    this.ab = new Direction(this, b);
    this.ba = new Direction(this, a);
    a.attach((f) => this.ab.transmit(f));
    b.attach((f) => this.ba.transmit(f));
  }

  /** Per-direction statistics: a→b and b→a. */
  get stats(): { ab: DirectionStats; ba: DirectionStats } {
    return { ab: this.ab.stats, ba: this.ba.stats };
  }

  /** Cable pulled / plugged: both ends see carrier change; frames in flight are lost. */
  setUp(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    this.a.setLink?.(up);
    this.b.setLink?.(up);
  }

  /** @internal Adds a frame to the tap. */
  capture(tNs: number, data: Uint8Array): void {
    this.pcap.add({ timeUs: tNs / 1000, timeNs: tNs, data });
  }
}

/** A minimal host: sends frames it is given, records what it receives. */
export class SimpleHost implements WireEndpoint {
  readonly received: { t: number; frame: Uint8Array }[] = [];
  /** Called on each frame received (after recording it). */
  onFrame: ((frame: Uint8Array, tNs: number) => void) | undefined;
  carrier = true;
  private tx: ((frame: Uint8Array) => void) | undefined;

  constructor(readonly name: string, readonly mac: Uint8Array, private readonly clock: SimClock) {}

  attach(tx: (frame: Uint8Array) => void): void {
    this.tx = tx;
  }

  /** Puts a frame on the link (dropped when not connected). */
  send(frame: Uint8Array): void {
    this.tx?.(frame);
  }

  receive(frame: Uint8Array): void {
    const t = this.clock.now();
    this.received.push({ t, frame });
    this.onFrame?.(frame, t);
  }

  setLink(up: boolean): void {
    this.carrier = up;
  }
}

/**
 * A set of links sharing one clock, each with its own random stream derived from one
 * seed (in creation order), so a whole topology replays from a single number.
 */
export class Wire {
  readonly links: Link[] = [];
  private readonly seeds: Rng;

  constructor(readonly clock: SimClock, seed = 1) {
    this.seeds = new Rng(seed);
  }

  connect(a: WireEndpoint, b: WireEndpoint, opts: LinkOptions & { name?: string } = {}): Link {
    const link = new Link(this.clock, a, b, { ...opts, seed: this.seeds.u32() });
    if (this.links.some((l) => l.name === link.name)) throw new Error(`a link named ${link.name} already exists`);
    this.links.push(link);
    return link;
  }

  /** Writes every link's tap to dir/<link name>.pcap; returns the files. */
  savePcaps(dir: string): string[] {
    return this.links.map((l) => {
      const file = path.join(dir, `${l.name.replace(/[^A-Za-z0-9._-]+/g, "_")}.pcap`);
      l.pcap.save(file);
      return file;
    });
  }
}
