// Per-port configuration the host hands the core (nic_port_config, nic_port_mac): where the
// NIC sees this core's DMA region, the board's TX queues and the fault path's own queue, the
// MAC, and which TX ring the port's doorbell acts on. state.ts STATE_NIC_PORTS.

import { STATE_NIC_PORTS, NIC_PORT_STRIDE } from "../state";
import { DMA_BASE } from "../shared/memmap";
import { NIC_MAX_PORTS, FAULT_QUEUE_NONE, RING_TX } from "../shared/rings";

@unmanaged
export class NicPort {
  configured: u32; // 1 after nic_port_config
  physLo: u32; // physical address of DMA_BASE as the NIC sees it
  physHi: u32;
  faultQueue: i32; // the fault path's own TX queue, or FAULT_QUEUE_NONE
  txQueues: u32; // TX queues of the NIC (1 = e1000, > 1 = i210-like)
  activeTx: u32; // ring kind (RING_TX / RING_FAULT) the doorbell and confirm act on
  ral: u32; // MAC bytes 0-3 as RAL holds them
  rah: u32; // MAC bytes 4-5 (low 16 bits)
  macSet: u32; // 1 when nic_port_mac was called
}

/** Port p's record (p in range: the caller checked portInRange). */
@inline
export function nicPort(port: i32): NicPort {
  return changetype<NicPort>(STATE_NIC_PORTS + <usize>port * NIC_PORT_STRIDE);
}

export function portInRange(port: i32): bool {
  return port >= 0 && port < NIC_MAX_PORTS;
}

export function portConfigured(port: i32): bool {
  return portInRange(port) && nicPort(port).configured == 1;
}

export function portSet(port: i32, physLo: u32, physHi: u32, txQueues: i32, faultQueue: i32): void {
  const p = nicPort(port);
  p.configured = 1;
  p.physLo = physLo;
  p.physHi = physHi;
  p.txQueues = <u32>txQueues;
  p.faultQueue = faultQueue;
  p.activeTx = RING_TX;
}

export function portSetMac(port: i32, ral: u32, rah: u32): void {
  const p = nicPort(port);
  p.ral = ral;
  p.rah = rah & 0xffff;
  p.macSet = 1;
}

export function portHasFaultQueue(port: i32): bool {
  return nicPort(port).faultQueue != FAULT_QUEUE_NONE;
}

/** True for NICs whose TX queues each need TXDCTL.QUEUE_ENABLE (the i210-like model). */
export function portMultiQueue(port: i32): bool {
  return nicPort(port).txQueues > 1;
}

/** Physical address of core address addr (inside the DMA region) as port's NIC sees it. */
export function physOf(port: i32, addr: usize): u64 {
  const p = nicPort(port);
  const base = (<u64>p.physHi << 32) | <u64>p.physLo;
  return base + <u64>(addr - DMA_BASE);
}
