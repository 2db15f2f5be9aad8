// What JSON Schema cannot say about a board: addresses that parse and are documentation
// addresses (RFC 5737, RFC 2544, RFC 3849), names that refer to something, MACs and DMA
// windows that do not collide. Each problem names its JSON Pointer.

import { RawFlash, toLayout, layoutProblems } from "../flash/layout";
import { parseIPv4, parseIPv6, AddrError } from "../util/addr";
import { DMA_SIZE } from "../../assembly/shared/memmap";
import type { BoardProblem } from "./board";

/** Documentation and benchmarking ranges: the only addresses lastgasp ships or tests with. */
const DOC_V4: [number[], number][] = [
  [[192, 0, 2, 0], 24], // RFC 5737 TEST-NET-1
  [[198, 51, 100, 0], 24], // RFC 5737 TEST-NET-2
  [[203, 0, 113, 0], 24], // RFC 5737 TEST-NET-3
  [[198, 18, 0, 0], 15], // RFC 2544 benchmarking
];
const DOC_V4_TEXT = "192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15";

function inPrefix(addr: Uint8Array, net: number[], len: number): boolean {
  for (let bit = 0; bit < len; bit++) {
    const i = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if ((addr[i] & m) !== (net[i] & m)) return false;
  }
  return true;
}

/** Checks "a.b.c.d" or "a.b.c.d/len"; returns a problem message or undefined. */
export function checkIPv4(text: string, prefix: boolean): string | undefined {
  const [a, len, ...rest] = text.split("/");
  if (rest.length || (prefix && len === undefined)) return `"${text}" is not an IPv4 ${prefix ? "prefix" : "address"}`;
  let b: Uint8Array;
  try {
    b = parseIPv4(a);
  } catch (e) {
    return (e as AddrError).message;
  }
  if (prefix && !(Number(len) >= 1 && Number(len) <= 32)) return `prefix length /${len} is not in 1..32`;
  if (!DOC_V4.some(([net, l]) => inPrefix(b, net, l))) return `${a} is not a documentation address (${DOC_V4_TEXT})`;
  return undefined;
}

/** Checks an IPv6 address or prefix; must be inside 2001:db8::/32 (RFC 3849). */
export function checkIPv6(text: string, prefix: boolean): string | undefined {
  const [a, len, ...rest] = text.split("/");
  if (rest.length || (prefix && len === undefined)) return `"${text}" is not an IPv6 ${prefix ? "prefix" : "address"}`;
  let b: Uint8Array;
  try {
    b = parseIPv6(a);
  } catch (e) {
    return (e as AddrError).message;
  }
  if (prefix && !(Number(len) >= 1 && Number(len) <= 128)) return `prefix length /${len} is not in 1..128`;
  if (!inPrefix(b, [0x20, 0x01, 0x0d, 0xb8], 32)) return `${a} is not a documentation address (2001:db8::/32)`;
  return undefined;
}

/** Parses a schema-valid hex physical address. */
export function physOf(text: string): number {
  return parseInt(text.slice(2), 16);
}

interface RawBoard {
  nic: { model: string; txQueues?: number; faultQueue?: number | null };
  dma: { os: string; fault: string };
  ports: { name: string; mac: string; ipv4?: string[]; ipv6?: string[] }[];
  vips?: { port: string; ipv4?: string; ipv6?: string }[];
  flash?: RawFlash;
  sim?: { faults?: { frozenTdh?: { queue?: number }; lostDoorbells?: { queue?: number }; deferTx?: { queue?: number } } };
}

/** Problems in a schema-valid board (empty when none). */
export function semanticProblems(raw: RawBoard): BoardProblem[] {
  const out: BoardProblem[] = [];
  const names = new Map<string, number>();
  const macs = new Map<string, number>();
  raw.ports.forEach((p, i) => {
    if (names.has(p.name)) out.push({ path: `/ports/${i}/name`, message: `"${p.name}" is also the name of /ports/${names.get(p.name)}` });
    names.set(p.name, i);
    if (macs.has(p.mac)) out.push({ path: `/ports/${i}/mac`, message: `${p.mac} is also the MAC of /ports/${macs.get(p.mac)}` });
    macs.set(p.mac, i);
    (p.ipv4 ?? []).forEach((a, j) => {
      const m = checkIPv4(a, true);
      if (m) out.push({ path: `/ports/${i}/ipv4/${j}`, message: m });
    });
    (p.ipv6 ?? []).forEach((a, j) => {
      const m = checkIPv6(a, true);
      if (m) out.push({ path: `/ports/${i}/ipv6/${j}`, message: m });
    });
  });
  (raw.vips ?? []).forEach((v, i) => {
    if (!names.has(v.port)) out.push({ path: `/vips/${i}/port`, message: `"${v.port}" is not a port of this board (${[...names.keys()].join(", ")})` });
    if (v.ipv4 !== undefined) {
      const m = checkIPv4(v.ipv4, false);
      if (m) out.push({ path: `/vips/${i}/ipv4`, message: m });
    }
    if (v.ipv6 !== undefined) {
      const m = checkIPv6(v.ipv6, false);
      if (m) out.push({ path: `/vips/${i}/ipv6`, message: m });
    }
  });
  const queues = raw.nic.txQueues ?? (raw.nic.model === "i210" ? 4 : 1);
  const fq = raw.nic.faultQueue;
  if (fq !== undefined && fq !== null && fq >= queues) out.push({ path: "/nic/faultQueue", message: `queue ${fq} does not exist: the NIC has ${queues} TX queues (0..${queues - 1})` });
  const os = physOf(raw.dma.os);
  const fault = physOf(raw.dma.fault);
  if (os < fault + DMA_SIZE && fault < os + DMA_SIZE) out.push({ path: "/dma/fault", message: `the fault core's window overlaps the OS core's (each is 0x${DMA_SIZE.toString(16)} bytes)` });
  const faults = raw.sim?.faults ?? {};
  for (const k of ["frozenTdh", "lostDoorbells", "deferTx"] as const) {
    const q = faults[k]?.queue;
    if (q !== undefined && q >= queues) out.push({ path: `/sim/faults/${k}/queue`, message: `queue ${q} does not exist: the NIC has ${queues} TX queues` });
  }
  if (raw.flash) out.push(...layoutProblems(toLayout(raw.flash))); // the flash layout (docs/flashing.md)
  return out;
}
