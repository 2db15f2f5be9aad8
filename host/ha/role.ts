// A unit's role: which of the two units holds the shared addresses. Pure state machine:
// handle(event, now) returns the actions to carry out; no timers (the heartbeat monitor and
// the gasp receiver produce the events).
//
//   INIT ──start──▶ BACKUP (or ACTIVE when configured to start active)
//   BACKUP ──gasp accepted / heartbeat lost / operator promote──▶ ACTIVE
//   BACKUP ──peer advert, peer not active (backup, fault, resigned) and we win──▶ ACTIVE
//   ACTIVE ──peer seen active, peer wins the arbitration──▶ BACKUP + resign (split brain, loser)
//   ACTIVE ──peer seen active, we win──▶ ACTIVE + announce again      (split brain, winner)
//   ACTIVE ──peer resigns, or its heartbeats come back after a loss──▶ ACTIVE + announce again
//   ACTIVE ──operator demote──▶ BACKUP, priority 0 until promote/restart (+ resign advert)
//   ACTIVE ──operator handover──▶ BACKUP, still eligible (+ resign advert): a planned switchover
//   BACKUP/ACTIVE ──link lost──▶ FAULT (+ resign advert when it was active)
//   FAULT ──link restored──▶ BACKUP
//   any ──gasp sent (our own fault path)──▶ FENCED: silent, ignores everything
//   any (FENCED included) ──restart──▶ INIT
//
// Every takeover raises the epoch above anything seen, so the arbitration (the core's
// ha_arbitrate: eligibility, epoch, priority, unit id) prefers the most recent legitimate
// takeover over a unit that hung and came back still believing it was active. Both units
// evaluate the same total order, so after they have seen each other exactly one stays
// active — and that one re-announces its VIPs: the other side's GARPs may have moved hosts
// to the loser's MAC (what keepalived users report in its GitHub issues 166 and 2649: split brain "resolved" but hosts still pointing
// at the backup, or both staying master until a restart).
//
// Timeline events (source = the unit): role.start, role.takeover, role.split-brain,
// role.split-brain-won, role.step-down, role.peer-resigned, role.demote, role.fault,
// role.recover, role.fenced, role.restart, role.peer-gasp, role.handover, role.ignored.

import { Arbitrate, Claim } from "./arbiter";
import { Detail, TimelineSink, NO_TIMELINE, checkNs } from "./timeline";

export type Role = "init" | "backup" | "active" | "fault" | "fenced";

/** What a unit says about itself in its heartbeats (HELLOs). */
export interface Advert extends Claim {
  role: Role;
}

export type RoleEvent =
  | { type: "start" }
  /** An authenticated gasp from the peer was accepted (the gasp receiver's verdict). */
  | { type: "gasp-accepted"; peer: { unit: number; priority?: number; epoch?: number }; selfFenced: boolean }
  | { type: "heartbeat-lost" }
  /** The peer's heartbeats are back after a loss (it may have been active meanwhile). */
  | { type: "heartbeat-restored" }
  | { type: "link-lost" }
  | { type: "link-restored" }
  /** A heartbeat from the peer with its advert. */
  | { type: "peer-advert"; peer: Advert }
  /** promote/demote: an operator's; handover: a planned switchover (the peer was just promoted). */
  | { type: "operator"; action: "promote" | "demote" | "handover" }
  /** This unit's own fault path sent a gasp promising silence. */
  | { type: "gasp-sent" }
  | { type: "restart" };

export type RoleAction =
  /** Take the VIPs: answer ARP for them, start the announcer. */
  | { type: "claim"; epoch: number; reason: string }
  /** Give the VIPs up: stop answering and announcing. */
  | { type: "release"; reason: string }
  /** Announce the VIPs again now (we won a split brain; the loser's GARPs are out there). */
  | { type: "announce-again"; reason: string }
  /** Send an advert with priority 0 now so the peer takes over without waiting. */
  | { type: "resign" }
  /** Stop every transmission, heartbeats included, until restart. */
  | { type: "fence" };

export interface RoleOptions {
  name: string;
  unit: number;
  /** 1..255 (0 would mean never active). */
  priority: number;
  /** The persisted epoch (restored at boot). Default 0. */
  epoch?: number;
  arbitrate: Arbitrate;
  /** Go straight to ACTIVE at start (the designated primary). Default false. */
  startActive?: boolean;
  timeline?: TimelineSink;
}

export class RoleMachine {
  readonly name: string;
  private r: Role = "init";
  private ep: number;
  private highestSeen: number;
  private readonly timeline: TimelineSink;
  /** The peer claim (unit/epoch) we last won against: one re-announcement per claim. */
  private wonAgainst: string | null = null;
  /** Set by operator demote, cleared by promote or restart: not eligible meanwhile. */
  private demoted = false;
  /** Times this unit became active. */
  takeovers = 0;

  constructor(private readonly opts: RoleOptions) {
    this.name = opts.name;
    if (!Number.isInteger(opts.priority) || opts.priority < 1 || opts.priority > 255) throw new RangeError(`priority: ${opts.priority} (1..255)`);
    this.ep = opts.epoch ?? 0;
    this.highestSeen = this.ep;
    this.timeline = opts.timeline ?? NO_TIMELINE;
  }

  get role(): Role {
    return this.r;
  }

  get epoch(): number {
    return this.ep;
  }

  /** May this unit transmit at all (heartbeats, GARPs)? Not when fenced. */
  get mayTransmit(): boolean {
    return this.r !== "fenced";
  }

  /** The advert this unit's heartbeats carry now; FAULT and demoted advertise priority 0. */
  advert(): Advert {
    const eligible = this.r !== "fault" && this.r !== "fenced" && !this.demoted;
    return { role: this.r, epoch: this.ep, unit: this.opts.unit, priority: eligible ? this.opts.priority : 0 };
  }

  /** The one-off advert of a unit giving the VIPs up (VRRP's priority-0 advert). */
  resignAdvert(): Advert {
    return { role: "active", epoch: this.ep, unit: this.opts.unit, priority: 0 };
  }

  handle(ev: RoleEvent, now: number): RoleAction[] {
    checkNs("now", now);
    if (this.r === "fenced" && ev.type !== "restart") {
      this.event(now, "role.ignored", { event: ev.type });
      return [];
    }
    switch (ev.type) {
      case "start":
        if (this.r !== "init") return this.ignored(now, ev.type);
        this.event(now, "role.start", { epoch: this.ep, priority: this.opts.priority });
        if (this.opts.startActive) return this.takeover(now, "start-active");
        this.r = "backup";
        return [];
      case "restart":
        this.r = "init";
        this.demoted = false;
        this.event(now, "role.restart", { epoch: this.ep });
        return [];
      case "gasp-sent":
        return this.fence(now);
      case "gasp-accepted":
        if (ev.peer.epoch !== undefined) this.highestSeen = Math.max(this.highestSeen, ev.peer.epoch);
        if (this.r === "backup") return this.takeover(now, ev.selfFenced ? "gasp" : "gasp (peer not fenced)");
        if (this.r === "active") {
          // The peer believed it was active too and has now died: hosts may hold its MAC.
          this.event(now, "role.peer-gasp", { peer: ev.peer.unit });
          return [{ type: "announce-again", reason: "peer gasp while active" }];
        }
        return this.ignored(now, ev.type);
      case "heartbeat-lost":
        if (this.r === "backup") return this.takeover(now, "heartbeat lost");
        return this.ignored(now, ev.type);
      case "heartbeat-restored":
        // While we could not hear the peer it may have taken over and announced itself;
        // hosts may hold its MAC even if it steps down before we ever see it active.
        if (this.r === "active") return [{ type: "announce-again", reason: "peer back" }];
        return [];
      case "link-lost":
        if (this.r !== "backup" && this.r !== "active") return this.ignored(now, ev.type);
        return this.fault(now);
      case "link-restored":
        if (this.r !== "fault") return this.ignored(now, ev.type);
        this.r = "backup";
        this.event(now, "role.recover");
        return [];
      case "peer-advert":
        return this.peerAdvert(ev.peer, now);
      case "operator":
        if (ev.action === "promote" && this.r === "backup") {
          this.demoted = false;
          return this.takeover(now, "operator");
        }
        if (ev.action === "demote" && (this.r === "active" || this.r === "backup")) {
          const wasActive = this.r === "active";
          this.r = "backup";
          this.demoted = true;
          this.event(now, "role.demote", { wasActive });
          return wasActive ? [{ type: "release", reason: "operator" }, { type: "resign" }] : [];
        }
        if (ev.action === "handover" && this.r === "active") {
          // The peer was promoted and announces the VIPs; this unit gives them up without being
          // demoted, so it stays the standby that takes them back if the new active fails.
          this.r = "backup";
          this.event(now, "role.handover", { epoch: this.ep });
          return [{ type: "release", reason: "planned switchover" }, { type: "resign" }];
        }
        return this.ignored(now, `operator ${ev.action}`);
    }
  }

  private peerAdvert(peer: Advert, now: number): RoleAction[] {
    if (peer.unit === this.opts.unit) return this.ignored(now, "advert with our own unit id");
    this.highestSeen = Math.max(this.highestSeen, peer.epoch);
    const peerActive = peer.role === "active" && peer.priority > 0;
    if (this.r === "backup") {
      // Nobody holds the VIPs (the peer is backup, faulty, starting, demoted or resigning):
      // the unit the order prefers takes them; the other one sees it active and stays.
      if (peerActive) return [];
      if (this.opts.arbitrate(this.advert(), peer) === "local") return this.takeover(now, peer.role === "active" ? "peer resigned" : `peer is ${peer.role}`);
      return [];
    }
    if (this.r !== "active") return [];
    if (peer.role === "active" && peer.priority === 0) {
      // The peer gives the VIPs up (it lost to us, or resigns): its last GARPs or ARP
      // replies may still be in hosts' caches.
      this.event(now, "role.peer-resigned", { peer: peer.unit });
      return [{ type: "announce-again", reason: "peer resigned" }];
    }
    if (!peerActive) return [];
    const verdict = this.opts.arbitrate(this.advert(), peer);
    const key = `${peer.unit}/${peer.epoch}`;
    if (verdict === "local" && this.wonAgainst === key) return []; // announced already for this claim
    this.event(now, "role.split-brain", { peer: peer.unit, peerEpoch: peer.epoch, peerPriority: peer.priority, verdict });
    if (verdict === "peer") {
      this.r = "backup";
      this.event(now, "role.step-down", { winner: peer.unit });
      return [{ type: "release", reason: "split brain lost" }, { type: "resign" }];
    }
    this.wonAgainst = key;
    this.event(now, "role.split-brain-won", { loser: peer.unit });
    return [{ type: "announce-again", reason: "split brain won" }];
  }

  private takeover(now: number, reason: string): RoleAction[] {
    this.ep = Math.min(Math.max(this.ep, this.highestSeen) + 1, 0xffffffff);
    this.highestSeen = this.ep;
    this.r = "active";
    this.wonAgainst = null;
    this.takeovers++;
    this.event(now, "role.takeover", { reason, epoch: this.ep });
    return [{ type: "claim", epoch: this.ep, reason }];
  }

  private fault(now: number): RoleAction[] {
    const wasActive = this.r === "active";
    this.r = "fault";
    this.event(now, "role.fault", { wasActive });
    return wasActive ? [{ type: "release", reason: "link lost" }, { type: "resign" }] : [];
  }

  private fence(now: number): RoleAction[] {
    const wasActive = this.r === "active";
    this.r = "fenced";
    this.event(now, "role.fenced", { wasActive });
    return wasActive ? [{ type: "release", reason: "fenced" }, { type: "fence" }] : [{ type: "fence" }];
  }

  private ignored(now: number, what: string): RoleAction[] {
    this.event(now, "role.ignored", { event: what, role: this.r });
    return [];
  }

  private event(tNs: number, name: string, detail?: Detail): void {
    this.timeline.push({ tNs, source: this.name, name, detail });
  }
}
