// The string formats the JSON schemas name ("format": "unicast-mac", ...): what a value must
// be, and, when it is not, a sentence saying why — instead of a regular expression. Used by
// the schema validator (schema.ts) and by the checks a schema cannot make.

import { AddrError, parseIPv4, parseIPv6, parseUnicastMac, ipv4UnicastProblem, ipv6UnicastProblem } from "./addr";

/** Returns why `value` is not of the format, or undefined when it is. */
export type FormatCheck = (value: string) => string | undefined;

const addrReason = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof AddrError) return e.message;
    throw e;
  }
};

/** An IPv4 unicast address. */
export function ipv4Problem(text: string): string | undefined {
  let b: Uint8Array;
  try {
    b = parseIPv4(text);
  } catch (e) {
    return (e as AddrError).message;
  }
  const u = ipv4UnicastProblem(b);
  return u ? `${text} ${u}` : undefined;
}

/** An IPv6 unicast address. */
export function ipv6Problem(text: string): string | undefined {
  let b: Uint8Array;
  try {
    b = parseIPv6(text);
  } catch (e) {
    return (e as AddrError).message;
  }
  const u = ipv6UnicastProblem(b);
  return u ? `${text} ${u}` : undefined;
}

/** "addr/len" with addr an interface address of the prefix (not its network or broadcast address). */
function prefixProblem(text: string, family: 4 | 6): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return `"${text}" is not an IPv${family} prefix (address/length, e.g. ${family === 4 ? "192.0.2.2/24" : "2001:db8::2/64"})`;
  const bad = family === 4 ? ipv4Problem(m[1]) : ipv6Problem(m[1]);
  if (bad) return bad;
  const len = Number(m[2]);
  const max = family === 4 ? 32 : 128;
  if (len < 1 || len > max) return `prefix length /${len} is not in 1..${max}`;
  if (family === 4 && len <= 30) {
    const b = parseIPv4(m[1]);
    const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    const host = v % 2 ** (32 - len);
    if (host === 0) return `${m[1]} is the network address of /${len}: an interface needs a host address`;
    if (host === 2 ** (32 - len) - 1) return `${m[1]} is the broadcast address of /${len}: an interface needs a host address`;
  }
  return undefined;
}

/** Network prefix "addr/len" (host bits zero), as a client network. */
function networkProblem(text: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return `"${text}" is not an IPv4 prefix (address/length, e.g. 198.18.0.0/15)`;
  const bad = addrReason(() => parseIPv4(m[1]));
  if (bad) return bad;
  const len = Number(m[2]);
  if (len < 1 || len > 32) return `prefix length /${len} is not in 1..32`;
  return undefined;
}

export const FORMATS: Record<string, FormatCheck> = {
  "unicast-mac": (v) => addrReason(() => parseUnicastMac(v)),
  "ipv4-unicast": ipv4Problem,
  "ipv6-unicast": ipv6Problem,
  "ipv4-interface": (v) => prefixProblem(v, 4),
  "ipv6-interface": (v) => prefixProblem(v, 6),
  "ipv4-network": networkProblem,
  "phys-address": (v) =>
    /^0x[0-9a-f]{1,13}$/.test(v) ? (parseInt(v.slice(2), 16) % 4096 !== 0 ? `${v} is not 4 KiB aligned (the low 12 bits must be zero)` : parseInt(v.slice(2), 16) >= 2 ** 52 ? `${v} is not below 2^52` : undefined) : `"${v}" is not a physical address (lower-case hex with 0x, e.g. 0x100000000)`,
};
