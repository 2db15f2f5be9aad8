// Flash fixtures: small NOR and NAND layouts, genuine images of a few KiB (so that a slot
// spans several erase blocks), and a card on an in-memory model.

import * as crypto from "crypto";
import { FlashModel, ModelOptions } from "../../host/flash/model";
import { FlashCard } from "../../host/flash/card";
import { FlashLayout, toLayout } from "../../host/flash/layout";
import { FlashType } from "../../host/flash/device";
import { Core } from "../../host/core/core";
import { buildImage } from "../../host/image/format";
import { Rng } from "../../host/util/rng";
import { TestKey, smallSpec, WASM_PREAMBLE } from "./image";

/** 64 KiB NOR, 4 KiB erase blocks, byte-programmable. */
export const NOR_LAYOUT: FlashLayout = toLayout({
  type: "nor", size: 0x10000, eraseSize: 0x1000, writeSize: 1, trialAttempts: 2,
  state: { offset: 0, size: 0x2000 }, golden: { offset: 0x2000, size: 0x3000 }, a: { offset: 0x5000, size: 0x3000 }, b: { offset: 0x8000, size: 0x3000 },
});

/** 128 KiB small-page NAND: 512-byte pages, 4 KiB blocks; bad blocks in the state area, golden and B. */
export const NAND_LAYOUT: FlashLayout = toLayout({
  type: "nand", size: 0x20000, eraseSize: 0x1000, writeSize: 512, trialAttempts: 2,
  state: { offset: 0, size: 0x3000 }, golden: { offset: 0x3000, size: 0x4000 }, a: { offset: 0x7000, size: 0x4000 }, b: { offset: 0xb000, size: 0x4000 },
});
export const NAND_BAD_BLOCKS = [1, 4, 12];

export const layoutOf = (t: FlashType) => (t === "nor" ? NOR_LAYOUT : NAND_LAYOUT);
export const geometryOf = (l: FlashLayout) => ({ type: l.type, size: l.size, eraseSize: l.eraseSize, writeSize: l.writeSize });

/** A genuine image of about `size` bytes (core content random after the WebAssembly preamble). */
export function sizedImage(key: TestKey, counter: number, major: number, size = 6000, seed = major * 7 + counter): Uint8Array {
  const core = Uint8Array.from([...WASM_PREAMBLE, ...new Rng(seed).bytes(Math.max(0, size - 400))]);
  return buildImage(smallSpec(key, { core, securityCounter: counter, version: { major, minor: 0, patch: 0, build: seed } }));
}

export const imageId = (img: Uint8Array) => Buffer.from(img.subarray(img.length - 64, img.length - 48)).toString("hex");
export const sha = (b: Uint8Array) => crypto.createHash("sha256").update(b).digest("hex");

export function modelCard(type: FlashType, key: TestKey, opts: ModelOptions = {}, bytes?: Uint8Array, core?: Core): { dev: FlashModel; card: FlashCard } {
  const layout = layoutOf(type);
  const dev = FlashModel.inMemory(geometryOf(layout), { badBlocks: type === "nand" ? NAND_BAD_BLOCKS : [], ...opts }, bytes);
  return { dev, card: new FlashCard(dev, layout, { keys: [key.pub], board: "linecard-a" }, core) };
}
