// The command grammar of one image version: patterns with typed arguments, a parser that
// turns a configuration line into a Command (or says which word is wrong and why), and the
// "CLI dump": every command the image accepts, one signature per command, sorted, no
// duplicates. Comparing two dumps is how the units learn which commands differ (diff.ts).
//
// Every configuration command is one self-contained line (modes are flattened into the line,
// all modes under one "global config"):
// "interface eth0 mtu 1500", not "interface eth0" then " mtu 1500".
//
// Pattern syntax: words are keywords; {name:type} is an argument (argtypes.ts), e.g.
//   "interface {if:ifname} mtu {mtu:int(1280..9216)}"
// A command's key is its first `key` tokens (default: all of them). Lines with the same key
// text fill the same slot of the running config, so a new value replaces the old one, and
// "no <key>" removes it: "no interface eth0 mtu". Patterns that share their key tokens
// share slots (two forms of one ACL entry).

import { ArgType, TypeSpecError, argType } from "./argtypes";

export interface CommandDef {
  /** Stable name within the image ("failover.heartbeat"); transforms refer to it. */
  id: string;
  pattern: string;
  /** How many leading tokens form the slot key; default: the whole command (a set member). */
  key?: number;
}

export type Token = { kind: "kw"; word: string } | { kind: "arg"; name: string; type: ArgType };

export class CommandSpec {
  readonly tokens: Token[];
  readonly keyLen: number;
  /** The CLI dump entry: keywords and argument signatures, names dropped. */
  readonly sig: string;
  /** The signature of the key tokens: patterns with equal keySig share slots. */
  readonly keySig: string;

  constructor(
    readonly version: string,
    readonly def: CommandDef,
    /** Declaration order in the image: the running config is listed in this order. */
    readonly index: number,
  ) {
    this.tokens = def.pattern.split(/\s+/).map((t) => parseToken(def, t));
    this.keyLen = def.key ?? this.tokens.length;
    const names = this.tokens.filter((t) => t.kind === "arg").map((t) => (t as { name: string }).name);
    const where = `${version} ${def.id}`;
    if (this.keyLen < 1 || this.keyLen > this.tokens.length) throw new TypeSpecError(`${where}: key ${this.keyLen} outside the pattern`);
    if (new Set(names).size !== names.length) throw new TypeSpecError(`${where}: argument names repeat`);
    this.tokens.forEach((t, i) => {
      if (t.kind === "arg" && t.type.restOfLine && (i !== this.tokens.length - 1 || i < this.keyLen)) {
        throw new TypeSpecError(`${where}: a text argument must come last, outside the key`);
      }
    });
    if (this.tokens[0].kind !== "kw" || this.tokens[0].word === "no") throw new TypeSpecError(`${where}: must start with a keyword other than "no"`);
    const sigOf = (t: Token) => (t.kind === "kw" ? t.word : t.type.sig);
    this.sig = this.tokens.map(sigOf).join(" ");
    this.keySig = this.tokens.slice(0, this.keyLen).map(sigOf).join(" ");
  }

  get id(): string {
    return this.def.id;
  }

  get first(): string {
    return (this.tokens[0] as { word: string }).word;
  }

  /** Canonical text for these arguments; negated: "no" and the key tokens only. */
  render(args: Record<string, string>, negated = false): string {
    const toks = negated ? this.tokens.slice(0, this.keyLen) : this.tokens;
    const words = toks.map((t) => {
      if (t.kind === "kw") return t.word;
      const v = args[t.name];
      if (v === undefined) throw new Error(`${this.version} ${this.id}: argument ${t.name} missing`);
      return v;
    });
    return (negated ? "no " : "") + words.join(" ");
  }

  slotOf(args: Record<string, string>): string {
    return this.render(args, true).slice(3);
  }
}

function parseToken(def: CommandDef, t: string): Token {
  const m = /^\{([a-z][a-z0-9]*):(.+)\}$/.exec(t);
  if (!m) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(t)) throw new TypeSpecError(`${def.id}: bad keyword "${t}"`);
    return { kind: "kw", word: t };
  }
  return { kind: "arg", name: m[1], type: argType(m[2]) };
}

/** One parsed configuration line. */
export interface Command {
  spec: CommandSpec;
  /** Canonical argument text by name; for a negated command, the key arguments only. */
  args: Record<string, string>;
  negated: boolean;
  /** Canonical line: what is stored, compared and sent. */
  text: string;
  /** The running-config slot this line fills or (negated) empties. */
  slot: string;
}

/** Why a line does not parse: an unknown first word, a bad argument value, or words that fit
 * no pattern (missing, extra, wrong keyword, ambiguous). The standby's PRC follows it. */
export type ParseFailure = "unknown" | "value" | "syntax";

export type ParseResult = { ok: true; cmd: Command } | { ok: false; error: string; failure: ParseFailure };

// How far a pattern matched a line, for the error message when nothing matches.
interface Attempt {
  spec: CommandSpec;
  at: number;
  kind: "keyword" | "value" | "short" | "long";
  why?: string;
}

export class Grammar {
  readonly specs: CommandSpec[];
  private readonly byId = new Map<string, CommandSpec>();
  private readonly byFirst = new Map<string, CommandSpec[]>();
  private readonly bySig = new Map<string, CommandSpec>();
  private readonly firstRank = new Map<string, number>();
  /** The CLI dump: every command signature, sorted, no duplicates. */
  readonly dump: readonly string[];

  constructor(
    readonly version: string,
    defs: CommandDef[],
  ) {
    this.specs = defs.map((d, i) => new CommandSpec(version, d, i));
    for (const s of this.specs) {
      if (this.byId.has(s.id)) throw new TypeSpecError(`${version}: command id ${s.id} declared twice`);
      this.byId.set(s.id, s);
      if (!this.bySig.has(s.sig)) this.bySig.set(s.sig, s);
      if (!this.byFirst.has(s.first)) {
        this.byFirst.set(s.first, []);
        this.firstRank.set(s.first, this.firstRank.size);
      }
      this.byFirst.get(s.first)!.push(s);
    }
    this.dump = [...this.bySig.keys()].sort();
  }

  spec(id: string): CommandSpec {
    const s = this.byId.get(id);
    if (!s) throw new Error(`image ${this.version} has no command ${id}`);
    return s;
  }

  hasId(id: string): boolean {
    return this.byId.has(id);
  }

  /** The command a dump entry names (the first declared, if several share a signature). */
  specBySig(sig: string): CommandSpec | undefined {
    return this.bySig.get(sig);
  }

  has(sig: string): boolean {
    return this.bySig.has(sig);
  }

  /** Listing order of a slot: by the command's first keyword as the image declares them. */
  rankOf(spec: CommandSpec): number {
    return this.firstRank.get(spec.first)!;
  }

  // Parses are memoised by text: conversions parse the same lines again and again, and a
  // Command is immutable (frozen), so sharing one is safe.
  private memo = new Map<string, ParseResult>();

  /** Parses one line (no comments, no line number: config.ts handles files). */
  parse(line: string): ParseResult {
    let r = this.memo.get(line);
    if (!r) {
      if (this.memo.size >= 100_000) this.memo.clear();
      r = this.parseUncached(line);
      if (r.ok) Object.freeze(r.cmd.args), Object.freeze(r.cmd);
      this.memo.set(line, r);
    }
    return r;
  }

  private parseUncached(line: string): ParseResult {
    const words = line.trim().split(/\s+/).filter((w) => w.length > 0);
    if (words.length === 0) return { ok: false, error: "empty line", failure: "syntax" };
    const negated = words[0] === "no";
    const toks = negated ? words.slice(1) : words;
    if (toks.length === 0) return { ok: false, error: `"no" needs a command`, failure: "syntax" };
    const candidates = this.byFirst.get(toks[0]);
    if (!candidates) return { ok: false, error: `unknown command "${toks[0]}" (not in image ${this.version})`, failure: "unknown" };

    const full: { spec: CommandSpec; args: Record<string, string> }[] = [];
    const attempts: Attempt[] = [];
    for (const spec of candidates) {
      const r = match(spec, spec.tokens, toks);
      if ("args" in r) full.push({ spec, args: r.args });
      else attempts.push(r);
      if (negated && toks.length === spec.keyLen) {
        const k = match(spec, spec.tokens.slice(0, spec.keyLen), toks);
        if ("args" in k) full.push({ spec, args: k.args });
      }
    }
    if (full.length === 0) return { ok: false, ...describe(attempts, toks, negated) };
    // Prefer the pattern with the most keywords (the most specific one).
    const kw = (s: CommandSpec) => s.tokens.filter((t) => t.kind === "kw").length;
    full.sort((a, b) => kw(b.spec) - kw(a.spec) || a.spec.index - b.spec.index);
    const best = full[0];
    if (!negated && full.length > 1 && kw(full[1].spec) === kw(best.spec)) {
      return { ok: false, error: `ambiguous: matches both ${best.spec.id} and ${full[1].spec.id} in image ${this.version}`, failure: "syntax" };
    }
    const spec = best.spec;
    const keyArgs: Record<string, string> = {};
    spec.tokens.slice(0, spec.keyLen).forEach((t) => {
      if (t.kind === "arg") keyArgs[t.name] = best.args[t.name];
    });
    const args = negated ? keyArgs : best.args;
    return { ok: true, cmd: { spec, args, negated, text: spec.render(args, negated), slot: spec.slotOf(keyArgs) } };
  }

  /** A command from a spec id and arguments (what transforms produce), parsed back so that
   * the result is exactly what the parser would make of its text. */
  make(id: string, args: Record<string, string | number>, negated = false): Command {
    const spec = this.spec(id);
    const text = spec.render(Object.fromEntries(Object.entries(args).map(([k, v]) => [k, String(v)])), negated);
    const r = this.parse(text);
    if (!r.ok) throw new Error(`${this.version} ${id}: "${text}" does not parse: ${r.error}`);
    // A removal names a slot; patterns sharing their key tokens share it, so any of them will do.
    const same = negated ? r.cmd.slot === spec.slotOf(r.cmd.args) : r.cmd.spec.id === id;
    if (!same) throw new Error(`${this.version}: "${text}" parses as ${r.cmd.spec.id}, not ${id}`);
    return r.cmd;
  }
}

function match(spec: CommandSpec, tokens: Token[], toks: string[]): Attempt | { args: Record<string, string> } {
  const args: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (i >= toks.length) return { spec, at: i, kind: "short" };
    if (t.kind === "kw") {
      if (toks[i] !== t.word) return { spec, at: i, kind: "keyword" };
      continue;
    }
    const word = t.type.restOfLine ? toks.slice(i).join(" ") : toks[i];
    const c = t.type.check(word);
    if (!c.ok) return { spec, at: i, kind: "value", why: `${t.name}: ${c.why}` };
    args[t.name] = c.canon;
    if (t.type.restOfLine) return { args };
  }
  if (toks.length > tokens.length) return { spec, at: tokens.length, kind: "long" };
  return { args };
}

/** The message for a line no pattern accepts: from the pattern that got furthest. */
function describe(attempts: Attempt[], toks: string[], negated: boolean): { error: string; failure: ParseFailure } {
  const order = { value: 3, long: 2, short: 1, keyword: 0 };
  attempts.sort((a, b) => b.at - a.at || order[b.kind] - order[a.kind]);
  return { error: describeError(attempts, toks, negated), failure: attempts[0].kind === "value" ? "value" : "syntax" };
}

/** attempts: sorted, furthest first. */
function describeError(attempts: Attempt[], toks: string[], negated: boolean): string {
  const best = attempts[0];
  const before = (negated ? ["no"] : []).concat(toks.slice(0, best.at)).join(" ");
  switch (best.kind) {
    case "value":
      return best.why!;
    case "long":
      return `unexpected "${toks[best.at]}" after "${before}"`;
    case "short": {
      const next = [...new Set(attempts.filter((a) => a.at === best.at && a.kind === "short").map((a) => tokenSig(a.spec.tokens[a.at])))];
      return `incomplete command: expected ${next.join(" or ")} after "${before}"`;
    }
    case "keyword": {
      const next = [...new Set(attempts.filter((a) => a.at === best.at && a.kind === "keyword").map((a) => tokenSig(a.spec.tokens[a.at])))];
      return `"${toks[best.at]}" is not valid after "${before}" (expected ${next.join(" or ")})`;
    }
  }
}

function tokenSig(t: Token): string {
  return t.kind === "kw" ? t.word : t.type.sig;
}
