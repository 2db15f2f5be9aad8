#!/usr/bin/env node
// Which core source files a path through the core can run: every function reachable by calls
// from the given entry functions (static, every branch), grouped by file. docs/paths.md
// reports these counts for the packet engine's round and the fault entry.
//
// usage: node scripts/path-files.js [--root DIR] FILE:FUNCTION... [--not FILE:FUNCTION...]
//   e.g. node scripts/path-files.js assembly/exports/engine.ts:eng_poll
//        node scripts/path-files.js assembly/exports/fault.ts:fault_fire assembly/exports/fault.ts:fault_step
// --not: functions the path never reaches although a call can (a dispatcher's other cases:
// the NIC operations the fault entry never begins). --root: another checkout (an older
// commit) to count in. Uses the TypeScript compiler's
// symbol resolution over assembly/ (AssemblyScript's builtins stay unresolved, which is fine:
// they are not files).
"use strict";
const fs = require("fs");
const path = require("path");

const args = process.argv.slice(2);
let root = path.join(__dirname, "..");
if (args[0] === "--root") {
  args.shift();
  root = path.resolve(args.shift());
}
const notAt = args.indexOf("--not");
const excluded = new Set(notAt >= 0 ? args.splice(notAt).slice(1) : []);
if (args.length === 0) {
  console.error("usage: node scripts/path-files.js [--root DIR] FILE:FUNCTION... [--not FILE:FUNCTION...]");
  process.exit(2);
}
const ts = require(require.resolve("typescript", { paths: [path.join(__dirname, "..")] }));

function list(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? list(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}
const files = list(path.join(root, "assembly"));
const program = ts.createProgram(files, { noLib: true, types: [], noResolve: false, allowJs: false });
const checker = program.getTypeChecker();
const rel = (f) => path.relative(root, f).split(path.sep).join("/");

const key = (decl) => `${rel(decl.getSourceFile().fileName)}:${decl.name ? decl.name.getText() : "?"}`;

/** Every function declaration a function body calls (or names: a callee passed along). */
function callees(decl) {
  const out = new Set();
  const visit = (n) => {
    if (ts.isCallExpression(n) || ts.isIdentifier(n) || ts.isPropertyAccessExpression(n)) {
      const target = ts.isCallExpression(n) ? n.expression : n;
      let sym = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(target) ? target.name : target);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      for (const d of (sym && sym.declarations) || []) {
        if (!d.getSourceFile().fileName.startsWith(path.join(root, "assembly"))) continue;
        if (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d) || ts.isGetAccessorDeclaration(d) || ts.isSetAccessorDeclaration(d)) out.add(d);
      }
    }
    ts.forEachChild(n, visit);
  };
  if (decl.body) visit(decl.body);
  return out;
}

const byKey = new Map();
for (const sf of program.getSourceFiles()) {
  if (!sf.fileName.startsWith(path.join(root, "assembly"))) continue;
  const visit = (n) => {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isGetAccessorDeclaration(n)) && n.name) byKey.set(key(n), n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
}

const seen = new Set();
const queue = [];
for (const a of args) {
  const d = byKey.get(a);
  if (!d) {
    console.error(`no function ${a} under ${root}`);
    process.exit(2);
  }
  queue.push(d);
}
while (queue.length) {
  const d = queue.pop();
  if (seen.has(d) || excluded.has(key(d))) continue;
  seen.add(d);
  for (const c of callees(d)) queue.push(c);
}
const perFile = new Map();
for (const d of seen) {
  const f = rel(d.getSourceFile().fileName);
  if (!perFile.has(f)) perFile.set(f, []);
  perFile.get(f).push(d.name.getText());
}
const names = [...perFile.keys()].sort();
const code = names.filter((f) => !f.startsWith("assembly/shared/"));
for (const x of excluded) if (!byKey.has(x)) console.error(`--not ${x}: no such function`);
console.log(`${args.join(" + ")}${excluded.size ? ` (not ${[...excluded].join(", ")})` : ""}: ${names.length} files (${code.length} outside assembly/shared/), ${seen.size} functions`);
for (const f of names) console.log(`  ${f.padEnd(34)} ${perFile.get(f).sort().join(", ")}`);
