// A board as the host uses it after loading and validating its JSON file (load.ts): typed,
// with defaults applied and addresses parsed. The file format is boards/schema.json,
// explained in docs/boards.md.

import { Problem, problemLine } from "../util/problems";
import type { FlashLayout } from "../flash/layout";

export type NicModelName = "e1000" | "i210";

export interface BoardLink {
  /** "<board id>/<port name>" at the other end of the cable. */
  partner: string;
  latencyNs?: number;
  bitsPerSecond?: number;
}

/** What a port is (docs/real-hardware.md). */
export type PortKind = "sim" | "pci" | "linux";

/** The port's hardware as the board file names it; kind "sim" when the file says nothing. */
export type PortDevice =
  | { kind: "sim" }
  /** A real NIC: BAR0 through VFIO or sysfs resource0; the core's memory DMA-able in place. */
  | { kind: "pci"; address: string; access: "vfio" | "sysfs"; dma: "iommu" | "devmem"; loopback: boolean }
  /** A Linux interface through AF_PACKET, behind the native addon's soft e1000. */
  | { kind: "linux"; interface: string };

export interface BoardPort {
  name: string;
  device: PortDevice;
  mac: string;
  macBytes: Uint8Array;
  role?: "backplane" | "front" | "uplink" | "host";
  link: BoardLink;
  ipv4: string[];
  ipv6: string[];
}

export interface BoardVip {
  port: string;
  ipv4?: string;
  ipv6?: string;
}

export interface FrozenTdh {
  queue?: number;
  survivesReset?: boolean;
}

export interface BoardSim {
  seed?: number;
  /** Microseconds after power-on at which the link comes up, or "never". */
  linkUpAfterUs?: number | "never";
  linkWaitUs?: number;
  wire?: { loss?: number; duplicate?: number };
  faults?: {
    frozenTdh?: FrozenTdh;
    lostDoorbells?: { queue?: number; count?: number; probability?: number };
    deferTx?: { queue?: number; ns: number; mode?: "writeback" | "engine" };
    queueEnableLatencyNs?: number;
    linkDownTx?: "stall" | "drop";
  };
}

export interface Board {
  /** The file it came from, as given. */
  file: string;
  id: string;
  description?: string;
  chassis: string;
  role: "linecard" | "host";
  unit: number;
  peer?: string;
  nic: { model: NicModelName; txQueues: number; faultQueue: number | null };
  /** Physical addresses where the NIC sees each core's DMA region. */
  dma: { os: number; fault: number };
  rings: { tx: number; rx: number; fault: number };
  ports: BoardPort[];
  vips: BoardVip[];
  /** Key ids (32 hex digits) whose signed images this card accepts (docs/image-format.md). */
  trustedKeys: string[];
  /** The peers' own frames armed beside the gasp (docs/dialects.md). */
  dialects: BoardDialects;
  /** Alternate-path failover between two front ports (docs/failover.md), when the board has it. */
  pathFailover?: { primary: string; secondary: string; delayMs: number };
  /** The card's flash layout (docs/flashing.md), when the board has one. */
  flash?: FlashLayout;
  sim: BoardSim;
  /** The switching service's configuration file, an absolute path (boards/switching.schema.json). */
  switching?: string;
}

export interface BoardVrrp {
  port: string;
  version?: 2 | 3;
  vrid: number;
  vips: string[];
  advertInt?: number;
  password?: string;
  source?: string;
  syncGroup?: string;
  copies?: number;
}

export interface BoardBfdSession {
  port: string;
  peer: string;
  local?: string;
  peerMac: string;
  srcPort?: number;
  detectMult?: number;
  intervalMs?: number;
  diag?: number;
  myDisc?: number;
  yourDisc?: number;
  multihop?: boolean;
}

export interface BoardDialects {
  vrrp?: BoardVrrp[];
  bfd?: { learn?: "frr" | "static"; sessions: BoardBfdSession[] };
  oam?: { port: string }[];
  carrierDrop?: { ports: string[]; drainUs?: number };
}

/** One problem with a board file: where (a JSON Pointer into the file, line, column) and what. */
export type BoardProblem = Problem;

/** A board file that cannot be used: unreadable/malformed ("load") or invalid ("schema"). */
export class BoardError extends Error {
  constructor(
    readonly file: string,
    readonly step: "load" | "schema",
    readonly problems: BoardProblem[],
  ) {
    super(problems.map((p) => problemLine({ file, ...p })).join("\n"));
  }

  /** The first problem, as one line. */
  get first(): string {
    return problemLine({ file: this.file, ...this.problems[0] });
  }
}
