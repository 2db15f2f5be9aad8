// A running pair for tests and the benchmark: board files for two units on a Segment
// (segment.ts), `lastgasp run` in each unit's namespace with its JSON log lines collected,
// the control socket asked directly, and the client's 1 packet/ms probe (iputils ping).

import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BIN, ROOT } from "./cli";
import type { Segment } from "./segment";
import { request } from "../../host/run/control";

export const PAIR = {
  mac: { a: "02:00:00:0a:00:02", b: "02:00:00:0b:00:02", c: "02:00:00:0c:00:02" } as Record<string, string>,
  /** The second front port's own MAC (a board with alternate paths). */
  mac2: { a: "02:00:00:0a:01:02", b: "02:00:00:0b:01:02" } as Record<string, string>,
  ip4: { a: "192.0.2.2", b: "192.0.2.3", c: "192.0.2.10" } as Record<string, string>,
  ip6: { a: "2001:db8::2", b: "2001:db8::3", c: "2001:db8::10" } as Record<string, string>,
  vip4: "192.0.2.1",
  vip6: "2001:db8::1",
  priority: { a: 150, b: 100 } as Record<string, number>,
  keyHex: "5a".repeat(32),
  /** Config sync across image versions: a 2.0 active with its configuration, a 1.1 standby. */
  image: { a: "2.0", b: "1.1" } as Record<string, string>,
  config: { a: path.join(ROOT, "configs", "lb-2.0.conf") } as Record<string, string>,
};

export interface PairFiles {
  dir: string;
  key: string;
  board: Record<"a" | "b", string>;
}

/** The segment's members a, b (units) and c (client), the key and both board files. */
export function writePairFiles(dir: string, seg: Segment, opts: { twoPorts?: boolean } = {}): PairFiles {
  for (const n of ["a", "b", "c"]) seg.add(n, PAIR.mac[n], `${PAIR.ip4[n]}/24`, `${PAIR.ip6[n]}/64`);
  // Two front ports per unit (alternate-path failover): fp1 on a second interface of the same segment.
  const second = opts.twoPorts ? Object.fromEntries(["a", "b"].map((n) => [n, seg.addPort(n, "s", PAIR.mac2[n])])) : {};
  // The units' own IPv6 addresses survive the crash path's carrier drop (interface down).
  for (const n of ["a", "b"]) seg.exec(n, "sh", ["-c", `echo 1 > /proc/sys/net/ipv6/conf/${seg.member(n).iface}/keep_addr_on_down`]);
  const key = path.join(dir, "chassis.key");
  fs.writeFileSync(key, PAIR.keyHex, { mode: 0o600 });
  const board = (n: "a" | "b") => {
    const o = n === "a" ? "b" : "a";
    const f = path.join(dir, `unit-${n}.json`);
    fs.writeFileSync(f, JSON.stringify({
      id: `unit-${n}`, chassis: "chassis-1", role: "linecard", unit: n === "a" ? 1 : 2, peer: `unit-${o}`,
      nic: { model: "e1000" }, dma: { os: "0x100000000", fault: "0x200000000" }, rings: { tx: 64, rx: 64, fault: 16 },
      ports: [
        { name: "fp0", kind: "linux", linux: { interface: seg.member(n).iface }, role: "front", mac: PAIR.mac[n], link: { partner: `unit-${o}/fp0` }, ipv4: [`${PAIR.ip4[n]}/24`], ipv6: [`${PAIR.ip6[n]}/64`] },
        ...(opts.twoPorts ? [{ name: "fp1", kind: "linux", linux: { interface: second[n] }, role: "front", mac: PAIR.mac2[n], link: { partner: `unit-${o}/fp1` } }] : []),
      ],
      vips: [{ port: "fp0", ipv4: PAIR.vip4, ipv6: PAIR.vip6 }],
      dialects: { carrierDrop: { ports: opts.twoPorts ? ["fp0", "fp1"] : ["fp0"] } },
      ...(opts.twoPorts ? { pathFailover: { primary: "fp0", secondary: "fp1", delayMs: 50 } } : {}),
    }, null, 2));
    return f;
  };
  return { dir, key, board: { a: board("a"), b: board("b") } };
}

export type LogEvent = Record<string, unknown> & { event: string; time: string };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls cond every 20 ms until it holds; throws what() after timeoutMs. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`after ${timeoutMs} ms: ${what()}`);
    await sleep(20);
  }
}

/** The client's (member c's) neighbour entries for both VIPs hold mac (waits up to 5 s for the kernel). */
export async function neighboursAt(seg: Segment, mac: string): Promise<void> {
  for (const vip of [PAIR.vip4, PAIR.vip6]) {
    await waitFor(() => seg.neigh("c", vip)?.lladdr === mac, 15_000, () => `client's neighbour entry for ${vip}: ${JSON.stringify(seg.neigh("c", vip))}, expected ${mac}`);
  }
}

/** One `lastgasp run` in its unit's namespace. */
export class PairUnit {
  readonly events: LogEvent[] = [];
  stderr = "";
  exitInfo = "running";
  readonly socket: string;
  readonly unitId: number;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private readonly proc: ChildProcess;

  constructor(seg: Segment, files: PairFiles, readonly name: "a" | "b", opts: { helloMs?: number; extra?: string[] } = {}) {
    const o = name === "a" ? "b" : "a";
    this.unitId = name === "a" ? 1 : 2;
    this.socket = path.join(files.dir, `unit-${name}.sock`);
    const args = [
      "--max-old-space-size=96", BIN, "run", "--board", files.board[name], "--peer", files.board[o], "--key-file", files.key,
      "--priority", String(PAIR.priority[name]), "--hello-ms", String(opts.helloMs ?? 1000), "--watchdog-ms", "1000",
      "--state-dir", path.join(files.dir, `state-${name}`), "--socket", this.socket, "--allow-test-deaths", "--json",
      "--image", PAIR.image[name], ...(PAIR.config[name] ? ["--config", PAIR.config[name]] : []), ...(opts.extra ?? []),
    ];
    const env = { ...process.env };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    this.proc = spawn("ip", ["netns", "exec", seg.member(name).ns, "/bin/sh", "-c", 'ulimit -c 0; exec "$@"', "sh", process.execPath, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    let buf = "";
    this.proc.stdout!.setEncoding("utf8");
    this.proc.stdout!.on("data", (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.events.push(JSON.parse(line));
        } catch {
          this.stderr += `stdout: ${line}\n`;
        }
      }
    });
    this.proc.stderr!.setEncoding("utf8");
    this.proc.stderr!.on("data", (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.proc.on("exit", (code, signal) => {
      this.exitInfo = `exited: code ${code}, signal ${signal}`;
      resolve({ code, signal });
    }));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** The first event matching pred at index from or later (waits up to timeoutMs). */
  async waitEvent(pred: (e: LogEvent) => boolean, timeoutMs: number, from = 0): Promise<LogEvent> {
    let found: LogEvent | undefined;
    await waitFor(() => !!(found = this.events.slice(from).find(pred)), timeoutMs, () => `unit-${this.name}: no such event (${this.exitInfo}); log: ${this.events.slice(-12).map((e) => JSON.stringify(e)).join("\n")}\n${this.stderr.slice(-800)}`);
    return found!;
  }

  async status(): Promise<Record<string, unknown>> {
    const a = await request(this.socket, "status");
    if (!a.ok) throw new Error(`unit-${this.name}: ${a.error}`);
    return a.status as Record<string, unknown>;
  }

  /** `lastgasp status --socket S` as an operator runs it. */
  statusCli(json = false): { code: number | null; out: string; err: string } {
    const env = { ...process.env };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const r = spawnSync(process.execPath, [BIN, "status", "--socket", this.socket, ...(json ? ["--json"] : [])], { encoding: "utf8", env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  async die(how: string): Promise<void> {
    const a = await request(this.socket, `die ${how}`);
    if (!a.ok) throw new Error(`unit-${this.name}: ${a.error}`);
  }

  kill(sig: NodeJS.Signals): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(sig);
  }
}

/**
 * The client's probe: iputils ping, one echo request per millisecond to addr, until stop();
 * stop resolves with the requests that got no reply (≈ the outage in ms).
 */
export function startProbe(seg: Segment, addr: string): { stop: () => Promise<number> } {
  const p = spawn("ip", ["netns", "exec", seg.member("c").ns, "ping", "-q", "-n", "-i", "0.001", "-W", "1", addr], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  p.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const done = new Promise<void>((r) => p.on("exit", () => r()));
  return {
    stop: async () => {
      p.kill("SIGINT");
      await done;
      const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
      if (!m) throw new Error(`ping: ${out.slice(-300)}`);
      return Number(m[1]) - Number(m[2]);
    },
  };
}
