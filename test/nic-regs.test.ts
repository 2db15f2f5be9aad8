// Register semantics, driven by the register table itself (host/nic/e1000-regs.ts): every
// row's reset value, write mask, access kind and aliases, on both models; unknown offsets;
// the interrupt registers; CTRL.RST; EERD; statistics clear on read.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../assembly/shared/e1000";
import { BAR0_SIZE, readBackOf, registerTable, type RegDef } from "../host/nic/e1000-regs";
import { NicRig, RIG_MAC, ethFrame } from "./helpers/nic";
import { Rng } from "../host/util/rng";

const hex = (v: number) => "0x" + (v >>> 0).toString(16).padStart(8, "0");

for (const model of ["e1000", "i210"] as const) {
  const queues = model === "i210" ? 4 : 1;
  const fresh = () => new NicRig({ txQueues: queues });
  const table = registerTable(model, RIG_MAC);

  test(`${model}: every register reads its reset value after power-on and after CTRL.RST`, () => {
    const rig = fresh();
    const mismatch = (when: string) =>
      table.filter((r) => r.access !== "WO" && r.effect !== "eerd" && r.effect !== "mdic").flatMap((r) => {
        const got = rig.nic.read32(r.offset) >>> 0;
        return got === r.reset ? [] : [`${when} ${r.name}: ${hex(got)} != ${hex(r.reset)}`];
      });
    assert.equal(mismatch("power-on"), []);
    // dirty every writable register, then reset
    for (const r of table) if (r.access === "RW" && r.effect !== "ctrl" && r.effect !== "tctl" && r.effect !== "mdic") rig.wr(r.offset, 0xa5a5a5a5);
    rig.wr(R.REG_CTRL, R.CTRL_RST);
    assert.equal(mismatch("after reset"), []);
  });

  test(`${model}: QEMU reset values for CTRL, STATUS and RAL0/RAH0 (the board's MAC, AV)`, () => {
    const rig = fresh();
    assert.is(rig.rd(R.REG_STATUS), 0x80080783); // what a QEMU 7.2 e1000 reads back
    assert.ok(rig.rd(R.REG_STATUS) & R.STATUS_LU);
    assert.ok(rig.rd(R.REG_CTRL) & R.CTRL_SLU);
    assert.is(rig.rd(R.REG_RAL0), 0x105e0002);
    assert.is(rig.rd(R.REG_RAH0), (0x0100 | R.RAH_AV) >>> 0);
  });

  test(`${model}: RW registers store exactly their write mask (table-driven)`, () => {
    const rig = fresh();
    const rng = new Rng(7);
    const bad: string[] = [];
    // i210: RDT writes count only with the RX queue enabled (checked in nic-i210.test.ts)
    if (model === "i210") rig.wr(R.REG_RXDCTL, R.TXDCTL_QUEUE_ENABLE);
    for (const r of table.filter((r) => r.access === "RW" && r.effect !== "eerd" && r.effect !== "txdctl" && r.effect !== "mdic")) {
      for (const v of [0xffffffff, 0, rng.u32(), rng.u32()]) {
        // CTRL.RST would reset the device: the self-clearing bits are checked separately
        const w = r.effect === "ctrl" ? v & ~R.CTRL_RST : v;
        rig.wr(r.offset, w);
        const got = rig.rd(r.offset);
        if (got !== readBackOf(r, w)) bad.push(`${r.name} wrote ${hex(w)} read ${hex(got)} want ${hex(readBackOf(r, w))}`);
      }
    }
    assert.equal(bad, []);
  });

  test(`${model}: the masks the issue names (ring lengths, heads/tails, base low bits)`, () => {
    const rig = fresh();
    const q0 = R.txQueueBase(0);
    rig.wr(q0 + R.TXQ_OFF_TDLEN, 0xffffffff);
    assert.is(rig.rd(q0 + R.TXQ_OFF_TDLEN), 0xfff80);
    rig.wr(R.REG_RDLEN, 0x12345);
    assert.is(rig.rd(R.REG_RDLEN), 0x12300);
    if (model === "i210") rig.wr(R.REG_RXDCTL, R.TXDCTL_QUEUE_ENABLE);
    rig.wr(R.REG_RDT, 0x12345);
    assert.is(rig.rd(R.REG_RDT), 0x2345);
    rig.wr(q0 + R.TXQ_OFF_TDBAL, 0x1234567f);
    assert.is(rig.rd(q0 + R.TXQ_OFF_TDBAL), 0x12345670);
    rig.wr(q0 + R.TXQ_OFF_TDT, 0xabcd1234);
    assert.is(rig.rd(q0 + R.TXQ_OFF_TDT), 0x1234);
  });

  test(`${model}: RO registers ignore writes, RC registers ignore writes and clear on read`, () => {
    const rig = fresh();
    const bad: string[] = [];
    for (const r of table.filter((r) => r.access === "RO")) {
      const before = rig.rd(r.offset);
      rig.wr(r.offset, ~before);
      if (rig.rd(r.offset) !== before) bad.push(`${r.name} changed on write`);
    }
    for (const r of table.filter((r) => r.access === "RC" && r.effect === undefined)) {
      rig.nic.setReg(r.offset, 0x1234);
      for (const o of r.alsoClears ?? []) rig.nic.setReg(o, 0x55);
      rig.wr(r.offset, 0);
      if (rig.rd(r.offset) !== 0x1234) bad.push(`${r.name}: write changed it or read lost it`);
      if (rig.rd(r.offset) !== 0) bad.push(`${r.name}: second read not 0`);
      for (const o of r.alsoClears ?? []) if (rig.rd(o) !== 0) bad.push(`${r.name}: reading it did not clear 0x${o.toString(16)}`);
    }
    assert.equal(bad, []);
  });

  test(`${model}: WO registers read 0 (ICS mirrors ICR as QEMU); W1S (IMS) only sets`, () => {
    const rig = fresh();
    for (const r of table.filter((r) => r.access === "WO")) {
      const expect = r.readsAs === undefined ? 0 : rig.nic.reg(r.readsAs);
      assert.is(rig.rd(r.offset), expect, r.name);
    }
    rig.wr(R.REG_IMS, R.ICR_TXDW);
    rig.wr(R.REG_IMS, R.ICR_RXT0);
    assert.is(rig.rd(R.REG_IMS), R.ICR_TXDW | R.ICR_RXT0);
    rig.wr(R.REG_IMS, 0);
    assert.is(rig.rd(R.REG_IMS), R.ICR_TXDW | R.ICR_RXT0);
  });

  test(`${model}: aliases reach the same register`, () => {
    const rig = fresh();
    const aliased = table.filter((r) => r.aliases?.length && r.access === "RW" && r.effect === undefined);
    if (model === "i210") assert.ok(aliased.length >= 12, "i210 queue registers are aliased");
    for (const r of aliased) {
      for (const a of r.aliases!) {
        rig.wr(a, 0x00012340);
        assert.is(rig.rd(r.offset), readBackOf(r, 0x00012340), `${r.name} via 0x${a.toString(16)}`);
        rig.wr(r.offset, 0);
        assert.is(rig.rd(a), 0, `${r.name} read via alias`);
      }
    }
  });

  test(`${model}: unknown, unaligned and out-of-BAR offsets read 0 and ignore writes`, () => {
    const rig = fresh();
    const known = new Set(table.flatMap((r: RegDef) => [r.offset, ...(r.aliases ?? [])]));
    const rng = new Rng(11);
    let unknown = 0;
    while (unknown < 500) {
      const off = rng.int(BAR0_SIZE / 4) * 4;
      if (known.has(off)) continue;
      unknown++;
      rig.wr(off, 0xffffffff);
      assert.is(rig.rd(off), 0, `0x${off.toString(16)}`);
    }
    const before = rig.nic.counters.badAccesses;
    for (const off of [1, 2, 3, R.REG_CTRL + 2, BAR0_SIZE, BAR0_SIZE + 4, -4, 0x7fffffff]) {
      rig.wr(off, 0xffffffff);
      assert.is(rig.rd(off), 0);
    }
    assert.is(rig.nic.counters.badAccesses - before, 16);
    assert.is(rig.rd(R.REG_CTRL), R.CTRL_RESET_VALUE, "an unaligned write did not reach CTRL");
  });
}

test("the register table has no duplicate offsets and every row names a reference", () => {
  for (const model of ["e1000", "i210"] as const) {
    const table = registerTable(model, RIG_MAC);
    assert.ok(table.length > 300);
    for (const r of table) assert.ok(r.ref.length > 5, `${r.name} has a reference`);
    // the e1000 model has no queue 1
    assert.is(table.some((r) => r.offset === R.txQueueBase(1)), model === "i210");
  }
});

test("statistics from real traffic clear on read: GPTC, GPRC, TPT, TPR, MPC, RNBC, GOTC, GORC", () => {
  const rig = new NicRig();
  const tx = rig.txRing();
  rig.rxRing({ slots: 8 });
  for (let i = 0; i < 3; i++) tx.put(ethFrame([2, 0, 0, 0, 0, 9], 100));
  tx.ring();
  for (let i = 0; i < 9; i++) rig.nic.receive(ethFrame(RIG_MAC, 100)); // 7 fit, 2 overrun
  const names = ["GPTC", "TPT", "GPRC", "TPR", "MPC", "RNBC", "GOTCL", "GOTCH", "GORCL", "GORCH"];
  const table = registerTable("e1000", RIG_MAC);
  const off = (n: string) => table.find((r) => r.name === n)!.offset;
  for (const n of ["GPTC", "TPT", "GPRC", "TPR", "MPC", "RNBC", "GOTCH", "GORCH"]) assert.is(table.find((r) => r.name === n)!.access, "RC", n);
  const first = Object.fromEntries(names.map((n) => [n, rig.rd(off(n))]));
  // octets count the FCS: 114-byte frames are 118 on the wire; the low half is read first
  assert.equal(first, { GPTC: 3, TPT: 3, GPRC: 7, TPR: 7, MPC: 2, RNBC: 2, GOTCL: 3 * 118, GOTCH: 0, GORCL: 7 * 118, GORCH: 0 });
  const again = names.map((n) => rig.rd(off(n)));
  assert.equal(again, names.map(() => 0));
});

test("ICR: read clears, write 1 clears; ICS sets; IMS/IMC gate the interrupt line", () => {
  const rig = new NicRig();
  const levels: boolean[] = [];
  rig.nic.onIrq = (l) => levels.push(l);
  rig.wr(R.REG_ICS, R.ICR_LSC | R.ICR_RXT0);
  assert.is(rig.nic.irq, false, "masked causes do not assert the line");
  assert.is(rig.rd(R.REG_ICS), R.ICR_LSC | R.ICR_RXT0, "ICS reads mirror ICR");
  rig.wr(R.REG_IMS, R.ICR_RXT0);
  assert.is(rig.nic.irq, true);
  rig.wr(R.REG_IMC, R.ICR_RXT0);
  assert.is(rig.nic.irq, false);
  rig.wr(R.REG_IMS, R.ICR_RXT0 | R.ICR_LSC);
  rig.wr(R.REG_ICR, R.ICR_RXT0); // write 1 to clear
  assert.is(rig.nic.reg(R.REG_ICR), R.ICR_LSC);
  assert.is(rig.nic.irq, true);
  assert.is(rig.rd(R.REG_ICR), R.ICR_LSC);
  assert.is(rig.rd(R.REG_ICR), 0, "read clears");
  assert.is(rig.nic.irq, false);
  assert.equal(levels, [true, false, true, false]);
});

test("CTRL.RST resets the device and self-clears", () => {
  const rig = new NicRig();
  rig.wr(R.REG_IMS, 0xff);
  rig.wr(R.REG_RCTL, R.RCTL_EN);
  rig.wr(R.REG_ICS, R.ICR_TXQE);
  assert.ok(rig.nic.irq);
  rig.wr(R.REG_CTRL, R.CTRL_RESET_VALUE | R.CTRL_RST);
  assert.is(rig.rd(R.REG_CTRL), R.CTRL_RESET_VALUE, "RST reads back clear");
  assert.is(rig.rd(R.REG_CTRL) & R.CTRL_RST, 0);
  assert.is(rig.rd(R.REG_IMS), 0);
  assert.is(rig.rd(R.REG_RCTL), 0);
  assert.is(rig.nic.irq, false);
});

test("EERD returns the MAC words and a checksum that sums to 0xBABA", () => {
  const rig = new NicRig();
  const word = (i: number) => {
    rig.wr(R.REG_EERD, (i << R.EERD_ADDR_SHIFT) | R.EERD_START);
    const v = rig.rd(R.REG_EERD);
    assert.ok(v & R.EERD_DONE);
    return v >>> R.EERD_DATA_SHIFT;
  };
  assert.is(word(0), RIG_MAC[0] | (RIG_MAC[1] << 8));
  assert.is(word(2), RIG_MAC[4] | (RIG_MAC[5] << 8));
  let sum = 0;
  for (let i = 0; i < 64; i++) sum += word(i);
  assert.is(sum & 0xffff, 0xbaba);
});

test.run();
