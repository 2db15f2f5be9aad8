// The receive path against QEMU's e1000_receive_iov: link and RCTL.EN required, address
// filtering (RA, broadcast, MTA hash per SDM §13.5.1, promiscuous), padding to 60, FCS kept
// or stripped, RDH == RDT overrun with RXO/MPC/RNBC, descriptor then DD last, null buffer
// skipped, wrap, multi-descriptor frames, RXT0/RXDMT0, oversize, statistics.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../assembly/shared/e1000";
import { NicRig, RIG_MAC, ethFrame, BROADCAST } from "./helpers/nic";
import { mtaHash } from "../host/nic/e1000-rx";
import { ethernetFcs } from "../host/util/crc32";
import { Rng } from "../host/util/rng";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const OTHER = [0x02, 0, 0, 0, 0, 0x77];

test("a unicast frame to our MAC: buffer, length, DD|EOP|IXSM, RDH advanced, RXT0, counters", () => {
  const rig = new NicRig();
  const rx = rig.rxRing();
  const f = ethFrame(RIG_MAC, 100);
  assert.ok(rig.nic.receive(f));
  const d = rx.desc(0);
  assert.is(d.length, f.length);
  assert.is(d.status, R.RXD_STA_DD | R.RXD_STA_EOP | R.RXD_STA_IXSM);
  assert.is(hex(rx.data(0)), hex(f));
  assert.is(rig.rd(R.REG_RDH), 1);
  assert.ok(rig.rd(R.REG_ICR) & R.ICR_RXT0);
  assert.is(rig.rd(R.REG_GPRC), 1);
  assert.is(rig.rd(R.REG_TPR), 1);
  assert.is(rig.rd(R.REG_GORCL), f.length + 4);
  assert.is(rig.rd(R.REG_PRC127), 1);
});

test("short frames are padded to 60 bytes", () => {
  const rig = new NicRig();
  const rx = rig.rxRing();
  const f = ethFrame(RIG_MAC, 3);
  rig.nic.receive(f);
  assert.is(rx.desc(0).length, 60);
  assert.is(hex(rx.data(0).subarray(0, f.length)), hex(f));
  assert.ok(rx.data(0).subarray(f.length).every((b) => b === 0));
});

test("RCTL.SECRC clear: the FCS is in the buffer and counted in the length", () => {
  const rig = new NicRig();
  const rx = rig.rxRing({ rctl: R.RCTL_EN });
  const f = ethFrame(RIG_MAC, 200);
  rig.nic.receive(f);
  assert.is(rx.desc(0).length, f.length + 4);
  assert.is(hex(rx.data(0)), hex(Uint8Array.from([...f, ...ethernetFcs(f)])));
});

test("address filter: unicast, other RA entries, broadcast (BAM), promiscuous (UPE/MPE)", () => {
  const cases: { dst: number[] | Uint8Array; rctl: number; setup?: (rig: NicRig) => void; accept: boolean; why: string }[] = [
    { dst: RIG_MAC, rctl: 0, accept: true, why: "RA0 exact match" },
    { dst: OTHER, rctl: 0, accept: false, why: "other unicast" },
    { dst: OTHER, rctl: R.RCTL_UPE, accept: true, why: "UPE" },
    { dst: OTHER, rctl: 0, setup: (r) => { r.wr(R.REG_RAL0 + 8 * 5, 0x00000002); r.wr(R.REG_RAH0 + 8 * 5, (0x7700 | R.RAH_AV) >>> 0); }, accept: true, why: "RA5 with AV" },
    { dst: OTHER, rctl: 0, setup: (r) => { r.wr(R.REG_RAL0 + 8 * 5, 0x00000002); r.wr(R.REG_RAH0 + 8 * 5, 0x7700); }, accept: false, why: "RA5 without AV" },
    { dst: RIG_MAC, rctl: 0, setup: (r) => r.wr(R.REG_RAH0, 0x0100), accept: false, why: "RA0 with AV cleared" },
    { dst: BROADCAST, rctl: R.RCTL_BAM, accept: true, why: "broadcast with BAM" },
    { dst: BROADCAST, rctl: 0, accept: false, why: "broadcast without BAM" },
    { dst: [0x01, 0, 0x5e, 0, 0, 9], rctl: 0, accept: false, why: "multicast, empty MTA" },
    { dst: [0x01, 0, 0x5e, 0, 0, 9], rctl: R.RCTL_MPE, accept: true, why: "MPE" },
    { dst: [0x33, 0x33, 0, 0, 0, 1], rctl: R.RCTL_UPE, accept: false, why: "UPE does not pass multicast" },
  ];
  for (const c of cases) {
    const rig = new NicRig();
    rig.rxRing({ rctl: R.RCTL_EN | R.RCTL_SECRC | c.rctl });
    c.setup?.(rig);
    assert.is(rig.nic.receive(ethFrame(c.dst, 50)), c.accept, c.why);
    assert.is(rig.nic.counters.rxFiltered, c.accept ? 0 : 1, c.why);
  }
});

/** SDM §13.5.1 from first principles: the address as a 48-bit number, byte 0 in bits 7:0. */
function sdmHash(dst: number[], mo: number): number {
  let v = 0n;
  dst.forEach((b, i) => (v |= BigInt(b) << BigInt(8 * i)));
  const lowBit = [36, 35, 34, 32][mo];
  return Number((v >> BigInt(lowBit)) & 0xfffn);
}

test("multicast: the MTA hash for every RCTL.MO matches SDM §13.5.1; a set bit accepts", () => {
  const rng = new Rng(5);
  for (let mo = 0; mo < 4; mo++) {
    for (let k = 0; k < 50; k++) {
      const dst = [0x01, ...Array.from({ length: 5 }, () => rng.int(256))];
      const rctl = R.RCTL_EN | R.RCTL_SECRC | (mo << R.RCTL_MO_SHIFT);
      const h = sdmHash(dst, mo);
      assert.is(mtaHash(Uint8Array.from(dst), rctl), h);
      const rig = new NicRig();
      rig.rxRing({ rctl });
      rig.wr(R.REG_MTA + 4 * (h >>> 5), 1 << (h & 31));
      assert.ok(rig.nic.receive(ethFrame(dst, 50)), `MO ${mo} hash ${h}`);
      rig.wr(R.REG_MTA + 4 * (h >>> 5), ~(1 << (h & 31)));
      assert.not.ok(rig.nic.receive(ethFrame(dst, 50)), `MO ${mo} hash ${h}, bit clear`);
    }
  }
  // 01:00:5e:00:00:01 with MO 0: the datasheet example style — bits [47:36] of the address
  assert.is(mtaHash(Uint8Array.from([0x01, 0, 0x5e, 0, 0, 0x01]), 0), 0x010);
});

test("RDH == RDT: overrun — RXO, MPC and RNBC count, nothing written", () => {
  const rig = new NicRig();
  const rx = rig.rxRing({ slots: 8 });
  rig.wr(R.REG_RDT, 0); // RDH 0 == RDT 0: no descriptor for the NIC
  const before = rig.mem.slice(rx.ringOff, rx.ringOff + 128);
  assert.not.ok(rig.nic.receive(ethFrame(RIG_MAC, 60)));
  assert.ok(rig.rd(R.REG_ICR) & R.ICR_RXO);
  assert.is(rig.rd(R.REG_MPC), 1);
  assert.is(rig.rd(R.REG_RNBC), 1);
  assert.is(rig.rd(R.REG_MPC), 0, "clear on read");
  assert.is(hex(rig.mem.slice(rx.ringOff, rx.ringOff + 128)), hex(before));
  assert.is(rig.rd(R.REG_RDH), 0);
});

test("the descriptor is written first with DD clear, then its status byte with DD, last", () => {
  const rig = new NicRig();
  const rx = rig.rxRing();
  const writes: { off: number; len: number; dd: boolean }[] = [];
  const write = rig.dma.write.bind(rig.dma);
  rig.dma.write = (phys, bytes) => {
    const off = phys - rig.phys(0);
    const statusAt = off === rx.descOff(0) ? R.RXD_OFF_STATUS : off === rx.descOff(0) + R.RXD_OFF_STATUS ? 0 : -1;
    writes.push({ off, len: bytes.length, dd: statusAt >= 0 && (bytes[statusAt] & R.RXD_STA_DD) !== 0 });
    return write(phys, bytes);
  };
  rig.nic.receive(ethFrame(RIG_MAC, 100));
  assert.equal(writes, [
    { off: rx.bufferOff(0), len: 114, dd: false },
    { off: rx.descOff(0), len: 16, dd: false },
    { off: rx.descOff(0) + R.RXD_OFF_STATUS, len: 1, dd: true },
  ]);
});

test("a descriptor with buffer address 0 is skipped: DD without EOP or data, the frame lands in the next", () => {
  const rig = new NicRig();
  const rx = rig.rxRing();
  rx.arm(0, 0);
  const f = ethFrame(RIG_MAC, 80);
  assert.ok(rig.nic.receive(f));
  assert.is(rx.desc(0).status, R.RXD_STA_DD);
  assert.is(rx.desc(0).length, 0);
  assert.is(rx.desc(1).status & R.RXD_STA_EOP, R.RXD_STA_EOP);
  assert.is(hex(rx.data(1)), hex(f));
  assert.is(rig.rd(R.REG_RDH), 2);
  assert.equal(rx.harvest().map(hex), [hex(f)]);
});

test("wrap: 100 frames through an 8-slot ring, harvested by DD, RDT one behind", () => {
  const rig = new NicRig();
  const rx = rig.rxRing({ slots: 8 });
  const got: Uint8Array[] = [];
  const frames = Array.from({ length: 100 }, (_, i) => ethFrame(RIG_MAC, 46 + i));
  frames.forEach((f, i) => {
    assert.ok(rig.nic.receive(f), `frame ${i}`);
    if (i % 5 === 4) got.push(...rx.harvest());
  });
  got.push(...rx.harvest());
  assert.equal(got.map(hex), frames.map(hex));
  assert.is(rig.rd(R.REG_RDH), 100 % 8);
});

test("a frame larger than the buffer spans descriptors, EOP on the last (BSIZE 256)", () => {
  const rig = new NicRig();
  const rx = rig.rxRing({ slots: 8, bufSize: 256, rctl: R.RCTL_EN | R.RCTL_SECRC | (3 << R.RCTL_BSIZE_SHIFT) });
  const f = ethFrame(RIG_MAC, 1000);
  assert.ok(rig.nic.receive(f));
  const lens = [0, 1, 2, 3].map((i) => rx.desc(i).length);
  assert.equal(lens, [256, 256, 256, f.length - 768]);
  assert.equal([0, 1, 2, 3].map((i) => rx.desc(i).status & R.RXD_STA_EOP), [0, 0, 0, R.RXD_STA_EOP]);
  assert.equal(rx.harvest().map(hex), [hex(f)]);
  // one free descriptor of 256 bytes cannot hold another: overrun, not a partial frame
  rig.wr(R.REG_RDT, 5);
  assert.not.ok(rig.nic.receive(f));
  assert.ok(rig.rd(R.REG_ICR) & R.ICR_RXO);
});

test("RXDMT0 when free descriptors fall to RCTL.RDMTS (1/2, 1/4, 1/8) of the ring", () => {
  // 8 slots, RDT 7: after i frames RDH = i and 7 - i descriptors are free; QEMU raises RXDMT0
  // when free * 16 <= RDLEN >> (RDMTS + 1), i.e. free <= 4, 2, 1.
  for (const [rdmts, firstFrame] of [[0, 3], [1, 5], [2, 6]] as const) {
    const rig = new NicRig();
    rig.rxRing({ slots: 8, rctl: R.RCTL_EN | R.RCTL_SECRC | (rdmts << R.RCTL_RDMTS_SHIFT) });
    const raised: boolean[] = [];
    for (let i = 1; i <= 7; i++) {
      rig.nic.receive(ethFrame(RIG_MAC, 50));
      const icr = rig.rd(R.REG_ICR);
      assert.ok(icr & R.ICR_RXT0);
      raised.push((icr & R.ICR_RXDMT0) !== 0);
    }
    assert.equal(raised, Array.from({ length: 7 }, (_, k) => k + 1 >= firstFrame), `RDMTS ${rdmts}`);
  }
});

test("oversize frames are dropped without LPE (ROC), accepted with it", () => {
  const rig = new NicRig();
  const rx = rig.rxRing({ bufSize: 2048 });
  const big = ethFrame(RIG_MAC, 1600);
  assert.not.ok(rig.nic.receive(big));
  assert.is(rig.rd(R.REG_ROC), 1);
  rig.wr(R.REG_RCTL, rig.rd(R.REG_RCTL) | R.RCTL_LPE);
  assert.ok(rig.nic.receive(big));
  assert.is(hex(rx.data(0)), hex(big));
  rig.wr(R.REG_RCTL, rig.rd(R.REG_RCTL) & ~R.RCTL_LPE);
  assert.ok(rig.nic.receive(ethFrame(RIG_MAC, 1518 - 14)), "1518 bytes (VLAN-tagged maximum) pass without LPE");
  assert.not.ok(rig.nic.receive(ethFrame(RIG_MAC, 1518 - 14 + 1)));
});

test("no reception with the receiver disabled or the link down", () => {
  const rig = new NicRig();
  rig.rxRing({ rctl: R.RCTL_SECRC });
  assert.not.ok(rig.nic.receive(ethFrame(RIG_MAC, 50)));
  rig.wr(R.REG_RCTL, R.RCTL_EN | R.RCTL_SECRC);
  rig.nic.setLink(false);
  assert.not.ok(rig.nic.receive(ethFrame(RIG_MAC, 50)));
  rig.nic.setLink(true);
  assert.ok(rig.nic.receive(ethFrame(RIG_MAC, 50)));
  assert.is(rig.nic.counters.rxDropped, 2);
  assert.is(rig.rd(R.REG_GPRC), 1);
});

test("RX buffer outside every DMA window: counted, frame dropped, RDH unchanged", () => {
  const rig = new NicRig();
  const rx = rig.rxRing();
  rx.arm(0, 0x7_0000_0000);
  assert.not.ok(rig.nic.receive(ethFrame(RIG_MAC, 50)));
  assert.is(rig.nic.counters.dmaErrors, 1);
  assert.is(rig.rd(R.REG_RDH), 0);
  assert.is(rx.desc(0).status, 0);
});

test.run();
