// The gasp under a second engine: real wasmtime (Cranelift, npm binding, child process)
// and V8 run the same call script — set the key, arm from a config repr, send hellos, fire
// gasps with random fault values and excerpts, receive every frame — with every input
// placed through mem_store8. Results and the digests of the whole GASP region and of every
// received-message repr must be identical.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import { writeConfig, writeRxConfig } from "../host/gasp/repr";
import { GaspSender } from "../host/gasp/gasp";
import { GASP_BASE, GASP_SIZE } from "../assembly/shared/memmap";
import * as G from "../assembly/shared/gasp";
import { Call, poke, runOnBothEngines } from "./helpers/engines";
import { baseConfig, KEY, KEY_ID } from "./helpers/gasp";

const rng = new Rng(0x3a5);
const CFG = Core.slot(60);
const RXCFG = Core.slot(61);
const MSG = Core.slot(62);
const KEYBUF = Core.frame(20);
const EXCERPT = Core.frame(21);
const hi = (x: bigint) => Number(x >> 32n) | 0;
const lo = (x: bigint) => Number(x & 0xffffffffn) | 0;


function pokeRepr(script: Call[], ptr: number, size: number, write: (m: Uint8Array, p: number) => void) {
  const m = new Uint8Array(size);
  write(m, 0);
  poke(script, ptr, m);
}

/** Frame lengths are deterministic; learn them from a V8 instance to pass to gasp_receive. */
function frameLengths(cfg: ReturnType<typeof baseConfig>, n: number): { addr: number; len: number }[] {
  const tx = new GaspSender(Core.load());
  tx.setKey(0, KEY, KEY_ID);
  tx.arm(cfg);
  return tx.fire({ cause: 1, excerpt: new Uint8Array(n) }).frames.map((f) => ({ addr: f.addr, len: f.bytes.length }));
}

function buildScript(): Call[] {
  const s: Call[] = [["abi_version"], ["init"]];
  poke(s, KEYBUF, KEY);
  s.push(["hmac_set_key", 0, KEYBUF, KEY.length, KEY_ID]);
  s.push(["mem_fill", KEYBUF, KEY.length, 0]);
  pokeRepr(s, RXCFG, G.GASP_RXC_SIZE, (m, p) => writeRxConfig(m, p, { chassis: 0x2a2a0001 }));
  s.push(["gasp_rx_config", RXCFG]);
  for (let round = 0; round < 4; round++) {
    const cfg = baseConfig({ unit: 1 + round, boot: 100 + round, copies: 1 + round, selfFence: round % 2 === 1, epoch: round });
    pokeRepr(s, CFG, G.GASP_CFG_SIZE, (m, p) => writeConfig(m, p, cfg));
    s.push(["gasp_arm", CFG]);
    s.push(["region_digest", GASP_BASE, GASP_SIZE]);
    for (let i = 0; i < 8; i++) {
      const up = BigInt(rng.u32()) * 1000n;
      s.push(["gasp_hello", hi(up), lo(up)]);
      const excerpt = rng.bytes(rng.int(90));
      poke(s, EXCERPT, excerpt);
      const pc = (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
      s.push(["gasp_fire", 1 + rng.int(7), rng.u32() | 0, hi(pc), lo(pc), hi(up), lo(up), EXCERPT, excerpt.length]);
      s.push(["sha256_compressions"]);
      s.push(["region_digest", GASP_BASE, GASP_SIZE]);
      for (const f of frameLengths(cfg, Math.min(excerpt.length, 64))) {
        s.push(["gasp_receive", f.addr, f.len, MSG]);
        s.push(["region_digest", MSG, G.GASP_MR_SIZE]);
      }
    }
  }
  for (let code = 0; code >= G.GASP_RX_REASON_LAST; code = code === 0 ? G.GASP_RX_REASON_FIRST : code - 1) s.push(["gasp_rx_count", code]);
  return s;
}

test("wasmtime and V8 build, authenticate and receive identical gasps (GASP region digests equal)", () => {
  const script = buildScript();
  const { wasmtime, v8, diffs } = runOnBothEngines(script, "gasp-wasmtime");
  assert.is(wasmtime.length, script.length);
  assert.equal(diffs.slice(0, 5), [], `${diffs.length} calls differ`);

  const results = (fn: string) => script.map((c, i) => [c[0], v8[i]] as [string, number]).filter(([f]) => f === fn).map(([, r]) => r);
  assert.ok(results("gasp_fire").every((r) => r === 4), "every fire built four frames");
  const hellos = results("gasp_hello");
  assert.ok(hellos.includes(-81) && hellos.includes(4), "fenced rounds refuse hellos after the first gasp, open rounds do not");
  const received = results("gasp_receive");
  assert.ok(received.filter((r) => r > 0).length === 32, "the first frame of each of the 32 gasps accepted");
  assert.ok(received.filter((r) => r === -77).length === 96, "the other three frames are authentic duplicates");
  assert.ok(new Set(results("region_digest")).size > 60, "the digests differ from call to call: they measure something");
});

test.run();
