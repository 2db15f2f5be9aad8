// DmaSpace: windows at physical bases, accesses wholly inside one window, faults counted,
// overlaps refused, windows revocable, memory used live (no copy).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { DmaSpace, mapCoreDma, physAddress } from "../host/nic/dma";
import { Core } from "../host/core/core";
import * as MAP from "../assembly/shared/memmap";

test("reads and writes inside a window reach the backing memory live", () => {
  const dma = new DmaSpace();
  const mem = new Uint8Array(4096);
  dma.map(0x1_0000_0000, mem, 1024, 2048, "a");
  assert.ok(dma.write(0x1_0000_0010, Uint8Array.of(1, 2, 3)));
  assert.equal([...mem.subarray(1040, 1043)], [1, 2, 3]);
  mem[1050] = 9;
  assert.equal([...dma.read(0x1_0000_001a, 1)!], [9]);
  assert.is(dma.faults, 0);
});

test("accesses outside every window, or straddling an edge, fail and are counted", () => {
  const dma = new DmaSpace();
  const a = new Uint8Array(256);
  const b = new Uint8Array(256);
  dma.map(0x1000, a, 0, 256, "a");
  dma.map(0x1100, b, 0, 256, "b"); // adjacent, but separate memories: no access may span both
  assert.is(dma.read(0x10ff, 2), null);
  assert.is(dma.read(0x0fff, 1), null);
  assert.is(dma.write(0x1200, Uint8Array.of(1)), false);
  assert.is(dma.read(-1, 1), null);
  assert.is(dma.read(2 ** 60, 4), null);
  assert.is(dma.faults, 5);
  assert.equal(dma.lastFault, { kind: "read", phys: 2 ** 60, len: 4 });
  assert.ok(dma.read(0x10fe, 2));
  assert.ok(dma.read(0x1100, 256));
});

test("overlapping or duplicate windows are refused; unmap revokes", () => {
  const dma = new DmaSpace();
  const m = new Uint8Array(1024);
  dma.map(0x1000, m, 0, 512, "a");
  assert.throws(() => dma.map(0x11ff, m, 512, 512, "b"), /overlaps a/);
  assert.throws(() => dma.map(0x9000, m, 0, 16, "a"), /already mapped/);
  assert.throws(() => dma.map(0x9000, m, 1000, 100, "c"), /outside/);
  assert.ok(dma.unmap("a"));
  assert.is(dma.read(0x1000, 1), null);
  assert.not.ok(dma.unmap("a"));
});

test("two core instances' DMA regions map at two physical bases (the board's layout)", () => {
  const os = Core.load();
  const fault = Core.load();
  const dma = new DmaSpace();
  mapCoreDma(dma, os.bytes, 0x8000_0000, "os");
  mapCoreDma(dma, fault.bytes, 0xc000_0000, "fault");
  assert.ok(dma.write(0xc000_0000 + 16, Uint8Array.of(0xab)));
  assert.is(fault.bytes[MAP.DMA_BASE + 16], 0xab);
  assert.is(os.bytes[MAP.DMA_BASE + 16], 0);
  assert.is(dma.read(0x8000_0000 + MAP.DMA_SIZE, 1), null, "nothing past the OS instance's DMA region");
});

test("physAddress joins descriptor halves", () => {
  assert.is(physAddress(0x89abcdef, 0x1), 0x1_89ab_cdef);
  assert.is(physAddress(-1, 0), 0xffffffff);
});

test.run();
