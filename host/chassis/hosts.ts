// The chassis's simulated hosts: each a SimHost (a Linux-like neighbour cache, host/sim/endhost.ts)
// on a switch port, sending to the VIPs at the scenario's rate and counting, per VIP, what its
// application offered and what reached the unit holding the VIP.

import type { SimClock } from "../sim/clock";
import type { WireEndpoint } from "../sim/wire";
import type { SimHost } from "../sim/endhost";
import { Ticker } from "./ticker";

export interface HostVipStats {
  /** Packets the host's application offered (one per interval per VIP). */
  offered: number;
  /** Put on the wire (or, IPv6, decided) towards some MAC. */
  sent: number;
  /** Received by the unit holding the VIP (IPv6: sent to its MAC). */
  delivered: number;
  /** Sent to a MAC that did not own the VIP at that moment (SimHost's count). */
  misdelivered: number;
  /** Dropped in the host (resolution failed, queue overflow). */
  dropped: number;
  /** Where the host maps the VIP at the end. */
  mapping: string | null;
}

export interface HostResult {
  name: string;
  ip: string;
  vips: Record<string, HostVipStats>;
}

/** What a host needs of the chassis: the time, who serves a MAC, and word that mappings may have moved. */
export interface HostSurroundings {
  readonly clock: SimClock;
  serves(mac: string): boolean;
  hostsChanged(): void;
  /** A packet delivered (here: an IPv6 packet sent to a MAC that serves the VIP), by host and sequence number. */
  onDelivered?: ((host: string, seq: number, tNs: number) => void) | undefined;
}

export class ChassisHost implements WireEndpoint {
  readonly name: string;
  private tx: ((f: Uint8Array) => void) | undefined;
  readonly offered = new Map<string, number>();
  readonly delivered = new Map<string, number>();
  readonly ticker: Ticker;
  /** Called for every packet the host's application offers, with its sequence number. */
  onOffered: ((seq: number, vip: string, tNs: number) => void) | undefined;

  constructor(readonly host: SimHost, readonly ip: string, private readonly chassis: HostSurroundings, clock: SimClock) {
    this.name = host.name;
    this.ticker = new Ticker(clock, () => host.nextDeadline(), (now) => this.out(host.tick(now)));
  }

  attach(tx: (f: Uint8Array) => void): void {
    this.tx = tx;
  }

  receive(frame: Uint8Array): void {
    this.out(this.host.receive(frame, this.chassis.clock.now()));
    this.chassis.hostsChanged();
  }

  send(vip: string, now: number): void {
    this.offered.set(vip, (this.offered.get(vip) ?? 0) + 1);
    this.onOffered?.(this.host.nextSeq, vip, now);
    this.out(this.host.send(vip, now));
  }

  private out(o: ReturnType<SimHost["tick"]>): void {
    for (const d of o.delivered) {
      // IPv6 packets are decided, not built (docs/failover.md): delivered when the MAC owns the VIP.
      if (d.vip.includes(":") && this.chassis.serves(d.mac)) {
        this.delivered.set(d.vip, (this.delivered.get(d.vip) ?? 0) + 1);
        this.chassis.onDelivered?.(this.name, d.seq, this.chassis.clock.now());
      }
    }
    for (const f of o.frames) this.tx?.(f);
    this.ticker.poke();
  }
}
