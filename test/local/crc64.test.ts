import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc64 } from '../../local/crc64';
import { imageInfo } from '../../local/image-info';

describe('local OSS helpers', () => {
  it('computes CRC-64/XZ (the ECMA-182 value OSS reports): check value and empty input', () => {
    expect(crc64(Buffer.from('123456789'))).toBe('11051210869376104954');
    expect(crc64(Buffer.alloc(0))).toBe('0');
  });

  it('agrees with the bit-at-a-time definition on random bytes of every length up to 300', () => {
    // The definition itself, one bit per step on a BigInt register: slow, and plainly the CRC.
    const reference = (data: Uint8Array) => {
      let crc = 0xffffffffffffffffn;
      for (const byte of data) {
        crc ^= BigInt(byte);
        for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ 0xc96c5795d7870f42n : crc >> 1n;
      }
      return (crc ^ 0xffffffffffffffffn).toString();
    };
    expect(reference(Buffer.from('123456789'))).toBe('11051210869376104954');
    for (let length = 0; length <= 300; length++) {
      const data = randomBytes(length);
      expect(crc64(data)).toBe(reference(data));
    }
  });

  it('reads PNG and GIF dimensions, and nothing from other bytes', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000001f4000000c8', 'hex');
    expect(imageInfo(png)).toEqual({ width: 500, height: 200, format: 'png' });
    expect(imageInfo(Buffer.from('474946383961 0a00 0500'.replaceAll(' ', ''), 'hex'))).toEqual({
      width: 10,
      height: 5,
      format: 'gif',
    });
    expect(imageInfo(Buffer.from('hello world, not an image'))).toBeUndefined();
  });
});
