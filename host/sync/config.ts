// A running configuration: one command per slot (grammar.ts), listed in a canonical order so
// that two configs with the same content print, compare and digest the same however their
// lines arrived (bulk or one by one, in any order).

import { createHash } from "crypto";
import { Command, Grammar } from "./grammar";

/** What transforms may read: a configuration at one version. */
export interface ConfigView {
  readonly version: string;
  get(slot: string): Command | undefined;
  /** Every command of this spec id, in listing order. */
  find(id: string): Command[];
  /** The single command of this id (singletons: timers, peer...). */
  one(id: string): Command | undefined;
}

export class RunningConfig implements ConfigView {
  private slots = new Map<string, Command>();
  // The listing order, computed on demand and dropped on every change.
  private sorted: Command[] | undefined;

  constructor(readonly grammar: Grammar) {}

  get version(): string {
    return this.grammar.version;
  }

  get size(): number {
    return this.slots.size;
  }

  /** Applies one command: fills (replacing) or empties its slot. Returns what was there. */
  apply(cmd: Command): { changed: boolean; previous?: Command } {
    if (cmd.spec.version !== this.version) throw new Error(`a ${cmd.spec.version} command applied to a ${this.version} config`);
    const previous = this.slots.get(cmd.slot);
    if (cmd.negated) {
      if (previous) this.sorted = undefined;
      this.slots.delete(cmd.slot);
      return { changed: previous !== undefined, previous };
    }
    if (previous !== cmd) this.sorted = undefined;
    this.slots.set(cmd.slot, cmd);
    return { changed: previous?.text !== cmd.text, previous };
  }

  get(slot: string): Command | undefined {
    return this.slots.get(slot);
  }

  find(id: string): Command[] {
    return this.commands().filter((c) => c.spec.id === id);
  }

  one(id: string): Command | undefined {
    return this.find(id)[0];
  }

  /** In listing order. The array is shared: do not modify it. */
  commands(): Command[] {
    this.sorted ??= [...this.slots.values()].sort((a, b) => this.grammar.rankOf(a.spec) - this.grammar.rankOf(b.spec) || naturalCompare(a.slot, b.slot));
    return this.sorted;
  }

  lines(): string[] {
    return this.commands().map((c) => c.text);
  }

  text(): string {
    return this.lines().map((l) => `${l}\n`).join("");
  }

  /** SHA-256 of text(): what the final verification compares. */
  digest(): string {
    return createHash("sha256").update(this.text()).digest("hex");
  }

  clone(): RunningConfig {
    const c = new RunningConfig(this.grammar);
    c.slots = new Map(this.slots);
    c.sorted = this.sorted;
    return c;
  }

  /** A config from lines that must all parse (transform output, test fixtures). */
  static of(grammar: Grammar, lines: Iterable<string>): RunningConfig {
    const c = new RunningConfig(grammar);
    for (const l of lines) {
      const r = grammar.parse(l);
      if (!r.ok) throw new Error(`${grammar.version}: "${l}": ${r.error}`);
      c.apply(r.cmd);
    }
    return c;
  }
}

const runsMemo = new Map<string, string[]>();
function runs(s: string): string[] {
  let r = runsMemo.get(s);
  if (!r) {
    if (runsMemo.size >= 100_000) runsMemo.clear();
    r = s.match(/\d+|\D+/g) ?? [];
    runsMemo.set(s, r);
  }
  return r;
}

/** "eth2" < "eth10", "192.0.2.9" < "192.0.2.10": digit runs compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  const ra = runs(a);
  const rb = runs(b);
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i];
    const y = rb[i];
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length;
}

export interface ConfigLine {
  /** 1-based line number in the file. */
  lineNo: number;
  raw: string;
  cmd: Command;
}

export interface ConfigLineError {
  lineNo: number;
  raw: string;
  error: string;
}

/** A configuration file: one command per line; blank lines and lines starting with "!" or
 * "#" are comments. Every bad line is reported with its number; none is dropped silently. */
export function parseConfigText(grammar: Grammar, text: string): { lines: ConfigLine[]; errors: ConfigLineError[] } {
  const lines: ConfigLine[] = [];
  const errors: ConfigLineError[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t === "" || t.startsWith("!") || t.startsWith("#")) return;
    const r = grammar.parse(t);
    if (r.ok) lines.push({ lineNo: i + 1, raw: t, cmd: r.cmd });
    else errors.push({ lineNo: i + 1, raw: t, error: r.error });
  });
  return { lines, errors };
}
