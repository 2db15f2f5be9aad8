// The TAP device's cost per call, board addon (tap.c) against Node's fs on the same
// descriptor, in a namespace this bench creates and removes: an empty read — what the
// switching service does on every turn of the loop for every TAP — and a write of a frame the
// kernel drops at once (addressed to another MAC). Medians of 7 runs of N calls each. Figures,
// no assertions. Root only.

import * as fs from "fs";
import * as os from "os";
import { execFileSync, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import { requireRoot } from "../test/helpers/netns";
import { loadBoardAddon } from "../host/native/board";
import { median } from "./stats";

const N = Number(process.env.N ?? 100_000);

function perCall(fn: () => void): number {
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    runs.push(Number(process.hrtime.bigint() - t0) / N);
  }
  return median(runs);
}

function main(): void {
  requireRoot("tap.bench.ts");
  const ns = `lgtb-${randomBytes(3).toString("hex")}`;
  execFileSync("ip", ["netns", "add", ns]);
  try {
    // The bench re-runs itself inside the namespace (the TAP is created where the process is).
    if (process.env.LG_TAP_BENCH_INNER !== "1") {
      const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, ...process.execArgv, __filename], { stdio: "inherit", env: { ...process.env, LG_TAP_BENCH_INNER: "1" } });
      process.exitCode = r.status ?? 1;
      return;
    }
  } finally {
    if (process.env.LG_TAP_BENCH_INNER !== "1") spawnSync("ip", ["netns", "del", ns]);
  }
}

function inner(): void {
  const addon = loadBoardAddon();
  const tap = addon.tapOpen("lgtap0");
  execFileSync("ip", ["link", "set", "dev", "lgtap0", "up"]);
  const buf = new Uint8Array(65536);
  const frame = new Uint8Array(60);
  frame.set([0x02, 0, 0, 0, 0, 0x99, 0x02, 0, 0, 0, 0, 0x98, 0x88, 0xb5]); // to another MAC: dropped by the kernel
  const fsRead = () => {
    try {
      fs.readSync(tap.fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
    }
  };
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}; ${N} calls x 7 runs, medians`);
  console.log(`empty read   tap.c tapRead  ${perCall(() => addon.tapRead(tap.fd, buf)).toFixed(0)} ns   fs.readSync (EAGAIN thrown) ${perCall(fsRead).toFixed(0)} ns`);
  console.log(`60-byte write tap.c tapWrite ${perCall(() => addon.tapWrite(tap.fd, frame)).toFixed(0)} ns   fs.writeSync ${perCall(() => fs.writeSync(tap.fd, frame)).toFixed(0)} ns`);
  addon.tapClose(tap.fd);
}

if (process.env.LG_TAP_BENCH_INNER === "1") inner();
else main();
