// The simulated OS fails for real — traps, panics, hangs — and cannot touch the fault core.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { GuestOs, GuestPanic, OsFaultKind } from "../host/sim/guest-os";
import { DMA_BASE, MEM_END } from "../assembly/shared/memmap";

const TRAPS: [OsFaultKind, RegExp][] = [
  ["unreachable", /unreachable/],
  ["oob", /out of bounds/],
  ["div0", /divide by zero/],
];

for (const [kind, message] of TRAPS) {
  test(`${kind}: a real WebAssembly trap reaches the caller`, () => {
    const os = new GuestOs(Core.load());
    assert.ok(os.tick());
    let caught: unknown;
    try {
      os.fault(kind);
    } catch (e) {
      caught = e;
    }
    assert.instance(caught, WebAssembly.RuntimeError);
    assert.match((caught as Error).message, message);
  });
}

test("panic: the OS's panic hook surfaces as an uncaught exception", () => {
  const os = new GuestOs(Core.load());
  assert.throws(() => os.fault("panic", 42), (e: unknown) => e instanceof GuestPanic && e.code === 42);
});

test("hang: ticks keep returning but the watchdog is no longer kicked", () => {
  const os = new GuestOs(Core.load());
  for (let i = 0; i < 5; i++) assert.ok(os.tick());
  const kicks = os.kicks;
  assert.is(kicks, 5);
  os.fault("hang");
  for (let i = 0; i < 5; i++) assert.is(os.tick(), false);
  assert.is(os.kicks, kicks);
});

test("wild writes corrupt the OS's own driver memory, never a separate fault core", () => {
  const driver = Core.load();
  const faultCore = Core.load();
  const range = [DMA_BASE, 4096];
  const before = driver.call("region_digest", range[0], range[1]);
  const faultBefore = faultCore.call("region_digest", DMA_BASE, MEM_END - DMA_BASE);
  const os = new GuestOs(driver);
  assert.throws(() => os.fault("wild-writes", range[0], range[1]), (e: unknown) => e instanceof WebAssembly.RuntimeError);
  assert.not.equal(driver.call("region_digest", range[0], range[1]), before, "the driver's ring memory was scribbled on");
  assert.is(faultCore.call("region_digest", DMA_BASE, MEM_END - DMA_BASE), faultBefore, "the fault core's memory is untouched");
  assert.is(faultCore.exports.selftest(), 0);
});

test.run();
