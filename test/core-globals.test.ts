// No state in wasm globals (docs/core-abi.md "Globals"): a native translation of the module
// (wasm2c) may take over the core's linear memory at crash time, and globals would not come
// with it. So every mutable global of the release core must be per-call scratch: written
// before it is read within the export call that uses it.
//
// 1. The list: the release core's mutable globals, named from the build's text format, are
//    exactly the documented per-call scratch below (a new one fails until it is explained).
// 2. The proof: a copy of the module that exports every mutable global runs a workload that
//    crosses them all (the packet engine: parse, connection table, fragments, punts and
//    injections, RSTs; NIC operations; the fault entry), with every mutable global set to a
//    random value before every export call. Every call's result and every instance's whole
//    memory must equal those of the unmodified module run without interference.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createHash } from "crypto";
import { Core, CORE_WASM, BUILD_DIR } from "../host/core/core";
import { Rng } from "../host/util/rng";
import { engineRig } from "./helpers/engine-rig";
import { PORT_CLIENTS, PORT_BACKENDS, MAC_PORT0, MAC_PORT1, MAC_ROUTER, VIP4, VIP6, CP4, BE_PORT, SVC_TCP_NAT, clientIp4, clientIp6, backendIp4, backendMac } from "../host/campaign/switch-fixture";
import { frame, fragment4, TCP } from "../host/campaign/frames";
import { SimBoard, SimPortSpec } from "../host/board/sim";
import { GaspSender } from "../host/gasp/gasp";
import { FaultEntry } from "../host/fault/fault";
import { CHASSIS, KEY, KEY_ID } from "../host/campaign/gasp-fixture";
import { parseIPv4, parseMac } from "../host/util/addr";
import { FAULT_ARMF_LINK_FIRST } from "../assembly/shared/fault";
import { GASP_CAUSE_TRAP } from "../assembly/shared/gasp";

/** Every mutable global the release core may have, and why it carries nothing between calls. */
const SCRATCH: Record<string, string> = {};
const parsed = "switch/parse.ts parse() sets it for the frame being switched; switchPacket reads it in the same call";
for (const g of ["pL3", "pEtherType", "pFamily", "pProto", "pL4", "pEnd", "pIpHeaderLen", "pSport", "pDport", "pTcpFlags", "pTcpHeaderLen", "pIcmpType", "pFrag", "pFragId", "pSrc", "pDst"]) {
  SCRATCH[`assembly/switch/parse/${g}`] = parsed;
}
for (const g of ["kBucket1", "kBucket2", "kSig"]) SCRATCH[`assembly/switch/conntable/${g}`] = "connKey() derives it from the key being looked up, right before the lookup or insert that reads it";
for (const g of ["fSport", "fDport"]) SCRATCH[`assembly/switch/frag/${g}`] = "fragFind() sets it when it returns true; the caller reads it right after";
for (const g of ["iKind", "iPort"]) SCRATCH[`assembly/switch/punt/${g}`] = "injectTake() sets it for the frame it took; injectNext reads it right after";

// ---- the module's globals --------------------------------------------------------------------

function leb(buf: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = buf[i++];
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [v, i];
  }
}

function ulebBytes(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

interface Section { id: number; start: number; end: number }

function sections(wasm: Uint8Array): Section[] {
  const out: Section[] = [];
  let i = 8;
  while (i < wasm.length) {
    const id = wasm[i];
    const [size, p] = leb(wasm, i + 1);
    out.push({ id, start: p, end: p + size });
    i = p + size;
  }
  return out;
}

/** Mutability of every global, in index order (the core imports nothing). */
function globalMutability(wasm: Uint8Array): boolean[] {
  const sec = sections(wasm).find((s) => s.id === 6);
  if (!sec) return [];
  let [n, i] = leb(wasm, sec.start);
  const out: boolean[] = [];
  while (n-- > 0) {
    i++; // value type
    out.push(wasm[i++] === 1);
    const op = wasm[i++]; // a constant expression: one instruction, then end
    if (op === 0x41 || op === 0x42 || op === 0x23) i = leb(wasm, i)[1];
    else if (op === 0x43) i += 4;
    else if (op === 0x44) i += 8;
    else throw new Error(`global init opcode 0x${op.toString(16)}`);
    if (wasm[i++] !== 0x0b) throw new Error("global init not ended");
  }
  return out;
}

/** The same module with every mutable global exported as g<index>. */
function exportGlobals(wasm: Uint8Array, mutable: number[]): Uint8Array {
  const sec = sections(wasm).find((s) => s.id === 7)!;
  const [n, body] = leb(wasm, sec.start);
  const extra: number[] = [];
  for (const g of mutable) {
    const name = Buffer.from(`g${g}`);
    extra.push(...ulebBytes(name.length), ...name, 0x03, ...ulebBytes(g));
  }
  const content = [...ulebBytes(n + mutable.length), ...wasm.subarray(body, sec.end), ...extra];
  const headerStart = sec.start - ulebBytes(sec.end - sec.start).length - 1;
  return Uint8Array.from([...wasm.subarray(0, headerStart), 7, ...ulebBytes(content.length), ...content, ...wasm.subarray(sec.end)]);
}

const wasm = new Uint8Array(fs.readFileSync(CORE_WASM));
const mutability = globalMutability(wasm);
const names = [...fs.readFileSync(path.join(BUILD_DIR, "core.wat"), "utf8").matchAll(/^\s*\(global \$(\S+) (\(mut )?[if](?:32|64)/gm)].map((m) => ({ name: m[1], mutable: !!m[2] }));
const mutableIdx = mutability.flatMap((m, i) => (m ? [i] : []));

test("the release core's mutable globals are exactly the documented per-call scratch", () => {
  assert.is(names.length, mutability.length, "build/core.wat and build/core.wasm list the same globals (same build)");
  names.forEach((g, i) => assert.is(g.mutable, mutability[i], `${g.name}: mutability as in the binary`));
  const found = mutableIdx.map((i) => names[i].name).sort();
  const undocumented = found.filter((n) => !(n in SCRATCH));
  assert.equal(undocumented, [], "mutable globals nobody has shown to be per-call scratch");
  assert.ok(found.every((n) => !/\/(nic|fault|engine|gasp|crypto)\//.test(n)), "no global at all in the NIC, fault, engine, gasp or crypto code");
});

// ---- the proof: scrambled before every call, nothing changes ---------------------------------

type Transcript = string[];

/** Runs the workload with Core.load replaced; returns every call and each core's memory. */
function run(file: string, scramble: boolean): { calls: Transcript; memories: string[] } {
  const calls: Transcript = [];
  const cores: Core[] = [];
  const rng = new Rng(0x910ba1);
  const realLoad = Core.load;
  (Core as unknown as { load: (f?: string) => Core }).load = () => {
    const core = realLoad.call(Core, file);
    const raw = core.exports as unknown as Record<string, unknown>;
    const globals = scramble ? mutableIdx.map((i) => raw[`g${i}`] as WebAssembly.Global) : [];
    const wrapped: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== "function") {
        wrapped[k] = v;
        continue;
      }
      const fn = v as (...a: number[]) => number;
      wrapped[k] = (...args: number[]) => {
        for (const g of globals) g.value = rng.u32() | 0;
        const r = fn(...args);
        calls.push(`${cores.indexOf(core)}:${k}(${args.join(",")})=${r}`);
        return r;
      };
    }
    (core as unknown as { exports: unknown }).exports = wrapped;
    cores.push(core);
    return core;
  };
  try {
    workload();
  } finally {
    (Core as unknown as { load: typeof realLoad }).load = realLoad;
  }
  return { calls, memories: cores.map((c) => createHash("sha256").update(c.bytes).digest("hex")) };
}

function workload(): void {
  // The packet engine on a two-port line card.
  const r = engineRig();
  const toVip = (c: number, o: { dport?: number; flags?: number; payload?: Uint8Array } = {}) =>
    frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(c), dst: VIP4, proto: "tcp", sport: 40000 + c, dport: o.dport ?? 80, flags: o.flags ?? TCP.SYN, payload: o.payload });
  const big = toVip(7, { flags: TCP.ACK, payload: new Uint8Array(600).map((_, i) => i) });
  // One frame per round, so what one frame leaves in a global meets the next frame only
  // across an export call, where the scrambling happens.
  const frames = [
    toVip(1), toVip(2), toVip(1, { flags: TCP.ACK }), toVip(3, { dport: 81 }), ...fragment4(big, 256),
    frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(4), dst: VIP4, proto: "udp", sport: 5353, dport: 53, payload: new Uint8Array(20) }),
    frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, family: 6, src: clientIp6(5), dst: VIP6, proto: "tcp", sport: 41000, dport: 80, flags: TCP.SYN }),
    frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(6), dst: CP4, proto: "icmp", payload: new Uint8Array(16).fill(7) }),
    frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(6), dst: VIP4, proto: 47, payload: new Uint8Array(8) }),
  ];
  frames.forEach((f, i) => {
    r.receive(PORT_CLIENTS, [f]);
    r.engine.poll(0, 1000 + i);
  });
  r.engine.poll(0, 1100); // the punted echo's reply from the DOWN ring
  const be = r.sw.connectionBackend(SVC_TCP_NAT, clientIp4(1), 40001) ?? 0;
  r.receive(PORT_BACKENDS, [
    frame({ dstMac: MAC_PORT1, srcMac: backendMac(be), src: backendIp4(be), dst: clientIp4(1), proto: "tcp", sport: BE_PORT, dport: 40001, flags: TCP.SYN | TCP.ACK }),
  ]);
  r.engine.poll(0, 1101);
  r.rings.must("nic_tx_reclaim_head", 0);
  r.rings.run("nic_tx_confirm", 1);

  // The fault entry on a board of each model, and a fault send after a reclaim-able ring.
  for (const model of ["e1000", "i210"] as const) {
    const spec = (i: number): SimPortSpec => ({
      name: `p${i}`, mac: parseMac(`02:00:00:0a:00:0${i + 1}`), model, txQueues: model === "i210" ? 4 : 1, faultQueue: model === "i210" ? 1 : undefined,
      rings: { tx: 32, rx: 32, fault: 16 },
    });
    const b = new SimBoard({ osDmaPhys: 0x1_0000_0000, faultDmaPhys: 0x2_0000_0000, ports: [spec(0), spec(1)] });
    const sender = new GaspSender(b.fault);
    sender.setKey(0, KEY, KEY_ID);
    sender.arm({
      chassis: CHASSIS, unit: 1, role: 1, priority: 200, keySlot: 0, boot: 3, copies: 2,
      ports: [
        { ownMac: parseMac("02:00:00:0a:00:01"), peerMac: parseMac("02:00:00:0b:00:01"), encaps: ["raw"] },
        { ownMac: parseMac("02:00:00:0a:00:02"), peerMac: parseMac("02:00:00:0b:00:02"), ownIp: parseIPv4("192.0.2.2"), peerIp: parseIPv4("192.0.2.3"), encaps: ["raw", "udp"] },
      ],
    });
    const fault = new FaultEntry(b.fault);
    fault.arm(FAULT_ARMF_LINK_FIRST);
    b.nics[1].setLink(false);
    fault.fire({ cause: GASP_CAUSE_TRAP, vector: 6, pc: 0x1234n, uptimeUs: 5n, excerpt: "trap" }, b.nics, b.delay);
    b.osRings.run("nic_takeover", 0);
  }
}

test("every mutable global set to garbage before every call: the same results and the same memory", () => {
  const tmp = path.join(os.tmpdir(), `lastgasp-globals-${process.pid}.wasm`);
  fs.writeFileSync(tmp, exportGlobals(wasm, mutableIdx));
  try {
    const clean = run(CORE_WASM, false);
    const scrambled = run(tmp, true);
    assert.ok(clean.calls.length > 150, `the workload made ${clean.calls.length} calls`);
    assert.ok(clean.calls.some((c) => c.includes("eng_poll")) && clean.calls.some((c) => c.includes("fault_step")));
    assert.equal(scrambled.calls, clean.calls, "every call returned the same");
    assert.equal(scrambled.memories, clean.memories, "every instance's memory ended the same");
  } finally {
    fs.rmSync(tmp, { force: true });
  }
});

test.run();
