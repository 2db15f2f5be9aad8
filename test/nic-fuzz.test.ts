// Property test of the NIC model under random register writes, garbage rings, random frames
// and every fault mode: it never throws, its DMA writes land only on the upper dwords of
// descriptors it fetched (TX), on RX descriptors and the buffers they named (RX), an unfaulted doorbell
// always drains the ring or trips the bogus-ring guard, and the statistics registers agree
// with what reached the wire and host memory.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../assembly/shared/e1000";
import { NicRig, RIG_MAC, RIG_PHYS, RIG_MEM, ethFrame, BROADCAST } from "./helpers/nic";
import { Rng } from "../host/util/rng";
import { physAddress } from "../host/nic/dma";
import { rxBufferSize } from "../host/nic/e1000-rx";

const STEPS = 4000;

for (const txQueues of [1, 4]) {
  for (const seed of [1, 2, 3]) {
    test(`${txQueues === 1 ? "e1000" : "i210"} seed ${seed}: ${STEPS} random operations keep the invariants`, () => {
      const rng = new Rng(seed * 1000 + txQueues);
      const rig = new NicRig({ txQueues, seed, queueEnableLatencyNs: 2_000 });
      const nic = rig.nic;
      // fill memory with garbage descriptors and buffers
      rig.mem.set(rng.bytes(RIG_MEM));
      const txRings = Array.from({ length: txQueues }, (_, q) => rig.txRing({ queue: q, slots: 8 + 8 * rng.int(4) }));
      rig.rxRing({ slots: 16, rctl: R.RCTL_EN | R.RCTL_BAM | R.RCTL_SECRC });

      // Track what the NIC reads so its writes can be judged.
      const rxBufferAddrs = new Set<number>();
      const read = rig.dma.read.bind(rig.dma);
      const write = rig.dma.write.bind(rig.dma);
      const bad: string[] = [];
      const fetched = new Set<number>(); // every descriptor the NIC read
      const rxRingBase = () => physAddress(nic.reg(R.REG_RDBAL) & ~0xf, nic.reg(R.REG_RDBAH));
      rig.dma.read = (phys, len) => {
        const d = read(phys, len);
        if (d && len === R.DESC_SIZE) fetched.add(phys);
        const rdba = rxRingBase();
        if (d && len === R.DESC_SIZE && phys >= rdba && (phys - rdba) % 16 === 0 && phys - rdba < 16 * 0x10000) {
          const v = new DataView(d.buffer);
          rxBufferAddrs.add(physAddress(v.getUint32(0, true), v.getUint32(4, true)));
        }
        return d;
      };
      rig.dma.write = (phys, bytes) => {
        const rdba = rxRingBase();
        // TX writes back only the upper dword of a descriptor it fetched (maybe from a ring
        // base since changed: a deferred write-back lands where the descriptor was read)
        const okTx = bytes.length === 4 && fetched.has(phys - 12);
        const okRxDesc = (bytes.length === 16 && phys >= rdba && (phys - rdba) % 16 === 0) || (bytes.length === 1 && phys >= rdba && (phys - rdba) % 16 === 12);
        const okRxBuf = rxBufferAddrs.has(phys) && bytes.length <= rxBufferSize(nic.reg(R.REG_RCTL));
        if (!okTx && !okRxDesc && !okRxBuf) bad.push(`write of ${bytes.length} at 0x${phys.toString(16)}`);
        return write(phys, bytes);
      };
      nic.attach(() => {});

      let gptc = 0;
      let gprc = 0;
      for (let step = 0; step < STEPS; step++) {
        const q = rng.int(txQueues);
        const qb = R.txQueueBase(q);
        switch (rng.int(14)) {
          case 0:
          case 1:
          case 2: { // a doorbell somewhere in (or beyond) the ring
            const ring = txRings[q];
            const unfaulted = !nic.faults.tx[q].frozen && nic.faults.tx[q].deferNs === 0 && nic.link &&
              nic.faults.tx[q].loseNext === 0 && nic.faults.tx[q].loseProbability === 0 &&
              (nic.reg(R.REG_TCTL) & R.TCTL_EN) !== 0 && nic.txQueues[q].enabled;
            const bogusBefore = nic.counters.txBogusRing;
            rig.wr(qb + R.TXQ_OFF_TDT, rng.bool(0.9) ? rng.int(ring.slots) : rng.int(0x10000));
            if (unfaulted && nic.reg(qb + R.TXQ_OFF_TDH) !== nic.reg(qb + R.TXQ_OFF_TDT) && nic.counters.txBogusRing === bogusBefore) {
              bad.push(`step ${step}: doorbell left TDH ${nic.reg(qb + R.TXQ_OFF_TDH)} != TDT ${nic.reg(qb + R.TXQ_OFF_TDT)} without the guard`);
            }
            break;
          }
          case 3: // garbage into a descriptor
            rig.mem.set(rng.bytes(16), txRings[q].descOff(rng.int(txRings[q].slots)));
            break;
          case 4: // a well-formed frame somewhere in the ring
            txRings[q].tail = rng.int(txRings[q].slots);
            txRings[q].put(ethFrame(BROADCAST, 46 + rng.int(1400)), { rs: rng.pick(["last", "all", "none"] as const) });
            break;
          case 5:
          case 6: { // receive
            rxBufferAddrs.clear();
            const dst = rng.pick([RIG_MAC, Uint8Array.from(BROADCAST), Uint8Array.of(2, 0, 0, 0, 0, 5)]);
            nic.receive(ethFrame(dst, rng.int(1600)));
            break;
          }
          case 7: // software refills RX: RDT somewhere
            rig.wr(R.REG_RDT, rng.int(16));
            break;
          case 8: // odd register values
            rig.wr(rng.pick([qb + R.TXQ_OFF_TDLEN, qb + R.TXQ_OFF_TDH, R.REG_RDH, R.REG_RDLEN, R.REG_RCTL, R.REG_IMS, R.REG_ICS, R.REG_TCTL]), rng.u32());
            // keep the rings inside memory most of the time, so DMA gets exercised
            if (rng.bool(0.7)) {
              rig.wr(qb + R.TXQ_OFF_TDLEN, txRings[q].slots * 16);
              rig.wr(R.REG_RDLEN, 16 * 16);
              rig.wr(R.REG_RCTL, R.RCTL_EN | R.RCTL_BAM | R.RCTL_SECRC | (rng.int(4) << R.RCTL_BSIZE_SHIFT));
              rig.wr(R.REG_TCTL, R.TCTL_EN | R.TCTL_PSP);
            }
            break;
          case 9: { // a fault
            const f = rng.int(7);
            if (f === 0) nic.faults.freezeTx({ queue: q, survivesReset: rng.bool(0.3) });
            else if (f === 1) nic.faults.thawTx(q);
            else if (f === 2) nic.faults.deferTx(rng.bool() ? 0 : rng.int(50_000), { queue: q, mode: rng.pick(["writeback", "engine"] as const) });
            else if (f === 3) nic.setLink(rng.bool(0.7));
            else if (f === 4) nic.faults.loseDoorbells({ queue: q, count: rng.int(3), probability: rng.bool(0.8) ? 0 : 0.5 });
            else if (f === 5) nic.faults.linkDownTx = rng.pick(["stall", "drop"] as const);
            else nic.faults.clear();
            break;
          }
          case 10: // the ring somewhere else, sometimes outside every window
            rig.wr(qb + R.TXQ_OFF_TDBAL, rng.bool(0.8) ? (RIG_PHYS + txRings[q].ringOff) % 2 ** 32 : rng.u32());
            rig.wr(qb + R.TXQ_OFF_TDBAH, rng.bool(0.8) ? Math.floor((RIG_PHYS + txRings[q].ringOff) / 2 ** 32) : rng.u32());
            break;
          case 11: // time passes
            rig.clock.advance(rng.int(20_000));
            break;
          case 12: // device reset now and then; reprogram like a driver would
            if (rng.bool(0.1)) {
              gptc += rig.rd(R.REG_GPTC); // a reset clears the statistics
              gprc += rig.rd(R.REG_GPRC);
              rig.wr(R.REG_CTRL, R.CTRL_RST);
              txRings.forEach((r) => rig.txRing({ queue: r.queue, ringOff: r.ringOff, slots: r.slots, bufOff: r.bufOff }));
              rig.rxRing({ slots: 16, rctl: R.RCTL_EN | R.RCTL_BAM | R.RCTL_SECRC });
              rxBufferAddrs.clear();
            }
            break;
          case 13: // software reads statistics (clear on read)
            gptc += rig.rd(R.REG_GPTC);
            gprc += rig.rd(R.REG_GPRC);
            rig.rd(R.REG_ICR);
            break;
        }
        assert.ok(nic.reg(qb + R.TXQ_OFF_TDH) <= 0xffff && nic.reg(R.REG_RDH) <= 0xffff);
      }
      rig.clock.runUntilIdle();
      gptc += rig.rd(R.REG_GPTC);
      gprc += rig.rd(R.REG_GPRC);
      assert.equal(bad.slice(0, 5), []);
      assert.is(gptc, nic.counters.txFrames, "GPTC = frames on the wire");
      assert.is(gprc, nic.counters.rxFrames, "GPRC = frames in host memory");
      assert.ok(nic.counters.txFrames > 50 && nic.counters.rxFrames > 50, `exercised: tx ${nic.counters.txFrames} rx ${nic.counters.rxFrames}`);
    });
  }
}

test.run();
