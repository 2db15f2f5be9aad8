// The poll-mode packet engine over the NIC models, end to end: frames in on a port's RX ring,
// rewritten frames out on the right TX ring (byte-checked against a from-scratch rewrite),
// one TDT write per TX ring per batch, RSTs on the ingress port, punt replies out, drops
// counted, the RX ring refilled and no buffer or descriptor lost over many batches, a full
// TX ring counted (never a crash), copy and zero-copy modes equal on the wire, and the
// engine's arguments and busy rule.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../assembly/shared/e1000";
import * as RINGS from "../assembly/shared/rings";
import * as E from "../assembly/shared/engine";
import * as S from "../assembly/shared/status";
import { DMA_BASE, REGOP_BASE } from "../assembly/shared/memmap";
import { engineRig, slotBuffers, EngineRig } from "./helpers/engine-rig";
import {
  PORT_CLIENTS, PORT_BACKENDS, MAC_PORT0, MAC_PORT1, MAC_ROUTER, VIP4, CP4, SVC_TCP_NAT, BE_PORT,
  backendMac, backendIp4, clientIp4,
} from "../host/campaign/switch-fixture";
import { frame, parse, csum, pseudoHeader, TCP, hex, u16 } from "../host/campaign/frames";
import { OS_PHYS } from "../host/campaign/rig";
import { Rng } from "../host/util/rng";
import { WireCodec } from "../host/wire/codec";
import { performRegops, runSteps, tsPerformer } from "../host/nic/regops";
import { STEP_IO, STEP_DONE } from "../assembly/shared/regop";

const TDT = R.txQueueBase(0) + R.TXQ_OFF_TDT;
const eq = (a: Uint8Array, b: Uint8Array) => hex(a) === hex(b);
const pad60 = (f: Uint8Array) => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));

/** A client's TCP segment to the VIP, as the router in front of the card sends it. */
function toVip(client: number, opts: { dport?: number; flags?: number; sport?: number; payload?: Uint8Array } = {}): Uint8Array {
  return frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(client), dst: VIP4, proto: "tcp", sport: opts.sport ?? 40000 + (client & 0xfff), dport: opts.dport ?? 80, flags: opts.flags ?? TCP.SYN, seq: 1000 + client, payload: opts.payload });
}

/** The NAT rewrite of f towards back end i, computed here from scratch. */
function natExpected(f: Uint8Array, i: number): Uint8Array {
  const g = f.slice();
  g.set(backendMac(i), 0);
  g.set(MAC_PORT1, 6);
  const l3 = 14;
  const hl = (g[l3] & 0xf) * 4;
  g.set(backendIp4(i), l3 + 16);
  g[l3 + 10] = g[l3 + 11] = 0;
  const ipc = csum([g.subarray(l3, l3 + hl)]);
  g[l3 + 10] = ipc >> 8;
  g[l3 + 11] = ipc & 0xff;
  const l4 = l3 + hl;
  const end = l3 + u16(g, l3 + 2);
  g[l4 + 2] = BE_PORT >> 8;
  g[l4 + 3] = BE_PORT & 0xff;
  g[l4 + 16] = g[l4 + 17] = 0;
  const c = csum([pseudoHeader(4, g.subarray(l3 + 12, l3 + 16), g.subarray(l3 + 16, l3 + 20), 6, end - l4), g.subarray(l4, end)]);
  g[l4 + 16] = c >> 8;
  g[l4 + 17] = c & 0xff;
  return g;
}

function regWrites(r: EngineRig) {
  return r.log.filter((a) => a.kind === "w").map((a) => [a.port, a.offset, a.value]);
}

test("32 client SYNs in on port 0: one round, 32 NAT-rewritten frames out on port 1, byte for byte", () => {
  const r = engineRig();
  const frames = Array.from({ length: 32 }, (_, i) => toVip(i + 1));
  assert.is(r.receive(PORT_CLIENTS, frames), 32);
  assert.is(r.engine.poll(0, 1000), 32);
  assert.is(r.wire[PORT_CLIENTS].length, 0);
  assert.is(r.wire[PORT_BACKENDS].length, 32);
  r.wire[PORT_BACKENDS].forEach((out, k) => {
    const be = r.sw.connectionBackend(SVC_TCP_NAT, clientIp4(k + 1), 40000 + k + 1);
    assert.ok(be !== null && be < 4, `connection ${k} recorded`);
    assert.is(hex(out), hex(natExpected(pad60(frames[k]), be!)), `frame ${k}`);
    const p = parse(out);
    assert.ok(p.ipChecksumOk && p.l4ChecksumOk);
  });
  const c = r.engine.counters(0);
  assert.is(c.rx, 32);
  assert.is(c.forward, 32);
  assert.is(c.zero_copy, 32);
  assert.is(c.tx_port1, 32);
  assert.is(c.batches, 1);
  assert.is(c.full_batches, 1);
});

test("a batch of 32 rings one doorbell per TX ring it used, and one RDT write per RX queue it harvested", () => {
  const r = engineRig();
  // 32 frames on port 0: 24 to the NAT service (-> port 1), 8 to a closed port (RST -> port 0)
  const frames = Array.from({ length: 32 }, (_, i) => toVip(100 + i, { dport: i % 4 === 3 ? 81 : 80 }));
  r.receive(PORT_CLIENTS, frames);
  r.engine.poll(0, 1000);
  assert.equal(regWrites(r), [[PORT_CLIENTS, TDT, 8], [PORT_CLIENTS, R.REG_RDT, 31], [PORT_BACKENDS, TDT, 24]]);
  assert.is(r.wire[PORT_BACKENDS].length, 24);
  assert.is(r.wire[PORT_CLIENTS].length, 8);
  // an idle round touches no register at all
  r.log.length = 0;
  assert.is(r.engine.poll(0, 1001), 0);
  assert.equal(r.log, []);
});

test("RST for TCP to no service, answered on the ingress port with the right sequence numbers", () => {
  const r = engineRig();
  const syn = toVip(7, { dport: 81, flags: TCP.SYN });
  const ack = toVip(8, { dport: 81, flags: TCP.ACK | TCP.PSH, payload: new Uint8Array(10) });
  r.receive(PORT_CLIENTS, [syn, ack]);
  r.engine.poll(0, 1000);
  assert.is(r.wire[PORT_CLIENTS].length, 2);
  const [a, b] = r.wire[PORT_CLIENTS].map(parse);
  for (const [p, out] of [[a, r.wire[PORT_CLIENTS][0]], [b, r.wire[PORT_CLIENTS][1]]] as const) {
    assert.ok(eq(out.subarray(0, 6), MAC_ROUTER) && eq(out.subarray(6, 12), MAC_PORT0), "back to the sender, from the port's MAC");
    assert.ok(eq(p.src, VIP4) && p.sport === 81);
    assert.ok(p.ipChecksumOk && p.l4ChecksumOk);
  }
  assert.is(a.flags, TCP.RST | TCP.ACK);
  assert.is(a.seq, 0);
  assert.is(a.ack, 1000 + 7 + 1, "SEG.SEQ + SYN");
  assert.is(b.flags, TCP.RST);
  assert.is(b.seq, 0, "SEQ = SEG.ACK (0 in this segment)");
  assert.is(r.engine.counters(0).answer, 2);
  assert.is(r.sw.counters().answer_rst, 2);
});

test("punted frames reach the CP's applications and their replies go out of the ingress port", () => {
  const r = engineRig();
  const codec = new WireCodec(r.core);
  const echo = frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(3), dst: CP4, proto: "icmp", payload: new Uint8Array(32).fill(0xab) });
  const who = codec.encodeArp(
    { dst: Uint8Array.from([255, 255, 255, 255, 255, 255]), src: MAC_ROUTER, ethertype: 0x0806 },
    { op: 1, sha: MAC_ROUTER, spa: clientIp4(1), tha: new Uint8Array(6), tpa: VIP4 },
  );
  r.receive(PORT_CLIENTS, [echo, who]);
  assert.is(r.engine.poll(0, 1000), 2, "both harvested and punted (the service answers after the round)");
  assert.is(r.wire[PORT_CLIENTS].length, 0);
  assert.is(r.punts.stats.replies, 2);
  assert.is(r.engine.poll(0, 1001), 2, "the next round takes both replies from the DOWN ring");
  const [reply, arp] = r.wire[PORT_CLIENTS];
  const p = parse(reply);
  assert.ok(eq(p.src, CP4) && eq(p.dst, clientIp4(3)));
  assert.is(reply[p.l4], 0, "echo reply");
  assert.ok(p.ipChecksumOk && p.l4ChecksumOk);
  const d = codec.decodeArp(arp);
  assert.ok(d.ok && d.arp.op === 2 && eq(d.arp.spa, VIP4) && eq(d.arp.sha, MAC_PORT0));
  const c = r.engine.counters(0);
  assert.is(c.punt, 2);
  assert.is(c.inject, 2);
  assert.is(c.copied, 2, "injections are copied onto the TX ring");
  assert.is(c.tx_port0, 2);
});

test("drops are counted by reason; nothing is sent for them", () => {
  const r = engineRig();
  const udp = frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(5), dst: VIP4, proto: "udp", sport: 5353, dport: 54 });
  const other = frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(5), dst: VIP4, proto: 47, payload: new Uint8Array(20) });
  r.receive(PORT_CLIENTS, [udp, udp, other]);
  r.engine.poll(0, 1000);
  assert.is(r.wire[0].length + r.wire[1].length, 0);
  assert.is(r.engine.counters(0).drop, 3);
  const sw = r.sw.counters();
  assert.is(sw.drop_udp_no_service, 2);
  assert.is(sw.drop_unsupported, 1);
});

test("a back end's reply on port 1 is reverse-NATed and leaves on port 0 towards the router", () => {
  const r = engineRig();
  r.receive(PORT_CLIENTS, [toVip(9, { sport: 50009 })]);
  r.engine.poll(0, 1000);
  const be = r.sw.connectionBackend(SVC_TCP_NAT, clientIp4(9), 50009)!;
  const synack = frame({ dstMac: MAC_PORT1, srcMac: backendMac(be), src: backendIp4(be), dst: clientIp4(9), proto: "tcp", sport: BE_PORT, dport: 50009, flags: TCP.SYN | TCP.ACK, seq: 77, ack: 1010 });
  r.receive(PORT_BACKENDS, [synack]);
  r.engine.poll(0, 1001);
  assert.is(r.wire[PORT_CLIENTS].length, 1);
  const out = r.wire[PORT_CLIENTS][0];
  const p = parse(out);
  assert.ok(eq(out.subarray(0, 6), MAC_ROUTER) && eq(out.subarray(6, 12), MAC_PORT0));
  assert.ok(eq(p.src, VIP4) && p.sport === 80 && eq(p.dst, clientIp4(9)) && p.dport === 50009);
  assert.ok(p.ipChecksumOk && p.l4ChecksumOk);
});

/** Mixed traffic for the long runs: forwards both ways, RSTs, drops, punts. */
function mixed(rng: Rng, n: number): { port: number; f: Uint8Array }[] {
  const out: { port: number; f: Uint8Array }[] = [];
  for (let i = 0; i < n; i++) {
    const c = rng.int(5000);
    const k = rng.int(10);
    if (k < 5) out.push({ port: PORT_CLIENTS, f: toVip(c, { flags: TCP.ACK, payload: rng.bytes(rng.int(1400)) }) });
    else if (k < 7) out.push({ port: PORT_BACKENDS, f: frame({ dstMac: MAC_PORT1, srcMac: backendMac(0), src: backendIp4(rng.int(4)), dst: clientIp4(c), proto: "tcp", sport: BE_PORT, dport: 40000 + (c & 0xfff), flags: TCP.ACK }) });
    else if (k < 8) out.push({ port: PORT_CLIENTS, f: toVip(c, { dport: 81 }) });
    else if (k < 9) out.push({ port: PORT_CLIENTS, f: frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(c), dst: VIP4, proto: "udp", dport: 9 }) });
    else out.push({ port: PORT_CLIENTS, f: frame({ dstMac: MAC_PORT0, srcMac: MAC_ROUTER, src: clientIp4(c), dst: CP4, proto: "icmp" }) });
  }
  return out;
}

test("many batches: the RX rings are refilled, no buffer or descriptor is lost, counters add up", () => {
  const r = engineRig({ tx: 64, rx: 64 });
  const rng = new Rng(99);
  let sent = 0;
  for (let round = 0; round < 300; round++) {
    const batch = mixed(rng, 1 + rng.int(40));
    for (const { port, f } of batch) sent += r.receive(port, [f]);
    r.engine.poll(0, 1000 + round);
    r.board.clock.advance(1000);
  }
  for (let i = 0; i < 4; i++) r.engine.poll(0, 2000 + i); // the last punt replies
  const c = r.engine.counters(0);
  assert.is(c.rx, sent, "every frame the NICs accepted was harvested");
  assert.is(c.rx_errors, 0);
  assert.is(c.rx - c.rx_errors + c.inject, c.forward + c.answer + c.punt + c.drop, "one verdict per frame");
  assert.is(c.forward + c.answer, c.zero_copy + c.copied + c.tx_full + c.tx_unsendable, "every forward posted or counted");
  assert.is(c.tx_full + c.tx_unsendable, 0);
  assert.is(r.wire[0].length + r.wire[1].length, c.zero_copy + c.copied, "everything posted went out");
  assert.ok(c.zero_copy > 1000, `${c.zero_copy} zero-copy forwards`);
  // buffers: still a permutation of the same set, and many moved between rings
  const { all, own } = slotBuffers(r.core, 2);
  assert.equal([...all].sort((a, b) => a - b), [...own].sort((a, b) => a - b));
  assert.ok(all.filter((b, i) => b !== own[i]).length > 50, "buffers did move between slots");
  for (let p = 0; p < 2; p++) {
    const nic = r.board.nics[p];
    const clean = r.rings.ringInfo(p, RINGS.RING_RX, RINGS.RINGINFO_CLEAN);
    assert.is(nic.read32(R.REG_RDH), clean, "the NIC's head is where the engine will look next");
    assert.is(nic.read32(R.REG_RDT), (clean + 63) % 64, "RDT one behind: the NIC owns every descriptor but one");
    const desc = r.rings.ringInfo(p, RINGS.RING_RX, RINGS.RINGINFO_DESC);
    for (let i = 0; i < 64; i++) {
      const addr = Number(r.core.view.getBigUint64(desc + 16 * i + R.RXD_OFF_ADDR, true));
      assert.is(addr, OS_PHYS + (r.core.exports.nic_slot_buf(p, RINGS.RING_RX, i) - DMA_BASE), `port ${p} RX descriptor ${i} names its slot's buffer`);
      assert.is(r.core.bytes[desc + 16 * i + R.RXD_OFF_STATUS], 0);
    }
    assert.is(r.core.exports.nic_tx_reclaim(p) >= 0, true);
    assert.is(r.core.exports.nic_tx_in_flight(p), 0, "every TX descriptor came back");
  }
});

test("TX ring full: the frames that do not fit are dropped and counted, the rest go out; traffic resumes", () => {
  const r = engineRig({ tx: 16, rx: 64 });
  const nic1 = r.board.nics[PORT_BACKENDS];
  nic1.faults.freezeTx();
  r.receive(PORT_CLIENTS, Array.from({ length: 32 }, (_, i) => toVip(200 + i)));
  assert.is(r.engine.poll(0, 1000), 32);
  let c = r.engine.counters(0);
  assert.is(c.zero_copy, 15, "a ring of 16 holds 15");
  assert.is(c.tx_full, 17);
  r.receive(PORT_CLIENTS, Array.from({ length: 8 }, (_, i) => toVip(300 + i)));
  r.engine.poll(0, 1001);
  assert.is(r.engine.counters(0).tx_full, 25, "still frozen: nothing reclaimed, everything counted");
  assert.is(r.wire[PORT_BACKENDS].length, 0);
  nic1.faults.thawTx();
  assert.is(r.wire[PORT_BACKENDS].length, 15, "the 15 queued leave once the engine runs");
  r.receive(PORT_CLIENTS, Array.from({ length: 8 }, (_, i) => toVip(400 + i)));
  r.engine.poll(0, 1002);
  c = r.engine.counters(0);
  assert.is(c.reclaimed, 15);
  assert.is(r.wire[PORT_BACKENDS].length, 23);
  assert.is(c.tx_full, 25);
  const { all, own } = slotBuffers(r.core, 2);
  assert.equal([...all].sort((a, b) => a - b), [...own].sort((a, b) => a - b));
});

test("more than a batch waiting: 32 per round, the rest next round; an RX overrun is the NIC's to count", () => {
  const r = engineRig({ rx: 64 });
  r.receive(PORT_CLIENTS, Array.from({ length: 70 }, (_, i) => toVip(500 + i, { flags: TCP.ACK })));
  assert.is(r.board.nics[0].counters.rxDropped, 7, "a ring of 64 holds 63");
  assert.is(r.engine.poll(0, 1000), 32);
  assert.is(r.engine.poll(0, 1001), 31);
  assert.is(r.engine.poll(0, 1002), 0);
  assert.is(r.wire[PORT_BACKENDS].length, 63);
  assert.is(r.board.nics[0].read32(R.REG_MPC), 7);
});

test("copy mode puts the same bytes on the wire as zero copy, and moves no buffer", () => {
  const run = (mode: "copy" | "zero-copy") => {
    const r = engineRig({ contexts: [{ rxPorts: [0, 1], inject: true, mode }] });
    const rng = new Rng(5);
    for (let round = 0; round < 40; round++) {
      for (const { port, f } of mixed(rng, 20)) r.receive(port, [f]);
      r.engine.poll(0, 1000 + round);
    }
    return { r, out: r.wire.map((w) => w.map(hex)) };
  };
  const z = run("zero-copy");
  const c = run("copy");
  assert.equal(c.out, z.out);
  assert.is(c.r.engine.counters(0).zero_copy, 0);
  const { all, own } = slotBuffers(c.r.core, 2);
  assert.equal(all, own, "copy mode: every slot keeps its own buffer");
});

test("an RX descriptor with an error bit, no EOP or a bad length is dropped, counted and re-armed", () => {
  const r = engineRig();
  r.receive(PORT_CLIENTS, [toVip(1), toVip(2), toVip(3), toVip(4)]);
  const desc = r.rings.ringInfo(0, RINGS.RING_RX, RINGS.RINGINFO_DESC);
  r.core.bytes[desc + 16 * 0 + R.RXD_OFF_ERRORS] = 0x01; // CE
  r.core.bytes[desc + 16 * 1 + R.RXD_OFF_STATUS] = R.RXD_STA_DD; // no EOP
  r.core.view.setUint16(desc + 16 * 2 + R.RXD_OFF_LENGTH, 5000, true);
  r.engine.poll(0, 1000);
  const c = r.engine.counters(0);
  assert.is(c.rx, 4);
  assert.is(c.rx_errors, 3);
  assert.is(c.forward, 1);
  assert.is(r.wire[PORT_BACKENDS].length, 1);
  for (let i = 0; i < 4; i++) assert.is(r.core.bytes[desc + 16 * i + R.RXD_OFF_STATUS], 0, `descriptor ${i} re-armed`);
});

test("the engine refuses to poll while a register operation is in progress (its list would be overwritten)", () => {
  const r = engineRig();
  r.receive(PORT_CLIENTS, [toVip(1)]);
  assert.is(r.core.exports.nic_tx_confirm(PORT_BACKENDS), S.OK);
  assert.is(r.core.exports.nic_step(), STEP_IO, "the confirm's first round is pending");
  const list = hex(r.core.read(REGOP_BASE, 16 + 16 * r.core.view.getUint32(REGOP_BASE, true)));
  assert.is(r.core.exports.eng_poll(0, 1000), S.E_ENG_BUSY);
  assert.is(hex(r.core.read(REGOP_BASE, list.length / 2)), list, "the pending list is untouched");
  assert.is(r.engine.counters(0).polls, 0);
  performRegops(r.core.view, r.board.nics, r.board.delay);
  assert.is(runSteps(() => r.core.exports.nic_step(), r.core.view, tsPerformer(r.board.nics, r.board.delay)), STEP_DONE);
  assert.is(r.engine.poll(0, 1001), 1);
});

test("arguments: contexts, queues, exclusive claims, counters, before sw_init", () => {
  const r = engineRig({ contexts: [{ rxPorts: [0] }, { rxPorts: [1], inject: true }] });
  const x = r.core.exports;
  assert.is(x.eng_rx_claim(1, 0, 0), S.E_ENG_OWNED, "port 0's queue is context 0's");
  assert.is(x.eng_rx_claim(0, 0, 0), S.OK, "claiming again is fine");
  assert.is(x.eng_rx_claim(0, 0, 1), S.E_ARG, "one RX queue per port");
  assert.is(x.eng_rx_claim(0, RINGS.NIC_MAX_PORTS, 0), S.E_NO_PORT);
  assert.is(x.eng_rx_claim(E.ENG_MAX_CTX, 0, 0), S.E_ARG);
  assert.is(x.eng_rx_release(1, 0, 0), S.E_ENG_OWNED);
  assert.is(x.eng_inject_claim(0), S.E_ENG_OWNED, "context 1 drains the DOWN ring");
  assert.is(x.eng_inject_release(0), S.E_ENG_OWNED);
  assert.is(x.eng_inject_release(1), S.OK);
  assert.is(x.eng_inject_claim(0), S.OK);
  assert.is(x.eng_rx_release(0, 0, 0), S.OK);
  assert.is(x.eng_rx_claim(1, 0, 0), S.OK);
  for (const [b, m] of [[0, 0], [E.ENG_BATCH_MAX + 1, 0], [32, 2], [32, -1]]) assert.is(x.eng_config(0, b, m), S.E_ARG);
  assert.is(x.eng_poll(-1, 0), S.E_ARG);
  assert.is(x.eng_poll(E.ENG_MAX_CTX, 0), S.E_ARG);
  assert.is(x.eng_counters(0, 0, 4), S.E_RANGE);
  assert.is(x.eng_counters(0, 0x20000, -1), S.E_ARG);
  assert.is(x.eng_counters(0, 0x20000, 1000), E.ECTR_COUNT);
  assert.ok(64 + 4 * E.ECTR_COUNT <= E.ENG_CTX_SIZE, "a context's counters fit its state");
  assert.is(x.nic_slot_buf(0, RINGS.RING_RX, 256), S.E_ARG);
  assert.is(x.nic_slot_buf(0, 3, 0), S.E_ARG);
  assert.is(x.nic_slot_buf(RINGS.NIC_MAX_PORTS, 0, 0), S.E_NO_PORT);
  // a fresh instance: the switching path is not initialised
  const fresh = engineRig().board.fault;
  assert.is(fresh.exports.eng_poll(0, 0), S.E_SW_STATE);
});

test("random arguments to every eng_* export: a status or a value, never a trap", () => {
  const r = engineRig();
  const x = r.core.exports;
  const rng = new Rng(77);
  const any = () => (rng.bool(0.5) ? rng.int(10) - 3 : rng.u32() | 0);
  const names = Object.keys(x).filter((k) => k.startsWith("eng_"));
  assert.ok(names.length >= 8, names.join(", "));
  for (let i = 0; i < 20_000; i++) {
    const f = rng.pick(names);
    const rc = x[f](any(), any(), any());
    assert.ok(Number.isInteger(rc), `${f} returned ${rc}`);
    if (f === "eng_poll" && rc >= 0) performRegops(r.core.view, r.board.nics, r.board.delay);
  }
  assert.is(x.last_abort_line(), 0);
});

test("10^4 rounds of garbage in the RX descriptors: no trap, every buffer still accounted for", () => {
  const r = engineRig({ rx: 32, tx: 16 });
  const rng = new Rng(1234);
  const desc = [0, 1].map((p) => r.rings.ringInfo(p, RINGS.RING_RX, RINGS.RINGINFO_DESC));
  for (let round = 0; round < 10_000; round++) {
    const p = rng.int(2);
    if (rng.bool(0.3)) r.receive(p, mixed(rng, 1 + rng.int(3)).map((m) => m.f));
    const n = rng.int(4);
    for (let k = 0; k < n; k++) {
      const d = desc[p] + 16 * rng.int(32);
      // the host or a broken NIC scribbles on a descriptor: status, length, errors, address
      r.core.bytes[d + R.RXD_OFF_STATUS] = rng.int(256);
      r.core.view.setUint16(d + R.RXD_OFF_LENGTH, rng.int(65536), true);
      r.core.bytes[d + R.RXD_OFF_ERRORS] = rng.bool(0.5) ? 0 : rng.int(256);
      if (rng.bool(0.2)) r.core.view.setUint32(d + R.RXD_OFF_ADDR, rng.u32(), true);
    }
    const rc = r.core.exports.eng_poll(rng.int(2) ? 0 : rng.int(8) - 2, round);
    assert.ok(rc >= 0 || rc === S.E_ARG, `round ${round}: ${rc}`);
    performRegops(r.core.view, r.board.nics, r.board.delay);
  }
  assert.is(r.core.exports.last_abort_line(), 0);
  const { all, own } = slotBuffers(r.core, 2);
  assert.equal([...all].sort((a, b) => a - b), [...own].sort((a, b) => a - b), "buffers are a permutation whatever the descriptors held");
});

test.run();
