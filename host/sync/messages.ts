// Sync protocol messages: what the active and standby say to each other, as bytes carried by
// the reliable channel (reliable.ts). One type byte, then the fields in order. Integers are
// big-endian; a string is u16 length + UTF-8; a list is u16 count + items; a digest is 32
// bytes (SHA-256 of a config's canonical text). decodeMessage never throws.
//
// Bulk sync (docs/config-sync.md):
//   A→S DUMP_BEGIN   active version, CLI dump entries and bytes, digest  (S allocates the CDFS)
//   A→S DUMP_DATA*   the dump text, in chunks, into the CDFS
//   S→A DIFF         standby version, ADL, SDL; the verdict if the standby holds the table
//   A→S COMPAT       the verdict and the mode that follows; stop here when incompatible
//   A→S CONFIG_BEGIN lines, bytes and digest of the transformed running config (S allocates the RCSF)
//   A→S CONFIG_DATA* the running config, in chunks, into the RCSF
//   S→A VERIFY       what the standby received and runs (digests), its PRCs and policy events
//   A→S RESULT       final mode and whether the configs are in sync
// Line by line: A→S CMD, S→A CMD_ACK; A→S VERIFY_REQ, S→A VERIFY at any time.
// Either side: ABORT with a reason (a size it will not allocate, a protocol error).

import { Mode, MODES } from "./policy";
import { POLICY_ACTIONS, PolicyAction } from "./tft";

export const MSG_DUMP_BEGIN = 1;
export const MSG_DUMP_DATA = 2;
export const MSG_DIFF = 3;
export const MSG_COMPAT = 4;
export const MSG_CONFIG_BEGIN = 5;
export const MSG_CONFIG_DATA = 6;
export const MSG_VERIFY = 7;
export const MSG_RESULT = 8;
export const MSG_CMD = 9;
export const MSG_CMD_ACK = 10;
export const MSG_VERIFY_REQ = 11;
export const MSG_ABORT = 12;

export const DIGEST_LEN = 32;

export interface PrcRecord {
  /** Line number in the RCSF (bulk) or 0 (a CMD). */
  line: number;
  prc: number;
  text: string;
  detail: string;
}

/** A policy event decided on the standby (its upgrade transform refused a line). */
export interface RemoteEvent {
  where: string;
  /** The command id where it stopped (policy overrides are by id). */
  id: string;
  text: string;
  action: PolicyAction;
  cause: string;
  reason: string;
}

export interface ConfigSummary {
  lines: number;
  digest: string;
}

export type Verdict = "none" | "compatible" | "incompatible";
/** What the standby's own walk (upgrades) made of a command: engine.ts Fate kinds. */
export const FATE_KINDS = ["unchanged", "transformed", "dcl", "policy", "noop", "rejected"] as const;
export type FateKind = (typeof FATE_KINDS)[number];
export type SelfCheck = "none" | "match" | "mismatch";

export type Message =
  | { type: "dump-begin"; version: string; entries: number; bytes: number; digest: string }
  | { type: "dump-data"; offset: number; data: Uint8Array }
  | { type: "diff"; version: string; adl: string[]; sdl: string[]; verdict: Verdict; reasons: string[] }
  | { type: "compat"; compatible: boolean; mode: Mode; reasons: string[] }
  | { type: "config-begin"; lines: number; bytes: number; digest: string }
  | { type: "config-data"; offset: number; data: Uint8Array }
  | { type: "verify"; received: ConfigSummary; running: ConfigSummary; selfCheck: SelfCheck; prcs: PrcRecord[]; events: RemoteEvent[] }
  | { type: "result"; mode: Mode; inSync: boolean; reasons: string[] }
  | { type: "cmd"; id: number; source: string; lines: string[] }
  | { type: "cmd-ack"; id: number; prc: number; fate: FateKind; detail: string; applied: string[]; events: RemoteEvent[] }
  | { type: "verify-req"; expected: ConfigSummary }
  | { type: "abort"; reason: string };

const VERDICTS: Verdict[] = ["none", "compatible", "incompatible"];
const SELF_CHECKS: SelfCheck[] = ["none", "match", "mismatch"];
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

class Writer {
  private parts: number[] = [];
  u8(v: number) {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number) {
    if (v < 0 || v > 0xffff) throw new RangeError(`${v} does not fit 16 bits`);
    return this.u8(v >> 8).u8(v);
  }
  u32(v: number) {
    if (v < 0 || v > 0xffffffff) throw new RangeError(`${v} does not fit 32 bits`);
    return this.u16(Math.floor(v / 0x10000)).u16(v & 0xffff);
  }
  bytes(b: Uint8Array) {
    for (const x of b) this.parts.push(x);
    return this;
  }
  blob(b: Uint8Array) {
    return this.u32(b.length).bytes(b);
  }
  str(s: string) {
    const b = enc.encode(s);
    return this.u16(b.length).bytes(b);
  }
  list<T>(xs: T[], item: (x: T) => void) {
    this.u16(xs.length);
    xs.forEach(item);
    return this;
  }
  digest(hex: string) {
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new RangeError(`digest "${hex}" is not 32 bytes of hex`);
    return this.bytes(Uint8Array.from(Buffer.from(hex, "hex")));
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

class MessageError extends Error {}

class Reader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  private need(n: number) {
    if (this.at + n > this.b.length) throw new MessageError(`truncated at byte ${this.at} (need ${n} more)`);
  }
  u8() {
    this.need(1);
    return this.b[this.at++];
  }
  u16() {
    return (this.u8() << 8) | this.u8();
  }
  u32() {
    return this.u16() * 0x10000 + this.u16();
  }
  bytes(n: number) {
    this.need(n);
    const out = this.b.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  blob() {
    return this.bytes(this.u32());
  }
  str() {
    const b = this.bytes(this.u16());
    try {
      return dec.decode(b);
    } catch {
      throw new MessageError("string is not UTF-8");
    }
  }
  list<T>(item: () => T): T[] {
    const n = this.u16();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  }
  digest() {
    return Buffer.from(this.bytes(DIGEST_LEN)).toString("hex");
  }
  pick<T>(xs: readonly T[], what: string): T {
    const i = this.u8();
    if (i >= xs.length) throw new MessageError(`${what} ${i} out of range`);
    return xs[i];
  }
  end() {
    if (this.at !== this.b.length) throw new MessageError(`${this.b.length - this.at} trailing bytes`);
  }
}

const ACTIONS = POLICY_ACTIONS;

function writeEvents(w: Writer, events: RemoteEvent[]) {
  w.list(events, (e) => w.str(e.where).str(e.id).str(e.text).u8(ACTIONS.indexOf(e.action)).str(e.cause).str(e.reason));
}

function readEvents(r: Reader): RemoteEvent[] {
  return r.list(() => ({ where: r.str(), id: r.str(), text: r.str(), action: r.pick(ACTIONS, "action"), cause: r.str(), reason: r.str() }));
}

export function encodeMessage(m: Message): Uint8Array {
  const w = new Writer();
  switch (m.type) {
    case "dump-begin":
      return w.u8(MSG_DUMP_BEGIN).str(m.version).u32(m.entries).u32(m.bytes).digest(m.digest).done();
    case "dump-data":
      return w.u8(MSG_DUMP_DATA).u32(m.offset).blob(m.data).done();
    case "diff":
      w.u8(MSG_DIFF).str(m.version);
      w.list(m.adl, (s) => w.str(s)).list(m.sdl, (s) => w.str(s)).u8(VERDICTS.indexOf(m.verdict));
      return w.list(m.reasons, (s) => w.str(s)).done();
    case "compat":
      return w.u8(MSG_COMPAT).u8(m.compatible ? 1 : 0).u8(MODES.indexOf(m.mode)).list(m.reasons, (s) => w.str(s)).done();
    case "config-begin":
      return w.u8(MSG_CONFIG_BEGIN).u32(m.lines).u32(m.bytes).digest(m.digest).done();
    case "config-data":
      return w.u8(MSG_CONFIG_DATA).u32(m.offset).blob(m.data).done();
    case "verify":
      w.u8(MSG_VERIFY).u32(m.received.lines).digest(m.received.digest).u32(m.running.lines).digest(m.running.digest);
      w.u8(SELF_CHECKS.indexOf(m.selfCheck));
      w.list(m.prcs, (p) => w.u32(p.line).u8(p.prc).str(p.text).str(p.detail));
      writeEvents(w, m.events);
      return w.done();
    case "result":
      return w.u8(MSG_RESULT).u8(MODES.indexOf(m.mode)).u8(m.inSync ? 1 : 0).list(m.reasons, (s) => w.str(s)).done();
    case "cmd":
      return w.u8(MSG_CMD).u32(m.id).str(m.source).list(m.lines, (s) => w.str(s)).done();
    case "cmd-ack":
      w.u8(MSG_CMD_ACK).u32(m.id).u8(m.prc).u8(FATE_KINDS.indexOf(m.fate)).str(m.detail).list(m.applied, (s) => w.str(s));
      writeEvents(w, m.events);
      return w.done();
    case "verify-req":
      return w.u8(MSG_VERIFY_REQ).u32(m.expected.lines).digest(m.expected.digest).done();
    case "abort":
      return w.u8(MSG_ABORT).str(m.reason).done();
  }
}

export type Decoded = { ok: true; msg: Message } | { ok: false; error: string };

export function decodeMessage(b: Uint8Array): Decoded {
  const r = new Reader(b);
  try {
    const msg = read(r);
    r.end();
    return { ok: true, msg };
  } catch (e) {
    if (e instanceof MessageError) return { ok: false, error: e.message };
    throw e;
  }
}

function read(r: Reader): Message {
  const type = r.u8();
  const flag = () => {
    const v = r.u8();
    if (v > 1) throw new MessageError(`flag ${v}`);
    return v === 1;
  };
  switch (type) {
    case MSG_DUMP_BEGIN:
      return { type: "dump-begin", version: r.str(), entries: r.u32(), bytes: r.u32(), digest: r.digest() };
    case MSG_DUMP_DATA:
      return { type: "dump-data", offset: r.u32(), data: r.blob() };
    case MSG_DIFF:
      return { type: "diff", version: r.str(), adl: r.list(() => r.str()), sdl: r.list(() => r.str()), verdict: r.pick(VERDICTS, "verdict"), reasons: r.list(() => r.str()) };
    case MSG_COMPAT:
      return { type: "compat", compatible: flag(), mode: r.pick(MODES, "mode"), reasons: r.list(() => r.str()) };
    case MSG_CONFIG_BEGIN:
      return { type: "config-begin", lines: r.u32(), bytes: r.u32(), digest: r.digest() };
    case MSG_CONFIG_DATA:
      return { type: "config-data", offset: r.u32(), data: r.blob() };
    case MSG_VERIFY:
      return {
        type: "verify",
        received: { lines: r.u32(), digest: r.digest() },
        running: { lines: r.u32(), digest: r.digest() },
        selfCheck: r.pick(SELF_CHECKS, "self-check"),
        prcs: r.list(() => ({ line: r.u32(), prc: r.u8(), text: r.str(), detail: r.str() })),
        events: readEvents(r),
      };
    case MSG_RESULT:
      return { type: "result", mode: r.pick(MODES, "mode"), inSync: flag(), reasons: r.list(() => r.str()) };
    case MSG_CMD:
      return { type: "cmd", id: r.u32(), source: r.str(), lines: r.list(() => r.str()) };
    case MSG_CMD_ACK:
      return { type: "cmd-ack", id: r.u32(), prc: r.u8(), fate: r.pick(FATE_KINDS, "fate"), detail: r.str(), applied: r.list(() => r.str()), events: readEvents(r) };
    case MSG_VERIFY_REQ:
      return { type: "verify-req", expected: { lines: r.u32(), digest: r.digest() } };
    case MSG_ABORT:
      return { type: "abort", reason: r.str() };
    default:
      throw new MessageError(`unknown message type ${type}`);
  }
}
