// Crash → gasp on the wire on a linux port: a unit armed on one end of a veth pair (in a
// namespace this bench creates and removes) dies by `lastgasp drill`; dumpcap on the other
// end timestamps the frames. The time of death is the wall clock the drill reads right
// before its fatal act (dyingAtUs, CLOCK_REALTIME, what the capture's timestamps use): the
// figure is death → first frame at the peer, and → last copy. Modes interleaved in one run:
//   null-store            the crash path rehearsed at arm time (the default)
//   null-store, cold      --cold: its first run is its first execution
//   abort                 rehearsed; SIGABRT from abort()
// Medians over RUNS runs each (default 15), the order rotating every round. Root only.
// Figures, no assertions.

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { VethPairNamespace, requireRoot, startDumpcap } from "../test/helpers/netns";
import { BIN, ensureBuilt } from "../test/helpers/cli";
import { tmpDir } from "../test/helpers/tshark";
import { readPcap } from "../host/pcap";
import { GASP_OFF_BOOT } from "../assembly/shared/gasp";
import { ETH_HEADER_LEN } from "../assembly/shared/wire";
import { median, quantile } from "./stats";

const RUNS = Number(process.env.RUNS ?? 15);
const MODES = [
  { name: "null-store (rehearsed)", args: ["--death", "null-store"] },
  { name: "null-store (cold)", args: ["--death", "null-store", "--cold"] },
  { name: "abort (rehearsed)", args: ["--death", "abort"] },
];

async function main(): Promise<void> {
  requireRoot("linux-crash.bench.ts");
  ensureBuilt();
  const dir = tmpDir("linux-crash-bench");
  const vp = new VethPairNamespace("lgb").create({ unitMac: "02:00:00:0a:00:02", peerMac: "02:00:00:0b:00:02" });
  try {
    const board = path.join(dir, "unit.json");
    fs.writeFileSync(board, JSON.stringify({
      id: "unit-a", chassis: "chassis-1", role: "linecard", unit: 1, nic: { model: "e1000" },
      dma: { os: "0x100000000", fault: "0x200000000" }, rings: { tx: 64, rx: 64, fault: 16 },
      ports: [{ name: "fp0", kind: "linux", linux: { interface: vp.unit }, role: "front", mac: "02:00:00:0a:00:02", link: { partner: "unit-b/fp0" } }],
    }));
    const key = path.join(dir, "key");
    fs.writeFileSync(key, "3c".repeat(32), { mode: 0o600 });
    const file = path.join(dir, "crash.pcap");
    const cap = await startDumpcap(vp.ns, vp.peer, file, ["-f", "ether proto 0x88b5"]);
    const deaths: { mode: string; boot: number; at: number }[] = [];
    let boot = 1;
    for (let i = 0; i < RUNS; i++) {
      // The order rotates every round: no mode always follows the same one.
      for (const m of [...MODES.slice(i % MODES.length), ...MODES.slice(0, i % MODES.length)]) {
        const r = spawnSync("ip", ["netns", "exec", vp.ns, "/bin/sh", "-c", 'ulimit -c 0; exec "$@"', "sh", process.execPath, BIN, "drill", "--board", board, "--key-file", key, "--boot", String(boot), "--watchdog-ms", "0", "--json", ...m.args], { encoding: "utf8", cwd: dir });
        const line = JSON.parse(r.stdout.split("\n")[0]);
        deaths.push({ mode: m.name, boot, at: line.dyingAtUs });
        boot++;
      }
    }
    await cap.stop();
    const frames = readPcap(fs.readFileSync(file));
    const byBoot = new Map<number, number[]>();
    for (const f of frames) {
      const b = new DataView(f.data.buffer, f.data.byteOffset).getUint32(ETH_HEADER_LEN + GASP_OFF_BOOT, false);
      byBoot.set(b, [...(byBoot.get(b) ?? []), f.timeUs]);
    }
    console.log(`crash → gasp on a veth pair (linux port, soft e1000, AF_PACKET): ${RUNS} runs per mode, interleaved; microseconds from the drill's fatal act`);
    console.log(`  ${"mode".padEnd(24)} first frame: median   p10    p90 | last copy: median | runs with a gasp`);
    for (const m of MODES) {
      const ds = deaths.filter((d) => d.mode === m.name);
      const first = ds.filter((d) => byBoot.has(d.boot)).map((d) => Math.min(...byBoot.get(d.boot)!) - d.at);
      const last = ds.filter((d) => byBoot.has(d.boot)).map((d) => Math.max(...byBoot.get(d.boot)!) - d.at);
      const f = (x: number) => x.toFixed(0).padStart(6);
      console.log(`  ${m.name.padEnd(24)} ${f(median(first))}       ${f(quantile(first, 0.1))} ${f(quantile(first, 0.9))} | ${f(median(last))}            | ${first.length}/${ds.length}`);
    }
  } finally {
    vp.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
