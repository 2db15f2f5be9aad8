// Conformance script "image": Ed25519 verdicts on signatures Node made (RFC 8032 signatures are
// deterministic, and the keys here come from fixed seeds) and on mutated copies, then signed
// images streamed through the image window — a small one, one whose core spans several
// window loads, and corrupted copies — with every verdict and the parser's record table
// digested. The steps also serve test/image-wasmtime.test.ts.

import * as crypto from "crypto";
import * as F from "../../../assembly/shared/image";
import { IMG_INFO_BASE, IMG_WINDOW_BASE } from "../../../assembly/shared/memmap";
import { Core } from "../../../host/core/core";
import { Rng } from "../../../host/util/rng";
import type { Call } from "../engines";
import { testKey, smallImage, WASM_PREAMBLE } from "../image";
import type { ConformanceSource } from "./index";

export const PUB = Core.slot(64);
export const SIG = Core.slot(65);
export const BOARD = Core.slot(66);
const W = IMG_WINDOW_BASE;
const CHUNK = 0x10000;

/** mem_store32 calls (and mem_store8 for a tail) that place data at ptr. */
export function poke32(s: Call[], ptr: number, data: Uint8Array): void {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let i = 0;
  for (; i + 4 <= data.length; i += 4) s.push(["mem_store32", ptr + i, dv.getInt32(i, true)]);
  for (; i < data.length; i++) s.push(["mem_store8", ptr + i, data[i]]);
}

/** An image streamed through the window as a card's loader would; returns the index of img_finish. */
export function verifyImageCalls(s: Call[], img: Uint8Array): number {
  s.push(["img_begin", img.length, F.IMG_MODE_VERIFY]);
  poke32(s, W, img.subarray(0, 64));
  s.push(["img_update", W, 64]);
  poke32(s, W + CHUNK, img.subarray(img.length - 96));
  s.push(["img_trailer", W + CHUNK]);
  for (let at = 64; at < img.length; at += CHUNK) {
    const n = Math.min(CHUNK, img.length - at);
    poke32(s, W, img.subarray(at, at + n));
    s.push(["img_update", W, n]);
  }
  s.push(["img_finish"]);
  const finish = s.length - 1;
  s.push(["region_digest", IMG_INFO_BASE, 0x1000]);
  return finish;
}

function build(): Call[] {
  const rng = new Rng(0x1a6e);
  const s: Call[] = [["abi_version"], ["init"], ["selftest"]];
  for (let i = 0; i < 24; i++) {
    const k = testKey(0x40 + i);
    const msg = rng.bytes(rng.int(200));
    const sig = crypto.sign(null, msg, k.priv);
    if (i % 2 === 1) sig[rng.int(64)] ^= 1 << rng.int(8);
    poke32(s, PUB, k.pub);
    poke32(s, SIG, sig);
    poke32(s, W, msg);
    s.push(["ed25519_verify", PUB, W, msg.length, SIG]);
  }
  const key = testKey(11);
  poke32(s, PUB, key.pub);
  s.push(["img_trust_key", 0, PUB]);
  const board = new TextEncoder().encode("linecard-a");
  poke32(s, BOARD, board);
  s.push(["img_trust_board", BOARD, board.length]);
  const small = smallImage(key);
  verifyImageCalls(s, small);
  verifyImageCalls(s, smallImage(key, { core: Uint8Array.from([...WASM_PREAMBLE, ...rng.bytes(150_000)]) }));
  for (const at of [16, 20, 100, small.length - 20, small.length - 1, small.length - 80]) {
    const m = small.slice();
    m[at] ^= at === 16 ? 0x01 : 0x20;
    verifyImageCalls(s, m);
  }
  return s;
}

export const image: ConformanceSource = {
  name: "image",
  description: "Ed25519 verdicts on genuine and mutated signatures; signed images streamed through the window, genuine and corrupted, with the parser's record table",
  build,
};
