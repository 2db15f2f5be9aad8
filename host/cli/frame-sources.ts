// The frames `lastgasp encode` and `lastgasp send` build: one FrameSource per kind. A source
// declares the options it reads (merged into the command's), validates them, and builds the
// frame for each copy (copy = 0..count-1, so a source whose frames change per copy could say
// so). Adding a kind is adding a source to FRAME_SOURCES: both commands then have it.

import { InputError, Options, Parsed, optionalInt, optionalString } from "./command";
import { WireCodec, AnnounceKind } from "../wire/codec";
import { AddrError, parseIPv4, parseIPv6, parseMac, parseUnicastMac } from "../util/addr";
import { GaspSender } from "../gasp/gasp";
import { KeyError, readKeyFile } from "../gasp/key";
import type { Encap } from "../gasp/repr";
import * as G from "../../assembly/shared/gasp";
import { DIALECT_SOURCES, DIALECT_OPTIONS } from "./dialect-sources";

export interface FrameContext {
  codec: WireCodec;
  /** The sending interface's MAC, the default for --mac (throws InputError when there is none). */
  ifaceMac: () => Uint8Array;
  /** 802.1Q TCI from --vlan, or undefined. */
  vlanTci?: number;
}

export interface FrameSource {
  kind: string;
  summary: string;
  /** Options this kind reads besides the common ones (--iface, --vlan, --count, --interval-ms, --pcap). */
  options: Options;
  /** Help lines for those options. */
  optionHelp: string[];
  /** Parses and checks the options (InputError naming the option); returns a builder (a frame, or several sent in order). */
  prepare(args: Parsed, ctx: FrameContext): (copy: number) => Uint8Array | Uint8Array[];
}

/** Runs a parser, prefixing its error with the option it came from. */
export function named<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof AddrError || e instanceof KeyError) throw new InputError(`${option}: ${e.message}`);
    throw e;
  }
}

function requiredIp(args: Parsed): string {
  const v = args.values.ip;
  if (typeof v !== "string" || v === "") throw new InputError("--ip: required");
  return v;
}

/** The frame's source MAC: --mac (unicast only: a station sends from its own address), or the interface's. */
function macOrIface(args: Parsed, ctx: FrameContext): Uint8Array {
  const v = args.values.mac;
  return typeof v === "string" ? named("--mac", () => parseUnicastMac(v)) : ctx.ifaceMac();
}

const ADDR_OPTIONS: Options = { ip: { type: "string" }, mac: { type: "string" } };
const ADDR_HELP = [
  "--ip ADDR        the address announced (IPv4 for ARP kinds, IPv6 for na)",
  "--mac MAC        the MAC it maps to, unicast (send: default the interface's own MAC)",
];

function arpSource(kind: AnnounceKind, summary: string): FrameSource {
  return {
    kind,
    summary,
    options: ADDR_OPTIONS,
    optionHelp: ADDR_HELP,
    prepare(args, ctx) {
      const ip = named("--ip", () => parseIPv4(requiredIp(args)));
      const mac = macOrIface(args, ctx);
      if (args.values.router) throw new InputError("--router: only for na");
      const frame = ctx.codec.announce(kind, mac, ip, ctx.vlanTci);
      return () => frame;
    },
  };
}

/** Fault causes by name (docs/gasp-protocol.md), for --cause. */
export const GASP_CAUSES: Record<string, number> = {
  trap: G.GASP_CAUSE_TRAP,
  exception: G.GASP_CAUSE_EXCEPTION,
  watchdog: G.GASP_CAUSE_WATCHDOG,
  power: G.GASP_CAUSE_POWER,
  operator: G.GASP_CAUSE_OPERATOR,
  "machine-check": G.GASP_CAUSE_MACHINE_CHECK,
  thermal: G.GASP_CAUSE_THERMAL,
};

/** The chassis id the virtual chassis uses by default (host/chassis/chassis.ts). */
export const DEFAULT_GASP_CHASSIS = 0x4c470001;

/** A chassis id as decimal or 0x-hex, 0..2^32-1 (--chassis). */
export function chassisId(args: Parsed): number {
  const v = args.values.chassis;
  if (v === undefined) return DEFAULT_GASP_CHASSIS;
  const n = typeof v === "string" && /^(0x[0-9a-f]{1,8}|\d{1,10})$/i.test(v) ? Number(v) : NaN;
  if (!(n >= 0 && n <= 0xffffffff)) throw new InputError(`--chassis: "${String(v)}" is not a chassis id (0..4294967295, or 0x hex)`);
  return n;
}

/** The chassis key from --key-file (docs/cli.md "Keys"); --key is refused, saying why. */
export function keyFromArgs(args: Parsed): Uint8Array {
  if (args.values.key !== undefined) {
    throw new InputError("--key: not accepted: a key on the command line is visible to every user of the machine (ps, shell history); put it in a file (hex, chmod 600) and give --key-file FILE");
  }
  const file = optionalString(args, "key-file");
  if (file === undefined) throw new InputError("--key-file: required (the chassis key, hex, in a file only its owner can read)");
  return named(`--key-file: ${file}`, () => readKeyFile(file));
}

export const KEY_OPTIONS: Options = { "key-file": { type: "string" }, key: { type: "string" }, "key-id": { type: "string" }, chassis: { type: "string" } };
export const KEY_HELP = [
  "--key-file FILE  gasp: the chassis key, 32..64 bytes in hex; the file must be mode 0600",
  "                 or stricter (e.g. openssl rand -hex 32 > k; chmod 600 k)",
  "--key-id N       gasp: key id 0..255 (default 1)",
  "--chassis ID     gasp: chassis id, decimal or 0x hex (default 0x4c470001)",
];

/**
 * A genuine gasp, built by the core exactly as the fault path builds it: the key goes into
 * an HMAC slot, the sender is armed with one port (this interface), fired once. Every copy
 * is that same message (as the fault path's N copies are): a receiver accepts the first
 * and counts the others as authentic duplicates.
 */
const gaspSource: FrameSource = {
  kind: "gasp",
  summary: "an authenticated gasp (raw 0x88B5 or UDP/IPv4 19527), built by the core as the fault path builds it",
  options: {
    ...KEY_OPTIONS, unit: { type: "string" },
    priority: { type: "string" }, boot: { type: "string" }, cause: { type: "string" }, encap: { type: "string" },
    "peer-mac": { type: "string" }, "peer-ip": { type: "string" }, ip: { type: "string" }, mac: { type: "string" },
    excerpt: { type: "string" }, dialect: { type: "string" }, ...DIALECT_OPTIONS,
  },
  optionHelp: [
    ...KEY_HELP,
    "--unit N         gasp: sender's unit id 0..255 (default 1)",
    "--priority N     gasp: 0..255 (default 100)",
    "--boot N         gasp: boot counter, 0..4294967295 (default 1): receivers refuse lower ones",
    `--cause NAME     gasp: ${Object.keys(GASP_CAUSES).join(", ")} (default operator)`,
    "--encap raw|udp  gasp: raw EtherType 0x88B5 (default) or UDP/IPv4 port 19527",
    "--peer-mac MAC   gasp: destination MAC (default broadcast)",
    "--ip ADDR        gasp, udp: own IPv4 address; --peer-ip ADDR: the peer's",
    "--excerpt TEXT   gasp: a crash excerpt, at most 64 bytes are sent",
    "--dialect LIST   gasp: then the dialects (vrrp, bfd, oam; comma-separated) with their options",
    "                 below: armed beside the gasp and sent by the core's fault entry after it,",
    "                 on a virtual board, in the order the NIC put them on the wire",
  ],
  prepare(args, ctx) {
    const key = keyFromArgs(args);
    const keyId = optionalInt(args, "key-id", 0, 255) ?? 1;
    const unit = optionalInt(args, "unit", 0, 255) ?? 1;
    const unitId = () => unit;
    const priority = optionalInt(args, "priority", 0, 255) ?? 100;
    const boot = optionalInt(args, "boot", 0, 0xffffffff) ?? 1;
    const chassis = chassisId(args);
    const causeName = (args.values.cause as string | undefined) ?? "operator";
    const cause = GASP_CAUSES[causeName];
    if (cause === undefined) throw new InputError(`--cause: "${causeName}" is not one of ${Object.keys(GASP_CAUSES).join(", ")}`);
    const encap = (args.values.encap as string | undefined) ?? "raw";
    if (encap !== "raw" && encap !== "udp") throw new InputError(`--encap: "${encap}" is not raw or udp`);
    const peerMac = typeof args.values["peer-mac"] === "string" ? named("--peer-mac", () => parseMac(args.values["peer-mac"] as string)) : parseMac("ff:ff:ff:ff:ff:ff");
    const ownMac = macOrIface(args, ctx);
    let ownIp: Uint8Array | undefined;
    let peerIp: Uint8Array | undefined;
    if (encap === "udp") {
      ownIp = named("--ip", () => parseIPv4(requiredIp(args)));
      const p = args.values["peer-ip"];
      if (typeof p !== "string") throw new InputError("--peer-ip: required with --encap udp");
      peerIp = named("--peer-ip", () => parseIPv4(p));
    } else if ((args.values.ip !== undefined || args.values["peer-ip"] !== undefined) && args.values.dialect === undefined) {
      throw new InputError(`--${args.values.ip !== undefined ? "ip" : "peer-ip"}: only with --encap udp or --dialect`);
    }
    const dialectKinds = typeof args.values.dialect === "string" ? args.values.dialect.split(",").map((k) => k.trim()) : [];
    if (dialectKinds.length) {
      // The whole fault path: the gasp and the dialects armed in a fault core on a virtual
      // board, the fault entry fired, the frames in the order its NIC model sent them.
      const { dialectFromArgs } = require("./dialect-sources") as typeof import("./dialect-sources");
      const { ArmedUnit } = require("../dialect/unit") as typeof import("../dialect/unit");
      const dialects = dialectKinds.map((k) => dialectFromArgs(k, args, ctx));
      const unit = new ArmedUnit({
        chassis, unit: unitId(), priority, key, keyId, boot, copies: 1, model: "i210",
        ports: [{ ownMac, peerMac, ownIp: encap === "udp" ? ownIp : undefined, peerIp: encap === "udp" ? peerIp : undefined, vlanTci: ctx.vlanTci, encaps: [encap as Encap] }],
        dialects,
      });
      key.fill(0);
      const r = unit.fire(cause, (args.values.excerpt as string | undefined) ?? "lastgasp gasp");
      if (r.rc !== 0) throw new Error(`the fault entry did not send: ${r.result}`);
      const frames = unit.wire.map((f) => f.frame);
      return () => frames;
    }
    const sender = new GaspSender(ctx.codec.core);
    sender.setKey(0, key, keyId);
    key.fill(0);
    sender.arm({
      chassis, unit, role: G.GASP_ROLE_ACTIVE, priority, keySlot: 0, boot, copies: 1,
      ports: [{ ownMac, peerMac, ownIp, peerIp, vlanTci: ctx.vlanTci, encaps: [encap as Encap] }],
    });
    const built = sender.fire({ cause, excerpt: (args.values.excerpt as string | undefined) ?? "lastgasp gasp" });
    const frame = built.frames[0].bytes;
    return () => frame;
  },
};

export const FRAME_SOURCES: FrameSource[] = [
  arpSource("garp", "RFC 5227 announcement: broadcast ARP request, sender IP = target IP, target MAC zero"),
  arpSource("garp-reply", "arping -A variant: broadcast ARP reply, sender IP = target IP, target MAC = own MAC"),
  arpSource("arp-probe", "RFC 5227 probe: broadcast ARP request, sender IP 0.0.0.0, target MAC zero"),
  {
    kind: "na",
    summary: "RFC 4861 unsolicited Neighbor Advertisement to ff02::1, hop limit 255, S=0, O=1, TLLA option",
    options: { ...ADDR_OPTIONS, router: { type: "boolean" } },
    optionHelp: [...ADDR_HELP, "--router         na: set the Router flag"],
    prepare(args, ctx) {
      const ip = named("--ip", () => parseIPv6(requiredIp(args)));
      const mac = macOrIface(args, ctx);
      const frame = ctx.codec.unsolicitedNa(mac, ip, { router: args.values.router === true, vlanTci: ctx.vlanTci });
      return () => frame;
    },
  },
  gaspSource,
  ...DIALECT_SOURCES,
];

/** Every source's options, for the commands' option tables. */
export const SOURCE_OPTIONS: Options = Object.assign({}, ...FRAME_SOURCES.map((s) => s.options));

export function frameSource(kind: string | undefined): FrameSource {
  const s = FRAME_SOURCES.find((x) => x.kind === kind);
  if (!s) throw new InputError(`${kind ?? "(none)"}: unknown frame kind (expected ${FRAME_SOURCES.map((x) => x.kind).join(", ")})`);
  return s;
}

/** Options given that the chosen kind does not read. */
export function checkSourceOptions(source: FrameSource, args: Parsed): void {
  for (const opt of Object.keys(SOURCE_OPTIONS)) {
    if (args.values[opt] !== undefined && !(opt in source.options)) throw new InputError(`--${opt}: not an option of ${source.kind}`);
  }
}
