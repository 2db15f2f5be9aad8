// The virtual chassis: two line cards (ChassisUnit), a backplane link between them, an L2
// learning switch on their front ports, simulated hosts (Linux-like neighbour caches) sending
// to the VIPs, links with latency, bandwidth and loss, a pcap tap on every link, and the
// scenario's faults at their times — all on one SimClock, so a seed replays exactly.
// docs/chassis.md describes the topology and what a run reports.

import { Core } from "../core/core";
import { SimClock } from "../sim/clock";
import { Wire, Link, LinkOptions } from "../sim/wire";
import { L2Switch, SwitchPort } from "../sim/switch";
import { SimHost } from "../sim/endhost";
import { WireCodec } from "../wire/codec";
import { Rng } from "../util/rng";
import { Timeline, TimelineEvent, NS_PER_MS, ms, us } from "../ha/timeline";
import type { Board } from "../board/board";
import { ChassisUnit } from "./unit";
import { unitSettings, heartbeatLabel } from "./unit-settings";
import { ChassisHost, HostResult } from "./hosts";
import type { FailoverScenario, HeartbeatSpec, LinkSpec, LoadedScenario } from "./scenario";
import type { FaultReport } from "../fault/fault";
import { wireEvent } from "./wire-events";
import { PortSocket } from "./sockets";
import { scheduleFault } from "./faults";
import type { UnitSettings } from "./unit";
import { ChassisProxies, type ProxyResult } from "./proxies";

export type { HostResult, HostVipStats } from "./hosts";

export interface RunOptions {
  /** Overrides the scenario's detection.gasp. */
  gasp?: boolean;
  /** Overrides the scenario's heartbeat timers. */
  heartbeat?: HeartbeatSpec;
  /** Overrides the loss of every link class (sweeps). */
  loss?: number;
  /** Overrides the seed. */
  seed?: number;
  /** Builds a unit's first incarnation (default: a ChassisUnit on build/core.wasm). Units that reboot need one. */
  makeUnit?: (board: Board, peer: Board, settings: UnitSettings, chassis: Chassis) => ChassisUnit;
}

export type LinkClass = "backplane" | "front" | "host";

export interface UnitResult {
  id: string;
  unit: number;
  mac: string;
  state: string;
  role: string;
  holdsVips: boolean;
  epoch: number;
  fault: FaultReport | null;
  gaspRx: Record<string, number>;
  stats: ChassisUnit["stats"];
}

export interface ChassisRun {
  name: string;
  seed: number;
  gasp: boolean;
  heartbeat: string;
  durationNs: number;
  /** Time of the first fault of the scenario (null: none). */
  faultNs: number | null;
  timeline: TimelineEvent[];
  units: UnitResult[];
  hosts: HostResult[];
  /** Service packets received by each unit: times (ns), for the first-packet figures. */
  serviceRx: Record<string, number[]>;
  wire: Wire;
  links: { name: string; class: LinkClass; sent: number; delivered: number; lost: number }[];
  /** ARP-proxy mode: what each proxy station did. */
  proxies?: ProxyResult[];
}

/** The hosts' frames are built and parsed by one core for every chassis of the process (the calls keep no state). */
let hostCodec: WireCodec | undefined;

/** Fault kinds that take the service away; the figures count from the first of them. */
const DECISIVE = new Set(["crash", "panic", "hang", "power-loss", "link-cut", "partition"]);

export class Chassis {
  readonly clock = new SimClock();
  readonly timeline = new Timeline();
  readonly wire: Wire;
  readonly switch: L2Switch;
  /** The incarnation of each board running now (a reboot replaces one: plug). */
  readonly units: ChassisUnit[];
  /** Each packet a unit's OS delivered (IPv4) or a host sent to a serving MAC (IPv6), by host and sequence number. */
  onDelivered: ((host: string, seq: number, tNs: number) => void) | undefined;
  readonly hosts: ChassisHost[] = [];
  readonly seed: number;
  readonly gasp: boolean;
  readonly heartbeat: HeartbeatSpec;
  readonly durationNs: number;
  private readonly links: { link: Link; class: LinkClass; unit?: string; port?: string }[] = [];
  private readonly switchPorts = new Map<string, SwitchPort>();
  private readonly sockets = new Map<string, PortSocket[]>();
  private trafficStopNs = Infinity;
  private readonly serviceRx: Record<string, number[]> = {};
  private movedTo: string | null = null;
  private readonly s: FailoverScenario;
  readonly proxies: ChassisProxies | undefined;

  constructor(loaded: LoadedScenario, readonly opts: RunOptions = {}) {
    const s = (this.s = loaded.scenario);
    this.seed = opts.seed ?? s.seed ?? 1;
    this.gasp = opts.gasp ?? s.detection?.gasp ?? true;
    this.heartbeat = opts.heartbeat ?? s.timers?.heartbeat ?? { preset: "keepalived" };
    this.durationNs = ms(s.durationMs ?? 6000);
    this.wire = new Wire(this.clock, this.seed);
    this.switch = new L2Switch("switch", this.clock, { forwardNs: s.switch?.forwardNs, ageingNs: s.switch?.ageingMs ? ms(s.switch.ageingMs) : undefined });
    const [a, b] = loaded.boards;
    const make = opts.makeUnit ?? ((x: Board, y: Board, st: UnitSettings) => new ChassisUnit(x, y, this.clock, this.timeline, st));
    this.units = [make(a, b, unitSettings(s, a, this), this), make(b, a, unitSettings(s, b, this), this)];
    const env = { clock: this.clock, clientMac: (id: string) => this.unit(id).vipMac };
    if (s.proxies) this.proxies = new ChassisProxies(s.proxies, this.units[0].vips, (hostCodec ??= new WireCodec(Core.load())), this.timeline, env);
    for (const u of this.units) {
      this.serviceRx[u.id] = [];
      this.sockets.set(u.id, u.board.ports.map((p) => new PortSocket(`${u.id}.${p.name}`)));
      this.hook(u);
    }
    this.connect(a, b);
    this.addHosts();
    for (const f of s.faults) scheduleFault(this, f);
  }

  private hook(u: ChassisUnit): void {
    u.onService = (rx) => this.service(u, rx.src, rx.vip, rx.tNs, rx.seq);
    u.onWire = (dir, port, frame) => this.observe(u, dir, port, frame);
    u.onRoleChange = () => this.rolesChanged();
    this.sockets.get(u.id)!.forEach((s, i) => s.plug(u.endpoint(i)));
    this.carrier(u); // no links yet at construction: connect() hooks them
  }

  /** A unit's software stops (reset, power cut): its ports go dark at both ends of every cable. */
  unplug(id: string): void {
    for (const s of this.sockets.get(id)!) s.unplug();
    for (const l of this.linksOf(id)) l.setUp(false);
    this.hostsChanged();
  }

  /** A new incarnation of a board (after a reboot) takes its place: plugged in, carriers up; the caller boots it. */
  plug(u: ChassisUnit): void {
    this.units[this.units.findIndex((x) => x.id === u.id)] = u;
    this.hook(u);
    for (const l of this.linksOf(u.id)) l.setUp(true);
  }

  /** Hosts stop sending from this time on (runs that end when they are done, not at durationMs). */
  stopTraffic(atNs: number): void {
    this.trafficStopNs = atNs;
  }

  private linkOptions(cls: LinkClass, fallback: { latencyNs?: number; bitsPerSecond?: number } = {}): LinkOptions {
    const spec: LinkSpec = this.s.links?.[cls] ?? {};
    return {
      latencyNs: spec.latencyNs ?? fallback.latencyNs,
      bitsPerSecond: spec.bitsPerSecond ?? fallback.bitsPerSecond,
      loss: this.opts.loss ?? spec.loss,
      duplicate: spec.duplicate,
      reorder: spec.reorder,
    };
  }

  private connect(a: Board, b: Board): void {
    // The backplane: the boards' backplane ports pair up in order (bp0 with bp0, ...).
    const bpA = backplanePorts(a);
    const bpB = backplanePorts(b);
    const onBackplane = new Set<string>();
    for (let k = 0; k < Math.min(bpA.length, bpB.length); k++) {
      const [i, j] = [bpA[k], bpB[k]];
      const [pa, pb] = [a.ports[i].name, b.ports[j].name];
      const link = this.wire.connect(this.sockets.get(a.id)![i], this.sockets.get(b.id)![j], { name: `${a.id}.${pa}--${b.id}.${pb}`, ...this.linkOptions("backplane", a.ports[i].link) });
      this.links.push({ link, class: "backplane", unit: a.id, port: pa }, { link, class: "backplane", unit: b.id, port: pb });
      onBackplane.add(`${a.id}.${pa}`).add(`${b.id}.${pb}`);
    }
    // Every other port goes to the switch (ARP-proxy mode: to its proxy, the proxy to the switch).
    for (const u of this.units) {
      u.board.ports.forEach((p, i) => {
        if (onBackplane.has(`${u.id}.${p.name}`)) return;
        const sp = this.proxies?.of(u.id)?.inside ?? this.switch.port(`${u.id}.${p.name}`);
        if (sp instanceof SwitchPort) this.switchPorts.set(`${u.id}.${p.name}`, sp);
        const link = this.wire.connect(this.sockets.get(u.id)![i], sp, { name: `${u.id}.${p.name}--switch`, ...this.linkOptions("front", p.link) });
        this.links.push({ link, class: "front", unit: u.id, port: p.name });
      });
    }
    for (const st of this.proxies?.stations ?? []) {
      const sp = this.switch.port(st.spec.name);
      this.switchPorts.set(st.spec.name, sp);
      this.links.push({ link: this.wire.connect(st.outside, sp, { name: `${st.spec.name}--switch`, ...this.linkOptions("host") }), class: "host" });
    }
    for (const u of this.units) this.carrier(u);
    // A cable that comes up late (board sim.linkUpAfterUs).
    for (const u of this.units) {
      const up = u.board.sim.linkUpAfterUs;
      if (up === undefined || up === 0) continue;
      for (const l of this.links.filter((x) => x.unit === u.id)) {
        l.link.setUp(false);
        if (up !== "never") this.clock.at(us(up), () => l.link.setUp(true));
      }
    }
  }

  /** A PHY powered down (the fault entry's carrier drop) takes its cable's carrier: the partner sees the link go. */
  private carrier(u: ChassisUnit): void {
    u.board.ports.forEach((p, i) => {
      const link = this.linksOf(u.id, p.name)[0];
      if (link) u.nics[i].onCarrier = (up) => {
        link.setUp(up);
        this.timeline.push({ tNs: this.clock.now(), source: u.id, name: up ? "carrier.up" : "carrier.down", detail: { port: p.name, link: link.name } });
      };
    });
  }

  private addHosts(): void {
    const codec = (hostCodec ??= new WireCodec(Core.load()));
    const active = this.units.find((u) => u.id === this.s.chassis.active)!;
    this.s.hosts.forEach((h, i) => {
      const [ip, len] = h.ipv4.split("/");
      const host = new SimHost({
        name: h.name, mac: h.mac, ip4: ip, prefixLen: Number(len), codec, rng: new Rng(this.seed * 101 + i),
        params: { arpAccept: h.arpAccept ?? 0 }, owner: (vip) => this.ownerMac(vip), timeline: this.timeline,
      });
      // IPv6: the core has no Neighbor Solicitation yet, so hosts start with the active's MAC
      // learned (docs/failover.md "left out"); unsolicited NAs move them.
      for (const v of active.vips) if (v.includes(":")) host.cache.replace(v, active.vipMac, "reachable", 0);
      const ch = new ChassisHost(host, ip, this, this.clock);
      this.hosts.push(ch);
      const sp = this.switch.port(h.name);
      this.switchPorts.set(h.name, sp);
      const link = this.wire.connect(ch, sp, { name: `${h.name}--switch`, ...this.linkOptions("host") });
      this.links.push({ link, class: "host" });
    });
  }

  /** The MAC hosts should use for the VIPs: the one live holder's (or its proxy's), or null (none, or two: split brain). */
  ownerMac(_vip: string): string | null {
    const holders = this.units.filter((u) => u.holdsVips);
    return holders.length === 1 ? this.macFor(holders[0]) : null;
  }

  /** Is a live unit holding the VIPs under this MAC (in a split brain, either may)? */
  serves(mac: string): boolean {
    return this.units.some((u) => u.holdsVips && this.macFor(u) === mac);
  }

  private macFor(u: ChassisUnit): string {
    return this.proxies?.of(u.id)?.result.mac ?? u.vipMac;
  }

  private rolesChanged(): void {
    this.proxies?.roles(this.units.filter((u) => u.holdsVips).map((u) => u.id));
    this.hostsChanged();
  }

  /** After anything that may move hosts: did every host just come to map every VIP to the owner? */
  hostsChanged(): void {
    const owner = this.ownerMac("");
    if (owner === null || owner === this.movedTo) return;
    const vips = this.units[0].vips;
    if (!this.hosts.every((h) => vips.every((v) => h.host.mapping(v) === owner))) return;
    this.movedTo = owner;
    this.timeline.push({ tNs: this.clock.now(), source: "hosts", name: "hosts.moved", detail: { mac: owner, unit: this.units.find((u) => this.macFor(u) === owner)!.id } });
  }

  private service(u: ChassisUnit, src: string, vip: string, t: number, seq: number): void {
    this.serviceRx[u.id].push(t);
    const h = this.hosts.find((x) => x.ip === src);
    if (!h) return;
    h.delivered.set(vip, (h.delivered.get(vip) ?? 0) + 1);
    this.onDelivered?.(h.name, seq, t);
  }

  /** Frames worth a timeline entry: gasps leaving a unit, announcements leaving a unit. */
  private observe(u: ChassisUnit, dir: "tx" | "rx", port: number, f: Uint8Array): void {
    if (dir !== "tx") return;
    const seen = wireEvent(f);
    if (seen) this.timeline.push({ tNs: this.clock.now(), source: u.id, name: seen.name, detail: { port: u.board.ports[port].name, ...seen.detail } });
  }

  unit(id: string): ChassisUnit {
    return this.units.find((u) => u.id === id)!;
  }

  /** The links of a class (each once), or every link. */
  linksOfClass(cls: LinkClass | "all"): Link[] {
    return [...new Set(this.links.filter((l) => cls === "all" || l.class === cls).map((l) => l.link))];
  }

  linksOf(unit: string, port?: string): Link[] {
    return this.links.filter((l) => l.unit === unit && (port === undefined || l.port === port)).map((l) => l.link);
  }

  /** A partition: no backplane, and the switch splits into each unit's half (hosts by side). */
  partition(on: boolean): void {
    for (const l of this.links.filter((x) => x.class === "backplane")) l.link.setUp(!on);
    if (!on) return this.switch.partition(null);
    const groups = this.units.map((u) => {
      const ports = u.board.ports.map((p) => this.switchPorts.get(`${u.id}.${p.name}`)).filter((p): p is SwitchPort => !!p);
      const hosts = this.s.hosts.filter((h) => (h.side ?? this.s.chassis.active) === u.id).map((h) => this.switchPorts.get(h.name)!);
      return [...ports, ...hosts];
    });
    this.switch.partition(groups);
  }

  /** Runs the scenario to its end. */
  run(): ChassisRun {
    this.start();
    this.clock.runUntil(this.durationNs);
    return this.result();
  }

  /** Boots the units at t = 0 and starts the hosts' traffic (until stopTraffic, or shortly before the end). */
  start(): void {
    const s = this.s;
    this.clock.at(0, () => {
      for (const u of this.units) u.boot();
      this.rolesChanged();
    });
    const interval = us(s.traffic?.intervalUs ?? 1000);
    const start = ms(s.traffic?.startMs ?? 100);
    const stop = this.durationNs - Math.min(20 * NS_PER_MS, Math.floor(this.durationNs / 10));
    const vips = this.units[0].vips;
    const traffic = (t: number) => {
      if (t >= Math.min(stop, this.trafficStopNs)) return;
      for (const h of this.hosts) for (const v of vips) h.send(v, t);
      this.clock.at(t + interval, () => traffic(t + interval));
    };
    this.clock.at(start, () => traffic(start));
  }

  result(): ChassisRun {
    // The fault the figures count from: the first that takes the active's service away
    // (a NIC hang or a loss burst only prepares the ground for it).
    const decisive = this.s.faults.filter((f) => DECISIVE.has(f.kind));
    const pool = decisive.length ? decisive : this.s.faults;
    const faultNs = pool.length ? Math.min(...pool.map((f) => ms(f.atMs))) : null;
    return {
      name: this.s.name,
      seed: this.seed,
      gasp: this.gasp,
      heartbeat: heartbeatLabel(this.heartbeat),
      durationNs: this.durationNs,
      faultNs,
      timeline: [...this.timeline.events].sort((x, y) => x.tNs - y.tNs),
      units: this.units.map((u) => ({
        id: u.id,
        unit: u.board.unit,
        mac: this.macFor(u),
        state: u.state,
        role: u.ha.currentRole,
        holdsVips: u.holdsVips,
        epoch: u.ha.role.epoch,
        fault: u.faultReport,
        gaspRx: u.receiver.counters(),
        stats: { ...u.stats },
      })),
      hosts: this.hosts.map((h) => ({
        name: h.name,
        ip: h.ip,
        vips: Object.fromEntries(this.units[0].vips.map((v) => {
          const c = h.host.countersFor(v);
          return [v, { offered: h.offered.get(v) ?? 0, sent: c.sent, delivered: h.delivered.get(v) ?? 0, misdelivered: c.misdelivered, dropped: c.dropped, mapping: h.host.mapping(v) }];
        })),
      })),
      serviceRx: this.serviceRx,
      wire: this.wire,
      links: [...new Set(this.links.map((l) => l.link))].map((l) => {
        const st = l.stats;
        const cls = this.links.find((x) => x.link === l)!.class;
        return { name: l.name, class: cls, sent: st.ab.sent + st.ba.sent, delivered: st.ab.delivered + st.ba.delivered, lost: st.ab.lost + st.ba.lost };
      }),
      proxies: this.proxies?.stations.map((p) => p.finish()),
    };
  }
}

/** A board's backplane ports, in board order: the chassis pairs them with the peer's. */
export function backplanePorts(b: Board): number[] {
  return b.ports.map((p, i) => (p.role === "backplane" ? i : -1)).filter((i) => i >= 0);
}

/** Builds and runs a chassis for a loaded scenario. */
export function runChassis(loaded: LoadedScenario, opts: RunOptions = {}): ChassisRun {
  return new Chassis(loaded, opts).run();
}
