// The project's own rule for the addresses in its shipped files, examples and test fixtures:
// documentation ranges only (RFC 5737 TEST-NET-1/2/3, RFC 2544 benchmarking 198.18.0.0/15,
// RFC 3849 2001:db8::/32) and locally administered MACs. The product accepts any unicast
// address (host/board/validate.ts); this rule is checked on our files by the tests.

import { parseIPv4, parseIPv6, parseMac } from "../../host/util/addr";
import { inPrefix } from "../../host/board/validate";

const DOC_V4: [string, number][] = [["192.0.2.0", 24], ["198.51.100.0", 24], ["203.0.113.0", 24], ["198.18.0.0", 15]];

export function isDocumentationIPv4(text: string): boolean {
  const a = parseIPv4(text.split("/")[0]);
  return DOC_V4.some(([net, len]) => inPrefix(a, parseIPv4(net), len));
}

export function isDocumentationIPv6(text: string): boolean {
  return inPrefix(parseIPv6(text.split("/")[0]), parseIPv6("2001:db8::"), 32);
}

export function isLocallyAdministered(mac: string): boolean {
  return (parseMac(mac)[0] & 0x02) !== 0;
}
