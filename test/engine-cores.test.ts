// Two switching cores: two engine contexts of one core instance, each polling its own RX
// queue (context 0 the clients' port, context 1 the back ends' port and the DOWN punt ring),
// both transmitting on any port. They share the instance's memory: the connection table one
// creates an entry in is the one the other finds the reply in; a load-distribution flip is
// seen by both; existing connections keep their back end whichever core sees their packets.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as S from "../assembly/shared/status";
import { engineRig, slotBuffers } from "./helpers/engine-rig";
import {
  PORT_CLIENTS, PORT_BACKENDS, MAC_PORT0, MAC_PORT1, MAC_ROUTER, VIP4, CP4, BE_PORT,
  backendMac, backendIp4, clientIp4,
} from "../host/campaign/switch-fixture";
import { frame, parse, TCP, hex } from "../host/campaign/frames";
import { Rng } from "../host/util/rng";

const eq = (a: Uint8Array, b: Uint8Array) => hex(a) === hex(b);
const TWO_CORES = [{ rxPorts: [PORT_CLIENTS] }, { rxPorts: [PORT_BACKENDS], inject: true }];

const clientSeg = (c: number, flags: number) =>
  frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(c), dst: VIP4, proto: "tcp", sport: 30000 + (c % 20000), dport: 80, flags, seq: c });
const serverSeg = (be: number, c: number, flags: number) =>
  frame({ dstMac: MAC_PORT1, srcMac: backendMac(be), src: backendIp4(be), dst: clientIp4(c), proto: "tcp", sport: BE_PORT, dport: 30000 + (c % 20000), flags, seq: 9 });

test("core 0 opens the connection, core 1 finds it for the reply: one shared connection table", () => {
  const r = engineRig({ contexts: TWO_CORES });
  r.receive(PORT_CLIENTS, [clientSeg(1, TCP.SYN)]);
  assert.is(r.engine.poll(1, 1000), 0, "core 1's queue is empty; it does not touch port 0's");
  assert.is(r.engine.poll(0, 1000), 1);
  const to = parse(r.wire[PORT_BACKENDS][0]);
  const be = [0, 1, 2, 3].find((i) => eq(to.dst, backendIp4(i)))!;
  assert.ok(be !== undefined);
  r.receive(PORT_BACKENDS, [serverSeg(be, 1, TCP.SYN | TCP.ACK)]);
  assert.is(r.engine.poll(0, 1001), 0);
  assert.is(r.engine.poll(1, 1001), 1);
  const back = r.wire[PORT_CLIENTS][0];
  const p = parse(back);
  assert.ok(eq(p.src, VIP4) && p.sport === 80 && eq(back.subarray(0, 6), MAC_ROUTER), "reverse NAT by core 1 with core 0's entry");
  assert.ok(p.ipChecksumOk && p.l4ChecksumOk);
  const [c0, c1] = [r.engine.counters(0), r.engine.counters(1)];
  assert.equal([c0.rx, c0.forward, c0.tx_port1, c0.tx_port0], [1, 1, 1, 0]);
  assert.equal([c1.rx, c1.forward, c1.tx_port0, c1.tx_port1], [1, 1, 1, 0]);
  assert.is(r.core.exports.eng_rx_claim(1, PORT_CLIENTS, 0), S.E_ENG_OWNED, "a queue has one owner");
});

test("both cores transmit on port 0 (core 0's RSTs, core 1's replies and punt answers): each rings its own doorbell", () => {
  const r = engineRig({ contexts: TWO_CORES });
  r.receive(PORT_CLIENTS, [clientSeg(2, TCP.SYN)]);
  r.engine.poll(0, 1000);
  const be = [0, 1, 2, 3].find((i) => eq(parse(r.wire[PORT_BACKENDS][0]).dst, backendIp4(i)))!;
  r.log.length = 0;
  // core 0: two segments to a closed port (RSTs out of port 0) and an echo to the CP (punted)
  r.receive(PORT_CLIENTS, [
    frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(3), dst: VIP4, proto: "tcp", dport: 81 }),
    frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(4), dst: VIP4, proto: "tcp", dport: 82 }),
    frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(5), dst: CP4, proto: "icmp" }),
  ]);
  r.receive(PORT_BACKENDS, [serverSeg(be, 2, TCP.SYN | TCP.ACK), serverSeg(be, 2, TCP.ACK)]);
  r.engine.poll(0, 1001);
  r.engine.poll(1, 1001);
  const tdt = r.log.filter((a) => a.kind === "w" && a.port === PORT_CLIENTS && a.offset === 0x3818).map((a) => a.value);
  assert.equal(tdt, [2, 5], "core 0 rang for its 2 RSTs, core 1 for its 2 replies and the echo reply");
  assert.is(r.wire[PORT_CLIENTS].length, 5);
  const kinds = r.wire[PORT_CLIENTS].map((f) => parse(f)).map((p) => (p.proto === 1 ? "echo-reply" : p.flags & TCP.RST ? "rst" : "reply"));
  assert.equal(kinds, ["rst", "rst", "reply", "reply", "echo-reply"]);
});

test("2,000 connections across both cores and two table flips: every packet of a connection reaches one back end", () => {
  const r = engineRig({ contexts: TWO_CORES, backends: 6 });
  const rng = new Rng(31);
  const beOf = new Map<number, number>(); // client -> back end its first packet went to
  const moved: number[] = [];
  let resets = 0;
  let clientPackets = 0;
  let tick = 1000;
  const flips = [600, 1300];
  const tables = [[0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4], [0, 2, 3, 4]]; // remove be5, then be1 (drained: still up)
  let open = 0;
  for (let step = 0; step < 2000; step++) {
    if (flips.includes(step)) r.publish(tables[flips.indexOf(step) + 1]);
    // a new client every step, plus data on a random open connection
    const batch: number[] = [open++];
    for (let k = 0; k < 3 && open > 1; k++) batch.push(rng.int(open - 1));
    r.receive(PORT_CLIENTS, batch.map((c) => clientSeg(c, c === open - 1 ? TCP.SYN : TCP.ACK)));
    clientPackets += batch.length;
    // the two cores in varying order
    const order = rng.bool() ? [0, 1] : [1, 0];
    for (const ctx of order) r.engine.poll(ctx, tick);
    for (const f of r.wire[PORT_BACKENDS].splice(0)) {
      const p = parse(f);
      const be = [0, 1, 2, 3, 4, 5].find((i) => eq(p.dst, backendIp4(i)))!;
      const c = p.sport - 30000;
      if (!beOf.has(c)) beOf.set(c, be);
      else if (beOf.get(c) !== be) moved.push(c);
      // the back end answers every segment: core 1 reverse-NATs it with core 0's entry
      r.receive(PORT_BACKENDS, [serverSeg(be, c, TCP.ACK)]);
    }
    for (const ctx of order) r.engine.poll(ctx, tick);
    for (const f of r.wire[PORT_CLIENTS].splice(0)) {
      const p = parse(f);
      if (p.flags & TCP.RST) resets++;
      else assert.ok(eq(p.src, VIP4), "replies come from the VIP");
    }
    tick++;
  }
  assert.is(beOf.size, 2000);
  assert.equal(moved, [], "no connection changed back end across the flips");
  assert.is(resets, 0, "every reply found its connection");
  const [c0, c1] = [r.engine.counters(0), r.engine.counters(1)];
  assert.is(c0.rx, clientPackets);
  assert.is(c0.forward, clientPackets);
  assert.is(c1.rx, clientPackets, "one reply per client segment");
  assert.is(c1.forward, clientPackets);
  // new connections after the last flip avoided be1 and be5
  const late = [...beOf].filter(([c]) => c >= 1300).map(([, b]) => b);
  assert.ok(late.length > 600 && !late.includes(1) && !late.includes(5));
  const { all, own } = slotBuffers(r.core, 2);
  assert.equal([...all].sort((a, b) => a - b), [...own].sort((a, b) => a - b));
  assert.is(r.core.exports.sw_lb_quiescent(), 1, "between rounds no batch holds an old table");
});

test("the cores' poll order within a round does not change what leaves each port (state shared across rounds)", () => {
  // Within one round the cores race (a reply handled before its SYN finds no connection, as on
  // real parallel cores); across rounds the shared tables make the order irrelevant.
  const run = (order: number[]) => {
    const r = engineRig({ contexts: TWO_CORES });
    const rng = new Rng(8);
    for (let step = 0; step < 200; step++) {
      r.receive(PORT_CLIENTS, [clientSeg(step, TCP.SYN)]);
      // replies for connections opened in earlier rounds (some to the wrong back end: RSTs)
      if (step > 0) r.receive(PORT_BACKENDS, [serverSeg(rng.int(4), rng.int(step), TCP.ACK)]);
      for (const ctx of order) r.engine.poll(ctx, 1000 + step);
    }
    // both cores post on port 1 (core 0 forwards, core 1 RSTs): the interleaving differs
    return r.wire.map((w) => w.map(hex).sort());
  };
  const a = run([0, 1]);
  assert.equal(a, run([1, 0]));
  assert.ok(a[0].length > 50 && a[1].length > 200);
});

test.run();
