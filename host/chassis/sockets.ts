// A board's ports as the wire sees them: one stable endpoint per port, connected once when the
// chassis is cabled, forwarding to whichever incarnation of the unit runs now. A reboot builds
// the unit's software anew (cores, guest OS, NIC models just out of reset); the cables stay
// where they are. Between two incarnations nothing is plugged in: frames arriving then are
// dropped, as a NIC in reset drops them.

import type { WireEndpoint } from "../sim/wire";

export class PortSocket implements WireEndpoint {
  private tx: ((frame: Uint8Array) => void) | undefined;
  private inner: WireEndpoint | null = null;
  private carrier = true;

  constructor(readonly name: string) {}

  /** The link hands over its transmit function once; every incarnation gets it when plugged. */
  attach(tx: (frame: Uint8Array) => void): void {
    this.tx = tx;
  }

  receive(frame: Uint8Array): unknown {
    return this.inner?.receive(frame);
  }

  setLink(up: boolean): void {
    this.carrier = up;
    this.inner?.setLink?.(up);
  }

  /**
   * Plugs an incarnation's port in. What it transmits reaches the link only while it is the
   * one plugged in: a frame a dead incarnation's NIC still had queued never leaves.
   */
  plug(ep: WireEndpoint): void {
    this.inner = ep;
    ep.attach((f) => {
      if (this.inner === ep) this.tx?.(f);
    });
    ep.setLink?.(this.carrier);
  }

  unplug(): void {
    this.inner = null;
  }

  get plugged(): boolean {
    return this.inner !== null;
  }
}
