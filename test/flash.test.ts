// The boot stage and the flasher in the core, on the flash model (docs/flashing.md): the
// layout the core accepts, every transition (manufacture, write, trial boot, confirm,
// revert, attempts used up), what the state area keeps, NAND bad blocks and bit flips, reads
// that return wrong data without an error, device errors, and garbage flash that must never
// make the core trap.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as L from "../assembly/shared/flash";
import * as S from "../assembly/shared/status";
import { FLASH_INFO_BASE } from "../assembly/shared/memmap";
import { Core } from "../host/core/core";
import { FlashModel } from "../host/flash/model";
import { FlashCard } from "../host/flash/card";
import { FlashDevice, FlashIoError } from "../host/flash/device";
import { layoutBytes, FlashLayout, toLayout } from "../host/flash/layout";
import { FLASH_CONFIG_SLOT } from "../host/flash/driver";
import { Rng } from "../host/util/rng";
import { testKey, smallImage } from "./helpers/image";
import { NOR_LAYOUT, NAND_LAYOUT, NAND_BAD_BLOCKS, geometryOf, sizedImage, modelCard, imageId } from "./helpers/flash";

const key = testKey(1);
const other = testKey(2);
const core = Core.load();
const golden = sizedImage(key, 1, 1, 5000, 21);
const v1 = sizedImage(key, 1, 1, 6000, 22);
const v2 = sizedImage(key, 2, 2, 9000, 23);
const v3 = sizedImage(key, 3, 3, 7000, 24);

/** A card with golden and v1 confirmed in A. */
function provisioned(type: "nor" | "nand" = "nor") {
  const { dev, card } = modelCard(type, key, {}, undefined, core);
  assert.is(card.golden(golden).statusName, "OK");
  assert.is(card.flash(v1).target, "A");
  assert.is(card.boot().reason, "trial");
  assert.is(card.confirm().statusName, "OK");
  return { dev, card };
}

test("flash_config refuses unusable layouts (E_FLASH_LAYOUT) and never traps", () => {
  const slot = Core.slot(FLASH_CONFIG_SLOT);
  const geom = geometryOf(NOR_LAYOUT);
  const tryLayout = (l: FlashLayout, size = geom.size) => {
    core.write(slot, layoutBytes(l, { ...geom, size }));
    return core.exports.flash_config(slot);
  };
  assert.is(tryLayout(NOR_LAYOUT), S.OK);
  const r = (o: Partial<FlashLayout["regions"]>) => ({ ...NOR_LAYOUT, regions: { ...NOR_LAYOUT.regions, ...o } });
  const bad: [string, FlashLayout, number?][] = [
    ["A overlaps golden", r({ a: { offset: 0x4000, size: 0x3000 } })],
    ["B unaligned", r({ b: { offset: 0x8800, size: 0x3000 } })],
    ["B past the end", r({ b: { offset: 0xe000, size: 0x3000 } })],
    ["one state block", r({ state: { offset: 0, size: 0x1000 } })],
    ["empty slot", r({ golden: { offset: 0x2000, size: 0 } })],
    ["erase size not a power of two", { ...NOR_LAYOUT, eraseSize: 0x1800 }],
    ["write size above erase size", { ...NOR_LAYOUT, writeSize: 0x2000 }],
    ["no trial attempt", { ...NOR_LAYOUT, trialAttempts: 0 }],
    ["device smaller than the layout", NOR_LAYOUT, 0x8000],
  ];
  for (const [name, l, size] of bad) assert.is(tryLayout(l, size), S.E_FLASH_LAYOUT, name);
  assert.is(core.exports.boot_select(), S.E_FLASH_STATE, "no operation without a layout");
  assert.is(core.exports.flash_step(), S.E_FLASH_STATE);
  assert.is(core.exports.flash_config(0x10), S.E_RANGE, "a pointer into core state");
  const rng = new Rng(14);
  for (let i = 0; i < 2000; i++) {
    core.write(slot, rng.bytes(L.FLC_LEN));
    const rc = core.exports.flash_config(slot);
    assert.ok(rc === S.OK || rc === S.E_FLASH_LAYOUT);
  }
});

test("a blank card boots nothing; manufacture writes golden once; updates never write it", () => {
  const { dev, card } = modelCard("nor", key, {}, undefined, core);
  const blank = card.boot();
  assert.is(blank.statusName, "E_BOOT_NOTHING");
  assert.ok(blank.flags.includes("no-state"));
  assert.equal(blank.slots.map((s) => s.verdict), ["E_FLASH_EMPTY", "E_FLASH_EMPTY", "E_FLASH_EMPTY"]);
  assert.is(card.golden(golden).statusName, "OK");
  assert.is(card.golden(golden).statusName, "E_FLASH_NOT_BLANK", "golden is written once");
  const b = card.boot();
  assert.equal([b.chosen, b.reason], ["golden", "golden"]);
  // From here on the golden region is a tripwire.
  const g = NOR_LAYOUT.regions.golden;
  const guarded = FlashModel.inMemory(geometryOf(NOR_LAYOUT), { guard: { from: g.offset, to: g.offset + g.size, name: "golden" } }, dev.raw());
  const c = new FlashCard(guarded, NOR_LAYOUT, { keys: [key.pub], board: "linecard-a" }, core);
  for (const img of [v1, v2, v3]) {
    assert.is(c.flash(img).statusName, "OK");
    assert.is(c.boot().reason, "trial");
    assert.is(c.confirm().statusName, "OK");
  }
  assert.is(c.boot().reason, "confirmed");
});

test("write -> trial -> confirm: the inactive slot, the image read back, attempts, counter only at confirm", () => {
  const { dev, card } = provisioned();
  let r = card.boot();
  assert.equal([r.chosen, r.reason, r.state.securityCounter], ["A", "confirmed", 1]);
  r = card.flash(v2);
  assert.equal([r.statusName, r.keep, r.target], ["OK", "A", "B"]);
  assert.equal([r.state.trial, r.state.attemptsLeft, r.state.attemptsGiven, r.state.trialId], ["B", 2, 2, imageId(v2)]);
  assert.is(r.state.securityCounter, 1, "marking a trial does not raise the counter");
  assert.is(card.confirm().statusName, "E_FLASH_NOT_BOOTED", "an image that never ran is not confirmed");
  r = card.boot();
  assert.equal([r.chosen, r.reason, r.state.attemptsLeft, r.state.securityCounter], ["B", "trial", 1, 1]);
  assert.ok(r.flags.includes("attempt-spent"));
  r = card.confirm();
  assert.equal([r.statusName, r.state.confirmed, r.state.trial, r.state.securityCounter, r.state.confirmedId], ["OK", "B", null, 2, imageId(v2)]);
  assert.is(card.confirm().statusName, "E_FLASH_NO_TRIAL");
  assert.is(card.revert().statusName, "E_FLASH_NO_TRIAL");
  // Ordinary power cycles of a confirmed card write nothing at all.
  const before = dev.ops;
  for (let i = 0; i < 10; i++) {
    r = card.boot();
    assert.equal([r.chosen, r.reason, r.flags], ["B", "confirmed", []]);
  }
  assert.is(dev.ops, before, "no erase, no program");
  // The older image now falls below the counter: it is no fallback any more.
  assert.is(r.slots.find((s) => s.slot === "A")!.verdict, "not checked");
  assert.is(card.status().slots.find((s) => s.slot === "A")!.verdict, "E_FLASH_ROLLBACK");
});

test("an unconfirmed trial reverts after its attempts; the reverted image is never a fallback", () => {
  const { dev, card } = provisioned();
  card.flash(v2);
  assert.is(card.boot().reason, "trial");
  assert.is(card.boot().reason, "trial");
  let r = card.boot();
  assert.equal([r.chosen, r.reason, r.state.trial, r.state.rejectedId, r.state.securityCounter], ["A", "confirmed", null, imageId(v2), 1]);
  assert.ok(r.flags.includes("reverted"));
  // Break the confirmed slot: the reverted trial in B still verifies, but golden boots.
  dev.program(NOR_LAYOUT.regions.a.offset + 100, new Uint8Array(8));
  r = card.boot();
  assert.equal([r.chosen, r.reason], ["golden", "golden"]);
  assert.equal(r.slots.map((s) => s.verdict), ["ok", "E_IMG_DIGEST", "E_FLASH_REJECTED"]);
  // The next update goes over the broken slot, not over B (golden and B are what boots now).
  r = card.flash(v3);
  assert.equal([r.statusName, r.target], ["OK", "A"]);
});

test("revert by hand; a trial slot that no longer verifies reverts at once", () => {
  const { dev, card } = provisioned();
  card.flash(v2);
  let r = card.revert();
  assert.equal([r.statusName, r.state.trial, r.state.rejectedId], ["OK", null, imageId(v2)]);
  assert.is(card.boot().reason, "confirmed");
  card.flash(v3);
  dev.program(NOR_LAYOUT.regions.b.offset + 3000, new Uint8Array(4)); // damage the trial
  r = card.boot();
  assert.equal([r.chosen, r.reason], ["A", "confirmed"]);
  assert.ok(r.flags.includes("reverted"));
  assert.is(r.slots.find((s) => s.slot === "B")!.verdict, "E_IMG_DIGEST");
});

test("the confirmed slot broken: the other valid slot boots (fallback) and is kept by the next write", () => {
  const { dev, card } = provisioned();
  card.flash(v2);
  card.boot();
  card.confirm(); // B confirmed (counter 2); A holds v1 (counter 1)
  card.flash(v3);
  card.boot();
  card.confirm(); // A confirmed (counter 3)
  dev.program(NOR_LAYOUT.regions.a.offset + 64, new Uint8Array(16));
  const r = card.boot();
  assert.equal([r.chosen, r.reason], ["golden", "golden"], "B (counter 2) is below the confirmed counter 3");
  const v4 = sizedImage(key, 4, 4, 6000, 25);
  const w = card.flash(v4);
  assert.equal([w.statusName, w.keep, w.target], ["OK", null, "A"]);
});

test("refused images: another board, another key, a lower counter — the trial is not marked", () => {
  const { card } = provisioned();
  card.flash(v2);
  card.boot();
  card.confirm(); // counter 2
  const cases: [Uint8Array, string][] = [
    [smallImage(key, { boardId: "linecard-b", securityCounter: 5 }), "E_IMG_BOARD"],
    [smallImage(other, { securityCounter: 5 }), "E_IMG_KEY"],
    [smallImage(key, { securityCounter: 1 }), "E_FLASH_ROLLBACK"],
  ];
  for (const [img, why] of cases) {
    const r = card.flash(img);
    assert.is(r.statusName, why);
    assert.is(r.state.trial, null);
    assert.is(card.boot().chosen, "B");
  }
  const bad = Uint8Array.from(v3);
  bad[bad.length - 1] ^= 1;
  assert.is(card.flash(bad).statusName, "E_ED_BAD_SIGNATURE");
  assert.is(card.flash(sizedImage(key, 3, 3, 20000, 26)).statusName, "E_FLASH_TOO_BIG");
});

test("the state area: two copies, each twice; the newest valid record wins; a torn copy is ignored", () => {
  const { dev, card } = provisioned();
  const s0 = card.status();
  assert.ok(s0.copies[0].valid && s0.copies[1].valid, JSON.stringify(s0.copies));
  const newer = s0.copies[0].seq > s0.copies[1].seq ? 0 : 1;
  const at = s0.copies[newer].offset;
  // One record of the newer copy damaged: its second record still holds it.
  dev.program(at + 20, new Uint8Array(4));
  let s = card.status();
  assert.equal([s.state.seq, s.copies[newer].valid], [s0.state.seq, true]);
  // Both damaged: the older copy is the state.
  dev.program(at + Math.ceil(L.SR_LEN / NOR_LAYOUT.writeSize) * NOR_LAYOUT.writeSize + 20, new Uint8Array(4));
  s = card.status();
  assert.equal([s.state.seq, s.copies[newer].valid], [s0.state.seq - 1, false]);
  // The next write goes over the damaged copy, never the one in force.
  card.flash(v2);
  s = card.status();
  assert.ok(s.copies[newer].valid && s.copies[newer].seq === s0.state.seq);
});

test("NAND: bad blocks are skipped by the writer and the boot stage alike; every block reported", () => {
  const { dev, card } = provisioned("nand");
  const r = card.status();
  const byName = Object.fromEntries(r.slots.map((s) => [s.slot, s]));
  assert.equal([byName.golden.badBlocks, byName.A.badBlocks, byName.B.badBlocks], [1, 0, 1]);
  assert.is(card.flash(v2).target, "B"); // B has a bad block (12) in the middle of v2's three blocks
  const boot = card.boot();
  assert.equal([boot.chosen, boot.reason], ["B", "trial"]);
  // The second block of B is physical block 13: block 12 was skipped.
  const e = NAND_LAYOUT.eraseSize;
  assert.equal([...dev.raw(12 * e, 16)], new Array(16).fill(0xff), "nothing written to the bad block");
  assert.equal([...dev.raw(13 * e, 16)], [...v2.subarray(e, e + 16)]);
  assert.ok(NAND_BAD_BLOCKS.includes(12));
});

test("NAND bit flips: one per ECC step is corrected; two come back wrong without an error and are caught", () => {
  const { dev, card } = provisioned("nand");
  const a = NAND_LAYOUT.regions.a.offset;
  dev.flipBit(a + 1000, 3);
  assert.is(card.boot().chosen, "A", "a corrected flip changes nothing");
  dev.flipBit(a + 1001, 5); // second flip in the same 512-byte step: uncorrectable, no error
  const buf = new Uint8Array(8);
  dev.read(a + 1000, buf);
  assert.is.not(buf[0], v1[1000]);
  const r = card.boot();
  assert.equal([r.chosen, r.reason], ["golden", "golden"]);
  assert.is(r.slots.find((s) => s.slot === "A")!.verdict, "E_IMG_DIGEST");
  // The next update goes to A, whose erase clears the flips.
  assert.equal([card.flash(v2).target, card.boot().chosen], ["A", "A"]);
});

test("a read-back that returns wrong data without an error: E_FLASH_READBACK, no trial marked", () => {
  const { dev } = provisioned();
  let lie = true;
  const liar: FlashDevice = {
    geometry: dev.geometry,
    description: "lying reads",
    read(off, into) {
      dev.read(off, into);
      if (lie && off >= NOR_LAYOUT.regions.b.offset && off < NOR_LAYOUT.regions.b.offset + NOR_LAYOUT.regions.b.size && into.length > 1000) into[500] ^= 0x40;
    },
    erase: (o) => dev.erase(o),
    program: (o, d) => dev.program(o, d),
    isBad: (o) => dev.isBad(o),
    sync() {},
    close() {},
  };
  const c = new FlashCard(liar, NOR_LAYOUT, { keys: [key.pub], board: "linecard-a" }, core);
  const r = c.flash(v2);
  assert.equal([r.statusName, r.state.trial], ["E_FLASH_READBACK", null]);
  lie = false;
  assert.equal([c.flash(v2).statusName, c.boot().chosen], ["OK", "B"]);
});

test("device errors end the operation; the previous state stands", () => {
  const { dev, card } = provisioned("nand");
  // A block that went bad since the last operation: the next one's scan skips it; an image
  // that no longer fits the good blocks is refused before anything is written.
  dev.markBad(NAND_LAYOUT.regions.b.offset / NAND_LAYOUT.eraseSize);
  assert.is(card.flash(v2).statusName, "E_FLASH_TOO_BIG");
  let r = card.flash(v3);
  assert.equal([r.statusName, r.target], ["OK", "B"]);
  const failing: FlashDevice = {
    geometry: dev.geometry,
    description: "erase fails",
    read: (o, i) => dev.read(o, i),
    erase: () => {
      throw new FlashIoError("erase failed", "EIO", 5);
    },
    program: (o, d) => dev.program(o, d),
    isBad: (o) => dev.isBad(o),
    sync() {},
    close() {},
  };
  const c = new FlashCard(failing, NAND_LAYOUT, { keys: [key.pub], board: "linecard-a" }, core);
  r = c.boot();
  assert.equal([r.statusName, r.chosen, r.reason], ["OK", "A", "confirmed"], "the trial's attempt cannot be recorded: it is not booted");
  assert.ok(r.flags.includes("state-write-failed"));
  r = c.confirm();
  assert.is(r.statusName, "E_FLASH_NOT_BOOTED");
});

test("the smallest erase block (512 bytes): a 300 KB image in more pieces than one operation list holds", () => {
  const layout = toLayout({
    type: "nor", size: 0x140000, eraseSize: 512, writeSize: 1,
    state: { offset: 0, size: 0x400 }, golden: { offset: 0x400, size: 0x4fc00 }, a: { offset: 0x50000, size: 0x50000 }, b: { offset: 0xa0000, size: 0x50000 },
  });
  const dev = FlashModel.inMemory(geometryOf(layout));
  const c = new FlashCard(dev, layout, { keys: [key.pub], board: "linecard-a" }, core);
  const big = sizedImage(key, 2, 2, 300_000, 27);
  assert.equal([c.golden(sizedImage(key, 1, 1, 300_000, 28)).statusName, c.flash(big).statusName, c.boot().reason], ["OK", "OK", "trial"]);
});

test("garbage on flash and garbage answers never make the core trap; every operation ends", () => {
  const rng = new Rng(77);
  for (let i = 0; i < 150; i++) {
    const type = i % 2 ? "nand" : "nor";
    const layout = type === "nor" ? NOR_LAYOUT : NAND_LAYOUT;
    const { dev } = provisioned(type);
    // Random bytes over random parts of the state area and the slots, or records with valid CRCs and odd fields.
    const raw = dev.raw();
    for (let k = 0; k < 4; k++) {
      const at = rng.int(layout.regions.b.offset + layout.regions.b.size - 64);
      raw.set(rng.bytes(1 + rng.int(64)), at);
    }
    const m = FlashModel.inMemory(geometryOf(layout), { badBlocks: type === "nand" ? NAND_BAD_BLOCKS : [] }, raw);
    const c = new FlashCard(m, layout, { keys: [key.pub], board: "linecard-a" }, core);
    for (const f of [() => c.boot(), () => c.status(), () => c.flash(v2), () => c.confirm(), () => c.boot()]) {
      const r = f();
      assert.ok(r.status <= 0, `status ${r.statusName}`);
      assert.ok(r.rounds < 200, `rounds ${r.rounds}`);
    }
  }
  // Random operation results: the core refuses them, it does not trust them.
  const { card } = provisioned();
  assert.is(core.exports.boot_select(), S.OK);
  for (let round = 0; round < 50; round++) {
    const rc = core.exports.flash_step();
    if (rc !== 1) break;
    const n = core.view.getUint32(0xa0000, true);
    for (let i = 0; i < n; i++) core.view.setInt32(0xa0000 + 16 + i * 32 + 16, rng.pick([0, 1, -5, -74, 0x7fff0000, rng.u32() | 0]), true);
  }
  assert.ok(core.view.getInt32(FLASH_INFO_BASE + L.FI_STATUS, true) !== 1, "the operation ended");
  assert.is(card.boot().reason, "confirmed");
});

test.run();
