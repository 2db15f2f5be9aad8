// SHA-256 and HMAC-SHA256 against Node's crypto (OpenSSL) over many random inputs, and the
// cost model the fault path relies on.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as crypto from "crypto";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import { E_STATE, E_ARG, E_RANGE } from "../assembly/shared/status";

const core = Core.load();
const MSG = Core.frame(4);
const KEY = Core.frame(5);
const OUT = Core.slot(10);
const rng = new Rng(0x5a256);

test("sha256 equals OpenSSL for 2,000 random messages of 0..300 bytes", () => {
  for (let i = 0; i < 2000; i++) {
    const msg = rng.bytes(i < 301 ? i : rng.int(301));
    core.write(MSG, msg);
    assert.is(core.call("sha256", MSG, msg.length, OUT), 0);
    const want = crypto.createHash("sha256").update(msg).digest("hex");
    assert.is(Buffer.from(core.read(OUT, 32)).toString("hex"), want, `length ${msg.length}`);
  }
});

test("hmac_sha256 equals OpenSSL for 2,000 random keys (0..200 bytes) and messages", () => {
  for (let i = 0; i < 2000; i++) {
    const key = rng.bytes(rng.int(201));
    const msg = rng.bytes(rng.int(400));
    const slot = rng.int(8);
    core.write(KEY, key);
    core.write(MSG, msg);
    assert.is(core.call("hmac_set_key", slot, KEY, key.length, i), 0);
    assert.is(core.call("hmac_sha256", slot, MSG, msg.length, OUT), 0);
    const want = crypto.createHmac("sha256", key).update(msg).digest("hex");
    assert.is(Buffer.from(core.read(OUT, 32)).toString("hex"), want, `key ${key.length} msg ${msg.length}`);
  }
});

test("precomputed key states: a MAC costs ceil((len+9)/64)+1 compressions, 2 up to 55 bytes", () => {
  core.write(KEY, rng.bytes(32));
  core.call("hmac_set_key", 0, KEY, 32, 1);
  for (let len = 0; len <= 200; len++) {
    const before = core.exports.sha256_compressions();
    core.call("hmac_sha256", 0, MSG, len, OUT);
    const used = core.exports.sha256_compressions() - before;
    assert.is(used, Math.ceil((len + 9) / 64) + 1, `length ${len}`);
    if (len <= 55) assert.is(used, 2);
  }
});

test("key slots are independent and an empty slot refuses to MAC", () => {
  core.write(KEY, Uint8Array.from([1, 2, 3]));
  core.call("hmac_set_key", 1, KEY, 3, 7);
  core.write(KEY, Uint8Array.from([4, 5, 6]));
  core.call("hmac_set_key", 2, KEY, 3, 8);
  core.write(MSG, Uint8Array.from([9]));
  core.call("hmac_sha256", 1, MSG, 1, OUT);
  assert.is(Buffer.from(core.read(OUT, 32)).toString("hex"), crypto.createHmac("sha256", Buffer.from([1, 2, 3])).update(Buffer.from([9])).digest("hex"));
  core.call("hmac_clear_key", 1);
  assert.is(core.exports.hmac_sha256(1, MSG, 1, OUT), E_STATE);
  assert.is(core.exports.hmac_sha256(8, MSG, 1, OUT), E_ARG, "slot 8 is the self-test's, not the host's");
  assert.is(core.exports.hmac_sha256(-1, MSG, 1, OUT), E_ARG);
  assert.is(core.exports.hmac_sha256(2, 0x10000, 1, OUT), E_RANGE, "core-private memory is not an argument");
});

test.run();
