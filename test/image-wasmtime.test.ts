// Signed with Node, verified by the core under wasmtime (Cranelift, in a child process) and
// under V8: the self-test with the RFC 8032 vectors, Ed25519 verdicts on Node-signed and
// mutated signatures, and whole images streamed through the image window — a genuine
// image of the real core and board, and corrupted ones — with identical results and
// identical parser record tables (region digests).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as crypto from "crypto";
import * as S from "../assembly/shared/status";
import { IMG_WINDOW_BASE } from "../assembly/shared/memmap";
import { Rng } from "../host/util/rng";
import { Call, runOnBothEngines } from "./helpers/engines";
import { testKey, smallImage, realImage } from "./helpers/image";
import { BOARD, PUB, SIG, poke32, verifyImageCalls } from "./helpers/conformance/image";

const rng = new Rng(0x3a5e);
const W = IMG_WINDOW_BASE;
interface Expect {
  index: number;
  value: number;
  what: string;
}

test("wasmtime and V8: self-test, Ed25519 verdicts and image verification agree, call for call", () => {
  const key = testKey(11);
  const s: Call[] = [["abi_version"], ["init"], ["selftest"]];
  const expect: Expect[] = [{ index: 2, value: 0, what: "selftest (RFC 8032 §7.1 vectors included)" }];
  // Ed25519: Node-signed pairs and mutations of them.
  for (let i = 0; i < 40; i++) {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
    const pub = publicKey.export({ format: "der", type: "spki" }).subarray(12);
    const msg = rng.bytes(rng.int(200));
    const sig = crypto.sign(null, msg, privateKey);
    const mutated = i % 2 === 1;
    if (mutated) sig[rng.int(64)] ^= 1 << rng.int(8);
    poke32(s, PUB, pub);
    poke32(s, SIG, sig);
    poke32(s, W, msg);
    s.push(["ed25519_verify", PUB, W, msg.length, SIG]);
    if (!mutated) expect.push({ index: s.length - 1, value: S.OK, what: `pair ${i}` });
  }
  // Images: the trust store from the key, then a genuine image of the real core, a small one
  // and corrupted copies.
  poke32(s, PUB, key.pub);
  s.push(["img_trust_key", 0, PUB]);
  const board = new TextEncoder().encode("linecard-a");
  poke32(s, BOARD, board);
  s.push(["img_trust_board", BOARD, board.length]);
  expect.push({ index: verifyImageCalls(s, realImage(key)), value: S.OK, what: "real image" });
  const small = smallImage(key);
  expect.push({ index: verifyImageCalls(s, small), value: S.OK, what: "small image" });
  for (const [at, code] of [[16, S.E_IMG_BOARD], [20, S.E_IMG_HEADER], [100, S.E_IMG_DIGEST], [small.length - 20, S.E_ED_BAD_SIGNATURE], [small.length - 1, S.E_ED_S_RANGE], [small.length - 80, S.E_IMG_KEY]] as const) {
    const m = small.slice();
    m[at] ^= at === 16 ? 0x01 : 0x20; // "linecard-a" -> "minecard-a"; at 20 an upper-case letter
    expect.push({ index: verifyImageCalls(s, m), value: code, what: `corrupted at ${at}` });
  }

  const { wasmtime, v8, diffs } = runOnBothEngines(s, "image-wasmtime");
  assert.equal(diffs.slice(0, 5), [], `${diffs.length} calls differ`);
  for (const x of expect) {
    assert.is(wasmtime[x.index], x.value, `wasmtime: ${x.what}`);
    assert.is(v8[x.index], x.value, `V8: ${x.what}`);
  }
  assert.ok(s.length > 20_000, `${s.length} calls`);
});

test.run();
