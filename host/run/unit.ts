// `lastgasp run`: one unit of an HA pair on its board's real ports, until stopped
// (docs/running-a-pair.md). The board is open (host/board/native.ts); this file brings its
// rings up, arms the crash path, runs the unit's HA behaviour — the virtual chassis' HaUnit
// (host/ha/unit.ts: role machine with epochs and fencing, heartbeat monitor, announcer, the
// VIPs' ARP responder) fed from the real ports — starts the optional services (service.ts)
// and runs the loop (loop.ts) until SIGTERM / SIGINT, then stops cleanly: no gasp (a planned
// stop is not a crash) but a resign, so that the peer takes over at once.
//
// Frames in (deliver): a raw gasp (0x88B5) or IPv4 goes to the gasp receiver on the OS core
// (authenticated, replay-checked; its table persists in the state directory); a peer's GASP
// or HELLO goes on to the HA unit; ARP on a front port to the VIPs' responder. Frames out:
// HELLOs built by the fault core (one sequence space with the gasp) on every port, the
// announcer's GARPs and NAs on the first front port — through the OS core's TX rings.

import * as fs from "fs";
import * as path from "path";
import type { NativeRuntime } from "../board/native";
import type { Board } from "../board/board";
import { armCrashPath, die, type ArmedCrashPath } from "../board/crash";
import type { Role } from "../ha/role";
import { HaUnit, type UnitOutput } from "../ha/unit";
import { coreArbiter } from "../ha/arbiter";
import { helloFields } from "../ha/hello";
import { NS_PER_US, type TimelineEvent } from "../ha/timeline";
import type { HeartbeatOptions } from "../ha/heartbeat";
import { GaspSender, GaspReceiver } from "../gasp/gasp";
import type { GaspMessage } from "../gasp/repr";
import { loadReplayState, saveReplayState } from "../gasp/persist";
import { WireCodec } from "../wire/codec";
import { ethView } from "../wire/frame";
import { CoreError } from "../core/status";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_LOCAL_EXP1 } from "../../assembly/shared/wire";
import { E_GASP_DUPLICATE, E_GASP_NOT_GASP, E_GASP_FENCED } from "../../assembly/shared/status";
import * as G from "../../assembly/shared/gasp";
import { Loop, LoopClock } from "./loop";
import type { RunLog } from "./log";
import type { ServiceContext, UnitService } from "./service";
import { ifaceVips, addVips, removeVips, type IfaceVip } from "./vips";
import { UnitSync, type SyncSettings } from "./sync";
import { SYNC_UDP_PORT } from "../sync/udp";
import { LinkMonitor } from "../ha/link-monitor";
import { STEP_DONE } from "../../assembly/shared/regop";
import { STATUS_LU } from "../../assembly/shared/e1000";
import { RunPaths } from "./paths";
import { BfdPoller, BFD_POLL_MS } from "./bfd-poll";
import { Dialects } from "../dialect/dialect";

export interface RunSettings {
  board: Board;
  /** The peer unit's board: gasps and HELLOs go to its ports. */
  peer?: Board;
  /** The chassis key (32..64 bytes); the unit wipes it once it is in both cores. */
  key: Uint8Array;
  keyId: number;
  chassis: number;
  /** 1..255: who takes over when neither unit holds the VIPs (then epoch, then unit id). */
  priority: number;
  heartbeat: Omit<HeartbeatOptions, "name" | "timeline">;
  /** A hang is this long without a kick (0: no watchdog). */
  watchdogMs: number;
  /** Boot counter, epoch and the receiver's replay table live here. */
  stateDir: string;
  /** Config sync with the peer (needs peer): this unit's image and configuration. */
  sync?: SyncSettings;
}

/** What `lastgasp status` shows besides the role. */
export interface UnitCounters {
  hellosSent: number;
  hellosReceived: number;
  gaspsAccepted: number;
  gaspsRefused: number;
  duplicates: number;
  announcements: number;
  arpReplies: number;
  txDropped: number;
  rxFrames: number;
}

export class RunUnit {
  readonly clock: LoopClock;
  readonly loop: Loop;
  readonly ha: HaUnit;
  readonly receiver: GaspReceiver;
  readonly counters: UnitCounters = { hellosSent: 0, hellosReceived: 0, gaspsAccepted: 0, gaspsRefused: 0, duplicates: 0, announcements: 0, arpReplies: 0, txDropped: 0, rxFrames: 0 };
  /** The peer as its last HELLO said, and when (monotonic ns). */
  peer: { unit: number; role: string; priority: number; epoch: number; boot: number; atNs: number } | null = null;
  lastGasp: { unit: number; cause: number; encap: string; boot: number; atNs: number; wallMs: number } | null = null;
  readonly startedNs: number;
  boot = 0;
  private crash: ArmedCrashPath | null = null;
  private readonly sender: GaspSender;
  private readonly linuxPorts: number[];
  private readonly frontPorts: number[];
  private vips: IfaceVip[];
  private vipsOnIface = false;
  private lastRole: Role = "init";
  readonly sync: UnitSync | null = null;
  /**
   * The front port's link (STATUS.LU through the OS core, every 100 ms, as the chassis and
   * Linux bonding's miimon poll it): lost → the role machine's FAULT (an active unit gives the
   * VIPs up and resigns where it still can be heard; the peer takes over), back → standby.
   */
  readonly link: LinkMonitor | null = null;
  /** Two front ports (board `pathFailover`): the alternate-path failover instead (paths.ts). */
  readonly paths: RunPaths | null = null;
  /** BFD sessions learned from the unit's bfdd (`learn: frr`), polled every second (bfd-poll.ts). */
  bfd: BfdPoller | null = null;
  private stopped = false;

  constructor(
    readonly rt: NativeRuntime,
    readonly settings: RunSettings,
    readonly log: RunLog,
    readonly services: UnitService[],
  ) {
    const b = settings.board;
    this.clock = new LoopClock(() => rt.now());
    this.startedNs = rt.now();
    this.linuxPorts = b.ports.map((p, i) => (p.device.kind === "linux" ? i : -1)).filter((i) => i >= 0);
    this.frontPorts = b.ports.map((p, i) => (p.role === "front" ? i : -1)).filter((i) => i >= 0);
    if (!this.frontPorts.length) this.frontPorts = [0];
    this.vips = ifaceVips(b);
    this.sender = new GaspSender(rt.fault);
    this.receiver = new GaspReceiver(rt.os);
    const codec = new WireCodec(rt.os);
    // The HA machines' events are the unit's log lines; each announcement frame is counted, not logged.
    const timeline = {
      push: (ev: TimelineEvent) => (ev.name === "announce.sent" ? 0 : this.log(ev.name, { source: ev.source === b.id ? undefined : ev.source, ...(ev.detail ?? {}) })),
    };
    if (b.pathFailover) {
      this.paths = new RunPaths(rt, b, timeline, {
        moved: (port, from, now) => this.pathMoved(port, from, now),
        log: (event, fields, level) => this.log(event, fields, level),
      });
    }
    this.ha = new HaUnit({
      name: b.id, unit: b.unit, priority: settings.priority, epoch: this.loadEpoch(),
      mac: b.ports[this.front].mac, vips: b.vips.map((v) => (v.ipv4 ?? v.ipv6)!).concat(b.vips.filter((v) => v.ipv4 && v.ipv6).map((v) => v.ipv6!)),
      codec, arbitrate: coreArbiter(rt.os), heartbeat: settings.heartbeat, timeline,
    });
    this.loop = new Loop({ turn: () => this.turn(), sleep: (us) => this.sleep(us), now: () => rt.now() });
    const fp = this.front;
    if (!this.paths) this.link = new LinkMonitor({ name: `${b.id}.${b.ports[fp].name}`, readStatus: () => (rt.osRings.run("nic_link_wait", fp, 0, 0) === STEP_DONE ? STATUS_LU : 0), timeline });
    if (settings.sync && settings.peer) {
      this.sync = new UnitSync(settings.sync, codec, b, settings.peer, this.clock, (f) => void this.send(this.front, f), log);
    }
  }

  /** The front port the unit's announcements and sync leave by: the first, or the path failover's current primary. */
  get front(): number {
    return this.paths?.primaryFront ?? this.frontPorts[0];
  }

  get owned(): UnitService | undefined {
    return this.services.find((s) => s.ownsRings);
  }

  get role(): Role {
    return this.ha.currentRole;
  }

  /** Rings up on every port, the receiver keyed, the crash path armed, the services started, the HA machines running. */
  start(boot: number): void {
    const { rt, settings: s } = this;
    this.boot = boot;
    // What a previous run left on the interfaces (a crash cannot remove its VIPs; its carrier
    // drop took the interface down): this unit starts as a standby.
    const stale = removeVips(this.vips);
    if (stale.length) this.log("vip.stale-removed", { addresses: stale.join(",") }, "warn");
    for (const i of this.linuxPorts) this.ifaceUp(i);
    s.board.ports.forEach((_, i) => {
      rt.osRings.must("nic_tx_init", i);
      rt.osRings.must("nic_rx_init", i);
    });
    // The receiver lives with the OS side: it is the OS that hears the peer.
    new GaspSender(rt.os).setKey(0, Uint8Array.from(s.key), s.keyId);
    this.receiver.configure({ chassis: s.chassis, ownUnit: s.board.unit });
    const restored = fs.existsSync(this.replayFile) ? loadReplayState(this.replayFile, this.receiver) : 0;
    this.crash = armCrashPath(rt, { key: s.key, keyId: s.keyId, chassis: s.chassis, boot, priority: s.priority, peer: s.peer, watchdogMs: s.watchdogMs });
    s.key.fill(0);
    const r = this.crash.report.rehearsal;
    this.log("gasp.armed", { frames: this.crash.frames, ports: this.crash.ports, rehearsal: r ? `${r.result === 0 ? "done" : r.result} in ${r.us} us` : "none", watchdogMs: s.watchdogMs, replayRestored: restored });
    if (BfdPoller.wanted(s.board)) {
      this.bfd = new BfdPoller(s.board, new Dialects(rt.fault), { vtysh: process.env.LASTGASP_VTYSH, log: (e, f, l) => this.log(e, f, l) });
      const poll = () => {
        if (this.stopped) return;
        this.bfd!.poll();
        this.clock.after(BFD_POLL_MS * 1e6, poll);
      };
      poll();
    }
    const ctx: ServiceContext = {
      board: s.board, rt, role: () => this.role, now: () => rt.now(),
      log: (event, fields, level) => this.log(event, fields, level),
      deliver: (port, frame) => this.deliver(port, frame),
    };
    for (const svc of this.services) {
      svc.start(ctx);
      this.log("service.start", { service: svc.name, ownsRings: svc.ownsRings });
    }
    if (this.paths) this.paths.start(rt.now());
    else this.link!.start(rt.now());
    this.route(this.ha.start(rt.now()));
  }

  /** A frame for the control plane; true when it was the unit's. */
  deliver(port: number, frame: Uint8Array): boolean {
    const now = this.rt.now();
    this.counters.rxFrames++;
    const type = ethView(frame)?.type;
    if (type === ETHERTYPE_LOCAL_EXP1 || type === ETHERTYPE_IPV4) {
      const r = this.receiver.receive(frame);
      if (r.ok) {
        this.peerMessage(port, r.message, now);
        return true;
      }
      if (r.status === E_GASP_DUPLICATE) {
        // Every message comes in several copies (raw and UDP, repeated): the first is accepted.
        this.counters.duplicates++;
        return true;
      }
      if (r.status !== E_GASP_NOT_GASP) {
        this.counters.gaspsRefused++;
        this.log("gasp.refused", { port: this.settings.board.ports[port].name, reason: r.reason }, "warn");
        return true;
      }
    }
    if (type === ETHERTYPE_IPV4 && this.sync && isSyncDatagram(frame)) {
      this.sync.frameIn(frame);
      return true;
    }
    // With two front ports, only the one carrying the identity answers (a broadcast reaches both).
    if (type === ETHERTYPE_ARP && (this.paths ? port === this.front : this.frontPorts.includes(port))) {
      const out = this.ha.receive(frame, now);
      this.counters.arpReplies += out.frames.length;
      this.route(out);
      return false; // the kernel sees ARP too
    }
    return false;
  }

  private peerMessage(port: number, m: GaspMessage, now: number): void {
    if (m.type === G.GASP_TYPE_GASP) {
      this.counters.gaspsAccepted++;
      this.lastGasp = { unit: m.unit, cause: m.cause, encap: m.encap, boot: m.boot, atNs: now, wallMs: Date.now() };
      this.log("gasp.accepted", { from: m.unit, port: this.settings.board.ports[port].name, encap: m.encap, cause: m.cause, boot: m.boot, seq: Number(m.seq), fenced: (m.flags & G.GASP_FLAG_SELF_FENCED) !== 0 });
      this.saveReplay();
    } else if (m.type === G.GASP_TYPE_HELLO) {
      this.counters.hellosReceived++;
      const role = m.role === G.GASP_ROLE_ACTIVE ? "active" : m.role === G.GASP_ROLE_STANDBY ? "backup" : "none";
      // Logged when the peer (re)appears or its role changes; each HELLO is counted.
      if (!this.peer || this.peer.boot !== m.boot || this.peer.role !== role) this.log("peer.hello", { peer: m.unit, role, priority: m.priority, epoch: m.epoch, boot: m.boot });
      this.peer = { unit: m.unit, role, priority: m.priority, epoch: m.epoch, boot: m.boot, atNs: now };
    }
    this.route(this.ha.onPeerMessage(m, now));
  }

  /** What the HA machines want sent, and what a change of role means outside them. */
  private route(out: UnitOutput): void {
    for (const f of out.frames) {
      if (f.what !== "arp-reply") this.counters.announcements++;
      this.send(this.front, f.frame);
    }
    for (const h of out.hellos) this.hello(h.advert);
    this.roleChanges();
  }

  private roleChanges(): void {
    const role = this.ha.currentRole;
    const now = this.rt.now();
    this.sync?.update(role, this.peer, this.boot);
    if (role !== this.lastRole) {
      this.lastRole = role;
      this.saveEpoch();
      for (const svc of this.services) svc.roleChanged?.(role, now);
    }
    const hold = this.ha.holdsVips;
    if (hold === this.vipsOnIface || !this.vips.length) return;
    this.vipsOnIface = hold;
    if (hold) {
      addVips(this.vips, (errors) => {
        if (errors.length) this.log("vip.add-failed", { errors: errors.join("; ") }, "error");
        else this.log("vip.added", { addresses: this.vips.map((v) => v.prefix).join(",") });
        // Given up meanwhile (fenced, demoted): take them back off.
        if (!this.vipsOnIface) removeVips(this.vips);
      });
    } else {
      const removed = removeVips(this.vips);
      this.log("vip.removed", { addresses: removed.join(",") || "none" });
    }
  }

  /** A HELLO built by the fault core (one sequence space with the gasp), sent on every port. */
  private hello(advert: Parameters<typeof helloFields>[0]): void {
    const f = helloFields(advert);
    try {
      this.sender.update(f.role, f.priority, f.epoch);
      const built = this.sender.hello(BigInt(Math.floor((this.rt.now() - this.startedNs) / NS_PER_US)));
      for (const fr of built.frames) if (!this.paths || this.paths.sendsOn(fr.port)) this.send(fr.port, fr.bytes);
      this.counters.hellosSent++;
    } catch (e) {
      // E_GASP_FENCED: the core keeps the fault path's promise of silence.
      if (!(e instanceof CoreError && e.status === E_GASP_FENCED)) throw e;
    }
  }

  send(port: number, frame: Uint8Array): boolean {
    const owner = this.owned;
    let ok: boolean;
    if (owner?.send) ok = owner.send(port, frame);
    else {
      const r = this.rt.osRings;
      this.rt.os.exports.nic_tx_reclaim(port);
      ok = r.enqueue(port, [frame]) === 1;
      if (ok) r.run("nic_tx_doorbell", port);
    }
    if (!ok) this.counters.txDropped++;
    return ok;
  }

  private turn(): { next: number | null; busy: boolean } {
    let busy = false;
    if (!this.owned) {
      for (let i = 0; i < this.settings.board.ports.length; i++) {
        const { frames } = this.rt.osRings.harvest(i);
        if (!frames.length) continue;
        this.rt.osRings.run("nic_rx_doorbell", i);
        for (const f of frames) this.deliver(i, f);
        busy = true;
      }
    }
    const now = this.rt.now();
    const pathsDue = this.paths?.nextDeadline() ?? null;
    if (pathsDue !== null && pathsDue <= now) this.paths!.tick(now);
    const linkDue = this.link?.nextDeadline() ?? null;
    if (this.link && linkDue !== null && linkDue <= now) {
      for (const c of this.link.tick(now)) {
        this.route(this.ha.handle({ type: c.up ? "link-restored" : "link-lost" }, c.tNs));
        // A unit cut off hears nothing: it does not judge the peer meanwhile, and once back
        // it gives the peer a full detection time (keepalived restarts its master-down timer).
        if (c.up) this.ha.heartbeat.resume(c.tNs);
        else this.ha.heartbeat.pause(c.tNs);
      }
    }
    const due = this.ha.nextDeadline();
    if (due !== null && due <= now) this.route(this.ha.tick(now));
    this.clock.run(now);
    this.sync?.watch();
    let next = earliestOf(earliestOf(this.clock.nextDeadline(), this.ha.nextDeadline()), earliestOf(this.link?.nextDeadline() ?? null, this.paths?.nextDeadline() ?? null));
    for (const svc of this.services) {
      if (svc.poll(now)) busy = true;
      next = earliestOf(next, svc.nextDeadline?.() ?? null);
    }
    return { next, busy };
  }

  /**
   * Sleeps up to us until any linux port's socket or a service's descriptor (a TAP) is
   * readable — one ppoll(2) over all of them, so a frame on the second port or from the
   * control processor does not wait out the sleep — then pumps every linux port's socket
   * into its RX ring.
   */
  private sleep(us: number): void {
    if (this.linuxPorts.length === 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(1, Math.round(us / 1000)));
      return;
    }
    const fds = this.services.flatMap((svc) => svc.waitFds?.() ?? []);
    if (this.linuxPorts.length === 1 && fds.length === 0) {
      this.rt.addon.linuxPump(this.linuxPorts[0], us);
      return;
    }
    this.rt.addon.ioWait(this.linuxPorts, fds, us);
    for (const i of this.linuxPorts) this.rt.addon.linuxPump(i, 0);
  }

  /**
   * The alternate-path failover moved the identity to another front port: the VIPs follow it
   * onto that interface, and a unit that holds them announces them again from there (the
   * hosts keep the MAC, which moved too; the switch must learn its new port).
   */
  private pathMoved(port: number, from: number, now: number): void {
    const b = this.settings.board;
    const [oldIf, newIf] = [from, port].map((i) => { const d = b.ports[i].device; return d.kind === "linux" ? d.interface : ""; });
    const moving = this.vips.filter((v) => v.iface === oldIf);
    if (this.vipsOnIface && moving.length) removeVips(moving);
    this.vips = this.vips.map((v) => (v.iface === oldIf ? { ...v, iface: newIf } : v));
    const moved = this.vips.filter((v) => v.iface === newIf);
    this.log("path.moved", { from: b.ports[from].name, to: b.ports[port].name, interface: newIf, vips: this.vipsOnIface ? moved.map((v) => v.prefix).join(",") : "none" });
    if (this.vipsOnIface && moved.length) {
      addVips(moved, (errors) => {
        if (errors.length) this.log("vip.add-failed", { errors: errors.join("; ") }, "error");
        if (!this.vipsOnIface) removeVips(moved);
      });
    }
    if (this.ha.holdsVips) {
      this.ha.announcer.again(now, `path ${b.ports[port].name}`);
      this.route(this.ha.tick(now));
    }
  }

  /** Runs until stop(); resolves when the loop has ended. */
  run(): Promise<void> {
    return this.loop.run();
  }

  /**
   * A planned stop: no gasp. The crash path is disarmed first; an active unit resigns (a
   * HELLO with priority 0: the peer takes over at once, as VRRP's priority-0 advert does)
   * and takes its VIPs off the interface; then the services stop.
   */
  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.crash?.disarm();
    const wasActive = this.ha.currentRole === "active";
    if (wasActive) this.route(this.ha.handle({ type: "operator", action: "demote" }, this.rt.now()));
    if (this.vipsOnIface) {
      this.vipsOnIface = false;
      this.log("vip.removed", { addresses: removeVips(this.vips).join(",") || "none" });
    }
    this.saveReplay();
    this.sync?.stop();
    for (const svc of this.services) {
      try {
        svc.stop();
      } catch (e) {
        this.log("service.stop-failed", { service: svc.name, error: (e as Error).message }, "error");
      }
    }
    this.loop.stop();
    this.clock.clear();
    this.log("unit.stop", { reason, resigned: wasActive });
  }

  /** What `lastgasp status` shows (times as milliseconds ago, from the monotonic clock). */
  status(): Record<string, unknown> {
    const now = this.rt.now();
    const ago = (t: number) => Math.round((now - t) / 1e6);
    const b = this.settings.board;
    return {
      unit: b.id, unitId: b.unit, pid: process.pid, boot: this.boot, uptimeMs: ago(this.startedNs),
      role: this.role, epoch: this.ha.role.epoch, priority: this.settings.priority, holdsVips: this.ha.holdsVips,
      vips: b.vips.flatMap((v) => [v.ipv4, v.ipv6].filter((x): x is string => !!x)),
      crashPath: this.crash && !this.stopped ? "armed" : "disarmed",
      peer: this.peer ? { unit: this.peer.unit, role: this.peer.role, priority: this.peer.priority, epoch: this.peer.epoch, boot: this.peer.boot, lastHelloMsAgo: ago(this.peer.atNs) } : null,
      lastGasp: this.lastGasp ? { from: this.lastGasp.unit, cause: this.lastGasp.cause, encap: this.lastGasp.encap, boot: this.lastGasp.boot, msAgo: ago(this.lastGasp.atNs), at: new Date(this.lastGasp.wallMs).toISOString() } : null,
      counters: { ...this.counters, loopTurns: this.loop.turns, heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 1048576) },
      sync: this.sync?.status() ?? null,
      paths: this.paths?.status() ?? null,
      bfd: this.bfd ? { armed: this.bfd.armed.size, polls: this.bfd.polls, failures: this.bfd.failures } : null,
      services: Object.fromEntries(this.services.map((s) => [s.name, s.counters()])),
    };
  }

  /** Dies as asked, from inside the running unit (status socket, --allow-test-deaths). */
  die(how: string): void {
    this.log("unit.dying", { how }, "warn");
    this.rt.addon.crashKick();
    die(how, this.rt.addon);
  }

  // ---- the state directory ------------------------------------------------------------------

  private get replayFile(): string {
    return path.join(this.settings.stateDir, "replay.json");
  }

  private saveReplay(): void {
    try {
      saveReplayState(this.replayFile, this.receiver);
    } catch (e) {
      this.log("state.save-failed", { file: this.replayFile, error: (e as Error).message }, "error");
    }
  }

  private loadEpoch(): number {
    try {
      const t = fs.readFileSync(path.join(this.settings.stateDir, "epoch"), "utf8").trim();
      return /^\d+$/.test(t) && Number(t) <= 0xffffffff ? Number(t) : 0;
    } catch {
      return 0;
    }
  }

  private saveEpoch(): void {
    try {
      fs.writeFileSync(path.join(this.settings.stateDir, "epoch"), `${this.ha.role.epoch}\n`, { mode: 0o600 });
    } catch (e) {
      this.log("state.save-failed", { file: "epoch", error: (e as Error).message }, "error");
    }
  }

  private ifaceUp(i: number): void {
    const d = this.settings.board.ports[i].device;
    if (d.kind !== "linux") return;
    let flags = 1;
    try {
      flags = parseInt(fs.readFileSync(`/sys/class/net/${d.interface}/flags`, "utf8"), 16);
    } catch {
      return;
    }
    if (flags & 1) return;
    // A crash's carrier drop took it down: this run brings it back.
    require("child_process").spawnSync("ip", ["link", "set", "dev", d.interface, "up"], { timeout: 5000 });
    this.log("port.up", { port: this.settings.board.ports[i].name, interface: d.interface, was: "down" }, "warn");
  }
}

/** IPv4, UDP, to the sync protocol's port (the carrier checks addresses and checksums). */
function isSyncDatagram(f: Uint8Array): boolean {
  const ihl = (f[14] & 0x0f) * 4;
  return f.length >= 14 + ihl + 8 && f[14 + 9] === 17 && ((f[14 + ihl + 2] << 8) | f[14 + ihl + 3]) === SYNC_UDP_PORT;
}

function earliestOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}
