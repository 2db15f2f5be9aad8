// Dialects (docs/dialects.md): the frames a stock peer already acts on at once, armed at boot
// beside the gasp and sent by the fault entry after it on each port — a VRRP advertisement
// with priority 0, a BFD control packet in state Down, an IEEE 802.3ah Information OAMPDU
// with the Dying Gasp flag. Portable (asc + tsc): the core, the host wrapper and the tests
// read these.
//
//   dialect_arm(kind, cfg)          a frame built from the config repr below; its index
//   dialect_rearm(index, kind, cfg) the same slot rebuilt (BFD discriminators, port changed)
//   dialect_oam_learn(index, frame, len)  the peer's Local Information TLV echoed from now on
//   dialect_carrier(portMask, drainUs)    drop carrier on these ports once everything left
//   dialect_fire(cause)             what fault_fire does: the table published, per-cause bytes patched
//   dialect_info(index, field), dialect_clear()

// ---- kinds --------------------------------------------------------------------------------------
export const DIALECT_VRRP = 1;
export const DIALECT_BFD = 2;
export const DIALECT_OAM = 3;
export const DIALECT_KIND_MAX = 3;

// ---- limits ---------------------------------------------------------------------------------------
export const DIALECT_MAX_FRAMES = 32;
export const DIALECT_MAX_COPIES = 8;
export const DIALECT_FRAME_BUF = 256;
/** Addresses one VRRP advertisement carries (IPv6: 14 + 40 + 8 + 16 x 8 = 190 bytes). */
export const DIALECT_VRRP_MAX_ADDRS = 8;

// ---- where things live in the GASP region (memmap.ts GASP_BASE), from its base ----------------------
// The gasp itself uses +0x0000 .. +0x2000; the dialects the space above it.
export const DIALECT_REG_TABLE = 0x2000; // the table the fault entry sends from (below)
export const DIALECT_REG_FRAMES = 0x3000; // DIALECT_MAX_FRAMES x DIALECT_FRAME_BUF
export const DIALECT_REG_END = DIALECT_REG_FRAMES + DIALECT_MAX_FRAMES * DIALECT_FRAME_BUF; // 0xB000

// Table (little-endian): header, then one entry per slot (armed or not), in slot order.
export const DIALECT_TAB_COUNT = 0; // u32 slots in use (highest armed index + 1)
export const DIALECT_TAB_FIRED = 4; // u32 1 after dialect_fire / fault_fire
export const DIALECT_TAB_CAUSE = 8; // u32 the cause the frames were patched for
export const DIALECT_TAB_ENTRIES = 16;
export const DIALECT_TAB_ENTRY_SIZE = 16;
export const DIALECT_TE_ADDR = 0; // u32 frame address in linear memory (0: slot empty)
export const DIALECT_TE_LEN = 4; // u16 frame length (no FCS)
export const DIALECT_TE_PORT = 6; // u8 board port
export const DIALECT_TE_KIND = 7; // u8 DIALECT_*
export const DIALECT_TE_COPIES = 8; // u8 copies, sent back to back
export const DIALECT_TE_FAMILY = 9; // u8 4 or 6 (0 for OAM)
export const DIALECT_TE_ID = 10; // u16 VRID (VRRP), UDP source port (BFD), 0 (OAM)

// ---- config reprs (little-endian integers, addresses and MACs as on the wire) -----------------------
// Common to every kind:
export const DC_PORT = 0; // u8 board port (one of the gasp's ports)
export const DC_COPIES = 1; // u8 1..DIALECT_MAX_COPIES, sent back to back
export const DC_FAMILY = 2; // u8 4 or 6 (VRRP, BFD); ignored for OAM
export const DC_FLAGS = 3; // u8 DCF_*
export const DC_OWN_MAC = 4; // [6] the port's MAC (BFD, OAM source)
export const DC_TCI = 10; // u16 802.1Q TCI when DC_TAGGED (VRRP, BFD; OAM is never tagged)
export const DC_TAGGED = 12; // u8
export const DC_KIND_BASE = 16;

export const DCF_BFD_MULTIHOP = 0x01; // BFD: UDP 4784 (RFC 5883) instead of 3784

// VRRP (DIALECT_VRRP):
export const DCV_VERSION = 16; // u8 2 or 3
export const DCV_VRID = 17; // u8 1..255
export const DCV_PRIORITY = 18; // u8 0 for the dialect; other values for diagnosis only
export const DCV_COUNT = 19; // u8 1..DIALECT_VRRP_MAX_ADDRS addresses
export const DCV_INTERVAL = 20; // u16 v2: seconds 1..255; v3: centiseconds 1..4095
export const DCV_AUTH_TYPE = 22; // u8 v2 only: VRRP_AUTH_NONE or VRRP_AUTH_PASS
export const DCV_AUTH = 24; // [8] v2 PASS: the password, zero-padded
export const DCV_SRC = 32; // [16] the master's interface address (IPv4 in the first 4)
export const DCV_ADDRS = 48; // count x [16] the virtual addresses (IPv4 in the first 4 of each)
export const DCV_SIZE = DCV_ADDRS + DIALECT_VRRP_MAX_ADDRS * 16; // 176

// BFD (DIALECT_BFD): one session, as the peer knows it.
export const DCB_DIAG = 16; // u8 0..31 (RFC 5880 §4.1); the host's default is 4, forwarding plane reset
export const DCB_DETECT_MULT = 17; // u8 1..255
export const DCB_SRC_PORT = 18; // u16 49152..65535, the session's own
export const DCB_MY_DISC = 20; // u32 non-zero
export const DCB_YOUR_DISC = 24; // u32 non-zero: the peer ignores 0 on a session that is not Down
export const DCB_DESIRED_MIN_TX = 28; // u32 µs
export const DCB_REQUIRED_MIN_RX = 32; // u32 µs
export const DCB_REQUIRED_MIN_ECHO_RX = 36; // u32 µs
export const DCB_PEER_MAC = 40; // [6] the peer's (or the next hop's) MAC
export const DCB_SRC = 48; // [16]
export const DCB_DST = 64; // [16]
export const DCB_SIZE = 80;

// OAM (DIALECT_OAM): our Local Information TLV's fields; the peer's is learned (dialect_oam_learn).
export const DCO_CONFIG = 16; // u8 OAM configuration (mode, capabilities)
export const DCO_STATE = 17; // u8 state (parser/multiplexer actions)
export const DCO_PDU_CONFIG = 18; // u16 maximum OAMPDU size (11 bits)
export const DCO_REVISION = 20; // u16
export const DCO_OUI = 22; // [3]
export const DCO_VENDOR = 25; // [4]
export const DCO_SIZE = 29;

// ---- dialect_info(index, field); index -1 for the table as a whole ----------------------------------
export const DINFO_COUNT = 0; // (index -1) slots in use
export const DINFO_ARMED = 1; // 1 when the slot holds a frame
export const DINFO_KIND = 2;
export const DINFO_PORT = 3;
export const DINFO_COPIES = 4;
export const DINFO_LEN = 5;
export const DINFO_ADDR = 6; // the frame's address in linear memory (the GASP region)
export const DINFO_PEER_KNOWN = 7; // OAM: 1 once the peer's Local Information TLV was learned
export const DINFO_CARRIER_MASK = 8; // (index -1) ports whose carrier the fault entry drops
export const DINFO_CARRIER_DRAIN_US = 9; // (index -1)
export const DINFO_FIELDS = 10;

/** Causes for which the OAMPDU also carries Critical Event (the gasp's fault causes). */
export const DIALECT_CRITICAL_CAUSES = (1 << 6) | (1 << 7); // machine check, thermal

/** Default drain before the carrier drop: a 40 KiB TX FIFO at 1 Gb/s is 328 µs. */
export const DIALECT_CARRIER_DRAIN_DEFAULT_US = 500;
export const DIALECT_CARRIER_DRAIN_MAX_US = 100_000;
