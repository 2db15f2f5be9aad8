// The switching path's record layouts, verdict encoding, counters and limits. Portable
// (asc + tsc): the core's switch/ code and the host's host/switch/ wrappers both use these.
// Where each table lives: memmap.ts (SW_*_BASE). The prose: docs/switching-path.md.
//
// Byte order: addresses are stored as on the wire (network order); every other multi-byte
// field in these records is little-endian, the core's native order (as in repr.ts).

// ---- limits ------------------------------------------------------------------------------
export const SW_MAX_PORTS = 8;
export const SW_MAX_CP = 16;
export const SW_MAX_SERVICES = 64;
export const SW_MAX_BACKENDS = 1024;
export const SW_FRAG_SLOTS = 4096; // power of two
export const SW_CONN_MIN = 16; // entries; capacity is a power of two in [MIN, MAX]
export const SW_CONN_MAX = 1 << 20;

// ---- port record (SW_PORTS_BASE + port * SW_PORT_SIZE) -----------------------------------
// The MAC the switching path writes as source on frames it sends out of that port.
export const SW_PORT_SIZE = 16;
export const SW_PORT_MAC = 0; // [6]
export const SW_PORT_VALID = 6; // u8: 1 = configured

// ---- address record: CP addresses, and the argument of sw_cp_set ------------------------
export const SW_ADDR_SIZE = 32;
export const SW_ADDR_FAMILY = 0; // u8: 0 unused, 4, 6
export const SW_ADDR_ADDR = 16; // [16]: IPv4 in the first 4 bytes, the rest zero

export const FAMILY_NONE = 0;
export const FAMILY_V4 = 4;
export const FAMILY_V6 = 6;

// ---- service record (SW_SERVICES_BASE + index * SW_SVC_SIZE); also sw_service_set's repr --
export const SW_SVC_SIZE = 64;
export const SW_SVC_FAMILY = 0; // u8: 0 unused, 4, 6
export const SW_SVC_PROTO = 1; // u8: 6 TCP, 17 UDP
export const SW_SVC_MODE = 2; // u8: SVC_MODE_DSR or SVC_MODE_NAT (IPv4 only)
export const SW_SVC_RETURN_PORT = 3; // u8: port replies to clients leave by (NAT)
export const SW_SVC_PORT = 4; // u16: service port
export const SW_SVC_RETURN_MAC = 8; // [6]: next hop towards clients (NAT replies)
export const SW_SVC_VIP = 16; // [16]
export const SW_SVC_HASH = 32; // u32: core-computed hash of (VIP, proto, port)

export const SVC_MODE_DSR = 0; // destination MAC rewrite only: back ends own the VIP
export const SVC_MODE_NAT = 1; // destination IP and port rewrite, reverse NAT on replies

// ---- back-end record (SW_BACKENDS_BASE + index * SW_BE_SIZE); also sw_backend_set's repr --
export const SW_BE_SIZE = 64;
export const SW_BE_STATE = 0; // u8: BE_UNUSED / BE_UP / BE_DOWN
export const SW_BE_FAMILY = 1; // u8: 4 or 6
export const SW_BE_TX_PORT = 2; // u8: port the back end is reached through
export const SW_BE_PORT = 4; // u16: NAT destination port (0 = keep the service port)
export const SW_BE_MAC = 8; // [6]
export const SW_BE_ADDR = 16; // [16]
export const SW_BE_PACKETS = 32; // u32: packets forwarded to it (core-maintained, wraps)
export const SW_BE_CONNS = 36; // u32: connections assigned to it (core-maintained, wraps)

export const BE_UNUSED = 0;
export const BE_UP = 1;
export const BE_DOWN = 2; // its connections are re-scheduled on their next packet

// ---- load-distribution table (SW_LB_A_BASE / SW_LB_B_BASE) -------------------------------
// A header of SW_MAX_SERVICES (offset, size) pairs, then u16 back-end indices. Service s
// uses slots [offset, offset + size) of the slot array; size 0 = no back end.
export const LB_HDR_ENTRY = 8;
export const LB_HDR_OFFSET = 0; // u32, in slots
export const LB_HDR_SIZE = 4; // u32, in slots
export const LB_SLOTS = 0x400; // byte offset of the slot array
export const LB_SLOT_BYTES = 2;
export const LB_MAX_SLOTS = 261632; // (SW_LB_TABLE_SIZE - LB_SLOTS) / 2
export const LB_TABLE_A = 0;
export const LB_TABLE_B = 1;

// ---- connection table (SW_CONN_BASE) ----------------------------------------------------
// Set-associative: buckets of CONN_WAYS ways; each key has two candidate buckets. A bucket
// is four cache lines (docs/switching-path.md "Connection table"): the signature line, which
// holds everything a probe, an expiry check or an eviction reads (per way: a 16-bit
// signature, 0 = free; the service index; the flags; the tick of the last packet), then the
// entries, CONN_ENTRIES_PER_LINE to a line and never across one (per way: the client's
// address and port, the back end). 32 bytes per entry, signature line included.
export const CONN_WAYS = 8;
export const CONN_BUCKET_SIZE = 256;
export const CONN_LINE = 64; // the cache line the layout is cut to
export const CONN_SIGS = 0; // u16 x CONN_WAYS: signature, 0 = free way
export const CONN_SVCS = 16; // u8 x CONN_WAYS: service index (< SW_MAX_SERVICES)
export const CONN_FLAGS = 24; // u8 x CONN_WAYS: CF_*
export const CONN_SEEN = 32; // u32 x CONN_WAYS: tick of the last packet (either direction)
export const CONN_ENTRIES = 64; // byte offset of the first entry line
export const CONN_ENTRY_SIZE = 20;
export const CONN_ENTRIES_PER_LINE = 3; // way w: line 1 + w / 3, offset 20 * (w % 3)
export const CONN_BYTES_PER_ENTRY = 32; // CONN_BUCKET_SIZE / CONN_WAYS
export const CE_CLIENT_ADDR = 0; // [16]: IPv4 in the first 4 bytes, the rest zero
export const CE_CLIENT_PORT = 16; // u16
export const CE_BACKEND = 18; // u16: back-end index (< SW_MAX_BACKENDS)

export const CF_V6 = 0x01;
export const CF_ESTABLISHED = 0x02; // TCP: a packet after the SYN was seen from the client
export const CF_FIN_CLIENT = 0x04;
export const CF_FIN_SERVER = 0x08;
export const CF_RST = 0x10;
export const CF_UDP = 0x20; // the connection is UDP; TCP otherwise (only TCP and UDP have entries)

export const CONN_POLICY_EVICT = 0; // full candidate buckets: evict the least recently seen
export const CONN_POLICY_DROP = 1; // full candidate buckets: drop the new connection

// Timeout slots for sw_timeout_set(kind, ticks). A tick is one millisecond by convention
// (the host passes a free-running i32 millisecond clock); the defaults follow IPVS.
export const TMO_TCP_ESTABLISHED = 0; // default 900,000 (15 min)
export const TMO_TCP_SYN = 1; // default 60,000: client sent only a SYN so far
export const TMO_TCP_FIN = 2; // default 120,000: a FIN was seen
export const TMO_TCP_CLOSED = 3; // default 10,000: a RST was seen
export const TMO_UDP = 4; // default 300,000
export const TMO_FRAG = 5; // default 30,000: fragment-tracking entries
export const TMO_COUNT = 6;

// ---- fragment-tracking slot (SW_FRAGS_BASE + slot * FRAG_SLOT_SIZE) ---------------------
export const FRAG_SLOT_SIZE = 16;
export const FRAG_TAG = 0; // u32: hash of (src, dst, proto) | 1; 0 = free
export const FRAG_IDENT = 4; // u32: IPv4 identification or IPv6 fragment identification
export const FRAG_SRC_PORT = 8; // u16
export const FRAG_DST_PORT = 10; // u16
export const FRAG_SEEN = 12; // u32 tick

// ---- punt rings (headers at SW_RING_HDR_BASE, slots at SW_PUNT_UP/DOWN_BASE) -------------
// Single producer, single consumer. head and tail are free-running u32 counters on separate
// cache lines; slot = counter & (PUNT_SLOTS - 1); empty when head == tail, full when
// head - tail == PUNT_SLOTS. The producer fills the slot, then publishes head; the consumer
// reads the slot, then publishes tail.
export const PUNT_HDR_SIZE = 256;
export const PUNT_UP = 0; // core -> host (punts): header at SW_RING_HDR_BASE
export const PUNT_DOWN = 1; // host -> core (replies, injections): SW_RING_HDR_BASE + 256
export const PUNT_HEAD = 0; // u32, written by the producer
export const PUNT_TAIL = 64; // u32, written by the consumer
export const PUNT_SLOTS = 128;
export const PUNT_SLOT_SIZE = 2048;
export const RS_LEN = 0; // u16 frame length
export const RS_PORT = 2; // u8: up: ingress port; down: port to send on / to enter by
export const RS_KIND = 3; // u8: up: PUNT_* reason; down: INJECT_*
export const RS_TICK = 4; // u32: up: tick when punted
export const RS_FRAME = 16; // frame bytes
export const PUNT_MAX_FRAME = 2032; // PUNT_SLOT_SIZE - RS_FRAME

export const PUNT_CP_ADDR = 1; // addressed to a CP address
export const PUNT_ARP = 2; // ARP for a CP address or a VIP
export const PUNT_NDP = 3; // IPv6 Neighbor Discovery
export const PUNT_ICMP_VIP = 4; // ICMP/ICMPv6 (echo, errors) addressed to a VIP

export const INJECT_TX = 1; // transmit the frame as is on port RS_PORT
export const INJECT_SWITCH = 2; // run it through the switching path as if received on RS_PORT

// ---- batch descriptor (sw_batch): one per packet, in host-visible memory ----------------
export const BD_SIZE = 16;
export const BD_BUF = 0; // u32 frame address
export const BD_LEN = 4; // u16 frame length
export const BD_CAP = 6; // u16 buffer capacity (>= length; RST answers are padded to 60)
export const BD_IN_PORT = 8; // u8
export const BD_VERDICT = 12; // i32, written by the core: the packed verdict (below)
export const SW_BATCH_MAX = 256;

// ---- verdicts: (action << 24) | (port << 16) | (length or drop reason) -------------------
export const V_FORWARD = 1; // transmit the (rewritten) frame on port, length bytes
export const V_ANSWER = 2; // transmit the answer (a RST) on port = the ingress port
export const V_PUNT = 3; // copied into the punt ring; the buffer is free again
export const V_DROP = 4; // low 16 bits: the counter index naming the reason

export function verdict(action: i32, port: i32, low: i32): i32 {
  return (action << 24) | ((port & 0xff) << 16) | (low & 0xffff);
}
export function verdictAction(v: i32): i32 {
  return v >>> 24;
}
export function verdictPort(v: i32): i32 {
  return (v >>> 16) & 0xff;
}
export function verdictLow(v: i32): i32 {
  return v & 0xffff;
}

// ---- counters: u32 each, read with sw_counters(out, n) ----------------------------------
// Drop counters double as the drop reason in a V_DROP verdict.
export const C_RX = 0; // packets offered to the switching path
export const C_FORWARD = 1; // client -> back end
export const C_FORWARD_REPLY = 2; // back end -> client, reverse NAT
export const C_ANSWER_RST = 3; // RSTs sent for TCP to no service
export const C_PUNT = 4;
export const C_DROP = 5; // all drops
export const C_DROP_MALFORMED = 6; // a header is truncated or inconsistent
export const C_DROP_UDP_NO_SERVICE = 7;
export const C_DROP_TCP_RST_NO_SERVICE = 8; // a RST to no service is never answered
export const C_DROP_UNSUPPORTED = 9; // another protocol, ICMP not for us, QinQ...
export const C_DROP_NO_BACKEND = 10; // the service's table is empty or its back ends down
export const C_DROP_TABLE_FULL = 11; // CONN_POLICY_DROP and both candidate buckets full
export const C_DROP_FRAG_UNTRACKED = 12; // non-first fragment without a tracked first
export const C_DROP_FRAG_NO_SERVICE = 13; // fragment of a datagram to no service
export const C_DROP_PUNT_FULL = 14;
export const C_DROP_PUNT_TOO_BIG = 15;
export const C_DROP_NOT_OURS = 16; // ARP/NDP for another host, non-IP EtherType
export const C_DROP_BAD_ADDR = 17; // multicast/broadcast source, or TCP/UDP to multicast
export const C_DROP_BAD_DESC = 18; // batch descriptor outside packet memory
export const C_DROP_NO_PORT = 19; // egress port has no MAC configured
export const C_DROP_EXT_HEADERS = 20; // more than SW_MAX_EXT_HEADERS IPv6 extension headers
export const C_CONN_NEW = 21;
export const C_CONN_NEW_NONSYN = 22; // created by a non-SYN TCP packet (after eviction...)
export const C_CONN_REOPENED = 23; // SYN on a closed/closing entry: a new connection
export const C_CONN_EVICTED = 24;
export const C_CONN_EXPIRED = 25; // idle entries removed or reused
export const C_CONN_RESCHEDULED = 26; // back end went down, connection moved
export const C_CONN_LIVE = 27; // gauge: entries in the table
export const C_FRAG_TRACKED = 28; // first fragments recorded
export const C_FRAG_FOLLOWED = 29; // non-first fragments that found their first
export const C_LB_FLIPS = 30;
export const C_INJECT_TX = 31;
export const C_INJECT_SWITCHED = 32;
export const C_INJECT_BAD = 33; // host-to-core slot with a bad length/kind/port, skipped
export const C_COUNT = 34;

export const SW_MAX_EXT_HEADERS = 4;

// ---- connection key record (sw_conn_find's argument) -------------------------------------
// The service gives the family and protocol; the client is the connection's other end.
export const CK_SERVICE = 0; // u16
export const CK_CLIENT_PORT = 2; // u16
export const CK_CLIENT_ADDR = 16; // [16]
export const CK_SIZE = 32;
