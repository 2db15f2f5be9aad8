// A lastgasp pair (`lastgasp run` on linux ports, keepalived's timers: HELLO every 1 s) and a
// stock keepalived pair (Debian's keepalived, VRRPv3, advert_int 1, master priority 150,
// backup priority 100) on the same namespaces — two units and a client on a bridge
// (test/helpers/segment.ts) — side by side in one run, interleaved. Each run crashes the
// active: lastgasp's by a NULL store in native code (its gasp goes out from the crash path),
// keepalived's by SIGKILL with its addresses flushed (an OS crash takes them with it).
// Measured at the client (dumpcap there, the wall clock read at the crash; 1 ms resolution):
//   crash → the client's neighbour entry moved: the new active's first GARP for the VIP
//   crash → outage: the first echo reply from the new active (the client pings every 1 ms)
// Medians over RUNS (default 10) runs each, and their ratio. The crash time of a lastgasp unit is
// its last log line (unit.dying, written just before the NULL store). Root, keepalived, iputils-ping
// and dumpcap (scripts/install-deps.sh).
//
//   RUNS=10 node bench/run.js run-pair

import * as fs from "fs";
import * as path from "path";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { Segment } from "../test/helpers/segment";
import { PairUnit, PAIR, writePairFiles, sleep } from "../test/helpers/pair";
import { fields, tmpDir } from "../test/helpers/tshark";
import { startDumpcap, ip } from "../test/helpers/netns";
import { ensureBuilt } from "../test/helpers/cli";
import { median, quantile } from "./stats";

const RUNS = Number(process.env.RUNS ?? 10);

export interface PairFigures {
  moved: number[];
  outage: number[];
}

type Crash = { t: number; mac: string; kind: "lastgasp" | "keepalived" };

/** keepalived in a member's namespace, as Debian runs it (foreground here, logging to stderr). */
class Keepalived {
  private readonly child: ChildProcess;
  readonly log: string[] = [];
  private readonly pids: string[];

  constructor(seg: Segment, dir: string, name: string, state: "MASTER" | "BACKUP", priority: number, n: number) {
    const m = seg.member(name);
    const conf = path.join(dir, `ka-${name}-${n}.conf`);
    fs.writeFileSync(conf, [
      `vrrp_instance VI {`, `  state ${state}`, `  interface ${m.iface}`, "  virtual_router_id 51", `  priority ${priority}`,
      "  advert_int 1", "  version 3", "  virtual_ipaddress {", `    ${PAIR.vip4}/24`, "  }", "}", "",
    ].join("\n"));
    this.pids = [path.join(dir, `ka-${name}-${n}.pid`), path.join(dir, `ka-${name}-${n}-vrrp.pid`)];
    this.child = spawn("ip", ["netns", "exec", m.ns, "keepalived", "-n", "-l", "-D", "-P", "-f", conf, "-p", this.pids[0], "-r", this.pids[1]], { stdio: ["ignore", "pipe", "pipe"] });
    const collect = (d: Buffer) => this.log.push(...d.toString().split("\n").filter(Boolean));
    this.child.stdout!.on("data", collect);
    this.child.stderr!.on("data", collect);
  }

  async waitState(state: string, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (this.log.some((l) => l.includes(`Entering ${state} STATE`))) return;
      await sleep(20);
    }
    throw new Error(`keepalived not ${state} after ${ms} ms: ${this.log.slice(-10).join("\n")}`);
  }

  /** A crash: both processes die at once. */
  kill(): void {
    for (const f of this.pids) {
      try {
        process.kill(Number(fs.readFileSync(f, "utf8").trim()), "SIGKILL");
      } catch {
        /* gone */
      }
    }
    this.child.kill("SIGKILL");
  }

  stop(): Promise<void> {
    const done = new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.on("exit", () => r())));
    this.child.kill("SIGTERM");
    return done;
  }
}

/** Leaves a unit's interface up, without VIPs (between runs of either kind). */
function reset(seg: Segment, name: string): void {
  const m = seg.member(name);
  ip("-n", m.ns, "link", "set", m.iface, "up");
  for (const p of [`${PAIR.vip4}/24`, `${PAIR.vip4}/32`, `${PAIR.vip6}/128`]) spawnSync("ip", ["-n", m.ns, "addr", "del", p, "dev", m.iface], { stdio: "ignore" });
}

async function lastgaspRun(seg: Segment, files: ReturnType<typeof writePairFiles>): Promise<Crash> {
  const units = [new PairUnit(seg, files, "b"), new PairUnit(seg, files, "a")];
  try {
    // Both start together: the unit that held the VIPs last (higher epoch) takes them again.
    const first = await Promise.race(units.map((u) => u.waitEvent((e) => e.event === "role.takeover", 15_000).then(() => u)));
    const other = units.find((u) => u !== first)!;
    await other.waitEvent((e) => e.event === "peer.hello" && e.role === "active", 15_000);
    await sleep(2500); // the client's entry points at the active's MAC, past the kernel's locktime
    const mark = other.events.length;
    const asked = Date.now();
    await first.die("null-store");
    await first.exited;
    // The crash's time: the dying unit's last log line (wall clock, 1 ms), else the request's.
    const dying = first.events.find((e) => e.event === "unit.dying");
    const t = dying ? Date.parse(dying.time) : asked;
    await other.waitEvent((e) => e.event === "role.takeover", 10_000, mark);
    await sleep(600);
    return { t, mac: PAIR.mac[other.name], kind: "lastgasp" };
  } finally {
    for (const u of units) u.kill("SIGTERM");
    await Promise.all(units.map((u) => u.exited));
  }
}

async function keepalivedRun(seg: Segment, dir: string, n: number): Promise<Crash> {
  const b = new Keepalived(seg, dir, "b", "BACKUP", 100, n);
  const a = new Keepalived(seg, dir, "a", "MASTER", 150, n);
  try {
    await a.waitState("MASTER", 10_000);
    await sleep(2500);
    const t = Date.now();
    a.kill();
    reset(seg, "a"); // the crash takes the master's addresses with it
    await b.waitState("MASTER", 10_000);
    await sleep(600);
    return { t, mac: PAIR.mac.b, kind: "keepalived" };
  } finally {
    a.kill();
    await b.stop();
  }
}

/** Both pairs, RUNS each, interleaved on one segment. */
export async function measurePairs(runs: number, kinds: Crash["kind"][] = ["lastgasp", "keepalived"]): Promise<Record<Crash["kind"], PairFigures>> {
  ensureBuilt(); // the units run the compiled CLI
  const dir = tmpDir("run-pair-bench");
  const seg = new Segment("lgb").create();
  try {
    const files = writePairFiles(dir, seg);
    const pcap = path.join(dir, "client.pcap");
    const cap = await startDumpcap(seg.member("c").ns, seg.member("c").iface, pcap, ["-f", "arp or icmp"]);
    const ping = spawn("ip", ["netns", "exec", seg.member("c").ns, "ping", "-n", "-q", "-i", "0.001", PAIR.vip4], { stdio: "ignore" });
    const crashes: Crash[] = [];
    try {
      for (let r = 0; r < runs * kinds.length; r++) {
        const kind = kinds[r % kinds.length];
        reset(seg, "a");
        reset(seg, "b");
        crashes.push(kind === "lastgasp" ? await lastgaspRun(seg, files) : await keepalivedRun(seg, dir, r));
      }
    } finally {
      ping.kill("SIGINT");
      await cap.stop();
    }
    const rows = fields(pcap, ["frame.time_epoch", "arp.src.proto_ipv4", "arp.src.hw_mac", "icmp.type", "eth.src"]);
    const at = (x: Record<string, string>) => Number(x["frame.time_epoch"]) * 1000;
    const out: Record<string, PairFigures> = { lastgasp: { moved: [], outage: [] }, keepalived: { moved: [], outage: [] } };
    for (const c of crashes) {
      const after = rows.filter((x) => at(x) > c.t);
      const garp = after.find((x) => x["arp.src.proto_ipv4"] === PAIR.vip4 && x["arp.src.hw_mac"] === c.mac);
      const reply = after.find((x) => x["icmp.type"] === "0" && x["eth.src"] === c.mac);
      if (garp) out[c.kind].moved.push(at(garp) - c.t);
      if (reply) out[c.kind].outage.push(at(reply) - c.t);
    }
    return out as Record<Crash["kind"], PairFigures>;
  } finally {
    seg.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const pairRow = (name: string, xs: number[]) =>
  xs.length ? `| ${name} | ${median(xs).toFixed(1)} ms | ${quantile(xs, 0).toFixed(1)}–${quantile(xs, 1).toFixed(1)} ms | ${xs.length} |` : `| ${name} | — | not measured | 0 |`;

async function main(): Promise<void> {
  const r = await measurePairs(RUNS);
  console.log(["| crash of the active (client: 1 ping/ms) | median | range | runs |", "|---|---|---|---|",
    pairRow("lastgasp pair (gasp): crash → client's neighbour entry moved", r.lastgasp.moved),
    pairRow("keepalived pair (advert_int 1, backup prio 100): crash → neighbour entry moved", r.keepalived.moved),
    pairRow("lastgasp pair (gasp): crash → first reply from the new active (outage)", r.lastgasp.outage),
    pairRow("keepalived pair: crash → first reply from the new active (outage)", r.keepalived.outage),
    `| ratio keepalived / lastgasp (medians: moved; outage) | ${(median(r.keepalived.moved) / median(r.lastgasp.moved)).toFixed(0)}×; ${(median(r.keepalived.outage) / median(r.lastgasp.outage)).toFixed(0)}× | | |`,
  ].join("\n"));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
