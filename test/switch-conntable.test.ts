// The connection table: 32 bytes per entry (measured, not just declared), capacity
// configurable up to 2^20, the full-table policies, idle timeouts per state, FIN and RST,
// port reuse, back ends going down, the background sweep.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "crypto";
import { fixture, VIP4, clientIp4, PORT_CLIENTS, PORT_BACKENDS, SVC_TCP_NAT, SVC_UDP_NAT, BE_PORT, backendMac } from "../host/campaign/switch-fixture";
import { frame, parse, TCP, macs } from "../host/campaign/frames";
import { SwitchPath } from "../host/switch/switch";
import { Core } from "../host/core/core";
import * as MAP from "../assembly/shared/memmap";
import * as S from "../assembly/shared/switch";
import { E_SW_CAPACITY, E_ARG } from "../assembly/shared/status";

const syn = (client: number, sport: number, flags = TCP.SYN) => frame({ src: clientIp4(client), dst: VIP4, proto: "tcp", sport, dport: 80, flags, seq: 1, ack: 1 });
const udp = (client: number, sport: number) => frame({ src: clientIp4(client), dst: VIP4, proto: "udp", sport, dport: 53 });
const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const backendOf = (sw: SwitchPath, f: Uint8Array) => {
  const r = sw.process(f, PORT_CLIENTS);
  return r.verdict.action === "forward" ? macs(r.frame).dst[5] : -1;
};

test("32 bytes per entry: N connections touch only the first 32·N bytes of the table region", () => {
  assert.ok(S.CONN_BYTES_PER_ENTRY <= 32);
  assert.is(S.CONN_BUCKET_SIZE, S.CONN_WAYS * S.CONN_BYTES_PER_ENTRY);
  // the signature line: u16 signatures, u8 services, u8 flags, u32 ticks, one line exactly
  assert.is(S.CONN_SVCS, S.CONN_SIGS + 2 * S.CONN_WAYS);
  assert.is(S.CONN_FLAGS, S.CONN_SVCS + S.CONN_WAYS);
  assert.is(S.CONN_SEEN, S.CONN_FLAGS + S.CONN_WAYS);
  assert.is(S.CONN_ENTRIES, S.CONN_SEEN + 4 * S.CONN_WAYS);
  assert.is(S.CONN_ENTRIES, S.CONN_LINE, "the signature line is one cache line");
  // the entry lines: no entry straddles a line, all of them fit the bucket
  assert.ok(S.CONN_ENTRIES_PER_LINE * S.CONN_ENTRY_SIZE <= S.CONN_LINE);
  assert.ok(S.CE_BACKEND + 2 <= S.CONN_ENTRY_SIZE && S.CE_CLIENT_PORT + 2 <= S.CE_BACKEND && S.CE_CLIENT_ADDR + 16 <= S.CE_CLIENT_PORT);
  assert.ok(S.CONN_ENTRIES + Math.ceil(S.CONN_WAYS / S.CONN_ENTRIES_PER_LINE) * S.CONN_LINE <= S.CONN_BUCKET_SIZE, "entry lines fit the bucket");
  assert.ok(S.SW_MAX_SERVICES <= 256 && S.SW_MAX_BACKENDS <= 65536, "service and back-end indices fit their fields");
  assert.ok(S.SW_CONN_MAX * S.CONN_BYTES_PER_ENTRY <= MAP.SW_CONN_SIZE, "2^20 entries fit the region");
  const cap = 1 << 10;
  const { sw } = fixture({ capacity: cap });
  const region = sw.core.bytes.subarray(MAP.SW_CONN_BASE, MAP.SW_CONN_BASE + MAP.SW_CONN_SIZE);
  const beyond = digest(region.subarray(cap * 32));
  for (let i = 0; i < 3 * cap; i++) sw.process(syn(i, 1000 + (i % 50000)), PORT_CLIENTS);
  const c = sw.counters();
  assert.is(c.conn_live, cap, "the table is full");
  assert.is(digest(region.subarray(cap * 32)), beyond, "nothing beyond 32 bytes x capacity was written");
  // and every way is used: count non-zero signatures
  let sigs = 0;
  for (let b = 0; b < cap / S.CONN_WAYS; b++) for (let w = 0; w < S.CONN_WAYS; w++) if (sw.core.view.getUint16(MAP.SW_CONN_BASE + b * S.CONN_BUCKET_SIZE + S.CONN_SIGS + w * 2, true)) sigs++;
  assert.is(sigs, cap);
});

test("capacity: powers of two from 16 to 2^20; anything else is refused", () => {
  const core = Core.load();
  for (const bad of [0, 8, 15, 17, 1000, (1 << 20) + 1, 1 << 21, -16]) assert.is(core.exports.sw_init(bad, 1, 0), E_SW_CAPACITY, `capacity ${bad}`);
  assert.is(core.exports.sw_init(16, 1, 7), E_ARG, "unknown policy");
  for (const ok of [16, 1 << 12, 1 << 20]) {
    assert.is(core.exports.sw_init(ok, 1, 0), 0);
    assert.is(core.exports.sw_conn_capacity(), ok);
  }
});

test("full table, policy drop: new connections are dropped and counted, existing ones still flow", () => {
  const { sw } = fixture({ capacity: 16, policy: "drop" });
  let accepted = 0;
  let dropped = 0;
  for (let i = 0; i < 200; i++) {
    const r = sw.process(syn(i, 2000), PORT_CLIENTS);
    if (r.verdict.action === "forward") accepted++;
    else {
      assert.is(r.verdict.reason, "drop_table_full");
      dropped++;
    }
  }
  const c = sw.counters();
  assert.is(c.conn_live, 16);
  assert.is(accepted, 16);
  assert.is(c.drop_table_full, dropped);
  assert.is(c.conn_evicted, 0);
  // the 16 admitted connections still forward (found, not re-admitted)
  let still = 0;
  for (let i = 0; i < 200; i++) if (sw.connectionBackend(SVC_TCP_NAT, clientIp4(i), 2000) !== null) still++;
  assert.is(still, 16);
});

test("full table, policy evict: the least recently seen candidate goes, counted", () => {
  const { sw } = fixture({ capacity: 16, policy: "evict" });
  for (let i = 0; i < 16; i++) {
    sw.tick(1000 + i);
    assert.is(sw.process(syn(i, 3000), PORT_CLIENTS).verdict.action, "forward");
  }
  // keep connections 8..15 fresh, then add 8 more: the evicted ones must come from 0..7
  sw.tick(2000);
  for (let i = 8; i < 16; i++) sw.process(syn(i, 3000, TCP.ACK), PORT_CLIENTS);
  for (let i = 16; i < 24; i++) {
    sw.tick(3000 + i);
    assert.is(sw.process(syn(i, 3000), PORT_CLIENTS).verdict.action, "forward");
  }
  const c = sw.counters();
  assert.is(c.conn_live, 16);
  assert.ok(c.conn_evicted >= 1);
  const alive = (i: number) => sw.connectionBackend(SVC_TCP_NAT, clientIp4(i), 3000) !== null;
  for (let i = 16; i < 24; i++) assert.ok(alive(i), `new connection ${i} present`);
  const freshLost = [8, 9, 10, 11, 12, 13, 14, 15].filter((i) => !alive(i));
  const staleLost = [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => !alive(i));
  assert.is(staleLost.length + freshLost.length, c.conn_evicted);
  assert.ok(staleLost.length > freshLost.length, `evicted stale ${staleLost}, fresh ${freshLost}`);
});

test("idle timeouts: UDP, TCP half-open vs established, FIN, RST; sweep frees and the gauge follows", () => {
  const { sw } = fixture({ capacity: 1 << 10 });
  sw.setTimeout(S.TMO_UDP, 1000);
  sw.setTimeout(S.TMO_TCP_SYN, 2000);
  sw.setTimeout(S.TMO_TCP_ESTABLISHED, 50_000);
  sw.setTimeout(S.TMO_TCP_FIN, 3000);
  sw.setTimeout(S.TMO_TCP_CLOSED, 500);
  sw.tick(10_000);
  sw.process(udp(1, 100), PORT_CLIENTS); // UDP
  sw.process(syn(2, 200), PORT_CLIENTS); // half-open
  sw.process(syn(3, 300), PORT_CLIENTS);
  sw.process(syn(3, 300, TCP.ACK), PORT_CLIENTS); // established
  sw.process(syn(4, 400), PORT_CLIENTS);
  sw.process(syn(4, 400, TCP.ACK | TCP.FIN), PORT_CLIENTS); // closing
  sw.process(syn(5, 500), PORT_CLIENTS);
  sw.process(syn(5, 500, TCP.ACK | TCP.RST), PORT_CLIENTS); // reset
  const live = (c: number, p: number, svc = SVC_TCP_NAT) => sw.connectionBackend(svc, clientIp4(c), p) !== null;
  assert.ok(live(1, 100, SVC_UDP_NAT) && live(2, 200) && live(3, 300) && live(4, 400) && live(5, 500));
  sw.tick(10_600);
  assert.not.ok(live(5, 500), "RST: gone after the closed timeout");
  assert.ok(live(1, 100, SVC_UDP_NAT));
  sw.tick(11_100);
  assert.not.ok(live(1, 100, SVC_UDP_NAT), "UDP idle past 1000");
  sw.tick(12_100);
  assert.not.ok(live(2, 200), "half-open past 2000");
  assert.ok(live(4, 400));
  sw.tick(13_100);
  assert.not.ok(live(4, 400), "FIN past 3000");
  assert.ok(live(3, 300), "established lives on");
  assert.is(sw.counters().conn_live, 5, "lazily expired: still in the table");
  const freed = sw.sweepAll(13_100);
  assert.is(freed, 4);
  assert.is(sw.counters().conn_live, 1);
  // a UDP flow that keeps talking never expires
  sw.tick(20_000);
  const b0 = backendOf(sw, udp(9, 900));
  for (let t = 20_000; t < 30_000; t += 900) {
    sw.tick(t);
    assert.is(backendOf(sw, udp(9, 900)), b0);
  }
  assert.ok(live(9, 900, SVC_UDP_NAT));
});

test("an expired entry is reused for a new connection, and the reply direction refreshes the entry", () => {
  const { sw } = fixture({ capacity: 1 << 10 });
  sw.setTimeout(S.TMO_TCP_ESTABLISHED, 1000);
  sw.tick(5000);
  const first = parse(sw.process(syn(20, 2020), PORT_CLIENTS).frame);
  sw.process(syn(20, 2020, TCP.ACK), PORT_CLIENTS);
  // only the back end talks for a while: its replies keep the connection alive
  for (let t = 5500; t <= 8000; t += 500) {
    sw.tick(t);
    const reply = frame({ src: first.dst, dst: clientIp4(20), proto: "tcp", sport: BE_PORT, dport: 2020, flags: TCP.ACK, seq: 1, ack: 1 });
    assert.is(sw.process(reply, PORT_BACKENDS).verdict.action, "forward", `reply at ${t}`);
  }
  assert.ok(sw.connectionBackend(SVC_TCP_NAT, clientIp4(20), 2020) !== null);
  sw.tick(9500);
  assert.is(sw.connectionBackend(SVC_TCP_NAT, clientIp4(20), 2020), null);
  const before = sw.counters();
  assert.is(sw.process(syn(20, 2020), PORT_CLIENTS).verdict.action, "forward");
  const after = sw.counters();
  assert.is(after.conn_expired - before.conn_expired, 1);
  assert.is(after.conn_new - before.conn_new, 1);
  assert.is(after.conn_live, before.conn_live, "reused in place");
});

test("port reuse: a SYN on a closed entry is a new connection (re-picked from the current table)", () => {
  const f = fixture({ capacity: 1 << 10 });
  const { sw } = f;
  const b0 = backendOf(sw, syn(30, 3030));
  sw.process(syn(30, 3030, TCP.ACK), PORT_CLIENTS);
  // make every other back end the only choice, so a re-pick must move
  const others = [0, 1, 2, 3].filter((b) => b !== b0);
  f.publish([others[0]], [100, 101]);
  assert.is(backendOf(sw, syn(30, 3030, TCP.ACK)), b0, "established: sticks across the flip");
  sw.process(syn(30, 3030, TCP.ACK | TCP.FIN), PORT_CLIENTS);
  const before = sw.counters().conn_reopened;
  assert.is(backendOf(sw, syn(30, 3030)), others[0], "new SYN after FIN: the current table decides");
  assert.is(sw.counters().conn_reopened - before, 1);
});

test("a back end marked down: its connections move on their next packet (counted); a lone RST creates nothing", () => {
  const { sw } = fixture({ capacity: 1 << 10 });
  const assigned = new Map<number, number>();
  for (let i = 0; i < 200; i++) assigned.set(i, backendOf(sw, syn(i, 4000)));
  const victim = assigned.get(0)!;
  sw.setBackendState(victim, "down");
  let moved = 0;
  for (let i = 0; i < 200; i++) {
    const b = backendOf(sw, syn(i, 4000, TCP.ACK));
    if (assigned.get(i) === victim) {
      assert.ok(b !== victim && b >= 0);
      moved++;
    } else assert.is(b, assigned.get(i));
  }
  assert.is(sw.counters().conn_rescheduled, moved);
  const live = sw.counters().conn_live;
  const r = sw.process(syn(999, 9999, TCP.RST), PORT_CLIENTS);
  assert.is(r.verdict.action, "forward");
  const dst = Buffer.from(macs(r.frame).dst).toString("hex");
  assert.ok([0, 1, 2, 3].some((b) => Buffer.from(backendMac(b)).toString("hex") === dst), "forwarded to a back end");
  assert.is(sw.counters().conn_live, live);
});

test("no back end up: dropped and counted (never a crash)", () => {
  const { sw } = fixture({ capacity: 16 });
  for (let b = 0; b < 4; b++) sw.setBackendState(b, "down");
  const r = sw.process(syn(1, 1), PORT_CLIENTS);
  assert.is(r.verdict.reason, "drop_no_backend");
});

test.run();
