// The i210-like model: per-queue TX registers (and their 0xE000 aliases), TXDCTL.ENABLE that
// reads back only after a latency on the SimClock, zeroes TDH/TDT, and does not clear while
// a hung queue has work; TDH read-only; each queue its own engine and its own faults.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../assembly/shared/e1000";
import { NicRig, RIG_MAC, ethFrame } from "./helpers/nic";
import { I210 } from "../host/nic/i210";
import { SimClock } from "../host/sim/clock";
import { DmaSpace } from "../host/nic/dma";

const DST = [0x02, 0, 0, 0, 0, 0x42];
const txdctl = (q: number) => R.txQueueBase(q) + R.TXQ_OFF_TXDCTL;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("QUEUE_ENABLE reads back only after the enable latency: drivers must poll", () => {
  const rig = new NicRig({ txQueues: 4, queueEnableLatencyNs: 8_000 });
  rig.wr(txdctl(1), R.TXDCTL_QUEUE_ENABLE | 0x0101);
  assert.is(rig.rd(txdctl(1)), 0x0101, "other fields at once, ENABLE not yet");
  rig.clock.advance(7_999);
  assert.is(rig.rd(txdctl(1)) & R.TXDCTL_QUEUE_ENABLE, 0);
  rig.clock.advance(1);
  assert.is(rig.rd(txdctl(1)), (R.TXDCTL_QUEUE_ENABLE | 0x0101) >>> 0);
  assert.is(rig.rd(txdctl(0)) & R.TXDCTL_QUEUE_ENABLE, 0, "other queues untouched");
});

test("I210 class: four queues by default; every queue starts disabled", () => {
  const nic = new I210({ name: "i", mac: Uint8Array.of(2, 0, 0, 0, 0, 1), dma: new DmaSpace(), clock: new SimClock() });
  assert.is(nic.model, "i210");
  assert.is(nic.txQueues.length, 4);
  for (let q = 0; q < 4; q++) assert.is(nic.read32(txdctl(q)) & R.TXDCTL_QUEUE_ENABLE, 0);
  assert.throws(() => new I210({ name: "i", mac: Uint8Array.of(2, 0, 0, 0, 0, 1), dma: new DmaSpace(), clock: new SimClock(), txQueues: 1 }));
});

test("a queue not enabled does not transmit; enabling it zeroes TDH and TDT", () => {
  const rig = new NicRig({ txQueues: 4 });
  const tx = rig.txRing({ queue: 1, enable: false });
  rig.wr(R.REG_TCTL, R.TCTL_EN);
  tx.put(ethFrame(DST, 60));
  tx.ring();
  assert.is(tx.tdt, 1);
  assert.is(rig.sent.length, 0);
  rig.enableQueue(1);
  assert.is(tx.tdt, 0, "setting ENABLE initialises TDT");
  assert.is(tx.tdh, 0);
  tx.tail = 0; // software starts over, as after any enable
  tx.put(ethFrame(DST, 61));
  tx.ring();
  assert.is(rig.sent.length, 1);
  assert.is(rig.sent[0].frame.length, 75);
});

test("TDH is read-only on the i210", () => {
  const rig = new NicRig({ txQueues: 2 });
  rig.wr(R.txQueueBase(1) + R.TXQ_OFF_TDH, 5);
  assert.is(rig.rd(R.txQueueBase(1) + R.TXQ_OFF_TDH), 0);
});

test("independent queues: queue 0 hung with garbage, queue 1 still gets frames out", () => {
  const rig = new NicRig({ txQueues: 4 });
  const q0 = rig.txRing({ queue: 0 });
  const q1 = rig.txRing({ queue: 1 });
  rig.nic.faults.freezeTx({ queue: 0 });
  for (let i = 0; i < 5; i++) q0.writeDesc(i, 0xdead_0000 + i, 0xffff, 0xff, 0xff);
  q0.tail = 5;
  q0.ring();
  const gasp = ethFrame(DST, 80);
  q1.put(gasp);
  q1.ring();
  assert.is(rig.sent.length, 1);
  assert.is(hex(rig.sent[0].frame), hex(gasp));
  assert.is(q0.tdh, 0);
  assert.ok(q1.dd(0));
  assert.is(rig.nic.counters.dmaErrors, 0);
});

test("per-queue faults: lost doorbells and deferral on one queue leave the others alone", () => {
  const rig = new NicRig({ txQueues: 3 });
  const q0 = rig.txRing({ queue: 0 });
  const q2 = rig.txRing({ queue: 2 });
  rig.nic.faults.loseDoorbells({ queue: 0, count: 10 });
  rig.nic.faults.deferTx(5_000, { queue: 0 });
  q0.put(ethFrame(DST, 60));
  q0.ring();
  q2.put(ethFrame(DST, 61));
  q2.ring();
  assert.is(rig.sent.length, 1);
  assert.is(rig.sent[0].frame.length, 75);
  assert.is(q0.tdt, 0);
});

test("the 0xE000 aliases reach the same queue, TDT alias rings the doorbell", () => {
  const rig = new NicRig({ txQueues: 4 });
  const tx = rig.txRing({ queue: 3 });
  tx.put(ethFrame(DST, 60));
  rig.wr(R.I210_TXQ_ALT_BASE + R.I210_TXQ_ALT_STRIDE * 3 + R.TXQ_OFF_TDT, tx.tail);
  assert.is(rig.sent.length, 1);
  assert.is(rig.rd(R.I210_TXQ_ALT_BASE + R.I210_TXQ_ALT_STRIDE * 3 + R.TXQ_OFF_TDH), 1);
  assert.ok(rig.rd(R.I210_TXQ_ALT_BASE + R.I210_TXQ_ALT_STRIDE * 3 + R.TXQ_OFF_TXDCTL) & R.TXDCTL_QUEUE_ENABLE);
});

test("disable reads back clear after the latency; a hung queue with work never finishes disabling", () => {
  const rig = new NicRig({ txQueues: 2, queueEnableLatencyNs: 5_000 });
  const q1 = rig.txRing({ queue: 1 });
  rig.wr(txdctl(1), 0);
  assert.ok(rig.rd(txdctl(1)) & R.TXDCTL_QUEUE_ENABLE, "still running during the latency");
  rig.clock.advance(5_000);
  assert.is(rig.rd(txdctl(1)) & R.TXDCTL_QUEUE_ENABLE, 0);

  rig.enableQueue(1);
  q1.tail = 0;
  rig.nic.faults.freezeTx({ queue: 1 });
  q1.put(ethFrame(DST, 60));
  q1.ring();
  rig.wr(txdctl(1), 0);
  rig.clock.advance(1_000_000);
  assert.ok(rig.rd(txdctl(1)) & R.TXDCTL_QUEUE_ENABLE, "hung with work pending: ENABLE stays set");
  rig.nic.faults.thawTx(1);
  assert.is(rig.rd(txdctl(1)) & R.TXDCTL_QUEUE_ENABLE, 0, "stops once the hang lifts");
  rig.wr(R.REG_CTRL, R.CTRL_RST);
  assert.is(rig.rd(txdctl(1)), 0);
});

test("an enable cancelled before it lands never lands", () => {
  const rig = new NicRig({ txQueues: 2, queueEnableLatencyNs: 5_000 });
  rig.wr(txdctl(1), R.TXDCTL_QUEUE_ENABLE);
  rig.clock.advance(2_000);
  rig.wr(txdctl(1), 0);
  rig.clock.advance(10_000);
  assert.is(rig.rd(txdctl(1)) & R.TXDCTL_QUEUE_ENABLE, 0);
  assert.not.ok(rig.nic.txQueues[1].enabled);
});

test("advanced data descriptors (DTYP 0011) transmit, DD at bit 0 of byte 12", () => {
  const rig = new NicRig({ txQueues: 2 });
  const tx = rig.txRing({ queue: 1 });
  const f = ethFrame(DST, 90);
  tx.writeDesc(0, tx.buffer(f), f.length, R.TXD_CMD_DEXT | R.TXD_CMD_EOP | R.TXD_CMD_IFCS | R.TXD_CMD_RS, 0, { dtyp: 0x30 });
  tx.tail = 1;
  tx.ring();
  assert.is(hex(rig.sent[0].frame), hex(f));
  assert.ok(tx.dd(0));
});

test("RX queue: receives only with RXDCTL.ENABLE; RDT writes are ignored while it is clear; 0xC000 aliases", () => {
  const rig = new NicRig({ txQueues: 2 });
  assert.is(rig.rd(R.REG_RXDCTL), R.I210_RXDCTL_RESET);
  const rx = rig.rxRing({ slots: 8 }); // enables the queue before RDT
  assert.is(rig.rd(R.REG_RDT), 7);
  assert.ok(rig.nic.receive(ethFrame(RIG_MAC, 50)));
  assert.is(rig.rd(R.I210_RXQ_ALT_BASE + (R.REG_RDH - R.REG_RDBAL)), 1, "RDH via its 0xC010 alias");
  rig.wr(R.REG_RDH, 5);
  assert.is(rig.rd(R.REG_RDH), 1, "RDH is read-only");
  rig.wr(R.REG_RXDCTL, R.I210_RXDCTL_RESET); // disable
  assert.not.ok(rig.nic.receive(ethFrame(RIG_MAC, 50)));
  rig.wr(R.REG_RDT, 3);
  assert.is(rig.rd(R.REG_RDT), 7, "RDT write ignored while disabled");
  rig.wr(R.I210_RXQ_ALT_BASE + (R.REG_RXDCTL - R.REG_RDBAL), R.I210_RXDCTL_RESET | R.TXDCTL_QUEUE_ENABLE);
  rig.wr(R.I210_RXQ_ALT_BASE + (R.REG_RDT - R.REG_RDBAL), 3);
  assert.is(rig.rd(R.REG_RDT), 3);
  assert.ok(rig.nic.receive(ethFrame(RIG_MAC, 50)));
  assert.is(rx.harvest().length, 2);
});

test.run();
