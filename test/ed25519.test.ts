// SHA-512 and strict Ed25519 verification in the core, judged by Node's crypto (OpenSSL):
// known answers, 10^4 random key/message pairs signed by Node, 10^4 mutated signatures,
// keys and messages with identical accept/reject, and the inputs a strict verifier must
// refuse, each named — including the one class where it legitimately differs from OpenSSL.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as crypto from "crypto";
import { execFileSync } from "child_process";
import * as path from "path";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import { ED_SCRATCH_BASE, ED_SCRATCH_SIZE, IMG_WINDOW_BASE } from "../assembly/shared/memmap";
import * as S from "../assembly/shared/status";
import { publicKeyFromRaw, rawPublicKey } from "../host/image/keys";
import * as R from "./helpers/ed25519-ref";

const core = Core.load();
const e = core.exports;
const PUB = Core.slot(64);
const SIG = Core.slot(65);
const MSG = IMG_WINDOW_BASE;
const rng = new Rng(0xed25519);

function coreVerify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): number {
  core.write(PUB, pub);
  core.write(SIG, sig);
  core.write(MSG, msg);
  return e.ed25519_verify(PUB, MSG, msg.length, SIG);
}

/** Node's verdict; a key OpenSSL will not even import counts as a refusal. */
function nodeVerify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  let key: crypto.KeyObject;
  try {
    key = publicKeyFromRaw(pub);
  } catch {
    return false;
  }
  return crypto.verify(null, msg, key, sig);
}

const PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");
function keyFromSeed(seed: Uint8Array) {
  const priv = crypto.createPrivateKey({ key: Buffer.concat([PKCS8, seed]), format: "der", type: "pkcs8" });
  return { priv, pub: rawPublicKey(crypto.createPublicKey(priv)) };
}
const sign = (priv: crypto.KeyObject, msg: Uint8Array) => new Uint8Array(crypto.sign(null, msg, priv));

test("generated constant tables are up to date (scripts/gen-ed25519-tables.js --check)", () => {
  execFileSync(process.execPath, [path.join(__dirname, "..", "scripts", "gen-ed25519-tables.js"), "--check"]);
});

test("sha512() equals Node's SHA-512 for every length 0..300 and for long inputs", () => {
  const OUT = Core.slot(66);
  for (const n of [...Array.from({ length: 301 }, (_, i) => i), 1000, 4096, 65536, 100_000]) {
    const m = rng.bytes(n);
    core.write(MSG, m);
    assert.is(e.sha512(MSG, n, OUT), S.OK);
    assert.is(Buffer.from(core.read(OUT, 64)).toString("hex"), crypto.createHash("sha512").update(m).digest("hex"), `length ${n}`);
  }
});

test("10^4 random key/message pairs signed by Node: the core and Node both accept every one", () => {
  let accepted = 0;
  for (let i = 0; i < 10_000; i++) {
    const { priv, pub } = keyFromSeed(rng.bytes(32));
    const msg = rng.bytes(i % 10 === 0 ? rng.int(4096) : rng.int(200));
    const sig = sign(priv, msg);
    const rc = coreVerify(pub, msg, sig);
    if (rc !== S.OK || !nodeVerify(pub, msg, sig)) assert.unreachable(`pair ${i}: core ${rc}, node ${nodeVerify(pub, msg, sig)}`);
    accepted++;
  }
  assert.is(accepted, 10_000);
});

test("10^4 mutated signatures, keys and messages: the core and Node agree on every verdict", () => {
  const pool = Array.from({ length: 64 }, () => {
    const { priv, pub } = keyFromSeed(rng.bytes(32));
    const msg = rng.bytes(rng.int(300));
    return { pub, msg, sig: sign(priv, msg) };
  });
  const kinds = new Map<string, { n: number; accepted: number }>();
  let disagreements = 0;
  for (let i = 0; i < 10_000; i++) {
    const base = pool[rng.int(pool.length)];
    let pub: Uint8Array = base.pub.slice(), msg: Uint8Array = base.msg.slice(), sig: Uint8Array = base.sig.slice();
    const what = rng.pick(["sig-bit", "sig-byte", "sig-random", "S-plus-L", "R-other", "key-bit", "key-byte", "key-other", "msg-bit", "msg-extend", "msg-truncate", "msg-other"] as const);
    switch (what) {
      case "sig-bit": sig[rng.int(64)] ^= 1 << rng.int(8); break;
      case "sig-byte": sig[rng.int(64)] = rng.int(256); break;
      case "sig-random": sig = rng.bytes(64); break;
      case "S-plus-L": sig.set(R.le(R.fromLe(sig.subarray(32)) + R.L * BigInt(1 + rng.int(15)), 32), 32); break;
      case "R-other": sig.set(pool[rng.int(pool.length)].sig.subarray(0, 32), 0); break;
      case "key-bit": pub[rng.int(32)] ^= 1 << rng.int(8); break;
      case "key-byte": pub[rng.int(32)] = rng.int(256); break;
      case "key-other": pub = pool[rng.int(pool.length)].pub.slice(); break;
      case "msg-bit": if (msg.length) msg[rng.int(msg.length)] ^= 1 << rng.int(8); else msg = rng.bytes(1); break;
      case "msg-extend": msg = Uint8Array.from([...msg, rng.int(256)]); break;
      case "msg-truncate": msg = msg.subarray(0, msg.length ? rng.int(msg.length) : 0).slice(); if (!base.msg.length) msg = rng.bytes(2); break;
      case "msg-other": msg = rng.bytes(rng.int(300)); break;
    }
    const coreOk = coreVerify(pub, msg, sig) === S.OK;
    const nodeOk = nodeVerify(pub, msg, sig);
    if (coreOk !== nodeOk) disagreements++;
    const k = kinds.get(what) ?? { n: 0, accepted: 0 };
    k.n++;
    if (coreOk) k.accepted++;
    kinds.set(what, k);
  }
  assert.is(disagreements, 0, `${disagreements} verdicts differ`);
  // A mutation that happens to change nothing (a byte set to its own value, another pool
  // entry that is the same one) is still a valid signature: anything else is refused.
  const total = [...kinds.values()].reduce((n, k) => n + k.n, 0);
  assert.is(total, 10_000);
  for (const [kind, k] of kinds) assert.ok(k.accepted < k.n / 4, `${kind}: ${k.accepted} of ${k.n} accepted`);
});

// ---- the inputs a strict verifier refuses, each by name ----------------------------------------

const seed = Uint8Array.from(Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex"));
const good = (() => {
  const { priv, pub } = keyFromSeed(seed);
  const msg = new TextEncoder().encode("lastgasp image");
  return { priv, pub, msg, sig: sign(priv, msg) };
})();

function withS(sig: Uint8Array, s: bigint): Uint8Array {
  const out = sig.slice();
  out.set(R.le(s, 32), 32);
  return out;
}

test("S >= L is refused (E_ED_S_RANGE): S = L, S + L (same value mod L), 2^256 - 1; Node agrees", () => {
  const s = R.fromLe(good.sig.subarray(32));
  for (const [name, v] of [["S = L", R.L], ["S + L", s + R.L], ["S + 15L", s + 15n * R.L], ["2^256 - 1", (1n << 256n) - 1n]] as const) {
    const sig = withS(good.sig, v);
    assert.is(coreVerify(good.pub, good.msg, sig), S.E_ED_S_RANGE, name);
    assert.is(nodeVerify(good.pub, good.msg, sig), false, `Node on ${name}`);
  }
  assert.is(coreVerify(good.pub, good.msg, good.sig), S.OK, "the genuine signature");
});

test("non-canonical R is refused (E_ED_R_ENCODING): y >= p, and x = 0 with the sign bit; Node agrees", () => {
  const cases: [string, Uint8Array][] = [
    ["y = p", R.encodeRaw(R.P, 0)],
    ["y = p + 1 (the identity, non-canonically)", R.encodeRaw(R.P + 1n, 0)],
    ["y = 2^255 - 1", R.encodeRaw((1n << 255n) - 1n, 1)],
    ["identity with the sign bit (-0)", R.encodeRaw(1n, 1)],
    ["(0, -1) with the sign bit (-0)", R.encodeRaw(R.P - 1n, 1)],
  ];
  for (const [name, r] of cases) {
    const sig = good.sig.slice();
    sig.set(r, 0);
    assert.is(coreVerify(good.pub, good.msg, sig), S.E_ED_R_ENCODING, name);
    assert.is(nodeVerify(good.pub, good.msg, sig), false, `Node on ${name}`);
  }
});

test("the signer's R with its sign bit flipped (the point -R's x) is refused by the equation; Node agrees", () => {
  const sig = good.sig.slice();
  sig[31] ^= 0x80;
  assert.is(coreVerify(good.pub, good.msg, sig), S.E_ED_BAD_SIGNATURE);
  assert.is(nodeVerify(good.pub, good.msg, sig), false);
});

test("non-canonical public keys are refused (E_ED_KEY_ENCODING): y >= p, x = 0 with the sign bit", () => {
  for (const [name, a] of [
    ["y = p + 1", R.encodeRaw(R.P + 1n, 0)],
    ["y = p", R.encodeRaw(R.P, 0)],
    ["-0: identity with the sign bit", R.encodeRaw(1n, 1)],
    ["-0: (0, -1) with the sign bit", R.encodeRaw(R.P - 1n, 1)],
  ] as const) {
    core.write(PUB, a);
    assert.is(e.ed25519_check_key(PUB), S.E_ED_KEY_ENCODING, name);
    assert.is(coreVerify(a, good.msg, good.sig), S.E_ED_KEY_ENCODING, name);
  }
});

test("a public key that is no point is refused (E_ED_KEY_NOT_ON_CURVE)", () => {
  let found = 0;
  for (let y = 2n; found < 5; y++) {
    if (R.pointFromY(y, 0)) continue;
    const a = R.encodeRaw(y, 0);
    core.write(PUB, a);
    assert.is(e.ed25519_check_key(PUB), S.E_ED_KEY_NOT_ON_CURVE, `y = ${y}`);
    assert.is(nodeVerify(a, good.msg, good.sig), false);
    found++;
  }
});

test("every small-order public key is refused (E_ED_KEY_SMALL_ORDER), all eight torsion points", () => {
  const t = R.torsion();
  assert.is(t.length, 8);
  for (const [i, p] of t.entries()) {
    const a = R.encode(p);
    core.write(PUB, a);
    assert.is(e.ed25519_check_key(PUB), S.E_ED_KEY_SMALL_ORDER, `torsion point ${i} (${Buffer.from(a).toString("hex")})`);
  }
});

test("where strict and OpenSSL differ: a forged signature under a small-order key — Node accepts, the core refuses", () => {
  // A = the identity: [k]A = identity for every k, so R = [s]B, S = s satisfies the
  // cofactorless equation for EVERY message. OpenSSL does not check the key's order.
  const A = R.encode(R.IDENTITY);
  const s = 0x1234567n;
  const forged = new Uint8Array(64);
  forged.set(R.encode(R.mul(s, R.B)), 0);
  forged.set(R.le(s, 32), 32);
  for (const msg of [good.msg, new TextEncoder().encode("any message at all")]) {
    assert.is(nodeVerify(A, msg, forged), true, "OpenSSL accepts the forgery (documented in docs/image-format.md)");
    assert.is(coreVerify(A, msg, forged), S.E_ED_KEY_SMALL_ORDER);
  }
  // The same with a key of order 4 (y = 0): [k]A depends on k mod 4 only, so a forgery
  // holds for a quarter of all messages; try messages until one does.
  const A4 = R.encode(R.pointFromY(0n, 0)!);
  let shown = false;
  for (let i = 0; i < 64 && !shown; i++) {
    const msg = new TextEncoder().encode(`message ${i}`);
    const Rb = R.encode(R.mul(s, R.B));
    if (R.challenge(Rb, A4, msg) % 4n !== 0n) continue;
    const sig = new Uint8Array(64);
    sig.set(Rb, 0);
    sig.set(R.le(s, 32), 32);
    assert.is(nodeVerify(A4, msg, sig), true, "OpenSSL accepts under an order-4 key");
    assert.is(coreVerify(A4, msg, sig), S.E_ED_KEY_SMALL_ORDER);
    shown = true;
  }
  assert.ok(shown, "no message with k = 0 mod 4 in 64 tries");
});

test("the non-canonical identity as a key (y = p + 1): Node's verdict on a forgery, and the core's refusal", () => {
  const A = R.encodeRaw(R.P + 1n, 0);
  const s = 99n;
  const forged = new Uint8Array(64);
  forged.set(R.encode(R.mul(s, R.B)), 0);
  forged.set(R.le(s, 32), 32);
  const node = nodeVerify(A, good.msg, forged);
  // OpenSSL reduces y modulo p: it reads this key as the identity and accepts the forgery.
  assert.is(node, true, "OpenSSL reduces a non-canonical y and accepts");
  assert.is(coreVerify(A, good.msg, forged), S.E_ED_KEY_ENCODING);
});

test("mixed-order key (prime-order point + torsion): not refused by the key checks; the cofactorless equation decides, as in OpenSSL", () => {
  const { a, A } = R.expandSeed(seed);
  const T = R.torsion()[1]; // order 8
  const Amixed = R.encode(R.add(R.pointFromY(R.fromLe(A) & ((1n << 255n) - 1n), Number(A[31] >> 7))!, T));
  core.write(PUB, Amixed);
  assert.is(e.ed25519_check_key(PUB), S.OK, "not of small order");
  // The genuine signature under A does not verify under A + T (the k T term does not vanish
  // unless 8 | k); both verifiers agree on every message tried.
  for (let i = 0; i < 16; i++) {
    const msg = new TextEncoder().encode(`mixed ${i}`);
    const sig = R.signWithNonce(a, Amixed, msg, 1000n + BigInt(i));
    assert.is(coreVerify(Amixed, msg, sig) === S.OK, nodeVerify(Amixed, msg, sig), `message ${i}`);
  }
});

test("small-order R (the identity, nonce r = 0) with a genuine key: a valid signature by the key holder; both accept", () => {
  const { a, A } = R.expandSeed(seed);
  const sig = R.signWithNonce(a, A, good.msg, 0n);
  assert.is(Buffer.from(sig.subarray(0, 32)).toString("hex"), "01" + "00".repeat(31), "R is the identity");
  assert.is(nodeVerify(A, good.msg, sig), true);
  assert.is(coreVerify(A, good.msg, sig), S.OK);
});

test("RFC 8032 §7.1 vectors are in selftest(); selftest passes", () => {
  assert.is(e.selftest(), 0);
});

test("arguments: out of range or overlapping the verifier's scratch give E_RANGE; scratch is wiped after each call", () => {
  assert.is(e.ed25519_verify(0, MSG, 0, SIG), S.E_RANGE);
  assert.is(e.ed25519_verify(PUB, ED_SCRATCH_BASE + 16, 8, SIG), S.E_RANGE);
  assert.is(e.ed25519_verify(PUB, MSG, -1, SIG), S.E_RANGE);
  assert.is(e.sha512(MSG, 10, ED_SCRATCH_BASE), S.E_RANGE);
  assert.is(e.ed25519_check_key(0x0300_0000 - 16), S.E_RANGE);
  assert.is(coreVerify(good.pub, good.msg, good.sig), S.OK);
  assert.ok(core.read(ED_SCRATCH_BASE, ED_SCRATCH_SIZE).every((b) => b === 0), "scratch wiped after a valid signature");
  assert.is(coreVerify(good.pub, good.msg, withS(good.sig, 5n)), S.E_ED_BAD_SIGNATURE);
  assert.ok(core.read(ED_SCRATCH_BASE, ED_SCRATCH_SIZE).every((b) => b === 0), "scratch wiped after a refusal");
});

test.run();
