// Status codes returned by the core's exports. Portable (asc + tsc).
//
// Every export returns i32: a value or OK (>= 0) on success, one of these (< 0) on failure.
// Each subsystem owns a range so that codes never collide:
//   -1 .. -31   ABI and wire formats (this list)
//   -32 .. -63  NIC rings and registers
//   -64 .. -95  gasp protocol and fault path
//   -96 .. -127 switching path

export const OK = 0;

export const E_RANGE = -1; // pointer/length outside host-visible memory
export const E_SHORT = -2; // input shorter than the header or length it claims
export const E_CAP = -3; // output buffer too small
export const E_ETHERTYPE = -4; // not the EtherType this decoder handles (or an 802.3 length)
export const E_VERSION = -5; // IP version field wrong
export const E_CHECKSUM = -6; // checksum does not verify
export const E_LENGTH = -7; // a length field is inconsistent with the bytes given
export const E_FIELD = -8; // a field holds a value this decoder does not accept
export const E_ARG = -9; // an argument is out of range (VLAN ID 4095, bad slot...)
export const E_PROTO = -10; // unexpected upper-layer protocol
export const E_STATE = -11; // called in the wrong state (not initialised, no key...)
export const E_LAYOUT = -12; // static data overflows its region: the build is broken
export const E_MEMSIZE = -13; // linear memory is not the size the map declares

// NIC rings and registers (-32 .. -63): assembly/nic/, docs/rings.md.
export const E_LINK_DOWN = -32; // STATUS.LU stayed clear for the whole poll bound
export const E_TX_HUNG = -33; // TDH did not reach TDT within the poll bound (after a reset, if one was tried)
export const E_RING_FULL = -34; // no free TX descriptor: one slot always stays empty
export const E_QUEUE_ENABLE_TIMEOUT = -35; // TXDCTL.QUEUE_ENABLE never read back set
export const E_QUEUE_DISABLE_TIMEOUT = -36; // TXDCTL.QUEUE_ENABLE never read back clear
export const E_NO_PORT = -37; // port number out of range, or the port was never configured
export const E_RING_INIT = -38; // the ring was never initialised by this core
export const E_RX_ERROR = -39; // a frame arrived with error bits or without EOP: dropped, descriptor recycled
export const E_FRAME_LEN = -40; // frame length outside FRAME_MIN_LEN .. NIC_BUF_SIZE
export const E_NO_OP = -41; // nic_step called with no register operation in progress
export const E_REG_RESET = -42; // register self-test: a register's reset value is wrong
export const E_REG_READBACK = -43; // register self-test: a written value did not read back
export const E_RING_SIZE = -44; // ring size not a multiple of 8 within 8 .. the kind's maximum
export const E_DMA_BASE = -45; // DMA physical base not 4 KiB aligned
// Gasp protocol and fault path (-64 .. -95). The receiver counts each reason it returns
// (gasp_rx_count); docs/gasp-protocol.md gives the order in which they are checked.
export const E_GASP_NOT_GASP = -64; // not a gasp: other EtherType, IP protocol or UDP port
export const E_GASP_TRUNCATED = -65; // the frame ends before the headers or message it claims
export const E_GASP_ENCAP = -66; // IPv4/UDP malformed: version, IHL, fragment, UDP length
export const E_GASP_CHECKSUM = -67; // IPv4 header or UDP checksum does not verify
export const E_GASP_MAGIC = -68; // bad magic
export const E_GASP_VERSION = -69; // unknown protocol version
export const E_GASP_TYPE = -70; // unknown message type
export const E_GASP_LENGTH = -71; // malformed length: excerpt > 64, or UDP payload != message
export const E_GASP_KEY_ID = -72; // no key slot holds the message's key id
export const E_GASP_CHASSIS = -73; // message from another chassis
export const E_GASP_SELF = -74; // our own unit id: a looped-back copy of our own message
export const E_GASP_BAD_MAC = -75; // authentication failed
export const E_GASP_REPLAY = -76; // (boot, seq) below the highest accepted from this sender
export const E_GASP_DUPLICATE = -77; // (boot, seq) equal to the highest: an authentic copy
export const E_GASP_NOT_ARMED = -78; // fire/hello before gasp_arm, receive before gasp_rx_config
export const E_GASP_CONFIG = -79; // arm/receiver config out of range (ports, copies, encaps...)
export const E_GASP_KEY = -80; // arm: key slot empty, or its key id does not fit a byte
export const E_GASP_FENCED = -81; // hello after a self-fencing gasp: the unit promised silence
export const E_GASP_SEQ = -82; // sequence space of this boot exhausted (re-arm, boot + 1)
// The fault entry (assembly/fault/, docs/chassis.md): the gasp on every port of the board.
export const E_FAULT_NOT_ARMED = -83; // fault_fire before fault_arm (or after a failed one)
export const E_FAULT_PLAN = -84; // fault_arm: a gasp port without a NIC port or a fault ring too small for its copies
export const E_FAULT_UNSENT = -85; // no port confirmed the gasp's transmission (each port's reason: fault_port_info)

// Switching path (-96 .. -127).
export const E_SW_STATE = -96; // switching path not initialised (sw_init)
export const E_SW_CAPACITY = -97; // connection-table capacity not a power of two in range
export const E_SW_INDEX = -98; // port, CP-address, service or back-end index out of range
export const E_SW_CONFIG = -99; // a configuration record holds an invalid value
export const E_SW_CONFLICT = -100; // a VIP equals a CP address, or a service is configured twice
export const E_SW_TABLE = -101; // a load-distribution table names an unknown back end or overflows
export const E_SW_ACTIVE = -102; // refused: that load-distribution table is the active one
export const E_SW_NOT_FOUND = -103; // no such connection
export const E_ENG_OWNED = -105; // the RX queue or DOWN ring belongs to another engine context (or not to this one)
export const E_ENG_BUSY = -106; // a register operation is in progress: finish it (nic_step) before polling

// Ed25519 verification and signed images (-128 .. -159): assembly/crypto/ed25519.ts,
// assembly/image/, docs/image-format.md (the order in which an image's checks run).
export const E_ED_S_RANGE = -128; // signature: S >= L (RFC 8032 §5.1.7 requires 0 <= S < L)
export const E_ED_R_ENCODING = -129; // signature: R is not a canonical point encoding (y >= p, or x = 0 with the sign bit)
export const E_ED_KEY_ENCODING = -130; // public key: not canonical (y >= p, or x = 0 with the sign bit)
export const E_ED_KEY_NOT_ON_CURVE = -131; // public key: no point has this y
export const E_ED_KEY_SMALL_ORDER = -132; // public key: a point of order 1, 2, 4 or 8
export const E_ED_BAD_SIGNATURE = -133; // [S]B - [k]A does not encode to R
export const E_IMG_STATE = -136; // image calls out of order: update before begin, trailer twice, finish twice
export const E_IMG_LENGTH = -137; // image length outside bounds, or not the length the header declares (truncated, extended)
export const E_IMG_MAGIC = -138; // not a lastgasp image: bad magic
export const E_IMG_FORMAT = -139; // unknown format version, or a header length other than 64
export const E_IMG_HEADER = -140; // a header field out of range: unknown flags, reserved bits, malformed board id, record count
export const E_IMG_BOARD = -141; // built for another board (compatibility id differs from the card's)
export const E_IMG_RECORD = -142; // record out of place: wrong order, duplicate, reserved field set, key id or signature not last
export const E_IMG_CRITICAL = -143; // an unknown record marked critical
export const E_IMG_RECORD_LENGTH = -144; // a record's length outside its type's bounds, or running past the image or into the trailer
export const E_IMG_PADDING = -145; // non-zero padding after a record
export const E_IMG_DIGEST = -146; // a part's SHA-256 does not match its content
export const E_IMG_CONTENT = -147; // a part's content is not what its type requires (the core is not a WebAssembly module)
export const E_IMG_MISSING = -148; // a required record (core, board, key id, signature) is missing
export const E_IMG_KEY = -149; // no trusted key has the image's key id
export const E_IMG_TRAILER = -150; // the key id and signature given first are not the image's last two records
export const E_IMG_TRUNCATED = -151; // finished before the declared length was streamed
export const E_IMG_OVERRUN = -152; // more bytes streamed than the declared length

// Dialects: the peers' own "going away" frames armed beside the gasp (-224 .. -239):
// assembly/dialect/, docs/dialects.md.
export const E_DIALECT_CONFIG = -224; // a dialect's arm config is out of range (VRID, version, interval, discriminator 0, port...)
export const E_DIALECT_FULL = -225; // every dialect frame slot is in use
export const E_DIALECT_INDEX = -226; // no armed dialect frame at this index
export const E_DIALECT_KIND = -227; // unknown kind, or a re-arm / OAM update of a frame of another kind
export const E_DIALECT_RING = -228; // the port's fault ring cannot hold the gasp and every dialect copy
export const E_DIALECT_PEER = -229; // not an Information OAMPDU carrying a Local Information TLV
export const E_DIALECT_MDIC = -230; // the carrier drop: the PHY power-down through MDIC failed or never completed
// Flashing and the boot stage (-160 .. -191): assembly/flash/, docs/flashing.md.
export const E_FLASH_LAYOUT = -160; // flash_config: the layout is not usable (overlap, alignment, outside the device, too few blocks)
export const E_FLASH_STATE = -161; // flash calls out of order: no layout configured, or flash_step with no operation in progress
export const E_FLASH_IO = -162; // the host reported an error for a flash operation (read, erase, program)
export const E_FLASH_READBACK = -163; // what was read back from the slot is not what was written
export const E_FLASH_TOO_BIG = -164; // the image does not fit in the slot's good blocks
export const E_FLASH_NO_TRIAL = -165; // confirm or revert with no trial pending
export const E_FLASH_NOT_BOOTED = -166; // confirm before the trial image was ever booted
export const E_FLASH_ROLLBACK = -167; // the image's security counter is below the one the card confirmed
export const E_FLASH_NOT_BLANK = -168; // manufacture: the golden slot is not erased (golden is written once)
export const E_FLASH_STATE_WRITE = -169; // a state copy read back differs from the record written
export const E_BOOT_NOTHING = -170; // no slot holds an image the boot stage accepts
export const E_FLASH_EMPTY = -171; // the slot is erased: no image
export const E_FLASH_MISMATCH = -172; // the slot holds another image than the one the state names
export const E_FLASH_BAD_BLOCKS = -173; // too few good blocks: the state area needs two, a slot one per erase block of its image
export const E_FLASH_REJECTED = -174; // the image is a trial that was reverted: not booted as a fallback
export const E_FLASH_ARG = -175; // a flash call's argument is out of range (image length)
