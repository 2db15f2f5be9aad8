// The benchmark's plain-TypeScript switching path (bench/switch-ts-reference.ts) must be the
// same logic as the core, or the ratio the benchmark reports means nothing: same frames in,
// same verdicts and the same bytes out, over new and existing connections, NAT and DSR,
// IPv4 and IPv6, timeouts and back ends going down.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { fixture, VIP4, VIP6, clientIp4, clientIp6, MAC_PORT0, MAC_PORT1, backendIp4, backendIp6, backendMac, V6_BASE, BE_PORT, CP4, SVC_TCP_NAT, SVC_UDP_NAT, SVC_TCP_DSR, SVC_TCP6_DSR, SVC_UDP6_DSR } from "../host/campaign/switch-fixture";
import { frame, TCP } from "../host/campaign/frames";
import { maglevTable } from "../host/switch/distribution";
import { SwitchReference } from "../bench/switch-ts-reference";
import * as S from "../assembly/shared/switch";
import { Rng } from "../host/util/rng";

test("10,000 frames: the TypeScript reference and the core agree on every verdict and byte", () => {
  const rng = new Rng(2024);
  const seed = 4242;
  const f = fixture({ capacity: 1 << 10, seed });
  const ref = new SwitchReference(1 << 10, seed);
  ref.setPort(0, MAC_PORT0);
  ref.setPort(1, MAC_PORT1);
  ref.addCp(CP4);
  ref.setService(SVC_TCP_NAT, { family: 4, proto: 6, port: 80, vip: VIP4, nat: true });
  ref.setService(SVC_UDP_NAT, { family: 4, proto: 17, port: 53, vip: VIP4, nat: true });
  ref.setService(SVC_TCP_DSR, { family: 4, proto: 6, port: 443, vip: VIP4, nat: false });
  ref.setService(SVC_TCP6_DSR, { family: 6, proto: 6, port: 80, vip: VIP6, nat: false });
  ref.setService(SVC_UDP6_DSR, { family: 6, proto: 17, port: 53, vip: VIP6, nat: false });
  for (let i = 0; i < 4; i++) ref.setBackend(i, { up: true, mac: backendMac(i), addr: backendIp4(i), port: BE_PORT, txPort: 1 });
  for (let i = 0; i < 2; i++) ref.setBackend(V6_BASE + i, { up: true, mac: backendMac(V6_BASE + i), addr: backendIp6(i), port: 0, txPort: 1 });
  const share = (i: number) => ({ index: i, name: `be${i}`, weight: 1 });
  const t4 = maglevTable([0, 1, 2, 3].map(share), 251);
  const t6 = maglevTable([V6_BASE, V6_BASE + 1].map(share), 251);
  ref.setTables(new Map([[SVC_TCP_NAT, t4], [SVC_UDP_NAT, t4], [SVC_TCP_DSR, t4], [SVC_TCP6_DSR, t6], [SVC_UDP6_DSR, t6]]));
  f.sw.setTimeout(S.TMO_UDP, 5000);
  ref.udpTimeout = 5000;
  let now = 1000;
  let compared = 0;
  for (let i = 0; i < 10_000; i++) {
    if (i % 500 === 0) {
      now += rng.int(4000);
      f.sw.tick(now);
    }
    if (i === 6000) {
      f.sw.setBackendState(1, "down");
      ref.setBackend(1, { up: false, mac: backendMac(1), addr: backendIp4(1), port: BE_PORT, txPort: 1 });
    }
    const v6 = rng.bool(0.3);
    const udp = rng.bool(0.4);
    const client = rng.int(3000); // more clients than entries: eviction and reuse happen
    const fr = frame({
      vlan: rng.bool(0.1) ? 7 : undefined,
      src: v6 ? clientIp6(client) : clientIp4(client), dst: v6 ? VIP6 : VIP4, proto: udp ? "udp" : "tcp",
      sport: 1024 + (client % 7), dport: udp ? 53 : v6 ? 80 : rng.pick([80, 443]),
      flags: rng.pick([TCP.SYN, TCP.ACK, TCP.ACK, TCP.ACK | TCP.FIN, TCP.ACK | TCP.PSH]), seq: rng.u32(), ack: rng.u32(), payload: rng.bytes(rng.int(30)),
    });
    const core = f.sw.process(fr, 0);
    const buf = Uint8Array.from(fr);
    ref.now = now;
    const v = ref.packet(buf, 0, buf.length);
    assert.is(v, core.verdict.raw, `frame ${i}: verdict`);
    assert.is(Buffer.from(buf.subarray(0, core.verdict.length)).toString("hex"), Buffer.from(core.frame).toString("hex"), `frame ${i}: bytes`);
    compared++;
  }
  assert.is(compared, 10_000);
  assert.is(ref.live, f.sw.counters().conn_live, "same number of live entries");
  assert.ok(ref.evicted > 0 && ref.evicted === f.sw.counters().conn_evicted, `evictions: reference ${ref.evicted}, core ${f.sw.counters().conn_evicted}`);
});

test.run();
