// Config sync on the chassis (docs/upgrade.md "Config sync"): each unit runs a configuration
// in the grammar of the image it booted; whenever one unit holds the VIPs and the other is up
// as its standby, a bulk-sync session runs between them — host/sync's ActiveUnit and
// StandbyUnit over a ReliableChannel, segments carried as UDP/IPv4 datagrams built by each
// unit's own core (UdpCarrier) through its OS's driver on the backplane port, the boards'
// backplane addresses, port 50613. The standby's running configuration is what it takes
// over with; the old active keeps its own.
//
// A session ends when either unit goes down or the roles change; the next pair starts a new
// one with a new session number (the chassis numbers them; a real pair would negotiate one),
// so stale segments of the old session are dropped by the channel.

import type { ChassisUnit } from "../chassis/unit";
import type { SimClock } from "../sim/clock";
import type { Board } from "../board/board";
import { Timeline } from "../ha/timeline";
import { ReliableChannel } from "../sync/reliable";
import { SYNC_UDP_PORT, UdpCarrier, UdpEndpoint } from "../sync/udp";
import { ActiveUnit } from "../sync/active";
import { StandbyUnit } from "../sync/standby";
import { RunningConfig } from "../sync/config";
import { Registry } from "../sync/pair";
import { Mode, PolicyEvent } from "../sync/policy";
import { ethView, ipv4View, be16 } from "../wire/frame";
import { ETHERTYPE_IPV4, IPPROTO_UDP, UDP_OFF_DST_PORT } from "../../assembly/shared/wire";
import type { FrameLink } from "../sync/link";

/** What a finished bulk sync left the pair in. */
export interface SyncOutcome {
  session: number;
  active: string;
  standby: string;
  activeVersion: string;
  standbyVersion: string;
  /** Images compatible (every ADL/SDL entry has a way across). */
  compatible: boolean;
  mode: Mode;
  /** The policy events of the bulk sync (commands that did not reach the standby as they are). */
  events: PolicyEvent[];
  /** The standby's configuration was verified equal to the expected one. */
  verified: boolean;
  startNs: number;
  endNs: number;
}

interface Session {
  n: number;
  active: ChassisUnit;
  standby: ChassisUnit;
  activeUnit: ActiveUnit;
  standbyUnit: StandbyUnit;
  channels: [ReliableChannel, ReliableChannel];
  rx: Map<ChassisUnit, (f: Uint8Array) => void>;
  startNs: number;
  outcome: SyncOutcome | null;
}

/** Is this an IPv4 UDP datagram to the sync port? (Read with the shared offsets, no core call.) */
function isSync(frame: Uint8Array): boolean {
  const eth = ethView(frame);
  if (!eth || eth.type !== ETHERTYPE_IPV4) return false;
  const ip = ipv4View(frame, eth.l3);
  return !!ip && ip.protocol === IPPROTO_UDP && frame.length >= ip.l4 + 8 && be16(frame, ip.l4 + UDP_OFF_DST_PORT) === SYNC_UDP_PORT;
}

export class ChassisSync {
  /** The configuration each board runs now, in its image's grammar. */
  readonly configs = new Map<string, RunningConfig>();
  /** Every session's outcome, in order. */
  readonly outcomes: SyncOutcome[] = [];
  private session: Session | null = null;
  private sessions = 0;
  private pending = false;

  constructor(
    private readonly clock: SimClock,
    private readonly timeline: Timeline,
    private readonly registry: Registry,
    private readonly units: () => ChassisUnit[],
    /** The grammar (sync image version) an incarnation speaks. */
    private readonly versionOf: (u: ChassisUnit) => string,
    /** Called when a session settles. */
    private readonly settled: () => void = () => {},
  ) {}

  /** Frames an incarnation's OS received: the sync datagrams go to the session it is part of. */
  delivered(u: ChassisUnit, frame: Uint8Array): void {
    const rx = this.session?.rx.get(u);
    if (rx && isSync(frame)) rx(frame);
  }

  /** Something changed (a unit up or down, a role): re-evaluated once this instant's events are done. */
  poke(): void {
    if (this.pending) return;
    this.pending = true;
    this.clock.at(this.clock.now(), () => {
      this.pending = false;
      this.evaluate();
    });
  }

  /** The outcome of the session between these two incarnations, if it finished. */
  outcomeFor(active: ChassisUnit, standby: ChassisUnit): SyncOutcome | null {
    const s = this.session;
    return s && s.active === active && s.standby === standby ? s.outcome : null;
  }

  private evaluate(): void {
    const up = this.units().filter((u) => u.state === "up");
    const active = up.filter((u) => u.ha.currentRole === "active" && u.holdsVips);
    const standby = up.filter((u) => u.ha.currentRole === "backup");
    const s = this.session;
    if (s && active.length === 1 && standby.length === 1 && s.active === active[0] && s.standby === standby[0]) return;
    if (s) this.close(s);
    if (active.length === 1 && standby.length === 1) this.open(active[0], standby[0]);
  }

  private close(s: Session): void {
    for (const c of s.channels) c.close();
    // A standby that reached the end of a bulk sync runs what it received; one cut short keeps what it had.
    if (s.outcome && s.standbyUnit.state === "hot") this.configs.set(s.standby.id, s.standbyUnit.running);
    if (!s.outcome) this.timeline.push({ tNs: this.clock.now(), source: "sync", name: "sync.abandoned", detail: { session: s.n, active: s.active.id, standby: s.standby.id } });
    this.session = null;
  }

  private endpoint(u: ChassisUnit): { port: number; ep: UdpEndpoint } {
    const b: Board = u.board;
    const port = b.ports.findIndex((p) => p.role === "backplane" && p.ipv4.length);
    const p = b.ports[port];
    return { port, ep: { mac: p.mac, ip: p.ipv4[0].split("/")[0], port: SYNC_UDP_PORT } };
  }

  private open(active: ChassisUnit, standby: ChassisUnit): void {
    const config = this.configs.get(active.id);
    // No configuration yet, or one of another grammar (a card that just came back on another release): nothing to offer.
    if (!config || config.version !== this.versionOf(active)) return;
    const n = ++this.sessions;
    const rx = new Map<ChassisUnit, (f: Uint8Array) => void>();
    const link = (u: ChassisUnit, port: number): FrameLink => ({
      send: (frame) => u.os.run(() => void u.driver.send(port, frame)),
      onFrame: (cb) => void rx.set(u, cb),
    });
    const a = this.endpoint(active);
    const b = this.endpoint(standby);
    const ca = new UdpCarrier(active.codec, link(active, a.port), a.ep, b.ep);
    const cb = new UdpCarrier(standby.codec, link(standby, b.port), b.ep, a.ep);
    const channels: [ReliableChannel, ReliableChannel] = [new ReliableChannel(ca, this.clock, { session: n }), new ReliableChannel(cb, this.clock, { session: n })];
    const activeImage = this.registry.get(this.versionOf(active));
    const standbyImage = this.registry.get(this.versionOf(standby));
    const activeUnit = new ActiveUnit({ image: activeImage, registry: this.registry, config, channel: channels[0], clock: this.clock });
    const standbyUnit = new StandbyUnit({ image: standbyImage, registry: this.registry, channel: channels[1] });
    const s: Session = { n, active, standby, activeUnit, standbyUnit, channels, rx, startNs: this.clock.now(), outcome: null };
    this.session = s;
    this.timeline.push({ tNs: s.startNs, source: "sync", name: "sync.start", detail: { session: n, active: active.id, standby: standby.id, from: activeImage.version, to: standbyImage.version } });
    activeUnit.startBulkSync();
    this.watch(s);
  }

  /** Polls the session until the active settles it (hot, cold or standby reset). */
  private watch(s: Session): void {
    if (this.session !== s) return;
    const st = s.activeUnit.state;
    if (st !== "hot" && st !== "cold" && st !== "standby-reset") {
      this.clock.after(100_000, () => this.watch(s));
      return;
    }
    const au = s.activeUnit;
    const o: SyncOutcome = {
      session: s.n,
      active: s.active.id,
      standby: s.standby.id,
      activeVersion: au.image.version,
      standbyVersion: s.standbyUnit.image.version,
      compatible: au.compat?.compatible ?? false,
      mode: au.mode,
      events: [...au.handler.events],
      verified: au.verifications.some((v) => v.ok),
      startNs: s.startNs,
      endNs: this.clock.now(),
    };
    s.outcome = o;
    this.outcomes.push(o);
    if (st === "hot") this.configs.set(s.standby.id, s.standbyUnit.running);
    this.timeline.push({
      tNs: o.endNs, source: "sync", name: "sync.done",
      detail: { session: s.n, standby: s.standby.id, mode: o.mode, verified: o.verified, events: o.events.length, ms: Math.round((o.endNs - o.startNs) / 1e4) / 100 },
    });
    this.settled();
  }
}
