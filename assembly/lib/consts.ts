// Constant addresses the encoders copy from, placed in static data by the compiler
// (no start function, nothing to initialise).

export const BROADCAST_MAC: usize = memory.data<u8>([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** 33:33:00:00:00:01, the Ethernet mapping of ff02::1 (RFC 2464 §7). */
export const ALL_NODES_MAC: usize = memory.data<u8>([0x33, 0x33, 0x00, 0x00, 0x00, 0x01]);

/** ff02::1, the link-local all-nodes multicast address (RFC 4291 §2.7.1). */
export const ALL_NODES_IP6: usize = memory.data<u8>([
  0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
]);
