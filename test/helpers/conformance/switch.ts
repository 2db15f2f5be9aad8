// Conformance script "switch": the switching path — configure, publish a load-distribution
// table, frames of every verdict, a punt answered through the DOWN ring, a sweep — with every
// output and the whole switch region digested.

import { Core } from "../../../host/core/core";
import { Call, poke } from "../engines";
import { frame, fragment4, TCP } from "../../../host/campaign/frames";
import { maglevTable } from "../../../host/switch/distribution";
import { Rng } from "../../../host/util/rng";
import { parseIPv4, parseIPv6, parseMac } from "../../../host/util/addr";
import * as MAP from "../../../assembly/shared/memmap";
import * as S from "../../../assembly/shared/switch";
import type { ConformanceSource } from "./index";

const REC = Core.slot(60);
const BUF = Core.frame(10);
const OUT = Core.frame(11);
const CNT = Core.slot(61);


function record(size: number, fill: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = new Uint8Array(size);
  fill(new DataView(b.buffer), b);
  return b;
}

function build(): Call[] {
  const rng = new Rng(1624);
  const s: Call[] = [["init"], ["sw_init", 1 << 10, 99, S.CONN_POLICY_EVICT]];
  const vip = parseIPv4("203.0.113.10");
  s.push(["mem_fill", REC, 64, 0]);
  poke(s, REC, parseMac("02:00:00:00:1b:00"));
  s.push(["sw_port_set", 0, REC]);
  poke(s, REC, parseMac("02:00:00:00:1b:01"));
  s.push(["sw_port_set", 1, REC]);
  poke(s, REC, record(S.SW_ADDR_SIZE, (v, b) => { v.setUint8(S.SW_ADDR_FAMILY, 4); b.set(parseIPv4("192.0.2.1"), S.SW_ADDR_ADDR); }));
  s.push(["sw_cp_set", 0, REC]);
  poke(s, REC, record(S.SW_SVC_SIZE, (v, b) => {
    v.setUint8(S.SW_SVC_FAMILY, 4); v.setUint8(S.SW_SVC_PROTO, 6); v.setUint8(S.SW_SVC_MODE, S.SVC_MODE_NAT);
    v.setUint16(S.SW_SVC_PORT, 80, true); b.set(parseMac("02:00:00:00:00:fe"), S.SW_SVC_RETURN_MAC); b.set(vip, S.SW_SVC_VIP);
  }));
  s.push(["sw_service_set", 0, REC]);
  poke(s, REC, record(S.SW_SVC_SIZE, (v, b) => {
    v.setUint8(S.SW_SVC_FAMILY, 6); v.setUint8(S.SW_SVC_PROTO, 17); v.setUint16(S.SW_SVC_PORT, 53, true); b.set(parseIPv6("2001:db8::10"), S.SW_SVC_VIP);
  }));
  s.push(["sw_service_set", 1, REC]);
  for (let i = 0; i < 4; i++) {
    poke(s, REC, record(S.SW_BE_SIZE, (v, b) => {
      v.setUint8(S.SW_BE_STATE, S.BE_UP); v.setUint8(S.SW_BE_FAMILY, 4); v.setUint8(S.SW_BE_TX_PORT, 1); v.setUint16(S.SW_BE_PORT, 8080, true);
      b.set(parseMac(`02:00:00:00:be:0${i}`), S.SW_BE_MAC); b.set(parseIPv4(`198.51.100.${11 + i}`), S.SW_BE_ADDR);
    }));
    s.push(["sw_backend_set", i, REC]);
  }
  // table B: header then slots, written with mem_store32 (two slots per word)
  const t = maglevTable([0, 1, 2, 3].map((i) => ({ index: i, name: `be${i}`, weight: i + 1 })), 251);
  const base = MAP.SW_LB_B_BASE;
  for (const svc of [0, 1]) {
    s.push(["mem_store32", base + svc * S.LB_HDR_ENTRY + S.LB_HDR_OFFSET, 0]);
    s.push(["mem_store32", base + svc * S.LB_HDR_ENTRY + S.LB_HDR_SIZE, t.length]);
  }
  for (let i = 0; i < t.length; i += 2) s.push(["mem_store32", base + S.LB_SLOTS + i * 2, t[i] | ((t[i + 1] ?? 0) << 16)]);
  s.push(["sw_lb_flip", 1], ["sw_lb_flip", 1], ["sw_lb_active"], ["sw_tick", 5000]); // valid; then E_SW_ACTIVE
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) {
    const c = parseIPv4(`198.18.0.${i}`);
    frames.push(frame({ src: c, dst: vip, proto: "tcp", sport: 1000 + i, dport: rng.pick([80, 80, 81]), flags: rng.pick([TCP.SYN, TCP.ACK, TCP.ACK | TCP.FIN, TCP.RST]), seq: rng.u32(), ack: rng.u32(), payload: rng.bytes(rng.int(40)) }));
  }
  frames.push(frame({ src: parseIPv4("198.51.100.11"), dst: parseIPv4("198.18.0.1"), proto: "tcp", sport: 8080, dport: 1001, flags: TCP.ACK }));
  frames.push(frame({ src: parseIPv6("2001:db8:c::1"), dst: parseIPv6("2001:db8::10"), proto: "udp", sport: 9, dport: 53 }));
  const echo = frame({ src: parseIPv4("198.18.0.9"), dst: parseIPv4("192.0.2.1"), proto: "icmp", payload: rng.bytes(20) });
  frames.push(echo);
  frames.push(...fragment4(frame({ src: parseIPv4("198.18.0.7"), dst: vip, proto: "tcp", sport: 77, dport: 80, flags: TCP.ACK, payload: rng.bytes(300), ident: 5 }), 128));
  for (let i = 0; i < 20; i++) frames.push(rng.bytes(rng.int(120)));
  for (const f of frames) {
    s.push(["mem_fill", BUF, 2048, 0]);
    poke(s, BUF, f);
    s.push(["sw_packet", BUF, f.length, 2048, rng.int(4)]);
    s.push(["region_digest", BUF, 128]);
  }
  // the host's reply to the punted echo, through the DOWN ring
  const down = MAP.SW_RING_HDR_BASE + S.PUNT_DOWN * S.PUNT_HDR_SIZE;
  s.push(["mem_store32", MAP.SW_PUNT_DOWN_BASE + S.RS_LEN, 60 | (2 << 16) | (S.INJECT_TX << 24)]);
  poke(s, MAP.SW_PUNT_DOWN_BASE + S.RS_FRAME, echo);
  s.push(["mem_store32", down + S.PUNT_HEAD, 1], ["sw_inject_next", OUT, 2048], ["sw_inject_next", OUT, 2048], ["region_digest", OUT, 64]);
  s.push(["sw_conn_sweep", 5000 + 2_000_000, 1 << 20], ["sw_counters", CNT, S.C_COUNT], ["region_digest", CNT, S.C_COUNT * 4]);
  s.push(["region_digest", MAP.SWITCH_BASE, MAP.SWITCH_SIZE]);
  return s;
}

export const switchPath: ConformanceSource = {
  name: "switch",
  description: "the switching path: services, back ends, an A/B table, frames of every verdict, punt and inject, sweep",
  build,
};
