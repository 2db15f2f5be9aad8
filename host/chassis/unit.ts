// One line card of the virtual chassis, running: the OS-side core (driver rings for normal
// traffic, the gasp receiver), the guest OS bound to that core's memory (sim-os/), the fault
// core (a separate instance, armed at boot, out of the OS's reach), the NIC models in a
// DmaSpace with both windows (host/board/sim.ts), and the unit's HA behaviour (HaUnit: role,
// heartbeat, announcer, VIP ARP responder). docs/chassis.md "The unit runtime".
//
// This file assembles the unit and owns its life (boot, the OS tick, HA output); the rest is
// one file per concern:
//   os-work.ts     the OS runs one piece of work at a time; what falls due waits for it
//   driver.ts      the OS's NIC driver on the OS core's rings: bring-up, RX, TX, link status
//   demux.ts       where a received frame goes: gasp receiver, service, ARP responder
//   paths.ts       link monitoring and alternate-path failover on the front ports
//   fault-path.ts  the fault core armed at boot, injected failures, watchdog, exception handler

import { SimBoard } from "../board/sim";
import type { Core } from "../core/core";
import type { Board } from "../board/board";
import type { SimClock } from "../sim/clock";
import type { WireEndpoint } from "../sim/wire";
import type { E1000 } from "../nic/e1000";
import { GuestOs } from "../sim/guest-os";
import { WireCodec } from "../wire/codec";
import { GaspSender, GaspReceiver } from "../gasp/gasp";
import type { Encap } from "../gasp/repr";
import { FaultEntry, FaultReport } from "../fault/fault";
import { HaUnit, UnitOutput } from "../ha/unit";
import { coreArbiter } from "../ha/arbiter";
import { helloFields } from "../ha/hello";
import type { HeartbeatOptions } from "../ha/heartbeat";
import type { AnnounceKnobs } from "../ha/announcer";
import { Timeline, NS_PER_US } from "../ha/timeline";
import { CoreError } from "../core/status";
import { E_GASP_FENCED } from "../../assembly/shared/status";
import { Ticker } from "./ticker";
import { OsWork } from "./os-work";
import { UnitDriver } from "./driver";
import { UnitDemux } from "./demux";
import { UnitPaths } from "./paths";
import { UnitFaultPath, InjectedFault } from "./fault-path";

export interface UnitSettings {
  chassisId: number;
  key: Uint8Array;
  keyId: number;
  priority: number;
  startActive: boolean;
  /** The persisted boot counter this boot arms with. */
  boot: number;
  /** The persisted epoch of the role machine (a unit that reboots keeps the one it had). Default 0. */
  epoch?: number;
  gasp: boolean;
  copies: number;
  linkFirst: boolean;
  encaps: { backplane: Encap[]; front: Encap[] };
  heartbeat: Omit<HeartbeatOptions, "name" | "timeline">;
  announce: Partial<AnnounceKnobs>;
  watchdogNs: number;
  osTickNs: number;
  irqLatencyNs: number;
  link: { pollNs: number; upDelayNs: number; downDelayNs: number };
  pathFailover: { standby: "cold" | "warm"; delayNs: number };
  /** Link-wait bound at bring-up (polls 1 ms apart). */
  linkWaitPolls: number;
}

export type UnitState = "up" | "hung" | "dead" | "off";

/** Where a delivered service packet came from (the chassis counts per host and VIP). */
export interface ServiceRx {
  src: string;
  vip: string;
  tNs: number;
  /** The host's sequence number (the first 4 bytes of the datagram). */
  seq: number;
}

export class ChassisUnit {
  readonly id: string;
  readonly sim: SimBoard;
  readonly nics: E1000[];
  readonly guest: GuestOs;
  readonly codec: WireCodec;
  readonly sender: GaspSender;
  readonly fault: FaultEntry;
  readonly receiver: GaspReceiver;
  readonly ha: HaUnit;
  /** The MAC the unit announces its VIPs with: its first front port's. */
  readonly vipMac: string;
  readonly vips: string[];
  /** The board's front ports, in board order. */
  readonly frontPorts: number[];
  state: UnitState = "up";
  /** The fault entry's report, once it ran. */
  faultReport: FaultReport | null = null;
  /** Counters the reports show. */
  readonly stats = { gaspDuplicates: 0, gaspRefused: 0, serviceRx: 0, serviceRefused: 0, txDropped: 0, hellosSent: 0 };
  /** Called for each service packet this unit's OS received while holding the VIPs. */
  onService: ((rx: ServiceRx) => void) | undefined;
  /** Called for every frame a port puts on the wire / receives (the chassis's timeline). */
  onWire: ((dir: "tx" | "rx", port: number, frame: Uint8Array) => void) | undefined;
  /** Called when the unit's HA output may have changed who holds the VIPs. */
  onRoleChange: (() => void) | undefined;
  /** Called with every frame the OS received, before it is demultiplexed. */
  onDelivered: ((port: number, frame: Uint8Array) => void) | undefined;
  /** Called when the exception handler (or the watchdog's NMI) is done: the board is halted until it is reset. */
  onHalt: ((what: string) => void) | undefined;
  /** A planned switchover handed the VIPs over: the OS still forwards what arrives for them until then (make before break). */
  drainUntilNs = 0;

  readonly clock: SimClock;
  readonly os: OsWork;
  readonly driver: UnitDriver;
  readonly paths: UnitPaths;
  private readonly demux: UnitDemux;
  private readonly faultPath: UnitFaultPath;
  private readonly haTicker: Ticker;

  constructor(
    readonly board: Board,
    readonly peer: Board,
    clock: SimClock,
    readonly timeline: Timeline,
    readonly settings: UnitSettings,
    /** The cores to run (a booted image's); default: fresh instances of build/core.wasm. */
    cores: { os: Core; fault: Core } | Record<string, never> = {},
  ) {
    this.id = board.id;
    this.clock = clock;
    this.sim = new SimBoard(
      {
        osDmaPhys: board.dma.os,
        faultDmaPhys: board.dma.fault,
        ports: board.ports.map((p, i) => ({
          name: `${board.id}.${p.name}`, mac: p.macBytes, model: board.nic.model, txQueues: board.nic.txQueues,
          faultQueue: board.nic.faultQueue ?? undefined, rings: board.rings, seed: (board.sim.seed ?? 1) + i,
        })),
      },
      cores,
      clock,
    );
    this.nics = this.sim.nics;
    this.os = new OsWork(() => this.alive, () => this.poke());
    this.driver = new UnitDriver(this.sim, clock, this.os, settings.irqLatencyNs, {
      up: () => this.alive,
      observe: (dir, port, frame) => this.onWire?.(dir, port, frame),
      deliver: (port, frame) => this.demux.receive(port, frame),
    });
    this.codec = new WireCodec(this.sim.os);
    this.guest = new GuestOs(this.sim.os);
    this.sender = new GaspSender(this.sim.fault);
    this.fault = new FaultEntry(this.sim.fault);
    this.receiver = new GaspReceiver(this.sim.os);
    this.frontPorts = board.ports.map((p, i) => (p.role === "front" ? i : -1)).filter((i) => i >= 0);
    this.vipMac = board.ports[this.frontPorts[0]].mac;
    this.vips = board.vips.map((v) => (v.ipv4 ?? v.ipv6)!);
    this.ha = new HaUnit({
      name: this.id,
      unit: board.unit,
      priority: settings.priority,
      epoch: settings.epoch,
      startActive: settings.startActive,
      mac: this.vipMac,
      vips: this.vips,
      codec: this.codec,
      arbitrate: coreArbiter(this.sim.os),
      knobs: settings.announce,
      heartbeat: settings.heartbeat,
      timeline: timeline,
    });
    this.demux = new UnitDemux(this);
    this.haTicker = new Ticker(clock, () => (this.alive ? this.ha.nextDeadline() : null), (now) => this.os.run(() => this.route(this.ha.tick(now))));
    this.paths = new UnitPaths(this);
    this.faultPath = new UnitFaultPath(this);
  }

  /** The port's wire side, observed (frames in and out) and with its RX interrupt. */
  endpoint(i: number): WireEndpoint {
    return this.driver.endpoint(i);
  }

  get alive(): boolean {
    return this.state === "up";
  }

  get holdsVips(): boolean {
    return this.state === "up" && this.ha.holdsVips;
  }

  /** Whether the OS takes service packets now: while holding the VIPs, or draining after a planned handover. */
  forwarding(now: number): boolean {
    return this.state === "up" && (this.ha.holdsVips || now < this.drainUntilNs);
  }

  portIndex(name: string): number {
    const i = this.board.ports.findIndex((p) => p.name === name);
    if (i < 0) throw new RangeError(`${this.id} has no port ${name}`);
    return i;
  }

  // ---- life -----------------------------------------------------------------------------------

  /** Brings the NICs up through the OS core, arms the fault core, starts the HA machines. */
  boot(): void {
    const s = this.settings;
    this.os.run(() => {
      this.driver.bringUp(this.board.ports.length, s.linkWaitPolls);
      this.faultPath.arm();
      // The receiver lives with the OS: it is the OS that hears the peer.
      new GaspSender(this.sim.os).setKey(0, s.key, s.keyId);
      this.receiver.configure({ chassis: s.chassisId, ownUnit: this.board.unit });
      const now = this.clock.now();
      this.timeline.push({ tNs: now, source: this.id, name: "unit.boot", detail: { nic: this.board.nic.model, ports: this.board.ports.length, gasp: s.gasp } });
      this.paths.start(now);
      this.route(this.ha.start(now));
    });
    this.clock.after(s.osTickNs, () => this.osTick());
    this.clock.after(s.watchdogNs, () => this.faultPath.watchdog());
    this.paths.ticker.poke();
  }

  /** The OS's timer tick: the guest runs, and a guest that stopped is hung. */
  private osTick(): void {
    if (this.state !== "up") return;
    if (!this.guest.tick()) return this.guestHung(this.clock.now());
    this.clock.after(this.settings.osTickNs, () => this.osTick());
  }

  /** The guest stopped: nothing of the OS runs; the watchdog will notice. */
  guestHung(tNs: number): void {
    this.state = "hung";
    this.timeline.push({ tNs, source: this.id, name: "unit.hung" });
    this.onRoleChange?.();
  }

  // ---- HA output ------------------------------------------------------------------------------

  /** What the HA machines want sent: announcements on the front path, HELLOs on every port. */
  route(out: UnitOutput): void {
    const before = this.ha.holdsVips;
    for (const f of out.frames) this.send(this.paths.primaryFront, f.frame);
    for (const h of out.hellos) this.hello(h.advert);
    if (before !== this.ha.holdsVips || out.frames.length) this.onRoleChange?.();
  }

  /** A HELLO built by the fault core (one sequence space with the gasp), sent by the OS. */
  private hello(advert: Parameters<typeof helloFields>[0]): void {
    const f = helloFields(advert);
    try {
      this.sender.update(f.role, f.priority, f.epoch);
      const built = this.sender.hello(BigInt(Math.floor(this.clock.now() / NS_PER_US)));
      for (const fr of built.frames) if (this.paths.portUp(fr.port)) this.send(fr.port, fr.bytes);
      this.stats.hellosSent++;
    } catch (e) {
      // E_GASP_FENCED: the core keeps the fault path's promise of silence.
      if (!(e instanceof CoreError && e.status === E_GASP_FENCED)) throw e;
    }
  }

  private send(port: number, frame: Uint8Array): void {
    if (!this.driver.send(port, frame)) this.stats.txDropped++;
  }

  // ---- faults ---------------------------------------------------------------------------------

  /** Makes the guest OS fail as asked; a trap or panic reaches the exception handler. */
  inject(kind: InjectedFault, opts: { trap?: "unreachable" | "oob" | "div0"; wildWrites?: boolean } = {}): void {
    this.faultPath.inject(kind, opts);
  }

  /** Power gone: nothing runs, nothing is sent (the chassis takes the links down). */
  powerOff(): void {
    this.halt("unit.power-off");
  }

  /** The software stops for good (power off, a reset): nothing runs or is sent again; the event names why. */
  halt(event: string, detail?: Record<string, string | number | boolean>): void {
    if (this.state === "off") return;
    this.state = "off";
    this.os.drop();
    this.timeline.push({ tNs: this.clock.now(), source: this.id, name: event, detail });
    this.onRoleChange?.();
  }

  /** A hung TX engine on one port (every queue unless one is named). */
  nicHang(port: number, queue?: number, survivesReset = true): void {
    const nic = this.nics[port];
    const queues = queue === undefined ? nic.txQueues.map((_, q) => q) : [queue];
    for (const q of queues) nic.faults.freezeTx({ queue: q, survivesReset });
    this.timeline.push({ tNs: this.clock.now(), source: this.id, name: "fault.nic-hang", detail: { port: this.board.ports[port].name, queues: queues.join(",") } });
  }

  /** Everything the HA machines of this unit are waiting for is re-read (after a fault). */
  poke(): void {
    this.haTicker.poke();
    this.paths.ticker.poke();
  }
}
