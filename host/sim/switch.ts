// A simple L2 learning switch for the virtual chassis (IEEE 802.1D transparent bridging,
// without spanning tree or VLANs): it learns each unicast source MAC on the port it arrived
// on, forwards a frame for a known MAC to that port only, and floods broadcast, multicast and
// unknown unicast to every other port. Entries age out (300 s, the 802.1D default) and are
// flushed when a port loses its link, as real switches do — so after a unit dies its MAC is
// unknown again and frames for it are flooded (and dropped by every other NIC's filter).
//
// Forwarding is store-and-forward: the link delivers the whole frame, the switch sends it on
// after `forwardNs` (its lookup and queueing latency). A partition (split-brain scenarios)
// splits the ports into groups that do not forward to each other — a failed inter-switch
// link between two halves of a network.

import type { SimClock } from "./clock";
import type { WireEndpoint } from "./wire";
import { formatMac } from "../util/addr";
import { NS_PER_S } from "../ha/timeline";
import { ETH_ALEN, ETH_OFF_DST, ETH_OFF_SRC, ETH_HEADER_LEN } from "../../assembly/shared/wire";

export interface SwitchOptions {
  /** Lookup and queueing latency per frame (default 2 µs). */
  forwardNs?: number;
  /** MAC table ageing (default 300 s, IEEE 802.1D). */
  ageingNs?: number;
}

export interface SwitchCounters {
  received: number;
  forwarded: number;
  flooded: number;
  /** Destination learned on the port the frame came from: not sent back. */
  filtered: number;
  /** Not forwarded across a partition. */
  blocked: number;
}

interface Learned {
  port: SwitchPort;
  seenNs: number;
}

/** One switch port: a WireEndpoint a Link plugs into. */
export class SwitchPort implements WireEndpoint {
  private tx: ((frame: Uint8Array) => void) | undefined;
  carrier = true;
  /** Partition group (-1: none assigned). */
  group = -1;

  constructor(readonly sw: L2Switch, readonly name: string) {}

  attach(tx: (frame: Uint8Array) => void): void {
    this.tx = tx;
  }

  receive(frame: Uint8Array): void {
    this.sw.ingress(this, frame);
  }

  setLink(up: boolean): void {
    this.carrier = up;
    if (!up) this.sw.flush(this);
  }

  /** @internal */
  send(frame: Uint8Array): void {
    if (this.carrier) this.tx?.(frame);
  }
}

export class L2Switch {
  readonly ports: SwitchPort[] = [];
  readonly counters: SwitchCounters = { received: 0, forwarded: 0, flooded: 0, filtered: 0, blocked: 0 };
  private readonly table = new Map<string, Learned>();
  private partitioned = false;

  constructor(readonly name: string, private readonly clock: SimClock, private readonly opts: SwitchOptions = {}) {}

  port(name: string): SwitchPort {
    if (this.ports.some((p) => p.name === name)) throw new Error(`${this.name}: a port named ${name} exists`);
    const p = new SwitchPort(this, `${this.name}.${name}`);
    this.ports.push(p);
    return p;
  }

  /** Splits the ports into groups that do not forward to each other; null heals. */
  partition(groups: SwitchPort[][] | null): void {
    for (const p of this.ports) p.group = -1;
    this.partitioned = groups !== null;
    if (groups) groups.forEach((g, i) => g.forEach((p) => (p.group = i)));
  }

  /** Where the switch would send a frame for mac now (null: flooded). */
  lookup(mac: string): string | null {
    const e = this.table.get(mac);
    return e && this.clock.now() - e.seenNs < this.ageing() ? e.port.name : null;
  }

  /** @internal A frame arrived on a port. */
  ingress(from: SwitchPort, frame: Uint8Array): void {
    if (frame.length < ETH_HEADER_LEN) return;
    this.counters.received++;
    const now = this.clock.now();
    const src = formatMac(frame.subarray(ETH_OFF_SRC, ETH_OFF_SRC + ETH_ALEN));
    if ((frame[ETH_OFF_SRC] & 1) === 0) this.table.set(src, { port: from, seenNs: now });
    const dst = formatMac(frame.subarray(ETH_OFF_DST, ETH_OFF_DST + ETH_ALEN));
    const known = (frame[ETH_OFF_DST] & 1) === 0 ? this.table.get(dst) : undefined;
    const data = Uint8Array.from(frame);
    const t = now + (this.opts.forwardNs ?? 2_000);
    if (known && now - known.seenNs < this.ageing()) {
      if (known.port === from) {
        this.counters.filtered++;
        return;
      }
      if (!this.reachable(from, known.port)) {
        this.counters.blocked++;
        return;
      }
      this.counters.forwarded++;
      this.clock.at(t, () => known.port.send(data));
      return;
    }
    this.counters.flooded++;
    for (const p of this.ports) {
      if (p === from) continue;
      if (!this.reachable(from, p)) {
        this.counters.blocked++;
        continue;
      }
      this.clock.at(t, () => p.send(data));
    }
  }

  /** @internal Forget everything learned on a port (its link went down). */
  flush(port: SwitchPort): void {
    for (const [mac, e] of [...this.table]) if (e.port === port) this.table.delete(mac);
  }

  private reachable(a: SwitchPort, b: SwitchPort): boolean {
    return !this.partitioned || a.group === b.group;
  }

  private ageing(): number {
    return this.opts.ageingNs ?? 300 * NS_PER_S;
  }
}
