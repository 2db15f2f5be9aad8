// Parsing and formatting of MAC, IPv4 and IPv6 addresses. Parsers throw AddrError with a
// message that names what is wrong; the CLI turns it into a one-line error and exit 2.

export class AddrError extends Error {}

const MAC_RE = /^([0-9a-fA-F]{2})([:-])([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})$/;

/** "02:00:00:aa:bb:cc" (or with dashes) -> 6 bytes. */
export function parseMac(text: string): Uint8Array {
  const m = MAC_RE.exec(text.trim());
  if (!m) throw new AddrError(`not a MAC address: "${text}" (expected six hex pairs, e.g. 02:00:00:aa:bb:cc)`);
  return Uint8Array.from([m[1], m[3], m[4], m[5], m[6], m[7]].map((h) => parseInt(h, 16)));
}

export function formatMac(b: Uint8Array): string {
  return Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, "0")).join(":");
}

/** Dotted quad -> 4 bytes. Leading zeros are refused (they mean octal to some parsers). */
export function parseIPv4(text: string): Uint8Array {
  const parts = text.trim().split(".");
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) {
    throw new AddrError(`not an IPv4 address: "${text}" (expected a dotted quad, e.g. 192.0.2.1)`);
  }
  return Uint8Array.from(parts.map(Number));
}

export function formatIPv4(b: Uint8Array): string {
  return Array.from(b.subarray(0, 4)).join(".");
}

/** RFC 4291 §2.2 text forms (with "::" and an embedded dotted quad) -> 16 bytes. */
export function parseIPv6(text: string): Uint8Array {
  const bad = () => new AddrError(`not an IPv6 address: "${text}" (e.g. 2001:db8::9)`);
  const t = text.trim();
  if (!/^[0-9a-fA-F:.]+$/.test(t)) throw bad();
  const halves = t.split("::");
  if (halves.length > 2) throw bad();
  const words = (s: string): number[] => {
    if (s === "") return [];
    const out: number[] = [];
    const groups = s.split(":");
    groups.forEach((g, i) => {
      if (i === groups.length - 1 && g.includes(".")) {
        const v4 = parseIPv4(g);
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
        out.push(parseInt(g, 16));
      }
    });
    return out;
  };
  let w: number[];
  try {
    const head = words(halves[0]);
    if (halves.length === 2) {
      const tail = words(halves[1]);
      if (head.length + tail.length > 7) throw bad();
      w = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
    } else {
      w = head;
    }
  } catch (e) {
    throw e instanceof AddrError && e.message.startsWith("not an IPv6") ? e : bad();
  }
  if (w.length !== 8) throw bad();
  const out = new Uint8Array(16);
  w.forEach((x, i) => {
    out[2 * i] = x >> 8;
    out[2 * i + 1] = x & 0xff;
  });
  return out;
}

/** RFC 5952 canonical text: lower case, longest run (>= 2) of zero words as "::". */
export function formatIPv6(b: Uint8Array): string {
  const w = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(w);
  return `${hex(w.slice(0, bestStart))}::${hex(w.slice(bestStart + bestLen))}`;
}

/** Hex dump, 16 bytes a line, offset first (like `xxd -g1` without the ASCII column). */
export function hexdump(b: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    const row = Array.from(b.subarray(i, i + 16), (x) => x.toString(16).padStart(2, "0")).join(" ");
    lines.push(`${i.toString(16).padStart(4, "0")}  ${row}`);
  }
  return lines.join("\n");
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/**
 * A MAC a station may send from: six hex pairs, not multicast (the I/G bit — bit 0 of the
 * first octet, IEEE Std 802 §8.2 — clear; broadcast is multicast too), not all zeros.
 * Universally and locally administered addresses are both fine.
 */
export function parseUnicastMac(text: string): Uint8Array {
  const b = parseMac(text);
  if (b[0] & 1) {
    const what = b.every((x) => x === 0xff) ? "the broadcast address" : "a multicast address (the I/G bit of the first octet is set)";
    throw new AddrError(`${text} is ${what}: a source MAC must be unicast`);
  }
  if (b.every((x) => x === 0)) throw new AddrError(`${text} is all zeros: not a station's address`);
  return b;
}

/** Why an IPv4 address cannot be a unicast interface or service address (RFC 6890), or undefined. */
export function ipv4UnicastProblem(b: Uint8Array): string | undefined {
  if (b[0] === 0) return "is in 0.0.0.0/8 (\"this network\", RFC 6890): not a unicast address";
  if (b[0] === 127) return "is a loopback address (127.0.0.0/8): not on any port";
  if (b[0] >= 224 && b[0] <= 239) return "is a multicast address (224.0.0.0/4): not a unicast address";
  if (b[0] >= 240) return b.every((x) => x === 255) ? "is the limited broadcast address" : "is in the reserved 240.0.0.0/4";
  return undefined;
}

/** Why an IPv6 address cannot be a unicast interface or service address (RFC 4291), or undefined. */
export function ipv6UnicastProblem(b: Uint8Array): string | undefined {
  if (b[0] === 0xff) return "is a multicast address (ff00::/8): not a unicast address";
  if (b.every((x) => x === 0)) return "is the unspecified address (::)";
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return "is the loopback address (::1): not on any port";
  return undefined;
}
