// A unit's NIC driver as its guest OS runs it: every register operation goes through the OS
// core's ring code (host/nic/rings.ts: the core decides, the host performs the accesses).
// Bring-up at boot; the RX interrupt and the harvest that answers it; a frame out (reclaim,
// queue, one doorbell); STATUS.LU for the link monitor; the station address following an
// interface identity that moved; carrier loss, as Linux handles it: nothing is sent on a port
// without carrier (its noop qdisc drops), and the TX queue is reset so that frames the stalled
// MAC still holds never go out, stale, when the link returns (e1000_watchdog's reset task).
// All of it runs as OS work (os-work.ts).

import type { SimBoard } from "../board/sim";
import type { SimClock } from "../sim/clock";
import type { WireEndpoint } from "../sim/wire";
import type { OsWork } from "./os-work";
import { TX_STAGE } from "../nic/rings";
import { STEP_DONE } from "../../assembly/shared/regop";
import { STATUS_LU } from "../../assembly/shared/e1000";
import { RING_TX, RINGINFO_DESC } from "../../assembly/shared/rings";

export interface DriverHooks {
  /** Whether the OS runs: a dead OS harvests nothing. */
  up(): boolean;
  /** Every frame a port puts on the wire or receives from it. */
  observe(dir: "tx" | "rx", port: number, frame: Uint8Array): void;
  /** A frame the OS received, to demultiplex. */
  deliver(port: number, frame: Uint8Array): void;
}

export class UnitDriver {
  private readonly rxPending: boolean[];
  /** Carrier as the OS knows it (the LSC interrupt); frames for a port without it are dropped. */
  private readonly carrier: boolean[];
  private readonly txReady: boolean[];

  constructor(
    private readonly sim: SimBoard,
    private readonly clock: SimClock,
    private readonly os: OsWork,
    private readonly irqLatencyNs: number,
    private readonly hooks: DriverHooks,
  ) {
    this.rxPending = sim.nics.map(() => false);
    this.carrier = sim.nics.map((n) => n.link);
    this.txReady = sim.nics.map(() => false);
  }

  /** Each port: link wait (a dead cable is the link monitor's business), TX and RX rings up. */
  bringUp(ports: number, linkWaitPolls: number): void {
    const r = this.sim.osRings;
    for (let i = 0; i < ports; i++) {
      r.run("nic_link_wait", i, linkWaitPolls, 1000);
      r.must("nic_tx_init", i);
      r.must("nic_rx_init", i);
      this.txReady[i] = true;
      this.carrier[i] = this.sim.nics[i].link;
    }
  }

  /** The port's wire side, observed (frames in and out) and with its RX interrupt. */
  endpoint(i: number): WireEndpoint {
    const nic = this.sim.nics[i];
    return {
      name: nic.name,
      attach: (tx) => nic.attach((frame) => {
        this.hooks.observe("tx", i, frame);
        tx(frame);
      }),
      receive: (frame) => {
        this.hooks.observe("rx", i, frame);
        // The model raises RXT0 when a frame reached host memory: the driver's interrupt.
        if (nic.receive(frame)) this.interrupt(i);
      },
      setLink: (up) => {
        nic.setLink(up);
        this.linkChange(i);
      },
    };
  }

  /** The LSC interrupt: the OS learns the carrier; losing it, it flushes the port's TX queue. */
  private linkChange(port: number): void {
    if (!this.hooks.up()) return;
    this.clock.after(this.irqLatencyNs, () => this.os.run(() => {
      const up = this.sim.nics[port].link;
      if (up === this.carrier[port]) return;
      this.carrier[port] = up;
      if (!up && this.txReady[port]) this.sim.osRings.must("nic_tx_init", port);
    }));
  }

  private interrupt(port: number): void {
    if (!this.hooks.up() || this.rxPending[port]) return;
    this.rxPending[port] = true;
    this.clock.after(this.irqLatencyNs, () => this.os.run(() => this.harvest(port)));
  }

  /** The RX path: harvest through the core's reader, give the NIC its buffers back, deliver. */
  private harvest(port: number): void {
    this.rxPending[port] = false;
    const r = this.sim.osRings;
    const { frames } = r.harvest(port);
    r.run("nic_rx_doorbell", port);
    for (const f of frames) {
      if (!this.hooks.up()) return;
      this.hooks.deliver(port, f);
    }
  }

  /** The TX path: reclaim, queue, one doorbell (the core's writer). False: the ring was full. */
  send(port: number, frame: Uint8Array): boolean {
    if (!this.carrier[port]) return false;
    const r = this.sim.osRings;
    this.sim.os.exports.nic_tx_reclaim(port);
    if (r.enqueue(port, [frame]) === 0) return false;
    r.run("nic_tx_doorbell", port);
    return true;
  }

  /** STATUS.LU, read by the core (nic_link_wait with no polls: one register read). */
  linkStatus(port: number): number {
    return this.sim.osRings.run("nic_link_wait", port, 0, 0) === STEP_DONE ? STATUS_LU : 0;
  }

  /** An interface identity moved to the port: its NIC filters for that MAC from now on (RAL0). */
  takeMac(port: number, mac: Uint8Array): void {
    this.sim.osRings.stage(mac);
    this.sim.os.call("nic_port_mac", port, TX_STAGE);
    this.sim.osRings.must("nic_rx_init", port);
  }

  /** Core address of the port's TX descriptors (what a wild write in the OS scribbles over). */
  txDescriptors(port: number): number {
    return this.sim.osRings.ringInfo(port, RING_TX, RINGINFO_DESC);
  }
}
