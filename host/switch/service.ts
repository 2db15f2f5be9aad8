// The switching service (docs/switching-path.md "The switching service"): the switching path
// configured from the board's switching file (config.ts) on the OS core of an open board,
// the packet engine polling every port's RX queue with one register-operation list per round
// (PacketEngine over the board's RegopPerformer: one native call on linux and pci ports), and
// the punt rings served by the control processor: the unit's control plane first (gasps,
// HELLOs, config sync, ARP for the VIPs — ServiceContext.deliver), the VIP's echo, then the TAP devices
// (tap.ts) for everything addressed to the control processor itself.
//
// It owns the RX rings: the daemon's own frames (GARPs, HELLOs) go out through send(), on
// the DOWN ring. It starts fenced, as the unit starts as a standby; on a unit that is not
// active the VIP's services are out of the switching path (nothing is forwarded; the control
// processor still answers for its own addresses through the TAPs).

import type { Board } from "../board/board";
import type { BoardRuntime } from "../board/runtime";
import { SwitchPath } from "./switch";
import { LbTables } from "./lbtables";
import { PacketEngine } from "./engine";
import { PuntService } from "./punt";
import { IcmpEchoResponder } from "./apps";
import { TapBridge, TapDevice } from "./tap";
import { maglevTable, wrrTable, MAGLEV_DEFAULT_SIZE } from "./distribution";
import { DEFAULT_CAPACITY, loadSwitchingConfig, SwitchingConfigError, type SwitchingConfig } from "./config";
import { parseIPv4, parseIPv6, parseMac } from "../util/addr";
import type { BoardAddon } from "../native/board";
import { ServiceConfigError, type ServiceContext, type ServiceFactory, type UnitService } from "../run/service";
import type { Role } from "../ha/role";

export const SVC_TCP = 0;
export const SVC_UDP = 1;
/** The engine context that polls every port and drains the DOWN ring. */
const CTX = 0;

export class SwitchingService implements UnitService {
  readonly name = "switching";
  readonly ownsRings = true;
  private ctx!: ServiceContext;
  private linuxPorts: number[] = [];
  private addon: BoardAddon | null = null;
  private sw!: SwitchPath;
  private engine!: PacketEngine;
  private punts!: PuntService;
  private tap: TapBridge | null = null;
  private serving = false;
  private stopped = false;
  private readonly stats = { rounds: 0, frames: 0, sent: 0, sendDropped: 0, controlPlane: 0 };

  constructor(readonly cfg: SwitchingConfig) {}

  /** The board's switching service, or null when it has none; throws SwitchingConfigError. */
  static forBoard(board: Board): SwitchingService | null {
    return board.switching ? new SwitchingService(loadSwitchingConfig(board)) : null;
  }

  /** The addon behind a board of real ports (TAPs need it); null on the virtual board. */
  private static addonOf(rt: BoardRuntime): BoardAddon | null {
    return (rt as { addon?: BoardAddon }).addon ?? null;
  }

  /** After bring-up: the OS core's rings are initialised on every port. */
  start(ctx: ServiceContext): void {
    this.ctx = ctx;
    const { board, rt } = ctx;
    this.addon = SwitchingService.addonOf(rt);
    this.linuxPorts = board.ports.map((p, i) => (p.device.kind === "linux" ? i : -1)).filter((i) => i >= 0);
    const s = this.cfg.spec;
    const core = rt.os;
    this.sw = SwitchPath.create({ capacity: s.capacity ?? DEFAULT_CAPACITY, seed: board.unit, policy: "evict" }, core);
    let cp = 0;
    board.ports.forEach((p, i) => {
      this.sw.setPort(i, p.macBytes);
      for (const a of p.ipv4) this.sw.setCpAddress(cp++, 4, parseIPv4(a.split("/")[0]));
      for (const a of p.ipv6 ?? []) this.sw.setCpAddress(cp++, 6, parseIPv6(a.split("/")[0]));
    });
    s.backends.forEach((b, i) => {
      this.sw.setBackend(i, { family: 4, addr: parseIPv4(b.ip), mac: parseMac(b.mac), txPort: this.cfg.serverPort, port: s.service.backendPort });
    });
    const shares = s.backends.map((b, i) => ({ index: i, name: `${b.ip}:${s.service.backendPort}`, weight: b.weight ?? 1 }));
    const size = s.distribution?.tableSize ?? MAGLEV_DEFAULT_SIZE;
    const table = s.distribution?.strategy === "wrr" ? wrrTable(shares, size) : maglevTable(shares, size);
    this.serve(true); // a table is accepted only for services in use
    new LbTables(core).publish(new Map(s.service.udpPort ? [[SVC_TCP, table], [SVC_UDP, table]] : [[SVC_TCP, table]]));
    this.serve(ctx.role() === "active"); // a unit starts as a standby: fenced until it takes over

    const vip = parseIPv4(s.service.vip);
    this.punts = new PuntService(core);
    this.punts.register({
      name: "control-plane",
      handle: (p) => (this.ctx.deliver(p.port, p.frame) ? (this.stats.controlPlane++, []) : null),
    });
    // ARP for the VIP is the unit's (its HA machine answers while it holds the VIPs, through
    // deliver); echo to the VIP is answered here, by the active unit only.
    const echo = new IcmpEchoResponder([vip]);
    this.punts.register({ name: "vip-echo", handle: (p) => (this.serving ? echo.handle(p) : null) });
    if (this.cfg.taps.length) {
      const addon = this.addon;
      if (!addon) throw new Error("TAP devices need a board of real ports (linux or pci)");
      const opened: TapDevice[] = [];
      try {
        for (const t of this.cfg.taps) {
          const p = board.ports[t.port];
          opened.push(new TapDevice(addon, { port: t.port, name: t.name, mac: p.macBytes, ipv4: p.ipv4, ipv6: p.ipv6 ?? [] }));
        }
      } catch (e) {
        for (const t of opened) t.close();
        throw e;
      }
      this.tap = new TapBridge(opened);
      this.punts.register(this.tap);
    }
    this.engine = new PacketEngine(core, rt.nics, rt.delay, this.punts, rt.perform);
    this.engine.reset();
    this.engine.context(CTX, { rxPorts: board.ports.map((_, i) => i), inject: true, batch: s.batch });
    ctx.log("switching.start", {
      vip: s.service.vip, tcpPort: s.service.tcpPort, udpPort: s.service.udpPort ?? null, backends: s.backends.length,
      taps: this.cfg.taps.map((t) => t.name).join(",") || null,
    });
  }

  /** The switching path the service configured (tests, status). */
  get switchPath(): SwitchPath {
    return this.sw;
  }

  /** Puts the VIP's services into the switching path, or takes them out (fenced). */
  private serve(on: boolean): void {
    const s = this.cfg.spec;
    const nat = { mode: "nat" as const, returnPort: this.cfg.clientPort, returnMac: parseMac(s.router.mac) };
    const vip = parseIPv4(s.service.vip);
    this.sw.setService(SVC_TCP, on ? { family: 4, vip, protocol: "tcp", port: s.service.tcpPort, ...nat } : null);
    this.sw.setService(SVC_UDP, on && s.service.udpPort ? { family: 4, vip, protocol: "udp", port: s.service.udpPort, ...nat } : null);
    this.serving = on;
  }

  /**
   * One round: each linux port's socket into its RX ring (a loop that is busy does not sleep,
   * and so does not pump), what the kernel sent on the TAPs into the DOWN ring, then the
   * engine's round (RX, TX, punts).
   */
  poll(now: number): boolean {
    if (this.stopped) return false;
    for (const i of this.linuxPorts) this.addon!.linuxPump(i, 0);
    const fromKernel = this.tap ? this.tap.pump(this.punts.rings) : 0;
    const n = this.engine.poll(CTX, Math.floor(now / 1e6));
    this.stats.rounds++;
    this.stats.frames += n;
    return n > 0 || fromKernel > 0 || this.punts.rings.pending() > 0;
  }

  /** Descriptors a loop may wait on besides the ports' sockets: the TAPs. */
  waitFds(): number[] {
    return this.tap?.fds ?? [];
  }

  /** The daemon's control-plane frame, out on port through the DOWN ring. */
  send(port: number, frame: Uint8Array): boolean {
    const ok = this.punts.rings.inject({ frame, port, via: "tx" });
    if (ok) this.stats.sent++;
    else this.stats.sendDropped++;
    return ok;
  }

  /** Only the active unit forwards for the VIP. */
  roleChanged(role: Role): void {
    if ((role === "active") === this.serving) return;
    this.serve(role === "active");
    this.ctx.log("switching.fence", { serving: this.serving, role });
  }

  counters(): Record<string, number | string | boolean> {
    const out: Record<string, number | string | boolean> = { serving: this.serving, ...this.stats };
    for (const [k, v] of Object.entries(this.engine.counters(CTX))) if (v !== 0 || !k.startsWith("tx_port")) out[`engine_${k}`] = v;
    for (const [k, v] of Object.entries(this.sw.counters())) if (v !== 0) out[`switch_${k}`] = v;
    for (const [k, v] of Object.entries(this.punts.stats)) out[`punt_${k}`] = v;
    if (this.tap) for (const [k, v] of Object.entries(this.tap.stats)) out[`tap_${k}`] = v;
    for (const i of this.linuxPorts) {
      const st = this.addon!.linuxStats(i); // frames the engine was too slow for: the kernel's socket overflowed
      out[`port${i}_rxSocketDrops`] = st.rxSocketDrops;
      out[`port${i}_rxDropped`] = st.rxDropped;
    }
    return out;
  }

  /** Releases the engine's claims and removes the TAPs. Safe to call twice. */
  stop(): void {
    if (this.stopped || !this.engine) return;
    this.stopped = true;
    this.ctx.log("switching.stop", this.counters()); // before the reset clears the engine's counters
    this.serve(false);
    this.engine.reset();
    this.tap?.close();
  }
}

/** `lastgasp run`'s factory (host/run/services.ts): a board with "switching" gets the service. */
export const switchingFactory: ServiceFactory = {
  name: "switching",
  check(board: Board): void {
    if (!board.switching) return;
    try {
      loadSwitchingConfig(board);
    } catch (e) {
      if (!(e instanceof SwitchingConfigError)) throw e;
      throw new ServiceConfigError(e.problems.map((p) => ({ path: `${p.file ?? board.switching}${p.line !== undefined ? `:${p.line}:${p.column}` : ""}: ${p.path || "/"}`, message: p.message })));
    }
  },
  create: (board: Board) => SwitchingService.forBoard(board),
};
