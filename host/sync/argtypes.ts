// Typed command arguments. A command pattern says what each argument is ("an IPv4 prefix",
// "an integer in 50..10000"); the type parses a token into its canonical text or says, in
// words, why the token is not one. Canonical text matters: two configs are compared line by
// line, so "2001:DB8:0::1" and "2001:db8::1" must come out the same.
//
// Each type also has a signature, the text it contributes to a CLI dump entry (see
// grammar.ts). Two versions whose patterns differ only in an argument's range have different
// dump entries, so the command lands on the diff lists: a narrowed range is a syntax change.

import { AddrError, formatIPv4, formatIPv6, formatMac, parseIPv4, parseIPv6, parseMac } from "../util/addr";

export type ArgCheck = { ok: true; canon: string } | { ok: false; why: string };

export interface ArgType {
  /** As written in a pattern: "int(50..10000)", "ipv4", "enum(in|out)". */
  readonly spec: string;
  /** As shown in a CLI dump entry: "<50-10000>", "<A.B.C.D>", "{in|out}". */
  readonly sig: string;
  /** Consumes the rest of the line (a free-text description); must be the last argument. */
  readonly restOfLine?: boolean;
  check(token: string): ArgCheck;
}

const ok = (canon: string): ArgCheck => ({ ok: true, canon });
const bad = (why: string): ArgCheck => ({ ok: false, why });

function addr<T>(parse: () => T): T | string {
  try {
    return parse();
  } catch (e) {
    if (e instanceof AddrError) return e.message;
    throw e;
  }
}

function intType(lo: number, hi: number): ArgType {
  return {
    spec: `int(${lo}..${hi})`,
    sig: `<${lo}-${hi}>`,
    check(t) {
      if (!/^(0|[1-9]\d{0,9})$/.test(t)) return bad(`"${t}" is not a decimal integer`);
      const v = Number(t);
      return v < lo || v > hi ? bad(`${t} is out of range ${lo}..${hi}`) : ok(String(v));
    },
  };
}

function enumType(values: string[]): ArgType {
  return {
    spec: `enum(${values.join("|")})`,
    sig: `{${values.join("|")}}`,
    check: (t) => (values.includes(t) ? ok(t) : bad(`"${t}" is not one of ${values.join(", ")}`)),
  };
}

function hexType(lo: number, hi: number): ArgType {
  return {
    spec: `hex(${lo}..${hi})`,
    sig: lo === hi ? `<HEX${lo}>` : `<HEX${lo}-${hi}>`,
    check(t) {
      if (!/^[0-9a-fA-F]+$/.test(t)) return bad(`"${t}" is not hexadecimal`);
      if (t.length % 2) return bad(`a key has whole bytes: ${t.length} hex digits is odd`);
      if (t.length < lo || t.length > hi) return bad(`${t.length} hex digits, expected ${lo === hi ? lo : `${lo}..${hi}`}`);
      return ok(t.toLowerCase());
    },
  };
}

const ipv4: ArgType = {
  spec: "ipv4",
  sig: "<A.B.C.D>",
  check(t) {
    const v = addr(() => parseIPv4(t));
    return typeof v === "string" ? bad(v) : ok(formatIPv4(v));
  },
};

const ipv6: ArgType = {
  spec: "ipv6",
  sig: "<X:X::X>",
  check(t) {
    const v = addr(() => parseIPv6(t));
    return typeof v === "string" ? bad(v) : ok(formatIPv6(v));
  },
};

const ipaddr: ArgType = {
  spec: "ipaddr",
  sig: "<A.B.C.D|X:X::X>",
  check: (t) => (t.includes(":") ? ipv6.check(t) : ipv4.check(t)),
};

/** Address/length. network=true: the host bits must be zero (an ACL prefix), otherwise they
 * name the interface's own address inside the subnet. */
function prefixType(family: 4 | 6, network: boolean): ArgType {
  const bits = family === 4 ? 32 : 128;
  const sig = `<${network ? "NET" : "ADDR"}${family}/LEN>`;
  return {
    spec: `${network ? "net" : "if"}${family}`,
    sig,
    check(t) {
      const m = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(t);
      if (!m) return bad(`"${t}" is not an IPv${family} prefix (expected ${family === 4 ? "192.0.2.0/24" : "2001:db8::/64"})`);
      const a = addr(() => (family === 4 ? parseIPv4(m[1]) : parseIPv6(m[1])));
      if (typeof a === "string") return bad(a);
      const len = Number(m[2]);
      const min = network ? 0 : 1;
      if (len < min || len > bits) return bad(`prefix length ${len} is out of range ${min}..${bits}`);
      if (network && !hostBitsZero(a, len)) return bad(`${t} has host bits set (a network prefix)`);
      return ok(`${family === 4 ? formatIPv4(a) : formatIPv6(a)}/${len}`);
    },
  };
}

function hostBitsZero(a: Uint8Array, len: number): boolean {
  for (let bit = len; bit < a.length * 8; bit++) if (a[bit >> 3] & (0x80 >> (bit & 7))) return false;
  return true;
}

const mac: ArgType = {
  spec: "mac",
  sig: "<H:H:H:H:H:H>",
  check(t) {
    const v = addr(() => parseMac(t));
    return typeof v === "string" ? bad(v) : ok(formatMac(v));
  },
};

const name: ArgType = {
  spec: "name",
  sig: "<WORD>",
  check: (t) =>
    /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(t) ? ok(t) : bad(`"${t}" is not a name (a letter, then up to 31 letters, digits, _ or -)`),
};

// RFC 1123 host name: labels of letters, digits and inner hyphens, 63 octets each.
const hostname: ArgType = {
  spec: "hostname",
  sig: "<HOSTNAME>",
  check(t) {
    const label = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
    return t.length <= 253 && t.split(".").every((l) => label.test(l)) ? ok(t.toLowerCase()) : bad(`"${t}" is not a host name`);
  },
};

// Physical ports eth0..eth63, bonds bond0..bond63, optionally a VLAN sub-interface ".VID".
const ifname: ArgType = {
  spec: "ifname",
  sig: "<IFNAME>",
  check(t) {
    const m = /^(eth|bond)(0|[1-9]\d?)(?:\.([1-9]\d{0,3}))?$/.exec(t);
    if (!m || Number(m[2]) > 63) return bad(`"${t}" is not an interface (eth0..eth63 or bond0..bond63, optionally .VLAN)`);
    if (m[3] !== undefined && Number(m[3]) > 4094) return bad(`VLAN ${m[3]} in "${t}" is out of range 1..4094`);
    return ok(t);
  },
};

const text: ArgType = {
  spec: "text",
  sig: "<LINE>",
  restOfLine: true,
  check(t) {
    if (t.length === 0) return bad("empty text");
    if (t.length > 80) return bad(`text of ${t.length} characters, at most 80`);
    return /^[\x20-\x7e]+$/.test(t) ? ok(t) : bad("text must be printable ASCII");
  },
};

const SIMPLE: Record<string, ArgType> = {
  ipv4, ipv6, ipaddr, mac, name, hostname, ifname, text,
  if4: prefixType(4, false), if6: prefixType(6, false),
  net4: prefixType(4, true), net6: prefixType(6, true),
};

export class TypeSpecError extends Error {}

/** The type a pattern names, e.g. "int(1..10)". Throws TypeSpecError for a bad spec. */
export function argType(spec: string): ArgType {
  if (SIMPLE[spec]) return SIMPLE[spec];
  let m = /^int\((\d+)\.\.(\d+)\)$/.exec(spec);
  if (m && Number(m[1]) <= Number(m[2])) return intType(Number(m[1]), Number(m[2]));
  m = /^hex\((\d+)\.\.(\d+)\)$/.exec(spec);
  if (m && Number(m[1]) <= Number(m[2])) return hexType(Number(m[1]), Number(m[2]));
  m = /^enum\(([a-z0-9-]+(?:\|[a-z0-9-]+)*)\)$/.exec(spec);
  if (m) return enumType(m[1].split("|"));
  throw new TypeSpecError(`unknown argument type "${spec}"`);
}

/** True when a canonical address argument is IPv6 (the ipaddr type holds either family). */
export const isV6 = (canon: string): boolean => canon.includes(":");
