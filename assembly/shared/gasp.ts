// The gasp protocol: message layout, enumerations, encapsulation constants and the reprs of
// the gasp exports. Portable (asc + tsc). The protocol is specified byte by byte in
// docs/gasp-protocol.md; this file is its one declaration.
//
// Message (network byte order), the same bytes in both encapsulations:
//
//    0 u16 magic 0x4C47 "LG"   12 u32 boot counter      32 u64 PC
//    2 u8  version (1)         16 u32 epoch             40 u64 uptime, microseconds
//    3 u8  type                20 u8  flags             48 u32 exception vector / syndrome
//    4 u32 chassis id          21 u8  fault cause       52 excerpt[n], n <= 64
//    8 u8  unit id             22 u8  excerpt length n  52+n MAC[16] =
//    9 u8  role                23 u8  reserved (0)        HMAC-SHA256(key, bytes 0..52+n)[0..16]
//   10 u8  priority            24 u64 sequence
//   11 u8  key id
//
// Bytes 0..20 do not change between two messages of one boot (until gasp_update); 20..end
// is the part a fault patches, contiguous so the patch and the UDP checksum over it are one
// range each.

import { E_GASP_NOT_GASP, E_GASP_NOT_ARMED } from "./status";

// ---- identity of the protocol ---------------------------------------------------------------
export const GASP_MAGIC = 0x4c47; // "LG"
export const GASP_VERSION = 1;
/** UDP port, source and destination (0x4C47 = the magic). Not in /etc/services; configurable. */
export const GASP_UDP_PORT = 19527;
// The raw encapsulation uses ETHERTYPE_LOCAL_EXP1 (0x88B5) from wire.ts.

// ---- message layout -------------------------------------------------------------------------
export const GASP_OFF_MAGIC = 0;
export const GASP_OFF_VERSION = 2;
export const GASP_OFF_TYPE = 3;
export const GASP_OFF_CHASSIS = 4;
export const GASP_OFF_UNIT = 8;
export const GASP_OFF_ROLE = 9;
export const GASP_OFF_PRIORITY = 10;
export const GASP_OFF_KEY_ID = 11;
export const GASP_OFF_BOOT = 12;
export const GASP_OFF_EPOCH = 16;
export const GASP_OFF_FLAGS = 20;
export const GASP_OFF_CAUSE = 21;
export const GASP_OFF_EXCERPT_LEN = 22;
export const GASP_OFF_RESERVED = 23;
export const GASP_OFF_SEQ = 24;
export const GASP_OFF_PC = 32;
export const GASP_OFF_UPTIME = 40;
export const GASP_OFF_VECTOR = 48;
export const GASP_OFF_EXCERPT = 52;

/** Bytes that stay the same for a whole boot (until gasp_update): the identity block. */
export const GASP_CONST_LEN = 20;
/** Fixed part: everything before the excerpt. */
export const GASP_FIXED_LEN = 52;
export const GASP_EXCERPT_MAX = 64;
/** HMAC-SHA256 truncated to 128 bits (the leftmost 16 bytes, RFC 2104 §5). */
export const GASP_MAC_LEN = 16;
export const GASP_MIN_LEN = GASP_FIXED_LEN + GASP_MAC_LEN; // 68
export const GASP_MAX_LEN = GASP_FIXED_LEN + GASP_EXCERPT_MAX + GASP_MAC_LEN; // 132

/**
 * SHA-256 compressions one gasp MAC costs with precomputed key states: the MAC input is
 * 52 + n bytes, so ceil((52 + n + 9) / 64) + 1 (docs/core-abi.md): 2 for n <= 3, 3 up to 64.
 */
export function gaspMacCompressions(excerptLen: i32): i32 {
  return ((GASP_FIXED_LEN + excerptLen + 9 + 63) >> 6) + 1;
}

// ---- message types --------------------------------------------------------------------------
export const GASP_TYPE_GASP = 1; // the dying notice
export const GASP_TYPE_HELLO = 2; // heartbeat, same authentication and replay rules
export const GASP_TYPE_MAX = 2;

// ---- flags (byte 20) --------------------------------------------------------------------------
/** The sender promises not to transmit again until it reboots (its core refuses hellos). */
export const GASP_FLAG_SELF_FENCED = 0x01;
/** The excerpt was cut to GASP_EXCERPT_MAX, or the handler's excerpt was unreadable. */
export const GASP_FLAG_EXCERPT_TRUNCATED = 0x02;

// ---- fault causes (byte 21; 0 in a HELLO). Receivers accept values they do not know. -------
export const GASP_CAUSE_NONE = 0;
export const GASP_CAUSE_TRAP = 1; // CPU exception: illegal instruction, abort, bus error, WASM trap
export const GASP_CAUSE_EXCEPTION = 2; // uncaught software exception, panic, failed assertion
export const GASP_CAUSE_WATCHDOG = 3; // the OS stopped kicking the watchdog (hang)
export const GASP_CAUSE_POWER = 4; // early power-fail warning, running on hold-up energy
export const GASP_CAUSE_OPERATOR = 5; // operator-ordered failover or orderly shutdown
export const GASP_CAUSE_MACHINE_CHECK = 6; // uncorrectable memory or bus error
export const GASP_CAUSE_THERMAL = 7; // over-temperature shutdown
export const GASP_CAUSE_MAX = 7;

// ---- roles (byte 9) ---------------------------------------------------------------------------
export const GASP_ROLE_NONE = 0; // initialising, or no opinion
export const GASP_ROLE_ACTIVE = 1;
export const GASP_ROLE_STANDBY = 2;

// ---- encapsulations ---------------------------------------------------------------------------
export const GASP_ENCAP_RAW = 1; // Ethernet, EtherType 0x88B5: backplane links
export const GASP_ENCAP_UDP = 2; // Ethernet + IPv4 + UDP: routable
export const GASP_IP_TTL_DEFAULT = 64;
export const GASP_IP_TOS_DEFAULT = 0xc0; // CS6, network control (as VRRP/keepalived send)

// ---- limits of the sender -----------------------------------------------------------------------
export const GASP_MAX_PORTS = 4;
export const GASP_MAX_COPIES = 8;
export const GASP_MAX_FRAMES = GASP_MAX_PORTS * 2; // one per (port, encapsulation)
/** Each frame buffer in the GASP region; the largest frame is 18 + 20 + 8 + 132 = 178. */
export const GASP_FRAME_BUF = 256;

// ---- the GASP region (memmap.ts GASP_BASE), offsets from its base ---------------------------
export const GASP_REG_RESULT = 0x0000; // result table of the last gasp_fire
export const GASP_REG_HELLO_RESULT = 0x0100; // result table of the last gasp_hello
export const GASP_REG_MSG = 0x0200; // the gasp message (MAC input + MAC), GASP_MAX_LEN
export const GASP_REG_HELLO_MSG = 0x0300; // the hello message
export const GASP_REG_FRAMES = 0x1000; // GASP_MAX_FRAMES gasp frames, GASP_FRAME_BUF each
export const GASP_REG_HELLO_FRAMES = 0x1800; // GASP_MAX_FRAMES hello frames
export const GASP_REG_END = 0x2000;

// Result table (little-endian, like every repr): what the ring code sends, in order. Each
// entry's frame is to be sent COPIES times; spread the copies (all entries, then again).
export const GASP_RES_COUNT = 0; // u32 number of entries
export const GASP_RES_COPIES = 4; // u32 copies of each frame
export const GASP_RES_MSG_LEN = 8; // u32 message length (excerpt and MAC included)
export const GASP_RES_BOOT = 12; // u32
export const GASP_RES_SEQ_LO = 16; // u32
export const GASP_RES_SEQ_HI = 20; // u32
export const GASP_RES_ENTRIES = 32;
export const GASP_RES_ENTRY_SIZE = 16;
export const GASP_RE_ADDR = 0; // u32 address of the frame in linear memory
export const GASP_RE_LEN = 4; // u16 frame length (no FCS: the NIC appends it)
export const GASP_RE_PORT = 6; // u8 port index on the board
export const GASP_RE_ENCAP = 7; // u8 GASP_ENCAP_*
export const GASP_RE_COPIES = 8; // u16 (same as the header's; per entry for the ring code)

// ---- arm config repr (gasp_arm) -----------------------------------------------------------------
export const GASP_CFG_CHASSIS = 0; // u32
export const GASP_CFG_UNIT = 4; // u8
export const GASP_CFG_ROLE = 5; // u8
export const GASP_CFG_PRIORITY = 6; // u8
export const GASP_CFG_KEY_SLOT = 7; // u8 HMAC slot already set with hmac_set_key (key id <= 255)
export const GASP_CFG_BOOT = 8; // u32 boot counter, persisted and incremented by the host
export const GASP_CFG_EPOCH = 12; // u32
export const GASP_CFG_COPIES = 16; // u8 1..GASP_MAX_COPIES
export const GASP_CFG_PORT_COUNT = 17; // u8 1..GASP_MAX_PORTS
export const GASP_CFG_FLAGS = 18; // u8 GASP_CFGF_*
export const GASP_CFG_TTL = 19; // u8 IPv4 TTL (0 = GASP_IP_TTL_DEFAULT)
export const GASP_CFG_TOS = 20; // u8 IPv4 DSCP/ECN byte
export const GASP_CFG_UDP_PORT = 22; // u16 (0 = GASP_UDP_PORT)
export const GASP_CFG_PORTS = 24; // GASP_MAX_PORTS entries of GASP_CFG_PORT_SIZE
export const GASP_CFG_PORT_SIZE = 32;
export const GASP_CFG_SIZE = GASP_CFG_PORTS + GASP_MAX_PORTS * GASP_CFG_PORT_SIZE; // 152

export const GASP_CFGF_SELF_FENCE = 0x01; // gasps carry GASP_FLAG_SELF_FENCED; hellos stop after

// Per-port entry of the arm config: one board port, the path to the peer through it.
export const GASP_CP_OWN_MAC = 0; // [6]
export const GASP_CP_PEER_MAC = 6; // [6] destination MAC: the peer, or the next hop for UDP
export const GASP_CP_OWN_IP = 12; // [4]
export const GASP_CP_PEER_IP = 16; // [4]
export const GASP_CP_TCI = 20; // u16 802.1Q TCI when TAGGED
export const GASP_CP_TAGGED = 22; // u8
export const GASP_CP_ENCAPS = 23; // u8 bit set: 1 << GASP_ENCAP_RAW | 1 << GASP_ENCAP_UDP

// ---- receiver config repr (gasp_rx_config) -------------------------------------------------------
export const GASP_RXC_CHASSIS = 0; // u32 the only chassis accepted
export const GASP_RXC_UDP_PORT = 4; // u16 (0 = GASP_UDP_PORT)
export const GASP_RXC_OWN_UNIT = 6; // u8 frames from this unit are our own, looped back
export const GASP_RXC_FLAGS = 7; // u8 GASP_RXF_*
export const GASP_RXC_SIZE = 8;

export const GASP_RXF_HAS_OWN_UNIT = 0x01; // drop messages from OWN_UNIT (E_GASP_SELF)
export const GASP_RXF_ACCEPT_RAW = 0x02;
export const GASP_RXF_ACCEPT_UDP = 0x04;

// ---- received message repr (gasp_receive output) -------------------------------------------------
export const GASP_MR_TYPE = 0; // u8
export const GASP_MR_UNIT = 1; // u8
export const GASP_MR_ROLE = 2; // u8
export const GASP_MR_PRIORITY = 3; // u8
export const GASP_MR_CHASSIS = 4; // u32
export const GASP_MR_BOOT = 8; // u32
export const GASP_MR_EPOCH = 12; // u32
export const GASP_MR_SEQ = 16; // u64
export const GASP_MR_PC = 24; // u64
export const GASP_MR_UPTIME = 32; // u64
export const GASP_MR_VECTOR = 40; // u32
export const GASP_MR_FLAGS = 44; // u8
export const GASP_MR_CAUSE = 45; // u8
export const GASP_MR_KEY_ID = 46; // u8
export const GASP_MR_EXCERPT_LEN = 47; // u8
export const GASP_MR_ENCAP = 48; // u8 GASP_ENCAP_*
export const GASP_MR_TAGGED = 49; // u8
export const GASP_MR_TCI = 50; // u16
export const GASP_MR_ETH_SRC = 52; // [6] not authenticated: diagnostics only
export const GASP_MR_IP_SRC = 60; // [4] not authenticated (UDP only)
export const GASP_MR_EXCERPT = 64; // [GASP_EXCERPT_MAX]
export const GASP_MR_SIZE = 128;

/** The statuses gasp_receive can return, each counted: E_GASP_NOT_GASP .. E_GASP_NOT_ARMED. */
export const GASP_RX_REASON_FIRST = E_GASP_NOT_GASP;
export const GASP_RX_REASON_LAST = E_GASP_NOT_ARMED;

/** gasp_receive's success value: (type << 8) | unit. */
export function gaspAcceptedValue(type: i32, unit: i32): i32 {
  return (type << 8) | unit;
}

// ---- replay state repr (gasp_rx_highest output) ------------------------------------------------
export const GASP_HS_BOOT = 0; // u32
export const GASP_HS_SEQ_LO = 4; // u32
export const GASP_HS_SEQ_HI = 8; // u32
export const GASP_HS_SIZE = 12;

export const GASP_UNITS = 256; // unit ids are one byte: the receiver tracks every one
