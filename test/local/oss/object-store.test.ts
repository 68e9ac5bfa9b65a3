/**
 * The local OSS's object files: a write commits by renaming its metadata into place, naming a data file of its
 * own, so an object's metadata and bytes always belong to one write, and nothing staged is ever listed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ObjectStore, type StoredObject } from '../../../local/oss/object-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ouc-objects-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const sha = (key: string) => createHash('sha256').update(key).digest('hex');

function objectOf(key: string, data: Buffer): StoredObject {
  return {
    key,
    etag: createHash('md5').update(data).digest('hex').toUpperCase(),
    size: data.length,
    contentType: 'application/octet-stream',
    crc64: '0',
    lastModified: new Date(0).toUTCString(),
    meta: { 'x-oss-meta-n': String(data.length) },
  };
}

describe('ObjectStore', () => {
  it('keeps one metadata file and one data file per key however often it is overwritten', async () => {
    const store = new ObjectStore(dir, 'b');
    for (const size of [10, 2000, 1, 0, 300]) {
      const data = randomBytes(size);
      await store.exclusive('a/key', () => store.write(objectOf('a/key', data), data));
    }
    const files = await readdir(join(dir, 'b'));
    expect(files).toHaveLength(2);
    expect(files.filter((f) => f === `${sha('a/key')}.json`)).toHaveLength(1);
    const found = await store.get('a/key');
    expect(found?.object.size).toBe(300);
    expect(found?.data).toHaveLength(300);
    expect(found?.object).not.toHaveProperty('file');
  });

  it('ends concurrent writes of one key with one whole write, metadata and bytes together', async () => {
    const store = new ObjectStore(dir, 'b');
    const bodies = [1, 5000, 17, 70_000, 3].map((n) => randomBytes(n));
    await Promise.all(bodies.map((data) => store.exclusive('k', () => store.write(objectOf('k', data), data))));
    const found = await store.get('k');
    const winner = bodies.find((b) => found?.data.equals(b));
    expect(winner).toBeDefined();
    expect(found?.object).toEqual(objectOf('k', winner as Buffer));
    // The lock runs writers in arrival order: the last one called is the one kept.
    expect(winner).toBe(bodies.at(-1));
    expect(await readdir(join(dir, 'b'))).toHaveLength(2);
  });

  it('lists committed objects only: a staged metadata file or an unnamed data file left by a crash is not one', async () => {
    const store = new ObjectStore(dir, 'b');
    const data = Buffer.from('kept');
    await store.write(objectOf('p/kept', data), data);
    await writeFile(join(dir, 'b', `${sha('p/lost')}.0123456789abcdef`), 'bytes of a write that never committed');
    await writeFile(join(dir, 'b', `${sha('p/lost')}.0123456789abcdef.json.tmp`), '{"key":"p/lost"');
    expect((await store.list('p/')).map((o) => o.key)).toEqual(['p/kept']);
    expect(await store.head('p/lost')).toBeUndefined();
  });

  it('reads objects written before data files were versioned (data at the bare hash)', async () => {
    const data = Buffer.from('old layout');
    const object = objectOf('legacy', data);
    await mkdir(join(dir, 'b'), { recursive: true });
    await writeFile(join(dir, 'b', sha('legacy')), data);
    await writeFile(join(dir, 'b', `${sha('legacy')}.json`), JSON.stringify(object));
    const store = new ObjectStore(dir, 'b');
    expect(await store.get('legacy')).toEqual({ object, data });
    const next = Buffer.from('new layout');
    await store.write(objectOf('legacy', next), next);
    expect((await store.get('legacy'))?.data.toString()).toBe('new layout');
    expect(await readdir(join(dir, 'b'))).not.toContain(sha('legacy'));
  });

  it('reports whether a delete removed an object, and removes both files', async () => {
    const store = new ObjectStore(dir, 'b');
    const data = Buffer.from('x');
    await store.write(objectOf('d', data), data);
    expect(await store.exclusive('d', () => store.delete('d'))).toBe(true);
    expect(await store.exclusive('d', () => store.delete('d'))).toBe(false);
    expect(await store.get('d')).toBeUndefined();
    expect(await readdir(join(dir, 'b'))).toEqual([]);
  });
});
