/** Width, height and format of PNG, GIF and JPEG images, as OSS fills `${imageInfo.*}` (empty otherwise). */
export interface ImageInfo {
  width: number;
  height: number;
  format: string;
}

export function imageInfo(data: Buffer): ImageInfo | undefined {
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47 && data.toString('latin1', 12, 16) === 'IHDR') {
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), format: 'png' };
  }
  if (data.length >= 10 && data.toString('latin1', 0, 4) === 'GIF8') {
    return { width: data.readUInt16LE(6), height: data.readUInt16LE(8), format: 'gif' };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) return jpegInfo(data);
  return undefined;
}

/** Walks JPEG segments to the first start-of-frame marker (SOF0..SOF15 except DHT/JPG/DAC). */
function jpegInfo(data: Buffer): ImageInfo | undefined {
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1] ?? 0;
    const length = data.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7), format: 'jpg' };
    }
    offset += 2 + length;
  }
  return undefined;
}
