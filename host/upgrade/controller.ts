// The in-service upgrade of the pair (docs/upgrade.md "The sequence"), one card at a time,
// the standby first:
//
//   flash       the standby writes the new image into the slot it does not boot from, reads
//               it back, verifies it and marks it trial (the core's flasher)
//   boot        it reboots; its boot stage spends a trial attempt and boots the new image; it
//               comes back as the standby
//   sync        the active bulk-syncs its running configuration to the new version (ADL/SDL,
//               TFT, policy); a command the new version cannot take follows the policy: the
//               upgrade is refused here, before any switchover
//   switchover  make before break: the upgraded standby is promoted and announces; the active
//               hands over, drains and fences itself; no gasp
//   health      over a window on the new active: service traffic from every host, the peer's
//               HELLOs, every neighbour answering
//   confirm     the new active confirms its slot (the security counter moves only now)
// then the other card the same way (it is the standby now), which ends with the pair as it
// started: the same unit active, both on the new version.
//
// Any failure reverts automatically and keeps the service: the service goes back to (or
// stays on) the unit on its confirmed image — a planned switchover back when the new active is
// alive, its gasp or the heartbeats when it is not — and the failed card goes back to its
// confirmed slot (a revert on flash and a reboot, unless its boot stage already reverted) and
// rejoins as the standby. The controller stands for the upgrade agent of the units' control
// planes (ISSU's install manager); it acts on the chassis's clock, through the units' own
// operations.

import type { ChassisUnit } from "../chassis/unit";
import { detectionNs } from "../ha/heartbeat";
import { NS_PER_MS } from "../ha/timeline";
import type { ChassisImage } from "./images";
import type { UpgradeWorld } from "./world";
import type { SyncOutcome } from "./sync";
import { HealthCheck, HealthPolicy, HealthVerdict } from "./health";
import { checkPair } from "../sync/diff";
import { shipped } from "../sync/images";

export interface UpgradePolicy {
  /** When the operator starts the upgrade (ms of simulated time). */
  startMs: number;
  /** How long the old active keeps forwarding after it handed over. */
  drainMs: number;
  /** How long a bulk sync may take. */
  syncTimeoutMs: number;
  /** From the reboot into the trial to its confirmation: ISSU's rollback timer. */
  trialDeadlineMs: number;
  /** refuse: any command the new version does not take as it is refuses the upgrade; accept: such commands are listed and dropped (a standby that must be reset, or images that cannot sync at all, still refuse). */
  configLoss: "refuse" | "accept";
  health: HealthPolicy;
}

export const DEFAULT_POLICY: Omit<UpgradePolicy, "health"> = { startMs: 500, drainMs: 50, syncTimeoutMs: 5000, trialDeadlineMs: 60_000, configLoss: "refuse" };

export type FailureKind = "not-ready" | "power-cut" | "flash" | "boot" | "sync" | "config" | "crash" | "health" | "deadline" | "confirm";

export class UpgradeFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly unit: string,
    message: string,
  ) {
    super(message);
  }
}

export type PhaseName = "flash" | "boot" | "sync" | "switchover" | "health" | "confirm" | "revert";

export interface Phase {
  card: string;
  name: PhaseName;
  startNs: number;
  endNs: number;
}

type Wait = { sleep: number } | { until: () => boolean; timeoutNs: number };
type Steps = Generator<Wait, void, boolean>;

/**
 * Runs a generator of waits on the clock: a sleep, or a condition checked at once and again
 * after every instant in which the world changed, until it holds or times out (the yield
 * gives which).
 */
function drive(world: UpgradeWorld, steps: Steps, done: (e?: unknown) => void): void {
  const clock = world.clock;
  const step = (v: boolean) => {
    let r: IteratorResult<Wait, void>;
    try {
      r = steps.next(v);
    } catch (e) {
      return done(e);
    }
    if (r.done) return done();
    const w = r.value;
    if ("sleep" in w) {
      clock.after(w.sleep, () => step(true));
      return;
    }
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      stop();
      timer.cancel();
      step(ok);
    };
    const stop = world.watch(() => {
      if (w.until()) finish(true);
    });
    const timer = clock.after(w.timeoutNs, () => finish(w.until()));
    clock.at(clock.now(), () => {
      if (w.until()) finish(true);
    });
  };
  step(true);
}

const sleep = (ns: number): Wait => ({ sleep: ns });
const until = (cond: () => boolean, timeoutNs: number): Wait => ({ until: cond, timeoutNs });

export class UpgradeController {
  readonly phases: Phase[] = [];
  /**
   * upgraded: both cards confirmed on the new release. reverted: the failed card is back on the
   * release it ran (nothing changed). stopped: the pair serves, but the failed card is left on
   * the new release, confirmed (its confirm reached the flash before the power was cut).
   * refused: nothing was flashed (the releases cannot sync). failed: the recovery itself failed.
   */
  outcome: "running" | "upgraded" | "reverted" | "stopped" | "refused" | "failed" = "running";
  failure: UpgradeFailure | null = null;
  /** Why the recovery itself could not finish (outcome "failed"). */
  recoveryProblem: string | null = null;
  startNs: number | null = null;
  doneNs: number | null = null;
  readonly health: { unit: string; verdict: HealthVerdict }[] = [];
  /** Commands the configuration lost on the way to the new version (configLoss: accept). */
  readonly lostCommands: string[] = [];
  /** The card order: the standby at the start, then the active. */
  order: string[] = [];
  private phase: Phase | null = null;
  private readonly ms = (n: number) => n * NS_PER_MS;

  constructor(
    readonly world: UpgradeWorld,
    /** The image each board is upgraded to. */
    readonly target: Map<string, ChassisImage>,
    readonly policy: UpgradePolicy,
    readonly hosts: { name: string; ip: string }[],
    /** Called once the controller is done (upgraded, reverted or failed). */
    private readonly onDone: () => void = () => {},
  ) {}

  start(): void {
    drive(this.world, this.run(), (e) => {
      if (e && !(e instanceof UpgradeFailure)) throw e;
      this.endPhase();
      this.doneNs = this.world.clock.now();
      this.event("upgrade.done", { outcome: this.outcome, ...(this.failure ? { failure: this.failure.kind } : {}) });
      this.onDone();
    });
  }

  private event(name: string, detail: Record<string, string | number | boolean> = {}): void {
    this.world.timeline.push({ tNs: this.world.clock.now(), source: "upgrade", name, detail });
  }

  private begin(card: string, name: PhaseName): void {
    this.endPhase();
    this.phase = { card, name, startNs: this.world.clock.now(), endNs: -1 };
    this.phases.push(this.phase);
    this.event("upgrade.phase", { card, phase: name });
  }

  private endPhase(): void {
    if (this.phase) this.phase.endNs = this.world.clock.now();
    this.phase = null;
  }

  private active(): ChassisUnit | null {
    const a = this.world.chassis.units.filter((u) => u.state === "up" && u.ha.currentRole === "active" && u.holdsVips);
    return a.length === 1 ? a[0] : null;
  }

  private standby(): ChassisUnit | null {
    const s = this.world.chassis.units.filter((u) => u.state === "up" && u.ha.currentRole === "backup");
    return s.length === 1 ? s[0] : null;
  }

  /** The bulk sync between the current active and standby, once it settled. */
  private synced(): SyncOutcome | null {
    const a = this.active();
    const s = this.standby();
    return a && s ? this.world.sync.outcomeFor(a, s) : null;
  }

  private isStandby(id: string): boolean {
    const u = this.world.up(id);
    return !!u && u.ha.currentRole === "backup";
  }

  private holds(id: string): boolean {
    const u = this.world.up(id);
    return !!u && u.ha.currentRole === "active" && u.holdsVips;
  }

  /** Long enough for a dead active's peer to notice without a gasp (its heartbeats), plus a margin. */
  private takeoverNs(): number {
    const s = this.world.chassis.units[0].settings.heartbeat;
    return detectionNs(s) + this.ms(500);
  }

  /** Long enough for a card to come back: the boot stage's attempts, each a failed boot and a watchdog period, then a good boot. */
  private comebackNs(): number {
    const n = this.world.node(this.world.chassis.units[0].id);
    const attempts = n.flash.layout.trialAttempts + 1;
    const o = this.world.opts;
    return attempts * (o.osBootNs + this.world.chassis.units[0].settings.watchdogNs + this.ms(50)) + o.powerRestoreNs + this.ms(2000);
  }

  private *run(): Steps {
    const p = this.policy;
    yield sleep(this.ms(p.startMs));
    if (!(yield until(() => this.synced() !== null, this.ms(p.syncTimeoutMs)))) {
      this.failure = new UpgradeFailure("not-ready", "-", "the pair is not ready: no active with a synced standby");
      this.outcome = "failed";
      this.event("upgrade.refused", { reason: this.failure.message });
      return;
    }
    const standby = this.standby()!.id;
    const active = this.active()!.id;
    this.order = [standby, active];
    const from = this.world.node(active).image!.syncVersion;
    const to = this.target.get(standby)!.syncVersion;
    const compat = checkPair(shipped().pair(from, to));
    if (!compat.compatible) {
      this.failure = new UpgradeFailure("config", "-", `configuration ${from} and ${to} cannot sync (${compat.reasons.slice(0, 2).join("; ")}${compat.reasons.length > 2 ? "; ..." : ""}): the upgraded standby would run cold; upgrade through the releases in between`);
      this.outcome = "refused";
      this.event("upgrade.refused", { reason: this.failure.message });
      return;
    }
    this.startNs = this.world.clock.now();
    const versions = [...this.target.values()].map((i) => i.version);
    this.event("upgrade.start", { from: `${this.world.node(active).image!.version}`, to: versions[0], first: standby, then: active });
    for (const [x, peer] of [[standby, active], [active, standby]]) {
      try {
        yield* this.card(x, peer);
      } catch (e) {
        if (!(e instanceof UpgradeFailure)) throw e;
        this.failure = e;
        this.event("upgrade.failed", { kind: e.kind, unit: e.unit, reason: e.message });
        // The card that failed is the one upgraded now, or its peer (a release confirmed on the
        // first card that fails later, while the second is upgraded).
        yield* this.recover(e.unit === peer ? peer : x, e.unit === peer ? x : peer);
        return;
      }
    }
    this.outcome = "upgraded";
  }

  /** One card: x is the standby, peer the active serving meanwhile. */
  private *card(x: string, peer: string): Steps {
    const p = this.policy;
    const w = this.world;
    const image = this.target.get(x)!;
    const fail = (kind: FailureKind, message: string) => new UpgradeFailure(kind, x, message);

    // Before anything touches x: the peer serves and x is its synced standby. If the peer went
    // down meanwhile (a release confirmed on it failing later), the upgrade stops here.
    yield* this.expectPair(x, peer, "before the upgrade of " + x);

    this.begin(x, "flash");
    const write = w.flashOp(x, "write", image.bytes);
    yield sleep(write.ns);
    if (write.cut) throw fail("power-cut", `power cut during the flash write on ${x}`);
    if (write.report!.status !== 0) throw fail("flash", `${x} refused or failed the write: ${write.report!.statusName}`);
    this.event("upgrade.flashed", { unit: x, slot: write.report!.target ?? "?", version: image.version, ms: Math.round(write.ns / 1e4) / 100 });

    this.begin(x, "boot");
    const trialStart = w.clock.now();
    const deadline = trialStart + this.ms(p.trialDeadlineMs);
    const left = (capNs: number) => Math.max(0, Math.min(capNs, deadline - w.clock.now()));
    const cutsBefore = w.node(x).cuts;
    if (!this.holds(peer)) throw new UpgradeFailure("crash", peer, `${peer} went down while ${x} was flashed: ${x} is not rebooted`);
    w.reset(w.node(x), "planned", "boot the new image");
    if (!(yield until(() => this.isStandby(x) && w.clock.now() > trialStart, left(this.comebackNs())))) {
      throw fail(w.clock.now() >= deadline ? "deadline" : "boot", `${x} did not come back as the standby`);
    }
    if (w.node(x).cuts > cutsBefore) throw fail("power-cut", `power cut on ${x} while it booted`);
    const running = w.node(x).image!;
    if (running.id !== image.id) {
      const r = w.node(x).bootReport!;
      throw fail("boot", `the new image did not boot on ${x}: its boot stage fell back to ${running.version} (slot ${r.chosen}, ${r.reason})`);
    }

    this.begin(x, "sync");
    if (!(yield until(() => this.synced() !== null && this.standby()?.id === x, left(this.ms(p.syncTimeoutMs))))) {
      throw fail(w.clock.now() >= deadline ? "deadline" : "sync", `the bulk sync to ${x} did not finish`);
    }
    const o = this.synced()!;
    this.event("upgrade.synced", { unit: x, mode: o.mode, compatible: o.compatible, verified: o.verified, events: o.events.length });
    const refusal = this.configRefusal(o);
    if (refusal) throw fail("config", refusal);
    for (const e of o.events) this.lostCommands.push(`${e.text}: ${e.reason}`);

    this.begin(x, "switchover");
    if (!this.holds(peer) || !this.isStandby(x)) throw fail("crash", `the pair changed before the switchover: ${this.active()?.id ?? "nobody"} serves`);
    const switchedNs = w.clock.now();
    w.switchover(peer, x, this.ms(p.drainMs));
    const died = () => !this.holds(x);
    if (yield until(died, this.ms(p.drainMs))) throw fail("crash", `${x} went down right after the switchover`);

    this.begin(x, "health");
    const u = w.up(x)!;
    const defect = w.node(x).image?.defect;
    const probePort = defect?.kind === "health" ? u.board.ports.findIndex((q) => q.role === "backplane") : u.frontPorts[0];
    const hc = (w.health = new HealthCheck(u, p.health, this.hosts, probePort));
    const early = yield until(died, left(this.ms(p.health.windowMs)));
    w.health = null;
    if (early) throw fail("crash", `${x} went down ${((w.clock.now() - switchedNs) / 1e6).toFixed(1)} ms after it took over`);
    if (w.clock.now() >= deadline) throw fail("deadline", `the trial deadline (${p.trialDeadlineMs} ms) passed before ${x} was confirmed`);
    const verdict = hc.verdict();
    this.health.push({ unit: x, verdict });
    this.event("upgrade.health", { unit: x, ok: verdict.ok, ...Object.fromEntries(verdict.checks.map((c) => [c.name, c.ok])) });
    if (!verdict.ok) throw fail("health", `health check failed on ${x}: ${verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join("; ")}`);

    this.begin(x, "confirm");
    const c = w.flashOp(x, "confirm");
    yield sleep(c.ns);
    if (c.cut) throw fail("power-cut", `power cut while ${x} confirmed its slot`);
    if (c.report!.status !== 0) throw fail("confirm", `${x} could not confirm: ${c.report!.statusName}`);
    this.event("upgrade.confirmed", { unit: x, version: image.version, slot: c.report!.state.confirmed ?? "?", securityCounter: c.report!.state.securityCounter });
  }

  /** Waits until peer holds the VIPs and x is its synced standby; if not, the upgrade fails (naming the card that went down). */
  private *expectPair(x: string, peer: string, when: string): Steps {
    const ok = () => this.holds(peer) && this.isStandby(x) && this.synced() !== null;
    if (yield until(ok, this.takeoverNs() + this.comebackNs() + this.ms(this.policy.syncTimeoutMs))) return;
    if (this.holds(x)) throw new UpgradeFailure("crash", peer, `${peer} went down ${when}; ${x} serves`);
    throw new UpgradeFailure("not-ready", x, `the pair is not ready ${when}: ${peer} active with ${x} as its synced standby`);
  }

  /** Why the bulk sync's outcome refuses the upgrade, or null. */
  private configRefusal(o: SyncOutcome): string | null {
    const lost = o.events.map((e) => `"${e.text}" (${e.action}: ${e.reason})`);
    if (!o.compatible) return `images ${o.activeVersion} and ${o.standbyVersion} cannot sync: the standby would run cold`;
    if (o.mode === "none") return `the new version cannot take the running configuration (the standby would have to be reset): ${lost.join("; ")}`;
    if (this.policy.configLoss === "refuse" && lost.length) return `the running configuration would lose ${lost.length} command${lost.length > 1 ? "s" : ""} on ${o.standbyVersion} (policy: configLoss refuse): ${lost.join("; ")}`;
    if (!o.verified && o.mode === "sso") return "the standby's configuration did not verify";
    return null;
  }

  /**
   * After a failure of card x: the service on its peer, x back (on its confirmed image), no
   * trial left pending on either card, the standby synced.
   */
  private *recover(x: string, peer: string): Steps {
    const w = this.world;
    const drainNs = this.ms(this.policy.drainMs);
    this.begin(x, "revert");
    const problem = (why: string) => {
      this.recoveryProblem = why;
      this.outcome = "failed";
      this.event("upgrade.recovery-failed", { reason: why });
    };
    // The service: back to the peer by a planned switchover while x is alive and holds it; by
    // the peer's own takeover (gasp or heartbeats) when x went down.
    if (this.holds(x) && this.isStandby(peer)) {
      w.switchover(x, peer, drainNs);
      yield sleep(drainNs);
    }
    if (!(yield until(() => this.active() !== null, this.takeoverNs()))) return problem("nobody took the service back");
    // Both cards up, and no trial left pending: a card that came back on its trial (after a
    // crash, or a power cut after the trial mark) is reverted on flash and rebooted onto its
    // confirmed slot; a card flashed but not yet rebooted only loses the mark.
    for (const c of [x, peer]) {
      if (!(yield until(() => w.up(c) !== null && this.active() !== null, this.comebackNs()))) return problem(`${c} did not come back`);
      for (let tries = 0; ; tries++) {
        const st = w.flashOp(c, "status");
        if (!st.report || st.report.state.trial === null) break;
        if (tries === 3) return problem(`${c} still has a trial pending after ${tries} reverts`);
        const runsTrial = w.node(c).image?.id === st.report.state.trialId;
        if (runsTrial && this.holds(c)) {
          const other = c === x ? peer : x;
          if (!(yield until(() => this.isStandby(other), this.comebackNs()))) return problem(`${c} runs its trial and serves, and ${other} is not there to take over`);
          w.switchover(c, other, drainNs);
          yield sleep(drainNs);
        }
        const r = w.flashOp(c, "revert");
        yield sleep(r.ns);
        if (r.report && r.report.status !== 0) return problem(`${c} could not revert: ${r.report.statusName}`);
        if (!runsTrial && !r.cut) continue;
        const t = w.clock.now();
        if (!r.cut) w.reset(w.node(c), "planned", "boot the confirmed image");
        if (!(yield until(() => this.isStandby(c) && w.clock.now() > t, this.comebackNs()))) return problem(`${c} did not come back after the revert`);
      }
    }
    if (!(yield until(() => this.synced() !== null, this.ms(this.policy.syncTimeoutMs)))) return problem("the standby's bulk sync did not finish");
    const serving = this.active()!.id;
    const onTarget = [x, peer].filter((c) => w.node(c).image!.id === this.target.get(c)!.id);
    this.outcome = onTarget.length ? "stopped" : "reverted";
    this.event(this.outcome === "stopped" ? "upgrade.stopped" : "upgrade.reverted", { unit: x, version: w.node(x).image!.version, active: serving, ...(onTarget.length ? { onNewRelease: onTarget.join(" ") } : {}) });
  }
}
