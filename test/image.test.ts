// The signed image format and the core's strict parser: byte-exact layout, round trips,
// every single-byte corruption refused, truncated / extended / oversized / garbage images
// refused with a reason and never a trap, streaming in any chunk size, and every structural
// rule by name (on images that are properly signed, so the parser is what refuses them).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as crypto from "crypto";
import * as F from "../assembly/shared/image";
import * as S from "../assembly/shared/status";
import { ED_SCRATCH_BASE, ED_SCRATCH_SIZE, IMG_WINDOW_BASE } from "../assembly/shared/memmap";
import { STATE_IMG_BASE, STATE_IMG_TRAILER, STATE_IMG_COLLECT, STATE_IMG_ED, STATE_IMG_SHA256 } from "../assembly/state";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import { buildImage, parseVersion, ImageInputError } from "../host/image/format";
import { runImage, configureTrust, ImageResult } from "../host/image/verifier";
import { testKey, smallImage, smallSpec, realImage, rawImage, standardRecords, part, SMALL_CORE, SMALL_BOARD, WASM_PREAMBLE } from "./helpers/image";

const key = testKey(1);
const other = testKey(2);
const core = Core.load();
const e = core.exports;
const rng = new Rng(0x1a6e);

const verify = (img: Uint8Array, opts: { board?: string; chunk?: number; trust?: Uint8Array[] } = {}) =>
  runImage(core, img, { mode: "verify", trust: opts.trust ?? [key.pub], board: opts.board, chunk: opts.chunk });
const parse = (img: Uint8Array, chunk?: number) => runImage(core, img, { mode: "parse", chunk });

test("byte-exact layout: a small image laid out field by field from docs/image-format.md", () => {
  const img = smallImage(key);
  const sha = (b: Uint8Array) => [...crypto.createHash("sha256").update(b).digest()];
  const u16 = (v: number) => [v & 0xff, v >> 8];
  const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
  const pad = (n: number) => new Array((8 - (n % 8)) % 8).fill(0);
  const coreValue = [...sha(SMALL_CORE), ...SMALL_CORE];
  const boardValue = [...sha(SMALL_BOARD), ...SMALL_BOARD];
  const body = [
    ...u16(0x8001), 0, 0, ...u32(coreValue.length), ...coreValue, ...pad(coreValue.length),
    ...u16(0x8002), 0, 0, ...u32(boardValue.length), ...boardValue, ...pad(boardValue.length),
    ...u16(0x8010), 0, 0, ...u32(16), ...key.id,
    ...u16(0x8011), 0, 0, ...u32(64),
  ];
  const total = 64 + body.length + 64;
  const header = [
    0x4c, 0x47, 0x49, 0x4d, // "LGIM"
    ...u16(1), ...u16(64), ...u32(total), ...u32(0),
    ...Buffer.from("linecard-a"), ...new Array(22).fill(0),
    1, 2, ...u16(3), ...u32(4), // version 1.2.3+4
    ...u32(5), // security counter
    ...u16(4), 0, 0, // records, reserved
  ];
  assert.is(header.length, 64);
  const signed = Uint8Array.from([...header, ...body]);
  const expected = Uint8Array.from([...signed, ...crypto.sign(null, signed, key.priv)]);
  assert.is(Buffer.from(img).toString("hex"), Buffer.from(expected).toString("hex"));
  assert.ok(crypto.verify(null, signed, crypto.createPublicKey(key.priv), img.subarray(total - 64)), "Node verifies the signature over everything before it");
});

test("round trip: what was built is what the core parses, field by field; verifies under the key", () => {
  const img = smallImage(key);
  const r = parse(img);
  assert.is(r.status, S.OK, r.reason);
  assert.equal(r.header, {
    magic: F.IMG_MAGIC, formatVersion: 1, headerLength: 64, imageLength: img.length, flags: 0, board: "linecard-a",
    version: { major: 1, minor: 2, patch: 3, build: 4, text: "1.2.3+4" }, securityCounter: 5, recordCount: 4, reserved: 0,
  });
  assert.equal(r.records.map((x) => [x.name, x.offset, x.contentLength, x.digestOk]), [
    ["core", 64, SMALL_CORE.length, true],
    ["board", 64 + 8 + 48, SMALL_BOARD.length, true],
    ["key-id", img.length - 96, 16, undefined],
    ["signature", img.length - 72, 64, undefined],
  ]);
  assert.is(r.keyId, Buffer.from(key.id).toString("hex"));
  assert.is(verify(img).status, S.OK);
  assert.is(verify(img, { board: "linecard-a" }).status, S.OK);
});

test("round trip of a real image (build/core.wasm, boards/linecard-a.json, a native build): parsed and verified", () => {
  const native = rng.bytes(300_000); // larger than the image window: streamed in several chunks
  const img = realImage(key, native);
  const r = verify(img, { board: "linecard-a" });
  assert.is(r.status, S.OK, r.reason);
  assert.equal(r.records.map((x) => x.name), ["core", "board", "native", "key-id", "signature"]);
  const n = r.records[2];
  assert.is(Buffer.from(img.subarray(n.contentOffset, n.contentOffset + n.contentLength)).equals(Buffer.from(native)), true);
  assert.is(n.sha256, crypto.createHash("sha256").update(native).digest("hex"));
});

test("the builder refuses inputs out of the format's bounds", () => {
  assert.throws(() => buildImage(smallSpec(key, { core: new Uint8Array(F.IMG_CORE_MAX + 1) })), (x: unknown) => x instanceof ImageInputError);
  assert.throws(() => buildImage(smallSpec(key, { board: new Uint8Array(1) })), (x: unknown) => x instanceof ImageInputError);
  assert.throws(() => buildImage(smallSpec(key, { boardId: "Linecard" })), (x: unknown) => x instanceof ImageInputError);
  assert.throws(() => buildImage(smallSpec(key, { securityCounter: -1 })), (x: unknown) => x instanceof ImageInputError);
  for (const bad of ["1.2", "256.0.0", "1.2.65536", "1.2.3+4294967296", "1.2.3-rc1", "v1.2.3"]) assert.throws(() => parseVersion(bad), (x: unknown) => x instanceof ImageInputError, bad);
  assert.equal(parseVersion("255.255.65535+4294967295"), { major: 255, minor: 255, patch: 65535, build: 4294967295 });
});

test("every single-byte corruption of a genuine image is refused (every offset, three flips each)", () => {
  const img = smallImage(key);
  const reasons = new Map<string, number>();
  for (let i = 0; i < img.length; i++) {
    for (const x of [0x01, 0x80, 0xff]) {
      const m = img.slice();
      m[i] ^= x;
      const r = verify(m, { board: "linecard-a" });
      if (r.status === S.OK) assert.unreachable(`corruption at offset ${i} (^0x${x.toString(16)}) accepted`);
      reasons.set(r.statusName, (reasons.get(r.statusName) ?? 0) + 1);
    }
  }
  assert.ok(reasons.size >= 8, `only ${[...reasons.keys()].join(", ")}`);
});

test("a real image: every structural byte and 2000 content bytes corrupted, each refused", () => {
  const img = realImage(key);
  const r0 = parse(img);
  const offsets = new Set<number>();
  for (let i = 0; i < 64; i++) offsets.add(i);
  for (const rec of r0.records) {
    for (let i = rec.offset; i < rec.contentOffset; i++) offsets.add(i); // record header + digest
    for (let i = rec.offset + 8 + rec.length; i < ((rec.offset + 8 + rec.length + 7) & ~7); i++) offsets.add(i); // padding
  }
  for (let i = img.length - 96; i < img.length; i++) offsets.add(i);
  const structural = offsets.size;
  while (offsets.size < structural + 2000) offsets.add(rng.int(img.length));
  for (const i of offsets) {
    const m = img.slice();
    m[i] ^= 1 + rng.int(255);
    if (verify(m).status === S.OK) assert.unreachable(`corruption at offset ${i} accepted`);
  }
});

test("truncated images (every shorter length) and extended images are refused, each with one line", () => {
  const img = smallImage(key);
  for (let n = 0; n < img.length; n++) {
    const r = verify(img.subarray(0, n));
    assert.ok(r.status < 0 && r.reason.length > 0 && !r.reason.includes("\n"), `prefix of ${n} bytes: ${r.statusName}`);
    assert.is(r.status, S.E_IMG_LENGTH, `prefix of ${n} bytes`);
  }
  for (const extra of [1, 7, 8, 64, 1000]) {
    for (const fill of [0x00, 0xa5]) {
      const m = Uint8Array.from([...img, ...new Array(extra).fill(fill)]);
      const r = verify(m);
      assert.is(r.status, S.E_IMG_LENGTH, `${extra} bytes of 0x${fill.toString(16)} appended`);
      assert.match(r.reason, /extended/);
    }
  }
  assert.match(verify(img.subarray(0, img.length - 8)).reason, /truncated/);
});

test("oversized: the core refuses a length over IMG_MAX_LEN before reading a byte", () => {
  assert.is(e.img_begin(F.IMG_MAX_LEN + 1, F.IMG_MODE_VERIFY), S.E_IMG_LENGTH);
  assert.is(e.img_update(IMG_WINDOW_BASE, 8), S.E_IMG_LENGTH, "sticky");
  assert.is(e.img_begin(-1, F.IMG_MODE_PARSE), S.E_IMG_LENGTH);
  // A header that declares more than the maximum, in a file of the declared... shorter length.
  const img = smallImage(key);
  const m = img.slice();
  new DataView(m.buffer).setUint32(F.IMG_OFF_IMAGE_LEN, F.IMG_MAX_LEN + 8, true);
  assert.is(verify(m).status, S.E_IMG_LENGTH);
});

test("garbage of every kind is refused with a reason and never traps", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const n = rng.int(i < 1000 ? 400 : 3000);
    const g = rng.bytes(n);
    if (i % 3 === 1 && n >= 4) g.set([0x4c, 0x47, 0x49, 0x4d]); // the magic, then garbage
    if (i % 3 === 2 && n >= 12) {
      g.set([0x4c, 0x47, 0x49, 0x4d, 1, 0, 64, 0]);
      new DataView(g.buffer).setUint32(8, n, true); // and a length that matches
    }
    for (const mode of ["parse", "verify"] as const) {
      const r: ImageResult = runImage(core, g, { mode, trust: [key.pub] });
      assert.ok(r.status < 0, `garbage ${i} (${n} bytes) accepted`);
      assert.ok(r.reason && !r.reason.includes("\n"));
      seen.add(r.statusName);
    }
  }
  assert.is(e.last_abort_line(), 0, "no abort fired");
  assert.ok(seen.size >= 4, [...seen].join(", "));
});

test("streaming: the same verdicts and record tables for chunks of 1, 2, 3, 7, 64 and 4096 bytes", () => {
  const img = smallImage(key, { extensions: [{ type: 0x0042, value: rng.bytes(13) }] });
  const corrupt = img.slice();
  corrupt[150] ^= 4;
  for (const sample of [img, corrupt]) {
    const whole = verify(sample);
    for (const chunk of [1, 2, 3, 7, 64, 4096]) {
      const r = verify(sample, { chunk });
      assert.is(r.status, whole.status, `chunk ${chunk}`);
      assert.equal(r.records, whole.records, `chunk ${chunk}`);
      assert.is(r.errOffset, whole.errOffset);
    }
  }
});

// ---- the rules, one by one, on properly signed images --------------------------------------

const refusedWith = (img: Uint8Array, code: number, what: string, opts: { board?: string } = {}) => {
  const r = verify(img, opts);
  assert.is(r.statusName, S.OK === code ? "OK" : Object.entries(S).find(([, v]) => v === code)![0], `${what}: ${r.reason}`);
  return r;
};

test("a non-critical record the core does not know is skipped (and still signed); a critical one refuses the image", () => {
  const ok = smallImage(key, { extensions: [{ type: 0x0042, value: new TextEncoder().encode("build note") }, { type: 0x7fff, value: new Uint8Array(0) }] });
  const r = refusedWith(ok, S.OK, "non-critical extensions");
  assert.equal(r.records.map((x) => [x.name, x.unknown]), [["core", false], ["board", false], ["0x0042 (unknown)", true], ["0x7fff (unknown)", true], ["key-id", false], ["signature", false]]);
  const recs = standardRecords(key);
  recs.splice(2, 0, { type: 0x8042, value: new Uint8Array(8) });
  refusedWith(rawImage(key, recs), S.E_IMG_CRITICAL, "unknown critical record");
});

test("required records, order and duplicates", () => {
  const [coreRec, boardRec, keyRec, sigRec] = standardRecords(key);
  const bigCore = { type: F.IMG_REC_CORE, value: part(Uint8Array.from([...WASM_PREAMBLE, ...new Array(100).fill(0)])) };
  refusedWith(rawImage(key, [bigCore, keyRec, sigRec]), S.E_IMG_HEADER, "no board: 3 records");
  refusedWith(rawImage(key, [bigCore, keyRec, sigRec], { count: 4 }), S.E_IMG_MISSING, "no board, a count of 4");
  refusedWith(rawImage(key, [boardRec, coreRec, keyRec, sigRec]), S.E_IMG_MISSING, "board first");
  refusedWith(rawImage(key, [coreRec, coreRec, boardRec, keyRec, sigRec]), S.E_IMG_MISSING, "two cores");
  refusedWith(rawImage(key, [coreRec, boardRec, boardRec, keyRec, sigRec]), S.E_IMG_RECORD, "two boards");
  const native = { type: F.IMG_REC_NATIVE, value: part(Uint8Array.of(1, 2, 3)) };
  refusedWith(rawImage(key, [coreRec, boardRec, native, keyRec, sigRec]), S.OK, "core, board, native");
  refusedWith(rawImage(key, [coreRec, boardRec, { type: 0x0042, value: new Uint8Array(3) }, native, keyRec, sigRec]), S.E_IMG_RECORD, "native after an extension");
  refusedWith(rawImage(key, [coreRec, boardRec, native, native, keyRec, sigRec]), S.E_IMG_RECORD, "two natives");
  // The key id and signature must be the last two records: verify mode finds no trailer at the
  // end; parse mode finds the record out of place.
  for (const [what, recs, inParse] of [
    ["key id not in the trailer", [coreRec, boardRec, keyRec, { type: 0x0042, value: new Uint8Array(8) }, sigRec], "E_IMG_RECORD"],
    ["signature before key id", [coreRec, boardRec, sigRec, keyRec], "E_IMG_MISSING"],
  ] as const) {
    const img = rawImage(key, [...recs]);
    refusedWith(img, S.E_IMG_TRAILER, what);
    assert.is(parse(img).statusName, inParse, what);
  }
});

test("header fields: magic, format, header length, flags, reserved, board id, record count", () => {
  const recs = standardRecords(key);
  refusedWith(rawImage(key, recs, { magic: 0x4d49474d }), S.E_IMG_MAGIC, "magic");
  refusedWith(rawImage(key, recs, { format: 2 }), S.E_IMG_FORMAT, "format 2");
  refusedWith(rawImage(key, recs, { headerLen: 72 }), S.E_IMG_FORMAT, "header length");
  refusedWith(rawImage(key, recs, { flags: 1 }), S.E_IMG_HEADER, "an unknown flag");
  refusedWith(rawImage(key, recs, { flags: 0x80000000 }), S.E_IMG_HEADER, "the top flag");
  refusedWith(rawImage(key, recs, { reserved: 1 }), S.E_IMG_HEADER, "reserved");
  refusedWith(rawImage(key, recs, { board: "" }), S.E_IMG_HEADER, "empty board id");
  refusedWith(rawImage(key, recs, { board: "Linecard-a" }), S.E_IMG_HEADER, "upper case board id");
  refusedWith(rawImage(key, recs, { board: Uint8Array.from([...Buffer.from("linecard-a"), 0, 0x41]) }), S.E_IMG_HEADER, "bytes after the NUL");
  refusedWith(rawImage(key, recs, { board: "a".repeat(32) }), S.OK, "a 32-character board id");
  refusedWith(rawImage(key, recs, { count: 5 }), S.E_IMG_HEADER, "count 5 for 4 records");
  refusedWith(rawImage(key, recs, { count: 3 }), S.E_IMG_HEADER, "count 3");
  refusedWith(rawImage(key, recs, { count: 17 }), S.E_IMG_HEADER, "count over the maximum");
});

test("record lengths, reserved fields and padding", () => {
  const [coreRec, boardRec, keyRec, sigRec] = standardRecords(key);
  refusedWith(rawImage(key, [{ ...coreRec, reserved: 1 }, boardRec, keyRec, sigRec]), S.E_IMG_RECORD, "record reserved field");
  refusedWith(rawImage(key, [{ ...coreRec, len: coreRec.value.length + 8 }, boardRec, keyRec, sigRec]), S.E_IMG_DIGEST, "core length 8 more (reads into the board record)");
  refusedWith(rawImage(key, [{ ...coreRec, len: 0x7fffffff }, boardRec, keyRec, sigRec]), S.E_IMG_RECORD_LENGTH, "core length 2^31 - 1");
  refusedWith(rawImage(key, [{ ...coreRec, len: 0xffffffff }, boardRec, keyRec, sigRec]), S.E_IMG_RECORD_LENGTH, "core length 2^32 - 1");
  refusedWith(rawImage(key, [{ ...coreRec, len: 1000 }, boardRec, keyRec, sigRec]), S.E_IMG_RECORD_LENGTH, "core running into the trailer");
  refusedWith(rawImage(key, [{ type: F.IMG_REC_CORE, value: part(Uint8Array.of(0, 0x61, 0x73)) }, boardRec, keyRec, sigRec]), S.E_IMG_RECORD_LENGTH, "core shorter than a wasm preamble");
  refusedWith(rawImage(key, [coreRec, { type: F.IMG_REC_BOARD, value: part(new Uint8Array(1)) }, keyRec, sigRec]), S.E_IMG_RECORD_LENGTH, "one-byte board");
  const longId = rawImage(key, [coreRec, boardRec, { ...keyRec, value: new Uint8Array(24) }, sigRec]);
  refusedWith(longId, S.E_IMG_TRAILER, "key id of 24 bytes: the last 96 bytes are no trailer");
  assert.is(parse(longId).statusName, "E_IMG_RECORD", "the same in parse mode: the record at the trailer's place is not a key id");
  refusedWith(rawImage(key, [coreRec, boardRec, { type: 0x0042, value: new Uint8Array(F.IMG_EXT_MAX + 8) }, keyRec, sigRec]), S.E_IMG_RECORD_LENGTH, "extension over its bound");
  refusedWith(rawImage(key, [{ ...coreRec, pad: 0x01 }, boardRec, keyRec, sigRec]), S.E_IMG_PADDING, "non-zero padding");
});

test("content: a core that is not WebAssembly, a part whose digest lies", () => {
  const [, boardRec, keyRec, sigRec] = standardRecords(key);
  const notWasm = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0]); // an ELF header
  refusedWith(rawImage(key, [{ type: F.IMG_REC_CORE, value: part(notWasm) }, boardRec, keyRec, sigRec]), S.E_IMG_CONTENT, "ELF as core");
  const lying = part(SMALL_CORE);
  lying[40] ^= 1; // content changed, digest kept (and the whole re-signed)
  refusedWith(rawImage(key, [{ type: F.IMG_REC_CORE, value: lying }, boardRec, keyRec, sigRec]), S.E_IMG_DIGEST, "digest of other content");
  assert.ok(WASM_PREAMBLE.length === 8);
});

test("trust: an image signed by another key, a key the card does not trust, another board, a cleared store", () => {
  const img = smallImage(key);
  refusedWith(smallImage(other), S.E_IMG_KEY, "signed by a key not in the store");
  const r = verify(img, { trust: [other.pub] });
  assert.is(r.status, S.E_IMG_KEY);
  assert.match(r.reason, new RegExp(Buffer.from(key.id).toString("hex")));
  assert.is(verify(img, { trust: [other.pub, key.pub] }).status, S.OK, "second slot");
  refusedWith(img, S.E_IMG_BOARD, "built for linecard-a, card is linecard-b", { board: "linecard-b" });
  // The key id names the key, the signature must still verify under it: an image whose key id
  // is swapped for another trusted key's is refused by the equation.
  const swapped = rawImage(other, [...standardRecords(key).slice(0, 2), { type: F.IMG_REC_KEY_ID, value: key.id }, { type: F.IMG_REC_SIGNATURE, value: new Uint8Array(64) }]);
  assert.is(verify(swapped, { trust: [key.pub, other.pub] }).status, S.E_ED_BAD_SIGNATURE);
  configureTrust(core, [key.pub]);
  e.img_trust_clear();
  assert.is(runImage(core, img, { mode: "verify" }).status, S.E_IMG_KEY, "after img_trust_clear");
});

test("mix and match: a part taken from another genuine image (same key, same board) is refused", () => {
  const v1 = smallImage(key, { core: Uint8Array.from([...WASM_PREAMBLE, 1]) });
  const v2 = smallImage(key, { core: Uint8Array.from([...WASM_PREAMBLE, 2]), version: { major: 2, minor: 0, patch: 0, build: 0 } });
  assert.is(verify(v1).status, S.OK);
  assert.is(verify(v2).status, S.OK);
  const mixed = v2.slice();
  const r1 = parse(v1).records[0];
  mixed.set(v1.subarray(r1.offset, r1.contentOffset + r1.contentLength), r1.offset); // v1's core record into v2
  assert.is(verify(mixed).status, S.E_ED_BAD_SIGNATURE);
  const header = v1.slice();
  header.set(v2.subarray(0, 64), 0); // v2's header (its version) on v1
  assert.is(verify(header).status, S.E_ED_BAD_SIGNATURE);
});

test("the trust store: key checks, slots, key ids as Node computes them, board ids", () => {
  const PUB = Core.slot(64);
  const OUT = Core.slot(65);
  core.write(PUB, key.pub);
  assert.is(e.img_trust_key(0, PUB), S.OK);
  assert.is(e.img_key_id(0, OUT), S.OK);
  assert.is(Buffer.from(core.read(OUT, 16)).toString("hex"), crypto.createHash("sha256").update(key.pub).digest("hex").slice(0, 32));
  assert.is(e.img_trust_key(8, PUB), S.E_ARG);
  assert.is(e.img_trust_key(-1, PUB), S.E_ARG);
  assert.is(e.img_key_id(3, OUT), S.E_STATE);
  core.write(PUB, Uint8Array.from([1, ...new Array(31).fill(0)])); // the identity: small order
  assert.is(e.img_trust_key(0, PUB), S.E_ED_KEY_SMALL_ORDER);
  assert.is(e.img_key_id(0, OUT), S.E_STATE, "a refused key empties its slot");
  for (const [id, rc] of [["linecard-a", S.OK], ["a", S.OK], ["a".repeat(32), S.OK], ["a".repeat(33), S.E_RANGE], ["-a", S.E_ARG], ["9a", S.E_ARG], ["A", S.E_ARG], ["a_b", S.E_ARG]] as const) {
    const b = Buffer.from(id);
    core.write(PUB, b);
    const got = id.length > 32 ? e.img_trust_board(PUB, 33) : e.img_trust_board(PUB, b.length);
    assert.is(got, id.length > 32 ? S.E_ARG : rc, id);
  }
  e.img_trust_clear();
});

test("call order: update before begin, trailer twice or in parse mode, finish early, more bytes than declared", () => {
  const img = smallImage(key);
  const W = IMG_WINDOW_BASE;
  e.init();
  assert.is(e.img_update(W, 8), S.E_IMG_STATE, "update before begin");
  assert.is(e.img_finish(), S.E_IMG_STATE, "finish before begin");
  assert.is(e.img_begin(img.length, 7), S.E_ARG, "unknown mode");
  configureTrust(core, [key.pub]);
  // parse mode takes no trailer
  assert.is(e.img_begin(img.length, F.IMG_MODE_PARSE), S.OK);
  core.write(W, img.subarray(img.length - 96));
  assert.is(e.img_trailer(W), S.E_IMG_STATE);
  // verify mode: the trailer only after the header, and once
  assert.is(e.img_begin(img.length, F.IMG_MODE_VERIFY), S.OK);
  assert.is(e.img_trailer(W), S.E_IMG_STATE, "trailer before the header");
  assert.is(e.img_begin(img.length, F.IMG_MODE_VERIFY), S.OK);
  core.write(W, img);
  assert.is(e.img_update(W, img.length), 64, "verify mode stops after the header");
  assert.is(e.img_update(W + 64, 8), S.E_IMG_TRAILER, "records before the trailer");
  assert.is(e.img_begin(img.length, F.IMG_MODE_VERIFY), S.OK);
  core.write(W, img);
  assert.is(e.img_update(W, 64), 64);
  core.write(W + 0x10000, img.subarray(img.length - 96));
  assert.is(e.img_trailer(W + 0x10000), S.OK);
  assert.is(e.img_trailer(W + 0x10000), S.E_IMG_STATE, "trailer twice");
  // a trailer that is not the image's own
  const otherTrailer = smallImage(key, { securityCounter: 6 }).subarray(img.length - 96);
  assert.is(e.img_begin(img.length, F.IMG_MODE_VERIFY), S.OK);
  core.write(W, img);
  e.img_update(W, 64);
  core.write(W + 0x10000, otherTrailer);
  assert.is(e.img_trailer(W + 0x10000), S.OK, "well-formed, same key");
  assert.is(e.img_update(W + 64, img.length - 64), S.E_IMG_TRAILER, "the streamed trailer differs from the one given");
  // finish before the end; overrun
  assert.is(e.img_begin(img.length, F.IMG_MODE_PARSE), S.OK);
  assert.is(e.img_update(W, 100), 100);
  assert.is(e.img_finish(), S.E_IMG_TRUNCATED);
  assert.is(e.img_begin(img.length, F.IMG_MODE_PARSE), S.OK);
  assert.is(e.img_update(W, img.length + 8), S.E_IMG_OVERRUN);
  assert.is(e.img_finish(), S.E_IMG_OVERRUN, "sticky");
  assert.is(e.img_update(0, 8), S.E_RANGE);
  assert.is(e.img_update(ED_SCRATCH_BASE, 8), S.E_RANGE);
  assert.is(e.img_trailer(0x0300_0000 - 10), S.E_RANGE);
});

test("nothing of a verification stays behind: scratch, trailer copy, buffers and contexts are wiped", () => {
  const zero = (p: number, n: number) => core.read(p, n).every((b) => b === 0);
  for (const img of [smallImage(key), (() => { const m = smallImage(key); m[m.length - 1] ^= 1; return m; })(), smallImage(key).subarray(0, 200)]) {
    verify(img);
    assert.ok(zero(ED_SCRATCH_BASE, ED_SCRATCH_SIZE), "scratch region");
    assert.ok(zero(STATE_IMG_TRAILER, 96), "trailer copy");
    assert.ok(zero(STATE_IMG_COLLECT, 144), "collect buffers");
    assert.ok(zero(STATE_IMG_ED, 352), "Ed25519 context");
    assert.ok(zero(STATE_IMG_SHA256, 128), "SHA-256 context");
  }
  assert.ok(STATE_IMG_BASE > 0);
});

test.run();
