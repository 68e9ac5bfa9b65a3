/**
 * Where the local OSS keeps objects: one data file and one JSON metadata file per key, named by the key's
 * SHA-256 (any key is a safe file name), in `<dir>/<bucket>/`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredObject {
  key: string;
  etag: string;
  size: number;
  contentType: string;
  crc64: string;
  lastModified: string;
}

export class ObjectStore {
  constructor(
    private readonly dir: string,
    private readonly bucket: string,
  ) {}

  async write(object: StoredObject, data: Buffer): Promise<void> {
    const path = this.pathOf(object.key);
    await mkdir(join(this.dir, this.bucket), { recursive: true });
    await writeFile(path, data);
    await writeFile(`${path}.json`, JSON.stringify(object));
  }

  read(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      return JSON.parse(await readFile(`${this.pathOf(key)}.json`, 'utf8'));
    } catch {
      return undefined;
    }
  }

  private pathOf(key: string): string {
    return join(this.dir, this.bucket, createHash('sha256').update(key).digest('hex'));
  }
}
