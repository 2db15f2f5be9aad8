// Three network namespaces for the switching service's proofs: the unit's (both of its
// ports' veth ends — the board's linux ports — and, while the service runs, its TAPs), a
// client's and a back end's, each joined to one unit port by a veth pair. Unique names;
// documentation addresses; cleanup runs even when a test fails or the process is interrupted.

import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
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
