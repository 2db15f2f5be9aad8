// A shared Ethernet segment of network namespaces for tests of a running pair: a bridge in a
// namespace of its own and one namespace per member (two units, a client), each with one
// end of a veth pair whose other end is a bridge port. Nothing in the root namespace is
// touched; unique names (random suffix); cleanup runs even when a test fails or the
// process is interrupted. Documentation addresses only (the caller gives them).

import { execFileSync, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import { ip, sleepMs } from "./netns";

export interface SegmentMember {
  /** Short role name: "a", "b", "c". */
  name: string;
  ns: string;
  /** The member's interface (inside its namespace). */
  iface: string;
  mac: string;
}

export class Segment {
  readonly id = randomBytes(3).toString("hex");
  readonly bridgeNs: string;
  readonly members = new Map<string, SegmentMember>();
  private readonly namespaces: string[] = [];
  private cleaned = false;
  private readonly onExit = () => this.cleanup();

  constructor(readonly prefix = "lgs") {
    this.bridgeNs = `${prefix}-${this.id}-br`;
  }

  /** The bridge namespace and its bridge (no STP, no forwarding delay, no IPv6 on it). */
  create(): this {
    process.on("exit", this.onExit);
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => {
      this.cleanup();
      process.exit(130);
    });
    this.addNs(this.bridgeNs);
    ip("-n", this.bridgeNs, "link", "add", "br0", "type", "bridge", "forward_delay", "0", "stp_state", "0");
    this.sysctl(this.bridgeNs, "net/ipv6/conf/br0/disable_ipv6", "1");
    ip("-n", this.bridgeNs, "link", "set", "br0", "up");
    return this;
  }

  /** A member namespace with one interface on the bridge: its MAC, IPv4 and IPv6 addresses (no DAD). */
  add(name: string, mac: string, ip4: string, ip6: string): SegmentMember {
    const ns = `${this.prefix}-${this.id}-${name}`;
    const iface = `${this.prefix}${this.id}${name}`;
    this.addNs(ns);
    ip("-n", ns, "link", "set", "lo", "up");
    this.plug(ns, iface, mac, [ip4, ip6]);
    const m = { name, ns, iface, mac };
    this.members.set(name, m);
    return m;
  }

  /** A second interface of a member on the bridge, without addresses (a second front port); returns its name. */
  addPort(name: string, suffix: string, mac: string): string {
    const iface = `${this.prefix}${this.id}${name}${suffix}`;
    this.plug(this.member(name).ns, iface, mac, []);
    return iface;
  }

  /** A veth into ns (iface, with mac and addresses, no DAD, no RA) whose peer end is a bridge port; waits for carrier. */
  private plug(ns: string, iface: string, mac: string, addrs: string[]): void {
    const port = `${iface}p`;
    ip("-n", this.bridgeNs, "link", "add", port, "type", "veth", "peer", "name", iface, "netns", ns);
    this.sysctl(this.bridgeNs, `net/ipv6/conf/${port}/disable_ipv6`, "1");
    ip("-n", this.bridgeNs, "link", "set", port, "master", "br0");
    ip("-n", this.bridgeNs, "link", "set", port, "up");
    ip("-n", ns, "link", "set", iface, "address", mac);
    for (const k of ["accept_dad", "accept_ra", "router_solicitations"]) this.sysctl(ns, `net/ipv6/conf/${iface}/${k}`, "0");
    for (const a of addrs) ip("-n", ns, ...(a.includes(":") ? ["-6", "addr", "add", a, "dev", iface, "nodad"] : ["addr", "add", a, "dev", iface]));
    ip("-n", ns, "link", "set", iface, "up");
    for (let i = 0; i < 200 && !ip("-n", ns, "link", "show", iface).includes("LOWER_UP"); i++) sleepMs(10);
  }

  /** Pulls (or plugs back) the cable of one interface by name (its bridge port). */
  cableOf(iface: string, up: boolean): void {
    ip("-n", this.bridgeNs, "link", "set", `${iface}p`, up ? "up" : "down");
  }

  member(name: string): SegmentMember {
    const m = this.members.get(name);
    if (!m) throw new Error(`no member ${name}`);
    return m;
  }

  /** The kernel's neighbour entry for addr in a member's namespace: its MAC and state, or null. */
  neigh(name: string, addr: string): { lladdr?: string; state: string[] } | null {
    const m = this.member(name);
    const rows = JSON.parse(ip("-n", m.ns, "-j", "neigh", "show", addr, "dev", m.iface) || "[]") as { lladdr?: string; state: string[] }[];
    return rows[0] ?? null;
  }

  /** Pulls (or plugs back) a member's cable: its bridge port goes down, the member loses carrier. */
  cable(name: string, up: boolean): void {
    ip("-n", this.bridgeNs, "link", "set", `${this.member(name).iface}p`, up ? "up" : "down");
  }

  /** Runs a command in a member's namespace. */
  exec(name: string, cmd: string, args: string[]): string {
    return execFileSync("ip", ["netns", "exec", this.member(name).ns, cmd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  /** Sends raw Ethernet frames (hex) on a member's interface (python3's AF_PACKET socket). */
  inject(name: string, framesHex: string[]): void {
    const m = this.member(name);
    const py = "import socket,sys\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\ns.bind((sys.argv[1],0))\nfor h in sys.argv[2:]: s.send(bytes.fromhex(h))\n";
    execFileSync("ip", ["netns", "exec", m.ns, "python3", "-c", py, m.iface, ...framesHex], { stdio: ["ignore", "pipe", "pipe"] });
  }

  exists(): boolean {
    const list = ip("netns", "list").split("\n").map((l) => l.split(" ")[0]);
    return this.namespaces.some((n) => list.includes(n));
  }

  /** Deletes every namespace (and with them the interfaces); safe to call twice, never throws. */
  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const ns of this.namespaces) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    process.removeListener("exit", this.onExit);
  }

  private addNs(ns: string): void {
    ip("netns", "add", ns);
    this.namespaces.push(ns);
  }

  private sysctl(ns: string, key: string, value: string): void {
    execFileSync("ip", ["netns", "exec", ns, "sh", "-c", `echo ${value} > /proc/sys/${key}`], { stdio: "ignore" });
  }
}
