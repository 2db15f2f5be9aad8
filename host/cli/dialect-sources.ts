// The dialect frame kinds of `lastgasp encode` / `send` (vrrp, bfd, oam), and `send gasp
// --dialect`: every frame is the core's armed template (host/dialect/dialect.ts) — what the
// fault entry copies into the fault ring at a crash — never a second builder here.

import { InputError, Options, Parsed, optionalInt, optionalString } from "./command";
import type { FrameContext, FrameSource } from "./frame-sources";
import { named } from "./frame-sources";
import { Dialects, Dialect, BFD_DIAG_FORWARDING_PLANE_RESET } from "../dialect/dialect";
import { AddrError, parseIPv4, parseIPv6, parseMac, parseUnicastMac } from "../util/addr";
import { CoreError, statusName } from "../core/status";
import { GASP_CAUSE_OPERATOR } from "../../assembly/shared/gasp";

const ip = (s: string) => (s.includes(":") ? parseIPv6(s) : parseIPv4(s));

function parseHex(text: string): Uint8Array {
  const t = text.replace(/[\s:]/g, "");
  if (!/^([0-9a-f]{2})+$/i.test(t)) throw new AddrError(`"${text}" is not hex bytes`);
  return Uint8Array.from(t.match(/../g)!.map((b) => parseInt(b, 16)));
}

export const DIALECT_OPTIONS: Options = {
  version: { type: "string" }, vrid: { type: "string" }, vip: { type: "string" }, "advert-int": { type: "string" },
  password: { type: "string" }, "src-port": { type: "string" }, "my-disc": { type: "string" }, "your-disc": { type: "string" },
  "detect-mult": { type: "string" }, diag: { type: "string" }, "min-tx-ms": { type: "string" }, "min-rx-ms": { type: "string" },
  "peer-tlv": { type: "string" }, "dialect-copies": { type: "string" },
};

export const DIALECT_HELP = [
  "--version 2|3    vrrp: VRRP version (default 3; 2 is IPv4 only)",
  "--vrid N         vrrp: virtual router id 1..255",
  "--vip A[,A...]   vrrp: the virtual addresses (1..8, one family)",
  "--ip ADDR        vrrp, bfd: the unit's own address (vrrp IPv6: its link-local address)",
  "--advert-int S   vrrp: the advertisement interval in seconds, as the backup has it (default 1;",
  "                 v3: 0.01 steps; v2: whole seconds, and the backup drops any other value)",
  "--priority N     vrrp: 0 (default: the dialect); other values only for diagnosis",
  "--password TEXT  vrrp v2: simple password (keepalived auth_type PASS), at most 8 bytes",
  "--peer-ip ADDR   bfd: the peer; --peer-mac MAC: its MAC (or the next hop's)",
  "--src-port N     bfd: the session's UDP source port 49152..65535",
  "--my-disc N / --your-disc N   bfd: both discriminators of the Up session (non-zero)",
  "--detect-mult N  bfd: default 3; --diag N: default 4 (forwarding plane reset)",
  "--min-tx-ms / --min-rx-ms MS  bfd: the session's intervals (default 300)",
  "--peer-tlv HEX   oam: the peer's last Local Information TLV (16 bytes), echoed as Remote",
  "--dialect-copies N  copies of each dialect frame, back to back (default 3 for vrrp, 1 otherwise)",
];

function req(args: Parsed, name: string): string {
  const v = optionalString(args, name);
  if (v === undefined) throw new InputError(`--${name}: required`);
  return v;
}

/** A dialect from the command line, for board port 0. */
export function dialectFromArgs(kind: string, args: Parsed, ctx: FrameContext): Dialect {
  const copies = optionalInt(args, "dialect-copies", 1, 8) ?? (kind === "vrrp" ? 3 : 1);
  const vlanTci = ctx.vlanTci;
  switch (kind) {
    case "vrrp": {
      const version = optionalInt(args, "version", 2, 3) ?? 3;
      const vrid = optionalInt(args, "vrid", 1, 255, "a VRID");
      if (vrid === undefined) throw new InputError("--vrid: required");
      const vips = req(args, "vip").split(",").map((s) => named("--vip", () => ip(s.trim())));
      if (vips.length > 8) throw new InputError("--vip: at most 8 addresses in one advertisement");
      const src = named("--ip", () => ip(req(args, "ip")));
      if (vips.some((v) => v.length !== src.length)) throw new InputError("--vip: every address must be of --ip's family");
      if (version === 2 && src.length === 16) throw new InputError("--version: VRRP version 2 is IPv4 only (RFC 3768); use --version 3 for IPv6");
      const intText = optionalString(args, "advert-int") ?? "1";
      const secs = Number(intText);
      const interval = version === 2 ? secs : Math.round(secs * 100);
      const ok = version === 2 ? Number.isInteger(secs) && secs >= 1 && secs <= 255 : Number.isFinite(secs) && Math.abs(secs * 100 - interval) < 1e-6 && interval >= 1 && interval <= 4095;
      if (!ok) throw new InputError(`--advert-int: "${intText}" is not ${version === 2 ? "a whole number of seconds 1..255 (VRRPv2)" : "0.01..40.95 seconds in 0.01 steps (VRRPv3)"}`);
      const pw = optionalString(args, "password");
      if (pw !== undefined && (version !== 2 || Buffer.byteLength(pw) > 8)) throw new InputError("--password: VRRPv2 only, at most 8 bytes");
      return { kind: "vrrp", port: 0, copies, vlanTci, version: version as 2 | 3, vrid, priority: optionalInt(args, "priority", 0, 255) ?? 0, src, addrs: vips, interval, password: pw === undefined ? undefined : new TextEncoder().encode(pw) };
    }
    case "bfd": {
      const src = named("--ip", () => ip(req(args, "ip")));
      const dst = named("--peer-ip", () => ip(req(args, "peer-ip")));
      if (src.length !== dst.length) throw new InputError("--peer-ip: not of --ip's family");
      const u32 = (n: string) => {
        const v = optionalInt(args, n, 1, 0xffffffff, "a discriminator (1..4294967295)");
        if (v === undefined) throw new InputError(`--${n}: required (the Up session's discriminators, e.g. from \`vtysh -c 'show bfd peers json'\`)`);
        return v;
      };
      const ownMac = typeof args.values.mac === "string" ? named("--mac", () => parseUnicastMac(args.values.mac as string)) : ctx.ifaceMac();
      return {
        kind: "bfd", port: 0, copies, vlanTci, ownMac, peerMac: named("--peer-mac", () => parseMac(req(args, "peer-mac"))), src, dst,
        srcPort: optionalInt(args, "src-port", 49152, 65535) ?? 49152, myDisc: u32("my-disc"), yourDisc: u32("your-disc"),
        detectMult: optionalInt(args, "detect-mult", 1, 255) ?? 3, diag: optionalInt(args, "diag", 0, 31) ?? BFD_DIAG_FORWARDING_PLANE_RESET,
        desiredMinTxUs: (optionalInt(args, "min-tx-ms", 1, 60_000) ?? 300) * 1000, requiredMinRxUs: (optionalInt(args, "min-rx-ms", 0, 60_000) ?? 300) * 1000,
      };
    }
    case "oam": {
      if (vlanTci !== undefined) throw new InputError("--vlan: OAMPDUs are never tagged (IEEE 802.3 slow protocols are link-local)");
      const ownMac = typeof args.values.mac === "string" ? named("--mac", () => parseUnicastMac(args.values.mac as string)) : ctx.ifaceMac();
      return { kind: "oam", port: 0, copies, ownMac };
    }
  }
  throw new InputError(`--dialect: "${kind}" is not vrrp, bfd or oam`);
}

/** Arms d on the context's core and returns the frame as the fault entry would send it. */
export function armedFrame(d: Dialect, args: Parsed, ctx: FrameContext, cause = GASP_CAUSE_OPERATOR): Uint8Array {
  const ds = new Dialects(ctx.codec.core);
  ds.clear();
  let index: number;
  try {
    index = ds.arm(d);
  } catch (e) {
    if (e instanceof CoreError) throw new InputError(`${d.kind}: the core refused the configuration (${statusName(e.status)})`);
    throw e;
  }
  const tlv = optionalString(args, "peer-tlv");
  if (d.kind === "oam" && tlv !== undefined) {
    const bytes = named("--peer-tlv", () => parseHex(tlv));
    if (bytes.length !== 16 || bytes[0] !== 1 || bytes[1] !== 16) throw new InputError("--peer-tlv: a Local Information TLV is 16 bytes starting 01 10");
    // As received: a minimal Information OAMPDU carrying the peer's TLV.
    const pdu = new Uint8Array(60);
    pdu.set([0x01, 0x80, 0xc2, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0x09, 0x03, 0x00, 0x08, 0x00], 0);
    pdu.set(bytes, 18);
    ds.learnOam(index, pdu);
  }
  return ds.fire(cause)[0].bytes;
}

function dialectSource(kind: "vrrp" | "bfd" | "oam", summary: string): FrameSource {
  return {
    kind,
    summary,
    options: { ...DIALECT_OPTIONS, ip: { type: "string" }, mac: { type: "string" }, "peer-ip": { type: "string" }, "peer-mac": { type: "string" }, priority: { type: "string" } },
    optionHelp: DIALECT_HELP,
    prepare(args, ctx) {
      const frame = armedFrame(dialectFromArgs(kind, args, ctx), args, ctx);
      return () => frame;
    },
  };
}

export const DIALECT_SOURCES: FrameSource[] = [
  dialectSource("vrrp", "VRRP advertisement, priority 0 (v2 or v3, IPv4 or IPv6) from the virtual router MAC: the backup takes over after Skew_Time"),
  dialectSource("bfd", "BFD control packet, state Down with diag, for one Up session: the peer's session goes down at once"),
  dialectSource("oam", "IEEE 802.3ah Information OAMPDU with the Dying Gasp flag (and the peer's Local Information TLV echoed)"),
];
