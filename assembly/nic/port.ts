// Per-port configuration the host hands the core (nic_port_config, nic_port_mac): where the
// NIC sees this core's DMA region, ring sizes, the board's TX queues and the fault path's own
// queue. Layout: STATE_NIC_PORTS + port * PORT_SIZE.

import { STATE_NIC_PORTS } from "../state";
import { DMA_BASE } from "../shared/memmap";
import { NIC_MAX_PORTS, FAULT_QUEUE_NONE, RING_TX } from "../shared/rings";

const PORT_SIZE: usize = 64;
const P_CONFIGURED: usize = 0; // u32: 1 after nic_port_config
const P_PHYS_LO: usize = 4; // u32: physical address of DMA_BASE as the NIC sees it
const P_PHYS_HI: usize = 8; // u32
const P_FAULT_QUEUE: usize = 12; // i32: the fault path's own TX queue, or FAULT_QUEUE_NONE
const P_TX_QUEUES: usize = 16; // u32: TX queues of the NIC (1 = e1000, > 1 = i210-like)
const P_ACTIVE_TX: usize = 20; // u32: ring kind the doorbell and confirm act on
const P_RAL: usize = 24; // u32: MAC bytes 0-3 as RAL holds them
const P_RAH: usize = 28; // u32: MAC bytes 4-5 (low 16 bits)
const P_MAC_SET: usize = 32; // u32: 1 when nic_port_mac was called

@inline
function portPtr(port: i32): usize {
  return STATE_NIC_PORTS + <usize>port * PORT_SIZE;
}

export function portInRange(port: i32): bool {
  return port >= 0 && port < NIC_MAX_PORTS;
}

export function portConfigured(port: i32): bool {
  return portInRange(port) && load<u32>(portPtr(port) + P_CONFIGURED) == 1;
}

export function portSet(port: i32, physLo: u32, physHi: u32, txQueues: i32, faultQueue: i32): void {
  const p = portPtr(port);
  store<u32>(p + P_CONFIGURED, 1);
  store<u32>(p + P_PHYS_LO, physLo);
  store<u32>(p + P_PHYS_HI, physHi);
  store<u32>(p + P_TX_QUEUES, <u32>txQueues);
  store<i32>(p + P_FAULT_QUEUE, faultQueue);
  store<u32>(p + P_ACTIVE_TX, RING_TX);
}

export function portSetMac(port: i32, ral: u32, rah: u32): void {
  const p = portPtr(port);
  store<u32>(p + P_RAL, ral);
  store<u32>(p + P_RAH, rah & 0xffff);
  store<u32>(p + P_MAC_SET, 1);
}

export function portHasMac(port: i32): bool {
  return load<u32>(portPtr(port) + P_MAC_SET) == 1;
}

export function portRal(port: i32): u32 {
  return load<u32>(portPtr(port) + P_RAL);
}

export function portRah(port: i32): u32 {
  return load<u32>(portPtr(port) + P_RAH);
}

export function portFaultQueue(port: i32): i32 {
  return load<i32>(portPtr(port) + P_FAULT_QUEUE);
}

export function portHasFaultQueue(port: i32): bool {
  return portFaultQueue(port) != FAULT_QUEUE_NONE;
}

/** True for NICs whose TX queues each need TXDCTL.QUEUE_ENABLE (the i210-like model). */
export function portMultiQueue(port: i32): bool {
  return load<u32>(portPtr(port) + P_TX_QUEUES) > 1;
}

export function portActiveTx(port: i32): i32 {
  return <i32>load<u32>(portPtr(port) + P_ACTIVE_TX);
}

export function portSetActiveTx(port: i32, kind: i32): void {
  store<u32>(portPtr(port) + P_ACTIVE_TX, <u32>kind);
}

/** Physical address of core address addr (inside the DMA region) as port's NIC sees it. */
export function physOf(port: i32, addr: usize): u64 {
  const p = portPtr(port);
  const base = (<u64>load<u32>(p + P_PHYS_HI) << 32) | <u64>load<u32>(p + P_PHYS_LO);
  return base + <u64>(addr - DMA_BASE);
}
