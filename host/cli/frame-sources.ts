// Where `lastgasp send` gets its frames: one FrameSource per kind. A source declares the
// options it reads (merged into the command's), validates them, and builds the frame for
// each copy (copy = 0..count-1, so a source whose frames change per copy — the gasp's
// sequence number — can say so). Adding a kind is adding a source to FRAME_SOURCES.

import { Options, Parsed, UsageError } from "./command";
import { WireCodec } from "../wire/codec";
import { AddrError, parseIPv4, parseIPv6, parseMac } from "../util/addr";

export interface FrameContext {
  codec: WireCodec;
  /** The sending interface's MAC, the default for --mac. */
  ifaceMac: () => Uint8Array;
  /** 802.1Q TCI from --vlan, or undefined. */
  vlanTci?: number;
}

export interface FrameSource {
  kind: string;
  summary: string;
  /** Options this kind reads besides the common ones (--iface, --vlan, --count, --interval-ms). */
  options: Options;
  /** Help lines for those options. */
  optionHelp: string[];
  /** Parses and checks the options (UsageError naming the option); returns a builder. */
  prepare(args: Parsed, ctx: FrameContext): (copy: number) => Uint8Array;
}

/** Runs a parser, prefixing its error with the option it came from. */
export function named<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof AddrError) throw new UsageError(`${option}: ${e.message}`);
    throw e;
  }
}

function requiredIp(args: Parsed): string {
  const v = args.values.ip;
  if (typeof v !== "string" || v === "") throw new UsageError("--ip: required");
  return v;
}

function macOrIface(args: Parsed, ctx: FrameContext): Uint8Array {
  const v = args.values.mac;
  return typeof v === "string" ? named("--mac", () => parseMac(v)) : ctx.ifaceMac();
}

const ADDR_OPTIONS: Options = { ip: { type: "string" }, mac: { type: "string" } };
const ADDR_HELP = [
  "--ip ADDR        the address announced (IPv4 for ARP kinds, IPv6 for na)",
  "--mac MAC        the MAC it now maps to (default: the interface's own MAC)",
];

function arpSource(kind: "garp" | "garp-reply", summary: string): FrameSource {
  return {
    kind,
    summary,
    options: ADDR_OPTIONS,
    optionHelp: ADDR_HELP,
    prepare(args, ctx) {
      const ip = named("--ip", () => parseIPv4(requiredIp(args)));
      const mac = macOrIface(args, ctx);
      if (args.values.router) throw new UsageError("--router: only for na");
      const frame = ctx.codec.announce(kind, mac, ip, ctx.vlanTci);
      return () => frame;
    },
  };
}

export const FRAME_SOURCES: FrameSource[] = [
  arpSource("garp", "RFC 5227 announcement: broadcast ARP request, sender IP = target IP, target MAC zero"),
  arpSource("garp-reply", "arping -A variant: broadcast ARP reply, sender IP = target IP, target MAC = own MAC"),
  {
    kind: "na",
    summary: "unsolicited Neighbor Advertisement to ff02::1 (S=0, O=1, target link-layer address)",
    options: { ...ADDR_OPTIONS, router: { type: "boolean" } },
    optionHelp: [...ADDR_HELP, "--router         na: set the Router flag"],
    prepare(args, ctx) {
      const ip = named("--ip", () => parseIPv6(requiredIp(args)));
      const mac = macOrIface(args, ctx);
      const frame = ctx.codec.unsolicitedNa(mac, ip, { router: args.values.router === true, vlanTci: ctx.vlanTci });
      return () => frame;
    },
  },
];

export function frameSource(kind: string | undefined): FrameSource {
  const s = FRAME_SOURCES.find((x) => x.kind === kind);
  if (!s) throw new UsageError(`${kind ?? "(none)"}: unknown frame kind (expected ${FRAME_SOURCES.map((x) => x.kind).join(", ")})`);
  return s;
}
