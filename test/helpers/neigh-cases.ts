// The neighbour-cache rules as a table, shared by test/neighbor.test.ts (the model) and
// test/linux-neigh.test.ts (a real kernel in a network namespace): the same frames, byte
// for byte, the same starting entries, the same expected result. When the kernel and the
// table disagree, the table (and the model) are wrong.

import { WireCodec } from "../../host/wire/codec";
import { parseIPv4, parseIPv6, parseMac } from "../../host/util/addr";
import { NA_FLAG_OVERRIDE, NA_FLAG_SOLICITED } from "../../assembly/shared/repr";
import { ARP_OP_REPLY, ARP_OP_REQUEST, ETHERTYPE_ARP, ETHERTYPE_IPV6 } from "../../assembly/shared/wire";
import type { UpdateOutcome } from "../../host/sim/neighbor";

// The receiving host (the namespace side of the veth pair).
export const HOST_MAC = "02:00:00:00:aa:01";
export const HOST_IP4 = "203.0.113.1";
export const HOST_PREFIX = 24;
export const HOST_IP6 = "2001:db8::1";
// The VIP's old owner (the stale entry) and the new one (the frames' sender).
export const OLD_MAC = "02:00:00:00:0d:01";
export const NEW_MAC = "02:00:00:00:0e:01";
export const OFF_SUBNET = "198.51.100.0";

export type ArpFrameKind = "garp" | "garp-reply" | "reply-unicast" | "reply-broadcast" | "request-other" | "request-to-us";
export type NaFrameKind = "na-override" | "na-no-override" | "na-solicited";
export type Before = { state: "stale" | "reachable" | "permanent" } | null;

export interface NeighCase {
  name: string;
  family: 4 | 6;
  arpAccept: 0 | 1 | 2;
  before: Before;
  /** The frame arrives within the lock time (1 s) of the entry's last update. */
  fresh: boolean;
  frame: ArpFrameKind | NaFrameKind;
  /** The VIP is outside the host's subnet (arp_accept = 2). */
  offSubnet?: boolean;
  expect: { mac: "new" | "old" | null; state: "stale" | "reachable" | "permanent" | null; outcome: UpdateOutcome };
}

const S = (state: "stale" | "reachable" | "permanent"): Before => ({ state });

export const NEIGH_CASES: NeighCase[] = [
  // RFC 5227 announcement (request, sender IP = target IP): overrides the lock time.
  { name: "garp, stale entry", family: 4, arpAccept: 0, before: S("stale"), fresh: false, frame: "garp", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "garp within locktime", family: 4, arpAccept: 0, before: S("stale"), fresh: true, frame: "garp", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "garp on a reachable entry", family: 4, arpAccept: 0, before: S("reachable"), fresh: true, frame: "garp", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "garp, permanent entry", family: 4, arpAccept: 0, before: S("permanent"), fresh: false, frame: "garp", expect: { mac: "old", state: "permanent", outcome: "ignored-permanent" } },
  { name: "garp, no entry, arp_accept=0", family: 4, arpAccept: 0, before: null, fresh: false, frame: "garp", expect: { mac: null, state: null, outcome: "ignored-no-entry" } },
  { name: "garp, no entry, arp_accept=1", family: 4, arpAccept: 1, before: null, fresh: false, frame: "garp", expect: { mac: "new", state: "stale", outcome: "created" } },
  { name: "garp, no entry, arp_accept=2, same subnet", family: 4, arpAccept: 2, before: null, fresh: false, frame: "garp", expect: { mac: "new", state: "stale", outcome: "created" } },
  { name: "garp, no entry, arp_accept=2, other subnet", family: 4, arpAccept: 2, before: null, fresh: false, frame: "garp", offSubnet: true, expect: { mac: null, state: null, outcome: "ignored-no-entry" } },
  // arping -A (reply, sender IP = target IP, target MAC = sender MAC): gratuitous as well.
  { name: "garp-reply, stale entry", family: 4, arpAccept: 0, before: S("stale"), fresh: false, frame: "garp-reply", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "garp-reply within locktime", family: 4, arpAccept: 0, before: S("stale"), fresh: true, frame: "garp-reply", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "garp-reply, no entry, arp_accept=0", family: 4, arpAccept: 0, before: null, fresh: false, frame: "garp-reply", expect: { mac: null, state: null, outcome: "ignored-no-entry" } },
  { name: "garp-reply, no entry, arp_accept=1", family: 4, arpAccept: 1, before: null, fresh: false, frame: "garp-reply", expect: { mac: "new", state: "stale", outcome: "created" } },
  // Ordinary (non-gratuitous) ARP from the VIP: subject to the lock time.
  { name: "broadcast reply within locktime", family: 4, arpAccept: 0, before: S("stale"), fresh: true, frame: "reply-broadcast", expect: { mac: "old", state: "stale", outcome: "ignored-locktime" } },
  { name: "broadcast reply after locktime", family: 4, arpAccept: 0, before: S("stale"), fresh: false, frame: "reply-broadcast", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "unicast reply within locktime", family: 4, arpAccept: 0, before: S("stale"), fresh: true, frame: "reply-unicast", expect: { mac: "old", state: "stale", outcome: "ignored-locktime" } },
  { name: "unicast reply after locktime", family: 4, arpAccept: 0, before: S("stale"), fresh: false, frame: "reply-unicast", expect: { mac: "new", state: "reachable", outcome: "updated" } },
  { name: "unicast reply, no entry, arp_accept=0", family: 4, arpAccept: 0, before: null, fresh: false, frame: "reply-unicast", expect: { mac: null, state: null, outcome: "ignored-no-entry" } },
  { name: "broadcast reply, no entry, arp_accept=1", family: 4, arpAccept: 1, before: null, fresh: false, frame: "reply-broadcast", expect: { mac: "new", state: "stale", outcome: "created" } },
  { name: "request for another host within locktime", family: 4, arpAccept: 0, before: S("stale"), fresh: true, frame: "request-other", expect: { mac: "old", state: "stale", outcome: "ignored-locktime" } },
  { name: "request for another host after locktime", family: 4, arpAccept: 0, before: S("stale"), fresh: false, frame: "request-other", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "request for another host, no entry, arp_accept=1", family: 4, arpAccept: 1, before: null, fresh: false, frame: "request-other", expect: { mac: null, state: null, outcome: "ignored-no-entry" } },
  // A request addressed to the host itself always teaches it the requester (neigh_event_ns).
  { name: "request to us within locktime", family: 4, arpAccept: 0, before: S("stale"), fresh: true, frame: "request-to-us", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "request to us, no entry", family: 4, arpAccept: 0, before: null, fresh: false, frame: "request-to-us", expect: { mac: "new", state: "stale", outcome: "created" } },
  // IPv6: unsolicited NA (to ff02::1). Override decides; no entry means nothing to update.
  { name: "NA override, stale entry", family: 6, arpAccept: 0, before: S("stale"), fresh: true, frame: "na-override", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "NA override, reachable entry", family: 6, arpAccept: 0, before: S("reachable"), fresh: true, frame: "na-override", expect: { mac: "new", state: "stale", outcome: "updated" } },
  { name: "NA without override, stale entry", family: 6, arpAccept: 0, before: S("stale"), fresh: false, frame: "na-no-override", expect: { mac: "old", state: "stale", outcome: "ignored-no-override" } },
  { name: "NA without override, reachable entry", family: 6, arpAccept: 0, before: S("reachable"), fresh: true, frame: "na-no-override", expect: { mac: "old", state: "stale", outcome: "stale-only" } },
  { name: "NA override, no entry", family: 6, arpAccept: 0, before: null, fresh: false, frame: "na-override", expect: { mac: null, state: null, outcome: "ignored-no-entry" } },
  { name: "NA override, permanent entry", family: 6, arpAccept: 0, before: S("permanent"), fresh: false, frame: "na-override", expect: { mac: "old", state: "permanent", outcome: "ignored-permanent" } },
  { name: "solicited NA (unicast), stale entry", family: 6, arpAccept: 0, before: S("stale"), fresh: false, frame: "na-solicited", expect: { mac: "new", state: "reachable", outcome: "updated" } },
];

/** A distinct VIP per case, so that cases never share an entry. */
export function vipFor(c: NeighCase, index: number): string {
  if (c.family === 6) return `2001:db8::${(0x100 + index).toString(16)}`;
  return c.offSubnet ? `198.51.100.${10 + index}` : `203.0.113.${10 + index}`;
}

/** The frame of a case, sent by NEW_MAC about vip, built with the core's encoders. */
export function caseFrame(codec: WireCodec, c: NeighCase, vip: string): Uint8Array {
  const newMac = parseMac(NEW_MAC);
  const hostMac = parseMac(HOST_MAC);
  const bcast = parseMac("ff:ff:ff:ff:ff:ff");
  const zero = new Uint8Array(6);
  switch (c.frame) {
    case "garp":
    case "garp-reply":
      return codec.announce(c.frame, newMac, parseIPv4(vip));
    case "reply-unicast":
      return codec.encodeArp({ dst: hostMac, src: newMac, ethertype: ETHERTYPE_ARP }, { op: ARP_OP_REPLY, sha: newMac, spa: parseIPv4(vip), tha: hostMac, tpa: parseIPv4(HOST_IP4) });
    case "reply-broadcast":
      return codec.encodeArp({ dst: bcast, src: newMac, ethertype: ETHERTYPE_ARP }, { op: ARP_OP_REPLY, sha: newMac, spa: parseIPv4(vip), tha: hostMac, tpa: parseIPv4(HOST_IP4) });
    case "request-other":
      return codec.encodeArp({ dst: bcast, src: newMac, ethertype: ETHERTYPE_ARP }, { op: ARP_OP_REQUEST, sha: newMac, spa: parseIPv4(vip), tha: zero, tpa: parseIPv4("203.0.113.250") });
    case "request-to-us":
      return codec.encodeArp({ dst: bcast, src: newMac, ethertype: ETHERTYPE_ARP }, { op: ARP_OP_REQUEST, sha: newMac, spa: parseIPv4(vip), tha: zero, tpa: parseIPv4(HOST_IP4) });
    case "na-override":
      return codec.unsolicitedNa(newMac, parseIPv6(vip));
    case "na-no-override":
      return codec.encodeNa(
        { dst: parseMac("33:33:00:00:00:01"), src: newMac, ethertype: ETHERTYPE_IPV6 },
        { src: parseIPv6(vip), dst: parseIPv6("ff02::1"), nextHeader: 58, hopLimit: 255, payloadLen: 0, trafficClass: 0, flowLabel: 0 },
        { flags: 0, target: parseIPv6(vip), tlla: newMac },
      );
    case "na-solicited":
      return codec.encodeNa(
        { dst: hostMac, src: newMac, ethertype: ETHERTYPE_IPV6 },
        { src: parseIPv6(vip), dst: parseIPv6(HOST_IP6), nextHeader: 58, hopLimit: 255, payloadLen: 0, trafficClass: 0, flowLabel: 0 },
        { flags: NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE, target: parseIPv6(vip), tlla: newMac },
      );
  }
}
