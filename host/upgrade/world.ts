// The virtual chassis with flash, boot stages and reboots (docs/upgrade.md "Unit restarts"):
// the failover chassis (host/chassis) whose units are built from what each card's boot stage
// chooses on its own flash, and can be reset, power-cycled or rebooted by their watchdog.
//
// A unit's life, per board (UnitNode):
//   reset     the software stops (a planned reboot, the watchdog after a crash, a power cut):
//             its ports go dark, the peer's monitors notice; epoch and boot counter persist
//   boot      the core's boot_select over the card's flash (host/upgrade/firmware.ts) picks a
//             slot — a trial spends an attempt first, on flash — and the slot's image is read
//             from the cells; its core part is compiled and instantiated (twice: the OS core
//             and the fault core). A core that does not load is a boot that fails: the
//             watchdog resets the board and the boot stage runs again, until its attempts
//             revert the trial
//   up        after the OS boot time, a new ChassisUnit (host/chassis/unit.ts) on those cores
//             is plugged in where the last one was (host/chassis/sockets.ts): boot counter + 1,
//             the epoch it had, never starting active — a unit that comes back is a standby,
//             whatever its priority (no preemption: no flap)
// Config sync runs between the active and the standby whenever both are up (sync.ts); the
// image's defect, if it carries one, makes the unit misbehave (images.ts).

import type { Board } from "../board/board";
import { Core } from "../core/core";
import { Chassis } from "../chassis/chassis";
import { ChassisUnit, UnitSettings } from "../chassis/unit";
import type { LoadedScenario } from "../chassis/scenario";
import { ms } from "../ha/timeline";
import { FlashReport } from "../flash/driver";
import { runImage } from "../image/verifier";
import { shipped } from "../sync/images";
import { RunningConfig, parseConfigText } from "../sync/config";
import { ChassisImage, corePart, describeImage } from "./images";
import { UnitFlash, FlashOpKind, FlashRun, CutRequest } from "./firmware";
import { ChassisSync } from "./sync";
import { Ledger } from "./ledger";
import { HealthCheck } from "./health";

export interface WorldOptions {
  loaded: LoadedScenario;
  /** Per board id: its flash (provisioned). */
  flash: Map<string, UnitFlash>;
  /** The running configuration's text, in the grammar of the images the units start on. */
  config: { file: string; text: string };
  /** OS boot time: from the boot stage's choice to the unit up. */
  osBootNs: number;
  /** How long a unit whose power was cut stays off. */
  powerRestoreNs: number;
  seed?: number;
}

export type NodeState = "up" | "booting" | "off";

/** A board's card across its incarnations: what persists and what it runs. */
export interface UnitNode {
  board: Board;
  peer: Board;
  flash: UnitFlash;
  state: NodeState;
  /** The incarnation running now (null while booting or off). */
  unit: ChassisUnit | null;
  /** The image it runs, as the boot stage chose it. */
  image: ChassisImage | null;
  bootReport: FlashReport | null;
  /** Persisted: the gasp boot counter (one per boot) and the role machine's epoch. */
  bootCounter: number;
  epoch: number;
  boots: number;
  failedBoots: number;
  /** Cuts armed for the next operation of their kind (the scenario's power cut). */
  armed: { kind: FlashOpKind; cut: CutRequest }[];
  cuts: number;
}

/** A boot the world checks independently (invariants.ts): the image bytes the unit loaded. */
export interface BootRecord {
  unit: string;
  tNs: number;
  slot: string;
  reason: string;
  image: ChassisImage;
}

let parser: Core | undefined;
/** One core parses every booted image of the process (the parser keeps nothing between images). */
function sharedParser(): Core {
  return (parser ??= Core.load());
}

export class UpgradeWorld {
  readonly chassis: Chassis;
  readonly nodes = new Map<string, UnitNode>();
  readonly sync: ChassisSync;
  readonly ledger = new Ledger();
  readonly boots: BootRecord[] = [];
  /** Called once the events of an instant are done, when any of them may have changed who is up or active, or settled a sync. */
  private readonly listeners = new Set<() => void>();
  private notifying = false;
  /** Called for every boot that loaded an image (invariants.ts verifies it again). */
  onBoot: ((b: BootRecord) => void) | undefined;
  /** The health check running on a new active, if any. */
  health: HealthCheck | null = null;
  private readonly base: { settings: Map<string, UnitSettings> } = { settings: new Map() };
  private readonly verifier = sharedParser();
  /** The chassis while its constructor builds the first incarnations (this.chassis is not set yet). */
  private building: Chassis | null = null;

  constructor(readonly opts: WorldOptions) {
    const [a, b] = opts.loaded.boards;
    for (const [x, y] of [[a, b], [b, a]] as const) {
      this.nodes.set(x.id, { board: x, peer: y, flash: opts.flash.get(x.id)!, state: "booting", unit: null, image: null, bootReport: null, bootCounter: 0, epoch: 0, boots: 0, failedBoots: 0, armed: [], cuts: 0 });
    }
    this.chassis = new Chassis(opts.loaded, {
      seed: opts.seed,
      makeUnit: (board, _peer, settings, chassis) => {
        this.building = chassis;
        this.base.settings.set(board.id, settings);
        const n = this.nodes.get(board.id)!;
        const built = this.bootStage(n);
        if (!("unit" in built)) throw new Error(`${board.id} does not boot at power-on${"failure" in built ? `: ${built.failure}` : ""}`);
        return built.unit;
      },
    });
    const registry = shipped();
    this.sync = new ChassisSync(this.clock, this.chassis.timeline, registry, () => this.chassis.units, (u) => this.nodeOf(u)?.image?.syncVersion ?? "", () => this.changed());
    const active = this.nodes.get(opts.loaded.scenario.chassis.active)!;
    const grammar = registry.get(active.image!.syncVersion).grammar;
    const { lines, errors } = parseConfigText(grammar, opts.config.text);
    if (errors.length) throw new Error(`${opts.config.file}: line ${errors[0].lineNo}: ${errors[0].error}`);
    const config = new RunningConfig(grammar);
    for (const l of lines) config.apply(l.cmd);
    this.sync.configs.set(active.board.id, config);
    for (const u of this.chassis.units) this.attach(u);
    this.chassis.onDelivered = (host, seq) => this.ledger.deliver(host, seq);
    for (const h of this.chassis.hosts) h.onOffered = (seq, vip, t) => this.ledger.offer(h.name, seq, vip, t);
  }

  get clock() {
    return (this.chassis ?? this.building!).clock;
  }

  get timeline() {
    return (this.chassis ?? this.building!).timeline;
  }

  node(id: string): UnitNode {
    return this.nodes.get(id)!;
  }

  nodeOf(u: ChassisUnit): UnitNode | undefined {
    const n = this.nodes.get(u.id);
    return n && n.unit === u ? n : undefined;
  }

  /** The incarnation of a board if it is up and running. */
  up(id: string): ChassisUnit | null {
    const n = this.node(id);
    return n.state === "up" && n.unit && n.unit.state === "up" ? n.unit : null;
  }

  /** Hooks on a new incarnation: its frames, its halts, its role changes. */
  private attach(u: ChassisUnit): void {
    const n = this.node(u.id);
    u.onDelivered = (port, frame) => {
      this.sync.delivered(u, frame);
      if (this.health?.unit === u) this.health.frame(frame);
    };
    const service = u.onService;
    u.onService = (rx) => {
      service?.(rx);
      if (this.health?.unit === u) this.health.service(rx.src);
    };
    u.onHalt = (what) => {
      // The board's watchdog: nothing kicks it any more; one period later it resets the board.
      this.changed();
      this.clock.after(u.settings.watchdogNs, () => {
        if (n.unit === u) this.reset(n, "watchdog", `after ${what}`);
      });
    };
    const roles = u.onRoleChange;
    let crashArmed = false;
    u.onRoleChange = () => {
      roles?.();
      this.changed();
      const d = n.image?.defect;
      if (d?.kind === "crash" && !crashArmed && u.ha.currentRole === "active" && u.state === "up") {
        crashArmed = true;
        this.clock.after(ms(d.afterMs), () => u.inject("crash"));
      }
    };
  }

  /** Anything that may change who is up or active: config sync and the listeners look again, once this instant's events are done. */
  changed(): void {
    this.sync?.poke();
    if (this.notifying) return;
    this.notifying = true;
    this.clock.at(this.clock.now(), () => {
      this.notifying = false;
      for (const l of [...this.listeners]) l();
    });
  }

  /** Calls fn after every instant in which something changed (see changed); returns how to stop. */
  watch(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * A planned switchover, make before break: the standby is promoted (it claims the VIPs and
   * announces them at once), then the active hands over (it stops answering for the VIPs and
   * advertises that it resigned) but its OS still forwards what arrives for them for drainNs
   * — packets hosts sent before the announcements reached them — and only then stops: fenced,
   * without a gasp (nothing crashed). It stays an eligible standby: if the new active fails,
   * it takes the service back.
   */
  switchover(fromId: string, toId: string, drainNs: number): boolean {
    const to = this.up(toId);
    const from = this.up(fromId);
    if (!to || !from) return false;
    const now = this.clock.now();
    this.timeline.push({ tNs: now, source: "upgrade", name: "upgrade.switchover", detail: { from: fromId, to: toId } });
    to.os.run(() => to.route(to.ha.handle({ type: "operator", action: "promote" }, now)));
    from.drainUntilNs = now + drainNs;
    from.os.run(() => from.route(from.ha.handle({ type: "operator", action: "handover" }, now)));
    this.timeline.push({ tNs: now, source: fromId, name: "switchover.drain", detail: { ms: drainNs / 1e6 } });
    this.clock.after(drainNs, () => {
      if (this.node(fromId).unit === from && from.state === "up") this.timeline.push({ tNs: this.clock.now(), source: fromId, name: "switchover.fenced", detail: { served: from.stats.serviceRx } });
    });
    this.changed();
    return true;
  }

  /** Arms a power cut for the next operation of this kind on this card. */
  arm(id: string, kind: FlashOpKind, cut: CutRequest): void {
    this.node(id).armed.push({ kind, cut });
  }

  /**
   * Runs a flash operation on a card now (the unit's control plane does it; it keeps running
   * meanwhile). A cut armed for it takes the card's power away when the operation reaches it.
   */
  flashOp(id: string, kind: FlashOpKind, image?: Uint8Array): FlashRun {
    const n = this.node(id);
    const i = n.armed.findIndex((a) => a.kind === kind);
    const cut = i >= 0 ? n.armed.splice(i, 1)[0].cut : undefined;
    const run = n.flash.run(kind, image, cut);
    this.timeline.push({ tNs: this.clock.now(), source: id, name: `flash.${kind}`, detail: { status: run.report?.statusName ?? "power cut", ms: Math.round(run.ns / 1e4) / 100, erases_programs: run.mutations, ...(run.report?.target && kind === "write" ? { slot: run.report.target } : {}) } });
    if (run.cut) this.clock.after(run.ns, () => this.powerCut(n, kind));
    return run;
  }

  private powerCut(n: UnitNode, during: string): void {
    n.cuts++;
    this.timeline.push({ tNs: this.clock.now(), source: n.board.id, name: "flash.power-cut", detail: { during } });
    this.down(n, "unit.power-off", { why: `power cut during ${during}` }, "off");
    this.clock.after(this.opts.powerRestoreNs, () => {
      this.timeline.push({ tNs: this.clock.now(), source: n.board.id, name: "unit.power-on" });
      this.boot(n);
    });
  }

  /** A planned reboot (or the watchdog's reset): down now, then the boot stage. */
  reset(n: UnitNode, why: "planned" | "watchdog", note: string): void {
    this.down(n, "unit.reset", { why, note }, "booting");
    this.boot(n);
  }

  private down(n: UnitNode, event: string, detail: Record<string, string>, state: NodeState): void {
    const u = n.unit;
    if (u) {
      n.epoch = u.ha.role.epoch;
      u.halt(event, detail);
      this.chassis.unplug(u.id);
    } else this.timeline.push({ tNs: this.clock.now(), source: n.board.id, name: event, detail });
    n.unit = null;
    n.state = state;
    this.changed();
  }

  /** The boot stage now, then (after the OS boot time) the unit up — or the watchdog's reset after a boot that fails. */
  private boot(n: UnitNode): void {
    if (n.state === "off") n.state = "booting";
    const built = this.bootStage(n);
    if ("cut" in built) return;
    if (!("unit" in built)) {
      if (built.retry) this.clock.after(this.opts.osBootNs + this.baseSettings(n).watchdogNs, () => this.reset(n, "watchdog", "the image did not boot"));
      return;
    }
    this.clock.after(built.stageNs + this.opts.osBootNs, () => {
      if (n.state !== "booting") return;
      n.unit = built.unit;
      n.state = "up";
      this.chassis.plug(built.unit);
      this.attach(built.unit);
      built.unit.boot();
      this.timeline.push({ tNs: this.clock.now(), source: n.board.id, name: "unit.up", detail: { version: n.image!.version, slot: n.bootReport!.chosen, boot: built.unit.settings.boot } });
      this.changed();
    });
  }

  private baseSettings(n: UnitNode): UnitSettings {
    return this.base.settings.get(n.board.id)!;
  }

  /**
   * The boot stage on the card's flash, then the chosen image's core loaded. Returns the unit
   * to plug in, or why not (retry: the watchdog will reset the board and try again).
   */
  private bootStage(n: UnitNode): { unit: ChassisUnit; stageNs: number } | { failure: string; retry: boolean } | { cut: true } {
    const first = n.boots === 0 && n.failedBoots === 0;
    const run = first ? n.flash.run("boot") : this.flashOp(n.board.id, "boot");
    if (run.cut) return { cut: true };
    const r = run.report!;
    const id = n.board.id;
    if (r.status !== 0) {
      this.timeline.push({ tNs: this.clock.now(), source: id, name: "unit.boot-failed", detail: { reason: r.statusName } });
      return { failure: r.statusName, retry: false };
    }
    const slot = r.chosen!;
    const length = r.slots.find((s) => s.slot === slot)!.length!;
    const bytes = n.flash.readSlot(slot, length);
    const image = describeImage(bytes, this.verifier);
    n.bootReport = r;
    this.timeline.push({ tNs: this.clock.now(), source: id, name: "unit.boot-stage", detail: { slot, reason: r.reason!, version: image.version, ...(r.reason === "trial" ? { attempt: `${r.state.attemptsGiven - r.state.attemptsLeft}/${r.state.attemptsGiven}` } : {}), ...(r.flags.includes("reverted") ? { reverted: true } : {}) } });
    let cores: { os: Core; fault: Core };
    try {
      const core = corePart(runImage(this.verifier, bytes, { mode: "parse" }), bytes);
      cores = { os: Core.fromBytes(core), fault: Core.fromBytes(core) };
    } catch (e) {
      n.failedBoots++;
      this.timeline.push({ tNs: this.clock.now(), source: id, name: "unit.boot-failed", detail: { slot, version: image.version, reason: `its core does not load (${(e as Error).name}: ${(e as Error).message.replace(/^WebAssembly\.Module\(\): /, "").split(/[@\n]/)[0].trim()})` } });
      return { failure: "core does not load", retry: true };
    }
    n.image = image;
    n.boots++;
    n.bootCounter++;
    const rec: BootRecord = { unit: id, tNs: this.clock.now(), slot, reason: r.reason!, image };
    this.boots.push(rec);
    this.onBoot?.(rec);
    const base = this.baseSettings(n);
    const settings: UnitSettings = { ...base, boot: n.bootCounter, epoch: n.epoch, startActive: first ? base.startActive : false };
    const unit = new ChassisUnit(n.board, n.peer, this.clock, this.timeline, settings, cores);
    if (first) {
      n.unit = unit;
      n.state = "up";
    }
    return { unit, stageNs: run.ns };
  }
}
