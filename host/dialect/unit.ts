// A fault core armed as a unit's is at boot — the gasp on each port, then the dialects — on
// the virtual board's NIC models, and the exception handler's call that sends them. What the
// NIC models put on the wire goes to a sink per port: a capture, or an AF_PACKET socket on a
// real Linux interface (`lastgasp send gasp --dialect`, the real-peer tests, bench/). So the
// frames a stock keepalived or FRR reacts to are the ones the core's fault entry put in the
// fault ring, byte for byte.

import { SimBoard, SimPortSpec } from "../board/sim";
import { GaspSender } from "../gasp/gasp";
import type { GaspPortConfig } from "../gasp/repr";
import { FaultEntry, FaultReport } from "../fault/fault";
import { Dialects, Dialect } from "./dialect";
import { FAULT_ARMF_LINK_FIRST, FAULT_ARMF_QUIESCE } from "../../assembly/shared/fault";
import { GASP_ROLE_ACTIVE } from "../../assembly/shared/gasp";

export interface ArmedUnitOptions {
  chassis: number;
  unit: number;
  priority?: number;
  key: Uint8Array;
  keyId: number;
  boot: number;
  /** Copies of each gasp frame. */
  copies: number;
  /** One per board port: the gasp's path through it (and the port's MAC). */
  ports: GaspPortConfig[];
  dialects: Dialect[];
  /** Ports whose carrier the fault entry drops last. */
  carrierDrop?: number[];
  model?: "e1000" | "i210";
  faultRing?: number;
}

export interface WireFrame {
  port: number;
  /** Simulated time the NIC model put it on the wire (ns). */
  tNs: number;
  frame: Uint8Array;
}

export class ArmedUnit {
  readonly board: SimBoard;
  readonly sender: GaspSender;
  readonly fault: FaultEntry;
  readonly dialects: Dialects;
  /** Slot index of each dialect, in the order given. */
  readonly slots: number[];
  readonly wire: WireFrame[] = [];
  /** Called for every frame a NIC model puts on the wire, as it does. */
  sink: ((f: WireFrame) => void) | undefined;

  constructor(readonly o: ArmedUnitOptions) {
    const model = o.model ?? "e1000";
    const spec = (p: GaspPortConfig, i: number): SimPortSpec => ({
      name: `p${i}`, mac: p.ownMac, model, txQueues: model === "i210" ? 4 : 1, faultQueue: model === "i210" ? 1 : undefined,
      rings: { tx: 32, rx: 32, fault: o.faultRing ?? 64 },
    });
    this.board = new SimBoard({ osDmaPhys: 0x1_0000_0000, faultDmaPhys: 0x2_0000_0000, ports: o.ports.map(spec) });
    this.board.nics.forEach((n, port) => n.attach((frame) => {
      const f = { port, tNs: this.board.clock.now(), frame: Uint8Array.from(frame) };
      this.wire.push(f);
      this.sink?.(f);
    }));
    this.sender = new GaspSender(this.board.fault);
    this.sender.setKey(0, o.key, o.keyId);
    this.sender.arm({ chassis: o.chassis, unit: o.unit, role: GASP_ROLE_ACTIVE, priority: o.priority ?? 100, keySlot: 0, boot: o.boot, copies: o.copies, ports: o.ports });
    this.dialects = new Dialects(this.board.fault);
    this.slots = o.dialects.map((d) => this.dialects.arm(d));
    if (o.carrierDrop?.length) this.dialects.carrier(o.carrierDrop);
    this.fault = new FaultEntry(this.board.fault);
    this.fault.arm(FAULT_ARMF_LINK_FIRST | FAULT_ARMF_QUIESCE);
  }

  /** The exception handler: the gasp and the dialects on every port. */
  fire(cause: number, excerpt = "lastgasp: fault"): FaultReport {
    return this.fault.fire({ cause, vector: 6, pc: 0n, uptimeUs: 0n, excerpt }, this.board.nics, this.board.delay);
  }
}
