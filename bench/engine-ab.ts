// The packet engine's eng_poll, two core builds in ONE process, interleaved every 8,192
// packets (the shared machine's noise hits both alike): this checkout's build/core.wasm and
// another's (an older commit, built). The NIC is emulated in memory as in engine.bench.ts;
// only the eng_poll call is timed. Medians of 380 samples per build; no assertion.
//
// usage: TS_NODE_TRANSPILE_ONLY=1 node -r ts-node/register bench/engine-ab.ts OLD_TREE/build/core.wasm
// (ABI versions may differ: the other build is instantiated directly, not through Core.load.)
import { performance } from "perf_hooks";
import * as fs from "fs";
import { Core, CORE_WASM } from "../host/core/core";
import { Rng } from "../host/util/rng";
import * as MAP from "../assembly/shared/memmap";
import * as RINGS from "../assembly/shared/rings";
import { BATCH, template, NicEmulation, coreSetup } from "./engine-rig";
const realLoad = Core.load;
const mods = new Map<string, WebAssembly.Module>();
function setupWith(file: string, mode: number) {
  (Core as any).load = () => {
    if (!mods.has(file)) mods.set(file, new WebAssembly.Module(fs.readFileSync(file)));
    const c = new (Core as any)(new WebAssembly.Instance(mods.get(file)!, {}));
    c.call("init");
    return c;
  };
  try { return coreSetup(mode); } finally { (Core as any).load = realLoad; }
}
const other = process.env.OTHER_CORE ?? process.argv[2];
if (!other || !fs.existsSync(other)) {
  console.error("usage: node -r ts-node/register bench/engine-ab.ts OTHER_BUILD/core.wasm   (or OTHER_CORE=...)");
  process.exit(2);
}
const files: Record<string, string> = { old: other, new: CORE_WASM };
for (const [flows, mode, label] of [[1000, 0, "64B zero copy 1K"], [1 << 20, 0, "64B zero copy 1M"], [1000, 1, "64B copy 1K"]] as [number, number, string][]) {
  const tmpl = template(64);
  const inst: Record<string, { x: any; emu: NicEmulation }> = {};
  for (const k of ["old", "new"]) {
    const { core } = setupWith(files[k], mode);
    inst[k] = { x: core.exports, emu: new NicEmulation(core.bytes, MAP.DMA_BASE, RINGS.portDmaBase(0) + RINGS.PORT_DMA_RX_DESC, RINGS.portDmaBase(1) + RINGS.PORT_DMA_TX_DESC, tmpl) };
  }
  const rng = new Rng(flows);
  const seq = new Uint32Array(1 << 20);
  for (let i = 0; i < seq.length; i++) seq[i] = rng.int(flows);
  const N = 1 << 13;
  const res: Record<string, number[]> = { old: [], new: [] };
  for (let r = 0; r < 400; r++) {
    for (const k of r % 2 ? ["old", "new"] : ["new", "old"]) {
      const { x, emu } = inst[k];
      let poll = 0;
      for (let i = 0; i < N; i += BATCH) {
        emu.deliver(seq, i);
        const t0 = performance.now();
        x.eng_poll(0, 2000);
        poll += performance.now() - t0;
        emu.complete(BATCH);
      }
      if (r >= 20) res[k].push((poll * 1e6) / N);
    }
  }
  const med = (a: number[]) => a.slice().sort((p, q) => p - q)[a.length >> 1];
  console.log(`${label}: eng_poll ns/packet median old ${med(res.old).toFixed(1)} new ${med(res.new).toFixed(1)} (new/old ${(med(res.new) / med(res.old)).toFixed(3)})`);
}
