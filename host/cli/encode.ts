// `lastgasp encode`: build one announcement frame with the core, print it, optionally pcap it.

import { Command, UsageError, requireString, optionalInt, Parsed } from "./command";
import { Core } from "../core/core";
import { WireCodec, AnnounceKind } from "../wire/codec";
import { AddrError, parseIPv4, parseIPv6, parseMac, hexdump, toHex } from "../util/addr";
import { PcapWriter } from "../pcap";

export type FrameKind = AnnounceKind | "na";
export const FRAME_KINDS: FrameKind[] = ["garp", "garp-reply", "arp-probe", "na"];

const DESCRIPTIONS: Record<FrameKind, string> = {
  garp: "RFC 5227 announcement: broadcast ARP request, sender IP = target IP, target MAC zero",
  "garp-reply": "arping -A variant: broadcast ARP reply, sender IP = target IP, target MAC = own MAC",
  "arp-probe": "RFC 5227 probe: broadcast ARP request, sender IP 0.0.0.0, target MAC zero",
  na: "RFC 4861 unsolicited Neighbor Advertisement to ff02::1, hop limit 255, S=0, O=1, TLLA option",
};

export interface EncodeRequest {
  kind: FrameKind;
  ip: string;
  mac: string;
  vlan?: number;
  router?: boolean;
}

/** Builds the frame a request describes; throws AddrError/UsageError on bad input. */
export function encodeFrame(codec: WireCodec, req: EncodeRequest): Uint8Array {
  const mac = named("--mac", () => parseMac(req.mac));
  if (req.kind === "na") {
    const ip6 = named("--ip", () => parseIPv6(req.ip));
    return codec.unsolicitedNa(mac, ip6, { router: req.router, vlanTci: req.vlan });
  }
  return codec.announce(req.kind, mac, named("--ip", () => parseIPv4(req.ip)), req.vlan);
}

/** Runs a parser, prefixing its error with the option it came from. */
function named<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof AddrError) throw new UsageError(`${option}: ${e.message}`);
    throw e;
  }
}

export function parseKind(text: string | undefined): FrameKind {
  if (!FRAME_KINDS.includes(text as FrameKind)) {
    throw new UsageError(`${text ?? "(none)"}: unknown frame kind (expected ${FRAME_KINDS.join(", ")})`);
  }
  return text as FrameKind;
}

export const command: Command = {
  usage: "encode <garp|garp-reply|arp-probe|na> --ip ADDR --mac MAC [--vlan ID] [--router] [--pcap FILE] [--json]",
  details: `frame kinds:
${FRAME_KINDS.map((k) => `  ${k.padEnd(10)}  ${DESCRIPTIONS[k]}`).join("\n")}

options:
  --ip ADDR     address announced: IPv4 for the ARP kinds, IPv6 for na
  --mac MAC     the announcing interface's MAC, e.g. 02:00:00:aa:bb:cc
  --vlan ID     add an 802.1Q tag with this VLAN ID (0..4094)
  --router      na only: set the Router flag
  --pcap FILE   also write the frame to FILE (libpcap, Ethernet)
  --json        print {kind, length, hex} instead of a hex dump

example:
  lastgasp encode garp --ip 203.0.113.9 --mac 02:00:00:aa:bb:cc --pcap x.pcap`,
  options: {
    ip: { type: "string" },
    mac: { type: "string" },
    vlan: { type: "string" },
    router: { type: "boolean" },
    pcap: { type: "string" },
    json: { type: "boolean" },
  },
  positionals: { min: 1, max: 1 },
  run(args: Parsed): number {
    const kind = parseKind(args.positionals[0]);
    const req: EncodeRequest = {
      kind,
      ip: requireString(args, "ip"),
      mac: requireString(args, "mac"),
      vlan: optionalInt(args, "vlan", 0, 4094, "a VLAN ID"),
      router: args.values.router === true,
    };
    if (req.router && kind !== "na") throw new UsageError("--router: only for na");
    const frame = encodeFrame(new WireCodec(Core.load()), req);
    const pcapFile = args.values.pcap as string | undefined;
    if (pcapFile) {
      const w = new PcapWriter();
      w.add({ timeUs: 0, data: frame });
      w.save(pcapFile);
    }
    if (args.values.json) {
      console.log(JSON.stringify({ kind, length: frame.length, hex: toHex(frame), pcap: pcapFile ?? null }));
    } else {
      console.log(`${kind}: ${frame.length} bytes — ${DESCRIPTIONS[kind]}`);
      console.log(hexdump(frame));
      if (pcapFile) console.log(`wrote ${pcapFile}`);
    }
    return 0;
  },
};
