// Carries sync segments as UDP/IPv4 datagrams on a FrameLink, built and parsed by the core
// (WireCodec.encodeUdp4/decodeUdp4): the chassis link sees ordinary, checksummed UDP that a
// capture shows and tshark dissects. Frames for another address or port are counted and
// dropped, as is anything the core's decoder rejects (bad IP or UDP checksum, truncation).

import { WireCodec } from "../wire/codec";
import { parseIPv4, parseMac } from "../util/addr";
import { DatagramPort } from "./reliable";
import { FrameLink } from "./link";
import { ETHERTYPE_IPV4, ETH_MAX_FRAME, IPPROTO_UDP, IPV4_FLAG_DF, IPV4_TOS_CS6 } from "../../assembly/shared/wire";

/** The sync protocol's UDP port (unassigned; in the dynamic range). */
export const SYNC_UDP_PORT = 50613;

export interface UdpEndpoint {
  mac: string;
  ip: string;
  port: number;
}

export interface CarrierStats {
  framesSent: number;
  framesReceived: number;
  /** Rejected by the core's decoder (checksums, lengths, not UDP/IPv4). */
  badFrames: number;
  /** Valid UDP, but not to this endpoint. */
  notForUs: number;
}

export class UdpCarrier implements DatagramPort {
  readonly stats: CarrierStats = { framesSent: 0, framesReceived: 0, badFrames: 0, notForUs: 0 };
  private ident = 0;
  private readonly local: { mac: Uint8Array; ip: Uint8Array; port: number };
  private readonly remote: { mac: Uint8Array; ip: Uint8Array; port: number };
  private receiver: (payload: Uint8Array) => void = () => {};

  constructor(
    private readonly codec: WireCodec,
    private readonly link: FrameLink,
    local: UdpEndpoint,
    remote: UdpEndpoint,
  ) {
    this.local = { mac: parseMac(local.mac), ip: parseIPv4(local.ip), port: local.port };
    this.remote = { mac: parseMac(remote.mac), ip: parseIPv4(remote.ip), port: remote.port };
    link.onFrame((f) => this.receive(f));
  }

  onDatagram(cb: (payload: Uint8Array) => void): void {
    this.receiver = cb;
  }

  send(payload: Uint8Array): void {
    const frame = this.codec.encodeUdp4(
      { dst: this.remote.mac, src: this.local.mac, ethertype: ETHERTYPE_IPV4 },
      // DSCP CS6 (network control): the chassis link prioritises sync over data traffic.
      { src: this.local.ip, dst: this.remote.ip, protocol: IPPROTO_UDP, ttl: 64, tos: IPV4_TOS_CS6, ident: this.ident, frag: IPV4_FLAG_DF, payloadLen: 0 },
      { srcPort: this.local.port, dstPort: this.remote.port },
      payload,
    );
    this.ident = (this.ident + 1) & 0xffff;
    this.stats.framesSent++;
    this.link.send(frame);
  }

  private receive(frame: Uint8Array): void {
    this.stats.framesReceived++;
    if (frame.length > ETH_MAX_FRAME) {
      this.stats.badFrames++;
      return;
    }
    const d = this.codec.decodeUdp4(frame);
    if (!d.ok) {
      this.stats.badFrames++;
      return;
    }
    if (!equal(d.ip.dst, this.local.ip) || d.udp.dstPort !== this.local.port || !equal(d.ip.src, this.remote.ip)) {
      this.stats.notForUs++;
      return;
    }
    this.receiver(d.payload);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
