// One owner per descriptor ring (docs/rings.md "Queues"), checked in the source so it stays
// true: in assembly/ outside assembly/shared/, TDT is written by exactly one function
// (nic/txq.ts writeTdt) and RDT by exactly one (nic/rxq.ts writeRdt), and the ring cursors
// are read or written only inside the queue code (nic/txq.ts, nic/rxq.ts).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "assembly");
const QUEUES = ["nic/txq.ts", "nic/rxq.ts"];

function sources(dir = ROOT): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (path.relative(ROOT, p) !== "shared") out.push(...sources(p));
    } else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

const files = sources().map((p) => ({ rel: path.relative(ROOT, p).split(path.sep).join("/"), text: fs.readFileSync(p, "utf8") }));

const blank = (m: string) => m.replace(/[^\n]/g, " ");
/** Comments and imports out (lines kept): a name in prose or an import list is not a use. */
const code = (text: string) =>
  text.replace(/\/\*[\s\S]*?\*\//g, blank).replace(/\/\/.*$/gm, "").replace(/^import[\s\S]*?from\s+"[^"]+";/gm, blank);

/** The top-level function a position lies in ("" outside any). */
function enclosing(text: string, at: number): string {
  const before = text.slice(0, at);
  const m = [...before.matchAll(/^(?:export )?function (\w+)/gm)].pop();
  return m ? m[1] : "";
}

/** Every register write whose register names TDT or RDT: [file, function, register]. */
function tailWrites(): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const f of files) {
    const c = code(f.text);
    for (const m of c.matchAll(/opWrite\(([^;]*?)\);/g)) {
      const args = m[1];
      const reg = /\b(REG_TDT|REG_RDT|TXQ_OFF_TDT)\b/.exec(args);
      if (reg) out.push([f.rel, enclosing(c, m.index!), reg[1] === "REG_RDT" ? "RDT" : "TDT"]);
    }
  }
  return out;
}

test("TDT is written by exactly one function, RDT by exactly one", () => {
  const w = tailWrites();
  const by = (reg: string) => [...new Set(w.filter((x) => x[2] === reg).map((x) => `${x[0]} ${x[1]}`))];
  assert.equal(by("TDT"), ["nic/txq.ts writeTdt"]);
  assert.equal(by("RDT"), ["nic/rxq.ts writeRdt"]);
});

test("every other mention of TDT or RDT is a read, or a row of the register self-test's table", () => {
  const odd: string[] = [];
  for (const f of files) {
    const c = code(f.text);
    const lines = c.split("\n");
    // The register self-test's tables are data (memory.data rows): it writes test patterns to
    // every register of its table, TDT and RDT among them, before any queue exists.
    const tables = [...c.matchAll(/memory\.data<u32>\(\[[\s\S]*?\]\)/g)].map((m) => [m.index!, m.index! + m[0].length]);
    let offset = 0;
    lines.forEach((line, i) => {
      const at = offset;
      offset += line.length + 1;
      if (!/\b(REG_TDT|REG_RDT|TXQ_OFF_TDT)\b/.test(line)) return;
      if (/opRead\(/.test(line)) return;
      if (/opWrite\(/.test(line) && QUEUES.includes(f.rel) && /^function write(Tdt|Rdt)/.test(enclosingLine(c, at))) return;
      if (f.rel === "nic/regtest.ts" && tables.some(([a, b]) => at >= a && at < b)) return;
      odd.push(`${f.rel}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.equal(odd, []);
});

function enclosingLine(text: string, at: number): string {
  const name = enclosing(text, at);
  return name ? `function ${name}` : "";
}

test("ring cursors are read and written only inside the queue code", () => {
  const outside: string[] = [];
  for (const f of files) {
    if (QUEUES.includes(f.rel)) continue;
    const c = code(f.text);
    c.split("\n").forEach((line, i) => {
      if (/\b(useIndex|cleanIndex|tailWritten|headRead)\b/.test(line)) outside.push(`${f.rel}:${i + 1}: ${line.trim()}`);
      if (/\bSTATE_NIC_(TXQ|FAULTQ|RXQ|SLOT_BUFS)\b/.test(line) && !["layout.ts", "state.ts", "nic/bufs.ts"].includes(f.rel)) outside.push(`${f.rel}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.equal(outside, []);
  // The cursors are fields of the queue structs, declared in the queue files only.
  for (const [file, cls, fields] of [["nic/txq.ts", "TxQueue", ["useIndex", "cleanIndex", "tailWritten", "headRead"]], ["nic/rxq.ts", "RxQueue", ["cleanIndex", "tailWritten"]]] as const) {
    const text = files.find((f) => f.rel === file)!.text;
    const body = new RegExp(`class ${cls} \\{([\\s\\S]*?)\\n\\}`).exec(text);
    assert.ok(body, `${file} declares ${cls}`);
    for (const fld of fields) assert.ok(new RegExp(`\\b${fld}:`).test(body![1]), `${cls}.${fld}`);
  }
  assert.equal(files.filter((f) => /class (TxQueue|RxQueue)\b/.test(f.text)).map((f) => f.rel).sort(), QUEUES.slice().sort());
});

test("the packet engine and the fault entry go through the queues", () => {
  for (const rel of ["engine/poll.ts", "fault/entry.ts"]) {
    const c = code(files.find((f) => f.rel === rel)!.text);
    assert.not.match(c, /opWrite\(/, `${rel} writes no register itself`);
    assert.match(c, /txqKick\(/, `${rel} rings doorbells through txqKick`);
  }
});

test.run();
