// The QEMU rig's costs (docs/qemu-rig.md): how long a guest takes to boot and exit, and how
// fast the wasm2c-translated core runs under TCG next to the same core.wasm under Node (V8),
// measured in the same run. Medians of a few boots; figures only, no assertions.

import * as fs from "fs";
import { performance } from "perf_hooks";
import { Core } from "../host/core/core";
import { buildRig, runGuest } from "../test/helpers/qemu";
import { RigScript, answer } from "../test/helpers/rig-script";

const BOOTS = Number(process.env.QEMU_BENCH_BOOTS ?? 3);
const SELFTESTS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  buildRig();
  const s = new RigScript();
  s.call("init");
  const lines = Array.from({ length: SELFTESTS }, () => s.call("selftest"));
  const ready: number[] = [];
  const total: number[] = [];
  const guestUs: number[] = [];
  const setupUs: number[] = [];
  for (let i = 0; i < BOOTS; i++) {
    const run = await runGuest(s.text(), { mac: "02:00:5e:10:00:01" });
    fs.rmSync(run.dir, { recursive: true, force: true });
    ready.push(run.readyMs);
    total.push(run.totalMs);
    setupUs.push(Number(run.records.find((r) => r.op === "ready")?.us));
    for (const l of lines) guestUs.push(Number(answer(run.records, l).us));
  }
  const core = Core.load();
  const nodeUs: number[] = [];
  for (let i = 0; i < SELFTESTS * BOOTS; i++) {
    const t0 = performance.now();
    core.exports.selftest();
    nodeUs.push((performance.now() - t0) * 1000);
  }
  const g = median(guestUs);
  const n = median(nodeUs);
  console.log(`boots: ${BOOTS}`);
  console.log(`QEMU start -> harness ready      median ${median(ready)} ms`);
  console.log(`QEMU start -> QEMU exited        median ${median(total)} ms`);
  console.log(`harness set-up (instantiate, map BAR0, copy 48 MiB into /dev/mem)  median ${(median(setupUs) / 1000).toFixed(1)} ms`);
  console.log(`selftest(): wasm2c under TCG median ${(g / 1000).toFixed(2)} ms, Node median ${(n / 1000).toFixed(2)} ms, ratio ${(g / n).toFixed(1)}x`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
