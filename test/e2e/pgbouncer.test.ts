/**
 * One upload end to end with the records behind PgBouncer in transaction mode (CI sets PGBOUNCER_URL):
 * sign → presigned PUT to the local OSS → OSS callback → upsert through the pooler → the row, read directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgbouncer, PGBOUNCER_URL, type TestDatabase } from '../../local/fixtures/db';
import { startTestServer } from '../helpers/local';

describe.skipIf(!PGBOUNCER_URL)('sign → upload → callback → record, through PgBouncer', () => {
  let t: TestDatabase;
  let local: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    t = await freshPgbouncer();
    local = await startTestServer({ databaseUrl: t.url });
  });
  afterAll(async () => {
    await local?.stop();
    await t?.drop();
  });

  it('records the upload exactly once', async () => {
    const { token } = (await (
      await fetch(`${local.url}/dev/token`, { method: 'POST', body: '{"sub":"pooled-user"}' })
    ).json()) as { token: string };
    const signRes = await fetch(`${local.url}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ filename: 'notes.txt', contentType: 'text/plain', size: 5 }),
    });
    expect(signRes.status).toBe(200);
    const signed = (await signRes.json()) as {
      uploadId: string;
      key: string;
      put: { url: string; headers: Record<string, string> };
    };
    const put = await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers, body: 'hello' });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ Status: 'OK', record: 'recorded', uploadId: signed.uploadId, key: signed.key });

    const { rows } = await t.db.query<{ user_id: string; size: string; callback_count: number }>(
      'SELECT user_id, size, callback_count FROM uploads WHERE upload_id = $1',
      [signed.uploadId],
    );
    expect(rows).toEqual([{ user_id: 'pooled-user', size: '5', callback_count: 1 }]);
  });
});
