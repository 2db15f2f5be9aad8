// Link monitoring by polling the NIC's status register, as bonding's miimon does and as
// the alternate-path failover polls (a status register of the NIC): every pollNs
// read STATUS (e1000 0x0008) and look at LU (bit 1, link up); up-delay and down-delay as in
// debounce.ts. The register is read through a callback (a NicDevice's read32, or any
// function), or the value is handed in with poll(now, status).
//
// Timeline events: link.fail (down seen, down-delay running), link.down, link.back,
// link.up, link.cancel (the pending change was abandoned), monitor.pause, monitor.resume.

import { REG_STATUS, STATUS_LU } from "../../assembly/shared/e1000";
import { Debouncer, delayPolls } from "./debounce";
import { NS_PER_MS, TimelineSink, NO_TIMELINE, Timed, checkNs } from "./timeline";

export interface LinkMonitorOptions {
  /** Interface (or trunk member) name, the timeline source. */
  name: string;
  /** miimon: bonding's default is 100 ms. */
  pollNs?: number;
  /** updelay / downdelay (rounded down to whole polls, as bonding does). Default 0. */
  upDelayNs?: number;
  downDelayNs?: number;
  /** Reads the STATUS register; e.g. () => nic.read32(REG_STATUS). */
  readStatus?: () => number;
  /** State assumed before the first poll. Default up. */
  initial?: "up" | "down";
  timeline?: TimelineSink;
}

export interface LinkChange {
  name: string;
  tNs: number;
  up: boolean;
}

export const MIIMON_DEFAULT_NS = 100 * NS_PER_MS;
export { REG_STATUS };

export class LinkMonitor implements Timed {
  readonly name: string;
  readonly pollNs: number;
  private readonly debounce: Debouncer;
  private nextPollNs: number | null = null;
  private readonly timeline: TimelineSink;
  /** Polls performed (register reads). */
  polls = 0;

  constructor(private readonly opts: LinkMonitorOptions) {
    this.name = opts.name;
    this.pollNs = checkNs("pollNs", opts.pollNs ?? MIIMON_DEFAULT_NS);
    if (this.pollNs === 0) throw new RangeError("pollNs: must be positive");
    this.debounce = new Debouncer(
      delayPolls(checkNs("upDelayNs", opts.upDelayNs ?? 0), this.pollNs),
      delayPolls(checkNs("downDelayNs", opts.downDelayNs ?? 0), this.pollNs),
      opts.initial ?? "up",
    );
    this.timeline = opts.timeline ?? NO_TIMELINE;
  }

  /** The committed link state (a pending down still counts as up). */
  get up(): boolean {
    return this.debounce.up;
  }

  get state() {
    return this.debounce.state;
  }

  get running(): boolean {
    return this.nextPollNs !== null;
  }

  /** One raw read of LU now, outside the poll schedule (null without a readStatus callback). */
  readNow(): boolean | null {
    return this.opts.readStatus ? (this.opts.readStatus() & STATUS_LU) !== 0 : null;
  }

  /** Starts polling; the first poll happens at now. */
  start(now: number): void {
    this.nextPollNs = checkNs("now", now);
  }

  /** Stops polling (the failover sequence's first step). */
  pause(now: number): void {
    if (this.nextPollNs === null) return;
    this.nextPollNs = null;
    this.timeline.push({ tNs: now, source: this.name, name: "monitor.pause" });
  }

  /** Resumes polling at now, assuming `assume` (the new primary was just brought up). */
  resume(now: number, assume: "up" | "down" = "up"): void {
    this.debounce.reset(assume);
    this.nextPollNs = now;
    this.timeline.push({ tNs: now, source: this.name, name: "monitor.resume" });
  }

  nextDeadline(): number | null {
    return this.nextPollNs;
  }

  /** Performs every poll due at or before now, reading the register through readStatus. */
  tick(now: number): LinkChange[] {
    const read = this.opts.readStatus;
    if (!read) throw new Error(`${this.name}: no readStatus callback; use poll(now, status)`);
    const out: LinkChange[] = [];
    while (this.nextPollNs !== null && this.nextPollNs <= now) {
      const t = this.nextPollNs;
      this.nextPollNs = t + this.pollNs;
      const c = this.observe(t, read());
      if (c) out.push(c);
    }
    return out;
  }

  /** One poll with a STATUS value read elsewhere; schedules the next poll after now. */
  poll(now: number, status: number): LinkChange | null {
    this.nextPollNs = now + this.pollNs;
    return this.observe(now, status);
  }

  private observe(t: number, status: number): LinkChange | null {
    this.polls++;
    const before = this.debounce.state;
    const r = this.debounce.observe((status & STATUS_LU) !== 0);
    if (r === null) return null;
    if (r === "pending") {
      if (before === "up" || before === "down") {
        this.timeline.push({ tNs: t, source: this.name, name: before === "up" ? "link.fail" : "link.back" });
      }
      return null;
    }
    if (r === "cancelled") {
      this.timeline.push({ tNs: t, source: this.name, name: "link.cancel", detail: { state: this.debounce.state } });
      return null;
    }
    this.timeline.push({ tNs: t, source: this.name, name: r === "up" ? "link.up" : "link.down" });
    return { name: this.name, tNs: t, up: r === "up" };
  }
}
