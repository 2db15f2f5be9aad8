#!/usr/bin/env node
// Builds the native addons with node-gyp, offline: every target of host/native/binding.gyp,
// each copied to build/native/<target>.node —
//   rawsock.c -> lastgasp_raw.node     the raw-socket sender behind `lastgasp send`
//   mtd.c -> lastgasp_mtd.node         Linux MTD devices for the flasher
//   board.c, regops.c, softnic.c, linux.c, crash.c (+ pci.c) -> lastgasp_board.node
//                                      real ports and the crash path (docs/real-hardware.md);
//                                      its generated inputs first (scripts/gen-native.js:
//                                      the wasm2c-translated core, constants, register table)
// An addon of your own: a C file and a target in binding.gyp; this script finds the targets.
// The Node headers come from the local installation (the prefix of the running node, or
// npm's `nodedir` setting), never from a download. node-gyp itself is the project's own if
// installed, else the one npm bundles.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const src = path.join(root, "host", "native");
const outDir = path.join(root, "build", "native");
const gen = path.join(outDir, "gen");
const targets = JSON.parse(fs.readFileSync(path.join(src, "binding.gyp"), "utf8")).targets;
const outs = targets.map((t) => path.join(outDir, `${t.target_name}.node`));
const sources = targets.flatMap((t) => t.sources);

function fail(msg) {
  console.error(`build-native: ${msg}`);
  process.exit(1);
}

if (process.platform !== "linux") fail(`the addons (AF_PACKET sockets, MTD devices, PCI devices, the crash path) are Linux only (this is ${process.platform})`);

function findNodeGyp() {
  const candidates = [];
  try {
    candidates.push(require.resolve("node-gyp/bin/node-gyp.js", { paths: [root] }));
  } catch {}
  const prefix = path.dirname(path.dirname(process.execPath));
  candidates.push(path.join(prefix, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(path.join(path.dirname(process.execPath), "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  return candidates.find((c) => fs.existsSync(c));
}

function findNodeDir() {
  const dirs = [process.env.npm_config_nodedir, process.env.NODEDIR, path.dirname(path.dirname(process.execPath))].filter(Boolean);
  return dirs.find((d) => fs.existsSync(path.join(d, "include", "node", "node_api.h")));
}

const gyp = findNodeGyp();
if (!gyp) fail("node-gyp not found (neither in node_modules nor bundled with npm)");
const nodedir = findNodeDir();
if (!nodedir) fail(`Node headers not found (looked for include/node/node_api.h under the node prefix and $npm_config_nodedir); install the nodejs headers package`);

// The board addon's generated inputs (their own up-to-date check: a hash of their inputs).
execFileSync(process.execPath, [path.join(__dirname, "gen-native.js")], { stdio: "inherit" });

const stamp = (f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0);
const headers = fs.readdirSync(src).filter((f) => f.endsWith(".h"));
const generated = fs.existsSync(gen) ? fs.readdirSync(gen).filter((f) => /\.(h|a)$/.test(f)).map((f) => path.join(gen, f)) : [];
const newest = Math.max(...[...sources, ...headers, "binding.gyp"].map((f) => stamp(path.join(src, f))), ...generated.map(stamp), stamp(__filename));
if (Math.min(...outs.map(stamp)) > newest) {
  console.log(`${outs.map((o) => path.relative(root, o)).join(", ")}: up to date`);
  process.exit(0);
}

execFileSync(process.execPath, [gyp, "rebuild", `--nodedir=${nodedir}`, "--loglevel=warn"], { cwd: src, stdio: "inherit" });
fs.mkdirSync(outDir, { recursive: true });
for (const t of targets) {
  const out = path.join(outDir, `${t.target_name}.node`);
  fs.copyFileSync(path.join(src, "build", "Release", `${t.target_name}.node`), out);
  console.log(`${path.relative(root, out)}: ${fs.statSync(out).size} bytes (node-gyp ${path.relative(root, gyp)}, headers ${nodedir})`);
}
