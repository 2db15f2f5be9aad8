// The control processor's pseudo-interfaces (docs/switching-path.md "The TAP pseudo-
// interface"): one TAP device per configured port (tun(4), IFF_TAP | IFF_NO_PI; the board
// addon's tap.c), with the port's MAC and IPv4 addresses, up while the switching service
// runs. Frames the switching path punts from the port are written to it, so the kernel's own
// stack — ping, an SSH server, ARP — answers for the control processor's addresses; frames
// the kernel sends on it go into the DOWN punt ring and leave by the port (INJECT_TX).
//
// Closing a TAP's descriptor removes the device (it is not persistent): a process that dies,
// however it dies, leaves none behind.

import { execFileSync } from "child_process";
import * as fs from "fs";
import { formatMac } from "../util/addr";
import type { BoardAddon } from "../native/board";
import type { CpApp, Injection, PuntedFrame, PuntRings } from "./punt";
import * as S from "../../assembly/shared/switch";

/** Frames read from each TAP per poll at most (the DOWN ring's size bounds it too). */
const TAP_BURST = 32;

export interface TapSpec {
  /** Board port index. */
  port: number;
  name: string;
  mac: Uint8Array;
  /** Interface addresses with prefix length ("192.0.2.2/24"). */
  ipv4: string[];
  ipv6: string[];
}

function ipCmd(args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

export class TapDevice {
  readonly fd: number;
  readonly ifindex: number;

  /** Creates the device and configures it (MAC, addresses, up); closes it again if a step fails. */
  constructor(private readonly addon: BoardAddon, readonly spec: TapSpec) {
    const info = addon.tapOpen(spec.name);
    this.fd = info.fd;
    this.ifindex = info.ifindex;
    try {
      ipCmd(["link", "set", "dev", spec.name, "address", formatMac(spec.mac)]);
      // Without an IPv6 address the kernel's own IPv6 (router solicitations, DAD) stays off the wire.
      if (spec.ipv6.length === 0) fs.writeFileSync(`/proc/sys/net/ipv6/conf/${spec.name}/disable_ipv6`, "1");
      for (const a of spec.ipv4) ipCmd(["addr", "add", a, "dev", spec.name]);
      for (const a of spec.ipv6) ipCmd(["addr", "add", a, "dev", spec.name, "nodad"]);
      ipCmd(["link", "set", "dev", spec.name, "up"]);
    } catch (e) {
      addon.tapClose(this.fd);
      const err = e as Error & { stderr?: Buffer };
      throw new Error(`TAP ${spec.name}: ${err.stderr?.toString().trim() || err.message}`);
    }
  }

  read(buf: Uint8Array): number {
    return this.addon.tapRead(this.fd, buf);
  }

  write(frame: Uint8Array): boolean {
    return this.addon.tapWrite(this.fd, frame);
  }

  close(): void {
    this.addon.tapClose(this.fd);
  }
}

/**
 * The last control-processor application: a frame punted from a port with a TAP goes to the
 * kernel through it. pump() moves what the kernel sent into the DOWN ring.
 */
export class TapBridge implements CpApp {
  readonly name = "tap";
  readonly stats = { toKernel: 0, toKernelDropped: 0, fromKernel: 0, fromKernelDropped: 0 };
  private readonly byPort = new Map<number, TapDevice>();
  private readonly buf = new Uint8Array(65536);

  constructor(readonly taps: TapDevice[]) {
    for (const t of taps) this.byPort.set(t.spec.port, t);
  }

  get fds(): number[] {
    return this.taps.map((t) => t.fd);
  }

  handle(p: PuntedFrame): Injection[] | null {
    const tap = this.byPort.get(p.port);
    if (!tap) return null;
    if (tap.write(p.frame)) this.stats.toKernel++;
    else this.stats.toKernelDropped++;
    return [];
  }

  /** Frames the kernel sent on each TAP into the DOWN ring (sent as they are on the TAP's port). Returns how many were read. */
  pump(rings: PuntRings): number {
    let n = 0;
    for (const tap of this.taps) {
      for (let i = 0; i < TAP_BURST; i++) {
        const len = tap.read(this.buf);
        if (len === 0) break;
        n++;
        // Longer than a ring slot (the kernel's MTU is the port's: only a misconfigured
        // interface sends one) or the ring is full: dropped, as a NIC drops on a full queue.
        if (len <= S.PUNT_MAX_FRAME && rings.inject({ frame: this.buf.subarray(0, len), port: tap.spec.port, via: "tx" })) this.stats.fromKernel++;
        else this.stats.fromKernelDropped++;
      }
    }
    return n;
  }

  close(): void {
    for (const t of this.taps) t.close();
  }
}
