// The core's contract (DEVELOPERS.md): zero imports, every export returns one i32, no i64 or
// float in any exported signature, no start function, a fixed memory that cannot grow.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { inspectWasm } from "../host/util/wasm-inspect";
import { Core, BUILD_DIR } from "../host/core/core";
import * as MAP from "../assembly/shared/memmap";
import { OK } from "../assembly/shared/status";

for (const file of ["core.wasm", "core.debug.wasm"]) {
  const bin = fs.readFileSync(path.join(BUILD_DIR, file));
  const info = inspectWasm(bin);

  test(`${file}: no imports`, () => {
    assert.equal(info.imports, [], `imports: ${info.imports.map((i) => `${i.module}.${i.name}`).join(", ")}`);
    // Cross-check the parser against V8's own reflection.
    assert.equal(WebAssembly.Module.imports(new WebAssembly.Module(bin)), []);
  });

  test(`${file}: every exported function returns exactly one i32 and takes only i32`, () => {
    const funcs = info.exports.filter((e) => e.kind === "func");
    assert.ok(funcs.length > 20, `only ${funcs.length} function exports found`);
    const bad = funcs.filter((e) => !e.type || e.type.results.length !== 1 || e.type.results[0] !== "i32" || e.type.params.some((p) => p !== "i32"));
    assert.equal(bad.map((e) => `${e.name}(${e.type?.params}) -> (${e.type?.results})`), []);
    const v8Names = WebAssembly.Module.exports(new WebAssembly.Module(bin)).filter((e) => e.kind === "function").map((e) => e.name);
    assert.equal(funcs.map((e) => e.name).sort(), v8Names.sort());
  });

  test(`${file}: only functions and the memory are exported`, () => {
    const other = info.exports.filter((e) => e.kind !== "func");
    assert.equal(other.map((e) => `${e.kind}:${e.name}`), ["memory:memory"]);
  });

  test(`${file}: no start function`, () => {
    assert.is(info.hasStart, false);
  });

  test(`${file}: memory is fixed at MEM_PAGES (initial = maximum)`, () => {
    assert.equal(info.memories, [{ min: MAP.MEM_PAGES, max: MAP.MEM_PAGES }]);
  });
}

test("init() accepts the build's layout; static data fits its region", () => {
  const core = Core.load();
  assert.is(core.exports.init(), OK);
  const end = core.exports.static_end();
  assert.ok(end > 0 && end <= MAP.STATIC_BASE + MAP.STATIC_SIZE, `static data ends at ${end}`);
});

test("memory.grow is refused: the maximum is the initial size", () => {
  const core = Core.load();
  assert.throws(() => core.exports.memory.grow(1));
  assert.is(core.bytes.length, MAP.MEM_END);
});

test.run();
