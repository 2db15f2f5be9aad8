// The QEMU rig's costs (docs/qemu-rig.md): how long a guest takes to boot and exit, and how
// fast the wasm2c-translated core runs under TCG next to the same core.wasm under Node (V8),
// measured in the same run. Medians of a few boots; figures only, no assertions.

import * as fs from "fs";
import { performance } from "perf_hooks";
import { Core } from "../host/core/core";
import { buildRig, runGuest } from "../test/helpers/qemu";
import { RigScript, answer } from "../test/helpers/rig-script";
import { GUEST_MEM_PHYS } from "../test/helpers/qemu";
import { DMA_BASE, FRAME_SLOT_SIZE } from "../assembly/shared/memmap";
import { RING_TX, RING_RX, RING_FAULT, FAULT_QUEUE_NONE } from "../assembly/shared/rings";
import { VLAN_NONE } from "../assembly/shared/repr";
import { median } from "./stats";

const BOOTS = Number(process.env.QEMU_BENCH_BOOTS ?? 3);
const SELFTESTS = 5;


async function main() {
  buildRig();
  const s = new RigScript();
  s.call("init");
  const lines = Array.from({ length: SELFTESTS }, () => s.call("selftest"));
  // The fault path on QEMU's e1000: takeover + one frame + doorbell + confirm by TDH.
  s.call("nic_port_config", 0, GUEST_MEM_PHYS + DMA_BASE, 0, 1, FAULT_QUEUE_NONE);
  for (const k of [RING_TX, RING_RX, RING_FAULT]) s.call("nic_ring_config", 0, k, 64);
  s.call("nic_tx_init", 0);
  s.step("nic_step");
  s.mwb(Core.slot(0), Uint8Array.from([2, 0, 0x5e, 0x10, 0, 1]));
  s.mwb(Core.slot(1), Uint8Array.from([192, 0, 2, 10]));
  s.call("arp_announce", Core.slot(0), Core.slot(1), VLAN_NONE, Core.frame(0), FRAME_SLOT_SIZE);
  const sends = Array.from({ length: SELFTESTS }, () => (s.call("nic_fault_send", 0, Core.frame(0), 60, 1), s.step("nic_step")));
  const ready: number[] = [];
  const total: number[] = [];
  const guestUs: number[] = [];
  const sendUs: number[] = [];
  const setupUs: number[] = [];
  for (let i = 0; i < BOOTS; i++) {
    const run = await runGuest(s.text(), { mac: "02:00:5e:10:00:01" });
    fs.rmSync(run.dir, { recursive: true, force: true });
    ready.push(run.readyMs);
    total.push(run.totalMs);
    setupUs.push(Number(run.records.find((r) => r.op === "ready")?.us));
    for (const l of lines) guestUs.push(Number(answer(run.records, l).us));
    for (const l of sends) {
      const r = answer(run.records, l);
      if (Number(r.rc) !== 0) throw new Error(`nic_fault_send on QEMU answered ${r.rc}`);
      sendUs.push(Number(r.us));
    }
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
  console.log(`nic_fault_send step loop on QEMU's e1000 (wasm2c core, BAR0 MMIO under TCG)  median ${median(sendUs)} us`);
  console.log(`selftest(): wasm2c under TCG median ${(g / 1000).toFixed(2)} ms, Node median ${(n / 1000).toFixed(2)} ms, ratio ${(g / n).toFixed(1)}x`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
