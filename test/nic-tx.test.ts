// The TX engine against QEMU's start_xmit behaviour: doorbell runs it synchronously, gather
// until EOP, DD written back only where RS is set and only the upper dword, wrap at TDLEN,
// the bogus TDT/TDLEN guard, TXQE/TXDW, TCTL.EN off, descriptor kinds, FCS and padding,
// statistics.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../assembly/shared/e1000";
import { NicRig, ethFrame, BROADCAST } from "./helpers/nic";
import { ethernetFcs } from "../host/util/crc32";

const DST = [0x02, 0, 0, 0, 0, 0x42];
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("one frame: on the wire at the doorbell, DD on its RS descriptor, TDH = TDT, TXDW|TXQE, counters", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  const f = ethFrame(DST, 100);
  const [d] = tx.put(f);
  assert.is(rig.sent.length, 0, "nothing before the doorbell");
  tx.ring();
  assert.is(rig.sent.length, 1);
  assert.is(hex(rig.sent[0].frame), hex(f));
  assert.ok(tx.dd(d));
  assert.is(tx.tdh, 1);
  assert.is(rig.rd(R.REG_ICR), R.ICR_TXDW | R.ICR_TXQE);
  assert.is(rig.rd(R.REG_GPTC), 1);
  assert.is(rig.rd(R.REG_TPT), 1);
  assert.is(rig.rd(R.REG_GOTCL), f.length + 4);
  assert.is(rig.rd(R.REG_GOTCH), 0);
  assert.is(rig.rd(R.REG_PTC127), 1);
  assert.is(rig.rd(R.REG_GPTC), 0, "statistics clear on read");
});

test("gather: a frame over several descriptors goes out whole, once, at EOP", () => {
  const rig = new NicRig();
  const tx = rig.txRing({ slots: 16 });
  const f = ethFrame(DST, 1400);
  const parts = [f.subarray(0, 14), f.subarray(14, 700), f.subarray(700, 701), f.subarray(701)];
  const used = tx.put(parts);
  tx.ring();
  assert.is(rig.sent.length, 1);
  assert.is(hex(rig.sent[0].frame), hex(f));
  assert.equal(used.map((i) => tx.dd(i)), [false, false, false, true], "DD only on the RS (last) descriptor");
  assert.is(tx.tdh, 4);
});

test("no RS anywhere: frames go out, nothing is written back, TXQE without TXDW", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  tx.put(ethFrame(DST, 50), { rs: "none" });
  tx.put(ethFrame(DST, 60), { rs: "none" });
  const before = rig.mem.slice(tx.ringOff, tx.ringOff + 32);
  tx.ring();
  assert.is(rig.sent.length, 2);
  assert.is(hex(rig.mem.slice(tx.ringOff, tx.ringOff + 32)), hex(before), "descriptors untouched");
  assert.is(rig.rd(R.REG_ICR), R.ICR_TXQE);
});

test("write-back touches only the upper dword: DD set, EC/LC/TU cleared, CSS and special kept", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  const writes: [number, number][] = [];
  const write = rig.dma.write.bind(rig.dma);
  rig.dma.write = (phys, bytes) => (writes.push([phys - rig.phys(0), bytes.length]), write(phys, bytes));
  const buf = tx.buffer(ethFrame(DST, 80));
  tx.writeDesc(0, buf, 94, R.TXD_CMD_EOP | R.TXD_CMD_IFCS | R.TXD_CMD_RS, R.TXD_STA_EC | R.TXD_STA_LC | R.TXD_STA_TU | 0xf0, { css: 0x5a, special: 0xbeef });
  tx.tail = 1;
  tx.ring();
  assert.equal(writes, [[tx.ringOff + 12, 4]]);
  const d = tx.desc(0);
  assert.is(d.sta, 0xf0 | R.TXD_STA_DD, "reserved high nibble kept, EC/LC/TU cleared, DD set");
  assert.is(rig.mem[tx.ringOff + R.TXD_OFF_CSS], 0x5a);
  assert.is(rig.view.getUint16(tx.ringOff + R.TXD_OFF_SPECIAL, true), 0xbeef);
  assert.is(d.length, 94, "lower dwords untouched");
});

test("RPS asks for a write-back too (82544)", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  tx.writeDesc(0, tx.buffer(ethFrame(DST, 50)), 64, R.TXD_CMD_EOP | R.TXD_CMD_IFCS | R.TXD_CMD_RPS);
  tx.tail = 1;
  tx.ring();
  assert.ok(tx.dd(0));
});

test("wrap: 50 frames through an 8-slot ring, one slot always empty, in order", () => {
  const rig = new NicRig();
  const tx = rig.txRing({ slots: 8 });
  const frames = Array.from({ length: 50 }, (_, i) => ethFrame(DST, 46 + i));
  let next = 0;
  let reclaimed = 0;
  while (next < frames.length) {
    // reclaim by TDH, keep one slot empty
    reclaimed = tx.tdh;
    let batch = 0;
    while (next < frames.length && (tx.tail + 1) % tx.slots !== reclaimed && batch < 3) {
      tx.put(frames[next++]);
      batch++;
    }
    tx.ring();
  }
  assert.is(rig.sent.length, 50);
  rig.sent.forEach((s, i) => assert.is(hex(s.frame), hex(frames[i]), `frame ${i}`));
  assert.is(tx.tdh, 50 % 8);
  assert.is(rig.nic.counters.txBogusRing, 0);
});

test("bogus TDT beyond the ring: the engine wraps once round and stops where it started", () => {
  const rig = new NicRig();
  const tx = rig.txRing({ slots: 8 });
  for (let i = 0; i < 8; i++) tx.put(ethFrame(DST, 50 + i));
  rig.wr(R.txQueueBase(0) + R.TXQ_OFF_TDT, 200); // not a slot of an 8-slot ring
  assert.is(rig.sent.length, 8, "each descriptor processed once");
  assert.is(tx.tdh, 0);
  assert.is(rig.nic.counters.txBogusRing, 1);
  assert.ok(rig.rd(R.REG_ICR) & R.ICR_TXQE);
});

test("bogus TDH beyond TDLEN: one descriptor is processed, then the guard stops", () => {
  const rig = new NicRig();
  const tx = rig.txRing({ slots: 8 });
  rig.wr(R.REG_TCTL, 0);
  rig.wr(R.txQueueBase(0) + R.TXQ_OFF_TDH, 12);
  tx.writeDesc(12, tx.buffer(ethFrame(DST, 50)), 64, R.TXD_CMD_EOP | R.TXD_CMD_IFCS | R.TXD_CMD_RS);
  rig.wr(R.txQueueBase(0) + R.TXQ_OFF_TDT, 3);
  rig.wr(R.REG_TCTL, R.TCTL_EN);
  assert.is(rig.sent.length, 1);
  assert.is(tx.tdh, 0, "12 + 1 wraps to 0 at TDLEN");
  assert.is(rig.nic.counters.txBogusRing, 1);
});

test("TDLEN 0: QEMU's guard stops after one descriptor", () => {
  const rig = new NicRig();
  const tx = rig.txRing({ slots: 8 });
  tx.put(ethFrame(DST, 50));
  tx.put(ethFrame(DST, 51));
  rig.wr(R.txQueueBase(0) + R.TXQ_OFF_TDLEN, 0);
  tx.ring();
  assert.is(rig.sent.length, 1);
  assert.is(tx.tdh, 0);
});

test("TCTL.EN clear: the doorbell is stored, nothing moves; setting EN runs the engine", () => {
  const rig = new NicRig();
  const tx = rig.txRing({ enable: false });
  tx.put(ethFrame(DST, 70));
  tx.ring();
  assert.is(tx.tdt, 1);
  assert.is(tx.tdh, 0);
  assert.is(rig.sent.length, 0);
  assert.is(rig.rd(R.REG_ICR), 0);
  rig.wr(R.REG_TCTL, R.TCTL_EN);
  assert.is(rig.sent.length, 1);
  assert.is(tx.tdh, 1);
});

test("context descriptors carry no data; extended data descriptors gather like legacy ones", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  const f = ethFrame(DST, 200);
  tx.writeDesc(0, 0xdead_beef_0000, 0x55, R.TXD_CMD_DEXT | R.TXD_CMD_RS); // context: address never read
  tx.writeDesc(1, tx.buffer(f.subarray(0, 100)), 100, R.TXD_CMD_DEXT | R.TXD_CMD_IFCS, 0, { dtyp: R.TXD_DTYP_DATA });
  tx.writeDesc(2, tx.buffer(f.subarray(100)), f.length - 100, R.TXD_CMD_DEXT | R.TXD_CMD_IFCS | R.TXD_CMD_EOP | R.TXD_CMD_RS, 0, { dtyp: R.TXD_DTYP_DATA | 0x20 });
  tx.tail = 3;
  tx.ring();
  assert.is(rig.dma.faults, 0);
  assert.is(rig.sent.length, 1);
  assert.is(hex(rig.sent[0].frame), hex(f));
  assert.ok(tx.dd(0), "RS on a context descriptor is honoured");
  assert.ok(tx.dd(2));
});

test("without IFCS the buffer's last 4 bytes are the FCS: right → sent without it; wrong → dropped", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  const f = ethFrame(DST, 80);
  const withFcs = Uint8Array.from([...f, ...ethernetFcs(f)]);
  tx.put(withFcs, { ifcs: false });
  const bad = Uint8Array.from(withFcs);
  bad[bad.length - 1] ^= 1;
  tx.put(bad, { ifcs: false });
  tx.ring();
  assert.is(rig.sent.length, 1);
  assert.is(hex(rig.sent[0].frame), hex(f));
  assert.is(rig.nic.counters.txBadFcs, 1);
  assert.is(rig.nic.counters.txDropped, 1);
});

test("TCTL.PSP pads short frames to 60 bytes (64 with FCS); without it they go out short", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  const short = ethFrame(DST, 10);
  tx.put(short);
  tx.ring();
  assert.is(rig.sent[0].frame.length, 60);
  assert.is(hex(rig.sent[0].frame.subarray(0, short.length)), hex(short));
  assert.ok(rig.sent[0].frame.subarray(short.length).every((b) => b === 0));
  rig.wr(R.REG_TCTL, R.TCTL_EN);
  tx.put(short);
  tx.ring();
  assert.is(rig.sent[1].frame.length, short.length);
});

test("size buckets and broadcast/multicast counters (with FCS, as QEMU)", () => {
  const rig = new NicRig();
  const tx = rig.txRing({ slots: 16 });
  tx.put(ethFrame(BROADCAST, 46)); // 60 + 4 = 64
  tx.put(ethFrame([0x01, 0, 0x5e, 0, 0, 1], 300)); // 314 + 4 → 256..511
  tx.put(ethFrame(DST, 1500)); // 1514 + 4 → 1024..1522
  tx.ring();
  assert.is(rig.rd(R.REG_PTC64), 1);
  assert.is(rig.rd(R.REG_PTC511), 1);
  assert.is(rig.rd(R.REG_PTC1522), 1);
  assert.is(rig.rd(R.REG_BPTC), 1);
  assert.is(rig.rd(R.REG_MPTC), 1);
  assert.is(rig.rd(R.REG_TOTL), 64 + 318 + 1518);
  assert.is(rig.rd(R.REG_TOTH), 0);
  assert.is(rig.rd(R.REG_TOTL), 0, "TOTL cleared by reading TOTH");
});

test("TX from a 64-bit buffer address above 4 GiB and a ring there (TDBAH matters)", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  assert.ok(rig.rd(R.REG_TDBAH) >= 2);
  tx.put(ethFrame(DST, 64));
  tx.ring();
  assert.is(rig.sent.length, 1);
});

test.run();
