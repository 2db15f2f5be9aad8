// The memory map is declared once (assembly/shared/memmap.ts); this checks it is consistent
// and that docs/memory-map.md says the same thing.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import * as MAP from "../assembly/shared/memmap";
import { memoryRegions } from "../host/core/layout";

test("regions are ordered, non-overlapping, aligned and inside memory", () => {
  const regions = memoryRegions();
  let end = 0;
  for (const r of regions) {
    assert.ok(r.base >= end, `${r.name} at 0x${r.base.toString(16)} overlaps the previous region`);
    assert.is(r.base % 0x1000, 0, `${r.name} is not 4 KiB aligned`);
    end = r.base + r.size;
  }
  assert.ok(end <= MAP.MEM_END);
  assert.is(MAP.MEM_PAGES * MAP.PAGE_SIZE, MAP.MEM_END);
  assert.is(MAP.ABI_SLOT_COUNT * MAP.ABI_SLOT_SIZE, MAP.ABI_SIZE);
  assert.is(MAP.FRAME_SLOT_COUNT * MAP.FRAME_SLOT_SIZE, MAP.FRAME_SIZE);
  assert.ok(MAP.HOST_BASE === MAP.STATE_BASE + MAP.STATE_SIZE, "host-visible memory starts right after core state");
});

test("docs/memory-map.md lists every region with the declared base and size", () => {
  const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "memory-map.md"), "utf8");
  for (const r of memoryRegions()) {
    const hex = (n: number) => "0x" + n.toString(16).padStart(8, "0");
    const row = new RegExp(`\\|\\s*\`?${r.name}\`?\\s*\\|\\s*\`?${hex(r.base)}\`?\\s*\\|\\s*\`?${hex(r.size)}\`?\\s*\\|`, "i");
    assert.ok(row.test(doc), `docs/memory-map.md has no row "| ${r.name} | ${hex(r.base)} | ${hex(r.size)} |"`);
  }
});

test.run();
