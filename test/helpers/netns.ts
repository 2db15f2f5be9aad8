// A network namespace with one end of a veth pair, the other end in the root namespace, for
// tests that ask a real Linux kernel. Unique names (random suffix), documentation addresses
// only, and cleanup that runs even when a test fails or the process is interrupted.
// Not root: every test that needs it FAILS with a clear message (never skips).

import { execFileSync, spawn, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";

export function requireRoot(what: string): void {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error(`${what} needs root (network namespaces, veth pairs, raw sockets): run \`make test\` as root, as CI does`);
  }
  const ip = spawnSync("ip", ["-V"], { encoding: "utf8" });
  if (ip.status !== 0) throw new Error(`${what} needs iproute2's \`ip\` (apt-get install iproute2)`);
}

export function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export interface NeighRow {
  dst: string;
  lladdr?: string;
  state: string[];
}

export class VethNamespace {
  /** The namespace (receiver side). */
  readonly ns: string;
  /** The veth end inside the namespace. */
  readonly inner: string;
  /** The veth end in the root namespace (the sender side). */
  readonly outer: string;
  private cleaned = false;
  private readonly onExit = () => this.cleanup();

  constructor(prefix = "lg") {
    const sfx = randomBytes(3).toString("hex");
    this.ns = `${prefix}-${sfx}`;
    this.inner = `${prefix}${sfx}b`;
    this.outer = `${prefix}${sfx}a`;
  }

  /**
   * Creates the namespace and the pair: inner gets mac and the addresses given, outer gets
   * outerMac and no IPv6 at all (the root namespace stays quiet). Cleans up if any step fails.
   */
  create(opts: { mac: string; ip4: string; ip6?: string; outerMac: string }): this {
    process.on("exit", this.onExit);
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => {
      this.cleanup();
      process.exit(130);
    });
    try {
      ip("netns", "add", this.ns);
      ip("link", "add", this.outer, "type", "veth", "peer", "name", this.inner);
      ip("link", "set", this.inner, "netns", this.ns);
      this.sysctlRoot(`net/ipv6/conf/${this.outer}/disable_ipv6`, "1");
      ip("link", "set", this.outer, "address", opts.outerMac);
      ip("-n", this.ns, "link", "set", "lo", "up");
      ip("-n", this.ns, "link", "set", this.inner, "address", opts.mac);
      ip("-n", this.ns, "addr", "add", opts.ip4, "dev", this.inner);
      if (opts.ip6) ip("-n", this.ns, "addr", "add", opts.ip6, "dev", this.inner, "nodad");
      ip("-n", this.ns, "link", "set", this.inner, "up");
      ip("link", "set", this.outer, "up");
      this.waitCarrier();
    } catch (e) {
      this.cleanup();
      throw e;
    }
    return this;
  }

  /** Runs a command inside the namespace. */
  exec(cmd: string, args: string[]): string {
    return execFileSync("ip", ["netns", "exec", this.ns, cmd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  /** Writes /proc/sys/<key> inside the namespace (e.g. net/ipv4/conf/all/arp_accept). */
  sysctl(key: string, value: string): void {
    this.exec("sh", ["-c", `echo ${value} > /proc/sys/${key}`]);
  }

  sysctlGet(key: string): string {
    return this.exec("cat", [`/proc/sys/${key}`]).trim();
  }

  private sysctlRoot(key: string, value: string): void {
    fs.writeFileSync(`/proc/sys/${key}`, value);
  }

  /** `ip -n NS -j neigh show dev INNER` as a map from address to row. */
  neigh(): Map<string, NeighRow> {
    const rows = JSON.parse(ip("-n", this.ns, "-j", "neigh", "show", "dev", this.inner) || "[]") as NeighRow[];
    return new Map(rows.map((r) => [r.dst, r]));
  }

  /** `ip -n NS neigh show ADDR dev INNER`, as a person reads it. */
  neighText(addr: string): string {
    return ip("-n", this.ns, "neigh", "show", addr, "dev", this.inner).trim();
  }

  neighReplace(addr: string, mac: string, state: string, dev = this.inner): void {
    ip("-n", this.ns, "neigh", "replace", addr, "lladdr", mac, "nud", state, "dev", dev);
  }

  rxPackets(dev = this.inner): number {
    const j = JSON.parse(ip("-n", this.ns, "-s", "-j", "link", "show", dev)) as { stats64: { rx: { packets: number } } }[];
    return j[0].stats64.rx.packets;
  }

  exists(): boolean {
    const inList = ip("netns", "list").split("\n").some((l) => l.split(" ")[0] === this.ns);
    const link = spawnSync("ip", ["link", "show", this.outer], { encoding: "utf8" }).status === 0;
    return inList || link;
  }

  /** Deletes the pair and the namespace; safe to call twice, never throws. */
  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    spawnSync("ip", ["link", "del", this.outer], { stdio: "ignore" });
    spawnSync("ip", ["netns", "del", this.ns], { stdio: "ignore" });
    process.removeListener("exit", this.onExit);
  }

  private waitCarrier(): void {
    for (let i = 0; i < 200; i++) {
      if (ip("-n", this.ns, "link", "show", this.inner).includes("LOWER_UP")) return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
    throw new Error(`${this.inner}: no carrier after 2 s`);
  }
}

/** Blocks for ms milliseconds (tests only: waiting out the kernel's lock time). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * A network namespace holding both ends of a veth pair — the unit's end and its peer's — so
 * that nothing in the root namespace is touched: real ports (board kind linux) for tests.
 * Unique names; cleanup runs even when a test fails or the process is interrupted.
 */
export class VethPairNamespace {
  readonly ns: string;
  /** The unit's end (a linux port's interface). */
  readonly unit: string;
  /** The peer's end, where captures listen. */
  readonly peer: string;
  private cleaned = false;
  private readonly onExit = () => this.cleanup();

  constructor(prefix = "lgl") {
    const sfx = randomBytes(3).toString("hex");
    this.ns = `${prefix}-${sfx}`;
    this.unit = `${prefix}${sfx}u`;
    this.peer = `${prefix}${sfx}p`;
  }

  create(opts: { unitMac: string; peerMac: string }): this {
    process.on("exit", this.onExit);
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => {
      this.cleanup();
      process.exit(130);
    });
    try {
      ip("netns", "add", this.ns);
      ip("-n", this.ns, "link", "add", this.unit, "type", "veth", "peer", "name", this.peer);
      ip("-n", this.ns, "link", "set", this.unit, "address", opts.unitMac);
      ip("-n", this.ns, "link", "set", this.peer, "address", opts.peerMac);
      // No IPv6 on either end: the kernel's own traffic (router solicitations) stays off the wire.
      for (const dev of [this.unit, this.peer]) this.exec("sh", ["-c", `echo 1 > /proc/sys/net/ipv6/conf/${dev}/disable_ipv6`]);
      ip("-n", this.ns, "link", "set", "lo", "up");
      ip("-n", this.ns, "link", "set", this.unit, "up");
      ip("-n", this.ns, "link", "set", this.peer, "up");
      for (let i = 0; i < 200 && !ip("-n", this.ns, "link", "show", this.unit).includes("LOWER_UP"); i++) sleepMs(10);
    } catch (e) {
      this.cleanup();
      throw e;
    }
    return this;
  }

  exec(cmd: string, args: string[]): string {
    return execFileSync("ip", ["netns", "exec", this.ns, cmd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  /** `ip -s -j link show DEV` in the namespace: packet counters and flags. */
  link(dev: string): { flags: string[]; rx: number; tx: number } {
    const j = JSON.parse(ip("-n", this.ns, "-s", "-j", "link", "show", dev)) as { flags: string[]; stats64: { rx: { packets: number }; tx: { packets: number } } }[];
    return { flags: j[0].flags, rx: j[0].stats64.rx.packets, tx: j[0].stats64.tx.packets };
  }

  exists(): boolean {
    return ip("netns", "list").split("\n").some((l) => l.split(" ")[0] === this.ns);
  }

  /** Deletes the namespace (and with it both ends); safe to call twice, never throws. */
  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    spawnSync("ip", ["netns", "del", this.ns], { stdio: "ignore" });
    process.removeListener("exit", this.onExit);
  }
}

/**
 * dumpcap on an interface inside a namespace (null: the root namespace), capturing before this
 * resolves: dumpcap prints "Capturing on" before it opens its packet socket, and "File:" once
 * the socket, its ring and the filter are in place. `done` is its exit; stop() ends it by its pid after
 * the last frames reached the file.
 */
export async function startDumpcap(ns: string | null, iface: string, file: string, args: string[] = []): Promise<{ done: Promise<number | null>; stop: () => Promise<string> }> {
  const argv = ["dumpcap", "-q", "-i", iface, ...args, "-w", file];
  const cap = ns === null ? spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] }) : spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", "ignore", "pipe"] });
  const done = new Promise<number | null>((resolve) => cap.on("exit", resolve));
  let err = "";
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`dumpcap did not start: ${err}`)), 20_000);
    cap.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (/^File: /m.test(err)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return {
    done,
    stop: async () => {
      await new Promise((r) => setTimeout(r, 300));
      cap.kill("SIGTERM");
      await done;
      return file;
    },
  };
}
