// Images for tests: a deterministic signing key, small genuine images built by the real
// builder, and a raw layout writer for malformed images that are nevertheless properly
// signed (so that a refusal proves the parser, not the signature, caught them).

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as F from "../../assembly/shared/image";
import { buildImage, ImageSpec } from "../../host/image/format";
import { keyId, rawPublicKey } from "../../host/image/keys";

const PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");
export const ROOT = path.join(__dirname, "..", "..");

export interface TestKey {
  priv: crypto.KeyObject;
  pub: Uint8Array;
  id: Uint8Array;
}

export function testKey(seedByte: number): TestKey {
  const priv = crypto.createPrivateKey({ key: Buffer.concat([PKCS8, Buffer.alloc(32, seedByte)]), format: "der", type: "pkcs8" });
  const pub = rawPublicKey(crypto.createPublicKey(priv));
  return { priv, pub, id: keyId(pub) };
}

export const WASM_PREAMBLE = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
export const SMALL_CORE = Uint8Array.from([...WASM_PREAMBLE, 0x00, 0x01, 0x02]);
export const SMALL_BOARD = new TextEncoder().encode('{"id":"linecard-a"}');

export function smallSpec(key: TestKey, over: Partial<ImageSpec> = {}): ImageSpec {
  return {
    boardId: "linecard-a",
    version: { major: 1, minor: 2, patch: 3, build: 4 },
    securityCounter: 5,
    core: SMALL_CORE,
    board: SMALL_BOARD,
    keyId: key.id,
    sign: (m) => new Uint8Array(crypto.sign(null, m, key.priv)),
    ...over,
  };
}

/** A small genuine image (a few hundred bytes) built by the real builder. */
export function smallImage(key: TestKey, over: Partial<ImageSpec> = {}): Uint8Array {
  return buildImage(smallSpec(key, over));
}

/** A genuine image of the real core and a shipped board file. */
export function realImage(key: TestKey, native?: Uint8Array): Uint8Array {
  return buildImage({
    ...smallSpec(key),
    core: fs.readFileSync(path.join(ROOT, "build", "core.wasm")),
    board: fs.readFileSync(path.join(ROOT, "boards", "linecard-a.json")),
    native,
  });
}

export interface RawRecord {
  type: number;
  value: Uint8Array;
  reserved?: number;
  /** Declared length, when it should lie. */
  len?: number;
  /** Padding bytes, when they should not be zero. */
  pad?: number;
}

/** A part's value: SHA-256 of content, then content. */
export function part(content: Uint8Array): Uint8Array {
  return Uint8Array.from([...crypto.createHash("sha256").update(content).digest(), ...content]);
}

export interface RawHeader {
  magic?: number;
  format?: number;
  headerLen?: number;
  imageLen?: number;
  flags?: number;
  board?: Uint8Array | string;
  count?: number;
  reserved?: number;
}

/** Lays out records after a header (fields overridable) and signs it with key. */
export function rawImage(key: TestKey, records: RawRecord[], h: RawHeader = {}): Uint8Array {
  const pad8 = (n: number) => (n + 7) & ~7;
  const len = 64 + records.reduce((n, r) => n + 8 + pad8(r.value.length), 0);
  const img = new Uint8Array(len);
  const dv = new DataView(img.buffer);
  dv.setUint32(0, h.magic ?? F.IMG_MAGIC, true);
  dv.setUint16(4, h.format ?? 1, true);
  dv.setUint16(6, h.headerLen ?? 64, true);
  dv.setUint32(8, h.imageLen ?? len, true);
  dv.setUint32(12, h.flags ?? 0, true);
  img.set(typeof h.board === "string" || h.board === undefined ? Buffer.from(h.board ?? "linecard-a", "latin1") : h.board, 16);
  dv.setUint8(48, 1);
  dv.setUint16(60, h.count ?? records.length, true);
  dv.setUint16(62, h.reserved ?? 0, true);
  let at = 64;
  for (const r of records) {
    dv.setUint16(at, r.type, true);
    dv.setUint16(at + 2, r.reserved ?? 0, true);
    dv.setUint32(at + 4, r.len ?? r.value.length, true);
    img.set(r.value, at + 8);
    const end = at + 8 + r.value.length;
    if (r.pad !== undefined) img.fill(r.pad, end, at + 8 + pad8(r.value.length));
    at += 8 + pad8(r.value.length);
  }
  // Sign as the builder does: everything before the last 64 bytes.
  if (len >= 64 + 64) img.set(crypto.sign(null, img.subarray(0, len - 64), key.priv), len - 64);
  return img;
}

/** The standard records of a small image, for rawImage. */
export function standardRecords(key: TestKey): RawRecord[] {
  return [
    { type: F.IMG_REC_CORE, value: part(SMALL_CORE) },
    { type: F.IMG_REC_BOARD, value: part(SMALL_BOARD) },
    { type: F.IMG_REC_KEY_ID, value: key.id },
    { type: F.IMG_REC_SIGNATURE, value: new Uint8Array(64) },
  ];
}
