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

// Switching path (-96 .. -127).
export const E_SW_STATE = -96; // switching path not initialised (sw_init)
export const E_SW_CAPACITY = -97; // connection-table capacity not a power of two in range
export const E_SW_INDEX = -98; // port, CP-address, service or back-end index out of range
export const E_SW_CONFIG = -99; // a configuration record holds an invalid value
export const E_SW_CONFLICT = -100; // a VIP equals a CP address, or a service is configured twice
export const E_SW_TABLE = -101; // a load-distribution table names an unknown back end or overflows
export const E_SW_ACTIVE = -102; // refused: that load-distribution table is the active one
export const E_SW_NOT_FOUND = -103; // no such connection
export const E_SW_RING = -104; // punt-ring slot holds an invalid length or kind
