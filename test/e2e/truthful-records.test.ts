/**
 * The records table tells the truth about the bucket, end to end through `npm start` (sign-upload, the local
 * OSS, upload-callback, upload-event):
 * - a callback OSS signs for whatever the uploader asked (the local OSS's key stands in for OSS's one global key)
 *   records nothing for a key without an object, and only the stored object's values for one with it;
 * - one presigned PUT URL raced with 10 bytes and 8 MiB, and a key written twice with forbid-overwrite off:
 *   no object over its signed size survives the event path, and every record equals HeadObject of its key or
 *   is marked removed;
 * - a DeleteObject marks the record removed, through the event, and through the sweep when events are dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectValues } from '../../local/fixtures/callback';
import { callbackBodyTemplate, renderCallbackBody, signCallbackRequest } from '../../shared/oss';
import { deleteObject, headObject } from '../../shared/oss-client';
import { createUploadToken, type UploadClaims } from '../../shared/proof';
import type { UploadRecord } from '../../shared/records/types';
import { devToken, localOssClient, startTestServer } from '../helpers/local';

const MiB = 1024 * 1024;
type Local = Awaited<ReturnType<typeof startTestServer>>;

interface Signed {
  uploadId: string;
  key: string;
  put: { url: string; headers: Record<string, string> };
}

async function sign(local: Local, size: number, sub = 'truth'): Promise<Signed> {
  const res = await fetch(`${local.url}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken(local, sub)}` },
    body: JSON.stringify({ filename: 'a.bin', contentType: 'application/octet-stream', size }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Signed;
}

const put = async (signed: Signed, body: Buffer) => {
  const res = await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers, body });
  await res.arrayBuffer();
  return res.status;
};

/** Every record of `ids`: it equals HeadObject of its key (ETag, size), or it is marked removed. */
async function expectRecordsTrue(local: Local, ids: string[]): Promise<UploadRecord[]> {
  const client = localOssClient(local);
  const records: UploadRecord[] = [];
  for (const id of ids) {
    const record = await local.store.get(id);
    if (!record) continue;
    records.push(record);
    const head = await headObject(client, record.key);
    if (record.state === 'active') {
      expect(head, `record ${id} is active: its object exists`).toBeDefined();
      expect({ etag: record.etag.replace(/"/g, '').toUpperCase(), size: record.size }).toEqual({
        etag: head?.etag,
        size: head?.size,
      });
    } else {
      expect(record.state).toBe('removed');
    }
  }
  return records;
}

/** A callback as OSS sends it for whatever an uploader asked: any body, signed with the (local) OSS key. */
async function forgedCallback(local: Local, claims: UploadClaims, values: Record<string, string>) {
  const path = `/callback/${createUploadToken(claims, local.tokenSecret)}`;
  const body = renderCallbackBody(callbackBodyTemplate(), undefined, values);
  const authorization = signCallbackRequest(path, '', Buffer.from(body), local.callbackKey.privatePem);
  const res = await fetch(`${local.url}${path}`, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': 'application/x-www-form-urlencoded',
      'x-oss-pub-key-url': Buffer.from(local.callbackKey.keyUrl).toString('base64'),
    },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('callbacks are confirmed against the stored object', () => {
  let local: Local;
  beforeAll(async () => {
    local = await startTestServer();
  });
  afterAll(async () => local?.stop());

  it('a callback for a key that holds no object records nothing', async () => {
    const signed = await sign(local, 100);
    const claims: UploadClaims = {
      id: signed.uploadId,
      bucket: local.bucket,
      key: signed.key,
      maxSize: 100,
      contentType: 'application/octet-stream',
      user: 'truth',
      exp: Math.floor(Date.now() / 1000) + 600,
      vars: {},
    };
    const values = objectValues(claims, { size: '50', mimeType: 'application/octet-stream' });
    const res = await forgedCallback(local, claims, values);
    expect(res).toEqual({
      status: 200,
      json: { Status: 'OK', uploadId: claims.id, key: claims.key, record: 'pending' },
    });
    expect(await local.store.get(claims.id)).toBeUndefined();
  });

  it("one claiming another size and ETag records the stored object's, or none when those break the limits", async () => {
    const within = await sign(local, 100);
    expect(await put(within, Buffer.alloc(60, 1))).toBe(200);
    await local.events.idle();
    const claims = (signed: Signed, maxSize: number): UploadClaims => ({
      id: signed.uploadId,
      bucket: local.bucket,
      key: signed.key,
      maxSize,
      contentType: 'application/octet-stream',
      user: 'truth',
      exp: Math.floor(Date.now() / 1000) + 600,
      vars: {},
    });
    const lie = { size: '7', etag: '0123456789ABCDEF0123456789ABCDEF', mimeType: 'application/octet-stream' };
    const res = await forgedCallback(local, claims(within, 100), objectValues(claims(within, 100), lie));
    expect(res.status).toBe(200);
    const record = await local.store.get(within.uploadId);
    expect(record).toMatchObject({ size: 60, state: 'active' });
    expect(record?.etag).not.toBe(lie.etag);
    await expectRecordsTrue(local, [within.uploadId]);

    // The same lie for an object that broke its limits: no record at all (the event path deleted it).
    const over = await sign(local, 10);
    expect(await put(over, Buffer.alloc(50, 3))).toBe(203); // stored, its own callback refused
    await local.events.idle();
    const bigger = claims(over, 10);
    const forged = await forgedCallback(local, bigger, objectValues(bigger, { ...lie, size: '5' }));
    expect(forged.json.record).toBe('pending'); // nothing stored at the key
    expect(await local.store.get(over.uploadId)).toBeUndefined();
  });
});

describe('no object over its signed size survives, every record is true', () => {
  it('one presigned PUT URL raced with 10 bytes and 8 MiB, 20 times', async () => {
    const local = await startTestServer();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const signed = await sign(local, 10);
        ids.push(signed.uploadId);
        const statuses = await Promise.all([put(signed, Buffer.alloc(10, 1)), put(signed, Buffer.alloc(8 * MiB, 2))]);
        expect(statuses.filter((s) => s === 409)).toHaveLength(1); // forbid-overwrite: one of the two stored
      }
      await local.events.idle();
      const client = localOssClient(local);
      for (const id of ids) {
        const record = await local.store.get(id);
        const head = record ? await headObject(client, record.key) : undefined;
        expect(head === undefined || head.size <= 10).toBe(true);
      }
      await expectRecordsTrue(local, ids);
    } finally {
      await local.stop();
    }
  }, 120_000);

  it('with forbid-overwrite off, 10 bytes then 20 MiB to one URL: the big one is deleted, the record marked removed', async () => {
    const local = await startTestServer({ signEnv: { UPLOAD_FORBID_OVERWRITE: 'false' } });
    try {
      const signed = await sign(local, 10);
      expect(await put(signed, Buffer.alloc(10, 1))).toBe(200);
      await local.events.idle();
      expect((await local.store.get(signed.uploadId))?.state).toBe('active');
      expect(await put(signed, Buffer.alloc(20 * MiB, 2))).toBe(203); // stored; its callback refused
      await local.events.idle();
      expect(await headObject(localOssClient(local), signed.key)).toBeUndefined();
      const [record] = await expectRecordsTrue(local, [signed.uploadId]);
      expect(record).toMatchObject({ state: 'removed', stateReason: 'rejected:too-large', size: 10 });
    } finally {
      await local.stop();
    }
  }, 60_000);
});

describe('deletions are recorded', () => {
  it('a DeleteObject marks the record removed through the OSS event', async () => {
    const local = await startTestServer();
    try {
      const signed = await sign(local, 5);
      expect(await put(signed, Buffer.from('hello'))).toBe(200);
      await local.events.idle();
      await deleteObject(localOssClient(local), signed.key);
      await local.events.idle();
      expect(await local.store.get(signed.uploadId)).toMatchObject({ state: 'removed', stateReason: 'deleted' });
    } finally {
      await local.stop();
    }
  });

  it('…and through the sweep when the delete event is dropped', async () => {
    const local = await startTestServer();
    try {
      const signed = await sign(local, 5);
      expect(await put(signed, Buffer.from('hello'))).toBe(200);
      await local.events.idle();
      local.setFaults({ event: () => ({ drop: true }) });
      await deleteObject(localOssClient(local), signed.key);
      await local.events.idle();
      expect((await local.store.get(signed.uploadId))?.state).toBe('active'); // no event came
      const timer = { triggerTime: new Date().toISOString(), triggerName: 'sweep', payload: '' };
      await local.uploadEvent(Buffer.from(JSON.stringify(timer)));
      expect(await local.store.get(signed.uploadId)).toMatchObject({ state: 'removed', stateReason: 'not-found' });
    } finally {
      await local.stop();
    }
  });
});
