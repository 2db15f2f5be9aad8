// How fast the virtual board simulates: frames per second of host CPU through the e1000
// model's TX engine (doorbell per 32-frame batch, as ixy), its receive path, and a 1 Gb/s
// link between two simple hosts. Medians of 7 runs, measured side by side; the ratio of
// simulated to real time tells how much faster than a real 1 Gb/s link the wire runs.

import { performance } from "perf_hooks";
import { NicRig, RIG_MAC, ethFrame } from "../test/helpers/nic";
import { SimClock } from "../host/sim/clock";
import { Link, SimpleHost } from "../host/sim/wire";
import { median } from "./stats";

const RUNS = 7;
const FRAMES = 20_000;


function tx(): number {
  const rig = new NicRig();
  const ring = rig.txRing({ slots: 256 });
  const frame = ethFrame([2, 0, 0, 0, 0, 1], 46);
  const t0 = performance.now();
  for (let i = 0; i < FRAMES; i += 32) {
    for (let k = 0; k < 32; k++) ring.put(frame, { rs: k === 31 ? "last" : "none" });
    ring.ring();
  }
  const ms = performance.now() - t0;
  if (rig.sent.length !== FRAMES) throw new Error("tx lost frames");
  return FRAMES / (ms / 1000);
}

function rx(): number {
  const rig = new NicRig();
  const ring = rig.rxRing({ slots: 256 });
  const frame = ethFrame(RIG_MAC, 46);
  let got = 0;
  const t0 = performance.now();
  for (let i = 0; i < FRAMES; i++) {
    rig.nic.receive(frame);
    if (i % 32 === 31) got += ring.harvest().length;
  }
  got += ring.harvest().length;
  const ms = performance.now() - t0;
  if (got !== FRAMES) throw new Error(`rx got ${got}`);
  return FRAMES / (ms / 1000);
}

function wire(): { fps: number; speedup: number } {
  const clock = new SimClock();
  const a = new SimpleHost("a", Uint8Array.of(2, 0, 0, 0, 0, 1), clock);
  const b = new SimpleHost("b", Uint8Array.of(2, 0, 0, 0, 0, 2), clock);
  new Link(clock, a, b, { loss: 0.01, reorder: 0.01, seed: 1 });
  const frame = ethFrame(b.mac, 46);
  const t0 = performance.now();
  for (let i = 0; i < FRAMES; i++) a.send(frame);
  clock.runUntilIdle();
  const ms = performance.now() - t0;
  return { fps: FRAMES / (ms / 1000), speedup: clock.now() / 1e6 / ms };
}

tx(); rx(); wire(); // warm up
const txs: number[] = [];
const rxs: number[] = [];
const ws: number[] = [];
const sp: number[] = [];
for (let i = 0; i < RUNS; i++) {
  txs.push(tx());
  rxs.push(rx());
  const w = wire();
  ws.push(w.fps);
  sp.push(w.speedup);
}
console.log(`e1000 TX engine (64-byte frames, doorbell per 32): ${Math.round(median(txs)).toLocaleString()} frames/s`);
console.log(`e1000 RX path (64-byte frames, harvest per 32):    ${Math.round(median(rxs)).toLocaleString()} frames/s`);
console.log(`1 Gb/s link, 1% loss and reorder:                   ${Math.round(median(ws)).toLocaleString()} frames/s`);
console.log(`  simulated time / host time on that link:          ${median(sp).toFixed(2)}x (a real 1 Gb/s link carries 1,488,095 min-size frames/s)`);
console.log(`TX/RX ratio: ${(median(txs) / median(rxs)).toFixed(2)}`);
