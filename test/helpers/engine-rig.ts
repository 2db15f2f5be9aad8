// A two-port line card for the packet-engine tests: the virtual board's NIC models (port 0
// towards the clients, port 1 towards the back ends), the OS core's rings up on both, the
// switching path configured on the same core (the switch-fixture's services and back ends),
// a register-access log, what each port put on the wire, and the host's PacketEngine.

import { SimBoard } from "../../host/board/sim";
import { SwitchPath } from "../../host/switch/switch";
import type { LbTables } from "../../host/switch/lbtables";
import { PacketEngine } from "../../host/switch/engine";
import { PuntService } from "../../host/switch/punt";
import { IcmpEchoResponder, ArpResponder } from "../../host/switch/apps";
import { CoreRings } from "../../host/nic/rings";
import type { Core } from "../../host/core/core";
import { logged, RegAccess, OS_PHYS, FAULT_PHYS } from "../../host/campaign/rig";
import { PORT_CLIENTS, PORT_BACKENDS, MAC_PORT0, MAC_PORT1, VIP4, CP4, CP6, V6_BASE, configureSwitch } from "../../host/campaign/switch-fixture";
import * as RINGS from "../../assembly/shared/rings";

export interface EngineRig {
  board: SimBoard;
  core: Core;
  rings: CoreRings;
  sw: SwitchPath;
  lb: LbTables;
  engine: PacketEngine;
  punts: PuntService;
  log: RegAccess[];
  /** Frames each port transmitted, in order. */
  wire: Uint8Array[][];
  /** Delivers frames to a port from the wire (RX DMA); returns how many the NIC took. */
  receive(port: number, frames: Uint8Array[]): number;
  /** Publishes Maglev tables over IPv4 back ends v4 (and the two IPv6 ones). */
  publish(v4: number[], m?: number): void;
}

export interface RigOptions {
  tx?: number;
  rx?: number;
  /** Contexts to set up; default: context 0 polls both ports and drains the DOWN ring. */
  contexts?: Parameters<PacketEngine["context"]>[1][];
  backends?: number;
  capacity?: number;
}

export function engineRig(opts: RigOptions = {}): EngineRig {
  const ring = { tx: opts.tx ?? 64, rx: opts.rx ?? 64, fault: 8 };
  const port = (name: string, mac: Uint8Array) => ({ name, mac, model: "e1000" as const, txQueues: 1, rings: ring });
  const board = new SimBoard({ osDmaPhys: OS_PHYS, faultDmaPhys: FAULT_PHYS, ports: [port("lc.clients", MAC_PORT0), port("lc.servers", MAC_PORT1)] });
  const core = board.os;
  const log: RegAccess[] = [];
  const nics = board.nics.map((n, i) => logged(n, i, log, () => board.clock.now()));
  const rings = new CoreRings(core, nics, board.delay);
  const wire: Uint8Array[][] = board.nics.map(() => []);
  board.nics.forEach((n, i) => n.attach((f) => wire[i].push(f)));
  for (let p = 0; p < board.nics.length; p++) {
    rings.must("nic_tx_init", p);
    rings.must("nic_rx_init", p);
  }

  const { sw, lb, publish: publishBoth } = configureSwitch(SwitchPath.create({ capacity: opts.capacity ?? 1 << 12, seed: 0x5eed }, core), opts.backends ?? 4, 2);
  const publish = (v4: number[], m?: number) => publishBoth(v4, [V6_BASE, V6_BASE + 1], m);

  const punts = new PuntService(core)
    .register(new IcmpEchoResponder([CP4, CP6, VIP4]))
    .register(new ArpResponder(core, [{ ip: CP4, mac: MAC_PORT0 }, { ip: VIP4, mac: MAC_PORT0 }]));
  const engine = new PacketEngine(core, nics, board.delay, punts);
  engine.reset();
  for (const [ctx, cfg] of (opts.contexts ?? [{ rxPorts: [PORT_CLIENTS, PORT_BACKENDS], inject: true }]).entries()) engine.context(ctx, cfg);
  log.length = 0;
  return {
    board, core, rings, sw, lb, engine, punts, log, wire, publish,
    receive: (p, frames) => frames.filter((f) => board.nics[p].receive(f)).length,
  };
}

/** Every TX and RX slot's buffer over all ports: each buffer exactly once (a permutation). */
export function slotBuffers(core: Core, ports: number): { all: number[]; own: number[] } {
  const all: number[] = [];
  const own: number[] = [];
  for (let p = 0; p < ports; p++) {
    for (const kind of [RINGS.RING_TX, RINGS.RING_RX]) {
      const base = RINGS.portDmaBase(p) + RINGS.ringBufOffset(kind);
      for (let i = 0; i < RINGS.ringMax(kind); i++) {
        all.push(core.exports.nic_slot_buf(p, kind, i));
        own.push(base + i * RINGS.NIC_BUF_SIZE);
      }
    }
  }
  return { all, own };
}
