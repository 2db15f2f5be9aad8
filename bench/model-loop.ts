// One sample of the whole loop over the virtual board's e1000 model: RX DMA by the model
// (E1000.receive), eng_poll, the round's register writes performed (the TDT write runs the
// model's TX engine), 64-byte frames, 1K flows, batches of 32. Prints one JSON line: ns per
// frame and where the time went. Run for a checkout given as --tree (default: this one), so
// that an older commit's model and core run through the same code: bench/scale-ab.ts runs it
// for two trees in alternating processes (each process a fresh heap: the model's garbage
// from one tree never lands on the other's collector).
//
// usage: TS_NODE_TRANSPILE_ONLY=1 node -r ts-node/register bench/model-loop.ts [--tree DIR] [--frames N]

import { performance } from "perf_hooks";
import * as path from "path";

/** One sample over checkout `tree`'s model, rig and core: ns per frame, and the shares of the loop. */
export function runModelLoop(tree: string, frames: number, flows = 1000) {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const load = (rel: string) => require(path.join(tree, rel));
  const { performRegops } = load("host/nic/regops");
  const { Rng } = load("host/util/rng");
  const E = load("assembly/shared/engine");
  const { BATCH, template, coreSetup } = load("bench/engine-rig");

  const { board, core } = coreSetup(E.ENG_ZERO_COPY);
  const tmpl: Uint8Array = template(60);
  let sent = 0;
  board.nics[1].attach(() => void sent++);
  const rng = new Rng(7);
  const pool = Array.from({ length: 4096 }, () => {
    const f = tmpl.slice();
    const a = rng.int(flows);
    f[27] = 18 + (a >>> 16);
    f[28] = (a >>> 8) & 0xff;
    f[29] = a & 0xff;
    return f;
  });

  const run = (n: number) => {
    let tRx = 0, tPoll = 0, tRegops = 0;
    const t0 = performance.now();
    for (let k = 0; k < n; k += BATCH) {
      const a = performance.now();
      for (let i = 0; i < BATCH; i++) board.nics[0].receive(pool[(k + i) & 4095]);
      const b = performance.now();
      core.exports.eng_poll(0, 1000);
      const c = performance.now();
      performRegops(core.view, board.nics, board.delay);
      const d = performance.now();
      tRx += b - a;
      tPoll += c - b;
      tRegops += d - c;
    }
    const total = performance.now() - t0;
    return { nsPerFrame: (total * 1e6) / n, rx: tRx / total, poll: tPoll / total, txAndDoorbells: tRegops / total, pollNs: (tPoll * 1e6) / n };
  };

  run(Math.min(frames, 20_000)); // warm up (compiled code, the table's flows)
  sent = 0;
  const r = run(frames);
  if (sent !== frames) throw new Error(`${sent} of ${frames} frames left port 1`);
  return r;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const tree = path.resolve(opt("--tree", path.join(__dirname, "..")));
  const frames = Number(opt("--frames", "100000"));
  console.log(JSON.stringify({ tree, frames, ...runModelLoop(tree, frames, Number(opt("--flows", "1000"))) }));
}
