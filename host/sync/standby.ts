// The standby unit's side of config sync: it receives the active's CLI dump into its CDFS,
// computes the diff lists (and the verdict, when it runs the newer image), receives the
// running config into its RCSF, applies each line (upgrading it step by step when it runs
// the newer image) with a parser return code per line, and checks the result. Then it applies
// each command the active syncs, all of a command's lines or none of them.
//
// It keeps two configs: `received`, what the active sent (in the wire version, the older
// one), and `running`, its own (in its version). Upgrade transforms read `received` as their
// context, before and after each change.

import { createHash } from "crypto";
import { RunningConfig } from "./config";
import { checkLists, diffLists } from "./diff";
import { StageCache, convert, fateLines, route } from "./engine";
import { Command } from "./grammar";
import { Image } from "./image";
import { ConfigSummary, FateKind, Message, PrcRecord, RemoteEvent, SelfCheck, decodeMessage, encodeMessage } from "./messages";
import { Pair, Registry, UnknownVersionError } from "./pair";
import { Mode } from "./policy";
import { PRC_OK, PRC_REFUSED, PRC_TRANSFORM_ERROR, prcOfParse } from "./prc";
import { ReliableChannel } from "./reliable";
import { Logger } from "./active";

/** Largest CLI dump / running config the standby allocates a file for. */
export const MAX_CDFS_BYTES = 256 * 1024;
export const MAX_RCSF_BYTES = 1024 * 1024;

export type StandbyState = "waiting" | "negotiating" | "receiving" | "hot" | "cold" | "reset";

interface Incoming {
  buf: Uint8Array;
  fill: number;
  digest: string;
}

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

export interface StandbyOptions {
  image: Image;
  registry: Registry;
  channel: ReliableChannel;
  log?: Logger;
}

export class StandbyUnit {
  state: StandbyState = "waiting";
  mode: Mode | "pending" = "pending";
  readonly image: Image;
  pair?: Pair;
  received?: RunningConfig;
  running: RunningConfig;
  /** PRCs of the last bulk apply, one per RCSF line. */
  prcs: PrcRecord[] = [];
  /** Ids of the commands applied, in order (a test checks no id appears twice). */
  readonly appliedIds: number[] = [];
  duplicateCommands = 0;
  activeVersion?: string;
  abortReason?: string;

  private readonly channel: ReliableChannel;
  private readonly registry: Registry;
  private readonly log: Logger;
  private cdfs?: Incoming;
  private rcsf?: Incoming & { lines: number };
  private stages?: StageCache;
  private lastCmdId = 0;

  constructor(opts: StandbyOptions) {
    this.image = opts.image;
    this.registry = opts.registry;
    this.channel = opts.channel;
    this.log = opts.log ?? (() => {});
    this.running = new RunningConfig(opts.image.grammar);
    this.channel.onMessage((b) => this.receive(b));
  }

  private send(m: Message): void {
    this.channel.send(encodeMessage(m));
  }

  private abort(reason: string): void {
    this.abortReason = reason;
    this.log("standby", `abort: ${reason}`);
    this.send({ type: "abort", reason });
    this.state = "cold";
  }

  private receive(b: Uint8Array): void {
    if (this.state === "reset") return;
    const d = decodeMessage(b);
    if (!d.ok) return this.abort(`undecodable message: ${d.error}`);
    const m = d.msg;
    switch (m.type) {
      case "dump-begin":
        return this.onDumpBegin(m);
      case "dump-data":
        return this.fillFile(this.cdfs, m, "CDFS", () => this.onDumpComplete());
      case "compat":
        this.mode = m.mode;
        if (!m.compatible) {
          this.state = "cold";
          this.log("standby", "incompatible: staying a cold standby (RPR)");
        }
        return;
      case "config-begin":
        return this.onConfigBegin(m);
      case "config-data":
        return this.fillFile(this.rcsf, m, "RCSF", () => this.onConfigComplete());
      case "cmd":
        return this.onCmd(m);
      case "verify-req":
        return this.sendVerify([], []);
      case "result":
        this.mode = m.mode;
        if (m.mode === "none") return this.reset();
        this.log("standby", `result: mode ${m.mode}, ${m.inSync ? "in sync" : "OUT OF SYNC"}`);
        return;
      case "abort":
        this.abortReason = m.reason;
        this.state = "cold";
        return;
      default:
        return this.abort(`unexpected ${m.type} from the active`);
    }
  }

  private onDumpBegin(m: Extract<Message, { type: "dump-begin" }>): void {
    if (this.state !== "waiting") return this.abort(`DUMP_BEGIN in state ${this.state}`);
    if (m.bytes > MAX_CDFS_BYTES) return this.abort(`a CLI dump of ${m.bytes} bytes exceeds the ${MAX_CDFS_BYTES}-byte CDFS`);
    this.activeVersion = m.version;
    this.cdfs = { buf: new Uint8Array(m.bytes), fill: 0, digest: m.digest };
    this.state = "negotiating";
    if (m.bytes === 0) this.onDumpComplete();
  }

  /** Copies a chunk into a file allocated from the announced size; in order, no overrun. */
  private fillFile(file: Incoming | undefined, m: { offset: number; data: Uint8Array }, name: string, done: () => void): void {
    if (!file) return this.abort(`${name} data before its size`);
    if (m.offset !== file.fill || m.offset + m.data.length > file.buf.length) {
      return this.abort(`${name} chunk at ${m.offset}+${m.data.length} outside the announced ${file.buf.length} bytes (filled ${file.fill})`);
    }
    file.buf.set(m.data, m.offset);
    file.fill += m.data.length;
    if (file.fill < file.buf.length) return;
    if (sha256(file.buf) !== file.digest) return this.abort(`${name} digest mismatch`);
    done();
  }

  private onDumpComplete(): void {
    const text = Buffer.from(this.cdfs!.buf).toString("utf8");
    const activeDump = text === "" ? [] : text.split("\n");
    const { adl, sdl } = diffLists(activeDump, this.image.dump);
    let verdict: "none" | "compatible" | "incompatible" = "none";
    let reasons: string[] = [];
    try {
      this.pair = this.registry.pair(this.activeVersion!, this.image.version);
      this.stages = new StageCache(this.pair.table, this.pair.standbyPath);
      if (this.pair.table === this.image && this.pair.direction === "upgrade") {
        const c = checkLists(this.pair, adl, sdl);
        verdict = c.compatible ? "compatible" : "incompatible";
        reasons = c.reasons;
      }
    } catch (e) {
      if (!(e instanceof UnknownVersionError)) throw e;
      verdict = "incompatible";
      reasons = [`active runs ${this.activeVersion}, unknown to ${this.image.version}`];
    }
    this.log("standby", `CDFS holds ${activeDump.length} commands of ${this.activeVersion}: ADL ${adl.length}, SDL ${sdl.length}${verdict !== "none" ? `; verdict ${verdict}` : ""}`);
    this.send({ type: "diff", version: this.image.version, adl, sdl, verdict, reasons });
  }

  private onConfigBegin(m: Extract<Message, { type: "config-begin" }>): void {
    if (this.state !== "negotiating" || !this.pair) return this.abort(`CONFIG_BEGIN in state ${this.state}`);
    if (m.bytes > MAX_RCSF_BYTES) return this.abort(`a running config of ${m.bytes} bytes exceeds the ${MAX_RCSF_BYTES}-byte RCSF`);
    this.rcsf = { buf: new Uint8Array(m.bytes), fill: 0, digest: m.digest, lines: m.lines };
    this.state = "receiving";
    this.log("standby", `RCSF allocated for ${m.lines} lines, ${m.bytes} bytes`);
    if (m.bytes === 0) this.onConfigComplete();
  }

  /** Applies the RCSF line by line: parse (wire version), upgrade step by step, parse again
   * (own version), apply; a PRC for each line. */
  private onConfigComplete(): void {
    const pair = this.pair!;
    const wire = pair.wire.grammar;
    const lines = Buffer.from(this.rcsf!.buf).toString("utf8").split("\n").filter((l) => l !== "");
    if (lines.length !== this.rcsf!.lines) return this.abort(`RCSF has ${lines.length} lines, ${this.rcsf!.lines} announced`);
    const received = new RunningConfig(wire);
    this.prcs = [];
    const parsed: { n: number; cmd: Command }[] = [];
    lines.forEach((text, i) => {
      const p = wire.parse(text);
      if (!p.ok) return this.prcs.push({ line: i + 1, prc: prcOfParse(p.failure), text, detail: p.error });
      received.apply(p.cmd);
      parsed.push({ n: i + 1, cmd: p.cmd });
    });
    const events: RemoteEvent[] = [];
    let running = new RunningConfig(this.image.grammar);
    const ctxAt = (v: string) => ({ before: this.stages!.at(received, v), after: this.stages!.at(received, v) });
    const kinds = new Map<string, number>();
    for (const { n, cmd } of parsed) {
      const r = this.applyOne(cmd, ctxAt, running, `RCSF line ${n}`, events, false);
      kinds.set(r.fate, (kinds.get(r.fate) ?? 0) + 1);
      running = r.running;
      this.prcs.push({ line: n, prc: r.prc, text: cmd.text, detail: r.detail });
    }
    this.received = received;
    this.running = running;
    this.state = "hot";
    const bad = this.prcs.filter((p) => p.prc !== PRC_OK).length;
    const what = [...kinds].map(([k, v]) => `${v} ${k}`).join(", ");
    this.log("standby", `applied ${parsed.length} lines (${what}; ${bad} with a PRC other than ok); running config ${running.size} lines`);
    this.sendVerify(this.prcs, events);
  }

  /** One wire-version command → own version → applied to a copy of `running`. */
  private applyOne(
    cmd: Command,
    ctxAt: Parameters<typeof route>[3],
    running: RunningConfig,
    where: string,
    events: RemoteEvent[],
    removeStale: boolean,
  ): { running: RunningConfig; prc: number; fate: FateKind; detail: string; applied: string[] } {
    const pair = this.pair!;
    const fate = route(pair.table, pair.standbyPath, cmd, ctxAt, { removeStale });
    if (fate.kind === "policy") {
      events.push({ where, id: fate.id, text: cmd.text, action: fate.action, cause: fate.cause, reason: fate.reason });
    }
    const next = running.clone();
    const applied: string[] = [];
    for (const l of fateLines(fate)) {
      const p = this.image.grammar.parse(l);
      if (!p.ok) return { running, prc: PRC_TRANSFORM_ERROR, fate: "rejected", detail: `"${l}": ${p.error}`, applied: [] };
      next.apply(p.cmd);
      applied.push(p.cmd.text);
    }
    if (fate.kind === "policy") return { running: next, prc: PRC_REFUSED, fate: "policy", detail: fate.reason, applied };
    const detail = fate.kind === "transformed" ? `upgraded: ${fate.trace.map((t) => `${t.from}→${t.to}`).join(", ")}` : fate.kind === "dcl" ? "don't care" : "";
    return { running: next, prc: PRC_OK, fate: fate.kind, detail, applied };
  }

  private onCmd(m: Extract<Message, { type: "cmd" }>): void {
    if (this.state !== "hot" || !this.received) return this.abort(`CMD in state ${this.state}`);
    if (m.id <= this.lastCmdId) {
      this.duplicateCommands++;
      return;
    }
    this.lastCmdId = m.id;
    const wire = this.pair!.wire.grammar;
    const cmds: Command[] = [];
    for (const l of m.lines) {
      const p = wire.parse(l);
      if (!p.ok) {
        // All of a command or none of it: one bad line rejects the lot.
        this.send({ type: "cmd-ack", id: m.id, prc: prcOfParse(p.failure), fate: "rejected", detail: `"${l}": ${p.error}`, applied: [], events: [] });
        return;
      }
      cmds.push(p.cmd);
    }
    let received = this.received;
    let running = this.running;
    const events: RemoteEvent[] = [];
    const applied: string[] = [];
    let prc = PRC_OK;
    let detail = "";
    const kinds = new Set<FateKind>();
    for (const cmd of cmds) {
      const before = received;
      const after = received.clone();
      after.apply(cmd);
      const r = this.applyOne(cmd, this.stages!.contexts(before, after), running, `command ${m.id}`, events, true);
      if (r.prc === PRC_TRANSFORM_ERROR) {
        this.send({ type: "cmd-ack", id: m.id, prc: r.prc, fate: "rejected", detail: r.detail, applied: [], events });
        return;
      }
      if (r.prc !== PRC_OK) {
        prc = r.prc;
        detail = r.detail;
      }
      kinds.add(r.fate);
      received = after;
      running = r.running;
      applied.push(...r.applied);
    }
    this.received = received;
    this.running = running;
    this.appliedIds.push(m.id);
    // One kind for the command: the worst of its lines.
    const fate = (["policy", "transformed", "dcl", "unchanged"] as FateKind[]).find((k) => kinds.has(k)) ?? "noop";
    this.send({ type: "cmd-ack", id: m.id, prc, fate, detail, applied, events });
  }

  private summary(c: RunningConfig): ConfigSummary {
    return { lines: c.size, digest: c.digest() };
  }

  private sendVerify(prcs: PrcRecord[], events: RemoteEvent[]): void {
    if (!this.received || !this.pair) return this.abort("VERIFY_REQ before any config");
    let selfCheck: SelfCheck = "none";
    if (this.pair.table === this.image && this.pair.direction === "upgrade") {
      // This unit holds the table: the whole received config, converted in one go, must
      // be what the line-by-line application built.
      const expected = convert(this.pair.table, this.pair.standbyPath, this.received).config;
      selfCheck = expected.digest() === this.running.digest() ? "match" : "mismatch";
    }
    this.send({ type: "verify", received: this.summary(this.received), running: this.summary(this.running), selfCheck, prcs, events });
  }

  /** Reset by the active's policy: config discarded, held until an operator intervenes. */
  private reset(): void {
    this.state = "reset";
    this.running = new RunningConfig(this.image.grammar);
    this.received = undefined;
    this.log("standby", "reset by the active's policy: configuration discarded, non-redundant");
  }
}
