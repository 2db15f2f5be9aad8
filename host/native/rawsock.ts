// The raw-socket addon (rawsock.c), loaded from build/native/lastgasp_raw.node. Built by
// `make native` / `make test` (scripts/build-native.js). Linux only; sending needs root or
// CAP_NET_RAW.

import * as fs from "fs";
import * as path from "path";
import { BUILD_DIR } from "../paths";

export interface RawSocketAddon {
  ifindex(name: string): number;
  hwaddr(name: string): Buffer;
  open(name: string): number;
  send(fd: number, frame: Uint8Array): number;
  close(fd: number): void;
}

export const ADDON_PATH = path.join(BUILD_DIR, "native", "lastgasp_raw.node");

let cached: RawSocketAddon | null = null;

export class AddonMissingError extends Error {}

export function loadRawSocket(): RawSocketAddon {
  if (cached) return cached;
  if (!fs.existsSync(ADDON_PATH)) {
    throw new AddonMissingError(`${path.relative(process.cwd(), ADDON_PATH)} is missing: build it with \`make native\` (node-gyp, Linux)`);
  }
  cached = require(ADDON_PATH) as RawSocketAddon;
  return cached;
}

/** An AF_PACKET socket bound to one interface, transmit only. */
export class RawSocket {
  private fd: number | null;
  sent = 0;

  private constructor(
    readonly iface: string,
    private readonly addon: RawSocketAddon,
    fd: number,
  ) {
    this.fd = fd;
  }

  static open(iface: string, addon: RawSocketAddon = loadRawSocket()): RawSocket {
    return new RawSocket(iface, addon, addon.open(iface));
  }

  /** Sends one whole Ethernet frame (header first, no FCS); returns the bytes sent. */
  send(frame: Uint8Array): number {
    if (this.fd === null) throw new Error(`${this.iface}: socket closed`);
    const n = this.addon.send(this.fd, frame);
    this.sent++;
    return n;
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    this.addon.close(fd);
  }
}
