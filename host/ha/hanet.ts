// The alternate-path failover assembled (docs/failover.md): per path, link monitors on each member (a
// single interface is a trunk of one) with the trunk threshold, and optionally a heartbeat;
// when the primary path fails, PathFailover runs the sequence. HaNet routes the sequence's
// pause/resume actions to the right monitors itself and hands every action back to the
// caller, who carries out the interface ones (an IfaceTable, the NIC models).
//
// Deterministic and timer-free like its parts: tick(now) processes every component's due
// work in time order (the earliest deadline first), so a link change feeds the failover at
// the poll time it was seen, not at the time tick was called.

import { HeartbeatMonitor, HeartbeatOptions, ProbeKind } from "./heartbeat";
import { LinkMonitor } from "./link-monitor";
import { PathAction, PathFailover, PathFailoverOptions } from "./path-failover";
import { TrunkHealth, trunkFailed } from "./trunk";
import { TimelineSink, NO_TIMELINE, Timed, checkNs } from "./timeline";

export interface PathMonitorSpec {
  /** Link members polled for STATUS.LU; default: the interface alone, if readStatus given. */
  members?: { name: string; readStatus: () => number }[];
  /** Trunk threshold in percent (1..100); default 50 (two links of a quad trunk). */
  thresholdPct?: number;
  /** Also watch a heartbeat on this path (see heard()). */
  heartbeat?: boolean;
}

export interface HaNetOptions {
  name: string;
  failover: Omit<PathFailoverOptions, "name" | "timeline">;
  /** Per logical interface (the failover's primary and secondary). */
  paths: Record<string, PathMonitorSpec>;
  link?: { pollNs?: number; upDelayNs?: number; downDelayNs?: number };
  heartbeat?: Omit<HeartbeatOptions, "name" | "timeline">;
  timeline?: TimelineSink;
}

interface PathMonitors {
  links: LinkMonitor[];
  trunk: TrunkHealth | null;
  heartbeat: HeartbeatMonitor | null;
}

export interface HaNetOutput {
  actions: PathAction[];
  /** Heartbeat probes to transmit on an interface. */
  sends: { iface: string; tNs: number; probe: ProbeKind }[];
}

export class HaNet implements Timed {
  readonly failover: PathFailover;
  private readonly monitors = new Map<string, PathMonitors>();
  private readonly timeline: TimelineSink;
  private readonly started = new Set<string>();

  constructor(readonly opts: HaNetOptions) {
    this.timeline = opts.timeline ?? NO_TIMELINE;
    this.failover = new PathFailover({
      ...opts.failover,
      standbyUsable: opts.failover.standbyUsable ?? ((iface) => this.linksUsable(iface)),
      name: opts.name,
      timeline: this.timeline,
    });
    for (const iface of [opts.failover.primary, opts.failover.secondary]) {
      const spec = opts.paths[iface] ?? {};
      const links = (spec.members ?? []).map(
        (m) => new LinkMonitor({ name: m.name, readStatus: m.readStatus, ...opts.link, timeline: this.timeline }),
      );
      const trunk = links.length ? new TrunkHealth(iface, links.map((l) => l.name), spec.thresholdPct ?? 50, this.timeline) : null;
      let heartbeat: HeartbeatMonitor | null = null;
      if (spec.heartbeat) {
        if (!opts.heartbeat) throw new RangeError(`${iface}: heartbeat requested but no heartbeat options`);
        heartbeat = new HeartbeatMonitor({ ...opts.heartbeat, name: `${iface}.hb`, timeline: this.timeline });
      }
      if (!trunk && !heartbeat) throw new RangeError(`${iface}: nothing monitors this path`);
      this.monitors.set(iface, { links, trunk, heartbeat });
    }
  }

  path(iface: string): PathMonitors {
    const m = this.monitors.get(iface);
    if (!m) throw new RangeError(`no path ${iface}`);
    return m;
  }

  start(now: number): HaNetOutput {
    checkNs("now", now);
    const out: HaNetOutput = { actions: [], sends: [] };
    this.route(this.failover.start(now), now, out);
    return out;
  }

  /** A heartbeat (reply) arrived on iface. */
  heard(iface: string, now: number): HaNetOutput {
    const out: HaNetOutput = { actions: [], sends: [] };
    for (const c of this.path(iface).heartbeat?.heard(now) ?? []) {
      if (!c.up && this.failover.primary === iface) this.pathDown(iface, c.tNs, "heartbeat", out);
    }
    return out;
  }

  nextDeadline(): number | null {
    let best: number | null = this.failover.nextDeadline();
    for (const t of this.components().map((c) => c.nextDeadline())) if (t !== null && (best === null || t < best)) best = t;
    return best;
  }

  tick(now: number): HaNetOutput {
    const out: HaNetOutput = { actions: [], sends: [] };
    for (let guard = 0; guard < 1_000_000; guard++) {
      const t = this.nextDeadline();
      if (t === null || t > now) return out;
      if (this.failover.nextDeadline() === t) {
        this.route(this.failover.tick(t), t, out);
        continue;
      }
      for (const [iface, m] of this.monitors) {
        let polled = false;
        for (const l of m.links) {
          if (l.nextDeadline() !== t) continue;
          polled = true;
          for (const c of l.tick(t)) {
            if (m.trunk?.update(c) === "failed" && this.failover.primary === iface) this.pathDown(iface, c.tNs, `trunk ${m.trunk.failedMembers.join(",")}`, out);
          }
        }
        // Still failed with nowhere to go: try again at every poll (the standby may be back).
        if (polled && m.trunk?.state === "failed" && this.failover.primary === iface && this.failover.state === "monitoring") {
          this.pathDown(iface, t, `trunk ${m.trunk.failedMembers.join(",")} (retry)`, out);
        }
        if (m.heartbeat && m.heartbeat.nextDeadline() === t) {
          const r = m.heartbeat.tick(t);
          out.sends.push(...r.sends.map((s) => ({ iface, ...s })));
          for (const c of r.changes) if (!c.up && this.failover.primary === iface) this.pathDown(iface, c.tNs, "heartbeat", out);
        }
      }
    }
    throw new Error(`${this.opts.name}: tick made no progress`);
  }

  /**
   * The default standby check: the standby path's links, read once now (a cold standby's
   * PHY still reports LU), must not trip its trunk threshold. Paths watched only by a
   * heartbeat cannot be judged before use: assumed usable.
   */
  private linksUsable(iface: string): boolean {
    const m = this.path(iface);
    if (!m.trunk) return true;
    const failed = m.links.filter((l) => l.readNow() === false).length;
    return !trunkFailed(failed, m.links.length, m.trunk.thresholdPct);
  }

  private components(): Timed[] {
    const xs: Timed[] = [];
    for (const m of this.monitors.values()) {
      xs.push(...m.links);
      if (m.heartbeat) xs.push(m.heartbeat);
    }
    return xs;
  }

  private pathDown(iface: string, t: number, reason: string, out: HaNetOutput): void {
    this.route(this.failover.pathFailed(t, `${iface}: ${reason}`), t, out);
  }

  private route(actions: PathAction[], t: number, out: HaNetOutput): void {
    for (const a of actions) {
      out.actions.push(a);
      if (a.op !== "pause-monitor" && a.op !== "resume-monitor") continue;
      const m = this.path(a.iface);
      if (a.op === "pause-monitor") {
        m.links.forEach((l) => l.pause(t));
        m.heartbeat?.pause(t);
      } else {
        // The first resume is the start-up: no "monitor.resume" event for it.
        const first = !this.started.has(a.iface);
        this.started.add(a.iface);
        m.trunk?.reset();
        m.links.forEach((l) => (first ? l.start(t) : l.resume(t)));
        if (m.heartbeat) (first ? m.heartbeat.start(t) : m.heartbeat.resume(t));
      }
    }
  }
}
