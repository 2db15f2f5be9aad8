// One HA unit's takeover behaviour, assembled: the role machine (role.ts), the heartbeat
// monitor of the peer (heartbeat.ts), the announcer (announcer.ts) and the ARP answering
// table for the VIPs (responder.ts). The chassis feeds it events and frames with the time;
// it returns the frames to transmit and the HELLOs to send, and never transmits anything
// once fenced.
//
// What the integration supplies:
//   - a GASP or HELLO the gasp receiver accepted from the peer → onPeerMessage(message, now)
//     (or, by hand: gasp accepted → handle({ type: "gasp-accepted", ... }, now))
//   - this unit's fault path sent a gasp    → handle({ type: "gasp-sent" }, now)
//   - an authenticated HELLO from the peer  → peerHello(advert, now) (onPeerMessage does it)
//   - any frame from the service segment    → receive(frame, now)   (ARP for the VIPs)
//   - link monitor verdicts, operator       → handle({ type: "link-lost" | ... }, now)
//   - tick(now) at nextDeadline()
// What it gets back (UnitOutput): frames (announcements, ARP replies) and hellos (adverts:
// GaspSender.update(...helloFields(advert)) then GaspSender.hello(), see hello.ts).

import { Announcer, AnnounceEncoder, AnnounceKnobs } from "./announcer";
import { Arbitrate } from "./arbiter";
import { HeartbeatMonitor, HeartbeatOptions } from "./heartbeat";
import { ArpCodec, ArpResponder } from "./responder";
import { Advert, Role, RoleAction, RoleEvent, RoleMachine } from "./role";
import { parseMac } from "../util/addr";
import { roleEventFrom } from "./hello";
import { TimelineSink, NO_TIMELINE, Timed, earliest } from "./timeline";

export interface HaUnitOptions {
  name: string;
  unit: number;
  priority: number;
  epoch?: number;
  startActive?: boolean;
  /** The MAC this unit announces the VIPs with. */
  mac: string;
  vips: string[];
  codec: AnnounceEncoder & ArpCodec;
  arbitrate: Arbitrate;
  knobs?: Partial<AnnounceKnobs>;
  heartbeat: Omit<HeartbeatOptions, "name" | "timeline">;
  timeline?: TimelineSink;
}

export interface UnitFrame {
  tNs: number;
  frame: Uint8Array;
  /** "garp", "garp-reply", "na", "arp-reply". */
  what: string;
}

export interface UnitOutput {
  frames: UnitFrame[];
  hellos: { tNs: number; advert: Advert }[];
}

export class HaUnit implements Timed {
  readonly name: string;
  readonly role: RoleMachine;
  readonly announcer: Announcer;
  readonly responder: ArpResponder;
  readonly heartbeat: HeartbeatMonitor;
  private readonly timeline: TimelineSink;
  private claimed = false;

  constructor(private readonly opts: HaUnitOptions) {
    this.name = opts.name;
    this.timeline = opts.timeline ?? NO_TIMELINE;
    this.role = new RoleMachine({ name: opts.name, unit: opts.unit, priority: opts.priority, epoch: opts.epoch, arbitrate: opts.arbitrate, startActive: opts.startActive, timeline: this.timeline });
    this.announcer = new Announcer({ name: opts.name, encoder: opts.codec, mac: opts.mac, vips: opts.vips, knobs: opts.knobs, timeline: this.timeline });
    this.responder = new ArpResponder(opts.name, opts.codec, parseMac(opts.mac), this.timeline);
    this.heartbeat = new HeartbeatMonitor({ ...opts.heartbeat, name: `${opts.name}.hb`, timeline: this.timeline });
  }

  get currentRole(): Role {
    return this.role.role;
  }

  /** True while this unit holds the VIPs (answers ARP for them, announces them). */
  get holdsVips(): boolean {
    return this.claimed;
  }

  start(now: number): UnitOutput {
    const out = empty();
    this.heartbeat.start(now);
    this.apply(this.role.handle({ type: "start" }, now), now, out);
    this.collect(now, out);
    return out;
  }

  handle(ev: RoleEvent, now: number): UnitOutput {
    const out = empty();
    this.apply(this.role.handle(ev, now), now, out);
    if (ev.type === "restart") {
      // A restart is a boot: the role starts over, the heartbeat with it.
      this.heartbeat.start(now);
      this.apply(this.role.handle({ type: "start" }, now), now, out);
    }
    this.collect(now, out);
    return out;
  }

  /** An authenticated HELLO from the peer. */
  peerHello(advert: Advert, now: number): UnitOutput {
    const out = empty();
    if (!this.role.mayTransmit) return out;
    for (const c of this.heartbeat.heard(now)) this.apply(this.role.handle({ type: c.up ? "heartbeat-restored" : "heartbeat-lost" }, c.tNs), c.tNs, out);
    this.apply(this.role.handle({ type: "peer-advert", peer: advert }, now), now, out);
    this.collect(now, out);
    return out;
  }

  /**
   * A message the gasp receiver accepted from the peer (GASP or HELLO, see hello.ts):
   * routed to handle() or peerHello().
   */
  onPeerMessage(m: Parameters<typeof roleEventFrom>[0], now: number): UnitOutput {
    const ev = roleEventFrom(m);
    if (!ev) return empty();
    return ev.type === "peer-advert" ? this.peerHello(ev.peer, now) : this.handle(ev, now);
  }

  /** A frame from the service segment: ARP requests for held VIPs are answered. */
  receive(frame: Uint8Array, now: number): UnitOutput {
    const out = empty();
    if (!this.role.mayTransmit) return out;
    const r = this.responder.receive(frame, now);
    if (r.reply) out.frames.push({ tNs: now, frame: r.reply, what: "arp-reply" });
    return out;
  }

  nextDeadline(): number | null {
    if (!this.role.mayTransmit) return null;
    return earliest(this.announcer.nextDeadline(), this.heartbeat.nextDeadline());
  }

  tick(now: number): UnitOutput {
    const out = empty();
    if (!this.role.mayTransmit) return out;
    this.collect(now, out);
    return out;
  }

  /** Heartbeat sends and changes, announcements: everything due at or before now. */
  private collect(now: number, out: UnitOutput): void {
    if (!this.role.mayTransmit) return;
    const hb = this.heartbeat.tick(now);
    for (const s of hb.sends) out.hellos.push({ tNs: s.tNs, advert: this.role.advert() });
    for (const c of hb.changes) this.apply(this.role.handle({ type: c.up ? "heartbeat-restored" : "heartbeat-lost" }, c.tNs), c.tNs, out);
    for (const a of this.announcer.tick(now)) out.frames.push({ tNs: a.tNs, frame: a.frame, what: a.kind });
  }

  private apply(actions: RoleAction[], now: number, out: UnitOutput): void {
    for (const a of actions) {
      switch (a.type) {
        case "claim":
          for (const v of this.opts.vips) if (!v.includes(":")) this.responder.hold(v);
          this.claimed = true;
          this.announcer.start(now, a.reason);
          break;
        case "release":
          this.claimed = false;
          for (const v of this.opts.vips) this.responder.release(v);
          this.announcer.stop(now, a.reason);
          break;
        case "announce-again":
          this.announcer.again(now, a.reason);
          break;
        case "resign":
          out.hellos.push({ tNs: now, advert: this.role.resignAdvert() });
          break;
        case "fence":
          this.claimed = false;
          for (const v of this.opts.vips) this.responder.release(v);
          this.announcer.stop(now, "fenced");
          this.heartbeat.pause(now);
          out.frames.length = 0;
          out.hellos.length = 0;
          break;
      }
    }
  }
}

function empty(): UnitOutput {
  return { frames: [], hellos: [] };
}
