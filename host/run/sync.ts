// Config sync between the two running units (docs/config-sync.md) over the board's real
// ports: the sync protocol's reliable channel over UDP/IPv4 datagrams built and parsed by
// the core (host/sync/udp.ts), sent and received by the unit like its other frames, between
// the two units' front-port addresses (UDP port 50613). The units may run different image
// versions (`--image`), as `lastgasp sync-check` plans it.
//
// Who does what follows the role machine: the active unit runs the active side with its
// running configuration (its --config file, or — after a takeover — what it received as
// standby); the standby runs the standby side. A session is one (active boot, standby boot)
// pair as the HELLOs tell them: a restart of either unit starts a new bulk sync; a change of
// role ends the session.

import { ActiveUnit } from "../sync/active";
import { StandbyUnit } from "../sync/standby";
import { ReliableChannel } from "../sync/reliable";
import { SYNC_UDP_PORT, UdpCarrier } from "../sync/udp";
import { readActiveConfig } from "../sync/plan";
import type { Registry } from "../sync/pair";
import type { RunningConfig } from "../sync/config";
import type { Clock } from "../sync/clock";
import type { WireCodec } from "../wire/codec";
import type { Board } from "../board/board";
import type { Role } from "../ha/role";
import type { RunLog } from "./log";

export interface SyncSettings {
  registry: Registry;
  /** This unit's image version ("1.0", "1.1", "2.0"). */
  version: string;
  /** The configuration file's text (this image's syntax), when given. */
  config?: { file: string; text: string };
}

type Session = { key: number; side: "active"; unit: ActiveUnit; channel: ReliableChannel } | { key: number; side: "standby"; unit: StandbyUnit; channel: ReliableChannel };

export class UnitSync {
  private session: Session | null = null;
  private readonly carrier: UdpCarrier;
  private lastState = "";
  /** The configuration this unit runs when active: its file, then what it received as standby. */
  private running: RunningConfig | null;
  sessions = 0;

  constructor(
    private readonly s: SyncSettings,
    codec: WireCodec,
    board: Board,
    peer: Board,
    private readonly clock: Clock,
    send: (frame: Uint8Array) => void,
    private readonly log: RunLog,
  ) {
    const front = (b: Board) => b.ports.find((p) => p.role === "front") ?? b.ports[0];
    const ip = (b: Board) => front(b).ipv4[0]?.split("/")[0];
    if (!ip(board) || !ip(peer)) throw new Error("config sync needs an IPv4 address on both units' front ports");
    let rx: (f: Uint8Array) => void = () => {};
    this.frameIn = (f) => rx(f);
    this.carrier = new UdpCarrier(codec, { send, onFrame: (cb) => void (rx = cb) }, { mac: front(board).mac, ip: ip(board)!, port: SYNC_UDP_PORT }, { mac: front(peer).mac, ip: ip(peer)!, port: SYNC_UDP_PORT });
    const own = s.registry.pair(s.version, s.version);
    this.running = s.config ? readActiveConfig(own, s.config.file, s.config.text).config : null;
  }

  /** A received IPv4 frame that may be the sync protocol's (the carrier drops the rest). */
  readonly frameIn: (frame: Uint8Array) => void;

  /** After every HA change: the session this role and peer call for. */
  update(role: Role, peer: { role: string; boot: number } | null, ownBoot: number): void {
    let want: { side: "active" | "standby"; key: number } | null = null;
    if (peer && role === "active" && peer.role === "backup") want = { side: "active", key: sessionKey(ownBoot, peer.boot) };
    else if (peer && role === "backup" && peer.role === "active") want = { side: "standby", key: sessionKey(peer.boot, ownBoot) };
    const cur = this.session;
    if (cur && want && cur.side === want.side && cur.key === want.key) return this.watch();
    if (cur) this.end(cur);
    if (!want) return;
    if (want.side === "active" && !this.running) {
      if (this.lastState !== "no-config") this.log("sync.idle", { why: "no configuration to sync (--config, or none received as standby)" });
      this.lastState = "no-config";
      return;
    }
    const channel = new ReliableChannel(this.carrier, this.clock, { session: want.key });
    const logger = (_u: string, text: string) => this.log("sync.event", { text });
    this.sessions++;
    if (want.side === "active") {
      const unit = new ActiveUnit({ image: this.s.registry.pair(this.s.version, this.s.version).active, registry: this.s.registry, config: this.running!, channel, clock: this.clock, log: logger });
      this.session = { key: want.key, side: "active", unit, channel };
      this.log("sync.start", { as: "active", session: want.key, image: this.s.version, lines: this.running!.size });
      unit.startBulkSync();
    } else {
      const unit = new StandbyUnit({ image: this.s.registry.pair(this.s.version, this.s.version).standby, registry: this.s.registry, channel, log: logger });
      this.session = { key: want.key, side: "standby", unit, channel };
      this.log("sync.start", { as: "standby", session: want.key, image: this.s.version });
    }
    this.watch();
  }

  /** Logs a change of the session's state (and keeps what a standby received). */
  watch(): void {
    const cur = this.session;
    if (!cur) return;
    const st = this.status();
    const line = `${st.state}/${st.mode}`;
    if (line === this.lastState) return;
    this.lastState = line;
    this.log("sync.state", { as: cur.side, state: st.state as string, mode: st.mode as string, lines: st.lines as number, peerImage: st.peerImage as string });
    if (cur.side === "standby" && cur.unit.state === "hot") this.running = cur.unit.running;
  }

  status(): Record<string, string | number | boolean> {
    const cur = this.session;
    const base = { image: this.s.version, sessions: this.sessions };
    if (!cur) return { ...base, as: "none", state: "idle", mode: "none", lines: this.running?.size ?? 0 };
    if (cur.side === "active") {
      const u = cur.unit;
      return { ...base, as: "active", session: cur.key, state: u.state, mode: u.mode, lines: u.running.size, peerImage: u.pair?.standby.version ?? "" };
    }
    const u = cur.unit;
    return { ...base, as: "standby", session: cur.key, state: u.state, mode: String(u.mode), lines: u.running.size, peerImage: u.activeVersion ?? "" };
  }

  /** The unit stops. */
  stop(): void {
    if (this.session) this.end(this.session);
  }

  private end(cur: Session): void {
    cur.channel.close();
    if (cur.side === "standby" && cur.unit.state === "hot") this.running = cur.unit.running;
    this.session = null;
    this.lastState = "";
    this.log("sync.end", { as: cur.side, session: cur.key });
  }
}

/** The channel's 16-bit session: both units' boot counters (low bytes), active first. */
function sessionKey(activeBoot: number, standbyBoot: number): number {
  return (((activeBoot & 0xff) << 8) | (standbyBoot & 0xff)) || 1;
}
