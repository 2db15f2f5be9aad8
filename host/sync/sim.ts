// Two simulated units on a simulated chassis link: an active and a standby, each with a
// reliable channel over UDP/IPv4 (built by the core) over a lossy test link, all on one
// deterministic clock. Used by `lastgasp sync-demo` and the tests.
//
// The seam for the virtual wire: replace lossyLinkPair() with two ports of the wire that
// satisfy FrameLink (link.ts), and SimClock with the wire's clock (clock.ts).

import { Core } from "../core/core";
import { WireCodec } from "../wire/codec";
import { Rng } from "../util/rng";
import { SimClock } from "../sim/clock";
import { LinkPair, LossyLinkOptions, lossyLinkPair } from "./link";
import { DatagramPort, ReliableChannel, ReliableOptions } from "./reliable";
import { SYNC_UDP_PORT, UdpCarrier, UdpEndpoint } from "./udp";
import { ActiveUnit, CommandRecord, Logger } from "./active";
import { StandbyUnit } from "./standby";
import { Registry } from "./pair";
import { PolicyRules } from "./policy";
import { readActiveConfig } from "./plan";
import { PcapWriter } from "../pcap";

// The chassis link of the example configs: lb-a eth2 192.0.2.1/30, lb-b 192.0.2.2.
export const ACTIVE_END: UdpEndpoint = { mac: "02:00:00:00:5c:01", ip: "192.0.2.1", port: SYNC_UDP_PORT };
export const STANDBY_END: UdpEndpoint = { mac: "02:00:00:00:5c:02", ip: "192.0.2.2", port: SYNC_UDP_PORT };

let sharedCodec: WireCodec | undefined;
/** One core instance serves every simulated carrier in the process (calls never overlap). */
export function codec(): WireCodec {
  sharedCodec ??= new WireCodec(Core.load());
  return sharedCodec;
}

export interface SimOptions {
  registry: Registry;
  active: string;
  standby: string;
  /** The active's configuration file text (must parse under its image). */
  config: string;
  configName?: string;
  seed?: number;
  link?: LossyLinkOptions;
  channel?: Partial<ReliableOptions>;
  policy?: PolicyRules;
  capture?: boolean;
  /** "udp" (default): frames built by the core on the lossy link. "direct": segments handed
   * over in memory after `link.delayNs`, lossless (fast, for property tests of the units). */
  carrier?: "udp" | "direct";
  log?: Logger;
}

/** Two DatagramPorts joined in memory: each datagram arrives after a fixed delay. */
export function directPorts(clock: SimClock, delayNs: number): [DatagramPort, DatagramPort] {
  const rx: ((d: Uint8Array) => void)[] = [() => {}, () => {}];
  const port = (me: 0 | 1): DatagramPort => ({
    send: (d) => void clock.after(delayNs, () => rx[1 - me](d)),
    onDatagram: (cb) => void (rx[me] = cb),
  });
  return [port(0), port(1)];
}

export class SimulatedPair {
  readonly clock = new SimClock();
  readonly link: LinkPair;
  readonly carriers: [UdpCarrier, UdpCarrier] | undefined;
  readonly channels: [ReliableChannel, ReliableChannel];
  readonly active: ActiveUnit;
  readonly standby: StandbyUnit;

  constructor(opts: SimOptions) {
    const rng = new Rng(opts.seed ?? 1);
    this.link = lossyLinkPair(this.clock, rng, opts.link ?? {}, opts.capture ?? false);
    let ports: [DatagramPort, DatagramPort];
    if (opts.carrier === "direct") {
      ports = directPorts(this.clock, opts.link?.delayNs ?? 50_000);
    } else {
      const c = codec();
      this.carriers = [new UdpCarrier(c, this.link.a, ACTIVE_END, STANDBY_END), new UdpCarrier(c, this.link.b, STANDBY_END, ACTIVE_END)];
      ports = this.carriers;
    }
    const chan = { session: 1, ...opts.channel };
    this.channels = [new ReliableChannel(ports[0], this.clock, chan), new ReliableChannel(ports[1], this.clock, chan)];
    const pair = opts.registry.pair(opts.active, opts.standby);
    const { config } = readActiveConfig(pair, opts.configName ?? "config", opts.config);
    this.active = new ActiveUnit({ image: pair.active, registry: opts.registry, config, channel: this.channels[0], clock: this.clock, policy: opts.policy, log: opts.log });
    this.standby = new StandbyUnit({ image: pair.standby, registry: opts.registry, channel: this.channels[1], log: opts.log });
  }

  /** Bulk sync: the standby joins; runs until nothing is in flight. */
  bulkSync(): void {
    this.active.startBulkSync();
    this.clock.runUntilIdle();
  }

  /** A command entered on the active, synced; runs until acknowledged. */
  configure(line: string): CommandRecord {
    const r = this.active.configure(line);
    this.clock.runUntilIdle();
    return r;
  }

  verify(): void {
    this.active.verify();
    this.clock.runUntilIdle();
  }

  /** Every frame either unit put on the link, as a capture at the senders. */
  pcap(): PcapWriter {
    const w = new PcapWriter();
    for (const f of this.link.tap ?? []) w.add({ timeUs: f.timeNs / 1000, data: f.frame });
    return w;
  }
}
