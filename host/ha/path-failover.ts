// Alternate-path failover (docs/failover.md "The alternate-path failover state machine"), as a
// pure state machine. When monitoring declares the
// primary path failed, the node moves its interface identity to the secondary interface:
//
//   detect → pause monitoring → capture parameters (refresh; start-up copy on failure)
//   → bring the primary down (cold: and unplumb it) → plumb the secondary (cold only)
//   → configure it with the primary's IP, netmask, broadcast, MAC and VIPs
//     (warm: and give the old primary the secondary's dummy parameters: a swap)
//   → bring it up → wait `delayNs` so both ends finish their own failover
//   → resume monitoring on the new primary → done (the path is in use)
//
// Cold standby: the secondary is unplumbed and unconfigured until the failover. Warm standby
// (firewalls that refuse interfaces plumbed after boot): at start-up the secondary is
// plumbed and configured with dummy addresses and a dummy MAC, then brought down.
//
// The machine performs nothing itself: each step is an Action for the caller to carry out
// on its interfaces (ifconfig, the NIC model), and a timeline event. Steps may take time
// (stepNs: what an ifconfig costs); tick(now) at nextDeadline() advances them. After a
// failover the roles swap, so a failure of the new primary fails back.
//
// Timeline events (source = the node): failover.startup-capture, failover.warm-prepare,
// failover.detect, failover.monitor-pause, failover.params-capture,
// failover.params-refresh-failed, failover.iface-down, failover.iface-plumb,
// failover.iface-configure, failover.iface-up, failover.settle, failover.monitor-resume,
// failover.done, failover.no-path, failover.ignored.

import { TimelineSink, NO_TIMELINE, Timed, checkNs, Detail } from "./timeline";

export interface IfaceParams {
  ip: string;
  netmask: string;
  broadcast: string;
  mac: string;
  vips: string[];
}

export type Standby = "cold" | "warm";

export type StepName = "capture" | "down" | "plumb" | "configure" | "up";

export type PathAction =
  | { op: "pause-monitor"; iface: string }
  | { op: "down"; iface: string; unplumb: boolean }
  | { op: "plumb"; iface: string }
  | { op: "configure"; iface: string; params: IfaceParams }
  | { op: "up"; iface: string }
  | { op: "resume-monitor"; iface: string };

export interface PathFailoverOptions {
  /** The node, the timeline source. */
  name: string;
  primary: string;
  secondary: string;
  standby: Standby;
  /** Warm standby only: the secondary's placeholder addresses (never the real ones). */
  dummy?: IfaceParams;
  /** Wait after the new primary is up before it is used and monitored. */
  delayNs: number;
  /** How long each step takes (default 0: instantaneous). */
  stepNs?: Partial<Record<StepName, number>>;
  /** Reads an interface's current parameters (ifconfig); null or a throw = capture failed. */
  capture: (iface: string) => IfaceParams | null;
  /** Is the standby path usable at all (e.g. its trunk's links)? Default: assume so. */
  standbyUsable?: (iface: string) => boolean;
  timeline?: TimelineSink;
}

export type FailoverState = "idle" | "monitoring" | "failing-over" | "settling";

interface Step {
  name: string;
  durationNs: number;
  run: (t: number) => PathAction[];
}

export interface FailoverRecord {
  detectNs: number;
  doneNs: number;
  from: string;
  to: string;
  reason: string;
  paramsSource: "refresh" | "startup";
}

export class PathFailover implements Timed {
  readonly name: string;
  private primaryIface: string;
  private secondaryIface: string;
  private st: FailoverState = "idle";
  private startupParams: IfaceParams | null = null;
  private steps: Step[] = [];
  private nextStepNs: number | null = null;
  private current: Partial<FailoverRecord> = {};
  private noPath = false;
  private readonly timeline: TimelineSink;
  readonly history: FailoverRecord[] = [];
  ignored = 0;

  constructor(private readonly opts: PathFailoverOptions) {
    this.name = opts.name;
    this.primaryIface = opts.primary;
    this.secondaryIface = opts.secondary;
    if (opts.primary === opts.secondary) throw new RangeError("primary and secondary must differ");
    if (opts.standby === "warm" && !opts.dummy) throw new RangeError("warm standby needs dummy parameters");
    checkNs("delayNs", opts.delayNs);
    for (const [k, v] of Object.entries(opts.stepNs ?? {})) checkNs(`stepNs.${k}`, v!);
    this.timeline = opts.timeline ?? NO_TIMELINE;
  }

  get state(): FailoverState {
    return this.st;
  }

  get primary(): string {
    return this.primaryIface;
  }

  get secondary(): string {
    return this.secondaryIface;
  }

  /** The start-up copy of the primary's parameters (the fallback when a refresh fails). */
  get startupCopy(): IfaceParams | null {
    return this.startupParams ? clone(this.startupParams) : null;
  }

  /**
   * Captures the primary's parameters (they must be readable at start-up), prepares a warm
   * standby, and starts monitoring the primary. Returns the actions to carry out now.
   */
  start(now: number): PathAction[] {
    checkNs("now", now);
    if (this.st !== "idle") throw new Error(`${this.name}: already started`);
    const p = this.tryCapture(this.primaryIface);
    if (!p) throw new Error(`${this.name}: cannot capture ${this.primaryIface}'s parameters at start-up`);
    this.startupParams = p;
    this.event(now, "failover.startup-capture", { iface: this.primaryIface, ...summary(p) });
    const actions: PathAction[] = [];
    if (this.opts.standby === "warm") {
      const d = this.opts.dummy!;
      actions.push({ op: "plumb", iface: this.secondaryIface }, { op: "configure", iface: this.secondaryIface, params: clone(d) }, { op: "down", iface: this.secondaryIface, unplumb: false });
      this.event(now, "failover.warm-prepare", { iface: this.secondaryIface, ...summary(d) });
    }
    actions.push({ op: "resume-monitor", iface: this.primaryIface });
    this.st = "monitoring";
    return actions;
  }

  /** Monitoring declared the primary path failed. Starts the sequence; returns actions due now. */
  pathFailed(now: number, reason: string): PathAction[] {
    if (this.st !== "monitoring") {
      this.ignored++;
      this.event(now, "failover.ignored", { reason, state: this.st });
      return [];
    }
    const from = this.primaryIface;
    const to = this.secondaryIface;
    if (this.opts.standbyUsable && !this.opts.standbyUsable(to)) {
      // Reported once; the caller may retry (HaNet does at every poll of a failed path).
      if (!this.noPath) this.event(now, "failover.no-path", { from, to, reason });
      this.noPath = true;
      return [];
    }
    this.noPath = false;
    this.st = "failing-over";
    this.current = { detectNs: now, from, to, reason };
    this.event(now, "failover.detect", { from, to, reason });
    this.steps = this.plan(from, to);
    this.nextStepNs = now;
    return this.tick(now);
  }

  nextDeadline(): number | null {
    return this.nextStepNs;
  }

  /** Runs every step due at or before now. */
  tick(now: number): PathAction[] {
    const out: PathAction[] = [];
    while (this.nextStepNs !== null && this.nextStepNs <= now && this.steps.length) {
      const t = this.nextStepNs;
      const step = this.steps.shift()!;
      out.push(...step.run(t));
      this.nextStepNs = this.steps.length ? t + step.durationNs : null;
    }
    return out;
  }

  private plan(from: string, to: string): Step[] {
    const cold = this.opts.standby === "cold";
    const dur = (s: StepName) => this.opts.stepNs?.[s] ?? 0;
    let params: IfaceParams;
    const steps: Step[] = [
      {
        name: "pause",
        durationNs: 0,
        run: (t) => {
          this.event(t, "failover.monitor-pause", { iface: from });
          return [{ op: "pause-monitor", iface: from }];
        },
      },
      {
        name: "capture",
        durationNs: dur("capture"),
        run: (t) => {
          const fresh = this.tryCapture(from);
          if (fresh) {
            params = fresh;
            this.current.paramsSource = "refresh";
          } else {
            this.event(t, "failover.params-refresh-failed", { iface: from });
            params = clone(this.startupParams!);
            this.current.paramsSource = "startup";
          }
          this.event(t, "failover.params-capture", { iface: from, source: this.current.paramsSource!, ...summary(params) });
          return [];
        },
      },
      {
        name: "down",
        durationNs: dur("down"),
        run: (t) => {
          this.event(t, "failover.iface-down", { iface: from, unplumb: cold });
          return [{ op: "down", iface: from, unplumb: cold }];
        },
      },
    ];
    if (cold) {
      steps.push({
        name: "plumb",
        durationNs: dur("plumb"),
        run: (t) => {
          this.event(t, "failover.iface-plumb", { iface: to });
          return [{ op: "plumb", iface: to }];
        },
      });
    }
    steps.push({
      name: "configure",
      durationNs: dur("configure"),
      run: (t) => {
        const actions: PathAction[] = [{ op: "configure", iface: to, params: clone(params) }];
        this.event(t, "failover.iface-configure", { iface: to, ...summary(params) });
        if (!cold) {
          // The swap: the old primary takes the dummy identity, so no two interfaces ever
          // share an address or a MAC.
          actions.push({ op: "configure", iface: from, params: clone(this.opts.dummy!) });
          this.event(t, "failover.iface-configure", { iface: from, ...summary(this.opts.dummy!) });
        }
        return actions;
      },
    });
    steps.push({
      name: "up",
      durationNs: dur("up"),
      run: (t) => {
        this.event(t, "failover.iface-up", { iface: to });
        return [{ op: "up", iface: to }];
      },
    });
    steps.push({
      name: "settle",
      durationNs: this.opts.delayNs,
      run: (t) => {
        this.st = "settling";
        this.event(t, "failover.settle", { iface: to, delayNs: this.opts.delayNs });
        return [];
      },
    });
    steps.push({
      name: "resume",
      durationNs: 0,
      run: (t) => {
        this.primaryIface = to;
        this.secondaryIface = from;
        this.st = "monitoring";
        this.event(t, "failover.monitor-resume", { iface: to });
        const rec = { ...this.current, doneNs: t } as FailoverRecord;
        this.history.push(rec);
        this.event(t, "failover.done", { from, to, reason: rec.reason, tookNs: t - rec.detectNs, params: rec.paramsSource });
        return [{ op: "resume-monitor", iface: to }];
      },
    });
    return steps;
  }

  private tryCapture(iface: string): IfaceParams | null {
    try {
      const p = this.opts.capture(iface);
      return p ? clone(p) : null;
    } catch {
      return null;
    }
  }

  private event(tNs: number, name: string, detail?: Detail): void {
    this.timeline.push({ tNs, source: this.name, name, detail });
  }
}

function clone(p: IfaceParams): IfaceParams {
  return { ...p, vips: [...p.vips] };
}

function summary(p: IfaceParams): Detail {
  return { ip: p.ip, netmask: p.netmask, broadcast: p.broadcast, mac: p.mac, vips: p.vips.join(" ") };
}

/**
 * A model of the node's interfaces as ifconfig sees them, to carry out PathActions in
 * simulations and tests: plumbed, up, and the configured parameters.
 */
export class IfaceTable {
  readonly ifaces = new Map<string, { plumbed: boolean; up: boolean; params: IfaceParams | null }>();
  /** Every action applied, in order. */
  readonly log: PathAction[] = [];

  constructor(initial: Record<string, { plumbed: boolean; up: boolean; params: IfaceParams | null }>) {
    for (const [k, v] of Object.entries(initial)) this.ifaces.set(k, { ...v, params: v.params ? clone(v.params) : null });
  }

  get(iface: string) {
    const i = this.ifaces.get(iface);
    if (!i) throw new RangeError(`no interface ${iface}`);
    return i;
  }

  /** ifconfig IF: the parameters of a plumbed interface (what `capture` reads). */
  capture(iface: string): IfaceParams | null {
    const i = this.get(iface);
    return i.plumbed && i.params ? clone(i.params) : null;
  }

  /** Applies one action; monitor actions are only logged (the caller routes them). */
  apply(a: PathAction): void {
    this.log.push(a);
    if (a.op === "pause-monitor" || a.op === "resume-monitor") return;
    const i = this.get(a.iface);
    switch (a.op) {
      case "plumb":
        i.plumbed = true;
        break;
      case "down":
        i.up = false;
        if (a.unplumb) {
          i.plumbed = false;
          i.params = null;
        }
        break;
      case "configure":
        if (!i.plumbed) throw new Error(`configure ${a.iface}: not plumbed`);
        i.params = clone(a.params);
        break;
      case "up":
        if (!i.plumbed || !i.params) throw new Error(`up ${a.iface}: not plumbed/configured`);
        i.up = true;
        break;
    }
  }

  /** Interfaces that are up with the given IP or MAC (never more than one after a failover). */
  holders(what: { ip?: string; mac?: string }): string[] {
    return [...this.ifaces.entries()]
      .filter(([, i]) => i.up && i.params && ((what.ip && i.params.ip === what.ip) || (what.mac && i.params.mac === what.mac)))
      .map(([k]) => k);
  }
}
