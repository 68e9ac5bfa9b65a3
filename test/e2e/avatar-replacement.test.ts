/**
 * A route that keeps one upload per user (`replace`), through `npm start`: a second avatar leaves one current
 * record and marks the first replaced, and the first object's fate is the route's: deleted (`replace: delete`,
 * by upload-event, the record then says `replaced:deleted`) or kept (`replace: keep`, `replaced:kept`). Uploads
 * at once converge on one current record; other users and other routes are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadRecord } from '../../shared/records/types';
import { devToken, headStatus, startTestServer, waitFor } from '../helpers/local';

type Local = Awaited<ReturnType<typeof startTestServer>>;

const ROUTES = {
  routes: {
    avatar: {
      types: ['image/png'],
      maxBytes: 1024 * 1024,
      key: 'avatars/{user}/{id}{ext}',
      image: { maxWidth: 512, maxHeight: 512 },
      replace: 'delete',
    },
    banner: { types: ['image/png'], maxBytes: 1024 * 1024, key: 'banners/{user}/{id}{ext}', replace: 'keep' },
    documents: { types: ['text/plain'], maxBytes: 1024, key: 'documents/{user}/{yyyy}/{mm}/{id}-{name}' },
  },
};

/** The smallest file the local OSS (and OSS) reads as a PNG of this size: its signature and IHDR chunk. */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.writeUInt8(8, 16);
  ihdr.writeUInt8(6, 17);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
}

async function upload(local: Local, route: string, sub: string, body: Buffer, contentType = 'image/png') {
  const res = await fetch(`${local.url}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken(local, sub)}` },
    body: JSON.stringify({ route, filename: 'me.png', contentType, size: body.length }),
  });
  expect(res.status).toBe(200);
  const signed = (await res.json()) as { uploadId: string; key: string; put: { url: string; headers: object } };
  const put = await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers as never, body });
  expect(put.status).toBe(200);
  return signed;
}

const states = async (local: Local, ids: string[]) =>
  Promise.all(ids.map(async (id) => (await local.store.get(id)) as UploadRecord));

describe('avatar replacement', () => {
  let local: Local;
  beforeAll(async () => {
    local = await startTestServer({ routes: ROUTES });
  });
  afterAll(async () => local?.stop());

  it('a second avatar: one current record, the first marked replaced and its object deleted', async () => {
    const first = await upload(local, 'avatar', 'ann', png(64, 64));
    await local.events.idle();
    expect(await local.store.get(first.uploadId)).toMatchObject({ state: 'active', route: 'avatar', imageWidth: 64 });
    const second = await upload(local, 'avatar', 'ann', png(128, 128));
    await local.events.idle();
    const [a, b] = await states(local, [first.uploadId, second.uploadId]);
    expect(a).toMatchObject({ state: 'replaced', stateReason: 'replaced:deleted', route: 'avatar' });
    expect(b).toMatchObject({ state: 'active', stateReason: null, imageWidth: 128 });
    expect(await headStatus(local, first.key)).toBe(404);
    expect(await headStatus(local, second.key)).toBe(200);
  });

  it('a route that keeps replaced objects marks the record replaced:kept and leaves the object', async () => {
    const first = await upload(local, 'banner', 'ann', png(10, 10));
    await local.events.idle();
    const second = await upload(local, 'banner', 'ann', png(20, 20));
    await local.events.idle();
    const [a, b] = await states(local, [first.uploadId, second.uploadId]);
    expect(a).toMatchObject({ state: 'replaced', stateReason: 'replaced:kept' });
    expect(b).toMatchObject({ state: 'active' });
    expect(await headStatus(local, first.key)).toBe(200);
    // The other route and the other user are untouched: ann's avatar is still current.
    const avatars = (await local.store.list(100)).filter((r) => r.route === 'avatar' && r.user === 'ann');
    expect(avatars.filter((r) => r.state === 'active')).toHaveLength(1);
  });

  it('five avatars at once converge on one current record, the newest, and one object', async () => {
    const uploads = await Promise.all([1, 2, 3, 4, 5].map((n) => upload(local, 'avatar', 'cid', png(n, n))));
    await local.events.idle();
    await waitFor(
      'the replaced objects to be deleted',
      async () =>
        (
          await states(
            local,
            uploads.map((u) => u.uploadId),
          )
        ).every((r) => r.state === 'active' || r.stateReason === 'replaced:deleted'),
      30_000, // a deadline for a busy machine, not a measurement
    );
    const records = await states(
      local,
      uploads.map((u) => u.uploadId),
    );
    const active = records.filter((r) => r.state === 'active');
    expect(active).toHaveLength(1);
    // The newest by Last-Modified (whole seconds; within one, the last recorded): none is later.
    const current = active[0]?.lastModified?.getTime() ?? 0;
    expect(records.every((r) => (r.lastModified?.getTime() ?? 0) <= current)).toBe(true);
    const present = await Promise.all(uploads.map((u) => headStatus(local, u.key)));
    expect(present.filter((s) => s === 200)).toHaveLength(1);
    // The same user's upload to a route without replace is not part of it.
    const doc = await upload(local, 'documents', 'cid', Buffer.from('hello'), 'text/plain');
    await local.events.idle();
    expect(await local.store.get(doc.uploadId)).toMatchObject({ state: 'active', route: 'documents' });
  });
});
