// Property tests of the fault-time ring takeover (assembly/nic/takeover.ts): thousands of
// random crashed-driver states on the e1000 and i210-like models, with every fault-injection
// mode of the model, checked against an oracle (host/campaign/rings.ts, the rings campaign's
// trial: `lastgasp campaign rings` runs it at any count):
//   - when the NIC can send, nic_fault_send returns STEP_DONE and at least `copies` exact
//     copies of the frame reach the wire;
//   - otherwise it returns the named error: E_LINK_DOWN, E_TX_HUNG (hung even after a device
//     reset), E_QUEUE_ENABLE_TIMEOUT;
//   - it never writes outside its ring and buffers: host-visible memory outside them (and the
//     REGOP list) is byte-identical before and after, and every ring base it programs is its own.
// Two settings: the fault core is its own instance (the normal case: it cannot even address
// the dead OS's ring), and the fault path runs in the same instance as the OS's ring
// (reclaim by TDH applies).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { ringTrial, MODES, Mode } from "../host/campaign/rings";

const TRIALS_SEPARATE = 2000;
const TRIALS_SAME = 1000;
const cores = { os: Core.load(), fault: Core.load() };

function runTrials(label: string, trials: number, sameInstance: boolean, seedBase: number) {
  test(`${label}: ${trials.toLocaleString()} random crashed states x every fault mode -> the frame goes out, or the named error`, () => {
    const tally = new Map<string, number>();
    const modeSeen = new Map<Mode, number>();
    for (let i = 0; i < trials; i++) {
      // Every trial guards ABI, FRAME, GASP and port 0's DMA slice; every 10th the whole DMA
      // region, every 100th all of memory.
      const r = ringTrial(seedBase + i, sameInstance, cores, i % 100 === 0 ? "all" : i % 10 === 0 ? "dma" : "ports");
      if (r.failure) assert.unreachable(`seed ${seedBase + i}: ${r.failure}`);
      for (const m of r.trial.modes) modeSeen.set(m, (modeSeen.get(m) ?? 0) + 1);
      const key = r.outcome.replace(/^(e1000|i210) /, "");
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    // Every mode was exercised, and every outcome the oracle knows occurred.
    for (const m of MODES) if (!(sameInstance && m === "os-dma-revoked")) assert.ok((modeSeen.get(m) ?? 0) > 20, `mode ${m} drawn ${modeSeen.get(m) ?? 0} times`);
    const outcomes = [...tally.keys()].join(", ");
    for (const k of ["OK via", "E_LINK_DOWN", "E_TX_HUNG", "E_QUEUE_ENABLE_TIMEOUT", "device-reset", sameInstance ? "via reclaim" : "via own-queue", "via reset"]) {
      assert.ok(outcomes.includes(k), `no outcome "${k}" among: ${outcomes}`);
    }
    console.log(`  ${label}: ${[...tally].sort().map(([k, v]) => `${k} ${v}`).join("; ")}`);
  });
}

runTrials("separate fault-core instance", TRIALS_SEPARATE, false, 10_000);
runTrials("same instance as the OS ring", TRIALS_SAME, true, 50_000);

test.run();
