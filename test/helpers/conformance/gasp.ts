// Conformance script "gasp": key, arm from a config repr, hellos, gasps fired with random
// fault values and excerpts, every frame received — the GASP region and every received
// message digested.

import { Core } from "../../../host/core/core";
import { Rng } from "../../../host/util/rng";
import { writeConfig, writeRxConfig } from "../../../host/gasp/repr";
import { GaspSender } from "../../../host/gasp/gasp";
import { GASP_BASE, GASP_SIZE } from "../../../assembly/shared/memmap";
import * as G from "../../../assembly/shared/gasp";
import { Call, poke } from "../engines";
import { baseConfig, KEY, KEY_ID } from "../../../host/campaign/gasp-fixture";
import type { ConformanceSource } from "./index";

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

function build(): Call[] {
  const rng = new Rng(0x3a5);
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

export const gasp: ConformanceSource = {
  name: "gasp",
  description: "the gasp: arm, hellos, gasps with random fault values and excerpts, every frame received (copies, duplicates)",
  build,
};
