// Wire-format constants: EtherTypes, protocol numbers, header sizes and field offsets as
// the RFCs lay them out. Portable (asc + tsc); the host's independent test readers use
// their own offsets on purpose, the host's encoders use these.

export const ETH_ALEN = 6;
export const ETH_HEADER_LEN = 14;
export const VLAN_TAG_LEN = 4;
export const ETH_MIN_FRAME = 60; // without FCS: 64 on the wire
export const ETH_MAX_FRAME = 1518; // without FCS, tagged
export const ETH_FCS_LEN = 4; // the CRC-32 frame check sequence that follows every frame on the wire

export const ETH_OFF_DST = 0;
export const ETH_OFF_SRC = 6;
export const ETH_OFF_TYPE = 12; // EtherType, or TPID 0x8100 when tagged
export const VLAN_OFF_TCI = 14; // tagged: the TCI (PCP/DEI/VID)
export const VLAN_OFF_INNER_TYPE = 16; // tagged: the payload's EtherType, after the TCI

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_LOCAL_EXP1 = 0x88b5; // IEEE 802 local experimental (gasp backplane)
export const ETHERTYPE_MIN = 0x0600; // below: an 802.3 length field, not an EtherType

export const VLAN_VID_MASK = 0x0fff;
export const VLAN_VID_RESERVED = 0x0fff;

// ARP (RFC 826), Ethernet/IPv4 form: 28 bytes.
export const ARP_LEN = 28;
export const ARP_OFF_HTYPE = 0;
export const ARP_OFF_PTYPE = 2;
export const ARP_OFF_HLEN = 4;
export const ARP_OFF_PLEN = 5;
export const ARP_OFF_OP = 6;
export const ARP_OFF_SHA = 8;
export const ARP_OFF_SPA = 14;
export const ARP_OFF_THA = 18;
export const ARP_OFF_TPA = 24;
export const ARP_HTYPE_ETHERNET = 1;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;

// IPv4 (RFC 791).
export const IPV4_MIN_HEADER = 20;
export const IPV4_OFF_VER_IHL = 0;
export const IPV4_OFF_TOS = 1;
export const IPV4_OFF_TOTAL_LEN = 2;
export const IPV4_OFF_IDENT = 4;
export const IPV4_OFF_FRAG = 6;
export const IPV4_OFF_TTL = 8;
export const IPV4_OFF_PROTOCOL = 9;
export const IPV4_OFF_CHECKSUM = 10;
export const IPV4_OFF_SRC = 12;
export const IPV4_OFF_DST = 16;
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
export const IPV4_FRAG_OFFSET_MASK = 0x1fff;
export const IPV4_TOS_CS6 = 0xc0; // DSCP CS6 (48) in the upper six bits: network control (RFC 2474, RFC 4594)

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

// UDP (RFC 768).
export const UDP_HEADER_LEN = 8;
export const UDP_OFF_SRC_PORT = 0;
export const UDP_OFF_DST_PORT = 2;
export const UDP_OFF_LENGTH = 4;
export const UDP_OFF_CHECKSUM = 6;

// IPv6 (RFC 8200).
export const IPV6_HEADER_LEN = 40;
export const IPV6_OFF_VER_TC_FLOW = 0;
export const IPV6_OFF_PAYLOAD_LEN = 4;
export const IPV6_OFF_NEXT_HEADER = 6;
export const IPV6_OFF_HOP_LIMIT = 7;
export const IPV6_OFF_SRC = 8;
export const IPV6_OFF_DST = 24;

// ICMPv6 Neighbor Advertisement (RFC 4861 §4.4) and its options (§4.6).
export const ICMPV6_TYPE_NA = 136;
export const ICMPV6_OFF_TYPE = 0;
export const ICMPV6_OFF_CODE = 1;
export const ICMPV6_OFF_CHECKSUM = 2;
export const NA_OFF_FLAGS = 4;
export const NA_OFF_TARGET = 8;
export const NA_LEN = 24; // without options
export const NDP_OPT_TLLA = 2;
export const NDP_OPT_UNIT = 8; // option lengths count 8-byte units
export const NDP_HOP_LIMIT = 255;

// IPv6 extension headers (RFC 8200 §4). Hop-by-Hop, Routing and Destination Options share
// the "next header, length in 8-octet units not counting the first 8" shape; the Fragment
// header is always 8 bytes.
export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_DSTOPTS = 60;
export const IPV6_EXT_OFF_NEXT = 0;
export const IPV6_EXT_OFF_LEN = 1;
export const IPV6_EXT_UNIT = 8;
export const IPV6_FRAG_LEN = 8;
export const IPV6_FRAG_OFF_OFFSET = 2; // u16: fragment offset(13) << 3 | res(2) | M(1)
export const IPV6_FRAG_OFF_IDENT = 4; // u32
export const IPV6_FRAG_M = 0x0001;

// TCP (RFC 9293 §3.1).
export const TCP_MIN_HEADER = 20;
export const TCP_OFF_SRC_PORT = 0;
export const TCP_OFF_DST_PORT = 2;
export const TCP_OFF_SEQ = 4;
export const TCP_OFF_ACK = 8;
export const TCP_OFF_DATA_OFF = 12; // high nibble: header length in 32-bit words
export const TCP_OFF_FLAGS = 13;
export const TCP_OFF_WINDOW = 14;
export const TCP_OFF_CHECKSUM = 16;
export const TCP_OFF_URGENT = 18;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;

// ICMP (RFC 792) and ICMPv6 (RFC 4443): type, code, checksum, then type-specific bytes.
export const ICMP_HEADER_LEN = 8;
export const ICMP_OFF_TYPE = 0;
export const ICMP_OFF_CODE = 1;
export const ICMP_OFF_CHECKSUM = 2;
export const ICMP_OFF_IDENT = 4; // echo
export const ICMP_OFF_SEQ = 6; // echo
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ICMPV6_TYPE_RS = 133;
export const ICMPV6_TYPE_RA = 134;
export const ICMPV6_TYPE_NS = 135;
export const ICMPV6_TYPE_REDIRECT = 137;
export const NS_OFF_TARGET = 8; // Neighbor Solicitation target address (RFC 4861 §4.3)
export const NS_LEN = 24;

// VRRP (RFC 3768 version 2, RFC 5798 / RFC 9568 version 3): IP protocol 112 to 224.0.0.18 /
// ff02::12, TTL / hop limit 255, source MAC 00:00:5e:00:01:VRID (IPv6: 00:00:5e:00:02:VRID).
export const IPPROTO_VRRP = 112;
export const VRRP_TTL = 255;
export const VRRP_HEADER_LEN = 8;
export const VRRP_OFF_VER_TYPE = 0; // version << 4 | type (1 = advertisement)
export const VRRP_OFF_VRID = 1;
export const VRRP_OFF_PRIORITY = 2;
export const VRRP_OFF_COUNT = 3; // count of IP addresses
export const VRRP_OFF_AUTH_TYPE = 4; // v2: auth type; v3: rsvd(4) | max advert interval (12 bits, centiseconds)
export const VRRP_OFF_ADVER_INT = 5; // v2: advertisement interval, seconds
export const VRRP_OFF_CHECKSUM = 6;
export const VRRP_OFF_ADDRS = 8;
export const VRRP_V2_AUTH_LEN = 8; // v2: authentication data after the addresses
export const VRRP_TYPE_ADVERT = 1;
export const VRRP_AUTH_NONE = 0;
export const VRRP_AUTH_PASS = 1; // RFC 2338 simple text password (keepalived auth_type PASS)
export const VRRP_MAX_INT_V3 = 0x0fff;

// BFD control packets (RFC 5880 §4.1) over UDP (RFC 5881 single hop: port 3784, TTL 255;
// RFC 5883 multihop: 4784). Source port 49152..65535, constant per session.
export const BFD_PORT_SINGLE_HOP = 3784;
export const BFD_PORT_MULTI_HOP = 4784;
export const BFD_SRC_PORT_MIN = 49152;
export const BFD_TTL = 255;
export const BFD_CONTROL_LEN = 24; // without authentication
export const BFD_OFF_VER_DIAG = 0; // version(3) | diag(5)
export const BFD_OFF_STATE_FLAGS = 1; // state(2) | P F C A D M
export const BFD_OFF_DETECT_MULT = 2;
export const BFD_OFF_LENGTH = 3;
export const BFD_OFF_MY_DISC = 4;
export const BFD_OFF_YOUR_DISC = 8;
export const BFD_OFF_DESIRED_MIN_TX = 12;
export const BFD_OFF_REQUIRED_MIN_RX = 16;
export const BFD_OFF_REQUIRED_MIN_ECHO_RX = 20;
export const BFD_VERSION = 1;
export const BFD_STATE_ADMIN_DOWN = 0;
export const BFD_STATE_DOWN = 1;
export const BFD_STATE_INIT = 2;
export const BFD_STATE_UP = 3;
export const BFD_DIAG_MAX = 31;

// IEEE 802.3 clause 57 OAM (802.3ah): slow protocols, an Information OAMPDU.
export const ETHERTYPE_SLOW = 0x8809;
export const SLOW_SUBTYPE_OAM = 0x03;
export const OAM_OFF_SUBTYPE = 0; // offsets from the end of the Ethernet header
export const OAM_OFF_FLAGS = 1; // u16
export const OAM_OFF_CODE = 3;
export const OAM_OFF_DATA = 4; // TLVs of an Information OAMPDU
export const OAM_CODE_INFORMATION = 0x00;
export const OAM_FLAG_LINK_FAULT = 0x0001;
export const OAM_FLAG_DYING_GASP = 0x0002;
export const OAM_FLAG_CRITICAL_EVENT = 0x0004;
export const OAM_FLAG_LOCAL_EVALUATING = 0x0008;
export const OAM_FLAG_LOCAL_STABLE = 0x0010;
export const OAM_FLAG_REMOTE_EVALUATING = 0x0020;
export const OAM_FLAG_REMOTE_STABLE = 0x0040;
export const OAM_TLV_END = 0x00;
export const OAM_TLV_LOCAL_INFO = 0x01;
export const OAM_TLV_REMOTE_INFO = 0x02;
export const OAM_INFO_TLV_LEN = 16; // type, length, version, revision[2], state, config, PDU config[2], OUI[3], vendor[4]
export const OAM_INFO_OFF_TYPE = 0;
export const OAM_INFO_OFF_LEN = 1;
export const OAM_INFO_OFF_VERSION = 2;
export const OAM_INFO_OFF_REVISION = 3;
export const OAM_INFO_OFF_STATE = 5;
export const OAM_INFO_OFF_CONFIG = 6;
export const OAM_INFO_OFF_PDU_CONFIG = 7;
export const OAM_INFO_OFF_OUI = 9;
export const OAM_INFO_OFF_VENDOR = 12;
export const OAM_VERSION = 0x01;
