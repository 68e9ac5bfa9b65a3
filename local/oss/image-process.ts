/**
 * OSS image processing as far as we use it: `GET <key>?x-oss-process=image/info`, the width, height, format and
 * size of a stored image, as OSS answers it (JSON, each fact under `value`). The local OSS reads PNG, GIF and
 * JPEG (local/image-info.ts); anything else is answered as OSS answers a format it cannot read, a 400. Other
 * processing is not offered here.
 * @see https://www.alibabacloud.com/help/en/oss/user-guide/query-image-information
 */
import { imageInfo } from '../image-info';
import { OssError } from './errors';

export function processImage(process: string, data: Buffer): { contentType: string; body: string } {
  if (process !== 'image/info')
    throw new OssError(400, 'InvalidArgument', `The local OSS only answers x-oss-process=image/info, not ${process}.`);
  const info = imageInfo(data);
  if (!info) throw new OssError(400, 'BadRequest', 'The image format is not supported.');
  const fact = (value: string | number) => ({ value: String(value) });
  return {
    contentType: 'application/json',
    body: JSON.stringify({
      FileSize: fact(data.length),
      Format: fact(info.format),
      ImageHeight: fact(info.height),
      ImageWidth: fact(info.width),
    }),
  };
}
