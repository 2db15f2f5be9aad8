// Register names for messages, from the NIC model's register table (host/nic/e1000-regs.ts,
// data from the datasheets): the same table names a register on every port kind — the
// virtual board's models, the addon's soft e1000 (generated from it) and a real NIC.

import { registerTable, type RegDef, type NicModel } from "../nic/e1000-regs";

/** "TDH (0x3810)"; "register (0x1234)" for an offset the table does not hold. */
export function registerName(regs: readonly RegDef[], offset: number): string {
  const r = regs.find((d) => d.offset === offset || d.aliases?.includes(offset));
  return `${r ? r.name : "register"} (0x${offset.toString(16)})`;
}

const tables = new Map<NicModel, RegDef[]>();

/** The register table of a model (RAL0/RAH0 reset values aside, which follow the MAC). */
export function modelRegisters(model: NicModel): readonly RegDef[] {
  let t = tables.get(model);
  if (!t) tables.set(model, (t = registerTable(model, new Uint8Array(6))));
  return t;
}
