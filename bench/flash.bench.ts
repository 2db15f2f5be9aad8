// Flashing figures (docs/flashing.md): the time to flash and verify a slot (write, read
// back, hash and signature check, mark trial) and the boot stage's time to select and verify,
// on the flash model (in memory and file-backed, NOR and NAND layouts of the shipped boards)
// and on nandsim in the QEMU guest (the lastgasp CLI on /dev/mtdN, under TCG). Images are
// the real core.wasm and board file (~91 KB). Medians; figures only, no assertions.
// FLASH_BENCH_QEMU=0 skips the guest.

import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { Core } from "../host/core/core";
import { loadBoard } from "../host/board/load";
import { FlashModel } from "../host/flash/model";
import { FlashCard } from "../host/flash/card";
import { FlashLayout } from "../host/flash/layout";
import { buildImage } from "../host/image/format";
import { keyId, rawPublicKey } from "../host/image/keys";
import { median } from "./stats";

const ROOT = path.join(__dirname, "..");
const N = Number(process.env.FLASH_BENCH_N ?? 15);
const devKey = crypto.createPrivateKey(fs.readFileSync(path.join(ROOT, "boards", "keys", "development.key"), "utf8"));
const pub = rawPublicKey(crypto.createPublicKey(devKey));

function image(boardFile: string, counter: number): Uint8Array {
  const board = loadBoard(boardFile);
  return buildImage({
    boardId: board.id,
    version: { major: 1, minor: counter, patch: 0, build: 0 },
    securityCounter: counter,
    core: fs.readFileSync(path.join(ROOT, "build", "core.wasm")),
    board: fs.readFileSync(boardFile),
    keyId: keyId(pub),
    sign: (m) => new Uint8Array(crypto.sign(null, m, devKey)),
  });
}

const ms = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

function modelFigures(name: string, boardFile: string, file: boolean) {
  const layout = loadBoard(boardFile).flash as FlashLayout;
  const geometry = { type: layout.type, size: layout.size, eraseSize: layout.eraseSize, writeSize: layout.writeSize };
  let tmp = "";
  let dev: FlashModel;
  if (file) {
    tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lastgasp-flash-bench-")), "card.flash");
    FlashModel.create(tmp, geometry, { badBlocks: layout.type === "nand" ? [6, 40] : [] });
    dev = FlashModel.open(tmp, geometry);
  } else dev = FlashModel.inMemory(geometry, { badBlocks: layout.type === "nand" ? [6, 40] : [] });
  const core = Core.load();
  const card = new FlashCard(dev, layout, { keys: [pub], board: loadBoard(boardFile).id }, core);
  card.golden(image(boardFile, 1));
  const flash: number[] = [];
  const trial: number[] = [];
  const confirmed: number[] = [];
  const golden: number[] = [];
  let rounds = 0;
  const imgs = Array.from({ length: N }, (_, i) => image(boardFile, i + 2));
  for (let i = 0; i < N; i++) {
    flash.push(ms(() => (rounds = card.flash(imgs[i]).rounds)));
    trial.push(ms(() => card.boot()));
    card.confirm();
    confirmed.push(ms(() => card.boot()));
  }
  // Both slots broken: the boot stage verifies A and B, refuses both, then verifies golden.
  const st = card.status();
  for (const s of ["a", "b"] as const) {
    const at = layout.regions[s].offset + 4096 + 17;
    if (layout.type === "nor") dev.program(at, new Uint8Array(1));
    else [0, 1].forEach((k) => dev.flipBit(at + k, 3)); // two flips in one ECC step: wrong data, no error
  }
  for (let i = 0; i < Math.min(N, 7); i++) golden.push(ms(() => card.boot()));
  const size = imgs[0].length;
  console.log(
    `${name.padEnd(36)} flash+verify ${median(flash).toFixed(1).padStart(6)} ms (${rounds} rounds, ${(size / 1024 / (median(flash) / 1000) / 1024).toFixed(1)} MiB/s)  ` +
      `boot: trial ${median(trial).toFixed(2)} ms, confirmed ${median(confirmed).toFixed(2)} ms, all broken -> golden ${median(golden).toFixed(2)} ms` +
      `${st.slots.some((s) => s.badBlocks) ? "  (bad blocks skipped)" : ""}`,
  );
  dev.close();
  if (tmp) fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
}

async function qemuFigures() {
  const { buildRig } = await import("../test/helpers/qemu");
  const { runShellGuest, guestPreamble, guestNode, guestJs } = await import("../test/helpers/qemu-guest");
  buildRig();
  const work = path.join(ROOT, "build", "qemu-flash", `bench-${process.pid}`);
  fs.mkdirSync(work, { recursive: true });
  try {
    const js = guestJs(path.join(ROOT, "test", "helpers", "flash-guest.ts"), path.join(work, "js"));
    const board = path.join(ROOT, "boards", "linecard-b.json");
    const B = ["--board", board, "--target", "/dev/mtd0"];
    const files = Array.from({ length: 8 }, (_, i) => {
      const f = path.join(work, `b${i}.img`);
      fs.writeFileSync(f, image(board, i + 1));
      return f;
    });
    const plan = [
      { kind: "cli", args: ["flash", ...B, "--image", files[0], "--golden"] },
      ...files.slice(1).flatMap((f) => [
        { kind: "cli", args: ["flash", ...B, "--image", f] },
        { kind: "cli", args: ["boot", ...B] },
        { kind: "cli", args: ["confirm", ...B] },
        { kind: "cli", args: ["boot", ...B] },
      ]),
    ];
    const planFile = path.join(work, "plan.json");
    fs.writeFileSync(planFile, JSON.stringify(plan));
    const script = guestPreamble(true) + "lgmod nandsim id_bytes=0x20,0xa2,0x00,0x15 badblocks=6,40 bitflips=1\n" + guestNode(js, [planFile]) + "\n";
    const run = await runShellGuest(script, { dir: work, shareRoot: true });
    const steps = run.records.filter((r) => r.op === "cli");
    const bad = steps.filter((r) => r.code !== 0);
    if (bad.length) throw new Error(`guest steps failed: ${JSON.stringify(bad[0])}`);
    const of = (cmd: string, k: number) => steps.filter((r, i) => i > 0 && (r.args as string[])[0] === cmd && (i - 1) % 4 === k).map((r) => Number(r.ms));
    console.log(
      `${"nandsim in QEMU (TCG), lastgasp CLI".padEnd(36)} flash+verify ${median(of("flash", 0)).toFixed(0).padStart(6)} ms  ` +
        `boot: trial ${median(of("boot", 1)).toFixed(0)} ms, confirmed ${median(of("boot", 3)).toFixed(0)} ms  (medians of ${files.length - 1}; each a whole command: open, scan ${0x4000000 / 0x20000} blocks for bad ones, read the state, then the operation)`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`image: ${image(path.join(ROOT, "boards", "linecard-a.json"), 2).length} bytes (core.wasm + board file, signed); ${N} updates per line`);
  modelFigures("model NOR in memory (linecard-a)", path.join(ROOT, "boards", "linecard-a.json"), false);
  modelFigures("model NOR file-backed (linecard-a)", path.join(ROOT, "boards", "linecard-a.json"), true);
  modelFigures("model NAND in memory (linecard-b)", path.join(ROOT, "boards", "linecard-b.json"), false);
  modelFigures("model NAND file-backed (linecard-b)", path.join(ROOT, "boards", "linecard-b.json"), true);
  if (process.env.FLASH_BENCH_QEMU !== "0") await qemuFigures();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
