// `lastgasp flash | boot | confirm | revert | flash-status` as a user runs them, on flash
// model files: exit 0 done, 1 refused or failed (one line), 2 bad input (one line) with the
// flash untouched, never a stack trace; --json on every command.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { runCliInProcess, spawnCli, ROOT } from "./helpers/cli";
import { tmpDir } from "./helpers/tshark";
import { buildImage } from "../host/image/format";
import { keyId, hexId, rawPublicKey } from "../host/image/keys";
import { FlashModel } from "../host/flash/model";
import { testKey, WASM_PREAMBLE } from "./helpers/image";
import { Rng } from "../host/util/rng";

const dir = tmpDir("flash-cli");
const p = (f: string) => path.join(dir, f);
const BOARD_A = path.join(ROOT, "boards", "linecard-a.json");
const BOARD_B = path.join(ROOT, "boards", "linecard-b.json");
const devKey = crypto.createPrivateKey(fs.readFileSync(path.join(ROOT, "boards", "keys", "development.key"), "utf8"));
const devId = keyId(rawPublicKey(crypto.createPublicKey(devKey)));
const oneLine = (s: string) => s.trim().split("\n").length === 1 && !/\n\s+at /.test(s);
const digest = (f: string) => (fs.existsSync(f) ? crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex") : "absent");

function image(file: string, counter: number, major: number, opts: { board?: string; boardFile?: string; priv?: crypto.KeyObject; id?: Uint8Array } = {}): string {
  const core = Uint8Array.from([...WASM_PREAMBLE, ...new Rng(counter * 31 + major).bytes(12000)]);
  const img = buildImage({
    boardId: opts.board ?? "linecard-a",
    version: { major, minor: 0, patch: 0, build: 0 },
    securityCounter: counter,
    core,
    board: fs.readFileSync(opts.boardFile ?? BOARD_A),
    keyId: opts.id ?? devId,
    sign: (m) => new Uint8Array(crypto.sign(null, m, opts.priv ?? devKey)),
  });
  fs.writeFileSync(p(file), img);
  return p(file);
}

const g = image("golden.img", 1, 1);
const v2 = image("v2.img", 2, 2);
const v3 = image("v3.img", 3, 3);
const cli = (...args: string[]) => runCliInProcess(args);
const card = p("card-a.flash");
const A = ["--board", BOARD_A, "--target", card];

test("manufacture, flash, boot, confirm, status: exit 0, and --json on every command", async () => {
  let r = await cli("flash", ...A, "--image", g, "--golden");
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /wrote golden/);
  assert.is(fs.statSync(card).size, 0x400000, "created at the board's flash size");
  r = await cli("boot", ...A);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /boot: slot golden \(golden\)/);
  r = await cli("flash", ...A, "--image", v2, "--json");
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal([j.ok, j.slot, j.securityCounter, j.report.state.trial, j.report.state.attemptsLeft], [true, "A", 2, "A", 3]);
  r = await cli("boot", ...A, "--json");
  const b = JSON.parse(r.out);
  assert.equal([r.code, b.chosen, b.reason, b.report.state.attemptsLeft], [0, "A", "trial", 2]);
  assert.match(b.explanation, /trial boot 1 of 3/);
  r = await cli("confirm", ...A, "--json");
  assert.equal([r.code, JSON.parse(r.out).securityCounter], [0, 2]);
  r = await cli("flash-status", ...A);
  assert.is(r.code, 0, r.err);
  for (const re of [/confirmed A, trial none, security counter 2/, /golden\s+valid; version 1\.0\.0/, /A\s+valid; version 2\.0\.0/, /B\s+refused: erased/]) assert.match(r.out, re);
  r = await cli("flash-status", ...A, "--json");
  assert.equal(JSON.parse(r.out).report.slots.map((s: { verdict: string }) => s.verdict), ["ok", "ok", "E_FLASH_EMPTY"]);
  // An update, never confirmed: it reverts after three trial boots.
  assert.is((await cli("flash", ...A, "--image", v3)).code, 0);
  for (let i = 0; i < 3; i++) assert.match((await cli("boot", ...A)).out, /slot B \(trial\)/);
  r = await cli("boot", ...A);
  assert.match(r.out, /slot A \(confirmed\)/);
  assert.match(r.out, /the trial in B was reverted \(its attempts were used up without a confirm\)/);
});

test("refusals exit 1 with one line, and the flash is untouched: bad signature, another board, another key, a lower counter", async () => {
  const before = digest(card);
  const bad = fs.readFileSync(v3);
  bad[bad.length - 5] ^= 1;
  fs.writeFileSync(p("bad-sig.img"), bad);
  const other = testKey(9);
  const cases: [string, RegExp][] = [
    [p("bad-sig.img"), /signature does not verify/],
    [image("board-b.img", 5, 5, { board: "linecard-b", boardFile: BOARD_B }), /built for board "linecard-b"/],
    [image("other-key.img", 5, 5, { priv: other.priv, id: other.id }), /not trusted/],
    [g, /security counter 1 is below the card's 2/],
  ];
  for (const [img, re] of cases) {
    const r = await cli("flash", ...A, "--image", img);
    assert.is(r.code, 1, `${img}: ${r.err}`);
    assert.ok(oneLine(r.err), r.err);
    assert.match(r.err, re);
    assert.is(digest(card), before, `${img}: flash untouched`);
  }
  const j = await cli("flash", ...A, "--image", g, "--json");
  assert.equal([j.code, JSON.parse(j.out).ok], [1, false]);
  assert.is((await cli("confirm", ...A)).code, 1, "no trial pending");
  assert.match((await cli("revert", ...A)).err, /no trial is pending/);
  assert.is(digest(card), before);
});

test("bad input exits 2 with one line, the flash untouched: missing image or key, untrusted key, small target, overlapping layout", async () => {
  const before = digest(card);
  const small = p("small.flash");
  FlashModel.create(small, { type: "nor", size: 0x200000, eraseSize: 0x1000, writeSize: 1 });
  const smallBefore = digest(small);
  const raw = JSON.parse(fs.readFileSync(BOARD_A, "utf8"));
  delete raw.$schema;
  raw.flash.b = { offset: "0x200000", size: "0x100000" }; // overlaps A
  fs.writeFileSync(p("overlap.json"), JSON.stringify(raw));
  fs.mkdirSync(p("keys"), { recursive: true });
  fs.writeFileSync(p("keys/other.pub"), crypto.createPublicKey(testKey(9).priv).export({ format: "pem", type: "spki" }) as string);
  const noFlash = JSON.parse(fs.readFileSync(BOARD_A, "utf8"));
  delete noFlash.$schema;
  delete noFlash.flash;
  fs.writeFileSync(p("noflash.json"), JSON.stringify(noFlash));
  const cases: [string[], RegExp, string][] = [
    [["flash", ...A, "--image", p("missing.img")], /missing\.img: cannot read the image \(ENOENT\)/, card],
    [["flash", ...A, "--image", v3, "--pubkey", p("missing.pub")], /missing\.pub: cannot read the public key/, card],
    [["flash", ...A, "--image", v3, "--pubkey", p("keys/other.pub")], /is not in board linecard-a's trustedKeys/, card],
    [["flash", "--board", p("overlap.json"), "--target", card, "--image", v3], /\/flash\/b: overlaps a/, card],
    [["flash", "--board", p("noflash.json"), "--target", card, "--image", v3], /has no flash layout/, card],
    [["flash", "--board", BOARD_A, "--target", small, "--image", v3], /smaller than the layout/, small],
    [["boot", "--board", BOARD_B, "--target", card], /the target is NOR flash, the board's layout is for NAND/, card],
    [["boot", "--board", BOARD_A, "--target", p("nothing.flash")], /no such target/, p("nothing.flash")],
    [["boot", "--board", BOARD_A, "--target", "/dev/mtd99"], /\/dev\/mtd99: .*(No such file|missing)/, card],
    [["flash", "--board", BOARD_A, "--target", card], /--image: required/, card],
    [["boot", "--board", BOARD_A], /--target: required/, card],
    [["boot", ...A, "extra"], /unexpected argument/, card],
  ];
  for (const [args, re, file] of cases) {
    const r = await cli(...args);
    assert.is(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.ok(oneLine(r.err), r.err);
    assert.match(r.err, re);
    assert.is(digest(file), file === small ? smallBefore : file === card ? before : "absent", `${args.join(" ")}: untouched`);
  }
});

test("a blank target: boot exits 1 (nothing to boot); NAND model with bad blocks on the NAND board", async () => {
  const blank = p("blank.flash");
  FlashModel.create(blank, { type: "nor", size: 0x400000, eraseSize: 0x1000, writeSize: 1 });
  const r = await cli("boot", "--board", BOARD_A, "--target", blank);
  assert.is(r.code, 1);
  assert.match(r.err, /nothing to boot: no slot holds an image this card accepts/);
  const nand = p("card-b.flash");
  FlashModel.create(nand, { type: "nand", size: 0x4000000, eraseSize: 0x20000, writeSize: 0x800 }, { badBlocks: [1, 5, 36, 69] });
  const B = ["--board", BOARD_B, "--target", nand];
  const gb = image("golden-b.img", 1, 1, { board: "linecard-b", boardFile: BOARD_B });
  const vb = image("v2-b.img", 2, 2, { board: "linecard-b", boardFile: BOARD_B });
  assert.is((await cli("flash", ...B, "--image", gb, "--golden")).code, 0);
  assert.is((await cli("flash", ...B, "--image", vb)).code, 0);
  assert.match((await cli("boot", ...B)).out, /slot A \(trial\)/);
  assert.is((await cli("confirm", ...B)).code, 0);
  const s = JSON.parse((await cli("flash-status", ...B, "--json")).out);
  assert.equal(s.report.slots.map((x: { badBlocks: number }) => x.badBlocks), [1, 1, 1]);
  assert.equal(s.report.slots.map((x: { verdict: string }) => x.verdict), ["ok", "ok", "E_FLASH_EMPTY"]);
  assert.equal(s.report.copies.map((c: { offset: number }) => c.offset), [0, 0x20000 * 2], "state copies in the first two good blocks");
});

test("as a user runs it: the bin script, one line and exit 2 on a bad argument, JSON on stdout", () => {
  const r = spawnCli(["boot", "--board", BOARD_A, "--target", card, "--json"]);
  assert.is(r.code, 0, r.err);
  assert.is(JSON.parse(r.out).chosen, "A");
  const bad = spawnCli(["flash-status", "--board", BOARD_A, "--target", card, "--bogus"]);
  assert.is(bad.code, 2);
  assert.ok(oneLine(bad.err), bad.err);
  assert.is(hexId(devId), "2be87414c89cb08168623cbf589face8");
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();
