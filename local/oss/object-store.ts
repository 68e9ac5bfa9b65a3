/**
 * Where the local OSS keeps objects, in `<dir>/<bucket>/`, named by the key's SHA-256 (any key is a safe file
 * name): per key a metadata file `<sha>.json`, and a data file `<sha>.<version>` that the metadata names.
 *
 * A write puts the bytes in a new version file, which no reader can reach yet, then renames a complete metadata
 * file into place. That rename is the commit: readers see the old object or the new one, whole, never one
 * writer's bytes under another's ETag or size, and a process killed mid-write leaves at most an unnamed version
 * file (never read, never listed). The version file a commit replaces is removed after it.
 *
 * A check that must still hold when the write happens (forbid-overwrite, a Complete whose upload must still
 * exist) runs with the write inside `exclusive(key, …)`, the one per-key serialisation PutObject, PostObject,
 * CompleteMultipartUpload and the deletes share. The metadata keeps user metadata (`x-oss-meta-*`), which
 * HeadObject returns, and listing reads it back in key order.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyLock } from './key-lock';

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

/** The metadata file: the object and the name of its data file (absent in folders written before versions). */
interface StoredRecord extends StoredObject {
  file?: string;
}

const version = () => randomBytes(8).toString('hex');
const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

function objectOf(record: StoredRecord): StoredObject {
  const { file: _file, ...object } = record;
  return object;
}

export class ObjectStore {
  private readonly folder: string;
  private readonly locks = new KeyLock();

  constructor(dir: string, bucket: string) {
    this.folder = join(dir, bucket);
  }

  /** Runs `work` once no other exclusive operation on `key` runs, so its checks hold until its write. */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(key, work);
  }

  /** Stores the object, replacing any before it. Writers of one key go through `exclusive`. */
  async write(object: StoredObject, data: Buffer): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    const previous = await this.record(object.key);
    const file = `${this.nameOf(object.key)}.${version()}`;
    await writeFile(join(this.folder, file), data);
    const staged = join(this.folder, `${file}.json.tmp`);
    await writeFile(staged, JSON.stringify({ ...object, file } satisfies StoredRecord));
    await rename(staged, this.metaPath(object.key));
    if (previous) await rm(this.dataPath(previous), { force: true });
  }

  async head(key: string): Promise<StoredObject | undefined> {
    const record = await this.record(key);
    return record && objectOf(record);
  }

  /**
   * The object with its bytes, both of one version. A write may commit between reading the metadata and opening
   * the data it names (whose file the commit then removes): read once more, with no write to the key running.
   */
  async get(key: string): Promise<{ object: StoredObject; data: Buffer } | undefined> {
    try {
      return await this.readVersion(key);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    return this.exclusive(key, () => this.readVersion(key));
  }

  /**
   * Removes the object; true when there was one. DeleteObject answers 204 either way, but only a removal is an
   * OSS event. Inside `exclusive`, so two deletes of one key cannot both report the removal.
   */
  async delete(key: string): Promise<boolean> {
    const record = await this.record(key);
    if (!record) return false;
    await rm(this.metaPath(key), { force: true });
    await rm(this.dataPath(record), { force: true });
    return true;
  }

  /** Every object whose key starts with `prefix`, in key (UTF-8 byte) order, as OSS lists. */
  async list(prefix: string): Promise<StoredObject[]> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch {
      return [];
    }
    const objects: StoredObject[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        const record = JSON.parse(await readFile(join(this.folder, name), 'utf8')) as StoredRecord;
        if (record.key.startsWith(prefix)) objects.push(objectOf(record));
      } catch {
        // deleted between readdir and read
      }
    }
    return objects.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  private async readVersion(key: string) {
    const record = await this.record(key);
    if (!record) return undefined;
    return { object: objectOf(record), data: await readFile(this.dataPath(record)) };
  }

  private async record(key: string): Promise<StoredRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.metaPath(key), 'utf8'));
    } catch {
      return undefined;
    }
  }

  private nameOf(key: string): string {
    return createHash('sha256').update(key).digest('hex');
  }

  private metaPath(key: string): string {
    return join(this.folder, `${this.nameOf(key)}.json`);
  }

  /** Folders written before versions kept the data at `<sha>`. */
  private dataPath(record: StoredRecord): string {
    return join(this.folder, record.file ?? this.nameOf(record.key));
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
