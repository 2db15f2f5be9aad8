// Three network namespaces for the switching service's proofs: the unit's (both of its
// ports' veth ends — the board's linux ports — and, while the service runs, its TAPs), a
// client's and a back end's, each joined to one unit port by a veth pair. Unique names;
// documentation addresses; cleanup runs even when a test fails or the process is interrupted.

import { spawn, spawnSync, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ip, sleepMs } from "./netns";

export interface SwitchNsOptions {
  clientMac: string;
  clientIp: string; // with prefix
  /** The client's route to the VIP's network: via the unit's client-side address. */
  clientRoute: [string, string];
  backendMac: string;
  backendIp: string;
  backendGateway: string;
  unitMacs: [string, string];
}

export class SwitchNamespaces {
  readonly unit: string;
  readonly client: string;
  readonly backend: string;
  /** The unit's ends: the board's "clients" and "servers" ports. */
  readonly unitClients: string;
  readonly unitServers: string;
  readonly clientIf: string;
  readonly backendIf: string;
  /** TAP names for the unit (unique too: the kernel's names are per namespace, but clearer). */
  readonly tapClients: string;
  readonly tapServers: string;
  private cleaned = false;
  private readonly onExit = () => this.cleanup();

  constructor(prefix = "lgs") {
    const s = randomBytes(3).toString("hex");
    this.unit = `${prefix}-${s}-u`;
    this.client = `${prefix}-${s}-c`;
    this.backend = `${prefix}-${s}-b`;
    this.unitClients = `${prefix}${s}uc`;
    this.unitServers = `${prefix}${s}us`;
    this.clientIf = `${prefix}${s}c`;
    this.backendIf = `${prefix}${s}b`;
    this.tapClients = `${prefix}${s}tc`;
    this.tapServers = `${prefix}${s}ts`;
  }

  sh(ns: string, cmd: string): string {
    const r = spawnSync("ip", ["netns", "exec", ns, "sh", "-c", cmd], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${ns}: ${cmd}: ${r.stderr}`);
    return r.stdout;
  }

  create(o: SwitchNsOptions): this {
    process.on("exit", this.onExit);
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => {
      this.cleanup();
      process.exit(130);
    });
    try {
      for (const ns of [this.unit, this.client, this.backend]) ip("netns", "add", ns);
      const pairs: [string, string, string, string][] = [
        [this.unitClients, o.unitMacs[0], this.clientIf, this.client],
        [this.unitServers, o.unitMacs[1], this.backendIf, this.backend],
      ];
      for (const [u, umac, peer, ns] of pairs) {
        ip("-n", this.unit, "link", "add", u, "type", "veth", "peer", "name", peer);
        ip("-n", this.unit, "link", "set", peer, "netns", ns);
        ip("-n", this.unit, "link", "set", u, "address", umac);
        // The port belongs to the packet engine: the unit's kernel answers nothing on it
        // (its addresses are the TAPs'; weak host: without these it would answer ARP and
        // accept IP for them on the port too), and sends nothing of its own (no IPv6).
        this.sh(this.unit, `echo 1 > /proc/sys/net/ipv6/conf/${u}/disable_ipv6; echo 8 > /proc/sys/net/ipv4/conf/${u}/arp_ignore; echo 1 > /proc/sys/net/ipv4/conf/${u}/rp_filter`);
      }
      ip("-n", this.client, "link", "set", this.clientIf, "address", o.clientMac);
      ip("-n", this.backend, "link", "set", this.backendIf, "address", o.backendMac);
      for (const [ns, dev] of [[this.client, this.clientIf], [this.backend, this.backendIf], [this.unit, this.unitClients], [this.unit, this.unitServers]]) {
        // Full checksums and MTU-sized frames on the wire: a soft NIC reading through
        // AF_PACKET sees what a real one would (veth would pass partial checksums and 64 KiB
        // segments between namespaces).
        this.sh(ns, `ethtool -K ${dev} tx off tso off gso off gro off >/dev/null 2>&1 || ethtool -K ${dev} tx off`);
        if (ns !== this.unit) this.sh(ns, `echo 1 > /proc/sys/net/ipv6/conf/${dev}/disable_ipv6`);
        ip("-n", ns, "link", "set", "lo", "up");
        ip("-n", ns, "link", "set", dev, "up");
      }
      ip("-n", this.client, "addr", "add", o.clientIp, "dev", this.clientIf);
      ip("-n", this.client, "route", "add", o.clientRoute[0], "via", o.clientRoute[1]);
      ip("-n", this.backend, "addr", "add", o.backendIp, "dev", this.backendIf);
      ip("-n", this.backend, "route", "add", "default", "via", o.backendGateway);
      for (const [ns, dev] of [[this.unit, this.unitClients], [this.unit, this.unitServers]]) {
        for (let i = 0; i < 200 && !ip("-n", ns, "link", "show", dev).includes("LOWER_UP"); i++) sleepMs(10);
      }
    } catch (e) {
      this.cleanup();
      throw e;
    }
    return this;
  }

  /** Interfaces in the unit's namespace (the TAPs appear and go). */
  unitLinks(): string[] {
    return (JSON.parse(ip("-n", this.unit, "-j", "link", "show")) as { ifname: string }[]).map((l) => l.ifname);
  }

  exists(): boolean {
    const list = ip("netns", "list").split("\n").map((l) => l.split(" ")[0]);
    return [this.unit, this.client, this.backend].some((n) => list.includes(n));
  }

  /** Deletes the three namespaces (and with them every veth end); safe to call twice, never throws. */
  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const ns of [this.unit, this.client, this.backend]) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    process.removeListener("exit", this.onExit);
  }
}

export const ROUTER_MAC = "02:00:00:0c:00:fe";
export const BACKEND_MAC = "02:00:00:00:be:01";
export const PORT_MACS: [string, string] = ["02:00:00:1b:00:01", "02:00:00:1b:00:02"];

/** The client at 192.0.2.1 (the router's MAC), one back end at 198.51.100.11, the unit between. */
export const SWITCH_NS: SwitchNsOptions = {
  clientMac: ROUTER_MAC, clientIp: "192.0.2.1/24", clientRoute: ["203.0.113.0/24", "192.0.2.2"],
  backendMac: BACKEND_MAC, backendIp: "198.51.100.11/24", backendGateway: "198.51.100.1", unitMacs: PORT_MACS,
};

/**
 * The unit's board (two linux ports: the namespaces' unit ends) and its switching file in dir:
 * VIP 203.0.113.10, TCP 80 and UDP 53 to the back end's 8080, TAPs on both ports.
 */
export function writeSwitchBoard(dir: string, ns: SwitchNamespaces, extra: Record<string, unknown> = {}): { board: string; switching: Record<string, any> } {
  const switching = {
    kind: "switching",
    clientPort: "clients",
    serverPort: "servers",
    service: { vip: "203.0.113.10", tcpPort: 80, udpPort: 53, mode: "nat", backendPort: 8080 },
    distribution: { strategy: "maglev", tableSize: 251 },
    backends: [{ name: "web1", ip: "198.51.100.11", mac: BACKEND_MAC }],
    router: { ip: "192.0.2.1", mac: ROUTER_MAC },
    capacity: 1024,
    tap: [{ port: "clients", name: ns.tapClients }, { port: "servers", name: ns.tapServers }],
    ...extra,
  };
  const board = path.join(dir, "lb-linux.json");
  fs.writeFileSync(path.join(dir, "switching.json"), JSON.stringify(switching, null, 2));
  fs.writeFileSync(board, JSON.stringify({
    id: "lb-linux", chassis: "lb-1", role: "linecard", unit: 1,
    nic: { model: "e1000" }, dma: { os: "0x100000000", fault: "0x200000000" }, rings: { tx: 256, rx: 256, fault: 16 },
    ports: [
      { name: "clients", kind: "linux", linux: { interface: ns.unitClients }, role: "front", mac: PORT_MACS[0], link: { partner: "router/eth0" }, ipv4: ["192.0.2.2/24", "203.0.113.2/24"] },
      { name: "servers", kind: "linux", linux: { interface: ns.unitServers }, role: "host", mac: PORT_MACS[1], link: { partner: "switch/p0" }, ipv4: ["198.51.100.1/24"] },
    ],
    vips: [{ port: "clients", ipv4: "203.0.113.10" }],
    switching: "switching.json",
  }, null, 2));
  return { board, switching };
}

/** Spawns a process in a namespace; resolves once a line of its stdout matches `until`. */
export function startIn(where: string, argv: string[], until: RegExp): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn("ip", ["netns", "exec", where, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${argv.join(" ")}: not ready after 30 s: ${out}${err}`)), 30_000);
    child.on("exit", (c) => reject(new Error(`${argv.join(" ")} exited ${c}: ${out}${err}`)));
    const check = () => {
      if (until.test(out)) {
        clearTimeout(t);
        resolve({ child, out: () => out + err });
      }
    };
    child.stdout!.on("data", check);
  });
}

export async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once("exit", r));
  c.kill("SIGTERM");
  await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
  if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

/** Node's TCP echo server (argv: address, port; default the back end's 198.51.100.11:8080). */
export const ECHO_SERVER = `const [a, p] = [process.argv[1] ?? "198.51.100.11", Number(process.argv[2] ?? 8080)];
require("net").createServer((s) => s.pipe(s)).listen(p, a, () => console.log("listening"));`;
// Node's TCP client: N connections one after another, each sending BYTES random bytes and
// reading them back (argv: N, BYTES, and optionally HOST PORT; default the VIP's 203.0.113.10:80).
export const TCP_CLIENT = `
const net = require("net"), crypto = require("crypto");
const [n, bytes, host, port] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3] ?? "203.0.113.10", Number(process.argv[4] ?? 80)];
(async () => {
  const results = [];
  for (let i = 0; i < n; i++) {
    const data = crypto.randomBytes(bytes);
    results.push(await new Promise((resolve) => {
      const got = [];
      let len = 0;
      const s = net.connect({ host, port, localPort: 40000 + i }, () => s.end(data));
      s.setTimeout(15000, () => { s.destroy(); resolve({ ok: false, why: "timeout", len }); });
      s.on("data", (d) => { got.push(d); len += d.length; });
      s.on("error", (e) => resolve({ ok: false, why: e.code, len }));
      s.on("close", () => resolve({ ok: Buffer.concat(got).equals(data), len }));
    }));
  }
  console.log(JSON.stringify(results));
})();`;
