// The virtual wire: latency, serialization at the link rate with frames queueing, loss,
// duplication and reordering from a seeded Rng, carrier loss reaching the NICs (LSC), NIC
// ports and simple hosts on one link, identical pcap bytes for identical seeds, and tshark
// reading the taps.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import * as R from "../assembly/shared/e1000";
import { SimClock } from "../host/sim/clock";
import { Link, SimpleHost, Wire, serializationNs } from "../host/sim/wire";
import { readPcap } from "../host/pcap";
import { NicRig, RIG_MAC, ethFrame } from "./helpers/nic";
import { requireTshark, tmpDir, fields, expertItems } from "./helpers/tshark";

const mac = (n: number) => Uint8Array.of(0x02, 0, 0, 0, 0, n);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function pair(opts: ConstructorParameters<typeof Link>[3] = {}) {
  const clock = new SimClock();
  const a = new SimpleHost("a", mac(1), clock);
  const b = new SimpleHost("b", mac(2), clock);
  const link = new Link(clock, a, b, opts);
  return { clock, a, b, link };
}

test("one frame: arrival = serialization (preamble, frame padded to 60, FCS) + latency", () => {
  const { clock, a, b } = pair({ latencyNs: 500 });
  a.send(ethFrame(mac(2), 10)); // 24 bytes, padded to 60 on the wire
  clock.runUntilIdle();
  assert.is(b.received.length, 1);
  assert.is(b.received[0].t, (8 + 60 + 4) * 8 + 500); // 576 ns at 1 Gb/s
  assert.is(b.received[0].frame.length, 24, "the receiver gets the frame as sent; padding is the NIC's business");
});

test("bandwidth: back-to-back frames queue and arrive one frame time + inter-frame gap apart", () => {
  for (const bps of [1e9, 100e6, 10e6]) {
    const { clock, a, b } = pair({ latencyNs: 0, bitsPerSecond: bps });
    for (let i = 0; i < 10; i++) a.send(ethFrame(mac(2), 1500));
    clock.runUntilIdle();
    const t = b.received.map((r) => r.t);
    const frameNs = serializationNs(8 + 1514 + 4, bps);
    const gapNs = serializationNs(12, bps);
    assert.is(t[0], frameNs);
    for (let i = 1; i < t.length; i++) assert.is(t[i] - t[i - 1], frameNs + gapNs, `${bps} b/s frame ${i}`);
    // throughput of the payload-bearing bytes matches the rate to within rounding
    const bits = 10 * (8 + 1518 + 12) * 8;
    assert.ok(Math.abs(bits / ((t[9] + gapNs) / 1e9) - bps) / bps < 1e-6);
  }
});

test("a later frame waits for the wire only while it is busy", () => {
  const { clock, a, b } = pair({ latencyNs: 100 });
  a.send(ethFrame(mac(2), 46));
  clock.advance(10_000);
  a.send(ethFrame(mac(2), 46));
  clock.runUntilIdle();
  assert.equal(b.received.map((r) => r.t), [576 + 100, 10_000 + 576 + 100]);
});

test("directions are independent (full duplex)", () => {
  const { clock, a, b } = pair({ latencyNs: 0 });
  a.send(ethFrame(mac(2), 46));
  b.send(ethFrame(mac(1), 46));
  clock.runUntilIdle();
  assert.is(a.received[0].t, 576);
  assert.is(b.received[0].t, 576);
});

test("loss, duplication, reordering: rates near their probabilities, counted, replayable", () => {
  const run = (seed: number) => {
    const { clock, a, b, link } = pair({ latencyNs: 1000, loss: 0.1, duplicate: 0.05, reorder: 0.1, reorderDelayNs: 5_000, seed });
    for (let i = 0; i < 2000; i++) {
      a.send(ethFrame(mac(2), Uint8Array.of(i >> 8, i & 0xff, ...new Array(44).fill(0))));
      clock.advance(1_000);
    }
    clock.runUntilIdle();
    const ids = b.received.map((r) => (r.frame[14] << 8) | r.frame[15]);
    return { ids, stats: link.stats.ab, pcap: link.pcap.bytes() };
  };
  const r = run(7);
  const s = r.stats;
  assert.is(s.sent, 2000);
  assert.is(s.delivered, s.sent - s.lost + s.duplicated);
  assert.ok(s.lost > 150 && s.lost < 250, `lost ${s.lost}`);
  assert.ok(s.duplicated > 60 && s.duplicated < 140, `duplicated ${s.duplicated}`);
  assert.ok(s.reordered > 150 && s.reordered < 250, `reordered ${s.reordered}`);
  const inversions = r.ids.filter((id, i) => i > 0 && id < r.ids[i - 1]).length;
  assert.ok(inversions > 100, `reordering visible: ${inversions} inversions`);
  const dups = r.ids.length - new Set(r.ids).size;
  assert.is(dups, s.duplicated, "a lost frame is never duplicated");
  assert.is(new Set(r.ids).size, 2000 - s.lost);
  const again = run(7);
  assert.equal(again.ids, r.ids);
  assert.ok(again.pcap.equals(r.pcap), "same seed: identical pcap bytes");
  assert.not.ok(run(8).pcap.equals(r.pcap), "another seed: another capture");
});

test("queue limit: frames beyond it are tail-dropped before the wire", () => {
  const { clock, a, b, link } = pair({ queueLimit: 3, bitsPerSecond: 1e6 });
  for (let i = 0; i < 10; i++) a.send(ethFrame(mac(2), 46));
  clock.runUntilIdle();
  assert.is(b.received.length, 3);
  assert.is(link.stats.ab.dropped, 7);
});

test("carrier: link down drops frames (in flight too) and the NIC sees LSC; up again restores", () => {
  const rig = new NicRig();
  // put the rig's NIC on a real link (its own recorder is replaced by the link)
  const host = new SimpleHost("h", mac(9), rig.clock);
  const link = new Link(rig.clock, rig.nic, host, { latencyNs: 10_000 });
  const tx = rig.txRing();
  rig.rxRing();
  rig.rd(R.REG_ICR);
  tx.put(ethFrame(mac(9), 46));
  tx.ring();
  link.setUp(false); // the frame is on its way: lost
  assert.ok(rig.rd(R.REG_ICR) & R.ICR_LSC);
  assert.is(rig.rd(R.REG_STATUS) & R.STATUS_LU, 0);
  assert.not.ok(host.carrier);
  host.send(ethFrame(RIG_MAC, 46));
  rig.clock.runUntilIdle();
  assert.is(host.received.length, 0);
  assert.is(link.stats.ab.lost, 1);
  assert.is(link.stats.ba.dropped, 1);
  link.setUp(true);
  assert.ok(rig.rd(R.REG_STATUS) & R.STATUS_LU);
  host.send(ethFrame(RIG_MAC, 46));
  rig.clock.runUntilIdle();
  assert.is(rig.nic.counters.rxFrames, 1);
});

test("NIC to host and back through a link: DMA ring → wire → host, host → wire → RX ring", () => {
  const rig = new NicRig();
  const host = new SimpleHost("peer", mac(7), rig.clock);
  const link = new Link(rig.clock, rig.nic, host, { latencyNs: 2_000 });
  const tx = rig.txRing();
  const rx = rig.rxRing();
  const out = ethFrame(mac(7), 100, RIG_MAC);
  tx.put(out);
  tx.ring();
  host.onFrame = (f) => host.send(ethFrame(f.subarray(6, 12), f.subarray(14), mac(7))); // echo
  rig.clock.runUntilIdle();
  assert.is(hex(host.received[0].frame), hex(out));
  assert.is(host.received[0].t, serializationNs(8 + out.length + 4, 1e9) + 2_000);
  const back = rx.harvest();
  assert.is(back.length, 1);
  assert.is(hex(back[0].subarray(14)), hex(out.subarray(14)));
  assert.is(link.stats.ab.delivered, 1);
  assert.is(link.stats.ba.delivered, 1);
});

test("a Wire derives each link's seed from one seed; tshark reads every tap", () => {
  requireTshark();
  const build = (seed: number) => {
    const clock = new SimClock();
    const wire = new Wire(clock, seed);
    const hosts = [1, 2, 3, 4].map((n) => new SimpleHost(`h${n}`, mac(n), clock));
    wire.connect(hosts[0], hosts[1], { loss: 0.2, reorder: 0.2, name: "h1-h2" });
    wire.connect(hosts[2], hosts[3], { duplicate: 0.3, bitsPerSecond: 100e6, name: "h3-h4" });
    for (let i = 0; i < 300; i++) {
      hosts[i % 4].send(ethFrame(mac([2, 1, 4, 3][i % 4]), 46 + (i % 50), mac((i % 4) + 1)));
      clock.advance(3_000);
    }
    clock.runUntilIdle();
    return { wire, hosts };
  };
  const dir = tmpDir("wire");
  try {
    const { wire, hosts } = build(99);
    const files = wire.savePcaps(dir);
    assert.equal(files.map((f) => path.basename(f)), ["h1-h2.pcap", "h3-h4.pcap"]);
    const again = build(99).wire;
    wire.links.forEach((l, i) => assert.ok(l.pcap.bytes().equals(again.links[i].pcap.bytes()), `${l.name} replays`));
    for (const [i, file] of files.entries()) {
      const link = wire.links[i];
      const rows = fields(file, ["frame.time_epoch", "eth.src", "eth.dst", "frame.len"]);
      const delivered = link.stats.ab.delivered + link.stats.ba.delivered;
      assert.is(rows.length, delivered, `${link.name}: tshark sees every delivered frame`);
      assert.is(delivered, hosts[2 * i].received.length + hosts[2 * i + 1].received.length);
      // nanosecond timestamps survive: tshark's times equal the simulated arrival times
      const recs = readPcap(fs.readFileSync(file));
      rows.forEach((r, k) => {
        assert.is(Math.round(Number(r["frame.time_epoch"]) * 1e9), recs[k].timeNs!, `${link.name} frame ${k + 1}`);
        if (k > 0) assert.ok(recs[k].timeNs! >= recs[k - 1].timeNs!, "capture in time order");
      });
      assert.equal(expertItems(file).filter((e) => e.severity === "error"), []);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("bad link options are refused", () => {
  const clock = new SimClock();
  const a = new SimpleHost("a", mac(1), clock);
  const b = new SimpleHost("b", mac(2), clock);
  assert.throws(() => new Link(clock, a, b, { loss: 1.5 }), /probability/);
  assert.throws(() => new Link(clock, a, b, { bitsPerSecond: 0 }), /positive/);
  assert.throws(() => new Link(clock, a, b, { latencyNs: 1.5 }), /integer/);
});

test.run();
