// Key material lives only where the memory map says, and is wiped when cleared
// (docs/memory-map.md "Key material"). The whole linear memory is snapshotted around key
// set-up, use and clear and searched for key-derived bytes: the key, the padded key K0,
// K0 ^ ipad, K0 ^ opad (also as SHA-256 message-schedule words, which compress() stores
// byte-swapped) and the two precomputed intermediate states. Computed independently here
// (one SHA-256 compression in plain TypeScript), never read back from the core.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as crypto from "crypto";
import { Core } from "../host/core/core";
import { GaspSender } from "../host/gasp/gasp";
import { Rng } from "../host/util/rng";
import { parseIPv4, parseMac } from "../host/util/addr";
import { STATIC_BASE, STATIC_SIZE } from "../assembly/shared/memmap";
import { STATE_HMAC_SLOTS, STATE_GASP_TX_KEY } from "../assembly/state";
import { runImage } from "../host/image/verifier";
import { testKey, smallImage } from "./helpers/image";

const KEY = Core.frame(5);
const MSG = Core.frame(6);
const OUT = Core.slot(10);
const rng = new Rng(0x6b657973);

// ---- FIPS 180-4 §6.2.2, one compression: the reference for the precomputed key states ----
const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** The state after compressing one 64-byte block from H0, as the core stores it (u32 LE words). */
function stateAfter(block: Uint8Array): Uint8Array {
  const w = new Uint32Array(64);
  const dv = new DataView(block.buffer, block.byteOffset, 64);
  for (let t = 0; t < 16; t++) w[t] = dv.getUint32(4 * t, false);
  for (let t = 16; t < 64; t++) {
    const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
    const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  let [a, b, c, d, e, f, g, h] = H0;
  for (let t = 0; t < 64; t++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) >>> 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
    h = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  [a, b, c, d, e, f, g, h].forEach((v, i) => ov.setUint32(4 * i, (H0[i] + v) >>> 0, true));
  return out;
}

/** The same bytes with every 32-bit word reversed (a block as compress() loads it into W). */
const swapWords = (b: Uint8Array) => {
  const o = new Uint8Array(b.length);
  for (let i = 0; i + 4 <= b.length; i += 4) for (let j = 0; j < 4; j++) o[i + j] = b[i + 3 - j];
  return o;
};

/** Everything derived from key that must not survive a clear, by name. */
function derived(key: Uint8Array): [string, Uint8Array][] {
  const k0 = new Uint8Array(64);
  k0.set(key.length > 64 ? crypto.createHash("sha256").update(key).digest() : key);
  const ipad = k0.map((v) => v ^ 0x36);
  const opad = k0.map((v) => v ^ 0x5c);
  // The reference states are checked against OpenSSL's HMAC through the core in crypto.test.ts;
  // here they only have to be the bytes the slot holds.
  return [
    ["key", key], ["K0", k0], ["K0 ^ ipad", ipad], ["K0 ^ opad", opad],
    ["K0 (schedule words)", swapWords(k0)], ["K0 ^ ipad (schedule words)", swapWords(ipad)], ["K0 ^ opad (schedule words)", swapWords(opad)],
    ["inner key state", stateAfter(ipad)], ["outer key state", stateAfter(opad)],
  ];
}

const WIN = 8;

/**
 * Every 8-byte window of the patterns that says something: at least five distinct byte values,
 * so the zero (or 0x36 / 0x5c) padding of a short key and its edges never match by chance.
 */
function needles(patterns: [string, Uint8Array][]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [name, p] of patterns) {
    for (let i = 0; i + WIN <= p.length; i++) {
      const w = p.subarray(i, i + WIN);
      if (new Set(w).size < 5) continue;
      m.set(Buffer.from(w).toString("hex"), `${name} [${i}..${i + WIN})`);
    }
  }
  return m;
}

/** Where in memory any needle occurs, outside the allowed ranges: "0xADDR: what". */
function findLeaks(mem: Uint8Array, nd: Map<string, string>, allowed: [number, number][]): string[] {
  const found: string[] = [];
  let last = -2;
  const firsts = new Set<number>();
  for (const k of nd.keys()) firsts.add(parseInt(k.slice(0, 8), 16) >>> 0);
  const words = new Uint32Array(mem.buffer, mem.byteOffset, mem.length >>> 2);
  const PAGE = 4096;
  for (let page = 0; page < mem.length; page += PAGE) {
    let nonzero = false;
    for (let w = page >>> 2; w < (page + PAGE) >>> 2; w++) if (words[w] !== 0) { nonzero = true; break; }
    if (!nonzero) continue;
    const end = Math.min(mem.length - WIN, page + PAGE);
    for (let i = Math.max(0, page - WIN); i < end; i++) {
      const first = ((mem[i] << 24) | (mem[i + 1] << 16) | (mem[i + 2] << 8) | mem[i + 3]) >>> 0;
      if (!firsts.has(first)) continue;
      const what = nd.get(Buffer.from(mem.subarray(i, i + WIN)).toString("hex"));
      if (!what || allowed.some(([a, b]) => i >= a && i + WIN <= b)) continue;
      if (i !== last + 1) found.push(`0x${i.toString(16)}: ${what}`); // one line per run
      last = i;
    }
  }
  return found;
}

const slotRange = (slot: number): [number, number] => [STATE_HMAC_SLOTS + slot * 128, STATE_HMAC_SLOTS + slot * 128 + 64];

for (const keyLen of [20, 64, 100]) {
  test(`HMAC key of ${keyLen} bytes: set-up leaves it only in its slot; use and clear leave it nowhere`, () => {
    const core = Core.load();
    const staticBefore = core.read(STATIC_BASE, STATIC_SIZE);
    const key = rng.bytes(keyLen);
    const nd = needles(derived(key));
    const slot = 3;
    core.write(KEY, key);
    assert.is(core.call("hmac_set_key", slot, KEY, key.length, 7), 0);
    core.bytes.fill(0, KEY, KEY + key.length); // the host's copy is the host's to wipe

    const afterSetup = findLeaks(core.bytes, nd, [slotRange(slot)]);
    assert.equal(afterSetup, [], `key-derived bytes outside slot ${slot} after hmac_set_key`);
    // ...and the slot does hold both states (so the search would have found them elsewhere).
    const inSlot = findLeaks(core.bytes, nd, []);
    assert.ok(inSlot.some((s) => s.includes("inner key state")) && inSlot.some((s) => s.includes("outer key state")), "the slot holds the states");

    for (const len of [0, 13, 55, 56, 64, 200]) {
      const msg = rng.bytes(len);
      core.write(MSG, msg);
      assert.is(core.call("hmac_sha256", slot, MSG, len, OUT), 0);
      assert.equal(Buffer.from(core.read(OUT, 32)), crypto.createHmac("sha256", key).update(msg).digest());
    }
    core.call("sha256", MSG, 100, OUT);
    assert.equal(findLeaks(core.bytes, nd, [slotRange(slot)]), [], "key-derived bytes outside the slot after use");

    assert.is(core.call("hmac_clear_key", slot), 0);
    assert.equal(findLeaks(core.bytes, nd, []), [], "key-derived bytes anywhere after hmac_clear_key");
    assert.equal(core.read(STATIC_BASE, STATIC_SIZE), staticBefore, "the compiler-static region is never written");
  });
}

test("hashing and verifying never write the compiler-static region (every scratch buffer is in STATE)", () => {
  const core = Core.load();
  const before = core.read(STATIC_BASE, STATIC_SIZE);
  const msg = rng.bytes(300);
  core.write(MSG, msg);
  core.call("sha256", MSG, msg.length, OUT);
  core.call("sha512", MSG, msg.length, OUT);
  assert.equal(Buffer.from(core.read(OUT, 64)), crypto.createHash("sha512").update(msg).digest());
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const pub = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const sig = crypto.sign(null, msg, privateKey);
  core.write(KEY, pub);
  core.write(Core.frame(7), sig);
  assert.is(core.exports.ed25519_verify(KEY, MSG, msg.length, Core.frame(7)), 0, "Node's signature verifies");
  assert.equal(core.read(STATIC_BASE, STATIC_SIZE), before);
  // A signed image streamed in small chunks: the SHA-512 and SHA-256 states live across calls,
  // so the static region is compared after every call, not only at the end.
  const raw = core.exports as unknown as Record<string, (...a: number[]) => number>;
  const changed: string[] = [];
  const watched: Record<string, unknown> = { ...raw };
  for (const name of ["img_begin", "img_update", "img_trailer", "img_finish"]) {
    watched[name] = (...a: number[]) => {
      const r = raw[name](...a);
      if (Buffer.compare(Buffer.from(core.read(STATIC_BASE, STATIC_SIZE)), Buffer.from(before)) !== 0) changed.push(name);
      return r;
    };
  }
  (core as unknown as { exports: unknown }).exports = watched;
  const k = testKey(1);
  const r = runImage(core, smallImage(k), { mode: "verify", trust: [k.pub], chunk: 100 });
  assert.is(r.status, 0, `the image verifies: ${r.statusName}`);
  assert.equal([...new Set(changed)], []);
});

test("an armed gasp keeps its own copy of the key states, and nothing else does", () => {
  const core = Core.load();
  const s = new GaspSender(core);
  const key = rng.bytes(32);
  const nd = needles(derived(key));
  s.setKey(0, key, 1);
  s.arm({
    chassis: 0x4c470001, unit: 1, role: 1, priority: 100, keySlot: 0, boot: 1, copies: 2,
    ports: [{ ownMac: parseMac("02:00:00:0a:00:01"), peerMac: parseMac("02:00:00:0b:00:01"), ownIp: parseIPv4("192.0.2.1"), peerIp: parseIPv4("192.0.2.2"), encaps: ["raw", "udp"] }],
  });
  s.hello(5n);
  s.fire({ cause: 1, excerpt: "trap at 0x1000 in the scheduler" });
  core.call("hmac_clear_key", 0);
  const gaspKeys: [number, number] = [STATE_GASP_TX_KEY, STATE_GASP_TX_KEY + 64];
  assert.equal(findLeaks(core.bytes, nd, [gaspKeys]), [], "key-derived bytes outside the gasp sender's key states");
  assert.ok(findLeaks(core.bytes, nd, []).length > 0, "the gasp sender holds its copy");
  core.call("init"); // a new boot forgets the armed gasp with its keys
  assert.equal(findLeaks(core.bytes, nd, []), [], "key-derived bytes anywhere after init()");
});

test.run();
