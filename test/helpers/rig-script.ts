// Scripts for the QEMU rig's guest harness (scripts/qemu-rig/guest/harness.c), one command
// per line; docs/qemu-rig.md lists the commands. Every command's record carries its line
// number, which each builder method returns, so a test finds the answer to a command without
// counting records.

import type { RigRecord } from "./qemu";

export class RigScript {
  private readonly lines: string[] = [];

  private add(...words: (string | number)[]): number {
    this.lines.push(words.map((w) => (typeof w === "number" ? `0x${(w >>> 0).toString(16)}` : w)).join(" "));
    return this.lines.length;
  }

  /** Calls a core export once. */
  call(fn: string, ...args: number[]): number {
    return this.add("call", fn, ...args);
  }

  /** Calls a core step export, performing its register operations, until it stops answering STEP_IO. */
  step(fn: string, ...args: number[]): number {
    return this.add("step", fn, ...args);
  }

  /** Reads a BAR0 register directly (the harness, not the core). */
  rd(offset: number): number {
    return this.add("rd", offset);
  }

  /** Writes a BAR0 register directly (the harness, not the core). */
  wr(offset: number, value: number): number {
    return this.add("wr", offset, value);
  }

  /** Writes a 32-bit word into the core's memory behind its back (a crashed driver's leftovers). */
  mw32(addr: number, value: number): number {
    return this.add("mw32", addr, value);
  }

  /** Writes bytes into the core's memory (arguments the host hands the core). */
  mwb(addr: number, bytes: Uint8Array): number {
    return this.add("mwb", addr, Buffer.from(bytes).toString("hex"));
  }

  /** Dumps core memory as hex (at most 4096 bytes). */
  dump(addr: number, len: number): number {
    return this.add("dump", addr, len);
  }

  /** Polls a register until (value & mask) == want, or ms pass. */
  waitrd(offset: number, mask: number, want: number, ms: number): number {
    return this.add("waitrd", offset, mask, want, ms);
  }

  sleep(ms: number): number {
    return this.add("sleep", ms);
  }

  /** A record the test reacts to while the guest runs (e.g. inject frames). */
  mark(text: string): number {
    if (!/^[A-Za-z0-9_.-]+$/.test(text)) throw new Error(`mark text must be one plain word: ${text}`);
    return this.add("mark", text);
  }

  /** Prints every register operation the harness performs for the core. */
  trace(on: boolean): number {
    return this.add("trace", on ? 1 : 0);
  }

  text(): string {
    return this.lines.join("\n") + "\n";
  }
}

/** The record answering script line `line` (not the regop trace lines it may also have). */
export function answer(records: RigRecord[], line: number): RigRecord {
  const r = records.find((x) => x.line === line && x.op !== "regop");
  if (!r) throw new Error(`no record for script line ${line}`);
  if (r.error) throw new Error(`script line ${line} (${r.op}): ${r.error}`);
  return r;
}

/** The value a `rd` line read, as an unsigned 32-bit number. */
export function readValue(records: RigRecord[], line: number): number {
  return Number(answer(records, line).val) >>> 0;
}

/** The bytes a `dump` line printed. */
export function dumped(records: RigRecord[], line: number): Uint8Array {
  return Uint8Array.from(Buffer.from(String(answer(records, line).hex), "hex"));
}
