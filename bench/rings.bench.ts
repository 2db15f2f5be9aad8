// The core's rings on the virtual board, measured side by side in one run:
//   1. nic_fault_send per takeover path: host CPU per call (median), register rounds and
//      operations, simulated time until TDH confirmed the copies;
//   2. TX throughput through the core's writer (enqueue + one doorbell per 32 + confirm by
//      TDH), against the model driven directly (test/helpers/nic.ts, the same batching):
//      the ratio is what the core and the register-operation protocol cost on top.
// Medians of 7 runs. Figures only: nothing here asserts on time.

import { performance } from "perf_hooks";
import { rig, frame, MAC_A } from "../host/campaign/rig";
import { NicRig, ethFrame } from "../test/helpers/nic";
import { TX_STAGE } from "../host/nic/rings";
import { performRegops } from "../host/nic/regops";
import { Core } from "../host/core/core";
import { median } from "./stats";

const RUNS = 7;
const BCAST = Uint8Array.from([255, 255, 255, 255, 255, 255]);
const cores = { os: Core.load(), fault: Core.load() };

function faultSend(kind: "e1000-reset" | "i210-own-queue" | "e1000-reclaim"): { us: number; rounds: number; ops: number; simUs: number } {
  const times: number[] = [];
  let last = { rounds: 0, ops: 0, simUs: 0 };
  for (let run = 0; run < RUNS; run++) {
    const r = rig(kind === "i210-own-queue" ? { model: "i210", txQueues: 4, faultQueue: 1 } : {}, cores);
    r.os.must("nic_tx_init", 0);
    r.os.enqueue(0, Array.from({ length: 5 }, (_, i) => frame(BCAST, MAC_A, i)));
    r.os.must("nic_tx_confirm", 0);
    const writer = kind === "e1000-reclaim" ? r.os : r.fault;
    writer.stage(frame(BCAST, MAC_A, 99, 90));
    let ops = 0;
    const x = writer.core.exports;
    const t0 = performance.now();
    const s0 = r.board.clock.now();
    x.nic_fault_send(0, TX_STAGE, 90, 3);
    let rc: number;
    while ((rc = x.nic_step()) === 1) {
      ops += performRegops(writer.core.view, r.board.nics, r.board.delay);
    }
    times.push((performance.now() - t0) * 1000);
    if (rc !== 0) throw new Error(`${kind}: ${rc}`);
    last = { rounds: writer.info().rounds, ops, simUs: (r.board.clock.now() - s0) / 1000 };
  }
  return { us: median(times), ...last };
}

const FRAMES = 20_000;

function throughputCore(): number {
  const r = rig({ rings: { tx: 256, rx: 8, fault: 8 } }, cores);
  r.os.must("nic_tx_init", 0);
  const f = frame(BCAST, MAC_A, 1, 60);
  r.os.stage(f);
  const x = r.board.os.exports;
  let sent = 0;
  const t0 = performance.now();
  while (sent < FRAMES) {
    for (let k = 0; k < 32; k++) x.nic_tx_enqueue(0, TX_STAGE, 60);
    r.os.must("nic_tx_confirm", 0);
    sent += 32;
  }
  const ms = performance.now() - t0;
  if (r.wire.length !== sent) throw new Error(`core path sent ${r.wire.length}`);
  return sent / (ms / 1000);
}

function throughputModel(): number {
  const rigm = new NicRig();
  const ring = rigm.txRing({ slots: 256 });
  const f = ethFrame([2, 0, 0, 0, 0, 1], 46);
  const t0 = performance.now();
  for (let i = 0; i < FRAMES; i += 32) {
    for (let k = 0; k < 32; k++) ring.put(f, { rs: "all" });
    ring.ring();
  }
  const ms = performance.now() - t0;
  return FRAMES / (ms / 1000);
}

console.log("nic_fault_send, 3 copies of a 90-byte frame (median of 7):");
for (const kind of ["e1000-reset", "i210-own-queue", "e1000-reclaim"] as const) {
  const m = faultSend(kind);
  console.log(`  ${kind.padEnd(15)} ${m.us.toFixed(1).padStart(7)} us host CPU   ${m.rounds} register rounds, ${m.ops} operations, confirmed ${m.simUs} us simulated`);
}
const core = median(Array.from({ length: RUNS }, throughputCore));
const model = median(Array.from({ length: RUNS }, throughputModel));
console.log(`TX, batches of 32 with one doorbell (median of 7, ${FRAMES} frames):`);
console.log(`  through the core's writer + register protocol  ${(core / 1000).toFixed(0)} k frames/s`);
console.log(`  the model driven directly                      ${(model / 1000).toFixed(0)} k frames/s`);
console.log(`  ratio core/direct                              ${(core / model).toFixed(2)}`);
