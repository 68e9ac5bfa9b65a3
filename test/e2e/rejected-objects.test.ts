/**
 * Objects that are not the upload we signed, or broke its limits, are never recorded: the event path deletes
 * them (REJECTED_OBJECTS=delete, the default) or keeps and logs them (keep). The callback refuses them too, but
 * leaves deletion to the event path (it must answer within 5 s).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../shared/log';
import { objectUrl, presignV4, withQuery } from '../../shared/oss';
import { headStatus, startTestServer } from '../helpers/local';

describe.each(['delete', 'keep'] as const)('REJECTED_OBJECTS=%s', (mode) => {
  let local: Awaited<ReturnType<typeof startTestServer>>;
  const logger = memoryLogger();

  beforeAll(async () => {
    local = await startTestServer({ logger, eventEnv: { REJECTED_OBJECTS: mode }, eventRetryDelayMs: 20 });
  });
  afterAll(async () => local?.stop());

  async function sign(body: object) {
    const { token } = (await (
      await fetch(`${local.url}/dev/token`, { method: 'POST', body: JSON.stringify({ sub: 'mallory' }) })
    ).json()) as { token: string };
    const res = await fetch(`${local.url}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return (await res.json()) as {
      uploadId: string;
      key: string;
      put: { url: string; headers: Record<string, string> };
    };
  }

  /** A PUT signed with the bucket's own keys (what a leaked key or a misused signer can do). */
  function putWithBucketKeys(key: string, headers: Record<string, string>, body: string) {
    const location = { bucket: local.bucket, region: 'cn-hangzhou', endpoint: local.url, addressing: 'path' as const };
    const { query } = presignV4({ method: 'PUT', bucket: local.bucket, key, headers }, local.credentials, {
      region: 'cn-hangzhou',
      now: new Date(),
      expiresSeconds: 60,
    });
    return fetch(withQuery(objectUrl(location, key), query), { method: 'PUT', headers, body });
  }

  async function expectRejected(uploadId: string, key: string, reason: string) {
    await local.events.idle();
    expect(await local.store.get(uploadId)).toBeUndefined();
    expect(await headStatus(local, key)).toBe(mode === 'delete' ? 404 : 200);
    const line = logger.lines.find((l) => l.uploadId === uploadId && String(l.message).startsWith('rejected object'));
    expect(line).toMatchObject({
      reason,
      message: mode === 'delete' ? 'rejected object deleted' : expect.stringContaining('kept'),
      function_name: 'upload-event',
      keyHash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    // Object keys hold the user id: logs carry only their keyed hash.
    expect(JSON.stringify(logger.lines)).not.toContain(key);
    // Logs name the reason, never the token.
    expect(JSON.stringify(logger.lines)).not.toContain(local.tokenSecret);
  }

  it('an oversize PUT (beyond its signed size) is refused by the callback and rejected by the event path', async () => {
    const signed = await sign({ filename: 'small.txt', contentType: 'text/plain', size: 4 });
    const res = await fetch(signed.put.url, {
      method: 'PUT',
      headers: signed.put.headers,
      body: 'much more than four',
    });
    expect(res.status).toBe(203); // stored; the callback answered 403 CallbackMismatch
    expect(await res.text()).toContain('Error status : 403.');
    await expectRejected(signed.uploadId, signed.key, 'too-large');
    const token = signed.put.headers['x-oss-meta-upload-token'] ?? '';
    expect(JSON.stringify(logger.lines)).not.toContain(token);
  });

  it('a PUT with another content type than signed (its token copied) is rejected', async () => {
    const signed = await sign({ filename: 'pic.png', contentType: 'image/png', size: 100 });
    const { 'x-oss-callback': _callback, ...headers } = signed.put.headers;
    const res = await putWithBucketKeys(signed.key, { ...headers, 'Content-Type': 'text/html' }, '<script>1</script>');
    expect(res.status).toBe(200);
    await expectRejected(signed.uploadId, signed.key, 'wrong-type');
  });

  it('an object written straight with the bucket keys (no token) is rejected', async () => {
    const id = randomUUID();
    const key = `uploads/mallory/2026/11/${id}-direct.txt`;
    const res = await putWithBucketKeys(key, { 'Content-Type': 'text/plain' }, 'no proof');
    expect(res.status).toBe(200);
    await expectRejected(id, key, 'no-token');
  });

  it('a signed upload next to them is recorded by the event path alone when its callback is refused', async () => {
    local.setFaults({ callback: () => 'error' });
    const signed = await sign({ filename: 'ok.txt', contentType: 'text/plain', size: 2 });
    const res = await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers, body: 'ok' });
    local.setFaults({});
    expect(res.status).toBe(203);
    await local.events.idle();
    expect(await local.store.get(signed.uploadId)).toMatchObject({
      key: signed.key,
      size: 2,
      user: 'mallory',
      callbackCount: 0,
      eventCount: 1,
      firstSource: 'event',
    });
  });
});
