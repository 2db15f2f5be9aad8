// Stock peers in network namespaces for the dialect tests and bench/: a bridge namespace with
// one veth per member namespace (the unit that dies, keepalived or FRR's bfdd as its peer, a
// client), Debian's keepalived and FRR started with per-run config, pid and socket paths, the
// dying unit's fault path (dialect-sender.ts) armed inside its namespace, and captures read
// by tshark. Names carry a random suffix; every daemon, capture and namespace is removed by
// cleanup(), which also runs on exit and on SIGINT / SIGTERM, so a failing test leaves
// nothing behind. Documentation addresses only.

import { ChildProcess, spawn, spawnSync, execFileSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireRoot } from "./netns";
import { ROOT } from "../../host/paths";

export interface Member {
  name: string;
  mac: string;
  ip4?: string[];
  ip6?: string[];
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

export function requirePeers(what: string): void {
  requireRoot(what);
  for (const [cmd, pkg] of [["keepalived", "keepalived"], ["/usr/lib/frr/bfdd", "frr"], ["vtysh", "frr"], ["dumpcap", "wireshark-common"]]) {
    const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${what} needs ${cmd} (Debian package ${pkg}): run \`make test\` as root, scripts/install-deps.sh installs it`);
  }
}

export class PeerLan {
  readonly id = randomBytes(3).toString("hex");
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), `lastgasp-peers-`));
  private readonly children: ChildProcess[] = [];
  private readonly pidFiles: string[] = [];
  private readonly namespaces: string[] = [];
  private cleaned = false;
  private readonly onExit = () => this.cleanup();

  constructor(readonly members: Member[]) {}

  /** The namespace of a member (or "sw", the bridge). */
  ns(member: string): string {
    return `lgp-${this.id}-${member}`;
  }

  create(): this {
    process.on("exit", this.onExit);
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => {
      this.cleanup();
      process.exit(130);
    });
    try {
      const sw = this.ns("sw");
      this.addNs(sw);
      run("ip", ["-n", sw, "link", "add", "br0", "type", "bridge", "forward_delay", "0"]);
      run("ip", ["-n", sw, "link", "set", "br0", "up"]);
      this.members.forEach((m, i) => {
        const ns = this.ns(m.name);
        this.addNs(ns);
        const port = `p${this.id}${i}`;
        run("ip", ["link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns]);
        run("ip", ["link", "set", port, "netns", sw]);
        run("ip", ["-n", sw, "link", "set", port, "master", "br0", "up"]);
        run("ip", ["-n", ns, "link", "set", "lo", "up"]);
        run("ip", ["-n", ns, "link", "set", "eth0", "address", m.mac]);
        for (const a of m.ip4 ?? []) run("ip", ["-n", ns, "addr", "add", a, "dev", "eth0"]);
        for (const a of m.ip6 ?? []) run("ip", ["-n", ns, "addr", "add", a, "dev", "eth0", "nodad"]);
        run("ip", ["-n", ns, "link", "set", "eth0", "up"]);
      });
      for (const m of this.members) this.waitLinkLocal(m.name);
    } catch (e) {
      this.cleanup();
      throw e;
    }
    return this;
  }

  private addNs(ns: string): void {
    run("ip", ["netns", "add", ns]);
    this.namespaces.push(ns);
  }

  /** The member's IPv6 link-local address (the source of its VRRPv3 IPv6 adverts). */
  linkLocal(member: string): string {
    const j = JSON.parse(run("ip", ["-n", this.ns(member), "-j", "-6", "addr", "show", "dev", "eth0", "scope", "link"])) as { addr_info: { local: string }[] }[];
    const a = j.flatMap((x) => x.addr_info ?? []).find((x) => x.local?.startsWith("fe80"))?.local;
    if (!a) throw new Error(`${member}: no IPv6 link-local address`);
    return a;
  }

  private waitLinkLocal(member: string): void {
    for (let i = 0; i < 300; i++) {
      const out = run("ip", ["-n", this.ns(member), "-6", "addr", "show", "dev", "eth0", "scope", "link"]);
      if (/inet6 fe80/.test(out) && !/tentative/.test(out)) return;
      sleepMs(10);
    }
    throw new Error(`${member}: IPv6 link-local address never became usable`);
  }

  exec(member: string, cmd: string, args: string[]): string {
    return run("ip", ["netns", "exec", this.ns(member), cmd, ...args]);
  }

  /** A long-running process in a member's namespace, killed by cleanup(). */
  spawn(member: string, cmd: string, args: string[], opts: { stdin?: boolean } = {}): ChildProcess {
    const c = spawn("ip", ["netns", "exec", this.ns(member), cmd, ...args], { stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "pipe"] });
    this.children.push(c);
    return c;
  }

  /** A pid file whose process cleanup() kills (daemons that fork). */
  track(pidFile: string): void {
    this.pidFiles.push(pidFile);
  }

  file(name: string, text: string): string {
    const f = path.join(this.dir, name);
    fs.writeFileSync(f, text);
    return f;
  }

  neigh(member: string, addr: string): { lladdr?: string; state: string[] } | undefined {
    const rows = JSON.parse(run("ip", ["-n", this.ns(member), "-j", "neigh", "show", addr, "dev", "eth0"]) || "[]") as { dst: string; lladdr?: string; state: string[] }[];
    return rows[0];
  }

  /** Kills every daemon and helper, deletes every namespace. Safe to call twice; never throws. */
  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const f of this.pidFiles) {
      try {
        const pid = Number(fs.readFileSync(f, "utf8").trim());
        if (pid > 1) process.kill(pid, "SIGKILL");
      } catch {
        /* gone already */
      }
    }
    for (const c of this.children) if (c.exitCode === null && c.pid) {
      try {
        c.kill("SIGKILL");
      } catch {
        /* gone */
      }
    }
    // `ip netns exec` children: anything still running inside a namespace goes with it.
    for (const ns of this.namespaces) {
      const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout?.split(/\s+/).filter(Boolean) ?? [];
      for (const p of pids) {
        try {
          process.kill(Number(p), "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
    for (const ns of [...this.namespaces].reverse()) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    fs.rmSync(this.dir, { recursive: true, force: true });
    process.removeListener("exit", this.onExit);
  }

  exists(): boolean {
    const list = run("ip", ["netns", "list"]);
    return this.namespaces.some((ns) => list.split("\n").some((l) => l.split(" ")[0] === ns));
  }
}

export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for a line matching re on a child's stdout (or stderr); rejects after ms. */
export function waitFor(c: ChildProcess, re: RegExp, ms: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const t = setTimeout(() => reject(new Error(`${what}: no ${re} after ${ms} ms; output: ${seen.slice(-2000)}`)), ms);
    const on = (d: Buffer) => {
      seen += d.toString();
      const m = re.exec(seen);
      if (m) {
        clearTimeout(t);
        c.stdout?.off("data", on);
        c.stderr?.off("data", on);
        resolve(m[0]);
      }
    };
    c.stdout?.on("data", on);
    c.stderr?.on("data", on);
    c.on("exit", (code) => {
      clearTimeout(t);
      reject(new Error(`${what}: exited (${code}) before ${re}; output: ${seen.slice(-2000)}`));
    });
  });
}

/**
 * dumpcap on a member's eth0 until stopped; resolves once it is capturing. dumpcap prints
 * "Capturing on" before it opens its packet socket; "File:" comes after the socket, its ring
 * and the filter are in place (and the file's header is flushed), so only then can no frame
 * be missed.
 */
export async function capture(lan: PeerLan, member: string, file: string, filter?: string): Promise<() => Promise<void>> {
  const c = lan.spawn(member, "dumpcap", ["-q", "-i", "eth0", ...(filter ? ["-f", filter] : []), "-w", file]);
  await waitFor(c, /^File: /m, 20_000, "dumpcap");
  return async () => {
    if (c.exitCode !== null) return;
    const done = new Promise<void>((r) => c.on("exit", () => r()));
    c.kill("SIGINT");
    await done;
  };
}

// ---- keepalived ------------------------------------------------------------------------------------

export interface VrrpInstance {
  name: string;
  vrid: number;
  version: 2 | 3;
  family: 4 | 6;
  priority: number;
  state: "MASTER" | "BACKUP";
  /** keepalived's advert_int (seconds; 0.01 steps with v3). */
  advertInt: number;
  vip: string;
  vmac?: boolean;
  password?: string;
}

export function keepalivedConf(instances: VrrpInstance[], syncGroups: string[][] = []): string {
  const lines = ["global_defs {", "  vrrp_garp_master_repeat 1", "  vrrp_garp_master_delay 0", "  max_auto_priority -1", "}"];
  syncGroups.forEach((g, i) => lines.push(`vrrp_sync_group SG${i} {`, "  group {", ...g.map((n) => `    ${n}`), "  }", "}"));
  for (const v of instances) {
    lines.push(
      `vrrp_instance ${v.name} {`, `  state ${v.state}`, "  interface eth0", `  virtual_router_id ${v.vrid}`, `  priority ${v.priority}`,
      `  advert_int ${v.advertInt}`, `  version ${v.version}`, ...(v.vmac ? ["  use_vmac"] : []), ...(v.state === "MASTER" ? [] : ["  nopreempt"]),
      ...(v.password ? ["  authentication {", "    auth_type PASS", `    auth_pass ${v.password}`, "  }"] : []),
      `  virtual_ipaddress {`, `    ${v.vip}${v.family === 4 ? "/24" : "/64"}`, "  }", "}",
    );
  }
  return lines.join("\n") + "\n";
}

export class Keepalived {
  readonly log: string[] = [];
  private child: ChildProcess | undefined;
  readonly mainPid: string;
  readonly vrrpPid: string;

  private static started = 0;

  constructor(readonly lan: PeerLan, readonly member: string, readonly conf: string) {
    // Fresh pid files per start: a SIGKILLed VRRP child may linger as a zombie a while, and
    // keepalived refuses to start while its pid file names a live pid.
    const n = Keepalived.started++;
    this.mainPid = path.join(lan.dir, `${member}-keepalived-${n}.pid`);
    this.vrrpPid = path.join(lan.dir, `${member}-vrrp-${n}.pid`);
  }

  start(): this {
    const f = this.lan.file(`${path.basename(this.mainPid, ".pid")}.conf`, this.conf);
    this.lan.track(this.vrrpPid);
    this.lan.track(this.mainPid);
    this.child = this.lan.spawn(this.member, "keepalived", ["-n", "-l", "-D", "-P", "-f", f, "-p", this.mainPid, "-r", this.vrrpPid]);
    const collect = (d: Buffer) => this.log.push(...d.toString().split("\n").filter(Boolean));
    this.child.stdout!.on("data", collect);
    this.child.stderr!.on("data", collect);
    return this;
  }

  /**
   * Until every instance named is in state (keepalived's log says "Entering <STATE> STATE"),
   * counting only log lines from index `from` on (a later transition of a running daemon).
   */
  async waitState(names: string[], state: "MASTER" | "BACKUP", ms: number, from = 0): Promise<void> {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      const log = this.log.slice(from);
      if (names.every((n) => log.some((l) => l.includes(`(${n}) Entering ${state} STATE`)))) return;
      await delay(20);
    }
    throw new Error(`keepalived in ${this.member}: ${names.join(", ")} not all ${state} after ${ms} ms:\n${this.log.slice(-30).join("\n")}`);
  }

  /** A crash: the VRRP process and its parent die at once, nothing is said. */
  kill(): void {
    for (const f of [this.vrrpPid, this.mainPid]) {
      try {
        process.kill(Number(fs.readFileSync(f, "utf8").trim()), "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}

// ---- FRR bfdd ---------------------------------------------------------------------------------------

export interface BfdPeerConf {
  peer: string;
  local: string;
  intervalMs: number;
  detectMult: number;
}

export class Frr {
  readonly sock: string;
  readonly zserv: string;
  readonly bfdctl: string;

  constructor(readonly lan: PeerLan, readonly member: string, readonly peers: BfdPeerConf[]) {
    this.sock = fs.mkdtempSync(path.join(lan.dir, `${member}-frr-`));
    this.zserv = path.join(this.sock, "zserv.api");
    this.bfdctl = path.join(this.sock, "bfdd.sock");
  }

  async start(): Promise<this> {
    const conf = [
      "bfd",
      ...this.peers.flatMap((p) => [` peer ${p.peer} local-address ${p.local} interface eth0`, `  receive-interval ${p.intervalMs}`, `  transmit-interval ${p.intervalMs}`, `  detect-multiplier ${p.detectMult}`, " !"]),
      "!",
    ].join("\n") + "\n";
    const zconf = this.lan.file(`${this.member}-zebra.conf`, "!\n");
    const bconf = this.lan.file(`${this.member}-bfdd.conf`, conf);
    // FRR drops to its own user (Debian's frr, in group frrvty): its socket directory is its own.
    execFileSync("chown", ["-R", "frr:frr", this.sock]);
    fs.chmodSync(this.lan.dir, 0o755);
    const common = ["-u", "frr", "-g", "frr", "--vty_socket", this.sock, "-z", this.zserv, "-P", "0"];
    for (const d of ["zebra", "bfdd"]) this.lan.track(path.join(this.sock, `${d}.pid`));
    const zebra = this.lan.spawn(this.member, "/usr/lib/frr/zebra", ["-f", zconf, "-i", path.join(this.sock, "zebra.pid"), ...common]);
    await this.waitSocket("zebra.vty", zebra);
    const bfdd = this.lan.spawn(this.member, "/usr/lib/frr/bfdd", ["-f", bconf, "-i", path.join(this.sock, "bfdd.pid"), "--bfdctl", this.bfdctl, ...common]);
    await this.waitSocket("bfdd.vty", bfdd);
    return this;
  }

  private async waitSocket(name: string, c: ChildProcess): Promise<void> {
    let err = "";
    c.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    for (let i = 0; i < 500; i++) {
      if (fs.existsSync(path.join(this.sock, name))) return;
      if (c.exitCode !== null) break;
      await delay(10);
    }
    throw new Error(`FRR in ${this.member}: ${name} did not appear: ${err.slice(-2000)}`);
  }

  vtysh(...cmds: string[]): string {
    return this.lan.exec(this.member, "vtysh", ["--vty_socket", this.sock, ...cmds.flatMap((c) => ["-c", c])]);
  }

  peersJson(): BfdPeerJson[] {
    return JSON.parse(this.vtysh("show bfd peers json")) as BfdPeerJson[];
  }

  peer(addr: string): BfdPeerJson | undefined {
    return this.peersJson().find((p) => p.peer === addr);
  }

  async waitPeer(addr: string, status: string, ms: number): Promise<BfdPeerJson> {
    const t0 = Date.now();
    let last: BfdPeerJson | undefined;
    while (Date.now() - t0 < ms) {
      last = this.peer(addr);
      if (last?.status === status) return last;
      await delay(20);
    }
    throw new Error(`bfdd in ${this.member}: peer ${addr} not ${status} after ${ms} ms: ${JSON.stringify(last)}`);
  }

  /** A crash of the unit's routing daemons: killed at once. */
  kill(): void {
    for (const d of ["bfdd", "zebra"]) {
      try {
        process.kill(Number(fs.readFileSync(path.join(this.sock, `${d}.pid`), "utf8").trim()), "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}

export interface BfdPeerJson {
  peer: string;
  status: string;
  id: number;
  "remote-id": number;
  diagnostic: string;
  "remote-diagnostic": string;
  [k: string]: unknown;
}

// ---- the dying unit's fault path ----------------------------------------------------------------

export class DialectUnit {
  private child: ChildProcess | undefined;
  private lines: string[] = [];
  private waiters: ((l: string) => void)[] = [];

  constructor(readonly lan: PeerLan, readonly member: string, readonly cfg: { iface: string; mac: string; dialects: Record<string, unknown>[]; cause?: number }) {}

  async start(): Promise<this> {
    const f = this.lan.file(`${this.member}-sender.json`, JSON.stringify(this.cfg));
    const script = path.join(ROOT, "test", "helpers", "dialect-sender.ts");
    const c = (this.child = this.lan.spawn(this.member, process.execPath, ["-r", "ts-node/register", script, f], { stdin: true }));
    let buf = "";
    let err = "";
    c.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    c.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    const first = await this.next(30_000, () => err);
    if (first !== "armed") throw new Error(`dialect sender: ${first} ${err}`);
    return this;
  }

  private next(ms: number, err: () => string = () => ""): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`dialect sender: no answer after ${ms} ms ${err()}`)), ms);
      this.waiters.push((line) => {
        clearTimeout(t);
        resolve(line);
      });
    });
  }

  /** The exception handler runs: resolves with the frames sent. */
  async fire(): Promise<number> {
    this.child!.stdin!.write("fire\n");
    const l = await this.next(10_000);
    const m = /^fired (\d+) (\S+)/.exec(l);
    if (!m || m[2] !== "sent") throw new Error(`dialect sender: ${l}`);
    return Number(m[1]);
  }

  async rearm(i: number, d: Record<string, unknown>): Promise<void> {
    this.child!.stdin!.write(`rearm ${i} ${JSON.stringify(d)}\n`);
    const l = await this.next(10_000);
    if (l !== `rearmed ${i}`) throw new Error(`dialect sender: ${l}`);
  }
}
