// A learning Ethernet bridge (IEEE 802.1D §8.7, without spanning tree or ageing): what sits
// between a line card's server-side port and its back-end servers. Each bridge port is a
// WireEndpoint for one Link; a frame is forwarded to the port its destination MAC was last
// seen on, flooded when unknown or group-addressed, never sent back out of its own port.
// Forwarding takes no simulated time (the links model the wire).

import type { WireEndpoint } from "./wire";
import { ETH_ALEN, ETH_HEADER_LEN, ETH_OFF_DST, ETH_OFF_SRC } from "../../assembly/shared/wire";

class BridgePort implements WireEndpoint {
  tx: ((frame: Uint8Array) => void) | undefined;

  constructor(readonly name: string, private readonly bridge: Bridge, readonly index: number) {}

  attach(tx: (frame: Uint8Array) => void): void {
    this.tx = tx;
  }

  receive(frame: Uint8Array): void {
    this.bridge.forward(this.index, frame);
  }
}

export class Bridge {
  readonly ports: BridgePort[] = [];
  private readonly table = new Map<string, number>();
  readonly stats = { forwarded: 0, flooded: 0, filtered: 0 };

  constructor(readonly name: string) {}

  /** A new port, to connect with a Link. */
  port(): WireEndpoint {
    const p = new BridgePort(`${this.name}.p${this.ports.length}`, this, this.ports.length);
    this.ports.push(p);
    return p;
  }

  /** @internal */
  forward(from: number, frame: Uint8Array): void {
    if (frame.length < ETH_HEADER_LEN) return;
    const key = (at: number) => Buffer.from(frame.subarray(at, at + ETH_ALEN)).toString("hex");
    if ((frame[ETH_OFF_SRC] & 1) === 0) this.table.set(key(ETH_OFF_SRC), from);
    const to = (frame[ETH_OFF_DST] & 1) === 0 ? this.table.get(key(ETH_OFF_DST)) : undefined;
    if (to === from) {
      this.stats.filtered++;
      return;
    }
    if (to !== undefined) {
      this.stats.forwarded++;
      this.ports[to].tx?.(frame);
      return;
    }
    this.stats.flooded++;
    for (const p of this.ports) if (p.index !== from) p.tx?.(frame);
  }
}
