// Alternate-path failover for `lastgasp run` (docs/running-a-pair.md "Two front ports"), as the
// virtual chassis does it (host/chassis/paths.ts; docs/failover.md): a board with
// `pathFailover` has two front linux ports on the same segment; HaNet polls both links
// (STATUS.LU through the OS core, every 100 ms) and, when the primary's fails, PathFailover
// moves the interface identity — the port's addresses, its MAC, and the VIPs when the unit
// holds them — to the secondary, and the unit announces them again from there (core-built
// GARP / NA) so the switch learns the new port. The peer sees no takeover: the unit stays
// active and its HELLOs go on through the secondary.
//
// Cold standby on Linux: the secondary interface is up (its carrier is judged, as a cold
// standby's PHY still reports LU) but carries no address, under its own MAC (the board's).
// The sequence's steps become: down = the old primary gives up its addresses and VIPs and
// takes the spare MAC; configure = the new primary takes the identity's MAC (kernel
// interface and the soft e1000's RAL0) and addresses; up = the unit's announcements leave by
// it. After a failover the roles swap: the returning link is the new secondary and nothing
// moves back (as on the chassis) until the new primary fails in turn.
//
// The `ip` commands run synchronously (one `ip -batch`, milliseconds): the identity must be
// in place before the announcements leave.

import { spawnSync } from "child_process";
import * as fs from "fs";
import type { Board } from "../board/board";
import type { NativeRuntime } from "../board/native";
import { HaNet } from "../ha/hanet";
import type { IfaceParams, PathAction } from "../ha/path-failover";
import type { TimelineSink } from "../ha/timeline";
import { TX_STAGE } from "../nic/rings";
import { STEP_DONE } from "../../assembly/shared/regop";
import { STATUS_LU } from "../../assembly/shared/e1000";
import { parseMac } from "../util/addr";
import type { LogFields } from "./service";

export interface PathHooks {
  /** The identity is now on this port (index): move the VIPs there and announce them again. */
  moved(port: number, from: number, now: number): void;
  log(event: string, fields: LogFields, level?: "info" | "warn" | "error"): void;
}

export class RunPaths {
  readonly net: HaNet;
  /** The front port carrying the identity: the announcements, the VIPs and the HELLOs leave by it. */
  primaryFront: number;
  private readonly ports: { name: string; iface: string; index: number }[];
  private readonly identityMac: string;
  private readonly spareMac: string;
  private readonly addresses: string[];
  /** The port whose interface carries the identity, as the failover's capture reads it. */
  private holder: string;

  constructor(private readonly rt: NativeRuntime, board: Board, timeline: TimelineSink, private readonly hooks: PathHooks) {
    const pf = board.pathFailover!;
    this.ports = [pf.primary, pf.secondary].map((name) => {
      const index = board.ports.findIndex((p) => p.name === name);
      const d = board.ports[index].device;
      if (d.kind !== "linux") throw new RangeError(`pathFailover: ${name} is not a linux port (lastgasp run moves identities between Linux interfaces)`);
      return { name, iface: d.interface, index };
    });
    const [p, s] = this.ports.map((x) => board.ports[x.index]);
    this.primaryFront = this.ports[0].index;
    this.identityMac = p.mac;
    this.spareMac = s.mac;
    this.addresses = [...p.ipv4, ...p.ipv6];
    this.holder = pf.primary;
    const readStatus = (i: number) => () => (rt.osRings.run("nic_link_wait", i, 0, 0) === STEP_DONE ? STATUS_LU : 0);
    this.net = new HaNet({
      name: `${board.id}.net`,
      failover: {
        primary: pf.primary, secondary: pf.secondary, standby: "cold", delayNs: pf.delayMs * 1e6,
        capture: (iface) => (iface === this.holder ? this.params() : null),
      },
      paths: Object.fromEntries(this.ports.map((x) => [x.name, { members: [{ name: `${board.id}.${x.name}`, readStatus: readStatus(x.index) }] }])),
      timeline,
    });
  }

  /** At start: the secondary carries nothing of the identity (a previous run may have left it there). */
  start(now: number): void {
    const [p, s] = this.ports;
    // Two interfaces on one segment: each answers ARP only for its own addresses (the kernel's
    // default answers on any interface for any local address, so the secondary's MAC would
    // claim the identity's addresses: "ARP flux").
    for (const x of this.ports) {
      try {
        fs.writeFileSync(`/proc/sys/net/ipv4/conf/${x.iface}/arp_ignore`, "1");
      } catch (e) {
        this.hooks.log("path.sysctl-failed", { interface: x.iface, key: "arp_ignore", error: (e as Error).message }, "warn");
      }
    }
    this.ip([
      ...this.addresses.map((a) => `addr del ${a} dev ${s.iface}`),
      `link set dev ${s.iface} address ${this.spareMac}`,
      `link set dev ${p.iface} address ${this.identityMac}`,
      ...this.addresses.map((a) => `addr replace ${a} dev ${p.iface}${a.includes(":") ? " nodad" : ""}`),
    ], true);
    this.nicMac(s.index, this.spareMac);
    this.nicMac(p.index, this.identityMac);
    this.apply(this.net.start(now).actions, now);
  }

  nextDeadline(): number | null {
    return this.net.nextDeadline();
  }

  tick(now: number): void {
    this.apply(this.net.tick(now).actions, now);
  }

  /** Whether frames of the unit's own (HELLOs) leave by this port: not by a front port without the identity. */
  sendsOn(port: number): boolean {
    return port === this.primaryFront || !this.ports.some((p) => p.index === port);
  }

  status(): Record<string, unknown> {
    const f = this.net.failover;
    return { primary: f.primary, secondary: f.secondary, state: f.state, failovers: f.history.length };
  }

  private params(): IfaceParams {
    return { ip: this.addresses.join(" "), netmask: "", broadcast: "", mac: this.identityMac, vips: [] };
  }

  private byName(name: string) {
    return this.ports.find((p) => p.name === name)!;
  }

  private apply(actions: PathAction[], now: number): void {
    for (const a of actions) {
      if (a.op === "pause-monitor" || a.op === "resume-monitor" || a.op === "plumb") continue;
      const port = this.byName(a.iface);
      if (a.op === "down") {
        // The old primary keeps its link up (so that its return is seen) but nothing of the identity.
        this.ip([...this.addresses.map((x) => `addr del ${x} dev ${port.iface}`), `link set dev ${port.iface} address ${this.spareMac}`], true);
        this.nicMac(port.index, this.spareMac);
      } else if (a.op === "configure") {
        this.ip([`link set dev ${port.iface} address ${a.params.mac}`, ...this.addresses.map((x) => `addr replace ${x} dev ${port.iface}${x.includes(":") ? " nodad" : ""}`)], false);
        this.nicMac(port.index, a.params.mac);
        this.holder = a.iface;
      } else if (a.op === "up") {
        const from = this.primaryFront;
        this.primaryFront = port.index;
        this.hooks.moved(port.index, from, now);
      }
    }
  }

  /** The soft e1000 filters for the MAC from now on (RAL0), as the chassis' NIC does. */
  private nicMac(port: number, mac: string): void {
    this.rt.osRings.stage(parseMac(mac));
    this.rt.os.call("nic_port_mac", port, TX_STAGE);
    this.rt.osRings.must("nic_rx_init", port);
  }

  /** One `ip -batch` (with -force: a failed line, e.g. an address already gone, does not stop the rest). */
  private ip(lines: string[], quiet: boolean): void {
    const r = spawnSync("ip", ["-force", "-batch", "-"], { input: lines.join("\n") + "\n", encoding: "utf8", timeout: 5000 });
    if (r.status !== 0 && !quiet) this.hooks.log("path.ip-failed", { error: (r.stderr || String(r.error)).trim().split("\n").join("; ") }, "error");
  }
}
