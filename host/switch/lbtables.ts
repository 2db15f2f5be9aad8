// The control processor's side of the A/B flip (docs/switching-path.md "A/B flip"):
// write every service's table into the INACTIVE load-distribution table, then make it
// active with one sw_lb_flip call, which validates it first. The switching path only ever
// reads the active table, so it never sees a half-written one.

import { Core } from "../core/core";
import * as MAP from "../../assembly/shared/memmap";
import * as S from "../../assembly/shared/switch";

export class LbTables {
  constructor(readonly core: Core) {}

  /** LB_TABLE_A (0) or LB_TABLE_B (1). */
  active(): number {
    return this.core.call("sw_lb_active");
  }

  generation(): number {
    return this.core.call("sw_lb_generation");
  }

  static base(table: number): number {
    return table === S.LB_TABLE_B ? MAP.SW_LB_B_BASE : MAP.SW_LB_A_BASE;
  }

  /**
   * Writes the tables (service index -> back-end indices per slot) into the inactive table
   * and flips to it. Services not listed get no back end. Returns the table now active.
   */
  publish(tables: Map<number, ArrayLike<number>>): number {
    if (this.core.call("sw_lb_quiescent") !== 1) throw new Error("a batch may still read the inactive table: retry after it latches the flip");
    const target = 1 - this.active();
    const base = LbTables.base(target);
    const v = this.core.view;
    this.core.bytes.fill(0, base, base + S.LB_SLOTS);
    let offset = 0;
    for (const [svc, slots] of [...tables].sort((a, b) => a[0] - b[0])) {
      if (svc < 0 || svc >= S.SW_MAX_SERVICES) throw new RangeError(`service ${svc}`);
      if (offset + slots.length > S.LB_MAX_SLOTS) throw new RangeError(`tables need more than ${S.LB_MAX_SLOTS} slots`);
      v.setUint32(base + svc * S.LB_HDR_ENTRY + S.LB_HDR_OFFSET, offset, true);
      v.setUint32(base + svc * S.LB_HDR_ENTRY + S.LB_HDR_SIZE, slots.length, true);
      const at = base + S.LB_SLOTS + offset * S.LB_SLOT_BYTES;
      for (let i = 0; i < slots.length; i++) v.setUint16(at + i * 2, slots[i], true);
      offset += slots.length;
    }
    this.core.call("sw_lb_flip", target);
    return target;
  }

  /** The active table's slots for a service (a copy). */
  read(svc: number): Uint16Array {
    const base = LbTables.base(this.active());
    const off = this.core.view.getUint32(base + svc * S.LB_HDR_ENTRY + S.LB_HDR_OFFSET, true);
    const size = this.core.view.getUint32(base + svc * S.LB_HDR_ENTRY + S.LB_HDR_SIZE, true);
    const out = new Uint16Array(size);
    for (let i = 0; i < size; i++) out[i] = this.core.view.getUint16(base + S.LB_SLOTS + (off + i) * 2, true);
    return out;
  }
}
