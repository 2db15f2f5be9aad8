// Fuzz every decoder with random and mutated frames: it never traps, never writes outside
// its output reprs, returns a negative status for what the independent reference reader
// rejects, and accepts what it accepts.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { WireCodec } from "../host/wire/codec";
import { Rng } from "../host/util/rng";
import { DECODERS, decoderSeeds, decoderDigests, decodeOne, mutate } from "../host/campaign/fuzz";
import * as MAP from "../assembly/shared/memmap";
import { E_RANGE } from "../assembly/shared/status";

const core = Core.load();
const codec = new WireCodec(core);
const rng = new Rng(99);
const IN = Core.frame(8);
const R0 = Core.slot(20);
const FRAMES_PER_DECODER = 100_000;

// The frames, the mutations and the judgement are the fuzz campaign's (host/campaign/fuzz.ts,
// `lastgasp campaign fuzz`), here at a fixed count per decoder.
const seedFrames = decoderSeeds(codec, rng);
for (const d of DECODERS) {
  test(`${d.name}: ${FRAMES_PER_DECODER.toLocaleString()} random and mutated frames, no trap, agrees with the reference`, () => {
    const before = decoderDigests(core);
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < FRAMES_PER_DECODER; i++) {
      let f = i % 4 === 0 ? rng.bytes(rng.int(140)) : mutate(rng.pick(seedFrames), rng);
      // IPv4/IPv6 header decoders see the frame past its Ethernet header
      if (d.l3) f = f.subarray(rng.bool(0.8) ? 14 : 0);
      const t = decodeOne(core, d, f);
      if (t.failure) assert.unreachable(t.failure);
      if (t.outcome === `${d.name} accepted`) accepted++;
      else rejected++;
    }
    assert.equal(decoderDigests(core), before, "memory outside the outputs changed");
    assert.ok(accepted > 1000 && rejected > 1000, `accepted ${accepted}, rejected ${rejected}: the fuzz must reach both outcomes`);
  });
}

test("pointer arguments outside host memory return E_RANGE, never trap (10,000 random calls)", () => {
  const names = ["eth_parse", "arp_parse", "udp4_parse", "na_parse", "arp_announce", "na_unsolicited", "sha256", "inet_checksum", "region_digest", "mem_fill"];
  for (let i = 0; i < 10000; i++) {
    const fn = rng.pick(names);
    const args = Array.from({ length: 7 }, () => rng.pick([0, -1, 0x7fffffff, MAP.MEM_END - 1, MAP.MEM_END, MAP.STATE_BASE, rng.u32() | 0, 100]));
    let rc: number;
    try {
      rc = core.exports[fn](...args);
    } catch (e) {
      assert.unreachable(`${fn}(${args}) trapped: ${(e as Error).message}`);
      return;
    }
    assert.ok(Number.isInteger(rc));
  }
  assert.is(core.exports.eth_parse(MAP.MEM_END - 4, 14, R0), E_RANGE);
  assert.is(core.exports.eth_parse(IN, 14, MAP.STATE_BASE), E_RANGE);
  assert.is(core.exports.mem_fill(MAP.STATIC_BASE, 16, 0), E_RANGE);
});

test.run();
