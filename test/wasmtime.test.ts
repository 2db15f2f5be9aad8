// The same core.wasm under a second engine: real wasmtime (Cranelift) through the npm
// binding, in a child process. The binding has no memory access, so inputs go in through
// mem_store8 and outputs come back as region digests; V8 runs the identical call script.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import { Call, poke, runOnBothEngines } from "./helpers/engines";
import * as R from "../assembly/shared/repr";

const rng = new Rng(7);
const S = (i: number) => Core.slot(i);
const OUT = Core.frame(0);
const IN = Core.frame(1);


function buildScript(): Call[] {
  const s: Call[] = [["abi_version"], ["init"], ["selftest"]];
  for (let i = 0; i < 60; i++) {
    const mac = rng.bytes(6);
    const ip4 = rng.bytes(4);
    const ip6 = rng.bytes(16);
    const vlan = rng.bool() ? rng.int(4095) : -1;
    poke(s, S(0), mac);
    poke(s, S(1), ip4);
    poke(s, S(2), ip6);
    s.push(["mem_fill", OUT, 256, 0xaa]);
    const fn = rng.pick(["arp_announce", "arp_announce_reply", "arp_probe"]);
    s.push([fn, S(0), S(1), vlan, OUT, 2048]);
    s.push(["region_digest", OUT, 256]);
    s.push(["na_unsolicited", S(0), S(2), i & 1, vlan, OUT, 2048]);
    s.push(["region_digest", OUT, 256]);
    // decode what was just built, and a damaged copy of it
    s.push(["na_parse", OUT, 86, S(3), S(4), S(5)]);
    s.push(["region_digest", S(5), R.NA_REPR_SIZE]);
    const junk = rng.bytes(rng.int(100));
    poke(s, IN, junk);
    s.push(["arp_parse", IN, junk.length, S(3), S(4)]);
    s.push(["na_parse", IN, junk.length, S(3), S(4), S(5)]);
    s.push(["udp4_parse", IN, junk.length, S(3), S(4), S(5)]);
    poke(s, S(6), rng.bytes(40));
    s.push(["hmac_set_key", i % 8, S(6), 40, i]);
    s.push(["hmac_sha256", i % 8, S(0), 26, S(7)]);
    s.push(["region_digest", S(7), 32]);
    s.push(["inet_checksum", S(0), 26]);
    s.push(["csum_update16", rng.int(65536), rng.int(65536), rng.int(65536)]);
  }
  s.push(["arp_announce", 0, 0, -1, OUT, 64]); // out of range: E_RANGE, not a trap
  s.push(["region_digest", 0x20000, 0x10000]);
  return s;
}

test("wasmtime and V8 give identical results for the same call script (selftest included)", () => {
  const script = buildScript();
  const { wasmtime, v8, diffs } = runOnBothEngines(script, "wasmtime");

  assert.is(wasmtime.length, script.length);
  assert.is(wasmtime[2], 0, "selftest() under wasmtime");
  assert.is(v8[2], 0, "selftest() under V8");
  assert.equal(diffs.slice(0, 5), [], `${diffs.length} calls differ`);
  const digests = script.filter(([fn]) => fn === "region_digest").length;
  assert.ok(digests > 100, `compared ${digests} region digests`);
});

test.run();
