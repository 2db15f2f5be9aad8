// A loopback plug for the virtual wire: whatever arrives is sent straight back, so a port's
// own frames return to it through the link (latency and serialization both ways), the way a
// bench tests a port with a loopback connector.

import type { WireEndpoint } from "../sim/wire";

export class LoopbackPlug implements WireEndpoint {
  private tx: ((frame: Uint8Array) => void) | undefined;
  reflected = 0;

  constructor(readonly name: string) {}

  attach(tx: (frame: Uint8Array) => void): void {
    this.tx = tx;
  }

  receive(frame: Uint8Array): void {
    this.reflected++;
    this.tx?.(frame);
  }
}
