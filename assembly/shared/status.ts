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
