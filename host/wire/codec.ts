// Typed encode/decode over the core's wire exports. Encoders throw CoreError on a negative
// status; decoders return a Decoded<T> so callers can count reasons without exceptions.
//
// Slot use: ABI slots 0..7 and frame slots 0..2 belong to this codec (one call at a time).

import { Core } from "../core/core";
import { statusName } from "../core/status";
import { FRAME_SLOT_SIZE } from "../../assembly/shared/memmap";
import { VLAN_NONE } from "../../assembly/shared/repr";
import * as repr from "./repr";

export type Decoded<T> = ({ ok: true } & T) | { ok: false; status: number; reason: string };

export type AnnounceKind = "garp" | "garp-reply" | "arp-probe";

const ANNOUNCE_EXPORT: Record<AnnounceKind, string> = {
  garp: "arp_announce",
  "garp-reply": "arp_announce_reply",
  "arp-probe": "arp_probe",
};

const S0 = Core.slot(0);
const S1 = Core.slot(1);
const S2 = Core.slot(2);
const S3 = Core.slot(3);
const OUT = Core.frame(0);
const IN = Core.frame(1);
const PAYLOAD = Core.frame(2);

function fail(status: number): { ok: false; status: number; reason: string } {
  return { ok: false, status, reason: statusName(status) };
}

export class WireCodec {
  constructor(readonly core: Core) {}

  private out(len: number): Uint8Array {
    return this.core.read(OUT, len);
  }

  private input(frame: Uint8Array): number {
    if (frame.length > FRAME_SLOT_SIZE) throw new RangeError(`frame of ${frame.length} bytes exceeds ${FRAME_SLOT_SIZE}`);
    this.core.write(IN, frame);
    return frame.length;
  }

  /** RFC 5227 announcement / arping -A reply / RFC 5227 probe of ip for mac. */
  announce(kind: AnnounceKind, mac: Uint8Array, ip: Uint8Array, vlanTci?: number): Uint8Array {
    this.core.write(S0, mac);
    this.core.write(S1, ip);
    const len = this.core.call(ANNOUNCE_EXPORT[kind], S0, S1, vlanTci ?? VLAN_NONE, OUT, FRAME_SLOT_SIZE);
    return this.out(len);
  }

  /** Unsolicited NA for target with mac (S=0, O=1, to ff02::1, hop limit 255). */
  unsolicitedNa(mac: Uint8Array, target: Uint8Array, opts: { router?: boolean; vlanTci?: number } = {}): Uint8Array {
    this.core.write(S0, mac);
    this.core.write(S1, target);
    const len = this.core.call("na_unsolicited", S0, S1, opts.router ? 1 : 0, opts.vlanTci ?? VLAN_NONE, OUT, FRAME_SLOT_SIZE);
    return this.out(len);
  }

  encodeArp(eth: repr.EthRepr, arp: repr.ArpRepr): Uint8Array {
    repr.writeEth(this.core.bytes, S0, eth);
    repr.writeArp(this.core.bytes, S1, arp);
    return this.out(this.core.call("arp_emit", S0, S1, OUT, FRAME_SLOT_SIZE));
  }

  decodeArp(frame: Uint8Array): Decoded<{ eth: repr.EthRepr; arp: repr.ArpRepr }> {
    const rc = this.core.exports.arp_parse(IN, this.input(frame), S0, S1);
    if (rc < 0) return fail(rc);
    return { ok: true, eth: repr.readEth(this.core.bytes, S0), arp: repr.readArp(this.core.bytes, S1) };
  }

  encodeUdp4(eth: repr.EthRepr, ip: repr.Ipv4Repr, udp: repr.UdpRepr, payload: Uint8Array): Uint8Array {
    repr.writeEth(this.core.bytes, S0, eth);
    repr.writeIpv4(this.core.bytes, S1, ip);
    repr.writeUdp(this.core.bytes, S2, udp);
    this.core.write(PAYLOAD, payload);
    return this.out(this.core.call("udp4_emit", S0, S1, S2, PAYLOAD, payload.length, OUT, FRAME_SLOT_SIZE));
  }

  decodeUdp4(frame: Uint8Array): Decoded<{ eth: repr.EthRepr; ip: repr.Ipv4Repr; udp: repr.UdpRepr; payload: Uint8Array }> {
    const rc = this.core.exports.udp4_parse(IN, this.input(frame), S0, S1, S2);
    if (rc < 0) return fail(rc);
    const udp = repr.readUdp(this.core.bytes, S2);
    return {
      ok: true,
      eth: repr.readEth(this.core.bytes, S0),
      ip: repr.readIpv4(this.core.bytes, S1),
      udp,
      payload: frame.slice(rc, rc + (udp.length ?? 8) - 8),
    };
  }

  encodeNa(eth: repr.EthRepr, ip6: repr.Ipv6Repr, na: repr.NaRepr): Uint8Array {
    repr.writeEth(this.core.bytes, S0, eth);
    repr.writeIpv6(this.core.bytes, S1, ip6);
    repr.writeNa(this.core.bytes, S2, na);
    return this.out(this.core.call("na_emit", S0, S1, S2, OUT, FRAME_SLOT_SIZE));
  }

  decodeNa(frame: Uint8Array): Decoded<{ eth: repr.EthRepr; ip6: repr.Ipv6Repr; na: repr.NaRepr }> {
    const rc = this.core.exports.na_parse(IN, this.input(frame), S0, S1, S2);
    if (rc < 0) return fail(rc);
    return {
      ok: true,
      eth: repr.readEth(this.core.bytes, S0),
      ip6: repr.readIpv6(this.core.bytes, S1),
      na: repr.readNa(this.core.bytes, S2),
    };
  }

  decodeEth(frame: Uint8Array): Decoded<{ eth: repr.EthRepr; payloadOffset: number }> {
    const rc = this.core.exports.eth_parse(IN, this.input(frame), S3);
    if (rc < 0) return fail(rc);
    return { ok: true, eth: repr.readEth(this.core.bytes, S3), payloadOffset: rc };
  }
}
