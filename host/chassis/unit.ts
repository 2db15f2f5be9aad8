// One line card of the virtual chassis, running: the OS-side core (driver rings for normal
// traffic, the gasp receiver), the guest OS bound to that core's memory (sim-os/), the fault
// core (a separate instance, armed at boot, out of the OS's reach), the NIC models in a
// DmaSpace with both windows (host/board/sim.ts), and the unit's HA behaviour (HaUnit: role,
// heartbeat, announcer, VIP ARP responder; link monitoring; alternate-path failover on a
// board with two front ports). docs/chassis.md "The unit runtime".
//
// How it fails, for real:
//   crash       the guest OS traps (a WebAssembly RuntimeError), optionally after scribbling
//               over the driver's TX ring; panic: its panic hook throws (an uncaught exception)
//   hang        the guest stops kicking the watchdog; the watchdog (a SimClock timer, the
//               board's hardware) bites after a period without a kick
//   power loss  nothing runs and nothing is sent; the chassis takes its links down
// and the exception handler is the few lines in exception(): catch, the fault core's
// fault_fire, register operations on the board's NICs until it is done (FaultEntry.fire).
//
// Everything the OS does goes through os(): a register operation with delays lets simulated
// time pass, and events that fall due meanwhile must not start another operation on the
// same core (a real driver holds a lock); they wait and run right after it.

import { SimBoard } from "../board/sim";
import type { Board, BoardPort } from "../board/board";
import type { SimClock } from "../sim/clock";
import type { WireEndpoint } from "../sim/wire";
import type { E1000 } from "../nic/e1000";
import type { NicDevice } from "../nic/device";
import { GuestOs, GuestPanic, OsFaultKind } from "../sim/guest-os";
import { WireCodec } from "../wire/codec";
import { GaspSender, GaspReceiver } from "../gasp/gasp";
import type { Encap, GaspMessage, GaspPortConfig } from "../gasp/repr";
import { FaultEntry, FaultReport } from "../fault/fault";
import { HaUnit, UnitOutput } from "../ha/unit";
import { coreArbiter } from "../ha/arbiter";
import { helloFields } from "../ha/hello";
import type { HeartbeatOptions } from "../ha/heartbeat";
import type { AnnounceKnobs } from "../ha/announcer";
import { LinkMonitor } from "../ha/link-monitor";
import { HaNet } from "../ha/hanet";
import { IfaceTable, IfaceParams, PathAction } from "../ha/path-failover";
import { Timeline, NS_PER_US } from "../ha/timeline";
import { formatIPv4, parseIPv4, parseMac } from "../util/addr";
import { Ticker } from "./ticker";
import { STEP_DONE } from "../../assembly/shared/regop";
import { STATUS_LU } from "../../assembly/shared/e1000";
import { RING_TX, RINGINFO_DESC } from "../../assembly/shared/rings";
import { TX_STAGE } from "../nic/rings";
import { FAULT_ARMF_LINK_FIRST } from "../../assembly/shared/fault";
import * as G from "../../assembly/shared/gasp";
import { E_GASP_DUPLICATE, E_GASP_NOT_GASP, E_GASP_FENCED } from "../../assembly/shared/status";
import { CoreError } from "../core/status";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_LOCAL_EXP1 } from "../../assembly/shared/wire";
import { ethView } from "../wire/frame";

export interface UnitSettings {
  chassisId: number;
  key: Uint8Array;
  keyId: number;
  priority: number;
  startActive: boolean;
  /** The persisted boot counter this boot arms with. */
  boot: number;
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

/** Synthetic exception vectors (x86 numbering) and PCs the handler reports per failure. */
const VECTORS: Record<string, number> = { unreachable: 6, oob: 14, div0: 0, "wild-writes": 6, panic: 0, watchdog: 2 };

/** The code the guest's panic hook reports (a BUG() number). */
const PANIC_CODE = 0x0bad;

/** Where a delivered service packet came from (the chassis counts per host and VIP). */
export interface ServiceRx {
  src: string;
  vip: string;
  tNs: number;
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

  private readonly clock: SimClock;
  private readonly frontPorts: number[];
  private primaryFront: number;
  private readonly ifaces: IfaceTable;
  private readonly haTicker: Ticker;
  private readonly monitorTicker: Ticker | null = null;
  private readonly linkMonitor: LinkMonitor | null = null;
  private readonly net: HaNet | null = null;
  private busy = false;
  private readonly deferred: (() => void)[] = [];
  private readonly rxPending: boolean[];
  private lastKicks = 0;
  private readonly vipSet: Set<string>;

  constructor(
    readonly board: Board,
    readonly peer: Board,
    clock: SimClock,
    readonly timeline: Timeline,
    readonly settings: UnitSettings,
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
      {},
      clock,
    );
    this.nics = this.sim.nics;
    this.rxPending = this.nics.map(() => false);
    this.codec = new WireCodec(this.sim.os);
    this.guest = new GuestOs(this.sim.os);
    this.sender = new GaspSender(this.sim.fault);
    this.fault = new FaultEntry(this.sim.fault);
    this.receiver = new GaspReceiver(this.sim.os);
    this.frontPorts = board.ports.map((p, i) => (p.role === "front" ? i : -1)).filter((i) => i >= 0);
    this.primaryFront = this.frontPorts[0];
    this.vipMac = board.ports[this.primaryFront].mac;
    this.vips = board.vips.map((v) => (v.ipv4 ?? v.ipv6)!);
    this.vipSet = new Set(this.vips.filter((v) => !v.includes(":")));
    this.ha = new HaUnit({
      name: this.id,
      unit: board.unit,
      priority: settings.priority,
      startActive: settings.startActive,
      mac: this.vipMac,
      vips: this.vips,
      codec: this.codec,
      arbitrate: coreArbiter(this.sim.os),
      knobs: settings.announce,
      heartbeat: settings.heartbeat,
      timeline: timeline,
    });
    this.ifaces = new IfaceTable(Object.fromEntries(board.ports.map((p, i) => [p.name, {
      plumbed: i === this.primaryFront || p.role !== "front",
      up: i === this.primaryFront || p.role !== "front",
      params: i === this.primaryFront || p.role !== "front" ? this.paramsOf(p) : null,
    }])));
    this.haTicker = new Ticker(clock, () => (this.state === "up" ? this.ha.nextDeadline() : null), (now) => this.os(() => this.route(this.ha.tick(now))));
    const front = this.frontPorts.map((i) => board.ports[i].name);
    const readStatus = (i: number) => () => this.linkStatus(i);
    if (front.length >= 2) {
      const [a, b] = [this.frontPorts[0], this.frontPorts[1]];
      this.net = new HaNet({
        name: `${this.id}.net`,
        failover: {
          primary: front[0], secondary: front[1], standby: settings.pathFailover.standby, delayNs: settings.pathFailover.delayNs,
          capture: (iface) => this.ifaces.capture(iface),
          dummy: { ip: "198.18.255.254", netmask: "255.255.255.255", broadcast: "198.18.255.254", mac: board.ports[b].mac, vips: [] },
        },
        paths: {
          [front[0]]: { members: [{ name: `${this.id}.${front[0]}`, readStatus: readStatus(a) }] },
          [front[1]]: { members: [{ name: `${this.id}.${front[1]}`, readStatus: readStatus(b) }] },
        },
        link: settings.link,
        timeline,
      });
      this.monitorTicker = new Ticker(clock, () => (this.state === "up" ? this.net!.nextDeadline() : null), (now) => this.os(() => this.applyPath(this.net!.tick(now).actions, now)));
    } else {
      const i = this.frontPorts[0];
      this.linkMonitor = new LinkMonitor({ name: `${this.id}.${front[0]}`, ...settings.link, readStatus: readStatus(i), timeline });
      this.monitorTicker = new Ticker(clock, () => (this.state === "up" ? this.linkMonitor!.nextDeadline() : null), (now) => this.os(() => {
        for (const c of this.linkMonitor!.tick(now)) this.route(this.ha.handle({ type: c.up ? "link-restored" : "link-lost" }, c.tNs));
      }));
    }
  }

  /** The port's wire side, observed (frames in and out) and with its RX interrupt. */
  endpoint(i: number): WireEndpoint {
    const nic = this.nics[i];
    return {
      name: nic.name,
      attach: (tx) => nic.attach((frame) => {
        this.onWire?.("tx", i, frame);
        tx(frame);
      }),
      receive: (frame) => {
        this.onWire?.("rx", i, frame);
        // The model raises RXT0 when a frame reached host memory: the driver's interrupt.
        if (nic.receive(frame)) this.rxInterrupt(i);
      },
      setLink: (up) => nic.setLink(up),
    };
  }

  get alive(): boolean {
    return this.state === "up";
  }

  get holdsVips(): boolean {
    return this.state === "up" && this.ha.holdsVips;
  }

  portIndex(name: string): number {
    const i = this.board.ports.findIndex((p) => p.name === name);
    if (i < 0) throw new RangeError(`${this.id} has no port ${name}`);
    return i;
  }

  // ---- boot -----------------------------------------------------------------------------------

  /** Brings the NICs up through the OS core, arms the fault core, starts the HA machines. */
  boot(): void {
    const s = this.settings;
    this.os(() => {
      const r = this.sim.osRings;
      this.board.ports.forEach((_, i) => {
        r.run("nic_link_wait", i, s.linkWaitPolls, 1000); // a dead cable is the monitor's business
        r.must("nic_tx_init", i);
        r.must("nic_rx_init", i);
      });
      // The fault core: key, gasp templates for every port, the fault entry's plan.
      this.sender.setKey(0, s.key, s.keyId);
      this.sender.arm({
        chassis: s.chassisId, unit: this.board.unit, role: s.startActive ? G.GASP_ROLE_ACTIVE : G.GASP_ROLE_STANDBY,
        priority: s.priority, keySlot: 0, boot: s.boot, copies: s.copies, ports: this.gaspPorts(),
      });
      this.fault.arm(s.linkFirst ? FAULT_ARMF_LINK_FIRST : 0);
      // The receiver lives with the OS: it is the OS that hears the peer.
      new GaspSender(this.sim.os).setKey(0, s.key, s.keyId);
      this.receiver.configure({ chassis: s.chassisId, ownUnit: this.board.unit });
      const now = this.clock.now();
      this.timeline.push({ tNs: now, source: this.id, name: "unit.boot", detail: { nic: this.board.nic.model, ports: this.board.ports.length, gasp: s.gasp } });
      if (this.net) this.applyPath(this.net.start(now).actions, now);
      else this.linkMonitor!.start(now);
      this.route(this.ha.start(now));
    });
    this.clock.after(this.settings.osTickNs, () => this.osTick());
    this.clock.after(this.settings.watchdogNs, () => this.watchdog());
    this.monitorTicker?.poke();
  }

  /** The gasp's ports: every board port, raw on the backplane, raw + UDP on the front. */
  private gaspPorts(): GaspPortConfig[] {
    const s = this.settings;
    const peerFront = this.peer.ports.find((p) => p.role === "front")!;
    const ownBp = this.board.ports.filter((p) => p.role === "backplane");
    const peerBp = this.peer.ports.filter((p) => p.role === "backplane");
    return this.board.ports.map((p) => {
      // A backplane port reaches the peer's backplane port of the same rank (the chassis
      // pairs them so); every other port reaches the peer's front port through the switch.
      const to = p.role === "backplane" ? (peerBp[ownBp.indexOf(p)] ?? peerFront) : peerFront;
      const ownIp = p.ipv4[0]?.split("/")[0];
      const peerIp = to.ipv4[0]?.split("/")[0];
      let encaps = p.role === "backplane" ? s.encaps.backplane : s.encaps.front;
      if (!ownIp || !peerIp) encaps = encaps.filter((e) => e !== "udp");
      if (!encaps.length) encaps = ["raw"];
      return { ownMac: p.macBytes, peerMac: to.macBytes, ownIp: ownIp ? parseIPv4(ownIp) : undefined, peerIp: peerIp ? parseIPv4(peerIp) : undefined, encaps };
    });
  }

  private paramsOf(p: BoardPort): IfaceParams {
    const [ip, len] = (p.ipv4[0] ?? "0.0.0.0/32").split("/");
    const bits = Number(len);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const ipn = new DataView(parseIPv4(ip).buffer).getUint32(0);
    const fmt = (n: number) => formatIPv4(Uint8Array.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]));
    return { ip, netmask: fmt(mask), broadcast: fmt((ipn | ~mask) >>> 0), mac: p.mac, vips: p.role === "front" ? [...this.vips] : [] };
  }

  // ---- the OS at work -------------------------------------------------------------------------

  /** Runs OS work now, or right after the register operation in progress. */
  private os(fn: () => void): void {
    if (this.state !== "up") return;
    if (this.busy) {
      this.deferred.push(fn);
      return;
    }
    this.busy = true;
    try {
      fn();
      while (this.deferred.length && this.state === "up") this.deferred.shift()!();
    } finally {
      this.busy = false;
      if (this.state !== "up") this.deferred.length = 0;
    }
    this.haTicker.poke();
    this.monitorTicker?.poke();
  }

  private osTick(): void {
    if (this.state !== "up") return;
    if (!this.guest.tick()) {
      this.state = "hung";
      this.timeline.push({ tNs: this.clock.now(), source: this.id, name: "unit.hung" });
      this.onRoleChange?.();
      return;
    }
    this.clock.after(this.settings.osTickNs, () => this.osTick());
  }

  /** The board's watchdog: a whole period without a kick is a hang (an NMI to the handler). */
  private watchdog(): void {
    if (this.state === "dead" || this.state === "off") return;
    const kicks = this.guest.kicks;
    if (kicks === this.lastKicks) {
      this.exception({ cause: G.GASP_CAUSE_WATCHDOG, vector: VECTORS.watchdog, what: "watchdog", message: `watchdog: no kick for ${this.settings.watchdogNs / 1e6} ms` });
      return;
    }
    this.lastKicks = kicks;
    this.clock.after(this.settings.watchdogNs, () => this.watchdog());
  }

  private rxInterrupt(port: number): void {
    if (this.state !== "up" || this.rxPending[port]) return;
    this.rxPending[port] = true;
    this.clock.after(this.settings.irqLatencyNs, () => this.os(() => this.harvest(port)));
  }

  /** The driver's RX path: harvest through the core's reader, give the NIC its buffers back. */
  private harvest(port: number): void {
    this.rxPending[port] = false;
    const r = this.sim.osRings;
    const { frames } = r.harvest(port);
    r.run("nic_rx_doorbell", port);
    for (const f of frames) {
      if (this.state !== "up") return;
      this.receive(port, f);
    }
  }

  private receive(port: number, frame: Uint8Array): void {
    const now = this.clock.now();
    // The EtherType after any 802.1Q tag: the core's decoders take tagged frames as they are.
    const ethertype = ethView(frame)?.type;
    if (ethertype === ETHERTYPE_LOCAL_EXP1 || ethertype === ETHERTYPE_IPV4) {
      const r = this.receiver.receive(frame);
      if (r.ok) return this.peerMessage(port, r.message, now);
      if (r.status === E_GASP_DUPLICATE) {
        this.stats.gaspDuplicates++;
        return;
      }
      if (r.status !== E_GASP_NOT_GASP) {
        this.stats.gaspRefused++;
        return;
      }
    }
    if (ethertype === ETHERTYPE_IPV4) return this.service(frame, now);
    if (ethertype === ETHERTYPE_ARP && this.frontPorts.includes(port)) this.route(this.ha.receive(frame, now));
  }

  private peerMessage(port: number, m: GaspMessage, now: number): void {
    if (m.type === G.GASP_TYPE_GASP) {
      this.timeline.push({ tNs: now, source: this.id, name: "gasp.accepted", detail: { from: m.unit, port: this.board.ports[port].name, encap: m.encap, cause: m.cause, seq: Number(m.seq), fenced: (m.flags & G.GASP_FLAG_SELF_FENCED) !== 0 } });
    }
    this.route(this.ha.onPeerMessage(m, now));
  }

  private service(frame: Uint8Array, now: number): void {
    const d = this.codec.decodeUdp4(frame);
    if (!d.ok) return;
    const vip = formatIPv4(d.ip.dst);
    if (!this.vipSet.has(vip)) return;
    if (!this.ha.holdsVips) {
      this.stats.serviceRefused++;
      return;
    }
    this.stats.serviceRx++;
    this.onService?.({ src: formatIPv4(d.ip.src), vip, tNs: now });
  }

  /** What the HA machines want sent: announcements on the front path, HELLOs on every port. */
  private route(out: UnitOutput): void {
    const before = this.ha.holdsVips;
    for (const f of out.frames) this.send(this.primaryFront, f.frame);
    for (const h of out.hellos) this.hello(h.advert);
    if (before !== this.ha.holdsVips || out.frames.length) this.onRoleChange?.();
  }

  /** A HELLO built by the fault core (one sequence space with the gasp), sent by the OS. */
  private hello(advert: Parameters<typeof helloFields>[0]): void {
    const f = helloFields(advert);
    try {
      this.sender.update(f.role, f.priority, f.epoch);
      const built = this.sender.hello(BigInt(Math.floor(this.clock.now() / NS_PER_US)));
      for (const fr of built.frames) if (this.portUp(fr.port)) this.send(fr.port, fr.bytes);
      this.stats.hellosSent++;
    } catch (e) {
      // E_GASP_FENCED: the core keeps the fault path's promise of silence.
      if (!(e instanceof CoreError && e.status === E_GASP_FENCED)) throw e;
    }
  }

  private portUp(i: number): boolean {
    return this.ifaces.get(this.board.ports[i].name).up;
  }

  /** The driver's TX path: reclaim, queue, one doorbell (the core's writer). */
  private send(port: number, frame: Uint8Array): void {
    const r = this.sim.osRings;
    this.core().exports.nic_tx_reclaim(port);
    if (r.enqueue(port, [frame]) === 0) {
      this.stats.txDropped++;
      return;
    }
    r.run("nic_tx_doorbell", port);
  }

  private core() {
    return this.sim.os;
  }

  /** STATUS.LU, read by the core (nic_link_wait with no polls: one register read). */
  private linkStatus(port: number): number {
    return this.sim.osRings.run("nic_link_wait", port, 0, 0) === STEP_DONE ? STATUS_LU : 0;
  }

  /** Carries out the alternate-path failover's interface actions on the NICs. */
  private applyPath(actions: PathAction[], now: number): void {
    for (const a of actions) {
      this.ifaces.apply(a);
      if (a.op === "configure") {
        const i = this.portIndex(a.iface);
        // The identity moves: the NIC filters for the primary's MAC from now on (RAL0).
        this.sim.osRings.stage(parseMac(a.params.mac));
        this.sim.os.call("nic_port_mac", i, TX_STAGE);
        this.sim.osRings.must("nic_rx_init", i);
      }
      if (a.op === "up") {
        const i = this.portIndex(a.iface);
        if (this.frontPorts.includes(i)) {
          this.primaryFront = i;
          // Hosts keep the MAC (it moved with the identity); the switch must learn its new port.
          if (this.ha.holdsVips) {
            this.ha.announcer.again(now, `path ${a.iface}`);
            this.route(this.ha.tick(now));
          }
        }
      }
    }
  }

  // ---- faults ---------------------------------------------------------------------------------

  /** Makes the guest OS fail as asked; a trap or panic reaches the exception handler. */
  inject(kind: "crash" | "panic" | "hang", opts: { trap?: "unreachable" | "oob" | "div0"; wildWrites?: boolean } = {}): void {
    if (this.state !== "up") return;
    const what: OsFaultKind = kind === "panic" ? "panic" : kind === "hang" ? "hang" : opts.wildWrites ? "wild-writes" : opts.trap ?? "unreachable";
    this.timeline.push({ tNs: this.clock.now(), source: this.id, name: "fault.inject", detail: { kind, what } });
    // Never inside a driver operation: the guest fails between two of them.
    if (this.busy) this.deferred.push(() => this.fail(what));
    else this.fail(what);
  }

  private fail(what: OsFaultKind): void {
    const now = this.clock.now();
    try {
      // wild-writes: 4 KiB over port 0's TX descriptors, then a trap; panic: the OS's code.
      const ring = this.sim.osRings.ringInfo(0, RING_TX, RINGINFO_DESC);
      this.guest.fault(what, what === "panic" ? PANIC_CODE : ring, 4096);
      if (what === "hang") {
        this.state = "hung";
        this.timeline.push({ tNs: now, source: this.id, name: "unit.hung" });
        this.onRoleChange?.();
      }
    } catch (e) {
      const panic = e instanceof GuestPanic;
      if (!panic && !(e instanceof WebAssembly.RuntimeError)) throw e;
      this.exception({
        cause: panic ? G.GASP_CAUSE_EXCEPTION : G.GASP_CAUSE_TRAP, vector: VECTORS[what] ?? 0, what,
        message: `${panic ? "panic" : "trap"}: ${(e as Error).message}`,
      });
    }
  }

  /**
   * The exception handler (and the watchdog's NMI): the OS is gone. With the gasp enabled, the
   * fault core sends it on every port; then the unit is silent for good.
   */
  private exception(x: { cause: number; vector: number; what: string; message: string }): void {
    const now = this.clock.now();
    this.state = "dead";
    this.deferred.length = 0;
    this.timeline.push({ tNs: now, source: this.id, name: "fault.handler", detail: { cause: x.cause, what: x.what, gasp: this.settings.gasp } });
    this.onRoleChange?.();
    if (!this.settings.gasp) return;
    const nics = this.nics.map((n, i) => this.doorbellWatch(n, i));
    this.faultReport = this.fault.fire(
      { cause: x.cause, vector: x.vector, pc: 0xffff_8000_0010_0000n + BigInt(x.vector), uptimeUs: BigInt(Math.floor(now / NS_PER_US)), excerpt: x.message },
      nics,
      this.sim.delay,
    );
    const r = this.faultReport;
    this.timeline.push({ tNs: this.clock.now(), source: this.id, name: "fault.done", detail: { result: r.result, rounds: r.rounds, ports: r.ports.map((p) => `${this.board.ports[p.port].name}:${p.status}`).join(" ") } });
    this.ha.handle({ type: "gasp-sent" }, this.clock.now());
  }

  /** A NIC whose first TX doorbell (a write to any queue's TDT) during the fault path goes on the timeline. */
  private doorbellWatch(nic: E1000, port: number): NicDevice {
    let rung = false;
    return {
      read32: (o) => nic.read32(o),
      write32: (o, v) => {
        nic.write32(o, v);
        if (!rung && nic.registerAt(o)?.effect === "tdt") {
          rung = true;
          this.timeline.push({ tNs: this.clock.now(), source: this.id, name: "fault.doorbell", detail: { port: this.board.ports[port].name } });
        }
      },
    };
  }

  /** Power gone: nothing runs, nothing is sent (the chassis takes the links down). */
  powerOff(): void {
    if (this.state === "off") return;
    this.state = "off";
    this.deferred.length = 0;
    this.timeline.push({ tNs: this.clock.now(), source: this.id, name: "unit.power-off" });
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
    this.monitorTicker?.poke();
  }
}
