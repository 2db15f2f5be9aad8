// The script the QEMU rig runs in test/qemu-e1000.test.ts, and what it expects: every command
// the guest harness gets (RigScript), the line numbers whose records the test checks, the
// frames the core must build and put on the wire, and the test's reactions to `mark`s
// (frames from the wire, link loss). The same script runs on our model (rig-model.ts).
//
// Order matters: reset values are read before anything writes a register; the ring sections
// each start from nic_tx_init; the write-semantics probes come last (they leave registers in
// states no driver would).

import * as E from "../../assembly/shared/e1000";
import * as RG from "../../assembly/shared/rings";
import { DMA_BASE, FRAME_SLOT_SIZE, SWITCH_BASE } from "../../assembly/shared/memmap";
import { VLAN_NONE } from "../../assembly/shared/repr";
import { ETHERTYPE_IPV4 } from "../../assembly/shared/wire";
import { Core } from "../../host/core/core";
import { parseIPv4, parseIPv6, parseMac } from "../../host/util/addr";
import { Rng } from "../../host/util/rng";
import { freshCodec } from "./core";
import { GUEST_MEM_PHYS, type RigIo, type RigRecord } from "./qemu";
import { RigScript } from "./rig-script";

export const MAC = "02:00:5e:10:00:01";
const PEER_MAC = "02:00:5e:10:00:02";
const OTHER_MAC = "02:00:5e:10:00:99";
export const mac = parseMac(MAC);
const codec = freshCodec(); // the Node core: what the guest's wasm2c core must build too
const PORT = 0;
export const RING = 8; // TX, RX and fault rings: 8 descriptors, so a few dozen frames wrap them
/** The NIC sees the core's DMA region here: linear offset X is physical GUEST_MEM_PHYS + X. */
const DMA_PHYS = GUEST_MEM_PHYS + DMA_BASE;
export const TX_DESC = RG.portDmaBase(PORT) + RG.ringDescOffset(RG.RING_TX);
const S0 = Core.slot(0);
const S1 = Core.slot(1);
export const phys = (coreAddr: number) => GUEST_MEM_PHYS + coreAddr;

const s = new RigScript();

// ---- frames: built by the guest's core, dumped, and expected to equal the Node core's -------

interface Built {
  name: string;
  slot: number;
  bytes: Uint8Array; // what the Node core builds
  call: number; // script line of the guest's build
  dump: number; // script line of its dump
}

function garp(name: string, slot: number, ip: string): Built {
  s.mwb(S0, mac);
  s.mwb(S1, parseIPv4(ip));
  const bytes = codec.announce("garp", mac, parseIPv4(ip));
  const call = s.call("arp_announce", S0, S1, VLAN_NONE, Core.frame(slot), FRAME_SLOT_SIZE);
  return { name, slot, bytes, call, dump: s.dump(Core.frame(slot), bytes.length) };
}

function na(name: string, slot: number, ip: string): Built {
  s.mwb(S0, mac);
  s.mwb(S1, parseIPv6(ip));
  const bytes = codec.unsolicitedNa(mac, parseIPv6(ip));
  const call = s.call("na_unsolicited", S0, S1, 0, VLAN_NONE, Core.frame(slot), FRAME_SLOT_SIZE);
  return { name, slot, bytes, call, dump: s.dump(Core.frame(slot), bytes.length) };
}

export const built: Built[] = [];
export const frame = (b: Built) => (built.push(b), b);

/** A step operation: begin export, then nic_step until done. Returns both lines. */
function op(fn: string, ...args: number[]): { begin: number; step: number } {
  return { begin: s.call(fn, ...args), step: s.step("nic_step") };
}

/** Writes one legacy TX descriptor behind the core's back (a crashed driver's leftovers). */
function leftoverDesc(at: number, bufPhys: number, len: number, cmd: number, sta = 0): void {
  s.mw32(at, bufPhys >>> 0);
  s.mw32(at + 4, Math.floor(bufPhys / 0x1_0000_0000));
  s.mw32(at + 8, (len & 0xffff) | (cmd << 24));
  s.mw32(at + 12, sta);
}

// ---- the core starts: wasm2c translation, memory on the reserved region ---------------------
export const L_INIT = s.call("init");
export const L_SELFTEST = s.call("selftest");
export const L_STATIC_END = s.call("static_end");
// Every register operation the harness performs for the core is printed (and compared with
// the model's): the values the core read are part of what it observed.
s.trace(true);

// ---- (1) reset values, read before anything writes a register ------------------------------
export const reset = {
  ctrl: s.rd(E.REG_CTRL),
  status: s.rd(E.REG_STATUS),
  ral0: s.rd(E.REG_RAL0),
  rah0: s.rd(E.REG_RAH0),
  ral1: s.rd(E.REG_RAL1),
  rah1: s.rd(E.REG_RAH1),
  icr: s.rd(E.REG_ICR),
  tctl: s.rd(E.REG_TCTL),
  rctl: s.rd(E.REG_RCTL),
  tdh: s.rd(E.REG_TDH),
  tdt: s.rd(E.REG_TDT),
};

// ---- the core's port, and its own register self-test through the register operations -------
export const L_PORT = s.call("nic_port_config", PORT, DMA_PHYS, 0, 1, RG.FAULT_QUEUE_NONE);
export const L_RINGS = [RG.RING_TX, RG.RING_RX, RG.RING_FAULT].map((k) => s.call("nic_ring_config", PORT, k, RING));
s.mwb(S0, mac);
export const L_MAC = s.call("nic_port_mac", PORT, S0);
export const REGTEST = op("nic_regtest", PORT);
export const L_REGTEST_CHECKS = s.call("nic_op_info", RG.OPINFO_CHECKS);

// ---- (2)(3) TX: the core's ring writer, doorbell, DD write-back, TDH -------------------------
const F_GARP = frame(garp("garp", 0, "192.0.2.10"));
const F_NA = frame(na("na", 1, "2001:db8::10"));
export const TX_INIT = op("nic_tx_init", PORT);
export const txAfterInit = { tctl: s.rd(E.REG_TCTL), tdbal: s.rd(E.REG_TDBAL), tdbah: s.rd(E.REG_TDBAH), tdlen: s.rd(E.REG_TDLEN), tdh: s.rd(E.REG_TDH), tdt: s.rd(E.REG_TDT) };
export const L_ENQ = [F_GARP, F_NA].map((f) => s.call("nic_tx_enqueue", PORT, Core.frame(f.slot), f.bytes.length));
export const D_BEFORE = s.dump(TX_DESC, 2 * E.DESC_SIZE);
export const DOORBELL = op("nic_tx_doorbell", PORT);
export const L_TDH_AFTER = s.rd(E.REG_TDH);
export const L_TDT_AFTER = s.rd(E.REG_TDT);
export const D_AFTER = s.dump(TX_DESC, 2 * E.DESC_SIZE);
export const L_RECLAIM = s.call("nic_tx_reclaim", PORT);
export const CONFIRM = op("nic_tx_confirm", PORT);
export const L_CONFIRM_HEAD = s.call("nic_op_info", RG.OPINFO_HEAD);
export const L_GPTC = s.rd(E.REG_GPTC);
export const L_GPTC_AGAIN = s.rd(E.REG_GPTC);

// Ring wrap: 20 more frames through the 8-slot ring in batches, reclaimed by DD each time;
// the first batch also tries one frame too many (one slot always stays empty).
const WRAP_BATCHES = [7, 7, 6];
export const wrap: { frames: Built[]; enq: number[]; full?: number; bell: { begin: number; step: number }; tdh: number; reclaim: number }[] = [];
let wrapSlot = 2;
for (const [b, n] of WRAP_BATCHES.entries()) {
  const frames = Array.from({ length: n }, () => frame(garp(`wrap${wrapSlot - 2}`, wrapSlot, `203.0.113.${wrapSlot++ - 1}`)));
  const enq = frames.map((f) => s.call("nic_tx_enqueue", PORT, Core.frame(f.slot), f.bytes.length));
  const full = b === 0 ? s.call("nic_tx_enqueue", PORT, Core.frame(frames[0].slot), frames[0].bytes.length) : undefined;
  const bell = op("nic_tx_doorbell", PORT);
  wrap.push({ frames, enq, full, bell, tdh: s.rd(E.REG_TDH), reclaim: s.call("nic_tx_reclaim", PORT) });
}

// ---- (4) RX: frames injected from the host land in the core's ring via its reader ----------
const RX_OUT = Core.frame(22);
export const RX_INIT = op("nic_rx_init", PORT);
export const rxAfterInit = { rctl: s.rd(E.REG_RCTL), rdh: s.rd(E.REG_RDH), rdt: s.rd(E.REG_RDT), rdlen: s.rd(E.REG_RDLEN) };

const peer = parseMac(PEER_MAC);
const udpTo = (dst: string, n: number) =>
  codec.encodeUdp4(
    { dst: parseMac(dst), src: peer, ethertype: ETHERTYPE_IPV4 },
    { src: parseIPv4("198.51.100.2"), dst: parseIPv4("192.0.2.10"), protocol: 17, ttl: 64, tos: 0, ident: n, frag: 0, payloadLen: 0 },
    { srcPort: 40000 + n, dstPort: 9 },
    Uint8Array.from({ length: 40 + n }, (_, i) => (i * 7 + n) & 0xff),
  );
// An ARP request as Linux sends it: 42 bytes, no padding (the NIC pads to 60 on receive).
const shortArp = codec.announce("garp", peer, parseIPv4("198.51.100.2")).subarray(0, 42);
const RX_SET1 = [codec.announce("garp", peer, parseIPv4("198.51.100.2")), udpTo(MAC, 1), udpTo(OTHER_MAC, 2), shortArp];
export const RX_SET1_ACCEPTED = [RX_SET1[0], RX_SET1[1], RX_SET1[3]];
// Set 2: 9 frames when 7 descriptors are free (RDT one behind): the ring wraps and overruns.
export const RX_SET2 = Array.from({ length: 9 }, (_, i) => codec.announce("garp", peer, parseIPv4(`198.51.100.${20 + i}`)));
export const RX_FREE = RING - 1;

export function harvest(n: number) {
  return Array.from({ length: n }, () => ({ call: s.call("nic_rx_harvest", PORT, RX_OUT, FRAME_SLOT_SIZE), dump: s.dump(RX_OUT, 128) }));
}
s.mark("rx-set1");
export const L_RX1_WAIT = s.waitrd(E.REG_RDH, 0xffff, RX_SET1_ACCEPTED.length, 20_000);
export const RX1 = harvest(RX_SET1_ACCEPTED.length + 1); // the last finds nothing
export const RX1_BELL = op("nic_rx_doorbell", PORT);
export const L_RX1_RDT = s.rd(E.REG_RDT);
s.mark("rx-set2");
export const L_RX2_WAIT = s.waitrd(E.REG_RDH, 0xffff, (RX_SET1_ACCEPTED.length + RX_FREE) % RING, 20_000);
export const RX2 = harvest(RX_FREE);
export const RX2_BELL = op("nic_rx_doorbell", PORT);
// What became of the 2 frames that found no descriptor: QEMU holds them back, real silicon
// (and our model) drops them and counts a miss.
export const L_RX2_LATE_WAIT = s.waitrd(E.REG_RDH, 0xffff, (RX_SET1_ACCEPTED.length + RX_SET2.length) % RING, 5000);
export const RX2_LATE = harvest(RX_SET2.length - RX_FREE);
export const L_MPC = s.rd(E.REG_MPC);
export const L_GPRC = s.rd(E.REG_GPRC);
export const L_RX_ICR = s.rd(E.REG_ICR); // RX causes so far (and clears them)

// ---- (5) fault-time takeover on rings left in a bad state ---------------------------------
const GARBAGE = Core.frame(27);
s.mwb(GARBAGE, new Uint8Array(60).fill(0xab));
const rng = new Rng(0xe1000);
const FOREIGN = SWITCH_BASE; // another driver's ring: memory the core never gave the NIC

interface Takeover {
  name: string;
  gasp: Built;
  send: { begin: number; step: number };
  path: number;
  queued: number;
  lead: number;
  tdh: number;
  tdt: number;
  before: Built[];
}
function faultSend(name: string, gasp: Built, before: Built[] = []): Takeover {
  const send = op("nic_fault_send", PORT, Core.frame(gasp.slot), gasp.bytes.length, 1);
  return {
    name, gasp, send, before,
    path: s.call("nic_op_info", RG.OPINFO_PATH),
    queued: s.call("nic_op_info", RG.OPINFO_QUEUED),
    lead: s.call("nic_op_info", RG.OPINFO_LEAD),
    tdh: s.rd(E.REG_TDH),
    tdt: s.rd(E.REG_TDT),
  };
}

// A: TX disabled by the dying OS, garbage descriptors between TDH and TDT of the core's own
//    ring (the dead driver rang the doorbell while TX was off): nothing of it may go out.
op("nic_tx_init", PORT);
const A_BEFORE = [frame(garp("a-before0", 23, "198.51.100.10")), frame(garp("a-before1", 24, "198.51.100.11"))];
for (const f of A_BEFORE) s.call("nic_tx_enqueue", PORT, Core.frame(f.slot), f.bytes.length);
op("nic_tx_doorbell", PORT);
s.wr(E.REG_TCTL, 0);
for (let i = 2; i < 5; i++) leftoverDesc(TX_DESC + i * E.DESC_SIZE, phys(GARBAGE), 14 + rng.int(46), E.TXD_CMD_EOP | E.TXD_CMD_IFCS | E.TXD_CMD_RS, rng.int(256));
s.wr(E.REG_TDT, 5);
export const TK_A = faultSend("A: TX off, garbage queued on the core's ring", frame(garp("gasp-a", 25, "198.51.100.1")), A_BEFORE);

// B: TX on, the dead driver queued two fragments without EOP: QEMU gathers them and waits
//    for the rest of the packet. The core's lead copy completes that packet; the gasp after it
//    goes out clean.
op("nic_tx_init", PORT);
leftoverDesc(TX_DESC, phys(GARBAGE), 30, E.TXD_CMD_IFCS | E.TXD_CMD_RS);
leftoverDesc(TX_DESC + E.DESC_SIZE, phys(GARBAGE) + 30, 30, E.TXD_CMD_IFCS | E.TXD_CMD_RS);
s.wr(E.REG_TDT, 2);
export const L_B_TDH = s.rd(E.REG_TDH);
export const TK_B = faultSend("B: half-gathered packet in the NIC", frame(na("gasp-b", 26, "2001:db8::b")));

// C: TX off, queue 0 points at a foreign ring full of garbage (with EOP: fetched, it would
//    go out): the core must reprogram queue 0 before it enables TX.
op("nic_tx_init", PORT);
s.wr(E.REG_TCTL, 0);
s.wr(E.REG_TDBAL, phys(FOREIGN));
s.wr(E.REG_TDBAH, 0);
s.wr(E.REG_TDLEN, 64 * E.DESC_SIZE);
s.wr(E.REG_TDH, 5);
for (let i = 0; i < 64; i++) leftoverDesc(FOREIGN + i * E.DESC_SIZE, phys(GARBAGE), 14 + rng.int(46), E.TXD_CMD_EOP | E.TXD_CMD_IFCS, rng.int(256));
s.wr(E.REG_TDT, 9);
export const TK_C = faultSend("C: TX off, foreign garbage ring", frame(garp("gasp-c", 28, "198.51.100.3")));

// D: TX on, TDH beyond TDLEN (bogus values a crash can leave): QEMU's guard stops the engine.
op("nic_tx_init", PORT);
s.wr(E.REG_TDH, 0x20);
s.wr(E.REG_TDT, 3);
export const L_D_TDH = s.rd(E.REG_TDH);
export const TK_D = faultSend("D: TX on, TDH out of range", frame(garp("gasp-d", 29, "198.51.100.4")));

// ---- (6) link loss: QEMU's monitor takes the link partner away, then gives it back ---------
s.mark("link-down");
export const L_LD_WAIT = s.waitrd(E.REG_STATUS, E.STATUS_LU, 0, 20_000);
export const L_LD_ICR = s.rd(E.REG_ICR);
// The OS path rings a doorbell while the link is down: QEMU consumes the descriptor and its
// net layer drops the frame.
export const F_LD = frame(garp("while-link-down", 30, "198.51.100.5"));
export const L_LD_ENQ = s.call("nic_tx_enqueue", PORT, Core.frame(F_LD.slot), F_LD.bytes.length);
export const LD_BELL = op("nic_tx_doorbell", PORT);
export const L_LD_TDH = s.rd(E.REG_TDH);
export const L_LD_TDT = s.rd(E.REG_TDT);
const F_LINK_GASP = frame(garp("gasp-f", 31, "198.51.100.6"));
export const TK_E = faultSend("E: link down", F_LINK_GASP);
s.mark("link-up");
export const L_LU_WAIT = s.waitrd(E.REG_STATUS, E.STATUS_LU, E.STATUS_LU, 20_000);
export const TK_F = faultSend("F: link back", F_LINK_GASP);

// ---- (1) write semantics, last: they leave registers in states no driver would -------------
const MASKED = [
  { name: "TDLEN", off: E.REG_TDLEN, mask: E.DLEN_MASK },
  { name: "RDLEN", off: E.REG_RDLEN, mask: E.DLEN_MASK },
  { name: "TDH", off: E.REG_TDH, mask: E.HEAD_TAIL_MASK },
  { name: "TDT", off: E.REG_TDT, mask: E.HEAD_TAIL_MASK },
  { name: "RDH", off: E.REG_RDH, mask: E.HEAD_TAIL_MASK },
  { name: "RDT", off: E.REG_RDT, mask: E.HEAD_TAIL_MASK },
];
s.wr(E.REG_TCTL, 0);
s.wr(E.REG_RCTL, 0);
export const masked = MASKED.map((r) => ({ ...r, ones: (s.wr(r.off, 0xffffffff), s.rd(r.off)), zero: (s.wr(r.off, 0), s.rd(r.off)) }));
export const L_TDBAL = (s.wr(E.REG_TDBAL, 0x1234_567f), s.rd(E.REG_TDBAL));
s.wr(E.REG_TDBAL, 0);
export const L_STATUS_RO = (s.wr(E.REG_STATUS, 0), s.rd(E.REG_STATUS));
s.rd(E.REG_ICR); // clears what the run raised, so that ICS alone is seen below
export const L_ICR_SET = (s.wr(E.REG_ICS, E.ICR_TXDW | E.ICR_LSC), s.rd(E.REG_ICR));
export const L_ICR_CLEARED = s.rd(E.REG_ICR);
export const L_IMS = (s.wr(E.REG_IMS, E.ICR_TXDW | E.ICR_RXT0), s.rd(E.REG_IMS));
export const L_IMC = (s.wr(E.REG_IMC, 0xffffffff), s.rd(E.REG_IMS));
export const L_UNKNOWN = s.rd(0x0004); // reserved in SDM table 13-2
s.wr(E.REG_TDLEN, 0x400);
export const L_RST = (s.wr(E.REG_CTRL, E.CTRL_RST | E.CTRL_SLU), s.rd(E.REG_CTRL));
export const L_RST_TDLEN = s.rd(E.REG_TDLEN);
export const L_RST_STATUS = s.rd(E.REG_STATUS);

/** The test's side of each `mark`: frames from the wire, the link partner going away and back. */
export const react = (rec: RigRecord, io: RigIo) => {
  if (rec.op !== "mark") return;
  if (rec.text === "rx-set1") RX_SET1.forEach((f) => io.inject(f));
  if (rec.text === "rx-set2") RX_SET2.forEach((f) => io.inject(f));
  if (rec.text === "link-down") io.setLink(false);
  if (rec.text === "link-up") io.setLink(true);
};
/** What must be on the wire, in order, with where each frame comes from. */
export function expectedWire(): { name: string; bytes: Uint8Array }[] {
  const out = [F_GARP, F_NA, ...wrap.flatMap((w) => w.frames), ...A_BEFORE].map((f) => ({ name: f.name, bytes: f.bytes }));
  out.push({ name: TK_A.gasp.name, bytes: TK_A.gasp.bytes });
  // B: the gathered 60 garbage bytes with the lead copy appended, then the gasp itself.
  out.push({ name: "b-gathered+lead", bytes: Uint8Array.from([...new Uint8Array(60).fill(0xab), ...TK_B.gasp.bytes]) });
  out.push({ name: TK_B.gasp.name, bytes: TK_B.gasp.bytes });
  // C, D: after a reset the lead copy is sent whole, then the gasp.
  for (const t of [TK_C, TK_D]) out.push({ name: `${t.gasp.name}-lead`, bytes: t.gasp.bytes }, { name: t.gasp.name, bytes: t.gasp.bytes });
  // The frame rung while the link was down never reaches the wire; E sends nothing; F one copy.
  out.push({ name: TK_F.gasp.name, bytes: TK_F.gasp.bytes });
  return out;
}

/** The whole script, as the guest harness and the model runner read it. */
export const SCRIPT = s.text();
