// Plain representations ("reprs") exchanged between host and core, one per protocol,
// in the spirit of smoltcp's *Repr types. Portable (asc + tsc).
//
// A repr is a small fixed-layout struct in an ABI slot (memmap.ts ABI_BASE). Addresses
// (MAC, IPv4, IPv6) are byte arrays in network order, exactly as on the wire; every other
// multi-byte integer is little-endian, the core's native order. Decoders fill a repr,
// encoders read one; decode(encode(repr)) == repr.

// Ethernet II header, optionally 802.1Q tagged.
export const ETH_REPR_DST = 0; // [6]
export const ETH_REPR_SRC = 6; // [6]
export const ETH_REPR_ETHERTYPE = 12; // u16: EtherType of the payload (inner one when tagged)
export const ETH_REPR_TCI = 14; // u16: PCP(3) DEI(1) VID(12), meaningful when TAGGED = 1
export const ETH_REPR_TAGGED = 16; // u8: 1 = 802.1Q tag present
export const ETH_REPR_SIZE = 20;

// ARP for Ethernet/IPv4 (RFC 826); htype/ptype/hlen/plen are implied.
export const ARP_REPR_OP = 0; // u16: 1 request, 2 reply
export const ARP_REPR_SHA = 2; // [6] sender hardware address
export const ARP_REPR_SPA = 8; // [4] sender protocol address
export const ARP_REPR_THA = 12; // [6] target hardware address
export const ARP_REPR_TPA = 18; // [4] target protocol address
export const ARP_REPR_SIZE = 22;

// IPv4 header (RFC 791). Options are accepted by the decoder and skipped; the encoder
// writes none.
export const IPV4_REPR_SRC = 0; // [4]
export const IPV4_REPR_DST = 4; // [4]
export const IPV4_REPR_PROTOCOL = 8; // u8
export const IPV4_REPR_TTL = 9; // u8
export const IPV4_REPR_TOS = 10; // u8: DSCP(6) ECN(2)
export const IPV4_REPR_HEADER_LEN = 11; // u8: filled by the decoder (20..60)
export const IPV4_REPR_IDENT = 12; // u16
export const IPV4_REPR_FRAG = 14; // u16: flags(3) | fragment offset(13), as on the wire
export const IPV4_REPR_PAYLOAD_LEN = 16; // u16: total length - header length
export const IPV4_REPR_SIZE = 18;

// UDP header (RFC 768).
export const UDP_REPR_SRC_PORT = 0; // u16
export const UDP_REPR_DST_PORT = 2; // u16
export const UDP_REPR_LENGTH = 4; // u16: header + payload, filled by encoder and decoder
export const UDP_REPR_CHECKSUM = 6; // u16: as on the wire (0 = none, IPv4 only)
export const UDP_REPR_SIZE = 8;

// IPv6 fixed header (RFC 8200). Extension headers are not parsed (decoders return E_PROTO).
export const IPV6_REPR_SRC = 0; // [16]
export const IPV6_REPR_DST = 16; // [16]
export const IPV6_REPR_NEXT_HEADER = 32; // u8
export const IPV6_REPR_HOP_LIMIT = 33; // u8
export const IPV6_REPR_PAYLOAD_LEN = 34; // u16
export const IPV6_REPR_TRAFFIC_CLASS = 36; // u8
export const IPV6_REPR_FLOW_LABEL = 37; // u8[3]: 20-bit label, big-endian in the low 20 bits
export const IPV6_REPR_SIZE = 40;

// ICMPv6 Neighbor Advertisement (RFC 4861 §4.4) with its target link-layer address option.
export const NA_REPR_FLAGS = 0; // u8: R 0x80, S 0x40, O 0x20 (the wire's first flag byte)
export const NA_REPR_HAS_TLLA = 1; // u8: 1 = target link-layer address option present
export const NA_REPR_TLLA = 2; // [6]
export const NA_REPR_TARGET = 8; // [16]
export const NA_REPR_SIZE = 24;

export const NA_FLAG_ROUTER = 0x80;
export const NA_FLAG_SOLICITED = 0x40;
export const NA_FLAG_OVERRIDE = 0x20;

// Value for a "vlan" argument that means "no 802.1Q tag".
export const VLAN_NONE = -1;
