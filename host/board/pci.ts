// pci ports (docs/real-hardware.md): a real Intel NIC by PCI address. The addon (pci.c) maps
// its BAR0 — through VFIO (the device bound to vfio-pci) or sysfs resource0 (no driver) —
// into the port table every register-operation list and the crash path go through, and
// makes each core's linear memory DMA-able where it is: mapped through the IOMMU at a fixed
// IOVA (dma iommu), or placed over reserved RAM from /dev/mem (dma devmem). The NIC then
// reads and writes the very rings the core keeps, as on the virtual board.
//
//   bus address of a core's DMA region (dma.os, dma.fault)  =  base + DMA_BASE
//   base = the IOVA (iommu) or physical address (devmem) of the core's linear offset 0

import * as E from "../../assembly/shared/e1000";
import * as RINGS from "../../assembly/shared/rings";
import { DMA_BASE } from "../../assembly/shared/memmap";
import { probePciPort, probeReservedRam, probeIova, PciProbeError, REAL_SYS, type SysPaths } from "./pci-probe";
import type { Board, PortDevice } from "./board";
import type { PortOpener, NativeRuntime } from "./native";
import type { PortRuntime } from "./runtime";
import type { Problem } from "../util/problems";

/** The pci functions pci.c adds to the board addon. */
export interface PciAddon {
  /** Maps the device's BAR0 into port's table entry; reset: a function reset was done at open. */
  pciOpen(port: number, address: string, access: "vfio" | "sysfs"): { barLength: number; reset: boolean };
  /** Makes a core's memory DMA-able: linear offset 0 at `base` (IOVA or physical); returns milliseconds. */
  pciPlace(memory: ArrayBuffer, placement: "iommu" | "devmem", base: number): number;
  pciClose(port: number): void;
}

/** Bring-up waits this long for STATUS.LU on a real NIC (autonegotiation takes seconds). */
export const PCI_LINK_WAIT_US = 5_000_000;

type PciDevice = Extract<PortDevice, { kind: "pci" }>;

function deviceOf(board: Board, i: number): PciDevice {
  const d = board.ports[i].device;
  if (d.kind !== "pci") throw new Error(`port ${i} is not a pci port`);
  return d;
}

function pciAddon(rt: { addon: unknown }): PciAddon {
  const a = rt.addon as Partial<PciAddon>;
  if (typeof a.pciOpen !== "function") throw new Error("this build of the board addon has no pci support (host/native/pci.c)");
  return a as PciAddon;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** The first pci port of the board: board-wide checks (DMA placement) are reported there. */
function firstPci(board: Board): number {
  return board.ports.findIndex((p) => p.device.kind === "pci");
}

/**
 * Port i's problems (and, on the first pci port, the board's DMA placement's), each at the
 * field it is about: the device at /ports/N/pci/address, its model at /nic/model, a
 * placement at /dma/os or /dma/fault. Touches nothing.
 */
export function pciPreflight(board: Board, i: number, sys: SysPaths = REAL_SYS): Problem[] {
  const d = deviceOf(board, i);
  const name = board.ports[i].name;
  const out: Problem[] = [];
  let group: string | null = null;
  try {
    group = probePciPort({ address: d.address, access: d.access, dma: d.dma }, board.nic.model, sys).iommuGroup;
  } catch (e) {
    if (!(e instanceof PciProbeError)) throw e;
    const path = e.cause === "model" ? "/nic/model" : `/ports/${i}/pci/address`;
    out.push({ path, message: `${d.address} (port ${name}): ${e.message}` });
    return out; // the placement's checks need a usable device
  }
  if (i !== firstPci(board)) return out;
  const which = ["os", "fault"] as const;
  try {
    if (d.dma === "devmem") probeReservedRam(which.map((w) => board.dma[w]), sys);
  } catch (e) {
    if (!(e instanceof PciProbeError)) throw e;
    const bad = which.filter((w) => e.subject.includes(`0x${(board.dma[w] - DMA_BASE).toString(16)}..`));
    out.push({ path: bad.length === 1 ? `/dma/${bad[0]}` : "/dma", message: e.message });
  }
  for (const w of which) {
    try {
      if (d.dma === "iommu" && group !== null) probeIova(group, board.dma[w], sys);
    } catch (e) {
      if (!(e instanceof PciProbeError)) throw e;
      out.push({ path: `/dma/${w}`, message: `${e.subject}: ${e.message} (the ${w} core's memory)` });
    }
  }
  return out;
}

/**
 * Whether the register self-test means anything on this device now: its reset values are
 * only there right after a reset. A function reset at open (VFIO_DEVICE_RESET, the sysfs
 * reset file) gives one; without it, ring lengths still 0 and both engines off say no driver
 * has set the device up since its last reset. QEMU's e1000 has no function reset, and its
 * CTRL.RST resets nothing, so only the first user after power-on gets the test there.
 */
function regtestSkip(read32: (off: number) => number, reset: boolean): string | null {
  if (reset) return null;
  const tdlen = read32(E.REG_TDLEN) >>> 0;
  const rdlen = read32(E.REG_RDLEN) >>> 0;
  const tctl = read32(E.REG_TCTL) >>> 0;
  const rctl = read32(E.REG_RCTL) >>> 0;
  if (tdlen === 0 && rdlen === 0 && !(tctl & E.TCTL_EN) && !(rctl & E.RCTL_EN)) return null;
  return `not run: the device is not fresh from a reset (TDLEN ${hex(tdlen)}, RDLEN ${hex(rdlen)}, TCTL ${hex(tctl)}, RCTL ${hex(rctl)}: a driver has used it since) and it offers no function reset, so the test would read the last user's values`;
}

export const opener: PortOpener = {
  preflight(board, i) {
    return pciPreflight(board, i);
  },

  open(rt: NativeRuntime, i: number): PortRuntime {
    const d = deviceOf(rt.board, i);
    const { reset } = pciAddon(rt).pciOpen(i, d.address, d.access);
    const read32 = (off: number) => rt.addon.read32(i, off);
    const loopback = d.loopback;
    return {
      kind: "pci",
      describe: `pci ${d.address} (${d.access}, dma ${d.dma})`,
      regtestSkip: regtestSkip(read32, reset),
      loopback: loopback ? "the port's cable (pci.loopback: a loopback plug, or a partner that returns every frame)" : null,
      loopbackSkip: loopback ? undefined : "no loopback on the port's cable (set pci.loopback when a loopback plug is fitted)",
      linkWaitUs: PCI_LINK_WAIT_US,
    };
  },

  placeDma(rt: NativeRuntime, core, bus) {
    const d = deviceOf(rt.board, firstPci(rt.board));
    pciAddon(rt).pciPlace(core.exports.memory.buffer, d.dma, bus - DMA_BASE);
  },

  /**
   * Waits until `frames` frames have arrived in port i's RX ring (the OS core's, the one
   * bring-up harvests): the NIC's head has moved that far past the next descriptor the core
   * will harvest. QEMU's e1000 holds frames back for about a second after every RCTL write.
   */
  settle(rt: NativeRuntime, i: number, frames: number, timeoutUs: number): void {
    const x = rt.os.exports;
    const size = x.nic_ring_info(i, RINGS.RING_RX, RINGS.RINGINFO_SIZE);
    const end = rt.addon.nowNs() + timeoutUs * 1000;
    for (;;) {
      const clean = x.nic_ring_info(i, RINGS.RING_RX, RINGS.RINGINFO_CLEAN);
      const head = rt.addon.read32(i, E.REG_RDH) >>> 0;
      const arrived = size > 0 ? (head - clean + size) % size : 0;
      if (arrived >= frames || rt.addon.nowNs() >= end) return;
      rt.addon.delayUs(200);
    }
  },

  close(rt: NativeRuntime, i: number) {
    pciAddon(rt).pciClose(i);
  },
};
