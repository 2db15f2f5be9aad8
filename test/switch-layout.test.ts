// The SWITCH region's sub-layout (assembly/shared/memmap.ts) is consistent with the record
// sizes of shared/switch.ts and documented in docs/switching-path.md.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import * as MAP from "../assembly/shared/memmap";
import * as S from "../assembly/shared/switch";
import { switchRegions } from "../host/switch/layout";

test("sub-regions are ordered, non-overlapping, inside SWITCH and aligned", () => {
  let end = MAP.SWITCH_BASE;
  for (const r of switchRegions()) {
    assert.ok(r.base >= end, `${r.name} overlaps the previous sub-region`);
    assert.is(r.base % 0x100, 0, `${r.name} alignment`);
    end = r.base + r.size;
  }
  assert.ok(end <= MAP.SWITCH_BASE + MAP.SWITCH_SIZE, "inside SWITCH");
  assert.is(MAP.SW_PORTS_BASE, MAP.SWITCH_BASE);
  assert.is(MAP.SW_CONN_BASE + MAP.SW_CONN_SIZE, MAP.SWITCH_BASE + MAP.SWITCH_SIZE, "the connection table ends the region");
  assert.is(S.LB_MAX_SLOTS, (MAP.SW_LB_TABLE_SIZE - S.LB_SLOTS) / S.LB_SLOT_BYTES);
  assert.ok(S.LB_SLOTS >= S.SW_MAX_SERVICES * S.LB_HDR_ENTRY, "LB header fits before the slots");
  assert.ok(S.LB_MAX_SLOTS >= 2 * 65537, "two Maglev tables of the paper's size fit");
  assert.is(S.PUNT_MAX_FRAME, S.PUNT_SLOT_SIZE - S.RS_FRAME);
  assert.is(S.PUNT_SLOTS & (S.PUNT_SLOTS - 1), 0, "ring slots: a power of two");
  assert.ok(S.C_COUNT <= 64, "counters fit their 256 bytes of state");
});

test("docs/switching-path.md lists every sub-region with its base and size", () => {
  const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "switching-path.md"), "utf8");
  const hex = (n: number) => "0x" + n.toString(16).padStart(8, "0");
  for (const r of switchRegions()) {
    const row = new RegExp(`\\|\\s*\`?${r.name}\`?\\s*\\|\\s*\`?${hex(r.base)}\`?\\s*\\|\\s*\`?${hex(r.size)}\`?\\s*\\|`, "i");
    assert.ok(row.test(doc), `docs/switching-path.md has no row "| ${r.name} | ${hex(r.base)} | ${hex(r.size)} |"`);
  }
});

test.run();
