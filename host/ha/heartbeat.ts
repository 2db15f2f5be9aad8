// Heartbeat monitoring of the peer (or of a path): probes go out every interval — the gasp
// protocol's HELLOs, or ARP probes as bonding's ARP monitor sends — and the peer is declared
// down when nothing valid has arrived for multiplier × interval (+ skew). This is the
// fallback when no gasp comes (power loss, dead NIC, lost gasp).
//
//   declared down at  last heartbeat received + multiplier × interval + skew (+ downDelay)
//   so crash → detection ∈ ((multiplier − 1) × interval + skew, multiplier × interval + skew]
//   (+ downDelay), the heartbeat phase deciding where in the window it lands.
//
// Presets (heartbeatPreset): keepalived/VRRP 1 s × 3 + (256 − priority)/256 s skew; BFD
// 50 ms × 3; BFD in hardware 3.3 ms × 3; bonding's ARP monitor ≈ 2 × arp_interval. BFD's
// jitter (each transmit interval shortened by 0–25 %, RFC 5880 §6.8.7) comes from an Rng.
// up-delay: after a down, heartbeats must keep arriving for upDelay before "up" is reported.
//
// Timeline events: heartbeat.lost, heartbeat.back (up-delay running), heartbeat.up,
// heartbeat.cancel, monitor.pause, monitor.resume. Transmissions are outputs, not events.

import { Rng } from "../util/rng";
import { NS_PER_MS, NS_PER_S, TimelineSink, NO_TIMELINE, Timed, checkNs } from "./timeline";

export type ProbeKind = "hello" | "arp-probe";

export interface HeartbeatOptions {
  name: string;
  intervalNs: number;
  multiplier: number;
  skewNs?: number;
  /** Extra wait after the detection time before "down" is reported (default 0). */
  downDelayNs?: number;
  upDelayNs?: number;
  probe?: ProbeKind;
  /** RFC 5880 jitter: each transmit interval is reduced by a uniform 0..maxFraction. */
  jitter?: { rng: Rng; maxFraction: number };
  timeline?: TimelineSink;
}

export interface HeartbeatChange {
  name: string;
  tNs: number;
  up: boolean;
}

export interface HeartbeatOutput {
  /** Probe transmissions due (their scheduled times). */
  sends: { tNs: number; probe: ProbeKind }[];
  changes: HeartbeatChange[];
}

export type HeartbeatPreset = "keepalived" | "bfd" | "bfd-hw" | "bonding-arp";

/** Timers of the anchors (docs/failover.md); priority only matters for keepalived's skew. */
export function heartbeatPreset(p: HeartbeatPreset, priority = 100): Pick<HeartbeatOptions, "intervalNs" | "multiplier" | "skewNs" | "probe"> {
  switch (p) {
    case "keepalived":
      return { intervalNs: NS_PER_S, multiplier: 3, skewNs: Math.floor(((256 - priority) * NS_PER_S) / 256), probe: "hello" };
    case "bfd":
      return { intervalNs: 50 * NS_PER_MS, multiplier: 3, skewNs: 0, probe: "hello" };
    case "bfd-hw":
      return { intervalNs: 3_300_000, multiplier: 3, skewNs: 0, probe: "hello" };
    case "bonding-arp":
      return { intervalNs: 100 * NS_PER_MS, multiplier: 2, skewNs: 0, probe: "arp-probe" };
  }
}

/** The nominal detection time: multiplier × interval + skew + downDelay. */
export function detectionNs(o: Pick<HeartbeatOptions, "intervalNs" | "multiplier" | "skewNs" | "downDelayNs">): number {
  return o.multiplier * o.intervalNs + (o.skewNs ?? 0) + (o.downDelayNs ?? 0);
}

export class HeartbeatMonitor implements Timed {
  readonly name: string;
  readonly detectNs: number;
  private readonly probe: ProbeKind;
  private st: "up" | "down" | "back" = "up";
  private lastRxNs = 0;
  private upAtNs: number | null = null;
  private nextTxNs: number | null = null;
  private watching = false;
  private readonly timeline: TimelineSink;
  received = 0;

  constructor(private readonly opts: HeartbeatOptions) {
    this.name = opts.name;
    checkNs("intervalNs", opts.intervalNs);
    if (opts.intervalNs === 0) throw new RangeError("intervalNs: must be positive");
    if (!Number.isInteger(opts.multiplier) || opts.multiplier < 1 || opts.multiplier > 255) throw new RangeError(`multiplier: ${opts.multiplier}`);
    checkNs("skewNs", opts.skewNs ?? 0);
    checkNs("downDelayNs", opts.downDelayNs ?? 0);
    checkNs("upDelayNs", opts.upDelayNs ?? 0);
    if (opts.jitter && !(opts.jitter.maxFraction >= 0 && opts.jitter.maxFraction < 1)) throw new RangeError("jitter.maxFraction: 0..1");
    this.detectNs = detectionNs(opts);
    this.probe = opts.probe ?? "hello";
    this.timeline = opts.timeline ?? NO_TIMELINE;
  }

  get up(): boolean {
    return this.st === "up";
  }

  get state() {
    return this.st;
  }

  /** Starts sending at now and watching; the peer gets a full detection time to show up. */
  start(now: number, assume: "up" | "down" = "up"): void {
    checkNs("now", now);
    this.st = assume;
    this.lastRxNs = now;
    this.upAtNs = null;
    this.nextTxNs = now;
    this.watching = true;
  }

  pause(now: number): void {
    if (!this.watching) return;
    this.watching = false;
    this.nextTxNs = null;
    this.upAtNs = null;
    this.timeline.push({ tNs: now, source: this.name, name: "monitor.pause" });
  }

  resume(now: number, assume: "up" | "down" = "up"): void {
    this.start(now, assume);
    this.timeline.push({ tNs: now, source: this.name, name: "monitor.resume" });
  }

  /**
   * A valid heartbeat from the peer arrived at now (authenticated by the caller). Returns
   * the changes it causes: a heartbeat arriving at (or after) the detection time is late,
   * so "lost" is reported first, then "up" when no up-delay applies.
   */
  heard(now: number): HeartbeatChange[] {
    if (!this.watching) return [];
    this.received++;
    const out: HeartbeatChange[] = [];
    const lost = this.expire(now);
    if (lost) out.push(lost);
    this.lastRxNs = now;
    if (this.st !== "down") return out;
    const upDelay = this.opts.upDelayNs ?? 0;
    if (upDelay === 0) {
      out.push(this.change(now, true));
      return out;
    }
    this.st = "back";
    this.upAtNs = now + upDelay;
    this.timeline.push({ tNs: now, source: this.name, name: "heartbeat.back" });
    return out;
  }

  nextDeadline(): number | null {
    if (!this.watching) return null;
    let t = this.nextTxNs;
    const consider = (x: number | null) => {
      if (x !== null && (t === null || x < t)) t = x;
    };
    if (this.st !== "down") consider(this.lastRxNs + this.detectNs);
    if (this.st === "back") consider(this.upAtNs);
    return t;
  }

  tick(now: number): HeartbeatOutput {
    const out: HeartbeatOutput = { sends: [], changes: [] };
    if (!this.watching) return out;
    while (this.nextTxNs !== null && this.nextTxNs <= now) {
      out.sends.push({ tNs: this.nextTxNs, probe: this.probe });
      this.nextTxNs += this.txInterval();
    }
    const c = this.expire(now);
    if (c) out.changes.push(c);
    if (this.st === "back" && this.upAtNs !== null && this.upAtNs <= now) {
      const t = this.upAtNs;
      this.upAtNs = null;
      out.changes.push(this.change(t, true));
    }
    return out;
  }

  private expire(now: number): HeartbeatChange | null {
    const deadline = this.lastRxNs + this.detectNs;
    if (this.st === "down" || now < deadline) return null;
    if (this.st === "back") {
      this.st = "down";
      this.upAtNs = null;
      this.timeline.push({ tNs: deadline, source: this.name, name: "heartbeat.cancel" });
      return null;
    }
    return this.change(deadline, false);
  }

  private change(t: number, up: boolean): HeartbeatChange {
    this.st = up ? "up" : "down";
    this.timeline.push({ tNs: t, source: this.name, name: up ? "heartbeat.up" : "heartbeat.lost", detail: up ? undefined : { silentNs: t - this.lastRxNs } });
    return { name: this.name, tNs: t, up };
  }

  private txInterval(): number {
    const j = this.opts.jitter;
    if (!j) return this.opts.intervalNs;
    return Math.max(1, Math.round(this.opts.intervalNs * (1 - j.rng.float() * j.maxFraction)));
  }
}
