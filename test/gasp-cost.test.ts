// What a gasp costs in SHA-256 compressions, counted by the core (sha256_compressions()):
// with the key states precomputed at arm time, a MAC over the 52 + n covered bytes costs
// ceil((52 + n + 9) / 64) + 1 — 2 for an excerpt of up to 3 bytes, 3 up to the maximum 64.
// The whole fault path (patch, MAC, checksums for every frame) costs exactly the MAC.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { gaspMacCompressions } from "../assembly/shared/gasp";
import { armedSender, receiver } from "../host/campaign/gasp-fixture";
import { Rng } from "../host/util/rng";

const rng = new Rng(0xc057);

test("gasp_fire costs ceil((52+n+9)/64)+1 compressions for every excerpt length 0..64, all frames included", () => {
  const tx = armedSender({ selfFence: false });
  const ex = tx.core.exports;
  const seen = new Map<number, number[]>();
  for (let n = 0; n <= 64; n++) {
    const before = ex.sha256_compressions();
    const built = tx.fire({ cause: 1, excerpt: rng.bytes(n) });
    const used = ex.sha256_compressions() - before;
    assert.is(built.frames.length, 4, "four frames built by that one MAC");
    assert.is(used, Math.ceil((52 + n + 9) / 64) + 1, `excerpt ${n}`);
    assert.is(used, gaspMacCompressions(n), "the shared formula agrees");
    seen.set(used, [...(seen.get(used) ?? []), n]);
  }
  assert.equal(seen.get(2), [0, 1, 2, 3], "two compressions up to a 3-byte excerpt");
  assert.is(seen.get(3)!.length, 61, "three for 4..64");
  assert.is(seen.size, 2, "never more than three");
});

test("a hello costs two compressions, and so does authenticating one", () => {
  const tx = armedSender();
  const rx = receiver();
  const before = tx.core.exports.sha256_compressions();
  const h = tx.hello(1n);
  assert.is(tx.core.exports.sha256_compressions() - before, 2);
  const rxBefore = rx.core.exports.sha256_compressions();
  assert.ok(rx.receive(h.frames[0].bytes).ok);
  assert.is(rx.core.exports.sha256_compressions() - rxBefore, 2);
});

test("frames refused before the MAC check cost no compression", () => {
  const tx = armedSender();
  const rx = receiver({ chassis: 1 });
  const f = tx.hello(1n).frames[0].bytes;
  const before = rx.core.exports.sha256_compressions();
  assert.is(rx.receive(f).ok, false);
  assert.is(rx.core.exports.sha256_compressions() - before, 0, "wrong chassis is refused before any hashing");
});

test.run();
