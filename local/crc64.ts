/**
 * CRC-64/XZ (ECMA-182 polynomial, reflected, init and xor-out all ones): the value OSS reports as
 * `x-oss-hash-crc64ecma` and `${crc64}`. Check value: crc64("123456789") = 11051210869376104954.
 */
const POLY = 0xc96c5795d7870f42n;
const MASK = 0xffffffffffffffffn;

const TABLE = Array.from({ length: 256 }, (_, n) => {
  let crc = BigInt(n);
  for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n;
  return crc;
});

export function crc64(data: Uint8Array): string {
  let crc = MASK;
  for (const byte of data) crc = (TABLE[Number((crc ^ BigInt(byte)) & 0xffn)] as bigint) ^ (crc >> 8n);
  return ((crc ^ MASK) & MASK).toString();
}
