// The active unit's side of config sync: it offers its CLI dump, gets the diff lists back,
// settles compatibility, sends its running config (downgraded step by step when it runs the
// newer image), judges the standby's verification, then syncs every command entered on it.
// It owns the policy handler and so the redundancy mode.

import { createHash } from "crypto";
import { Clock } from "./clock";
import { RunningConfig } from "./config";
import { Compatibility, checkLists, diffLists } from "./diff";
import { Fate, StageCache, convert, fateLines, route } from "./engine";
import { Command } from "./grammar";
import { Image } from "./image";
import { ConfigSummary, FateKind, Message, RemoteEvent, decodeMessage, encodeMessage } from "./messages";
import { Pair, Registry, UnknownVersionError } from "./pair";
import { Mode, PolicyHandler, PolicyRules } from "./policy";
import { PRC_OK, PRC_REFUSED, prcName } from "./prc";
import { ReliableChannel } from "./reliable";

/** Bytes of dump or config per DATA message (the channel splits further into segments). */
export const CHUNK = 1000;

/** A command entered on the active that its image rejects. */
export class SyncInputError extends Error {}

export type ActiveState = "idle" | "negotiating" | "transferring" | "verifying" | "hot" | "cold" | "standby-reset";

export type CommandFate = Fate | { kind: "not-synced"; why: string };

export interface CommandRecord {
  id: number;
  /** As entered, and canonical. */
  input: string;
  text: string;
  fate: CommandFate;
  /** The lines sent to the standby (wire version). */
  sent: string[];
  /** The standby's answer: its PRC, what its own walk made of the lines, what it applied. */
  ack?: { prc: number; fate: FateKind; detail: string; applied: string[] };
}

export interface Verification {
  ok: boolean;
  reasons: string[];
  mode: Mode;
}

export type Logger = (unit: "active" | "standby", text: string) => void;

export interface ActiveOptions {
  image: Image;
  registry: Registry;
  config: RunningConfig;
  channel: ReliableChannel;
  clock: Clock;
  policy?: PolicyRules;
  log?: Logger;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export class ActiveUnit {
  state: ActiveState = "idle";
  readonly image: Image;
  /** The running config; replaced (never modified) on each change, so snapshots stay valid. */
  running: RunningConfig;
  readonly handler: PolicyHandler;
  pair?: Pair;
  compat?: Compatibility;
  readonly commands: CommandRecord[] = [];
  readonly verifications: Verification[] = [];
  /** Bulk sync: the fate of each command of the running config. */
  bulkRows: { cmd: Command; fate: Fate }[] = [];
  /** What the bulk transfer announced and sent. */
  transfer?: { lines: number; bytes: number; digest: string };
  protocolErrors: string[] = [];

  private readonly channel: ReliableChannel;
  private readonly registry: Registry;
  private readonly log: Logger;
  private stages?: StageCache;
  private nextId = 1;
  private queued: { rec: CommandRecord; cmd: Command; before: RunningConfig; after: RunningConfig }[] = [];
  private baseMode: Mode = "sso";
  /** What each outstanding VERIFY must show, in request order (bulk first). */
  private expectations: ConfigSummary[] = [];

  constructor(opts: ActiveOptions) {
    this.image = opts.image;
    this.registry = opts.registry;
    this.running = opts.config;
    this.channel = opts.channel;
    this.handler = new PolicyHandler(opts.policy);
    this.log = opts.log ?? (() => {});
    if (opts.config.version !== opts.image.version) throw new Error(`a ${opts.config.version} config on a ${opts.image.version} active`);
    this.channel.onMessage((b) => this.receive(b));
  }

  /** The redundancy mode: what the policy events so far leave the pair in. */
  get mode(): Mode {
    return this.handler.mode(this.baseMode);
  }

  /** Step 1 of the bulk sync: the standby has joined; offer the CLI dump. */
  startBulkSync(): void {
    const text = this.image.dump.join("\n");
    const bytes = Buffer.from(text, "utf8");
    this.state = "negotiating";
    this.log("active", `CLI dump: ${this.image.dump.length} commands, ${bytes.length} bytes; announcing its size`);
    this.send({ type: "dump-begin", version: this.image.version, entries: this.image.dump.length, bytes: bytes.length, digest: sha256(text) });
    for (let off = 0; off < bytes.length; off += CHUNK) this.send({ type: "dump-data", offset: off, data: bytes.subarray(off, off + CHUNK) });
  }

  /** A command entered by the operator: applied here, then synced line by line. Throws
   * SyncInputError (naming the line) when this image rejects it; nothing changes then. */
  configure(input: string): CommandRecord {
    const p = this.image.grammar.parse(input);
    if (!p.ok) throw new SyncInputError(`"${input.trim()}": ${p.error}`);
    const cmd = p.cmd;
    const before = this.running;
    const after = before.clone();
    const rec: CommandRecord = { id: this.nextId++, input: input.trim(), text: cmd.text, fate: { kind: "noop" }, sent: [] };
    this.commands.push(rec);
    if (!after.apply(cmd).changed) return rec;
    this.running = after;
    if (this.state === "negotiating" || this.state === "transferring" || this.state === "verifying") {
      rec.fate = { kind: "not-synced", why: "queued until the bulk sync ends" };
      this.queued.push({ rec, cmd, before, after });
    } else if (this.state === "hot") {
      this.syncCommand(rec, cmd, before, after);
    } else {
      rec.fate = { kind: "not-synced", why: this.state === "standby-reset" ? "the standby is held in reset" : `no SSO standby (state ${this.state})` };
    }
    return rec;
  }

  /** Asks the standby to prove its config is the expected one (answered by VERIFY). */
  verify(): void {
    if (this.state !== "hot" || !this.pair) return;
    const expected = this.wireSummary();
    this.expectations.push(expected);
    this.send({ type: "verify-req", expected });
  }

  /** The config the standby should have received: the running config at the wire version. */
  wireConfig(): RunningConfig {
    if (!this.pair || !this.stages) return this.running;
    return this.stages.at(this.running, this.pair.wire.version);
  }

  private wireSummary(): ConfigSummary {
    const w = this.wireConfig();
    return { lines: w.size, digest: w.digest() };
  }

  private send(m: Message): void {
    this.channel.send(encodeMessage(m));
  }

  private receive(b: Uint8Array): void {
    const d = decodeMessage(b);
    if (!d.ok) return this.protocolError(`undecodable message: ${d.error}`);
    const m = d.msg;
    switch (m.type) {
      case "diff":
        return this.onDiff(m);
      case "verify":
        return this.onVerify(m);
      case "cmd-ack":
        return this.onCmdAck(m);
      case "abort":
        this.log("active", `standby aborted: ${m.reason}`);
        this.baseMode = "none";
        this.state = "standby-reset";
        return;
      default:
        return this.protocolError(`unexpected ${m.type} from the standby`);
    }
  }

  private protocolError(why: string): void {
    this.protocolErrors.push(why);
    this.log("active", `protocol error: ${why}; resetting the standby`);
    this.resetStandby(why);
  }

  private onDiff(m: Extract<Message, { type: "diff" }>): void {
    if (this.state !== "negotiating") return this.protocolError(`DIFF in state ${this.state}`);
    let pair: Pair;
    try {
      pair = this.registry.pair(this.image.version, m.version);
    } catch (e) {
      if (!(e instanceof UnknownVersionError)) throw e;
      return this.settle({ pair: `${this.image.version}→${m.version}`, table: "-", compatible: false, adl: [], sdl: [], reasons: [`standby runs ${m.version}, unknown to ${this.image.version}`] });
    }
    this.pair = pair;
    this.stages = new StageCache(pair.table, pair.activePath);
    this.log("active", `standby runs ${m.version}: ADL ${m.adl.length}, SDL ${m.sdl.length} entries; ${pair.table.version}'s table decides`);
    if (pair.table === this.image) {
      // This image holds the table: verify the lists it was sent against its own knowledge.
      const own = diffLists(this.image.dump, pair.standby.dump);
      const compat = checkLists(pair, m.adl, m.sdl);
      if (own.adl.join("\n") !== m.adl.join("\n") || own.sdl.join("\n") !== m.sdl.join("\n")) {
        compat.compatible = false;
        compat.reasons.push(`the standby's diff lists disagree with image ${m.version}'s CLI dump`);
      }
      return this.settle(compat);
    }
    // The standby runs the newer image and has checked both lists with its table.
    const compat = checkLists(pair, m.adl, m.sdl);
    compat.compatible = m.verdict === "compatible";
    compat.reasons = m.reasons;
    this.settle(compat);
  }

  private settle(compat: Compatibility): void {
    this.compat = compat;
    this.baseMode = compat.compatible ? "sso" : "rpr";
    this.send({ type: "compat", compatible: compat.compatible, mode: this.baseMode, reasons: compat.reasons });
    if (!compat.compatible) {
      this.state = "cold";
      this.log("active", `images incompatible (${compat.reasons.length} entries without a way across): cold standby (RPR), no config sync`);
      return;
    }
    this.log("active", `compatible: every diff-list entry has a transform or is on the DCL`);
    this.transferConfig();
  }

  private transferConfig(): void {
    const pair = this.pair!;
    const conv = convert(pair.table, pair.activePath, this.running);
    this.bulkRows = conv.rows;
    conv.rows.forEach((r, i) => {
      if (r.fate.kind !== "policy") return;
      const action = this.handler.decide(r.fate);
      this.handler.record({ where: `running-config line ${i + 1}`, text: r.cmd.text, action, cause: r.fate.cause, reason: r.fate.reason, by: "active" });
      this.log("active", `policy ${action}: "${r.cmd.text}": ${r.fate.reason}`);
    });
    if (this.mode === "none") return this.resetStandby("policy: a command that must be synced cannot be");
    const text = conv.config.text();
    const bytes = Buffer.from(text, "utf8");
    this.transfer = { lines: conv.config.size, bytes: bytes.length, digest: sha256(text) };
    this.expectations.push({ lines: conv.config.size, digest: conv.config.digest() });
    const counts = countFates(conv.rows.map((r) => r.fate));
    this.log("active", `running config: ${conv.rows.length} commands → ${counts}; sending its size (${conv.config.size} lines, ${bytes.length} bytes)`);
    this.state = "transferring";
    this.send({ type: "config-begin", ...this.transfer });
    for (let off = 0; off < bytes.length; off += CHUNK) this.send({ type: "config-data", offset: off, data: bytes.subarray(off, off + CHUNK) });
    this.state = "verifying";
  }

  private onVerify(m: Extract<Message, { type: "verify" }>): void {
    if (this.state !== "verifying" && this.state !== "hot") return this.protocolError(`VERIFY in state ${this.state}`);
    const pair = this.pair!;
    const reasons: string[] = [];
    const expected = this.expectations.shift();
    if (!expected) return this.protocolError("VERIFY nobody asked for");
    if (m.received.digest !== expected.digest) reasons.push(`the standby holds ${m.received.lines} received lines, not the ${expected.lines} expected`);
    if (pair.table === this.image) {
      // The standby applies wire lines as they are: its running config must be the wire config.
      if (m.running.digest !== expected.digest) reasons.push(`the standby runs ${m.running.lines} lines that differ from the ${expected.lines} expected`);
    } else if (m.selfCheck !== "match") {
      reasons.push(`the standby's own check of its upgraded config says ${m.selfCheck}`);
    }
    for (const p of m.prcs) {
      if (p.prc === PRC_OK || p.prc === PRC_REFUSED) continue;
      this.handler.record({ where: `RCSF line ${p.line}`, text: p.text, action: "out-of-sync", cause: "standby-rejected", reason: `PRC ${prcName(p.prc)}: ${p.detail}`, by: "standby" });
    }
    this.recordRemote(m.events);
    if (reasons.length) this.handler.record({ where: "verification", text: "", action: "out-of-sync", cause: "verify-mismatch", reason: reasons.join("; "), by: "active" });
    const mode = this.mode;
    this.verifications.push({ ok: reasons.length === 0, reasons, mode });
    this.log("active", `verification: ${reasons.length === 0 ? "standby config matches" : `MISMATCH: ${reasons.join("; ")}`}; mode ${mode}`);
    if (mode === "none") return this.resetStandby("policy");
    const wasVerifying = this.state === "verifying";
    this.state = "hot";
    this.send({ type: "result", mode, inSync: this.handler.inSync, reasons: this.handler.events.map((e) => `${e.action}: ${e.reason}`) });
    if (wasVerifying) this.flushQueued();
  }

  private flushQueued(): void {
    const q = this.queued;
    this.queued = [];
    for (const { rec, cmd, before, after } of q) {
      if (this.state === "hot") this.syncCommand(rec, cmd, before, after);
      else rec.fate = { kind: "not-synced", why: "the standby is held in reset" };
    }
  }

  private recordRemote(events: RemoteEvent[]): void {
    for (const e of events) {
      const action = this.handler.decide(e);
      this.handler.record({ where: e.where, text: e.text, action, cause: e.cause, reason: e.reason, by: "standby" });
      this.log("active", `standby reports policy ${action}: "${e.text}": ${e.reason}`);
    }
  }

  private syncCommand(rec: CommandRecord, cmd: Command, before: RunningConfig, after: RunningConfig): void {
    const pair = this.pair!;
    const fate = route(pair.table, pair.activePath, cmd, this.stages!.contexts(before, after), { removeStale: true });
    rec.fate = fate;
    if (fate.kind === "policy") {
      fate.action = this.handler.decide(fate);
      this.handler.record({ where: `command ${rec.id}`, text: cmd.text, action: fate.action, cause: fate.cause, reason: fate.reason, by: "active" });
      this.log("active", `command ${rec.id} "${cmd.text}": policy ${fate.action}: ${fate.reason}`);
      if (fate.action === "reset-standby") return this.resetStandby(fate.reason);
    }
    const lines = fateLines(fate);
    if (lines.length === 0) return;
    rec.sent = lines;
    this.send({ type: "cmd", id: rec.id, source: cmd.text, lines });
  }

  private onCmdAck(m: Extract<Message, { type: "cmd-ack" }>): void {
    const rec = this.commands.find((c) => c.id === m.id);
    if (!rec) return this.protocolError(`CMD_ACK for unknown command ${m.id}`);
    rec.ack = { prc: m.prc, fate: m.fate, detail: m.detail, applied: m.applied };
    if (m.prc !== PRC_OK && m.prc !== PRC_REFUSED) {
      this.handler.record({ where: `command ${m.id}`, text: rec.text, action: "out-of-sync", cause: "standby-rejected", reason: `PRC ${prcName(m.prc)}: ${m.detail}`, by: "standby" });
    }
    this.recordRemote(m.events);
    if (this.mode === "none") this.resetStandby("policy");
  }

  private resetStandby(why: string): void {
    if (this.state === "standby-reset") return;
    this.baseMode = "none";
    this.state = "standby-reset";
    this.log("active", `resetting the standby: non-redundant until an operator intervenes (${why})`);
    this.send({ type: "result", mode: "none", inSync: false, reasons: [why] });
    for (const q of this.queued) q.rec.fate = { kind: "not-synced", why: "the standby is held in reset" };
    this.queued = [];
  }
}

/** What became of a command in the end: the standby's walk when it does the upgrading,
 * otherwise the active's. */
export function outcomeOf(rec: CommandRecord, pair: Pair | undefined): CommandFate["kind"] | FateKind {
  if (pair?.direction === "upgrade" && rec.ack && rec.fate.kind === "unchanged") return rec.ack.fate;
  return rec.fate.kind;
}

export function countFates(fates: CommandFate[]): string {
  const n = new Map<string, number>();
  for (const f of fates) n.set(f.kind, (n.get(f.kind) ?? 0) + 1);
  return [...n].map(([k, v]) => `${v} ${k}`).join(", ");
}
