// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib computes it): the Ethernet
// frame check sequence, which the NIC model appends (TX IFCS), verifies (TX without IFCS) and
// writes into receive buffers when the driver asked to keep it (RCTL.SECRC clear); and the
// sync segment's own checksum (host/sync/segment.ts).

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The 4 FCS bytes of a frame as they follow it on the wire (least significant byte first). */
export function ethernetFcs(frame: Uint8Array): Uint8Array {
  const c = crc32(frame);
  return Uint8Array.of(c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24);
}
