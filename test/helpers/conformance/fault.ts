// Conformance scripts "fault-*": the fault entry round by round — key, gasp templates, port
// and ring configuration, the plan, fault_fire, then every fault_step with the register values
// a NIC answered (a register stub driven once in V8: healthy ports, a port whose TX engine
// never moves) — and the digests of the register lists, the fault rings and the GASP region.

import type { Call } from "../engines";
import { Core } from "../../../host/core/core";
import { writeConfig } from "../../../host/gasp/repr";
import { parseIPv4, parseMac } from "../../../host/util/addr";
import * as E from "../../../assembly/shared/e1000";
import * as RO from "../../../assembly/shared/regop";
import * as F from "../../../assembly/shared/fault";
import { GASP_BASE, GASP_SIZE, REGOP_BASE } from "../../../assembly/shared/memmap";
import { RING_FAULT, portDmaBase, PORT_DMA_FAULT_DESC, PORT_DMA_FAULT_BUFS } from "../../../assembly/shared/rings";
import { GASP_CFG_SIZE } from "../../../assembly/shared/gasp";
import { KEY, KEY_ID, CHASSIS } from "../../../host/campaign/gasp-fixture";
import type { ConformanceSource } from "./index";

const CFG = Core.slot(60);
const KEYBUF = Core.frame(20);
const EXCERPT = Core.frame(21);

/** A NIC that answers at once; `hung` freezes every TX queue's head. */
function stubNic(hung: boolean) {
  const regs = new Map<number, number>();
  const tdhOf = (o: number) => [0, 1, 2, 3].find((q) => o === E.txQueueBase(q) + E.TXQ_OFF_TDH);
  return {
    read(o: number): number {
      if (o === E.REG_STATUS) return E.STATUS_LU;
      if (o === E.REG_MDIC) return ((regs.get(o) ?? 0) | E.MDIC_READY) >>> 0; // a PHY access completes at once
      const q = tdhOf(o);
      if (q !== undefined) return hung ? 0 : regs.get(E.txQueueBase(q) + E.TXQ_OFF_TDT) ?? 0;
      return regs.get(o) ?? 0;
    },
    write(o: number, v: number): void {
      if (o === E.REG_CTRL && (v & E.CTRL_RST) !== 0) regs.clear();
      else regs.set(o, v >>> 0);
    },
  };
}

function setup(txQueues: number, faultQueue: number, beforeArm: Call[]): Call[] {
  const s: Call[] = [["abi_version"], ["init"]];
  KEY.forEach((b, i) => s.push(["mem_store8", KEYBUF + i, b]));
  s.push(["hmac_set_key", 0, KEYBUF, KEY.length, KEY_ID]);
  const cfg = new Uint8Array(GASP_CFG_SIZE);
  writeConfig(cfg, 0, {
    chassis: CHASSIS, unit: 1, role: 1, priority: 200, keySlot: 0, boot: 4, copies: 3,
    ports: [
      { ownMac: parseMac("02:00:00:0a:00:01"), peerMac: parseMac("02:00:00:0b:00:01"), encaps: ["raw"] },
      { ownMac: parseMac("02:00:00:0a:00:02"), peerMac: parseMac("02:00:00:0b:00:02"), ownIp: parseIPv4("192.0.2.2"), peerIp: parseIPv4("192.0.2.3"), encaps: ["raw", "udp"] },
    ],
  });
  cfg.forEach((b, i) => s.push(["mem_store8", CFG + i, b]));
  s.push(["gasp_arm", CFG]);
  for (let p = 0; p < 2; p++) s.push(["nic_port_config", p, 0, 2, txQueues, faultQueue], ["nic_ring_config", p, RING_FAULT, 16]);
  s.push(...beforeArm, ["fault_arm", F.FAULT_ARMF_LINK_FIRST]);
  const excerpt = new TextEncoder().encode("trap: unreachable");
  excerpt.forEach((b, i) => s.push(["mem_store8", EXCERPT + i, b]));
  s.push(["fault_fire", 1, 6, 0, 0x1000, 0, 5_000_000, EXCERPT, excerpt.length]);
  return s;
}

/** Drives the entry in V8 against the stub NICs; returns the rounds as replayable calls (beforeArm: calls before fault_arm, e.g. dialects). */
export function recordFault(txQueues: number, faultQueue: number, hungPort: number | null, beforeArm: Call[] = []): Call[] {
  const script = setup(txQueues, faultQueue, beforeArm);
  const core = Core.load();
  for (const [fn, ...args] of script) core.exports[fn](...args);
  const nics = [stubNic(hungPort === 0), stubNic(hungPort === 1)];
  const v = core.view;
  for (let round = 0; round < 5000; round++) {
    script.push(["fault_step"]);
    const rc = core.exports.fault_step();
    script.push(["region_digest", REGOP_BASE, 16 + 16 * 64]);
    if (rc !== RO.STEP_IO) break;
    const n = v.getUint32(REGOP_BASE + RO.REGOP_OFF_COUNT, true);
    for (let k = 0; k < n; k++) {
      const e = REGOP_BASE + RO.REGOP_OFF_ENTRIES + k * RO.REGOP_ENTRY_SIZE;
      const kind = v.getUint8(e + RO.REGOP_E_KIND);
      const nic = nics[v.getUint8(e + RO.REGOP_E_PORT)];
      const off = v.getUint32(e + RO.REGOP_E_OFFSET, true);
      if (kind === RO.REGOP_WRITE) nic.write(off, v.getUint32(e + RO.REGOP_E_VALUE, true));
      if (kind === RO.REGOP_READ) {
        const val = nic.read(off) >>> 0;
        v.setUint32(e + RO.REGOP_E_VALUE, val, true);
        script.push(["mem_store32", e + RO.REGOP_E_VALUE, val | 0]);
      }
    }
  }
  for (let f = 0; f < F.FINFO_FIELDS; f++) script.push(["fault_info", f]);
  for (let p = 0; p < 2; p++) {
    for (let f = 0; f < F.FPI_FIELDS; f++) script.push(["fault_port_info", p, f]);
    script.push(["region_digest", portDmaBase(p) + PORT_DMA_FAULT_DESC, 16 * 16], ["region_digest", portDmaBase(p) + PORT_DMA_FAULT_BUFS, 16 * 2048]);
  }
  script.push(["region_digest", GASP_BASE, GASP_SIZE]);
  return script;
}

export const FAULT_CASES: [string, string, number, number, number | null][] = [
  ["fault-e1000", "the fault entry on an e1000 (queue 0 reset), both ports healthy", 1, -1, null],
  ["fault-i210", "the fault entry on an i210-like NIC (own queue), both ports healthy", 4, 1, null],
  ["fault-e1000-hung", "the fault entry on an e1000, port 0's TX engine hung (escalated)", 1, -1, 0],
  ["fault-i210-hung", "the fault entry on an i210-like NIC, port 1's TX engine hung (escalated)", 4, 1, 1],
];

export const faultEntry: ConformanceSource[] = FAULT_CASES.map(([name, description, txq, fq, hung]) => ({ name, description, build: () => recordFault(txq, fq, hung) }));
