// The switching path's per-packet pipeline and its batch form: the two entry points the
// poll-mode engine calls (docs/switching-path.md "Pipeline" and "Engine integration").
//
//   parse ─ ARP ────────────── for a CP address or VIP? ── punt / drop
//         └ IP ─ to a CP address ─────────────────────────── punt
//               ─ NDP (for a CP address or VIP) ──────────── punt
//               ─ group source/destination ───────────────── drop
//               ─ later fragment ── ports from its first ─── (continue) / drop
//               ─ TCP/UDP to a service ── connection ─ rewrite ── forward (back end's port)
//               ─ TCP/UDP from a NAT back end to its client ─ reverse NAT ── forward
//               ─ TCP to no service ───────────────────────── RST answer (ingress port)
//               ─ UDP to no service ───────────────────────── drop (counted)
//               ─ ICMP/ICMPv6 to a VIP ────────────────────── punt
//               ─ anything else ───────────────────────────── drop (counted)
//
// A verdict is one i32 (shared/switch.ts): forward on port p with length n, answer on the
// ingress port, punted, or dropped with the counter index of the reason.

import {
  ETHERTYPE_ARP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6,
  ICMPV6_TYPE_RS, ICMPV6_TYPE_NS, ICMPV6_TYPE_REDIRECT, NS_OFF_TARGET, NS_LEN,
  TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, IPV4_OFF_DST, IPV4_OFF_SRC, TCP_OFF_DST_PORT,
  TCP_OFF_SRC_PORT, ETH_OFF_SRC,
} from "../shared/wire";
import {
  FAMILY_V4, FAMILY_V6, V_FORWARD, V_DROP, verdict, INJECT_TX, C_INJECT_BAD,
  SW_SVC_RETURN_PORT, SW_SVC_RETURN_MAC, SW_SVC_VIP, SW_SVC_PORT, SW_SVC_FAMILY, SW_SVC_PROTO,
  SW_BE_TX_PORT, SW_BE_MAC, SW_BE_ADDR, SW_BE_PACKETS, SW_BE_CONNS, SW_PORT_MAC,
  CF_ESTABLISHED, CF_FIN_CLIENT, CF_FIN_SERVER, CF_RST,
  PUNT_CP_ADDR, PUNT_ARP, PUNT_NDP, PUNT_ICMP_VIP,
  C_RX, C_FORWARD, C_FORWARD_REPLY, C_DROP_UDP_NO_SERVICE, C_DROP_UNSUPPORTED,
  C_DROP_NO_BACKEND, C_DROP_TABLE_FULL, C_DROP_FRAG_UNTRACKED, C_DROP_FRAG_NO_SERVICE,
  C_DROP_NOT_OURS, C_DROP_BAD_ADDR, C_DROP_NO_PORT, C_CONN_NEW, C_CONN_NEW_NONSYN,
  C_CONN_REOPENED, C_CONN_EXPIRED, C_CONN_RESCHEDULED,
} from "../shared/switch";
import { SW_ST_NOW } from "../state";
import { count, drop } from "./counters";
import { clientHash } from "./hash";
import { isGroupAddr } from "./addr";
import {
  pL3, pL4, pEtherType, pFamily, pProto, pSport, pDport, pTcpFlags, pIcmpType, pFrag, pFragId,
  pSrc, pDst, pEnd, parse, FRAG_FIRST, FRAG_LATER,
} from "./parse";
import {
  isCpAddr, isVip, findService, serviceRecord, serviceIsNat, backendRecord, backendUp,
  portValid, portRecord, serviceInUse,
} from "./config";
import {
  connKey, connKeyPlanned, ConnPlan, connFindForward, connFindReverse, connInsert, connExpired, connInit, natPort,
  connFlags, connSetFlags, connSetSeen, connBackend, connSetBackend, connService,
} from "./conntable";
import { lbPick, lbLatch } from "./lbtable";
import { fragRecord, fragFind, fSport, fDport } from "./frag";
import { rewriteMacs, natRewrite4 } from "./rewrite";
import { answerReset } from "./reset";
import { punt, injectTake, iKind, iPort } from "./punt";

/**
 * Runs one received frame through the switching path. [buf, buf+cap) is the frame's
 * buffer: the path rewrites in place and may grow the frame up to cap (RST padding).
 */
export function switchPacket(buf: usize, len: i32, cap: i32, inPort: i32): i32 {
  count(C_RX);
  return switchParsed(buf, len, cap, inPort, parse(buf, len), null);
}

/**
 * The switching path for a frame parse() has just read (bad: what it returned), its results
 * in the parse globals: the decision, the connection, the rewrite. plan, when not 0, is the
 * lookup the batch pipeline worked out ahead for this frame (switch/batch.ts): the service,
 * the hash, the buckets and signature computed here otherwise — the same values, for the
 * same frame and configuration — so they are taken instead.
 */
export function switchParsed(buf: usize, len: i32, cap: i32, inPort: i32, bad: i32, plan: ConnPlan | null): i32 {
  if (bad != 0) return drop(bad);
  if (pEtherType == ETHERTYPE_ARP) {
    const fam = FAMILY_V4;
    if (isCpAddr(fam, pDst) || isVip(fam, pDst)) return punt(buf, len, inPort, PUNT_ARP);
    return drop(C_DROP_NOT_OURS);
  }
  const family = pFamily;
  if (isCpAddr(family, pDst)) return punt(buf, len, inPort, PUNT_CP_ADDR);
  const proto = pProto;
  if (proto == IPPROTO_ICMPV6 && family == FAMILY_V6 && pIcmpType >= ICMPV6_TYPE_RS && pIcmpType <= ICMPV6_TYPE_REDIRECT) {
    // Neighbor Discovery: solicitations only when they ask for one of our addresses (they
    // reach every host on the link); the rest concern the CP's neighbour cache and router.
    if (pIcmpType != ICMPV6_TYPE_NS) return punt(buf, len, inPort, PUNT_NDP);
    if (pEnd - pL4 >= NS_LEN) {
      const target = buf + <usize>pL4 + NS_OFF_TARGET;
      if (isCpAddr(family, target) || isVip(family, target)) return punt(buf, len, inPort, PUNT_NDP);
    }
    return drop(C_DROP_NOT_OURS);
  }
  if (isGroupAddr(pSrc, family) || isGroupAddr(pDst, family)) return drop(C_DROP_BAD_ADDR);
  const now = load<u32>(SW_ST_NOW);

  if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
    let sport = pSport;
    let dport = pDport;
    if (pFrag == FRAG_LATER) {
      if (!fragFind(family, pSrc, pDst, proto, pFragId, now)) return drop(C_DROP_FRAG_UNTRACKED);
      sport = fSport;
      dport = fDport;
    }
    if (pFrag == FRAG_LATER) plan = null; // its ports came from fragment tracking: nothing was planned
    const svc = plan != null ? plan.svc : findService(family, pDst, proto, dport);
    if (svc >= 0) return toBackend(buf, len, svc, sport, dport, now, plan != null ? plan.hash : clientHash(family, pSrc, sport, proto), plan);
    if (family == FAMILY_V4) {
      const v = toClient(buf, len, sport, dport, now, plan != null ? plan.hash : clientHash(FAMILY_V4, pDst, dport, proto), plan);
      if (v != 0) return v;
    }
    if (pFrag != 0) return drop(C_DROP_FRAG_NO_SERVICE);
    if (proto == IPPROTO_UDP) return drop(C_DROP_UDP_NO_SERVICE);
    if (load<u8>(buf + ETH_OFF_SRC) & 1) return drop(C_DROP_BAD_ADDR); // never answer a group MAC
    return answerReset(buf, cap, inPort);
  }
  if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) && isVip(family, pDst)) {
    return punt(buf, len, inPort, PUNT_ICMP_VIP);
  }
  return drop(C_DROP_UNSUPPORTED);
}

/** Client to service svc, h the hash of its client side: find or create the connection, rewrite, forward. */
function toBackend(buf: usize, len: i32, svc: i32, sport: i32, dport: i32, now: u32, h: u32, plan: ConnPlan | null): i32 {
  const family = pFamily;
  const proto = pProto;
  const flags = proto == IPPROTO_TCP ? pTcpFlags : 0;
  if (plan != null) connKeyPlanned(plan);
  else connKey(h);
  let c = connFindForward(svc, family, pSrc, sport); // a connection handle, 0 = none
  let be = -1; // stays -1 when the entry is to be (re)initialised as a new connection
  if (c != 0) {
    const cf = connFlags(c);
    if (connExpired(c, now)) {
      count(C_CONN_EXPIRED); // reused in place
    } else if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && (cf & (CF_FIN_CLIENT | CF_FIN_SERVER | CF_RST))) {
      count(C_CONN_REOPENED); // the client reuses the port for a new connection
    } else {
      be = connBackend(c);
      if (!backendUp(be)) {
        be = lbPick(svc, h);
        if (be < 0) return drop(C_DROP_NO_BACKEND);
        connSetBackend(c, be);
        count(C_CONN_RESCHEDULED);
      }
    }
  }
  if (be < 0) {
    be = lbPick(svc, h);
    if (be < 0) return drop(C_DROP_NO_BACKEND);
    // A lone RST without a connection is forwarded but creates none.
    if (c == 0 && !(flags & TCP_RST)) {
      c = connInsert(now);
      if (c == 0) return drop(C_DROP_TABLE_FULL);
      if (proto == IPPROTO_TCP && !(flags & TCP_SYN)) count(C_CONN_NEW_NONSYN);
    }
    if (c != 0) {
      connInit(c, svc, family, proto, pSrc, sport, be);
      count(C_CONN_NEW);
      const conns = backendRecord(be) + SW_BE_CONNS;
      store<u32>(conns, load<u32>(conns) + 1);
    }
  }
  if (c != 0) {
    connSetSeen(c, now);
    if (proto == IPPROTO_TCP) {
      let cf = connFlags(c);
      if (flags & TCP_RST) cf |= CF_RST;
      if (flags & TCP_FIN) cf |= CF_FIN_CLIENT;
      if (!(flags & TCP_SYN)) cf |= CF_ESTABLISHED;
      connSetFlags(c, cf);
    }
  }
  if (pFrag == FRAG_FIRST) fragRecord(family, pSrc, pDst, proto, pFragId, sport, dport, now);

  const b = backendRecord(be);
  const port = <i32>load<u8>(b + SW_BE_TX_PORT);
  if (!portValid(port)) return drop(C_DROP_NO_PORT);
  rewriteMacs(buf, b + SW_BE_MAC, portRecord(port) + SW_PORT_MAC);
  const s = serviceRecord(svc);
  if (serviceIsNat(s)) {
    const ip = buf + <usize>pL3;
    const l4: usize = pL4 >= 0 ? buf + <usize>pL4 : 0;
    // UDP's ports sit where TCP's do (RFC 768, RFC 9293 §3.1).
    natRewrite4(ip, ip + IPV4_OFF_DST, b + SW_BE_ADDR, l4, proto, l4 + TCP_OFF_DST_PORT, natPort(b, s));
  }
  const packets = b + SW_BE_PACKETS;
  store<u32>(packets, load<u32>(packets) + 1);
  count(C_FORWARD);
  return verdict(V_FORWARD, port, len);
}

/**
 * A back end's reply to its client through a NAT service (h: the hash of the client side,
 * its destination): rewrite the source back to the VIP and the service port, forward towards
 * the clients. 0 when it is no such reply.
 */
function toClient(buf: usize, len: i32, sport: i32, dport: i32, now: u32, h: u32, plan: ConnPlan | null): i32 {
  const proto = pProto;
  if (plan != null) connKeyPlanned(plan);
  else connKey(h);
  const c = connFindReverse(pDst, dport, proto, pSrc, sport);
  if (c == 0 || connExpired(c, now)) return 0;
  connSetSeen(c, now);
  if (proto == IPPROTO_TCP) {
    let cf = connFlags(c);
    if (pTcpFlags & TCP_RST) cf |= CF_RST;
    if (pTcpFlags & TCP_FIN) cf |= CF_FIN_SERVER;
    connSetFlags(c, cf);
  }
  if (pFrag == FRAG_FIRST) fragRecord(FAMILY_V4, pSrc, pDst, proto, pFragId, sport, dport, now);
  const s = serviceRecord(connService(c));
  const port = <i32>load<u8>(s + SW_SVC_RETURN_PORT);
  if (!portValid(port)) return drop(C_DROP_NO_PORT);
  rewriteMacs(buf, s + SW_SVC_RETURN_MAC, portRecord(port) + SW_PORT_MAC);
  const ip = buf + <usize>pL3;
  const l4: usize = pL4 >= 0 ? buf + <usize>pL4 : 0;
  natRewrite4(ip, ip + IPV4_OFF_SRC, s + SW_SVC_VIP, l4, proto, l4 + TCP_OFF_SRC_PORT, <i32>load<u16>(s + SW_SVC_PORT));
  count(C_FORWARD_REPLY);
  return verdict(V_FORWARD, port, len);
}

// ---- the engine's entry points -------------------------------------------------------------

/** Latches the clock and the load-distribution generation: the start of a batch. */
export function switchTick(now: u32): void {
  store<u32>(SW_ST_NOW, now);
  lbLatch();
}

/**
 * Takes the next frame the control processor queued (DOWN ring) into [out, out+cap) and
 * returns its verdict: forward on the port it names (INJECT_TX), or whatever the switching
 * path decides (INJECT_SWITCH). 0 when the ring is empty; E_CAP when cap is too small.
 */
export function injectNext(out: usize, cap: i32): i32 {
  const len = injectTake(out, cap);
  if (len < 0) return len;
  if (len == 0) return iKind == 0 ? 0 : verdict(V_DROP, 0, C_INJECT_BAD);
  if (iKind == INJECT_TX) return verdict(V_FORWARD, iPort, len);
  return switchPacket(out, len, cap, iPort);
}

/**
 * The back end of the live connection from client (addr, port) to service svc, or -1
 * (none, or expired at the latched tick).
 */
export function connLookup(svc: i32, addr: usize, port: i32): i32 {
  if (!serviceInUse(svc)) return -1;
  const s = serviceRecord(svc);
  const family = <i32>load<u8>(s + SW_SVC_FAMILY);
  connKey(clientHash(family, addr, port, <i32>load<u8>(s + SW_SVC_PROTO)));
  const c = connFindForward(svc, family, addr, port);
  if (c == 0 || connExpired(c, load<u32>(SW_ST_NOW))) return -1;
  return connBackend(c);
}
