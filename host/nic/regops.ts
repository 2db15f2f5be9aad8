// The host's half of the register-operation protocol (assembly/shared/regop.ts): perform the
// operations the core listed, in order, on the board's NICs. This is the TypeScript
// performer (the virtual board's); pci and linux boards perform a whole list in one native
// call (host/native/regops.c, the same protocol in C).

import * as RO from "../../assembly/shared/regop";
import { REGOP_BASE } from "../../assembly/shared/memmap";
import type { NicDevice, DelayFn, RegopPerformer } from "./device";

/** Performs the pending register operations; returns how many there were. */
export function performRegops(view: DataView, nics: NicDevice[], delay: DelayFn): number {
  const count = view.getUint32(REGOP_BASE + RO.REGOP_OFF_COUNT, true);
  if (count > RO.REGOP_MAX) throw new Error(`core listed ${count} register operations (max ${RO.REGOP_MAX})`);
  for (let i = 0; i < count; i++) {
    const e = REGOP_BASE + RO.REGOP_OFF_ENTRIES + i * RO.REGOP_ENTRY_SIZE;
    const kind = view.getUint8(e + RO.REGOP_E_KIND);
    const nic = nics[view.getUint8(e + RO.REGOP_E_PORT)];
    const offset = view.getUint32(e + RO.REGOP_E_OFFSET, true);
    const value = view.getUint32(e + RO.REGOP_E_VALUE, true);
    if (kind === RO.REGOP_DELAY_US) delay(value);
    else if (!nic) throw new Error(`register operation ${i} names port ${view.getUint8(e + RO.REGOP_E_PORT)}, the board has ${nics.length}`);
    else if (kind === RO.REGOP_WRITE) nic.write32(offset, value);
    else if (kind === RO.REGOP_READ) view.setUint32(e + RO.REGOP_E_VALUE, nic.read32(offset) >>> 0, true);
    else throw new Error(`register operation ${i} has unknown kind ${kind}`);
  }
  return count;
}

/** The TypeScript performer over a board's NICs: one read32/write32 call per register. */
export function tsPerformer(nics: NicDevice[], delay: DelayFn): RegopPerformer {
  return (view) => performRegops(view, nics, delay);
}

/**
 * Drives a core step function to completion: call, perform its register operations while
 * it answers STEP_IO, return its final status. maxRounds bounds a core bug, not the NIC.
 */
export function runSteps(step: () => number, view: DataView, perform: RegopPerformer, maxRounds = 10_000): number {
  for (let round = 0; round < maxRounds; round++) {
    const rc = step();
    if (rc !== RO.STEP_IO) return rc;
    perform(view);
  }
  throw new Error(`core step did not finish in ${maxRounds} rounds`);
}
