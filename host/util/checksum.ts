// RFC 1071 Internet checksum for host-side frame builders (simulated hosts, control-processor
// applications). The core has its own (inet_checksum); tests keep an independent one
// (host/campaign/ref-wire.ts) on purpose.

/** Checksum over the concatenation of parts (an odd length only in the last part). */
export function internetChecksum(parts: Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i + 1 < p.length; i += 2) sum += (p[i] << 8) | p[i + 1];
    if (p.length & 1) sum += p[p.length - 1] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}
