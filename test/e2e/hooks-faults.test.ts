/**
 * Issue 22's promise under faults, on PostgreSQL: 300 uploads through the local stack (PUT and POST mixed,
 * callbacks and OSS events faulted as in fault-injection.test.ts) to local/routes.json's documents route, whose
 * hook is the local receiver; the receiver answers 500 to a third of the deliveries (twice), lets a third time
 * out (once), and takes the rest. Every record is delivered at least once, every attempt verifies with the
 * `standardwebhooks` package and carries the same webhook-id for its event, the delivered payload is the
 * record, and objects nobody signed (rejected and deleted by upload-event) get no delivery. Retry delays are
 * milliseconds here (HOOK_RETRY_SCHEDULE); every wait is on a condition, never on a duration.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallbackFault, EventFault, FaultPlan, HookFault } from '../../local/faults';
import { DATABASE_URL, freshPostgres } from '../../local/fixtures/db';
import { hookRecord } from '../../shared/hooks';
import { objectUrl, presignV4, withQuery } from '../../shared/oss';
import { migrate } from '../../shared/records/migrate';
import { headStatus, inParallel, startTestServer, waitFor } from '../helpers/local';

const UPLOADS = 300;
const TYPES = ['text/plain', 'image/png', 'application/pdf'];
const USERS = ['alice', 'bob', 'carol@example.com', 'dave', 'erin'];

const callbackFault = (i: number): CallbackFault =>
  i % 3 === 0 ? (i % 2 === 0 ? 'lose-answer' : 'drop') : i % 3 === 1 ? 'error' : 'deliver';
/** Independent of the callback's fault: a third 500 (two attempts), a third a timeout (one), a third fine. */
const hookFault = (i: number, attempt: number): HookFault =>
  i % 3 === 1
    ? attempt <= 2
      ? 'error'
      : 'deliver'
    : i % 3 === 2
      ? attempt === 1
        ? 'timeout'
        : 'deliver'
      : 'deliver';

describe.skipIf(!DATABASE_URL)('hooks under faults, on PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('delivers every one of 300 records at least once, signed, same webhook-id per event, payload = record', async () => {
    const t = await freshPostgres();
    await migrate(t.db);
    cleanups.push(() => t.drop());
    const index = new Map<string, number>();
    const faults = new Map<string, { callback: CallbackFault; event: EventFault }>();
    const plan: FaultPlan = {
      callback: (key) => faults.get(key)?.callback ?? 'deliver',
      event: (key) => faults.get(key)?.event ?? {},
      hook: (uploadId, attempt) => hookFault(index.get(uploadId) ?? 0, attempt),
    };
    const local = await startTestServer({
      databaseUrl: t.url,
      routes: JSON.parse(await readFile('local/routes.json', 'utf8')),
      faults: plan,
      eventRetryDelayMs: 20,
      callbackTimeoutMs: 2000,
      hooksEveryMs: 100,
      eventEnv: { HOOK_RETRY_SCHEDULE: '20ms,50ms,100ms,200ms,400ms,800ms', HOOK_TIMEOUT_MS: '400' },
    });
    cleanups.push(() => local.stop());

    const tokens = new Map<string, string>();
    for (const user of USERS) {
      const res = await fetch(`${local.url}/dev/token`, { method: 'POST', body: JSON.stringify({ sub: user }) });
      tokens.set(user, ((await res.json()) as { token: string }).token);
    }
    const uploads: { uploadId: string; key: string; body: Buffer; type: string; signed: any }[] = [];
    await inParallel(
      Array.from({ length: UPLOADS }, (_, i) => i),
      8,
      async (i) => {
        const body = randomBytes(16 + (i % 50));
        const type = TYPES[i % TYPES.length] as string;
        const mode = i % 2 === 0 ? 'put' : 'post';
        const res = await fetch(`${local.url}/sign`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${tokens.get(USERS[i % 5] as string)}`,
          },
          body: JSON.stringify({ filename: `f${i}.bin`, contentType: type, size: body.length, mode }),
        });
        const signed = (await res.json()) as any;
        index.set(signed.uploadId, i);
        faults.set(signed.key, {
          callback: callbackFault(i),
          event: { delayMs: (i * 37) % 400, duplicates: i % 4 === 0 ? 1 : 0, beforeCallback: i % 5 === 0 },
        });
        uploads[i] = { uploadId: signed.uploadId, key: signed.key, body, type, signed };
      },
    );
    await inParallel(uploads, 8, async (u, i) => {
      let res: Response;
      if (i % 2 === 0) {
        res = await fetch(u.signed.put.url, { method: 'PUT', headers: u.signed.put.headers, body: u.body });
      } else {
        const form = new FormData();
        for (const [name, value] of Object.entries(u.signed.post.fields as Record<string, string>))
          form.append(name, value);
        form.append('file', new Blob([new Uint8Array(u.body)], { type: u.type }), 'f.bin');
        res = await fetch(u.signed.post.url, { method: 'POST', body: form });
      }
      await res.arrayBuffer();
    });
    // Objects nobody signed, in the route's folder: upload-event rejects (and deletes) them, nothing is recorded.
    // Keys of the route's own layout, so they are rejected and deleted (no token), never recorded.
    const strays = Array.from({ length: 10 }, () => `uploads/documents/mallory/2026/12/${randomUUID()}-stray.txt`);
    const location = { bucket: local.bucket, region: 'cn-hangzhou', endpoint: local.url, addressing: 'path' as const };
    for (const key of strays) {
      const headers = { 'content-type': 'text/plain' };
      const { query } = presignV4({ method: 'PUT', bucket: local.bucket, key, headers }, local.credentials, {
        region: 'cn-hangzhou',
        now: new Date(),
        expiresSeconds: 60,
      });
      const res = await fetch(withQuery(objectUrl(location, key), query), { method: 'PUT', headers, body: 'stray' });
      expect(res.status).toBe(200);
    }
    // Signed, never uploaded: no object, so nothing to confirm.
    const unsent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${local.url}/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get('alice')}` },
        body: JSON.stringify({ filename: `never${i}.txt`, contentType: 'text/plain', size: 10 }),
      });
      unsent.push(((await res.json()) as { uploadId: string }).uploadId);
    }
    await local.events.idle();

    const ids = new Set(uploads.map((u) => u.uploadId));
    const delivered = () =>
      new Set(
        local.hooks.attempts
          .filter((a) => a.answered === 204 && a.event?.type === 'upload.recorded')
          .map((a) => a.event?.data.uploadId),
      );
    await waitFor('every upload delivered', async () => delivered().size === UPLOADS, 120_000, 200);

    const records = (await t.db.query('SELECT count(*)::int AS n FROM uploads')).rows[0] as { n: number };
    expect(records.n).toBe(UPLOADS);
    const { attempts } = local.hooks;
    expect(attempts.every((a) => a.verified)).toBe(true);
    const verifier = new Webhook(local.hookSecret);
    for (const a of attempts) expect(() => verifier.verify(a.body, a.headers)).not.toThrow();
    // Only signed, confirmed uploads: no delivery names anything else, and only upload.recorded was queued.
    expect(attempts.every((a) => ids.has(a.event?.data.uploadId ?? ''))).toBe(true);
    expect(attempts.every((a) => a.event?.type === 'upload.recorded')).toBe(true);
    expect(attempts.some((a) => unsent.includes(a.event?.data.uploadId ?? ''))).toBe(false);
    for (const key of strays) expect(await headStatus(local, key), key).toBe(404);
    // The last 204 has been answered; the sender marks its row delivered just after it reads that answer.
    const settled = async () =>
      (await local.store.outbox?.list({ limit: 1000 }))?.every((d) => d.status !== 'pending') ?? false;
    await waitFor('the outbox settles', settled, 20_000, 50);
    const outbox = await local.store.outbox?.list({ limit: 1000 });
    expect(outbox).toHaveLength(UPLOADS);
    expect(outbox?.every((d) => d.status === 'delivered')).toBe(true);

    for (const u of uploads) {
      const i = index.get(u.uploadId) as number;
      const mine = attempts.filter((a) => a.event?.data.uploadId === u.uploadId);
      expect(new Set(mine.map((a) => a.webhookId)).size, u.key).toBe(1);
      expect(mine.length).toBeGreaterThanOrEqual(i % 3 === 1 ? 3 : i % 3 === 2 ? 2 : 1);
      const last = mine.at(-1);
      expect(last?.answered).toBe(204);
      const record = await local.store.get(u.uploadId);
      expect(last?.event?.data).toEqual(hookRecord(record as never));
      expect(last?.event?.data).toMatchObject({
        key: u.key,
        size: u.body.length,
        contentType: u.type,
        route: 'documents',
        etag: expect.stringMatching(new RegExp(createHash('md5').update(u.body).digest('hex'), 'i')),
      });
    }
    expect(local.hooks.maxConcurrentPerId).toBe(1);
  }, 180_000);
});
