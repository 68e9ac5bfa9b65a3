/**
 * Where the local OSS keeps objects: one data file and one JSON metadata file per key, named by the key's
 * SHA-256 (any key is a safe file name), in `<dir>/<bucket>/`. The metadata keeps user metadata (`x-oss-meta-*`),
 * which HeadObject returns, and listing reads it back in key order.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredObject {
  key: string;
  etag: string;
  size: number;
  contentType: string;
  crc64: string;
  lastModified: string;
  /** `x-oss-meta-*` as stored: lower-case names with the prefix. */
  meta?: Record<string, string>;
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

  /** Removes the object; a missing one is not an error (DeleteObject answers 204 either way). */
  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(`${path}.json`, { force: true });
    await rm(path, { force: true });
  }

  /** Every object whose key starts with `prefix`, in key (UTF-8 byte) order, as OSS lists. */
  async list(prefix: string): Promise<StoredObject[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, this.bucket));
    } catch {
      return [];
    }
    const objects: StoredObject[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        const object = JSON.parse(await readFile(join(this.dir, this.bucket, name), 'utf8')) as StoredObject;
        if (object.key.startsWith(prefix)) objects.push(object);
      } catch {
        // deleted between readdir and read
      }
    }
    return objects.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  private pathOf(key: string): string {
    return join(this.dir, this.bucket, createHash('sha256').update(key).digest('hex'));
  }
}

/** `x-oss-meta-*` entries of PUT headers or PostObject form fields, names lower-cased as OSS stores them. */
export function userMeta(entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries)
      .filter(([name]) => name.toLowerCase().startsWith('x-oss-meta-'))
      .map(([name, value]) => [name.toLowerCase(), value]),
  );
}
