// Real flash in the QEMU rig (docs/flashing.md, "Real flash"): Debian's kernel with its own
// MTD modules — nandsim (64 MiB NAND, 2 KiB pages, bad blocks, random bit flips that ECC
// corrects) and block2mtd over a virtio disk (a persistent NOR-like MTD) — and the host's
// Node running the very `lastgasp` commands a user runs on a line card, through the MTD
// addon. Debian's mtd-utils read the slots back independently and flip NAND bits.
//
// Boot 1: on both devices, manufacture golden, flash, boot, confirm, re-flash; refuse a bad
// signature, another board's image and a lower security counter (exit 1); the independent
// reader sees exactly the image in the slot the boot stage chose; two bit flips in one ECC
// step of the confirmed NAND slot come back from a plain read with no error, and the boot
// stage refuses that slot by itself. Then an update of the persistent MTD starts and QEMU is
// killed (SIGKILL: a power cut) at a random round of flash operations; each next boot
// checks what the boot stage picks (against mtd-utils' read) and starts another update,
// killed again. The last boot checks the last cut.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { buildRig, type RigRecord } from "./helpers/qemu";
import { runShellGuest, guestPreamble, guestNode, guestJs, type ShellGuestRun } from "./helpers/qemu-guest";
import type { GuestStep } from "./helpers/flash-guest";
import { buildImage } from "../host/image/format";
import { keyId, rawPublicKey } from "../host/image/keys";
import { Rng } from "../host/util/rng";

const ROOT = path.join(__dirname, "..");
const BOARD_A = path.join(ROOT, "boards", "linecard-a.json"); // NOR layout: block2mtd, 4 KiB erase blocks
const BOARD_B = path.join(ROOT, "boards", "linecard-b.json"); // NAND layout: nandsim's geometry
const CUTS = Math.max(1, Number(process.env.QEMU_FLASH_CUTS ?? 3)); // more: QEMU_FLASH_CUTS=10 node test/run.js qemu-flash
const PACE_MS = 12;

buildRig();
if (spawnSync("sh", ["-c", "command -v nanddump && command -v mtd_debug && command -v nandflipbits"]).status !== 0) {
  throw new Error("mtd-utils is not installed: run scripts/install-deps.sh as root (make test does)");
}

// The work directory must be visible in the guest at the same path: under the repository.
const work = path.join(ROOT, "build", "qemu-flash", `${process.pid}`);
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const w = (f: string) => path.join(work, f);
const disk = w("nor.disk");
const GUEST = guestJs(path.join(ROOT, "test", "helpers", "flash-guest.ts"), w("js"));
fs.writeFileSync(disk, Buffer.alloc(0x400000, 0xff)); // the block2mtd device, erased

const devKey = crypto.createPrivateKey(fs.readFileSync(path.join(ROOT, "boards", "keys", "development.key"), "utf8"));
const coreWasm = fs.readFileSync(path.join(ROOT, "build", "core.wasm"));
const sha = (b: Uint8Array) => crypto.createHash("sha256").update(b).digest("hex");
const images = new Map<string, Uint8Array>();
// Images of the real core and board, plus signed extension records (skipped by the card,
// covered by the signature) that bring them to about 480 KB: an update of the 4 KiB-block
// NOR then takes over a hundred rounds of flash operations, so a kill lands inside it.
const padding = Array.from({ length: 6 }, (_, k) => ({ type: 0x0100 + k, value: new Rng(k + 1).bytes(0xfff8) }));
function image(name: string, boardFile: string, counter: number, major: number, opts: { boardId?: string; key?: crypto.KeyObject } = {}): string {
  const board = JSON.parse(fs.readFileSync(boardFile, "utf8"));
  const key = opts.key ?? devKey;
  const img = buildImage({
    extensions: padding,
    boardId: opts.boardId ?? board.id,
    version: { major, minor: 0, patch: 0, build: counter },
    securityCounter: counter,
    core: coreWasm,
    board: fs.readFileSync(boardFile),
    keyId: keyId(rawPublicKey(crypto.createPublicKey(key))),
    sign: (m) => new Uint8Array(crypto.sign(null, m, key)),
  });
  fs.writeFileSync(w(name), img);
  images.set(sha(img), img);
  return w(name);
}
const nameOf = (digest: string) => [...images.entries()].find(([d]) => d === digest)?.[0];
const imgSha = (file: string) => sha(fs.readFileSync(file));

const gb = image("gb.img", BOARD_B, 1, 1);
const b2 = image("b2.img", BOARD_B, 2, 2);
const b3 = image("b3.img", BOARD_B, 3, 3);
const b4 = image("b4.img", BOARD_B, 4, 4);
const ga = image("ga.img", BOARD_A, 1, 1);
const a2 = image("a2.img", BOARD_A, 2, 2);
const a3 = image("a3.img", BOARD_A, 3, 3);
const cutImages = Array.from({ length: CUTS }, (_, k) => image(`a${4 + k}.img`, BOARD_A, 4 + k, 4 + k));
const badSig = w("bad-sig.img");
const bs = Buffer.from(fs.readFileSync(b3));
bs[bs.length - 7] ^= 0x10;
fs.writeFileSync(badSig, bs);
const otherBoardB = image("a-on-b.img", BOARD_A, 9, 9); // a linecard-a image offered to linecard-b
const badSigA = w("bad-sig-a.img");
const bsa = Buffer.from(fs.readFileSync(a3));
bsa[100] ^= 0x01;
fs.writeFileSync(badSigA, bsa);
const otherBoardA = image("b-on-a.img", BOARD_B, 9, 9);
const LEN = fs.statSync(a3).size; // every image here has the same length (same core and board sizes per board)

const NOR = "/dev/mtd0"; // block2mtd is loaded first: mtd0 in every boot
const NAND = "/dev/mtd1";
const NA = ["--board", BOARD_A, "--target", NOR];
const NB = ["--board", BOARD_B, "--target", NAND];
const SLOT_A = 0x110000;
const SLOT_B = 0x210000;
const NAND_B = 0x880000;
const hex = (n: number) => `0x${n.toString(16)}`;

function script(plan: GuestStep[], nand: boolean, tag: string): string {
  const planFile = w(`plan-${tag}.json`);
  fs.writeFileSync(planFile, JSON.stringify(plan));
  return (
    guestPreamble(true) +
    [
      'lgmod virtio_pci && lgmod virtio_blk && lgmod block2mtd block2mtd=/dev/vda,4096 || echo "LG {\\"op\\":\\"error\\",\\"what\\":\\"block2mtd\\"}"',
      nand ? 'lgmod nandsim id_bytes=0x20,0xa2,0x00,0x15 badblocks=1,5,40,70 bitflips=1 || echo "LG {\\"op\\":\\"error\\",\\"what\\":\\"nandsim\\"}"' : "",
      guestNode(GUEST, [planFile]),
    ].join("\n") +
    "\n"
  );
}

/** The boot check after a cut: the boot stage's choice, and both NOR slots read by mtd-utils. */
const checkSteps = (): GuestStep[] => [
  { kind: "cli", args: ["boot", ...NA, "--json"] },
  { kind: "sh", argv: ["mtd_debug", "read", NOR, hex(SLOT_A), String(LEN), "/run/sa.bin"], file: "/run/sa.bin" },
  { kind: "sh", argv: ["mtd_debug", "read", NOR, hex(SLOT_B), String(LEN), "/run/sb.bin"], file: "/run/sb.bin" },
];

const plan1: GuestStep[] = [
  // NAND (nandsim): the whole life cycle.
  { kind: "cli", args: ["flash", ...NB, "--image", gb, "--golden", "--json"] },
  { kind: "cli", args: ["boot", ...NB, "--json"] },
  { kind: "cli", args: ["flash", ...NB, "--image", b2, "--json"] },
  { kind: "cli", args: ["boot", ...NB, "--json"] },
  { kind: "cli", args: ["confirm", ...NB, "--json"] },
  { kind: "cli", args: ["flash", ...NB, "--image", b3, "--json"] },
  { kind: "cli", args: ["boot", ...NB, "--json"] },
  { kind: "cli", args: ["confirm", ...NB, "--json"] },
  { kind: "cli", args: ["flash", ...NB, "--image", badSig] },
  { kind: "cli", args: ["flash", ...NB, "--image", otherBoardB] },
  { kind: "cli", args: ["flash", ...NB, "--image", b2] },
  { kind: "cli", args: ["flash-status", ...NB, "--json"] },
  { kind: "sh", argv: ["nanddump", "--bb=skipbad", "-q", "-s", hex(NAND_B), "-l", hex(0x400000), "-f", "/run/nb.bin", NAND], file: "/run/nb.bin", length: fs.statSync(b3).size },
  { kind: "sh", argv: ["nanddump", "--bb=skipbad", "-q", "-s", hex(0x80000), "-l", hex(0x400000), "-f", "/run/ng.bin", NAND], file: "/run/ng.bin", length: fs.statSync(gb).size },
  { kind: "ecc", target: NAND },
  // Two flips in one 256-byte ECC step of the confirmed slot's first page.
  { kind: "sh", argv: ["nandflipbits", "-q", NAND, `1@${NAND_B + 0x400}`, `6@${NAND_B + 0x410}`] },
  { kind: "sh", argv: ["nanddump", "--bb=skipbad", "-q", "-s", hex(NAND_B), "-l", hex(0x20000), "-f", "/run/nf.bin", NAND], file: "/run/nf.bin", length: 0x20000 },
  { kind: "cli", args: ["boot", ...NB, "--json"] },
  { kind: "ecc", target: NAND },
  { kind: "cli", args: ["flash", ...NB, "--image", b4, "--json"] },
  { kind: "cli", args: ["boot", ...NB, "--json"] },
  { kind: "cli", args: ["confirm", ...NB, "--json"] },
  // NOR-like, persistent (block2mtd over the virtio disk).
  { kind: "cli", args: ["flash", ...NA, "--image", ga, "--golden", "--json"] },
  { kind: "cli", args: ["flash", ...NA, "--image", a2, "--json"] },
  { kind: "cli", args: ["boot", ...NA, "--json"] },
  { kind: "cli", args: ["confirm", ...NA, "--json"] },
  { kind: "cli", args: ["flash", ...NA, "--image", a3, "--json"] },
  { kind: "cli", args: ["boot", ...NA, "--json"] },
  { kind: "cli", args: ["confirm", ...NA, "--json"] },
  { kind: "cli", args: ["flash", ...NA, "--image", badSigA] },
  { kind: "cli", args: ["flash", ...NA, "--image", otherBoardA] },
  { kind: "cli", args: ["flash", ...NA, "--image", a2] },
  ...checkSteps(),
  { kind: "flash-rounds", board: BOARD_A, image: cutImages[0], target: NOR, paceMs: PACE_MS },
];

const rng = new Rng(Number(process.env.QEMU_FLASH_SEED ?? Date.now() % 1e9));
let roundsPerFlash = 0;
const cutAt: number[] = [];
/**
 * Kills QEMU right after a random round of the update (rounds 1 .. all but the last two: from
 * the write of the first block to the read-back before the trial mark), a random few ms into
 * the guest's pause after it or into the next round's operations.
 */
function cutter(rec: RigRecord, ctl: { powerCut(): void }) {
  if (rec.op === "cli" && Array.isArray(rec.args) && rec.args[0] === "flash" && rec.args.includes(a3) && rec.code === 0) {
    roundsPerFlash = JSON.parse(String(rec.out)).report.rounds;
  }
  if (rec.op === "flash-begin") cutAt.push(4 + rng.int(Math.max(1, roundsPerFlash - 4)));
  if (rec.op === "round" && rec.n === cutAt[cutAt.length - 1]) ctl.powerCut();
}

let run1: ShellGuestRun;
const runs: ShellGuestRun[] = [];
const booted = (async () => {
  run1 = await runShellGuest(script(plan1, true, "1"), { dir: work, shareRoot: true, disk, onRecord: cutter });
  for (let k = 1; k <= CUTS; k++) {
    const plan = k < CUTS ? [...checkSteps(), { kind: "flash-rounds", board: BOARD_A, image: cutImages[k], target: NOR, paceMs: PACE_MS } as GuestStep] : [...checkSteps(), { kind: "cli", args: ["flash-status", ...NA, "--json"] } as GuestStep];
    runs.push(await runShellGuest(script(plan, false, `${k + 1}`), { dir: work, shareRoot: true, disk, onRecord: cutter }));
  }
})();

const steps = (r: ShellGuestRun) => r.records.filter((x) => x.i !== undefined && x.op !== "round" && x.op !== "flash-begin");
const step = (r: ShellGuestRun, i: number) => {
  const s = steps(r).find((x) => x.i === i);
  if (!s) throw new Error(`step ${i} has no record:\n${r.console.slice(-3000)}`);
  return s;
};
const json = (s: RigRecord) => JSON.parse(String(s.out));

test("boot 1: the guest loads nandsim and block2mtd, mounts the host's root, runs Node", async () => {
  await booted;
  assert.ok(!run1.records.some((r) => r.op === "error" || r.op === "crash"), run1.console.slice(-3000));
  assert.ok(run1.records.some((r) => r.op === "node"), "Node started in the guest");
  console.log(`  boot 1: ${run1.totalMs} ms (guest up at ${run1.bootMs} ms)`);
});

test("nandsim: golden, flash, boot, confirm, re-flash; bad blocks skipped; refusals exit 1", async () => {
  await booted;
  const codes = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => step(run1, i).code);
  assert.equal(codes, [0, 0, 0, 0, 0, 0, 0, 0], JSON.stringify([0, 1, 2, 3, 4, 5, 6, 7].map((i) => step(run1, i).err)));
  assert.equal([json(step(run1, 1)).chosen, json(step(run1, 2)).slot, json(step(run1, 3)).reason, json(step(run1, 5)).slot, json(step(run1, 6)).chosen], ["golden", "A", "trial", "B", "B"]);
  assert.is(json(step(run1, 7)).securityCounter, 3);
  for (const [i, re] of [[8, /signature does not verify/], [9, /built for board "linecard-a"/], [10, /security counter 2 is below the card's 3/]] as const) {
    assert.is(step(run1, i).code, 1, String(step(run1, i).err));
    assert.match(String(step(run1, i).err), re);
  }
  const st = json(step(run1, 11)).report;
  assert.equal(st.slots.map((s: { badBlocks: number }) => s.badBlocks), [1, 1, 1], "nandsim badblocks=1,5,40,70: one per slot");
  assert.is(st.copies[1].offset, 0x40000, "the second state copy skips bad block 1");
  assert.equal(st.slots.map((s: { verdict: string }) => s.verdict), ["ok", "E_FLASH_ROLLBACK", "ok"], "A's older image is below the confirmed counter");
});

test("nandsim: mtd-utils reads exactly the images the slots hold; two flips in one ECC step: no read error, the boot stage refuses the slot", async () => {
  await booted;
  assert.is(step(run1, 12).sha256, imgSha(b3), "nanddump of slot B");
  assert.is(step(run1, 13).sha256, imgSha(gb), "nanddump of golden");
  assert.is(step(run1, 15).code, 0, String(step(run1, 15).out));
  assert.is(step(run1, 16).code, 0, "nanddump reads the flipped page without an error");
  const boot = json(step(run1, 17));
  assert.is(boot.chosen, "golden");
  const verdicts = Object.fromEntries(boot.report.slots.map((s: { slot: string; verdict: string }) => [s.slot, s.verdict]));
  assert.is(verdicts.B, "E_IMG_DIGEST", "the confirmed slot's data came back wrong, without an error");
  assert.is(verdicts.A, "E_FLASH_ROLLBACK", "the older image is below the confirmed counter");
  assert.ok(Number(step(run1, 18).failed) > Number(step(run1, 14).failed), `ECC failures counted by the kernel: ${step(run1, 14).failed} -> ${step(run1, 18).failed}`);
  assert.equal([step(run1, 19).code, json(step(run1, 20)).reason, step(run1, 21).code], [0, "trial", 0], String(step(run1, 19).err));
});

test("block2mtd: golden, flash, boot, confirm, re-flash; refusals exit 1; mtd-utils reads what the boot stage chose", async () => {
  await booted;
  for (let i = 22; i <= 28; i++) assert.is(step(run1, i).code, 0, `${i}: ${step(run1, i).err}`);
  assert.equal([json(step(run1, 27)).chosen, json(step(run1, 28)).securityCounter], ["B", 3]);
  for (const [i, re] of [[29, /signature does not verify|SHA-256/], [30, /built for board "linecard-b"/], [31, /security counter 2 is below the card's 3/]] as const) {
    assert.is(step(run1, i).code, 1, String(step(run1, i).err));
    assert.match(String(step(run1, i).err), re);
  }
  assert.is(json(step(run1, 32)).chosen, "B");
  assert.is(step(run1, 34).sha256, imgSha(a3), "mtd_debug read of slot B");
  assert.is(nameOf(String(step(run1, 33).sha256)), imgSha(a2), "slot A still holds the previous image");
});

test(`power cuts: QEMU killed at ${CUTS} random rounds of an update; each next boot picks a valid image, as mtd-utils reads it`, async () => {
  await booted;
  assert.ok(roundsPerFlash > 100, `rounds per flash: ${roundsPerFlash}`);
  console.log(`  an uncut update of the persistent MTD: ${roundsPerFlash} rounds; boots ${[run1, ...runs].map((r) => `${(r.totalMs / 1000).toFixed(1)} s`).join(", ")}`);
  const killed = [run1, ...runs.slice(0, CUTS - 1)];
  killed.forEach((r, k) => {
    assert.ok(r.cut, `boot ${k + 1} was cut`);
    const rounds = r.records.filter((x) => x.op === "round").length;
    assert.is(rounds, cutAt[k] + 1, `boot ${k + 1}: the records stop at the round of the cut`);
    assert.ok(!r.records.some((x) => x.op === "flash-done"), `boot ${k + 1}: cut before the flash finished (at round ${rounds})`);
  });
  const outcomes: string[] = [];
  runs.forEach((r, k) => {
    const boot = step(r, 0);
    assert.is(boot.code, 0, String(boot.err));
    const b = json(boot);
    const slotSha = b.chosen === "A" ? step(r, 1).sha256 : b.chosen === "B" ? step(r, 2).sha256 : undefined;
    const name = path.basename([...fs.readdirSync(work)].map((f) => w(f)).find((f) => f.endsWith(".img") && imgSha(f) === slotSha) ?? "none");
    outcomes.push(`cut ${k + 1} after round ${cutAt[k]} of ${roundsPerFlash}: ${b.chosen} (${b.reason}) ${name}`);
    assert.ok(["A", "B"].includes(b.chosen), `after cut ${k + 1}: ${b.chosen}`);
    assert.ok(slotSha && images.has(String(slotSha)), `after cut ${k + 1}: the chosen slot ${b.chosen} holds a genuine image (mtd-utils)`);
    // The confirmed image (a3, slot B) or the one being written, if its trial was marked.
    if (b.reason === "confirmed") assert.is(slotSha, imgSha(a3));
    else assert.is(slotSha, imgSha(cutImages[k]), `the trial is the image of cut ${k + 1}`);
    assert.is(b.report.state.securityCounter, 3, "no confirm, no counter change");
  });
  console.log(`  ${outcomes.join("; ")}`);
  const last = runs[runs.length - 1];
  assert.ok(!last.cut && json(steps(last).find((x) => x.op === "cli" && (x.args as string[])[0] === "flash-status")!).ok);
});

test.after(() => fs.rmSync(work, { recursive: true, force: true }));
test.run();
