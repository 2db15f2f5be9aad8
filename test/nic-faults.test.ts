// Fault injection on the NIC model, each mode on its own: deferred TX (write-back and
// engine), frozen TDH (with and without surviving reset), link down/up with LSC (stall and
// drop), DMA outside every window, lost doorbells (counted and seeded-probabilistic).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../assembly/shared/e1000";
import { NicRig, RIG_MAC, ethFrame } from "./helpers/nic";

const DST = [0x02, 0, 0, 0, 0, 0x42];

test("deferred TX (write-back): TDH moves at the doorbell, frames and DD appear N ns later", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  rig.nic.faults.deferTx(50_000);
  const [a] = tx.put(ethFrame(DST, 60));
  const [b] = tx.put(ethFrame(DST, 61));
  tx.ring();
  assert.is(tx.tdh, 2, "descriptors fetched at once");
  assert.is(rig.sent.length, 0);
  assert.not.ok(tx.dd(a) || tx.dd(b));
  assert.is(rig.rd(R.REG_ICR), R.ICR_TXQE, "TXQE now, TXDW later");
  assert.is(rig.nic.txQueues[0].inFlight, 1);
  rig.clock.advance(49_999);
  assert.is(rig.sent.length, 0);
  rig.clock.advance(1);
  assert.equal(rig.sent.map((s) => s.t), [50_000, 50_000]);
  assert.ok(tx.dd(a) && tx.dd(b));
  assert.is(rig.rd(R.REG_ICR), R.ICR_TXDW);
});

test("deferred TX (write-back): batches stay in order across doorbells", () => {
  const rig = new NicRig();
  const tx = rig.txRing({ slots: 16 });
  rig.nic.faults.deferTx(10_000);
  const frames = Array.from({ length: 6 }, (_, i) => ethFrame(DST, 50 + i));
  frames.forEach((f, i) => {
    tx.put(f);
    tx.ring();
    rig.clock.advance(3_000 * (i % 2));
  });
  rig.clock.runUntilIdle();
  assert.equal(rig.sent.map((s) => s.frame.length), frames.map((f) => f.length));
  const times = rig.sent.map((s) => s.t);
  assert.equal(times, [...times].sort((x, y) => x - y));
});

test("deferred TX (engine): nothing moves for N ns, then the engine walks everything rung so far", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  rig.nic.faults.deferTx(20_000, { mode: "engine" });
  tx.put(ethFrame(DST, 60));
  tx.ring();
  rig.clock.advance(5_000);
  tx.put(ethFrame(DST, 61));
  tx.ring();
  assert.is(tx.tdh, 0);
  rig.clock.advance(14_999);
  assert.is(rig.sent.length, 0);
  rig.clock.advance(1);
  assert.is(rig.sent.length, 2);
  assert.is(tx.tdh, 2);
  assert.ok(tx.dd(1));
});

test("deferred TX: a device reset drops what was in flight", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  rig.nic.faults.deferTx(10_000);
  tx.put(ethFrame(DST, 60));
  tx.ring();
  rig.wr(R.REG_CTRL, R.CTRL_RST);
  rig.clock.advance(20_000);
  assert.is(rig.sent.length, 0);
  assert.not.ok(tx.dd(0));
});

test("frozen TDH: doorbells are stored, nothing is sent, TDH never moves; thaw runs the work", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  rig.nic.faults.freezeTx();
  tx.put(ethFrame(DST, 60));
  tx.put(ethFrame(DST, 61));
  tx.ring();
  rig.clock.advance(1_000_000_000);
  assert.is(tx.tdt, 2, "the doorbell reached the register");
  assert.is(tx.tdh, 0);
  assert.is(rig.sent.length, 0);
  assert.not.ok(tx.dd(1));
  rig.nic.faults.thawTx();
  assert.is(rig.sent.length, 2);
  assert.is(tx.tdh, 2);
});

test("frozen TDH: CTRL.RST cures it unless the hang survives reset", () => {
  for (const survivesReset of [false, true]) {
    const rig = new NicRig();
    let tx = rig.txRing();
    rig.nic.faults.freezeTx({ survivesReset });
    tx.put(ethFrame(DST, 60));
    tx.ring();
    rig.wr(R.REG_CTRL, R.CTRL_RST);
    assert.is(tx.tdh, 0);
    assert.is(tx.tdt, 0, "reset zeroes the ring registers");
    tx = rig.txRing(); // reprogram, as a takeover would
    tx.put(ethFrame(DST, 62));
    tx.ring();
    assert.is(rig.sent.length, survivesReset ? 0 : 1, `survivesReset ${survivesReset}`);
    assert.is(tx.tdh, survivesReset ? 0 : 1);
  }
});

test("link down: STATUS.LU clears and LSC is raised; TX stalls until the link returns; RX drops", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  rig.rxRing();
  rig.wr(R.REG_IMS, R.ICR_LSC);
  rig.rd(R.REG_ICR); // TXQE from enabling TX
  rig.nic.faults.setLink(false);
  assert.is(rig.rd(R.REG_STATUS) & R.STATUS_LU, 0);
  assert.ok(rig.nic.irq);
  assert.is(rig.rd(R.REG_ICR), R.ICR_LSC);
  tx.put(ethFrame(DST, 60));
  tx.ring();
  assert.is(rig.sent.length, 0);
  assert.is(tx.tdh, 0, "stall: the MAC stops DMA without link");
  assert.not.ok(rig.nic.receive(ethFrame(RIG_MAC, 60)));
  rig.nic.setLink(true);
  assert.ok(rig.rd(R.REG_STATUS) & R.STATUS_LU);
  assert.is(rig.rd(R.REG_ICR) & R.ICR_LSC, R.ICR_LSC);
  assert.is(rig.sent.length, 1, "the stalled frame goes once the link is back");
  assert.is(tx.tdh, 1);
});

test("link down in drop mode (QEMU's behaviour): descriptors complete, frames vanish", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  rig.nic.faults.linkDownTx = "drop";
  rig.nic.setLink(false);
  tx.put(ethFrame(DST, 60));
  tx.ring();
  assert.is(tx.tdh, 1);
  assert.ok(tx.dd(0));
  assert.is(rig.sent.length, 0);
  assert.is(rig.nic.counters.txDropped, 1);
  assert.is(rig.rd(R.REG_GPTC), 0);
});

test("link state survives reset: STATUS.LU stays clear while the link is down", () => {
  const rig = new NicRig();
  rig.nic.setLink(false);
  rig.wr(R.REG_CTRL, R.CTRL_RST);
  assert.is(rig.rd(R.REG_STATUS) & R.STATUS_LU, 0);
  rig.nic.setLink(true);
  assert.is(rig.rd(R.REG_STATUS), 0x80080783);
});

test("DMA outside every window: a buffer there drops its frame, still writes back DD; counted", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  tx.writeDesc(0, 0x9_0000_0000, 64, R.TXD_CMD_EOP | R.TXD_CMD_IFCS | R.TXD_CMD_RS);
  tx.tail = 1;
  tx.put(ethFrame(DST, 70));
  tx.ring();
  assert.is(rig.sent.length, 1, "the next frame is unaffected");
  assert.is(rig.sent[0].frame.length, 84);
  assert.ok(tx.dd(0));
  assert.is(rig.nic.counters.dmaErrors, 1);
  assert.is(rig.dma.faults, 1);
  assert.is(rig.nic.counters.txDropped, 1);
});

test("DMA outside every window: a ring there (or a revoked window) fails every descriptor fetch", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  tx.put(ethFrame(DST, 60));
  tx.put(ethFrame(DST, 60));
  assert.ok(rig.nic.faults.revokeDma("host"));
  tx.ring();
  assert.is(rig.sent.length, 0);
  assert.is(tx.tdh, 2, "the engine still walks the ring");
  assert.is(rig.nic.counters.dmaErrors, 2);
});

test("lost doorbells (count): the next N TDT writes never reach the register", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  rig.nic.faults.loseDoorbells({ count: 2 });
  tx.put(ethFrame(DST, 60));
  tx.ring();
  tx.ring();
  assert.is(tx.tdt, 0);
  assert.is(rig.sent.length, 0);
  assert.is(rig.nic.counters.doorbellsLost, 2);
  tx.ring();
  assert.is(tx.tdt, 1);
  assert.is(rig.sent.length, 1);
});

test("lost doorbells (probability): seeded, so two runs lose the same writes", () => {
  const run = (seed: number) => {
    const rig = new NicRig({ seed });
    const tx = rig.txRing({ slots: 64 });
    rig.nic.faults.loseDoorbells({ probability: 0.3 });
    const lost: boolean[] = [];
    for (let i = 0; i < 200; i++) {
      tx.put(ethFrame(DST, 50), { rs: "none" });
      const before = rig.nic.counters.doorbellsLost;
      tx.ring();
      lost.push(rig.nic.counters.doorbellsLost > before);
      // keep one slot free: reclaim everything the engine consumed
      while ((tx.tail + 1) % tx.slots === tx.tdh) tx.ring();
    }
    return lost;
  };
  const a = run(42);
  assert.equal(run(42), a);
  assert.not.equal(run(43), a);
  const share = a.filter(Boolean).length / a.length;
  assert.ok(share > 0.2 && share < 0.4, `lost share ${share}`);
});

test("faults.clear() lifts everything", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  rig.nic.faults.freezeTx();
  rig.nic.faults.deferTx(1000);
  rig.nic.faults.loseDoorbells({ count: 5, probability: 1 });
  rig.nic.setLink(false);
  tx.put(ethFrame(DST, 60));
  tx.ring();
  rig.nic.faults.clear();
  assert.ok(rig.nic.link);
  tx.ring();
  assert.is(rig.sent.length, 1);
});

test.run();
