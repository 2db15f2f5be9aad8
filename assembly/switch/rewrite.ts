// Rewrites in place: Ethernet addresses always; in NAT mode one IPv4 address and one port,
// with RFC 1624 incremental checksum updates (wire/checksum.ts update16/update32):
//   - the IPv4 header checksum covers the address;
//   - the TCP and UDP checksums cover the address through the pseudo-header (RFC 9293
//     §3.1, RFC 768) and the port directly;
//   - a UDP checksum of 0 means "none" over IPv4 (RFC 768) and stays 0; an updated UDP
//     checksum that comes out as 0 is sent as 0xffff, its other ones'-complement zero.
// A later fragment (no L4 header) gets the IPv4 part only. The first fragment's L4 update
// is right for the reassembled datagram because the checksum is a linear sum.
// TTL is left alone: the switching path is a load balancer in front of its back ends, not
// a routing hop (as Katran and IPVS-DR); a loop cannot form through it, because it only
// forwards to configured back ends and to the configured client-side next hop.

import {
  ETH_OFF_DST, ETH_OFF_SRC, IPV4_OFF_CHECKSUM, IPPROTO_TCP, IPPROTO_UDP, TCP_OFF_CHECKSUM,
  UDP_OFF_CHECKSUM,
} from "../shared/wire";
import { ld16be, ld32be, st16be } from "../lib/mem";
import { update16, update32 } from "../wire/checksum";

@inline
function copyMac(to: usize, from: usize): void {
  store<u32>(to, load<u32>(from));
  store<u16>(to, load<u16>(from, 4), 4);
}

/** Destination MAC := dst, source MAC := src (the egress port's own). */
@inline
export function rewriteMacs(buf: usize, dst: usize, src: usize): void {
  copyMac(buf + ETH_OFF_DST, dst);
  copyMac(buf + ETH_OFF_SRC, src);
}

/**
 * Replaces the IPv4 address at `field` (the header's source or destination) with newAddr
 * and the TCP/UDP port at `portField` (l4 + 0 or 2; 0 = no L4 header) with newPort.
 */
export function natRewrite4(ip: usize, field: usize, newAddr: usize, l4: usize, proto: i32, portField: usize, newPort: i32): void {
  const oldAddr = ld32be(field);
  const addr = ld32be(newAddr);
  if (oldAddr != addr) {
    const hc = update32(<u32>ld16be(ip + IPV4_OFF_CHECKSUM), oldAddr, addr);
    st16be(ip + IPV4_OFF_CHECKSUM, hc);
    store<u32>(field, load<u32>(newAddr));
  }
  if (l4 == 0) return;
  const oldPort = <u32>ld16be(portField);
  if (proto == IPPROTO_TCP) {
    let c = <u32>ld16be(l4 + TCP_OFF_CHECKSUM);
    c = update16(update32(c, oldAddr, addr), oldPort, <u32>newPort);
    st16be(l4 + TCP_OFF_CHECKSUM, c);
  } else if (proto == IPPROTO_UDP) {
    let c = <u32>ld16be(l4 + UDP_OFF_CHECKSUM);
    if (c != 0) {
      c = update16(update32(c, oldAddr, addr), oldPort, <u32>newPort);
      st16be(l4 + UDP_OFF_CHECKSUM, c == 0 ? 0xffff : c);
    }
  }
  st16be(portField, newPort);
}
