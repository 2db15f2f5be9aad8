// The fault entry in the core, wall clock under V8: from the exception handler's call
// (fault_fire: the gasp's changing fields, its HMAC, every frame) through the register-
// operation rounds up to the host performing the first doorbell (TDT) write — and on to the
// last port's doorbell and the end of the entry. ≥ 10^5 runs per case; median and p99.
//
// The NIC behind the register operations is a stub that answers at once (link up, queue
// enables read back, the head reaches the tail as soon as it is written), and delays are
// not waited for: what is measured is the core's work and the host's part of the protocol,
// i.e. what a board's CPU spends. The waits the protocol asks for on real hardware are
// listed beside (simulated time on the virtual board, docs/chassis.md).
//
// Cases: linecard-a's e1000 (queue 0 reset to the fault ring) and linecard-b's i210-like NIC
// (its own fault queue), two ports each: the backplane (raw) and the front (raw + UDP),
// 3 copies — the chassis's configuration.

import { Core } from "../host/core/core";
import { GaspSender } from "../host/gasp/gasp";
import { parseIPv4, parseMac } from "../host/util/addr";
import * as E from "../assembly/shared/e1000";
import * as RO from "../assembly/shared/regop";
import { REGOP_BASE } from "../assembly/shared/memmap";
import { RING_FAULT, FAULT_QUEUE_NONE } from "../assembly/shared/rings";
import { FAULT_ARMF_LINK_FIRST } from "../assembly/shared/fault";
import { GASP_CAUSE_TRAP } from "../assembly/shared/gasp";

const RUNS = Number(process.env.FAULT_BENCH_RUNS ?? 100_000);
const WARMUP = 5_000;

/** A register file that answers as a NIC with nothing else to do would. */
class StubNic {
  private regs = new Map<number, number>();
  read32(o: number): number {
    if (o === E.REG_STATUS) return E.STATUS_LU;
    const q = this.queueOf(o, E.TXQ_OFF_TDH);
    if (q >= 0) return this.regs.get(E.txQueueBase(q) + E.TXQ_OFF_TDT) ?? 0; // transmitted at once
    return this.regs.get(o) ?? 0;
  }
  write32(o: number, v: number): void {
    if (o === E.REG_CTRL && (v & E.CTRL_RST) !== 0) {
      this.regs.clear();
      return;
    }
    this.regs.set(o, v >>> 0);
  }
  private queueOf(o: number, off: number): number {
    for (let q = 0; q < 4; q++) if (o === E.txQueueBase(q) + off) return q;
    return -1;
  }
}

interface Case {
  name: string;
  txQueues: number;
  faultQueue: number;
}

const CASES: Case[] = [
  { name: "e1000 (linecard-a): queue 0 reset to the fault ring", txQueues: 1, faultQueue: FAULT_QUEUE_NONE },
  { name: "i210-like (linecard-b): its own fault queue", txQueues: 4, faultQueue: 1 },
];

const pct = (xs: Float64Array, p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];

function bench(c: Case): void {
  const core = Core.load();
  const x = core.exports;
  const view = core.view;
  const s = new GaspSender(core);
  s.setKey(0, new TextEncoder().encode("lastgasp chassis-1 key (demo)"), 1);
  const ports = [
    { ownMac: parseMac("02:00:00:0a:00:01"), peerMac: parseMac("02:00:00:0b:00:01"), encaps: ["raw" as const] },
    { ownMac: parseMac("02:00:00:0a:00:02"), peerMac: parseMac("02:00:00:0b:00:02"), ownIp: parseIPv4("192.0.2.2"), peerIp: parseIPv4("192.0.2.3"), encaps: ["raw" as const, "udp" as const] },
  ];
  const configure = () => {
    for (let p = 0; p < 2; p++) {
      x.nic_port_config(p, 0, 2, c.txQueues, c.faultQueue);
      x.nic_ring_config(p, RING_FAULT, 16);
    }
  };
  configure();
  s.arm({ chassis: 0x4c470001, unit: 1, role: 1, priority: 200, keySlot: 0, boot: 1, copies: 3, ports });
  if (x.fault_arm(FAULT_ARMF_LINK_FIRST) !== 2) throw new Error("fault_arm");
  const nics = [new StubNic(), new StubNic()];
  const tdt = new Set([0, 1, 2, 3].map((q) => E.txQueueBase(q) + E.TXQ_OFF_TDT));
  const toFirst = new Float64Array(RUNS);
  const toAll = new Float64Array(RUNS);
  const toEnd = new Float64Array(RUNS);
  let rounds = 0;
  let opsTotal = 0;
  for (let i = -WARMUP; i < RUNS; i++) {
    configure(); // every run takes the same path: no ring of the fault core is live yet
    let first = 0n;
    let last = 0n;
    let bells = 0;
    let ops = 0;
    const t0 = process.hrtime.bigint();
    let rc = x.fault_fire(GASP_CAUSE_TRAP, 6, 0, 0x1000, 0, i & 0x7fffffff, 0, 0);
    if (rc < 0) throw new Error(`fault_fire ${rc}`);
    while ((rc = x.fault_step()) === RO.STEP_IO) {
      const n = view.getUint32(REGOP_BASE + RO.REGOP_OFF_COUNT, true);
      ops += n;
      for (let k = 0; k < n; k++) {
        const e = REGOP_BASE + RO.REGOP_OFF_ENTRIES + k * RO.REGOP_ENTRY_SIZE;
        const kind = view.getUint8(e + RO.REGOP_E_KIND);
        if (kind === RO.REGOP_DELAY_US) continue; // hardware waits: counted in simulated time, not here
        const nic = nics[view.getUint8(e + RO.REGOP_E_PORT)];
        const off = view.getUint32(e + RO.REGOP_E_OFFSET, true);
        if (kind === RO.REGOP_READ) view.setUint32(e + RO.REGOP_E_VALUE, nic.read32(off) >>> 0, true);
        else {
          nic.write32(off, view.getUint32(e + RO.REGOP_E_VALUE, true));
          if (tdt.has(off)) {
            const t = process.hrtime.bigint();
            if (bells === 0) first = t;
            last = t;
            bells++;
          }
        }
      }
    }
    const tEnd = process.hrtime.bigint();
    if (rc !== RO.STEP_DONE || bells < 2) throw new Error(`fault entry ended ${rc} with ${bells} doorbells`);
    if (i >= 0) {
      toFirst[i] = Number(first - t0) / 1000;
      toAll[i] = Number(last - t0) / 1000;
      toEnd[i] = Number(tEnd - t0) / 1000;
      rounds += x.fault_info(4);
      opsTotal += ops;
    }
  }
  for (const a of [toFirst, toAll, toEnd]) a.sort();
  const line = (label: string, a: Float64Array) => console.log(`    ${label.padEnd(42)} median ${pct(a, 0.5).toFixed(2).padStart(6)} µs   p99 ${pct(a, 0.99).toFixed(2).padStart(6)} µs`);
  console.log(`  ${c.name}  (${RUNS} runs, ${(rounds / RUNS).toFixed(0)} rounds, ${(opsTotal / RUNS).toFixed(0)} list entries (reads, writes, delays) per entry)`);
  line("fault_fire → first doorbell written", toFirst);
  line("fault_fire → last port's doorbell", toAll);
  line("fault_fire → entry done (confirmed by TDH)", toEnd);
}

console.log("the fault entry, wall clock under V8 (gasp + HMAC + descriptors + register protocol):");
for (const c of CASES) bench(c);
