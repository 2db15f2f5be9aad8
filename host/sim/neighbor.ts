// A neighbour cache with Linux's rules (net/core/neighbour.c, net/ipv4/arp.c arp_process,
// net/ipv6/ndisc.c ndisc_recv_na), enough to decide where a simulated host sends a packet
// for a VIP before, during and after a takeover. test/neighbor.test.ts states the rules as a
// table; test/linux-neigh.test.ts replays the same table against a real kernel.
//
// Rules modelled (Linux 6.x, defaults from /proc/sys/net/ipv{4,6}/neigh/default):
// - ARP, existing entry: the sender's mapping is updated when the lock time (1 s) since the
//   entry's last change has passed, or at once when the frame is gratuitous: sender IP ==
//   target IP (a request, RFC 5227 announcement) or a reply whose target MAC equals its
//   sender MAC (arping -A). Without override a different MAC is ignored.
// - ARP, no entry: created only when arp_accept allows it (0 never, 1 always, 2 when the
//   sender is in the receiving interface's subnet) and the frame is gratuitous or a reply;
//   a request addressed to our own IP always creates/overrides the requester's entry.
// - New state after an ARP update: REACHABLE for a unicast reply to us, STALE otherwise; an
//   update that repeats the cached MAC with STALE leaves the state as it was.
// - NA: no entry -> ignored (unless accept_untracked_na); FAILED or PERMANENT -> ignored;
//   Override set -> the MAC is replaced; Override clear with a different MAC -> a REACHABLE
//   entry only drops to STALE (RFC 4861 §7.2.5). Solicited -> REACHABLE, else STALE.
// - Output: REACHABLE/DELAY/PROBE/PERMANENT send to the cached MAC; STALE sends and enters
//   DELAY (5 s); DELAY without confirmation becomes PROBE: 3 unicast probes 1 s apart, then
//   FAILED. No entry or FAILED: INCOMPLETE, the packet is queued (101 max), 3 broadcast
//   solicitations 1 s apart, then FAILED and the queue is dropped. REACHABLE lasts a random
//   [base/2, 3·base/2) with base 30 s (drawn once per cache from the Rng; Linux redraws it
//   every 300 s).

import { Rng } from "../util/rng";
import { formatMac } from "../util/addr";
import { NS_PER_S, NS_PER_MS, checkNs } from "../ha/timeline";

export type NudState = "incomplete" | "reachable" | "stale" | "delay" | "probe" | "failed" | "permanent";

const VALID: ReadonlySet<NudState> = new Set(["reachable", "stale", "delay", "probe", "permanent"]);
const CONNECTED: ReadonlySet<NudState> = new Set(["reachable", "permanent"]);

export interface NeighParams {
  /** net.ipv4.neigh.*.locktime (100 centiseconds); IPv6 NAs do not use it. */
  locktimeNs: number;
  baseReachableNs: number;
  delayFirstProbeNs: number;
  retransNs: number;
  ucastSolicit: number;
  mcastSolicit: number;
  unresQlen: number;
  /** net.ipv4.conf.*.arp_accept: 0 never create from gratuitous ARP, 1 always, 2 same subnet. */
  arpAccept: 0 | 1 | 2;
  /** net.ipv6.conf.*.accept_untracked_na (routers only in Linux): create entries from NAs. */
  acceptUntrackedNa: boolean;
}

export const LINUX_DEFAULTS: Readonly<NeighParams> = Object.freeze({
  locktimeNs: 1 * NS_PER_S,
  baseReachableNs: 30 * NS_PER_S,
  delayFirstProbeNs: 5 * NS_PER_S,
  retransNs: 1000 * NS_PER_MS,
  ucastSolicit: 3,
  mcastSolicit: 3,
  unresQlen: 101,
  arpAccept: 0,
  acceptUntrackedNa: false,
});

export interface NeighEntry<Q> {
  ip: string;
  family: 4 | 6;
  mac: string | null;
  state: NudState;
  /** Last change of MAC or state (the lock time counts from here). */
  updatedNs: number;
  /** Last reachability confirmation. */
  confirmedNs: number;
  usedNs: number;
  /** When the entry's timer fires (REACHABLE expiry, DELAY end, next probe), or null. */
  timerNs: number | null;
  probes: number;
  queue: Q[];
}

/** What an incoming ARP/NA did to the cache (test tables and counters name these). */
export type UpdateOutcome =
  | "created"
  | "updated" // MAC changed
  | "refreshed" // same MAC, state changed
  | "unchanged" // same MAC and state
  | "ignored-locktime"
  | "ignored-no-entry"
  | "ignored-permanent"
  | "ignored-failed"
  | "ignored-no-override"
  | "stale-only"; // NA without Override on a REACHABLE entry with another MAC

export interface Solicit {
  family: 4 | 6;
  ip: string;
  /** Broadcast/multicast resolution, or a unicast probe to the cached MAC. */
  kind: "broadcast" | "unicast";
  dstMac: string | null;
}

/** Packets released or dropped by a cache change. */
export interface Released<Q> {
  ip: string;
  mac: string;
  packets: Q[];
}

export interface CacheEffects<Q> {
  solicits: Solicit[];
  /** Queued packets that can now go out (INCOMPLETE resolved). */
  released: Released<Q>[];
  /** Queued packets dropped (resolution failed, queue overflow). */
  dropped: Q[];
}

export type OutputVerdict<Q> =
  | { verdict: "send"; mac: string; state: NudState }
  | { verdict: "queued" };

export interface ArpIn {
  op: number;
  sha: Uint8Array;
  spa: string;
  tha: Uint8Array;
  tpa: string;
  /** Unicast to this host (PACKET_HOST) rather than broadcast. */
  unicastToUs: boolean;
}

export interface NaIn {
  flags: number; // R 0x80, S 0x40, O 0x20
  target: string;
  tlla: Uint8Array | null;
}

export interface CacheIdentity {
  /** The host's own IPv4 addresses with prefix lengths: requests to them, arp_accept=2. */
  ip4: { ip: string; prefixLen: number }[];
}

const OP_REQUEST = 1;
const OP_REPLY = 2;
const NA_SOLICITED = 0x40;
const NA_OVERRIDE = 0x20;

function ip4ToInt(ip: string): number {
  return ip.split(".").reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
}

function sameSubnet(a: string, b: string, prefixLen: number): boolean {
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  return ((ip4ToInt(a) & mask) >>> 0) === ((ip4ToInt(b) & mask) >>> 0);
}

export class NeighborCache<Q = unknown> {
  readonly params: NeighParams;
  /** Current REACHABLE duration (Linux: neigh_rand_reach_time(base_reachable_time)). */
  readonly reachableNs: number;
  private readonly entries = new Map<string, NeighEntry<Q>>();

  constructor(
    private readonly identity: CacheIdentity,
    rng: Rng,
    params: Partial<NeighParams> = {},
  ) {
    this.params = { ...LINUX_DEFAULTS, ...params };
    for (const k of ["locktimeNs", "baseReachableNs", "delayFirstProbeNs", "retransNs"] as const) checkNs(k, this.params[k]);
    const base = this.params.baseReachableNs;
    this.reachableNs = base === 0 ? 0 : Math.floor(base / 2) + Math.floor(rng.float() * base);
  }

  get(ip: string): NeighEntry<Q> | undefined {
    return this.entries.get(ip);
  }

  /** The MAC a packet for ip would go to now, without side effects (null: none/unresolved). */
  peek(ip: string): string | null {
    const e = this.entries.get(ip);
    return e && VALID.has(e.state) ? e.mac : null;
  }

  list(): NeighEntry<Q>[] {
    return [...this.entries.values()];
  }

  /** `ip neigh replace IP lladdr MAC nud STATE`: an administrative entry, any state. */
  replace(ip: string, mac: string, state: Exclude<NudState, "incomplete" | "failed">, now: number): void {
    const e = this.entry(ip, now);
    e.mac = mac;
    e.state = state;
    e.updatedNs = now;
    e.confirmedNs = state === "reachable" ? now : now - 2 * this.params.baseReachableNs;
    e.probes = 0;
    e.timerNs = this.timerFor(e, now);
  }

  // ---- input ------------------------------------------------------------------------------

  /** arp_process's table update for one received ARP frame. */
  arpIn(a: ArpIn, now: number): { outcome: UpdateOutcome } & CacheEffects<Q> {
    const fx = this.noEffects();
    const sha = formatMac(a.sha);
    const toOurIp = this.identity.ip4.some((x) => x.ip === a.tpa);
    // A request for one of our addresses: neigh_event_ns() creates or overrides the
    // requester's entry (STALE) whatever the lock time says.
    if (a.op === OP_REQUEST && toOurIp && a.spa !== "0.0.0.0") {
      const existed = this.entries.has(a.spa);
      const outcome = this.update(this.entry(a.spa, now), sha, "stale", true, false, now, fx);
      return { outcome: existed ? outcome : "created", ...fx };
    }
    if (a.spa === "0.0.0.0") return { outcome: "ignored-no-entry", ...fx }; // a probe: nothing to learn
    let e = this.entries.get(a.spa);
    const isGarp = a.spa === a.tpa && (a.op === OP_REQUEST || formatMac(a.tha) === sha);
    let created = false;
    if (!e) {
      if (!this.arpAcceptAllows(a.spa) || !(isGarp || a.op === OP_REPLY)) return { outcome: "ignored-no-entry", ...fx };
      e = this.entry(a.spa, now);
      created = true;
    }
    if (e.state === "permanent") return { outcome: "ignored-permanent", ...fx };
    const override = now >= e.updatedNs + this.params.locktimeNs || isGarp;
    // "Broadcast replies and request packets do not assert neighbour reachability."
    const state: NudState = a.op === OP_REPLY && a.unicastToUs ? "reachable" : "stale";
    const outcome = this.update(e, sha, state, override, false, now, fx);
    return { outcome: created ? "created" : outcome === "ignored-no-override" ? "ignored-locktime" : outcome, ...fx };
  }

  /** ndisc_recv_na's update for one received Neighbor Advertisement. */
  naIn(na: NaIn, now: number): { outcome: UpdateOutcome } & CacheEffects<Q> {
    const fx = this.noEffects();
    let e = this.entries.get(na.target);
    let created = false;
    if (!e) {
      if (!this.params.acceptUntrackedNa || !na.tlla) return { outcome: "ignored-no-entry", ...fx };
      e = this.entry(na.target, now);
      created = true;
    }
    if (e.state === "failed") return { outcome: "ignored-failed", ...fx };
    if (e.state === "permanent") return { outcome: "ignored-permanent", ...fx };
    const lladdr = na.tlla ? formatMac(na.tlla) : e.mac;
    if (lladdr === null) return { outcome: "ignored-no-entry", ...fx }; // INCOMPLETE and no TLLA
    const state: NudState = created ? "stale" : na.flags & NA_SOLICITED ? "reachable" : "stale";
    const outcome = this.update(e, lladdr, state, (na.flags & NA_OVERRIDE) !== 0, true, now, fx);
    return { outcome: created ? "created" : outcome, ...fx };
  }

  /** An upper layer saw the peer answer (TCP ACK, a reply): dst_confirm_neigh. */
  confirm(ip: string, now: number): void {
    const e = this.entries.get(ip);
    if (e) e.confirmedNs = now;
  }

  // ---- output -----------------------------------------------------------------------------

  /** neigh_resolve_output: where a packet for ip goes now, starting resolution if needed. */
  output(ip: string, packet: Q, now: number): OutputVerdict<Q> & CacheEffects<Q> {
    const fx = this.noEffects();
    const e = this.entry(ip, now);
    e.usedNs = now;
    if (e.state === "reachable" || e.state === "delay" || e.state === "probe" || e.state === "permanent") {
      return { verdict: "send", mac: e.mac!, state: e.state, ...fx };
    }
    if (e.state === "stale") {
      e.state = "delay";
      e.updatedNs = now;
      e.timerNs = now + this.params.delayFirstProbeNs;
      return { verdict: "send", mac: e.mac!, state: "delay", ...fx };
    }
    if (e.state === "failed" || (e.state === "incomplete" && e.timerNs === null)) {
      // A new or failed entry starts resolving: probes begin at ucast_solicit so that only
      // the mcast_solicit broadcasts remain (neigh.c __neigh_event_send).
      e.state = "incomplete";
      e.updatedNs = now;
      e.probes = this.params.ucastSolicit;
      e.timerNs = now + this.params.retransNs;
      this.probe(e, fx);
    }
    e.queue.push(packet);
    // unres_qlen: the oldest queued packet is dropped first.
    while (e.queue.length > this.params.unresQlen) fx.dropped.push(e.queue.shift()!);
    return { verdict: "queued", ...fx };
  }

  // ---- timers -----------------------------------------------------------------------------

  nextDeadline(): number | null {
    let best: number | null = null;
    for (const e of this.entries.values()) if (e.timerNs !== null && (best === null || e.timerNs < best)) best = e.timerNs;
    return best;
  }

  /** neigh_timer_handler for every entry whose timer has come, in time order. */
  tick(now: number): CacheEffects<Q> {
    const fx = this.noEffects();
    for (;;) {
      let due: NeighEntry<Q> | null = null;
      for (const e of this.entries.values()) {
        if (e.timerNs !== null && e.timerNs <= now && (due === null || e.timerNs < due.timerNs!)) due = e;
      }
      if (!due) return fx;
      this.fire(due, due.timerNs!, fx);
    }
  }

  private fire(e: NeighEntry<Q>, t: number, fx: CacheEffects<Q>): void {
    const p = this.params;
    let next: number;
    if (e.state === "reachable") {
      if (t < e.confirmedNs + this.reachableNs) {
        e.timerNs = e.confirmedNs + this.reachableNs;
        return;
      }
      if (t <= e.usedNs + p.delayFirstProbeNs) {
        this.setState(e, "delay", t);
        e.timerNs = t + p.delayFirstProbeNs;
      } else {
        this.setState(e, "stale", t);
        e.timerNs = null;
      }
      return;
    }
    if (e.state === "delay") {
      if (t <= e.confirmedNs + p.delayFirstProbeNs) {
        this.setState(e, "reachable", t);
        e.timerNs = e.confirmedNs + this.reachableNs;
        return;
      }
      this.setState(e, "probe", t);
      e.probes = 0;
      next = t + p.retransNs;
    } else if (e.state === "probe" || e.state === "incomplete") {
      next = t + p.retransNs;
    } else {
      e.timerNs = null;
      return;
    }
    const maxProbes = e.state === "probe" ? p.ucastSolicit : p.ucastSolicit + p.mcastSolicit;
    if (e.probes >= maxProbes) {
      this.setState(e, "failed", t);
      e.timerNs = null;
      fx.dropped.push(...e.queue);
      e.queue = [];
      return;
    }
    e.timerNs = next;
    this.probe(e, fx);
  }

  // ---- internals --------------------------------------------------------------------------

  private noEffects(): CacheEffects<Q> {
    return { solicits: [], released: [], dropped: [] };
  }

  private entry(ip: string, now: number): NeighEntry<Q> {
    let e = this.entries.get(ip);
    if (!e) {
      e = {
        ip,
        family: ip.includes(":") ? 6 : 4,
        mac: null,
        state: "incomplete",
        updatedNs: now,
        confirmedNs: now - 2 * this.params.baseReachableNs,
        usedNs: now,
        timerNs: null,
        probes: 0,
        queue: [],
      };
      this.entries.set(ip, e);
    }
    return e;
  }

  private arpAcceptAllows(spa: string): boolean {
    if (this.params.arpAccept === 1) return true;
    if (this.params.arpAccept === 2) return this.identity.ip4.some((x) => sameSubnet(x.ip, spa, x.prefixLen));
    return false;
  }

  private probe(e: NeighEntry<Q>, fx: CacheEffects<Q>): void {
    // neigh_probe / arp_solicit: the first ucast_solicit probes of a valid entry go unicast
    // to the cached MAC, the rest are broadcast.
    const unicast = e.probes < this.params.ucastSolicit && e.mac !== null && VALID.has(e.state);
    fx.solicits.push({ family: e.family, ip: e.ip, kind: unicast ? "unicast" : "broadcast", dstMac: unicast ? e.mac : null });
    e.probes++;
  }

  private setState(e: NeighEntry<Q>, s: NudState, now: number): void {
    e.state = s;
    e.updatedNs = now;
  }

  private timerFor(e: NeighEntry<Q>, now: number): number | null {
    if (e.state === "reachable") return e.confirmedNs + this.reachableNs;
    if (e.state === "delay") return now + this.params.delayFirstProbeNs;
    if (e.state === "probe") return now + this.params.retransNs;
    return null;
  }

  /** neigh_update(): the common core of ARP and NA updates. */
  private update(e: NeighEntry<Q>, mac: string, state: NudState, override: boolean, weakOverride: boolean, now: number, fx: CacheEffects<Q>): UpdateOutcome {
    const old = e.state;
    let next = state;
    let newMac = mac;
    let weak = false;
    if (old === "permanent") return "ignored-permanent";
    if (VALID.has(old)) {
      if (mac !== e.mac && !override) {
        if (!weakOverride || !CONNECTED.has(old)) return "ignored-no-override";
        // RFC 4861 §7.2.5: keep the MAC, but stop trusting it.
        newMac = e.mac!;
        next = "stale";
        weak = true;
      } else if (mac === e.mac && next === "stale") {
        next = old; // a repeat of what we know does not demote the entry
      }
    }
    const macChanged = newMac !== e.mac;
    if (next === old && !macChanged) return "unchanged";
    e.updatedNs = now;
    if (next !== old) {
      e.state = next;
      if (next === "reachable") {
        e.confirmedNs = now;
        e.timerNs = now + this.reachableNs;
      } else if (next === "stale") {
        e.timerNs = null;
      }
    }
    if (macChanged) {
      e.mac = newMac;
      if (!CONNECTED.has(next)) e.confirmedNs = now - 2 * this.params.baseReachableNs;
    }
    if (!VALID.has(old) && e.queue.length) {
      fx.released.push({ ip: e.ip, mac: newMac, packets: e.queue });
      e.queue = [];
    }
    return weak ? "stale-only" : macChanged ? "updated" : "refreshed";
  }
}
