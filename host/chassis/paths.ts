// A unit's front paths: link monitoring, and on a board with two front ports the
// alternate-path failover (host/ha/hanet.ts, path-failover.ts; docs/failover.md) carried out on
// the unit's interfaces and NICs. With one front port, a link monitor whose verdicts go to the
// HA unit (link-lost / link-restored). With two, the path machine moves the interface identity
// (address, MAC, VIPs) to the other port; the NIC then filters for the moved MAC, and a unit
// that holds the VIPs announces them again so the switch learns the new port.
//
// STATUS.LU is read through the OS core's driver; the machines run as OS work.

import type { BoardPort } from "../board/board";
import type { ChassisUnit } from "./unit";
import { LinkMonitor } from "../ha/link-monitor";
import { HaNet } from "../ha/hanet";
import { IfaceTable, IfaceParams, PathAction } from "../ha/path-failover";
import { formatIPv4, parseIPv4, parseMac } from "../util/addr";
import { Ticker } from "./ticker";

/** The standby path's placeholder identity (warm standby): a benchmarking address, never routed. */
const DUMMY_IP = "198.18.255.254";

export class UnitPaths {
  /** The front port the unit's announcements leave by: the first, until a failover moves it. */
  primaryFront: number;
  readonly ticker: Ticker;
  private readonly ifaces: IfaceTable;
  private readonly net: HaNet | null = null;
  private readonly linkMonitor: LinkMonitor | null = null;

  constructor(private readonly u: ChassisUnit) {
    const { board, settings, timeline, frontPorts } = u;
    this.primaryFront = frontPorts[0];
    // The primary and every non-front port start plumbed, up and configured; other front ports
    // wait for a failover.
    this.ifaces = new IfaceTable(Object.fromEntries(board.ports.map((p, i) => {
      const live = i === this.primaryFront || p.role !== "front";
      return [p.name, { plumbed: live, up: live, params: live ? this.paramsOf(p) : null }];
    })));
    const front = frontPorts.map((i) => board.ports[i].name);
    const readStatus = (i: number) => () => u.driver.linkStatus(i);
    if (front.length >= 2) {
      const [a, b] = [frontPorts[0], frontPorts[1]];
      const net = new HaNet({
        name: `${u.id}.net`,
        failover: {
          primary: front[0], secondary: front[1], standby: settings.pathFailover.standby, delayNs: settings.pathFailover.delayNs,
          capture: (iface) => this.ifaces.capture(iface),
          dummy: { ip: DUMMY_IP, netmask: "255.255.255.255", broadcast: DUMMY_IP, mac: board.ports[b].mac, vips: [] },
        },
        paths: {
          [front[0]]: { members: [{ name: `${u.id}.${front[0]}`, readStatus: readStatus(a) }] },
          [front[1]]: { members: [{ name: `${u.id}.${front[1]}`, readStatus: readStatus(b) }] },
        },
        link: settings.link,
        timeline,
      });
      this.net = net;
      this.ticker = new Ticker(u.clock, () => (u.alive ? net.nextDeadline() : null), (now) => u.os.run(() => this.apply(net.tick(now).actions, now)));
    } else {
      const monitor = new LinkMonitor({ name: `${u.id}.${front[0]}`, ...settings.link, readStatus: readStatus(frontPorts[0]), timeline });
      this.linkMonitor = monitor;
      this.ticker = new Ticker(u.clock, () => (u.alive ? monitor.nextDeadline() : null), (now) => u.os.run(() => {
        for (const c of monitor.tick(now)) u.route(u.ha.handle({ type: c.up ? "link-restored" : "link-lost" }, c.tNs));
      }));
    }
  }

  /** At boot: the path machine's start-up (warm standby prepares the secondary), or the monitor's. */
  start(now: number): void {
    if (this.net) this.apply(this.net.start(now).actions, now);
    else this.linkMonitor!.start(now);
  }

  /** Whether the port's interface is up (a HELLO leaves only by an interface that is). */
  portUp(i: number): boolean {
    return this.ifaces.get(this.u.board.ports[i].name).up;
  }

  /** An interface's parameters as ifconfig shows them: address, mask and broadcast from the board. */
  private paramsOf(p: BoardPort): IfaceParams {
    const [ip, len] = (p.ipv4[0] ?? "0.0.0.0/32").split("/");
    const bits = Number(len);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const ipn = new DataView(parseIPv4(ip).buffer).getUint32(0);
    const fmt = (n: number) => formatIPv4(Uint8Array.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]));
    return { ip, netmask: fmt(mask), broadcast: fmt((ipn | ~mask) >>> 0), mac: p.mac, vips: p.role === "front" ? [...this.u.vips] : [] };
  }

  /** Carries out the path machine's interface actions on the interfaces and the NICs. */
  private apply(actions: PathAction[], now: number): void {
    const u = this.u;
    for (const a of actions) {
      this.ifaces.apply(a);
      // The identity moves: the NIC filters for the primary's MAC from now on (RAL0).
      if (a.op === "configure") u.driver.takeMac(u.portIndex(a.iface), parseMac(a.params.mac));
      if (a.op === "up") {
        const i = u.portIndex(a.iface);
        if (u.frontPorts.includes(i)) {
          this.primaryFront = i;
          // Hosts keep the MAC (it moved with the identity); the switch must learn its new port.
          if (u.ha.holdsVips) {
            u.ha.announcer.again(now, `path ${a.iface}`);
            u.route(u.ha.tick(now));
          }
        }
      }
    }
  }
}
