// The switching service on real veth ports under `lastgasp run` (the soft e1000 over
// AF_PACKET, the packet engine, one register list per native call), in three namespaces this
// bench creates and removes (test/helpers/switch-ns.ts: client — unit — back end):
//
//   flood    UDP frames to the VIP from 64 client flows, sent as fast as one AF_PACKET sender
//            in the client's namespace can (60 and 1514 bytes): frames offered per second, and
//            frames forwarded per second — counted on the back end's interface — and what the
//            engine and the ports dropped (the service's counters at stop);
//   latency  UDP request → back end's echo → reply through the engine (NAT both ways), one at a
//            time: RTT median and 99th percentile; beside it the same client/server pair over
//            loopback in one namespace (the tools' own cost, no engine);
//   tcp      one TCP connection echoing BYTES through the engine (Node's client and server):
//            MB/s each way.
//
// The machine is shared: its load average is printed before and after. Figures, no
// assertions. Root only. FLOOD_SECONDS (default 3) per flood size; ROUNDS (default 2000) latency probes.

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireRoot } from "../test/helpers/netns";
import { BIN, ROOT, ensureBuilt } from "../test/helpers/cli";
import { tmpDir } from "../test/helpers/tshark";
import { SwitchNamespaces, SWITCH_NS, PORT_MACS, ROUTER_MAC, writeSwitchBoard, startIn, stopChild, ECHO_SERVER, TCP_CLIENT } from "../test/helpers/switch-ns";

const SECONDS = Number(process.env.FLOOD_SECONDS ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 2000);
const TCP_BYTES = Number(process.env.BYTES ?? 32 << 20);
const RAW_ADDON = path.join(ROOT, "build", "native", "lastgasp_raw.node");

// The flood's sender, in the client's namespace: IPv4/UDP frames to the VIP's UDP port from 64
// source ports (UDP checksum 0: none, RFC 768), as fast as send(2) goes, for `seconds`.
const FLOOD = `
const raw = require(${JSON.stringify(RAW_ADDON)});
const [iface, dst, src, size, seconds] = [process.argv[1], process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const mac = (s) => Buffer.from(s.split(":").map((h) => parseInt(h, 16)));
const frames = [];
for (let k = 0; k < 64; k++) {
  const f = Buffer.alloc(size);
  mac(dst).copy(f, 0); mac(src).copy(f, 6); f.writeUInt16BE(0x0800, 12);
  const ip = 14, len = size - 14;
  f[ip] = 0x45; f.writeUInt16BE(len, ip + 2); f[ip + 8] = 64; f[ip + 9] = 17;
  Buffer.from([192, 0, 2, 1]).copy(f, ip + 12); Buffer.from([203, 0, 113, 10]).copy(f, ip + 16);
  let sum = 0; for (let i = 0; i < 20; i += 2) sum += f.readUInt16BE(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  f.writeUInt16BE(~sum & 0xffff, ip + 10);
  f.writeUInt16BE(20000 + k, ip + 20); f.writeUInt16BE(53, ip + 22); f.writeUInt16BE(len - 20, ip + 24);
  frames.push(f);
}
const fd = raw.open(iface);
let sent = 0;
const t0 = process.hrtime.bigint(), end = t0 + BigInt(seconds * 1e9);
while (process.hrtime.bigint() < end) for (let i = 0; i < 256; i++) { raw.send(fd, frames[sent & 63]); sent++; }
console.log(JSON.stringify({ sent, ns: Number(process.hrtime.bigint() - t0) }));`;

// One UDP request at a time, ROUNDS of them: RTT quantiles in microseconds.
const UDP_PING = `
const dgram = require("dgram");
const [host, port, rounds] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const s = dgram.createSocket("udp4");
const rtts = []; let t = 0n, lost = 0, timer;
const next = () => { if (rtts.length + lost >= rounds) return done(); t = process.hrtime.bigint(); s.send(Buffer.alloc(32, 7), port, host); timer = setTimeout(() => { lost++; next(); }, 200); };
s.on("message", () => { clearTimeout(timer); rtts.push(Number(process.hrtime.bigint() - t) / 1000); next(); });
const done = () => { rtts.sort((a, b) => a - b); const q = (p) => rtts[Math.min(rtts.length - 1, Math.floor(p * rtts.length))];
  console.log(JSON.stringify({ n: rtts.length, lost, p50: q(0.5), p99: q(0.99) })); s.close(); };
s.bind(0, next);`;
const UDP_ECHO = (addr: string, port: number) =>
  `const s = require("dgram").createSocket("udp4"); s.on("message", (m, r) => s.send(m, r.port, r.address)); s.bind(${port}, ${JSON.stringify(addr)}, () => console.log("listening"));`;
// A UDP socket that is never read: the flood's frames arrive at an open port (no ICMP back).
const UDP_SINK = `import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.51.100.11", 8080)); print("listening", flush=True); time.sleep(1e6)`;

function nsRun(ns: string, argv: string[], timeoutMs = 120_000): string {
  const r = spawnSync("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8", timeout: timeoutMs, maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`${argv.slice(0, 2).join(" ")}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

function rxPackets(ns: string, dev: string): number {
  return (JSON.parse(spawnSync("ip", ["-n", ns, "-s", "-j", "link", "show", dev], { encoding: "utf8" }).stdout) as { stats64: { rx: { packets: number } } }[])[0].stats64.rx.packets;
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
const f1 = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  requireRoot("switch-linux.bench.ts");
  ensureBuilt();
  const dir = tmpDir("switch-linux-bench");
  const ns = new SwitchNamespaces("lgsb").create(SWITCH_NS);
  const key = path.join(dir, "chassis.key");
  fs.writeFileSync(key, "5a".repeat(32), { mode: 0o600 });
  const { board } = writeSwitchBoard(dir, ns, { capacity: 65536 });
  console.log(`machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), load average before: ${load()}`);
  const unit = await startIn(ns.unit, [process.execPath, BIN, "run", "--board", board, "--key-file", key, "--state-dir", path.join(dir, "state"), "--watchdog-ms", "0", "--socket", path.join(dir, "unit.sock"), "--json"], /"event":"role.takeover"/); // no peer: active after the heartbeat timeout
  try {
    // ---- flood ----
    const sink = await startIn(ns.backend, ["python3", "-c", UDP_SINK], /listening/);
    try {
      console.log(`flood (UDP to the VIP, 64 flows, one AF_PACKET sender, ${SECONDS} s per size):`);
      console.log("  frame  offered kpps  forwarded kpps  forwarded/offered");
      for (const size of [60, 1514]) {
        const before = rxPackets(ns.backend, ns.backendIf);
        const r = JSON.parse(nsRun(ns.client, [process.execPath, "-e", FLOOD, ns.clientIf, PORT_MACS[0], ROUTER_MAC, String(size), String(SECONDS)])) as { sent: number; ns: number };
        await new Promise((res) => setTimeout(res, 300)); // what is still in the rings arrives
        const got = rxPackets(ns.backend, ns.backendIf) - before;
        const s = r.ns / 1e9;
        console.log(`  ${String(size).padStart(5)}  ${f1(r.sent / s / 1e3).padStart(12)}  ${f1(got / s / 1e3).padStart(14)}  ${(got / r.sent).toFixed(3).padStart(17)}`);
      }
    } finally {
      await stopChild(sink.child);
    }
    // ---- latency ----
    const echo = await startIn(ns.backend, [process.execPath, "-e", UDP_ECHO("198.51.100.11", 8080)], /listening/);
    try {
      const through = JSON.parse(nsRun(ns.client, [process.execPath, "-e", UDP_PING, "203.0.113.10", "53", String(ROUNDS)]));
      console.log(`latency (UDP echo, one at a time, ${ROUNDS} probes): through the engine p50 ${f1(through.p50)} us, p99 ${f1(through.p99)} us, lost ${through.lost}`);
    } finally {
      await stopChild(echo.child);
    }
    const lo = await startIn(ns.client, [process.execPath, "-e", UDP_ECHO("127.0.0.1", 8080)], /listening/);
    try {
      const direct = JSON.parse(nsRun(ns.client, [process.execPath, "-e", UDP_PING, "127.0.0.1", "8080", String(ROUNDS)]));
      console.log(`                                                  loopback, no engine p50 ${f1(direct.p50)} us, p99 ${f1(direct.p99)} us`);
    } finally {
      await stopChild(lo.child);
    }
    // ---- tcp ----
    const server = await startIn(ns.backend, [process.execPath, "-e", ECHO_SERVER], /listening/);
    try {
      const t0 = process.hrtime.bigint();
      const r = JSON.parse(nsRun(ns.client, [process.execPath, "-e", TCP_CLIENT, "1", String(TCP_BYTES)])) as { ok: boolean }[];
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`tcp (one connection, ${TCP_BYTES >> 20} MiB echoed through the engine): ${r[0].ok ? "intact" : "CORRUPT"}, ${f1(TCP_BYTES / s / 1e6)} MB/s each way (${f1(s)} s, process start included)`);
    } finally {
      await stopChild(server.child);
    }
  } finally {
    await stopChild(unit.child);
    const stop = unit.out().split("\n").filter((l) => l.includes('"switching.stop"')).map((l) => JSON.parse(l))[0];
    if (stop) {
      const keys = ["engine_rx", "engine_forward", "engine_tx_full", "engine_full_batches", "engine_batches", "port0_rxSocketDrops", "port1_rxSocketDrops", "port0_rxDropped", "port1_rxDropped", "rounds"];
      console.log(`service counters at stop: ${keys.map((k) => `${k}=${stop[k] ?? 0}`).join(" ")}`);
    }
    console.log(`load average after: ${load()}`);
    ns.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
