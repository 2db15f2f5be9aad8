// Conformance script "engine": the poll-mode packet engine — rings set up, the switching path
// configured, rounds of frames written into RX descriptors' buffers as RX DMA would, eng_poll,
// TX write-back, an injection through the DOWN ring — built against V8 as it goes (the
// emulated NIC reads descriptor addresses), every counter, ring and region digested.

import type { Call } from "../engines";
import { Core } from "../../../host/core/core";
import { frame, TCP } from "../../../host/campaign/frames";
import { maglevTable } from "../../../host/switch/distribution";
import { Rng } from "../../../host/util/rng";
import { parseIPv4, parseMac } from "../../../host/util/addr";
import * as MAP from "../../../assembly/shared/memmap";
import * as S from "../../../assembly/shared/switch";
import * as RINGS from "../../../assembly/shared/rings";
import * as E from "../../../assembly/shared/engine";
import { STEP_IO } from "../../../assembly/shared/regop";
import type { ConformanceSource } from "./index";

const REC = Core.slot(60);
const CNT = Core.slot(61);
const RING = 32;

/** Builds the script by running it on V8 as it goes (the emulated NIC reads descriptor addresses). */
export function buildEngineScript(): { script: Call[]; v8: number[] } {
  const core = Core.load();
  const script: Call[] = [];
  const v8: number[] = [];
  const call = (fn: string, ...args: number[]) => {
    script.push([fn, ...args]);
    const r = core.exports[fn](...args);
    v8.push(r);
    return r;
  };
  const poke = (ptr: number, data: Uint8Array) => {
    for (let i = 0; i < data.length; i += 4) {
      const w = data[i] | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
      if (i + 4 <= data.length) call("mem_store32", ptr + i, w);
      else for (let k = i; k < data.length; k++) call("mem_store8", ptr + k, data[k]);
    }
  };
  const rng = new Rng(2718);
  call("init");
  call("sw_init", 1 << 10, 7, S.CONN_POLICY_EVICT);
  const macs = [parseMac("02:00:00:00:1b:00"), parseMac("02:00:00:00:1b:01")];
  macs.forEach((m, p) => {
    call("mem_fill", REC, 64, 0);
    poke(REC, m);
    call("sw_port_set", p, REC);
    call("nic_port_config", p, 0, 1, 1, RINGS.FAULT_QUEUE_NONE);
    call("nic_ring_config", p, RINGS.RING_TX, RING);
    call("nic_ring_config", p, RINGS.RING_RX, RING);
    call("nic_port_mac", p, REC);
    for (const begin of ["nic_tx_init", "nic_rx_init"]) {
      call(begin, p);
      while (call("nic_step") === STEP_IO); // writes only: nothing to perform for a memory-only run
    }
  });
  const rec = (size: number, fill: (v: DataView, b: Uint8Array) => void) => {
    const b = new Uint8Array(size);
    fill(new DataView(b.buffer), b);
    call("mem_fill", REC, 256, 0);
    poke(REC, b);
  };
  const vip = parseIPv4("203.0.113.10");
  rec(S.SW_ADDR_SIZE, (v, b) => { v.setUint8(S.SW_ADDR_FAMILY, 4); b.set(parseIPv4("192.0.2.1"), S.SW_ADDR_ADDR); });
  call("sw_cp_set", 0, REC);
  rec(S.SW_SVC_SIZE, (v, b) => {
    v.setUint8(S.SW_SVC_FAMILY, 4); v.setUint8(S.SW_SVC_PROTO, 6); v.setUint8(S.SW_SVC_MODE, S.SVC_MODE_NAT);
    v.setUint16(S.SW_SVC_PORT, 80, true); b.set(parseMac("02:00:00:00:00:fe"), S.SW_SVC_RETURN_MAC); b.set(vip, S.SW_SVC_VIP);
  });
  call("sw_service_set", 0, REC);
  for (let i = 0; i < 3; i++) {
    rec(S.SW_BE_SIZE, (v, b) => {
      v.setUint8(S.SW_BE_STATE, S.BE_UP); v.setUint8(S.SW_BE_FAMILY, 4); v.setUint8(S.SW_BE_TX_PORT, 1); v.setUint16(S.SW_BE_PORT, 8080, true);
      b.set(parseMac(`02:00:00:00:be:0${i}`), S.SW_BE_MAC); b.set(parseIPv4(`198.51.100.${11 + i}`), S.SW_BE_ADDR);
    });
    call("sw_backend_set", i, REC);
  }
  const t = maglevTable([0, 1, 2].map((i) => ({ index: i, name: `be${i}`, weight: 1 })), 101);
  call("mem_store32", MAP.SW_LB_B_BASE + S.LB_HDR_SIZE, t.length);
  for (let i = 0; i < t.length; i += 2) call("mem_store32", MAP.SW_LB_B_BASE + S.LB_SLOTS + i * 2, t[i] | ((t[i + 1] ?? 0) << 16));
  call("sw_lb_flip", 1);
  call("eng_reset");
  call("eng_config", 0, 8, E.ENG_ZERO_COPY);
  call("eng_rx_claim", 0, 0, 0);
  call("eng_config", 1, 16, E.ENG_COPY);
  call("eng_rx_claim", 1, 1, 0);
  call("eng_inject_claim", 1);

  // rounds: the emulated NIC fills the next descriptors of each RX ring, the cores poll, TX completes
  const rxNext = [0, 0];
  const txNext = [0, 0];
  const dma = (p: number, off: number) => RINGS.portDmaBase(p) + off;
  for (let round = 0; round < 60; round++) {
    for (const p of [0, 1]) {
      const n = rng.int(12);
      for (let k = 0; k < n; k++) {
        const d = dma(p, RINGS.PORT_DMA_RX_DESC) + 16 * rxNext[p];
        if (core.view.getUint8(d + 12) !== 0) break; // the ring is full: the engine has not taken it yet
        const c = parseIPv4(`198.18.0.${rng.int(50)}`);
        const f = p === 0
          ? frame({ dstMac: macs[0], src: c, dst: rng.bool(0.9) ? vip : parseIPv4("192.0.2.1"), proto: rng.pick(["tcp", "tcp", "udp", "icmp"] as const), sport: 1000 + rng.int(50), dport: rng.pick([80, 80, 81]), flags: rng.pick([TCP.SYN, TCP.ACK]), payload: rng.bytes(rng.int(200)) })
          : frame({ dstMac: macs[1], src: parseIPv4(`198.51.100.${11 + rng.int(3)}`), dst: c, proto: "tcp", sport: 8080, dport: 1000 + rng.int(50), flags: TCP.ACK });
        const buf = MAP.DMA_BASE + core.view.getUint32(d, true); // physical base 1:0000_0000: the low word is the offset
        poke(buf, f);
        call("mem_store32", d + 8, f.length); // length, checksum 0
        call("mem_store32", d + 12, 3); // DD | EOP, errors 0
        rxNext[p] = (rxNext[p] + 1) % RING;
      }
    }
    if (round === 30) {
      // the CP's injection: a frame sent as is on port 0
      const down = MAP.SW_RING_HDR_BASE + S.PUNT_DOWN * S.PUNT_HDR_SIZE;
      const inj = frame({ src: parseIPv4("192.0.2.1"), dst: parseIPv4("198.18.0.3"), proto: "icmp", icmpType: 0 });
      call("mem_store32", MAP.SW_PUNT_DOWN_BASE + S.RS_LEN, inj.length | (0 << 16) | (S.INJECT_TX << 24));
      poke(MAP.SW_PUNT_DOWN_BASE + S.RS_FRAME, inj);
      call("mem_store32", down + S.PUNT_HEAD, 1);
    }
    for (const ctx of rng.bool() ? [0, 1] : [1, 0]) {
      call("eng_poll", ctx, 1000 + round);
      call("region_digest", MAP.REGOP_BASE, 16 + 16 * 8); // the round's doorbells
    }
    for (const p of [0, 1]) {
      // TX write-back: DD on everything queued
      const use = core.exports.nic_ring_info(p, RINGS.RING_TX, RINGS.RINGINFO_USE);
      while (txNext[p] !== use) {
        call("mem_store8", dma(p, RINGS.PORT_DMA_TX_DESC) + 16 * txNext[p] + 12, 1);
        txNext[p] = (txNext[p] + 1) % RING;
      }
    }
  }
  for (const ctx of [0, 1]) {
    call("eng_counters", ctx, CNT, E.ECTR_COUNT);
    call("region_digest", CNT, 4 * E.ECTR_COUNT);
  }
  call("region_digest", MAP.DMA_BASE, 2 * RINGS.PORT_DMA_STRIDE);
  call("region_digest", MAP.SWITCH_BASE, MAP.SWITCH_SIZE);
  for (let i = 0; i < RING; i++) for (const p of [0, 1]) for (const k of [RINGS.RING_TX, RINGS.RING_RX]) call("nic_slot_buf", p, k, i);
  return { script, v8 };
}

export const engine: ConformanceSource = {
  name: "engine",
  description: "the packet engine: two switching cores polling rings fed as RX DMA would, zero copy and copy, TX write-back, an injection",
  build: () => buildEngineScript().script,
};
