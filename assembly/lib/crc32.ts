// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the region digest engines without
// memory access compare. Half-byte table: 64 bytes of static data, no initialisation.

const NIBBLE: usize = memory.data<u32>([
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
  0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
]);

export function crc32(p: usize, len: usize): u32 {
  let crc: u32 = 0xffffffff;
  for (let i: usize = 0; i < len; i++) {
    crc ^= <u32>load<u8>(p + i);
    crc = (crc >> 4) ^ load<u32>(NIBBLE + ((crc & 0xf) << 2));
    crc = (crc >> 4) ^ load<u32>(NIBBLE + ((crc & 0xf) << 2));
  }
  return ~crc;
}
