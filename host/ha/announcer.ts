// The takeover announcer: after a unit claims the shared addresses it tells the segment,
// with gratuitous ARP for each IPv4 VIP and unsolicited Neighbor Advertisements for each
// IPv6 VIP, in keepalived's pattern: a burst at once, a second burst after a delay, an
// optional periodic refresh while active, and a fresh burst on demand (split brain won).
//
// Frames come from the core's encoders (WireCodec.announce / unsolicitedNa). The schedule is
// a pure function of the knobs and the start time (announceSchedule); the Announcer class
// walks it from explicit tick(now) calls and arms no timers of its own.
//
// knob              lastgasp default        keepalived (global_defs)            Linux bonding
// count             5                       vrrp_garp_master_repeat 5           num_grat_arp / num_unsol_na 1
// spacingNs         0                       vrrp_garp_interval / gna_interval 0 peer_notif_delay 0
// secondBurstDelay  5 s                     vrrp_garp_master_delay 5 (0 = none) -
// secondBurstCount  = count                 = garp_master_repeat                -
// refreshNs         0 (none)                vrrp_garp_master_refresh 0          -
// refreshCount      1                       vrrp_garp_master_refresh_repeat 1   -
// arpVariants       garp + garp-reply       request, target MAC ff:ff:..        request, target MAC zero
// naRouter          false                   (set when the instance routes)      -

import { AnnounceKind } from "../wire/codec";
import { parseIPv4, parseIPv6, parseMac, formatMac } from "../util/addr";
import { NS_PER_S, TimelineSink, NO_TIMELINE, Timed, checkNs } from "./timeline";
import { VLAN_VID_MASK, VLAN_VID_RESERVED } from "../../assembly/shared/wire";

export type ArpVariant = Exclude<AnnounceKind, "arp-probe">; // "garp" | "garp-reply"
export type AnnounceFrameKind = ArpVariant | "na";
export type BurstName = "first" | "second" | "refresh" | "again";

export interface AnnounceKnobs {
  /** Rounds per burst: each round announces every VIP once per variant. */
  count: number;
  /** Gap between consecutive frames on the interface (switches rate-limit bursts). */
  spacingNs: number;
  /** Delay from the start to the second burst; 0 = no second burst. */
  secondBurstDelayNs: number;
  /** Rounds in the second burst. */
  secondBurstCount: number;
  /** Period of the refresh while active, measured from the start; 0 = no refresh. */
  refreshNs: number;
  /** Rounds per refresh. */
  refreshCount: number;
  /** ARP frame variants per IPv4 VIP and round, in this order. */
  arpVariants: ArpVariant[];
  /** Set the Router flag in the NAs (the unit forwards for the hosts). */
  naRouter: boolean;
  /** 802.1Q TCI for every frame; undefined = untagged. */
  vlanTci?: number;
}

export const DEFAULT_KNOBS: Readonly<AnnounceKnobs> = Object.freeze({
  count: 5,
  spacingNs: 0,
  secondBurstDelayNs: 5 * NS_PER_S,
  secondBurstCount: 5,
  refreshNs: 0,
  refreshCount: 1,
  arpVariants: ["garp", "garp-reply"] as ArpVariant[],
  naRouter: false,
});

/** keepalived's own defaults, for comparisons: one variant (a request), otherwise the same. */
export const KEEPALIVED_KNOBS: Readonly<AnnounceKnobs> = Object.freeze({ ...DEFAULT_KNOBS, arpVariants: ["garp"] as ArpVariant[] });

export function knobs(overrides: Partial<AnnounceKnobs> = {}): AnnounceKnobs {
  const k: AnnounceKnobs = { ...DEFAULT_KNOBS, arpVariants: [...DEFAULT_KNOBS.arpVariants], ...overrides };
  if (overrides.count !== undefined && overrides.secondBurstCount === undefined) k.secondBurstCount = k.count;
  validateKnobs(k);
  return k;
}

export function validateKnobs(k: AnnounceKnobs): void {
  for (const n of ["count", "secondBurstCount", "refreshCount"] as const) {
    if (!Number.isInteger(k[n]) || k[n] < 0 || k[n] > 1000) throw new RangeError(`${n}: ${k[n]} is not an integer in 0..1000`);
  }
  checkNs("spacingNs", k.spacingNs);
  checkNs("secondBurstDelayNs", k.secondBurstDelayNs);
  checkNs("refreshNs", k.refreshNs);
  if (k.refreshNs > 0 && k.refreshNs <= k.spacingNs) throw new RangeError(`refreshNs: must exceed spacingNs`);
  for (const v of k.arpVariants) if (v !== "garp" && v !== "garp-reply") throw new RangeError(`arpVariants: ${String(v)}`);
  if (k.vlanTci !== undefined && (!Number.isInteger(k.vlanTci) || k.vlanTci < 0 || k.vlanTci > 0xffff || (k.vlanTci & VLAN_VID_MASK) === VLAN_VID_RESERVED)) {
    throw new RangeError(`vlanTci: ${k.vlanTci}`);
  }
}

/** A shared address, parsed once. */
export interface Vip {
  text: string;
  family: 4 | 6;
  bytes: Uint8Array;
}

export function parseVip(text: string): Vip {
  return text.includes(":") ? { text, family: 6, bytes: parseIPv6(text) } : { text, family: 4, bytes: parseIPv4(text) };
}

/** One frame of the schedule, before it is built. */
export interface ScheduledAnnouncement {
  tNs: number;
  burst: BurstName;
  /** Round within the burst, from 0. */
  round: number;
  kind: AnnounceFrameKind;
  vip: string;
}

/** The frames of one burst starting at t0: rounds × (IPv4 VIPs × variants, then IPv6 VIPs). */
export function burstSchedule(k: AnnounceKnobs, vips: readonly Vip[], t0: number, burst: BurstName, rounds: number): ScheduledAnnouncement[] {
  const out: ScheduledAnnouncement[] = [];
  let i = 0;
  for (let round = 0; round < rounds; round++) {
    for (const v of vips) {
      if (v.family !== 4) continue;
      for (const kind of k.arpVariants) out.push({ tNs: t0 + i++ * k.spacingNs, burst, round, kind, vip: v.text });
    }
    for (const v of vips) {
      if (v.family === 6) out.push({ tNs: t0 + i++ * k.spacingNs, burst, round, kind: "na", vip: v.text });
    }
  }
  return out;
}

/**
 * Everything announced from a start at t0 up to and including untilNs: the first burst at
 * t0, the second at t0 + secondBurstDelay, refreshes at t0 + n × refresh (n ≥ 1). Sorted by
 * time; frames due at the same instant keep burst order (first, second, refresh).
 */
export function announceSchedule(k: AnnounceKnobs, vips: readonly Vip[], t0: number, untilNs: number): ScheduledAnnouncement[] {
  validateKnobs(k);
  const all = burstSchedule(k, vips, t0, "first", k.count);
  if (k.secondBurstDelayNs > 0) all.push(...burstSchedule(k, vips, t0 + k.secondBurstDelayNs, "second", k.secondBurstCount));
  if (k.refreshNs > 0) {
    for (let t = t0 + k.refreshNs; t <= untilNs; t += k.refreshNs) all.push(...burstSchedule(k, vips, t, "refresh", k.refreshCount));
  }
  return stableByTime(all.filter((a) => a.tNs <= untilNs));
}

function stableByTime<T extends { tNs: number }>(xs: T[]): T[] {
  return xs.map((x, i) => [x, i] as const).sort((a, b) => a[0].tNs - b[0].tNs || a[1] - b[1]).map(([x]) => x);
}

/** The encoders an announcer needs: WireCodec has them. */
export interface AnnounceEncoder {
  announce(kind: AnnounceKind, mac: Uint8Array, ip: Uint8Array, vlanTci?: number): Uint8Array;
  unsolicitedNa(mac: Uint8Array, target: Uint8Array, opts?: { router?: boolean; vlanTci?: number }): Uint8Array;
}

export interface BuiltAnnouncement extends ScheduledAnnouncement {
  frame: Uint8Array;
}

export function buildAnnouncement(enc: AnnounceEncoder, k: AnnounceKnobs, mac: Uint8Array, vip: Vip, a: ScheduledAnnouncement): BuiltAnnouncement {
  const frame =
    a.kind === "na"
      ? enc.unsolicitedNa(mac, vip.bytes, { router: k.naRouter, vlanTci: k.vlanTci })
      : enc.announce(a.kind, mac, vip.bytes, k.vlanTci);
  return { ...a, frame };
}

export interface AnnouncerOptions {
  /** Source name on the timeline (the unit or proxy). */
  name: string;
  encoder: AnnounceEncoder;
  /** The MAC the VIPs are announced with (the new owner's, or its proxy's). */
  mac: string;
  vips: string[];
  knobs?: Partial<AnnounceKnobs>;
  timeline?: TimelineSink;
}

// Timeline events: announce.start, announce.again, announce.stop, announce.sent (per frame).

/**
 * Walks the schedule from explicit calls: start(now) on takeover, again(now) for a fresh
 * burst (split brain won, lower-priority peer seen), stop(now) on stepping down, and
 * tick(now) whenever nextDeadline() has come; tick returns the frames to transmit.
 */
export class Announcer implements Timed {
  readonly name: string;
  readonly knobs: AnnounceKnobs;
  readonly mac: Uint8Array;
  private vips: Vip[];
  private pending: ScheduledAnnouncement[] = [];
  private nextRefreshNs: number | null = null;
  private startedNs: number | null = null;
  private readonly timeline: TimelineSink;
  /** Frames built so far, per kind. */
  readonly sent: Record<AnnounceFrameKind, number> = { garp: 0, "garp-reply": 0, na: 0 };

  constructor(private readonly opts: AnnouncerOptions) {
    this.name = opts.name;
    this.knobs = knobs(opts.knobs);
    this.mac = parseMac(opts.mac);
    this.vips = opts.vips.map(parseVip);
    this.timeline = opts.timeline ?? NO_TIMELINE;
  }

  get active(): boolean {
    return this.startedNs !== null;
  }

  get vipList(): string[] {
    return this.vips.map((v) => v.text);
  }

  /** Replaces the VIP set (takes effect for frames not yet scheduled). */
  setVips(vips: string[]): void {
    this.vips = vips.map(parseVip);
  }

  /** Begins announcing at now: first burst now, second after the delay, refresh from now. */
  start(now: number, reason = "takeover"): void {
    checkNs("now", now);
    this.startedNs = now;
    this.pending = burstSchedule(this.knobs, this.vips, now, "first", this.knobs.count);
    if (this.knobs.secondBurstDelayNs > 0) {
      this.pending.push(...burstSchedule(this.knobs, this.vips, now + this.knobs.secondBurstDelayNs, "second", this.knobs.secondBurstCount));
    }
    this.pending = stableByTime(this.pending);
    this.nextRefreshNs = this.knobs.refreshNs > 0 ? now + this.knobs.refreshNs : null;
    this.timeline.push({ tNs: now, source: this.name, name: "announce.start", detail: { reason, mac: formatMac(this.mac), vips: this.vips.length } });
  }

  /** A fresh first-style burst now (keeps the refresh phase); starts announcing if stopped. */
  again(now: number, reason: string): void {
    if (!this.active) return this.start(now, reason);
    this.pending = stableByTime([...this.pending, ...burstSchedule(this.knobs, this.vips, now, "again", this.knobs.count)]);
    this.timeline.push({ tNs: now, source: this.name, name: "announce.again", detail: { reason } });
  }

  /** Stops: nothing more is sent (stepping down, fenced). */
  stop(now: number, reason = "stop"): void {
    if (!this.active) return;
    this.startedNs = null;
    this.pending = [];
    this.nextRefreshNs = null;
    this.timeline.push({ tNs: now, source: this.name, name: "announce.stop", detail: { reason } });
  }

  nextDeadline(): number | null {
    const p = this.pending.length ? this.pending[0].tNs : null;
    if (p === null) return this.nextRefreshNs;
    return this.nextRefreshNs === null ? p : Math.min(p, this.nextRefreshNs);
  }

  /** Every frame due at or before now, built, in schedule order. */
  tick(now: number): BuiltAnnouncement[] {
    while (this.nextRefreshNs !== null && this.nextRefreshNs <= now) {
      this.pending = stableByTime([...this.pending, ...burstSchedule(this.knobs, this.vips, this.nextRefreshNs, "refresh", this.knobs.refreshCount)]);
      this.nextRefreshNs += this.knobs.refreshNs;
    }
    const out: BuiltAnnouncement[] = [];
    while (this.pending.length && this.pending[0].tNs <= now) {
      const a = this.pending.shift()!;
      const vip = this.vips.find((v) => v.text === a.vip);
      if (!vip) continue; // removed by setVips
      const built = buildAnnouncement(this.opts.encoder, this.knobs, this.mac, vip, a);
      this.sent[a.kind]++;
      this.timeline.push({ tNs: a.tNs, source: this.name, name: "announce.sent", detail: { kind: a.kind, vip: a.vip, burst: a.burst, round: a.round } });
      out.push(built);
    }
    return out;
  }
}
