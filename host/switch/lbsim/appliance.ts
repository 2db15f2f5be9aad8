// The load-balancer line card on the virtual board: a SimBoard from its board file, the OS
// core's rings up on every port, the switching path configured on the same core (its ports,
// the control processor's addresses, the VIP's TCP and UDP services in NAT mode, the back
// ends), the packet engine's contexts (one or two switching cores), the control processor's
// punt applications, and the poll loop on the board's clock.

import { SimBoard } from "../../board/sim";
import type { Board } from "../../board/board";
import { SwitchPath } from "../switch";
import { LbTables } from "../lbtables";
import { PacketEngine } from "../engine";
import { PuntService } from "../punt";
import { IcmpEchoResponder, ArpResponder } from "../apps";
import { parseIPv4 } from "../../util/addr";

export const SVC_TCP = 0;
export const SVC_UDP = 1;

export interface ApplianceBackend {
  index: number;
  name: string;
  ip: Uint8Array;
  mac: Uint8Array;
}

export interface ApplianceSpec {
  board: Board;
  clientPort: number;
  serverPort: number;
  vip: Uint8Array;
  tcpPort: number;
  udpPort: number;
  backendPort: number;
  routerMac: Uint8Array;
  backends: ApplianceBackend[];
  cores: 1 | 2;
  capacity: number;
  seed: number;
}

export class LbAppliance {
  readonly sim: SimBoard;
  readonly sw: SwitchPath;
  readonly lb: LbTables;
  readonly punts: PuntService;
  readonly engine: PacketEngine;
  readonly echo: IcmpEchoResponder;
  readonly arp: ArpResponder;
  /** The control processor's IPv4 addresses, per port (the board's port addresses). */
  readonly cpAddrs: Uint8Array[][];
  polls = 0;

  constructor(readonly spec: ApplianceSpec) {
    const b = spec.board;
    this.sim = new SimBoard({
      osDmaPhys: b.dma.os,
      faultDmaPhys: b.dma.fault,
      ports: b.ports.map((p, i) => ({
        name: `${b.id}.${p.name}`, mac: p.macBytes, model: b.nic.model, txQueues: b.nic.txQueues,
        faultQueue: b.nic.faultQueue ?? undefined, rings: b.rings, seed: spec.seed + i,
      })),
    });
    const core = this.sim.os;
    b.ports.forEach((_, i) => {
      this.sim.osRings.must("nic_tx_init", i);
      this.sim.osRings.must("nic_rx_init", i);
    });

    this.sw = SwitchPath.create({ capacity: spec.capacity, seed: spec.seed, policy: "evict" }, core);
    this.cpAddrs = b.ports.map((p) => p.ipv4.map((a) => parseIPv4(a.split("/")[0])));
    let cp = 0;
    b.ports.forEach((p, i) => {
      this.sw.setPort(i, p.macBytes);
      for (const a of this.cpAddrs[i]) this.sw.setCpAddress(cp++, 4, a);
    });
    const nat = { mode: "nat" as const, returnPort: spec.clientPort, returnMac: spec.routerMac };
    this.sw.setService(SVC_TCP, { family: 4, vip: spec.vip, protocol: "tcp", port: spec.tcpPort, ...nat });
    this.sw.setService(SVC_UDP, { family: 4, vip: spec.vip, protocol: "udp", port: spec.udpPort, ...nat });
    for (const be of spec.backends) {
      this.sw.setBackend(be.index, { family: 4, addr: be.ip, mac: be.mac, txPort: spec.serverPort, port: spec.backendPort });
    }
    this.lb = new LbTables(core);

    // The CP answers ARP and echo for its own addresses on each port, and for the VIP on the
    // client port; the load collector is registered by the caller.
    const owned = b.ports.flatMap((p, i) => this.cpAddrs[i].map((ip) => ({ ip, mac: p.macBytes })));
    owned.push({ ip: spec.vip, mac: b.ports[spec.clientPort].macBytes });
    this.arp = new ArpResponder(core, owned);
    this.echo = new IcmpEchoResponder([...this.cpAddrs.flat(), spec.vip]);
    this.punts = new PuntService(core);
    this.engine = new PacketEngine(core, this.sim.nics, this.sim.delay, this.punts);
    this.engine.reset();
    if (spec.cores === 1) this.engine.context(0, { rxPorts: b.ports.map((_, i) => i), inject: true });
    else {
      this.engine.context(0, { rxPorts: [spec.clientPort] });
      this.engine.context(1, { rxPorts: b.ports.map((_, i) => i).filter((i) => i !== spec.clientPort), inject: true });
    }
  }

  /** Registers the CP applications after the caller's own (e.g. the load collector). */
  finishPunts(): void {
    this.punts.register(this.arp).register(this.echo);
  }

  /** Milliseconds on the board's clock: the switching path's tick. */
  nowMs(): number {
    return Math.floor(this.sim.clock.now() / 1e6);
  }

  /** Every switching core polls once every intervalNs until endNs (its rounds in core order). */
  startPolling(intervalNs: number, endNs: number): void {
    const contexts = this.spec.cores;
    const round = () => {
      const now = this.nowMs();
      for (let ctx = 0; ctx < contexts; ctx++) this.engine.poll(ctx, now);
      this.polls++;
      if (this.sim.clock.now() + intervalNs <= endNs) this.sim.clock.after(intervalNs, round);
    };
    this.sim.clock.after(intervalNs, round);
  }
}
