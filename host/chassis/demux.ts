// Where a frame a unit's OS received goes, by its EtherType after any 802.1Q tag:
//   raw gasp (0x88B5) or IPv4  → the gasp receiver on the OS core; a peer's gasp or HELLO
//                                goes on to the HA unit, duplicates and refusals are counted
//   any other IPv4             → the service: counted when it is for a VIP this unit holds
//   ARP on a front port        → the HA unit (the VIPs' ARP responder)
// Anything else is not the unit's business. The decoders are the core's; they take a tagged
// frame as it is.

import type { GaspMessage } from "../gasp/repr";
import type { ChassisUnit } from "./unit";
import { formatIPv4 } from "../util/addr";
import { ethView } from "../wire/frame";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_LOCAL_EXP1 } from "../../assembly/shared/wire";
import { E_GASP_DUPLICATE, E_GASP_NOT_GASP } from "../../assembly/shared/status";
import * as G from "../../assembly/shared/gasp";

export class UnitDemux {
  /** The IPv4 VIPs: service packets for anything else are not counted. */
  private readonly vipSet: Set<string>;

  constructor(private readonly u: ChassisUnit) {
    this.vipSet = new Set(u.vips.filter((v) => !v.includes(":")));
  }

  receive(port: number, frame: Uint8Array): void {
    const u = this.u;
    const now = u.clock.now();
    u.onDelivered?.(port, frame);
    const ethertype = ethView(frame)?.type;
    if (ethertype === ETHERTYPE_LOCAL_EXP1 || ethertype === ETHERTYPE_IPV4) {
      const r = u.receiver.receive(frame);
      if (r.ok) return this.peerMessage(port, r.message, now);
      if (r.status === E_GASP_DUPLICATE) {
        u.stats.gaspDuplicates++;
        return;
      }
      if (r.status !== E_GASP_NOT_GASP) {
        u.stats.gaspRefused++;
        return;
      }
    }
    if (ethertype === ETHERTYPE_IPV4) return this.service(frame, now);
    if (ethertype === ETHERTYPE_ARP && u.frontPorts.includes(port)) u.route(u.ha.receive(frame, now));
  }

  private peerMessage(port: number, m: GaspMessage, now: number): void {
    const u = this.u;
    if (m.type === G.GASP_TYPE_GASP) {
      u.timeline.push({ tNs: now, source: u.id, name: "gasp.accepted", detail: { from: m.unit, port: u.board.ports[port].name, encap: m.encap, cause: m.cause, seq: Number(m.seq), fenced: (m.flags & G.GASP_FLAG_SELF_FENCED) !== 0 } });
    }
    u.route(u.ha.onPeerMessage(m, now));
  }

  private service(frame: Uint8Array, now: number): void {
    const u = this.u;
    const d = u.codec.decodeUdp4(frame);
    if (!d.ok) return;
    const vip = formatIPv4(d.ip.dst);
    if (!this.vipSet.has(vip)) return;
    if (!u.forwarding(now)) {
      u.stats.serviceRefused++;
      return;
    }
    u.stats.serviceRx++;
    const seq = d.payload.length >= 4 ? new DataView(d.payload.buffer, d.payload.byteOffset).getUint32(0) : -1;
    u.onService?.({ src: formatIPv4(d.ip.src), vip, tNs: now, seq });
  }
}
