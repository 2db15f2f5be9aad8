// selftest() passes, its vectors are the generator's output, and it really detects damage.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as path from "path";
import { Core } from "../host/core/core";
import { STATIC_BASE, STATIC_SIZE } from "../assembly/shared/memmap";

test("selftest() returns 0", () => {
  assert.is(Core.load().exports.selftest(), 0);
});

test("assembly/selftest/vectors.ts is exactly what its generator produces", () => {
  execFileSync(process.execPath, [path.join(__dirname, "..", "scripts", "gen-selftest-vectors.js"), "--check"]);
});

/** Finds bytes in the core's static data region and flips one bit of them. */
function corruptStatic(core: Core, needle: Uint8Array): void {
  const hay = Buffer.from(core.bytes.buffer, STATIC_BASE, STATIC_SIZE);
  const at = hay.indexOf(Buffer.from(needle));
  assert.ok(at >= 0, "vector not found in static data");
  core.bytes[STATIC_BASE + at + needle.length - 1] ^= 0x01;
}

test("a damaged SHA-256 vector fails as vector 1", () => {
  const core = Core.load();
  corruptStatic(core, crypto.createHash("sha256").update("abc").digest());
  assert.is(core.exports.selftest(), 1);
});

test("a damaged RFC 4231 case 2 MAC fails as vector 6", () => {
  const core = Core.load();
  corruptStatic(core, crypto.createHmac("sha256", "Jefe").update("what do ya want for nothing?").digest());
  assert.is(core.exports.selftest(), 6);
});

test("a damaged GARP known answer fails as vector 16", () => {
  const core = Core.load();
  // the expected frame's first bytes: broadcast dst, then the source MAC 02:00:00:aa:bb:cc, ARP
  corruptStatic(core, Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc, 0x08, 0x06]));
  assert.is(core.exports.selftest(), 16);
});

test.run();
