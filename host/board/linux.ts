// linux ports (docs/real-hardware.md): a named Linux interface through an AF_PACKET socket,
// behind the addon's soft e1000 (host/native/softnic.c). The core's ring code, fault entry
// and packet engine run unchanged: they program an e1000's ring registers; a TDT write makes
// the soft e1000 walk the TX ring and send each frame's bytes — read straight out of the
// core's memory — through the socket; received frames fill the RX ring's buffers. The kernel
// stays alive; what the crash path outlives is the appliance's process.

import * as fs from "fs";
import { formatMac } from "../util/addr";
import type { Board } from "./board";
import type { PortOpener, NativeRuntime } from "./native";
import type { PortRuntime } from "./runtime";

/** Bring-up waits this long for carrier on a real interface (autonegotiation takes seconds). */
export const LINUX_LINK_WAIT_US = 5_000_000;

const SYS_NET = "/sys/class/net";

function ifaceOf(board: Board, i: number): string {
  const d = board.ports[i].device;
  if (d.kind !== "linux") throw new Error(`port ${i} is not a linux port`);
  return d.interface;
}

export const opener: PortOpener = {
  preflight(board, i) {
    const ifname = ifaceOf(board, i);
    if (!fs.existsSync(`${SYS_NET}/${ifname}`)) {
      return [{ path: `/ports/${i}/linux/interface`, message: `${ifname}: no such interface (port ${board.ports[i].name}; \`ip link show\` lists them)` }];
    }
    return [];
  },

  open(rt: NativeRuntime, i: number): PortRuntime {
    const ifname = ifaceOf(rt.board, i);
    const port = rt.board.ports[i];
    const info = rt.addon.linuxOpen(i, ifname, port.macBytes);
    const own = formatMac(info.mac);
    return {
      kind: "linux",
      describe: `linux ${ifname} (soft e1000 over AF_PACKET${info.promisc ? `; promiscuous: the interface's MAC is ${own}, the port's ${port.mac}` : ""})`,
      // The soft e1000 was created at open: its registers hold their reset values.
      regtestSkip: null,
      loopback: "the kernel's transmit tap (each frame the interface sends comes back to the soft e1000's RX ring)",
      linkWaitUs: LINUX_LINK_WAIT_US,
    };
  },

  beforeTraffic(rt: NativeRuntime, i: number): void {
    rt.addon.linuxTap(i, true);
  },

  settle(rt: NativeRuntime, i: number, frames: number, timeoutUs: number): void {
    const end = rt.addon.nowNs() + timeoutUs * 1000;
    let got = 0;
    while (got < frames) {
      const left = Math.max(0, Math.floor((end - rt.addon.nowNs()) / 1000));
      got += rt.addon.linuxPump(i, left);
      if (left === 0) break;
    }
  },
};
