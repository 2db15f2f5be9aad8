// The memory map is declared once (assembly/shared/memmap.ts); this checks it is consistent
// and that docs/memory-map.md says the same thing.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import * as MAP from "../assembly/shared/memmap";
import { memoryRegions } from "../host/core/layout";
import * as ST from "../assembly/state";

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

test("core-private state: subsystem blocks never overlap and stay inside STATE", () => {
  const blocks: [string, number, number][] = [
    ["diagnostics", ST.STATE_ABORT_LINE, 0x100],
    ["SHA-256 contexts and scratch", ST.STATE_SHA_CTX_A, ST.STATE_SHA_SCRATCH + 64 - ST.STATE_SHA_CTX_A],
    ["SHA-256 message schedule", ST.STATE_SHA_SCHEDULE, 256],
    ["SHA-512 message schedule", ST.STATE_SHA512_SCHEDULE, 640],
    ["HMAC key slots (8 + self-test)", ST.STATE_HMAC_SLOTS, 9 * 128],
    ["self-test scratch", ST.STATE_SELFTEST, 0x1000],
    ["wire scratch reprs", ST.STATE_WIRE_ETH, 0x100],
    ["NIC", ST.STATE_NIC_BASE, ST.STATE_NIC_SIZE],
    ["gasp", ST.STATE_GASP_BASE, ST.STATE_GASP_SIZE],
    ["switching path", ST.STATE_SWITCH_BASE, ST.STATE_SWITCH_SIZE],
    ["fault entry", ST.STATE_FAULT_BASE, ST.STATE_FAULT_SIZE],
    ["NIC slot buffers", ST.STATE_NIC_SLOT_BUFS, ST.STATE_NIC_SLOT_BUFS_SIZE],
    ["signed images", ST.STATE_IMG_BASE, ST.STATE_IMG_SIZE],
    ["flashing and the boot stage", ST.STATE_FLASH_BASE, ST.STATE_FLASH_SIZE],
  ];
  blocks.sort((a, b) => a[1] - b[1]);
  let end = MAP.STATE_BASE;
  for (const [name, base, size] of blocks) {
    assert.ok(base >= end, `${name} at 0x${base.toString(16)} overlaps the block before it (which ends at 0x${end.toString(16)})`);
    end = base + size;
  }
  assert.ok(end <= MAP.STATE_BASE + MAP.STATE_SIZE, "state blocks run past STATE");
  // Every field a subsystem declares lies inside its own block.
  const inside = (prefix: RegExp, base: number, size: number, except: string[] = []) => {
    for (const [name, v] of Object.entries(ST)) {
      if (!prefix.test(name) || except.includes(name) || /_(BASE|SIZE)$/.test(name)) continue;
      assert.ok(v >= base && v < base + size, `${name} = 0x${v.toString(16)} lies outside its block`);
    }
  };
  inside(/^STATE_NIC_/, ST.STATE_NIC_BASE, ST.STATE_NIC_SIZE, ["STATE_NIC_SLOT_BUFS"]);
  inside(/^STATE_GASP_/, ST.STATE_GASP_BASE, ST.STATE_GASP_SIZE);
  inside(/^SW_ST_/, ST.STATE_SWITCH_BASE, ST.STATE_SWITCH_SIZE, ["SW_ST_END"]);
  inside(/^STATE_IMG_/, ST.STATE_IMG_BASE, ST.STATE_IMG_SIZE);
  inside(/^STATE_FLASH_/, ST.STATE_FLASH_BASE, ST.STATE_FLASH_SIZE);
  assert.is(ST.SW_ST_END, ST.STATE_SWITCH_BASE + ST.STATE_SWITCH_SIZE);
});

test.run();
