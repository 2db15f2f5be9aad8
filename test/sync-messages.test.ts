// Sync messages: every type survives encode/decode; truncated, extended and random bytes are
// refused with a reason, never an exception.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../host/util/rng";
import { FATE_KINDS, Message, decodeMessage, encodeMessage } from "../host/sync/messages";
import { MODES } from "../host/sync/policy";
import { POLICY_ACTIONS } from "../host/sync/tft";

const rng = new Rng(31);
const str = () => Array.from({ length: rng.int(40) }, () => rng.pick(["a", "b", " ", "é", "→", "1", "<", "|"])).join("");
const strs = () => Array.from({ length: rng.int(6) }, str);
const digest = () => Buffer.from(rng.bytes(32)).toString("hex");
const u32 = () => rng.u32();
const events = () => Array.from({ length: rng.int(3) }, () => ({ where: str(), id: str(), text: str(), action: rng.pick(POLICY_ACTIONS), cause: str(), reason: str() }));

function randomMessage(): Message {
  switch (rng.int(12)) {
    case 0: return { type: "dump-begin", version: str(), entries: u32(), bytes: u32(), digest: digest() };
    case 1: return { type: "dump-data", offset: u32(), data: rng.bytes(rng.int(1200)) };
    case 2: return { type: "diff", version: str(), adl: strs(), sdl: strs(), verdict: rng.pick(["none", "compatible", "incompatible"] as const), reasons: strs() };
    case 3: return { type: "compat", compatible: rng.bool(), mode: rng.pick(MODES), reasons: strs() };
    case 4: return { type: "config-begin", lines: u32(), bytes: u32(), digest: digest() };
    case 5: return { type: "config-data", offset: u32(), data: rng.bytes(rng.int(1200)) };
    case 6: return { type: "verify", received: { lines: u32(), digest: digest() }, running: { lines: u32(), digest: digest() }, selfCheck: rng.pick(["none", "match", "mismatch"] as const), prcs: Array.from({ length: rng.int(4) }, () => ({ line: u32(), prc: rng.int(6), text: str(), detail: str() })), events: events() };
    case 7: return { type: "result", mode: rng.pick(MODES), inSync: rng.bool(), reasons: strs() };
    case 8: return { type: "cmd", id: u32(), source: str(), lines: strs() };
    case 9: return { type: "cmd-ack", id: u32(), prc: rng.int(6), fate: rng.pick(FATE_KINDS), detail: str(), applied: strs(), events: events() };
    case 10: return { type: "verify-req", expected: { lines: u32(), digest: digest() } };
    default: return { type: "abort", reason: str() };
  }
}

const plain = (m: Message) => JSON.parse(JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));

test("every message type round-trips (2,000 random messages)", () => {
  const types = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const m = randomMessage();
    types.add(m.type);
    const d = decodeMessage(encodeMessage(m));
    assert.ok(d.ok, `${m.type}: ${(d as any).error}`);
    if (d.ok) assert.equal(plain(d.msg), plain(m));
  }
  assert.is(types.size, 12);
});

test("truncated or extended encodings are refused with a reason", () => {
  for (let i = 0; i < 500; i++) {
    const b = encodeMessage(randomMessage());
    const cut = decodeMessage(b.slice(0, rng.int(b.length)));
    assert.not.ok(cut.ok);
    const longer = decodeMessage(Uint8Array.from([...b, rng.int(256)]));
    assert.not.ok(longer.ok);
    if (!longer.ok) assert.match(longer.error, /trailing/);
  }
});

test("100,000 random byte strings never throw", () => {
  let ok = 0;
  for (let i = 0; i < 100_000; i++) {
    const d = decodeMessage(rng.bytes(rng.int(64)));
    if (d.ok) ok++;
    else assert.type(d.error, "string");
  }
  assert.ok(ok < 2000, `${ok} random strings decoded`);
});

test("values that do not fit are refused when encoding, not silently truncated", () => {
  assert.throws(() => encodeMessage({ type: "verify-req", expected: { lines: 2 ** 32, digest: "00".repeat(32) } }), /32 bits/);
  assert.throws(() => encodeMessage({ type: "config-begin", lines: 1, bytes: 1, digest: "xyz" }), /digest/);
  assert.throws(() => encodeMessage({ type: "abort", reason: "x".repeat(70_000) }), /16 bits/);
});

test.run();
