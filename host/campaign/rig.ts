// Shared set-up for the ring tests: a one-port virtual board (SimBoard), a register-access log
// over the NIC, the frames the NIC put on the wire, and frame builders.

import { SimBoard, SimPortSpec } from "../board/sim";
import { CoreRings } from "../nic/rings";
import type { NicDevice } from "../nic/device";
import type { Core } from "../core/core";
import { Rng } from "../util/rng";

export const MAC_A = Uint8Array.from([0x02, 0x00, 0x00, 0x0a, 0x00, 0x01]);
export const OS_PHYS = 0x1_0000_0000; // above 4 GiB: TDBAH and 64-bit descriptor addresses matter
export const FAULT_PHYS = 0x2_0000_0000;

export interface RegAccess {
  port: number;
  kind: "r" | "w";
  offset: number;
  value: number;
  tNs: number;
}

/** A NIC whose every register access is recorded. */
export function logged(nic: NicDevice, port: number, log: RegAccess[], now: () => number): NicDevice {
  return {
    read32(offset: number): number {
      const value = nic.read32(offset) >>> 0;
      log.push({ port, kind: "r", offset, value, tNs: now() });
      return value;
    },
    write32(offset: number, value: number): void {
      log.push({ port, kind: "w", offset, value: value >>> 0, tNs: now() });
      nic.write32(offset, value);
    },
  };
}

export interface Rig {
  board: SimBoard;
  /** The OS core's rings, through the logging NIC. */
  os: CoreRings;
  /** The fault core's rings, through the logging NIC. */
  fault: CoreRings;
  log: RegAccess[];
  wire: { tNs: number; frame: Uint8Array }[];
}

export function rig(port: Partial<SimPortSpec> = {}, cores: { os?: Core; fault?: Core } = {}): Rig {
  const spec: SimPortSpec = {
    name: "lc-a.eth0", mac: MAC_A, model: "e1000", txQueues: 1, rings: { tx: 16, rx: 16, fault: 16 }, ...port,
  };
  const board = new SimBoard({ osDmaPhys: OS_PHYS, faultDmaPhys: FAULT_PHYS, ports: [spec] }, cores);
  const log: RegAccess[] = [];
  const now = () => board.clock.now();
  const wire: Rig["wire"] = [];
  board.nics[0].attach((frame) => wire.push({ tNs: board.clock.now(), frame }));
  const nics = board.nics.map((n, i) => logged(n, i, log, now));
  return {
    board,
    os: new CoreRings(board.os, nics, board.delay),
    fault: new CoreRings(board.fault, nics, board.delay),
    log,
    wire,
  };
}

/** An Ethernet frame to dst from src with a recognisable payload (seq in the first bytes). */
export function frame(dst: Uint8Array, src: Uint8Array, seq: number, len = 64, rng?: Rng): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5; // IEEE local experimental
  f[14] = seq >>> 24;
  f[15] = (seq >>> 16) & 0xff;
  f[16] = (seq >>> 8) & 0xff;
  f[17] = seq & 0xff;
  for (let i = 18; i < len; i++) f[i] = rng ? rng.u32() & 0xff : (seq * 7 + i) & 0xff;
  return f;
}

/** What a receiver sees of a frame sent with TCTL.PSP: padded to 60 bytes. */
export function padded(f: Uint8Array): Uint8Array {
  if (f.length >= 60) return f;
  const p = new Uint8Array(60);
  p.set(f);
  return p;
}

export const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");
