#!/usr/bin/env node
// Runs benchmarks of another checkout (an older commit, built) and of this one side by side,
// alternating, several times, and prints every figure line of both as medians over the runs.
// A speed claim compares two trees measured in the same run on the same (noisy, shared) machine.
//
// usage: node bench/compare.js OTHER_TREE [--runs N] BENCH...
//   e.g. d=$(mktemp -d) && git clone -q . $d && git -C $d checkout -q b35b371 &&
//        (cd $d && npm install --no-audit --no-fund --ignore-scripts && node scripts/build-core.js)
//        node bench/compare.js $d --runs 5 engine.bench fault-entry
// Each bench's own environment knobs (ENGINE_BENCH_PACKETS, FAULT_BENCH_RUNS, ...) pass through.
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");

const args = process.argv.slice(2);
const other = args.shift();
let runs = 5;
const benches = [];
while (args.length) {
  const a = args.shift();
  if (a === "--runs") runs = Number(args.shift());
  else benches.push(a);
}
if (!other || !Number.isInteger(runs) || runs < 1 || benches.length === 0) {
  console.error("usage: node bench/compare.js OTHER_TREE [--runs N] BENCH...");
  process.exit(2);
}
const trees = { old: path.resolve(other), new: path.resolve(__dirname, "..") };
const NUM = /-?\d+(?:\.\d+)?/g;

function once(tree, bench) {
  const r = spawnSync(process.execPath, [path.join(tree, "bench", "run.js"), bench], { cwd: tree, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    console.error(`${tree}: ${bench} failed\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  return r.stdout.split("\n").filter((l) => /\d/.test(l) && !l.startsWith("=="));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

for (const bench of benches) {
  /** figures[tree][line shape] = one array of numbers per run */
  const figures = { old: new Map(), new: new Map() };
  const order = [];
  for (let i = 0; i < runs; i++) {
    for (const which of i % 2 === 0 ? ["old", "new"] : ["new", "old"]) {
      const seen = new Map(); // the same shape again (another case) is another figure
      for (const line of once(trees[which], bench)) {
        const bare = line.replace(NUM, "#").replace(/\s+/g, " ");
        seen.set(bare, (seen.get(bare) ?? 0) + 1);
        const shape = `${bare}\u0000${seen.get(bare)}`;
        if (!figures[which].has(shape)) figures[which].set(shape, []);
        figures[which].get(shape).push(line.match(NUM).map(Number));
        if (!order.includes(shape)) order.push(shape);
      }
    }
  }
  console.log(`\n== ${bench}: medians of ${runs} runs each, alternating (old = ${trees.old}, new = ${trees.new})`);
  for (const shape of order) {
    for (const which of ["old", "new"]) {
      const rows = figures[which].get(shape);
      if (!rows) continue;
      const med = rows[0].map((_, k) => median(rows.map((r) => r[k] ?? NaN)));
      let k = 0;
      const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
      console.log(`${which}  ${shape.split("\u0000")[0].replace(/#/g, () => fmt(med[k++]))}`);
    }
  }
}
