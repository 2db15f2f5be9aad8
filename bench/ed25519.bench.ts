// Ed25519 verification in the core, three ways in one run, against Node's crypto.verify
// (OpenSSL) on the same key, message and signature:
//   - the core under V8 (ed25519_verify, one call timed at a time),
//   - the core translated by wasm2c and compiled with gcc -O2 (bench/native/verify-bench.c),
//   - crypto.verify(null, msg, key, sig).
// Also a whole image (the real core.wasm and a shipped board, about 80 KB) streamed through
// the core's image window and verified, under V8 and native, and the size of core.wasm.
// Medians, never asserted (the machine is shared).
//
// usage: node bench/run.js ed25519     (RUNS=N to change the count, default 3000)

import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { Core, CORE_WASM } from "../host/core/core";
import { IMG_WINDOW_BASE } from "../assembly/shared/memmap";
import { median } from "./stats";
import { buildImage } from "../host/image/format";
import { keyId, rawPublicKey } from "../host/image/keys";
import { runImage, configureTrust } from "../host/image/verifier";

const RUNS = Math.max(500, Number(process.env.RUNS ?? 3000));
const root = path.join(__dirname, "..");

const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
const pub = rawPublicKey(publicKey);
const msg = crypto.randomBytes(64);
const sig = crypto.sign(null, msg, privateKey);
const image = buildImage({
  boardId: "linecard-a",
  version: { major: 1, minor: 0, patch: 0, build: 0 },
  securityCounter: 1,
  core: fs.readFileSync(CORE_WASM),
  board: fs.readFileSync(path.join(root, "boards", "linecard-a.json")),
  keyId: keyId(pub),
  sign: (m) => new Uint8Array(crypto.sign(null, m, privateKey)),
});

const core = Core.load();
const e = core.exports;
const PUB = Core.slot(64);
const SIG = Core.slot(65);
const W = IMG_WINDOW_BASE;
core.write(PUB, pub);
core.write(SIG, sig);
core.write(W, msg);

function time(n: number, fn: () => unknown): number[] {
  for (let i = 0; i < Math.min(200, n); i++) fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0));
  }
  return t;
}

if (e.ed25519_verify(PUB, W, msg.length, SIG) !== 0) throw new Error("core refuses the signature");
// Interleave core and Node in rounds so that load changes hit both alike.
const coreT: number[] = [];
const nodeT: number[] = [];
for (let round = 0; round < 10; round++) {
  coreT.push(...time(RUNS / 10, () => e.ed25519_verify(PUB, W, msg.length, SIG)));
  nodeT.push(...time(RUNS / 10, () => crypto.verify(null, msg, publicKey, sig)));
}
const imgRuns = Math.max(50, RUNS / 10);
configureTrust(core, [pub]);
const imageT = time(imgRuns, () => {
  const r = runImage(core, image, { mode: "verify" });
  if (r.status !== 0) throw new Error(r.reason);
});

// The wasm2c build: translate, compile, run.
let native: { verify_median_ns: number; image_median_ns: number; selftest: number; verify_rc: number; image_rc: number; image_runs: number } | undefined;
let nativeNote = "";
const rt = "/usr/share/wabt/wasm2c";
try {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lastgasp-ed25519-bench-"));
  try {
    execFileSync("wasm2c", [CORE_WASM, "-n", "core", "-o", path.join(dir, "core.c")]);
    const cflags = ["-std=gnu11", "-O2", "-I", dir, "-I", rt];
    execFileSync("gcc", [...cflags, "-w", "-c", path.join(dir, "core.c"), "-o", path.join(dir, "core.o")]);
    execFileSync("gcc", [...cflags, "-w", "-c", path.join(rt, "wasm-rt-impl.c"), "-o", path.join(dir, "rt.o")]);
    execFileSync("gcc", [...cflags, "-Wall", "-Wextra", "-c", path.join(__dirname, "native", "verify-bench.c"), "-o", path.join(dir, "bench.o")]);
    execFileSync("gcc", [path.join(dir, "bench.o"), path.join(dir, "core.o"), path.join(dir, "rt.o"), "-o", path.join(dir, "verify-bench"), "-lm"]);
    const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
    const input = Buffer.concat([pub, sig, u32(msg.length), msg, u32(image.length), image, pub]);
    fs.writeFileSync(path.join(dir, "input.bin"), input);
    const out = execFileSync(path.join(dir, "verify-bench"), [path.join(dir, "input.bin"), String(RUNS), String(PUB), String(SIG), String(W), String(W + 0x10000)], { encoding: "utf8" });
    native = JSON.parse(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
} catch (err) {
  nativeNote = `native build not measured: ${(err as Error).message.split("\n")[0]} (wasm2c and gcc come from scripts/install-deps.sh)`;
}

const us = (ns: number) => (ns / 1000).toFixed(1);
const coreMed = median(coreT);
const nodeMed = median(nodeT);
console.log(`Ed25519 verify, 64-byte message, ${RUNS} calls each (medians, one call timed at a time):`);
console.log(`  core under V8 (ed25519_verify)          ${us(coreMed).padStart(8)} µs   ${(coreMed / nodeMed).toFixed(2)}x Node`);
if (native) {
  if (native.verify_rc !== 0 || native.selftest !== 0) throw new Error(`native: selftest ${native.selftest}, verify ${native.verify_rc}`);
  console.log(`  core via wasm2c + gcc -O2 (native)      ${us(native.verify_median_ns).padStart(8)} µs   ${(native.verify_median_ns / nodeMed).toFixed(2)}x Node   ${(native.verify_median_ns / coreMed).toFixed(2)}x V8`);
}
console.log(`  Node crypto.verify (OpenSSL)            ${us(nodeMed).padStart(8)} µs`);
console.log(`Whole image (${image.length} bytes: SHA-256 of each part, SHA-512 and Ed25519 over all), streamed in 64 KiB chunks:`);
console.log(`  core under V8 (host's runImage)         ${us(median(imageT)).padStart(8)} µs   (${imgRuns} runs)`);
if (native) {
  if (native.image_rc !== 0) throw new Error(`native image: ${native.image_rc}`);
  console.log(`  core via wasm2c (native)                ${us(native.image_median_ns).padStart(8)} µs   (${native.image_runs} runs)`);
}
if (nativeNote) console.log(`  ${nativeNote}`);
console.log(`build/core.wasm: ${fs.statSync(CORE_WASM).size} bytes (docs/image-format.md gives the size the signed-image code adds)`);
