// Fuzz every decoder with random and mutated frames: it never traps, never writes outside
// its output reprs, returns a negative status for what the independent reference reader
// rejects, and accepts what it accepts.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Core } from "../host/core/core";
import { WireCodec } from "../host/wire/codec";
import { Rng } from "../host/util/rng";
import { refArp, refEth, refIpv4, refUdp4, refIpv6, refNa } from "../host/campaign/ref-wire";
import * as MAP from "../assembly/shared/memmap";
import { E_RANGE } from "../assembly/shared/status";

const core = Core.load();
const codec = new WireCodec(core);
const rng = new Rng(99);
const IN = Core.frame(8);
const R0 = Core.slot(20);
const R1 = Core.slot(21);
const R2 = Core.slot(22);
const FRAMES_PER_DECODER = 100_000;

/** Valid seeds the mutator starts from, so mutations reach deep validation paths. */
function seeds(): Uint8Array[] {
  const mac = Uint8Array.from([2, 0, 0, 1, 2, 3]);
  const out: Uint8Array[] = [];
  for (const vlan of [undefined, 7]) {
    out.push(codec.announce("garp", mac, Uint8Array.from([192, 0, 2, 1]), vlan));
    out.push(codec.unsolicitedNa(mac, Uint8Array.from([0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 9]), { vlanTci: vlan }));
    out.push(codec.encodeUdp4(
      { dst: mac, src: mac, ethertype: 0x0800, tci: vlan },
      { src: Uint8Array.from([192, 0, 2, 1]), dst: Uint8Array.from([192, 0, 2, 2]), protocol: 17, ttl: 64, tos: 0, ident: 1, frag: 0, payloadLen: 0 },
      { srcPort: 1, dstPort: 2 }, rng.bytes(30)));
  }
  return out;
}

function mutate(seed: Uint8Array): Uint8Array {
  let f = Uint8Array.from(seed);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    switch (rng.int(5)) {
      case 0: f[rng.int(f.length)] ^= 1 << rng.int(8); break; // bit flip
      case 1: f[rng.int(f.length)] = rng.int(256); break; // byte set
      case 2: f = f.slice(0, rng.int(f.length + 1)); break; // truncate
      case 3: f = Uint8Array.from([...f, ...rng.bytes(rng.int(20))]); break; // extend
      case 4: { // interesting values in length/type fields
        const at = rng.int(Math.max(1, f.length - 1));
        const v = rng.pick([0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x8100, 0x0806, 0x86dd, 0x0800]);
        f[at] = v >> 8; if (at + 1 < f.length) f[at + 1] = v & 0xff; break;
      }
    }
    if (f.length === 0) break;
  }
  return f;
}

type Decoder = { name: string; call: (len: number) => number; ref: (f: Uint8Array) => unknown };
const DECODERS: Decoder[] = [
  { name: "eth_parse", call: (len) => core.exports.eth_parse(IN, len, R0), ref: refEth },
  { name: "arp_parse", call: (len) => core.exports.arp_parse(IN, len, R0, R1), ref: refArp },
  { name: "ipv4_parse", call: (len) => core.exports.ipv4_parse(IN, len, R0), ref: refIpv4 },
  { name: "udp4_parse", call: (len) => core.exports.udp4_parse(IN, len, R0, R1, R2), ref: refUdp4 },
  { name: "ipv6_parse", call: (len) => core.exports.ipv6_parse(IN, len, R0), ref: refIpv6 },
  { name: "na_parse", call: (len) => core.exports.na_parse(IN, len, R0, R1, R2), ref: refNa },
];

/** Digest of host-visible memory outside the input frame and the three output slots. */
function digestOutside(): number[] {
  const spans = [[MAP.HOST_BASE, R0], [R2 + MAP.ABI_SLOT_SIZE, IN], [IN + MAP.FRAME_SLOT_SIZE, MAP.MEM_END]];
  return spans.map(([a, b]) => core.call("region_digest", a, b - a));
}

const seedFrames = seeds();
for (const d of DECODERS) {
  test(`${d.name}: ${FRAMES_PER_DECODER.toLocaleString()} random and mutated frames, no trap, agrees with the reference`, () => {
    const before = digestOutside();
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < FRAMES_PER_DECODER; i++) {
      let f = i % 4 === 0 ? rng.bytes(rng.int(140)) : mutate(rng.pick(seedFrames));
      // IPv4/IPv6 header decoders see the frame past its Ethernet header
      if (d.name === "ipv4_parse" || d.name === "ipv6_parse") f = f.subarray(rng.bool(0.8) ? 14 : 0);
      core.bytes.set(f, IN);
      let rc: number;
      try {
        rc = d.call(f.length);
      } catch (e) {
        assert.unreachable(`trap on input ${Buffer.from(f).toString("hex")}: ${(e as Error).message}`);
        return;
      }
      const ok = d.ref(f) !== null;
      if (ok !== rc >= 0) assert.unreachable(`core ${rc}, reference ${ok ? "accepts" : "rejects"}: ${Buffer.from(f).toString("hex")}`);
      if (rc >= 0) accepted++;
      else rejected++;
    }
    assert.equal(digestOutside(), before, "memory outside the outputs changed");
    assert.ok(accepted > 1000 && rejected > 1000, `accepted ${accepted}, rejected ${rejected}: the fuzz must reach both outcomes`);
  });
}

test("pointer arguments outside host memory return E_RANGE, never trap (10,000 random calls)", () => {
  const names = ["eth_parse", "arp_parse", "udp4_parse", "na_parse", "arp_announce", "na_unsolicited", "sha256", "inet_checksum", "region_digest", "mem_fill"];
  for (let i = 0; i < 10000; i++) {
    const fn = rng.pick(names);
    const args = Array.from({ length: 7 }, () => rng.pick([0, -1, 0x7fffffff, MAP.MEM_END - 1, MAP.MEM_END, MAP.STATE_BASE, rng.u32() | 0, 100]));
    let rc: number;
    try {
      rc = core.exports[fn](...args);
    } catch (e) {
      assert.unreachable(`${fn}(${args}) trapped: ${(e as Error).message}`);
      return;
    }
    assert.ok(Number.isInteger(rc));
  }
  assert.is(core.exports.eth_parse(MAP.MEM_END - 4, 14, R0), E_RANGE);
  assert.is(core.exports.eth_parse(IN, 14, MAP.STATE_BASE), E_RANGE);
  assert.is(core.exports.mem_fill(MAP.STATIC_BASE, 16, 0), E_RANGE);
});

test.run();
