// The virtual board as a BoardRuntime (runtime.ts): a SimBoard (the OS and fault core
// instances mapped at dma.os / dma.fault, one NIC model per port), each port's link to a
// loopback plug on the virtual wire (with a pcap tap), the board file's link timing and
// fault injection (its `sim` section, docs/boards.md).

import { SimBoard } from "./sim";
import { LoopbackPlug } from "./loopback";
import { Wire, Link } from "../sim/wire";
import { tsPerformer } from "../nic/regops";
import { registerName } from "./registers";
import type { Board } from "./board";
import type { BoardRuntime, PortRuntime } from "./runtime";

const DEFAULT_LINK_WAIT_US = 20_000;
const WIRE_IDLE_LIMIT_NS = 10_000_000_000;

export class SimRuntime implements BoardRuntime {
  readonly sim: SimBoard;
  readonly wire: Wire;
  readonly links: Link[] = [];
  readonly plugs: LoopbackPlug[] = [];
  readonly ports: PortRuntime[];

  constructor(readonly board: Board) {
    const sim = board.sim;
    this.sim = new SimBoard({
      osDmaPhys: board.dma.os,
      faultDmaPhys: board.dma.fault,
      ports: board.ports.map((p, i) => ({
        name: `${board.id}.${p.name}`,
        mac: p.macBytes,
        model: board.nic.model,
        txQueues: board.nic.txQueues,
        faultQueue: board.nic.faultQueue ?? undefined,
        rings: board.rings,
        queueEnableLatencyNs: sim.faults?.queueEnableLatencyNs,
        seed: (sim.seed ?? 1) + i,
      })),
    });
    this.wire = new Wire(this.sim.clock, sim.seed ?? 1);
    board.ports.forEach((p, i) => {
      const plug = new LoopbackPlug(`${board.id}.${p.name}.loop`);
      this.plugs.push(plug);
      this.links.push(this.wire.connect(this.sim.nics[i], plug, {
        name: `${board.id}.${p.name}`,
        latencyNs: p.link.latencyNs,
        bitsPerSecond: p.link.bitsPerSecond,
        loss: sim.wire?.loss,
        duplicate: sim.wire?.duplicate,
      }));
      this.applyLink(this.links[i]);
    });
    this.ports = board.ports.map(() => ({
      kind: "sim",
      describe: `virtual ${board.nic.model}`,
      regtestSkip: null,
      loopback: "a loopback plug on the virtual wire",
      linkWaitUs: sim.linkWaitUs ?? DEFAULT_LINK_WAIT_US,
    }));
  }

  get os() {
    return this.sim.os;
  }
  get fault() {
    return this.sim.fault;
  }
  get nics() {
    return this.sim.nics;
  }
  get delay() {
    return this.sim.delay;
  }
  get perform() {
    return tsPerformer(this.sim.nics, this.sim.delay);
  }
  get osRings() {
    return this.sim.osRings;
  }
  get faultRings() {
    return this.sim.faultRings;
  }

  now(): number {
    return this.sim.clock.now();
  }

  settle(): void {
    this.sim.clock.runUntilIdle(WIRE_IDLE_LIMIT_NS);
  }

  regName(port: number, offset: number): string {
    return registerName(this.sim.nics[port].registers, offset);
  }

  /**
   * The TX faults of sim.faults, injected once the register self-test and the link are done:
   * they are about traffic (a part that drops TDT writes also fails a register test, which
   * would hide what the fixture is about).
   */
  beforeTraffic(): void {
    const f = this.board.sim.faults ?? {};
    for (const nic of this.sim.nics) {
      if (f.frozenTdh) nic.faults.freezeTx({ queue: f.frozenTdh.queue ?? 0, survivesReset: f.frozenTdh.survivesReset ?? false });
      if (f.lostDoorbells) nic.faults.loseDoorbells(f.lostDoorbells);
      if (f.deferTx) nic.faults.deferTx(f.deferTx.ns, { queue: f.deferTx.queue, mode: f.deferTx.mode });
      if (f.linkDownTx) nic.faults.linkDownTx = f.linkDownTx;
    }
  }

  savePcaps(dir: string): void {
    this.wire.savePcaps(dir);
  }

  close(): void {}

  /** The cable: up at power-on, later, or never (sim.linkUpAfterUs). */
  private applyLink(link: Link): void {
    const up = this.board.sim.linkUpAfterUs ?? 0;
    if (up !== 0) {
      link.setUp(false);
      if (up !== "never") this.sim.clock.at(up * 1000, () => link.setUp(true));
    }
  }
}
