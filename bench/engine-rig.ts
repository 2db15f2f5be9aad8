// The packet engine's benchmark rig, shared by engine.bench.ts, scale-ab.ts and model-loop.ts: a two-port
// board with the engine on port 0's RX queue, the NAT service and its back ends, the frame
// template, and the NIC emulated in memory (RX DMA and TX write-back).

import { SimBoard } from "../host/board/sim";
import { SwitchPath } from "../host/switch/switch";
import { LbTables } from "../host/switch/lbtables";
import { maglevTable } from "../host/switch/distribution";
import { parseIPv4, parseMac } from "../host/util/addr";
import { SwitchReference } from "./switch-ts-reference";

export const BATCH = 32;
export const RING = 256;
export const CAPACITY = 1 << 20;
export const SEED = 0x1234567;
export const BACKENDS = 16;
export const OS_PHYS = 0x1_0000_0000;
export const VIP = parseIPv4("203.0.113.10");
export const PORT_MAC = [parseMac("02:00:00:00:1b:00"), parseMac("02:00:00:00:1b:01")];
export const beMac = (i: number) => parseMac(`02:00:00:00:be:${i.toString(16).padStart(2, "0")}`);
export const beIp = (i: number) => parseIPv4(`198.51.100.${11 + i}`);


/** A TCP ACK to VIP:80 from 198.18.0.0:10000, len bytes (checksums valid for that source). */
export function template(len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(PORT_MAC[0], 0);
  f.set(parseMac("02:00:00:00:c1:01"), 6);
  const ipLen = len - 14;
  f.set([0x08, 0x00, 0x45, 0, ipLen >> 8, ipLen & 0xff, 0, 1, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 0, ...VIP], 12);
  const sum = (a: number, b: number) => {
    let s = 0;
    for (let i = a; i < b; i += 2) s += (f[i] << 8) | (i + 1 < b ? f[i + 1] : 0);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    return s;
  };
  const ipc = ~sum(14, 34) & 0xffff;
  f[24] = ipc >> 8;
  f[25] = ipc & 0xff;
  const t = 34;
  f.set([0x27, 0x10, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0xff, 0xff], t);
  for (let i = t + 20; i < len; i++) f[i] = i & 0xff;
  let s = sum(26, 34) + 6 + (len - t) + sum(t, len);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff;
  f[t + 16] = c >> 8;
  f[t + 17] = c & 0xff;
  return f;
}

/**
 * The NIC, emulated in memory: RX DMA into the buffers the RX descriptors name, TX write-back.
 * mem is the memory, base the index of physical offset 0 (the DMA window's start).
 */
export class NicEmulation {
  private rxNext = 0;
  private txNext = 0;

  constructor(private readonly mem: Uint8Array, private readonly base: number, private readonly rxDesc: number, private readonly txDesc: number, private readonly tmpl: Uint8Array) {}

  /** 32 frames for flows seq[k..k+31] into the next 32 RX descriptors' buffers, then DD|EOP. */
  deliver(seq: Uint32Array, k: number): void {
    const mem = this.mem;
    const len = this.tmpl.length;
    for (let i = 0; i < BATCH; i++) {
      const d = this.rxDesc + this.rxNext * 16;
      const lo = mem[d] | (mem[d + 1] << 8) | (mem[d + 2] << 16) | (mem[d + 3] << 24);
      const o = this.base + lo; // OS_PHYS's low word is 0
      mem.set(this.tmpl, o);
      const f = seq[(k + i) & (seq.length - 1)];
      const a = f >>> 3;
      mem[o + 27] = 18 + (a >>> 16); // client 198.18.0.0/15 + a
      mem[o + 28] = (a >>> 8) & 0xff;
      mem[o + 29] = a & 0xff; // the IP checksum is not fixed up: neither path verifies it
      const port = 10000 + (f & 7);
      mem[o + 34] = port >> 8;
      mem[o + 35] = port & 0xff;
      mem[d + 8] = len & 0xff;
      mem[d + 9] = len >> 8;
      mem[d + 13] = 0;
      mem[d + 12] = 3; // DD | EOP, last
      this.rxNext = (this.rxNext + 1) & (RING - 1);
    }
  }

  /** TX write-back: DD on the next n TX descriptors. */
  complete(n: number): void {
    for (let i = 0; i < n; i++) {
      this.mem[this.txDesc + this.txNext * 16 + 12] = 1;
      this.txNext = (this.txNext + 1) & (RING - 1);
    }
  }
}

export function configure(sw: SwitchPath | null, ref: SwitchReference | null): void {
  PORT_MAC.forEach((m, p) => {
    sw?.setPort(p, m);
    ref?.setPort(p, m);
  });
  sw?.setCpAddress(0, 4, parseIPv4("192.0.2.1"));
  ref?.addCp(parseIPv4("192.0.2.1"));
  sw?.setService(0, { family: 4, vip: VIP, protocol: "tcp", port: 80, mode: "nat", returnPort: 0, returnMac: parseMac("02:00:00:00:00:fe") });
  ref?.setService(0, { family: 4, proto: 6, port: 80, vip: VIP, nat: true });
  for (let i = 0; i < BACKENDS; i++) {
    sw?.setBackend(i, { family: 4, addr: beIp(i), mac: beMac(i), txPort: 1, port: 8080 });
    ref?.setBackend(i, { up: true, mac: beMac(i), addr: beIp(i), port: 8080, txPort: 1 });
  }
}

export const TABLE = maglevTable([...Array(BACKENDS).keys()].map((i) => ({ index: i, name: `be${i}`, weight: 1 })), 65537);

/** A fresh two-port board with the engine on port 0's RX queue (context 0). */
export function coreSetup(mode: number) {
  const port = (name: string, mac: Uint8Array) => ({ name, mac, model: "e1000" as const, txQueues: 1, rings: { tx: RING, rx: RING, fault: 8 } });
  const board = new SimBoard({ osDmaPhys: OS_PHYS, faultDmaPhys: 0x2_0000_0000, ports: [port("p0", PORT_MAC[0]), port("p1", PORT_MAC[1])] });
  for (const p of [0, 1]) {
    board.osRings.must("nic_tx_init", p);
    board.osRings.must("nic_rx_init", p);
  }
  const core = board.os;
  const sw = SwitchPath.create({ capacity: CAPACITY, seed: SEED, policy: "evict" }, core);
  configure(sw, null);
  new LbTables(core).publish(new Map([[0, TABLE]]));
  core.call("eng_reset");
  core.call("eng_config", 0, BATCH, mode);
  core.call("eng_rx_claim", 0, 0, 0);
  return { board, core, sw };
}

