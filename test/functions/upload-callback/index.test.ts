/**
 * The deployed entry point: the store starts connecting while the module loads, FC's Initializer hook waits for
 * that connection and never fails, and with the database down the cold start still answers (503), as before.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { callbackEnv, claims, ossCallback } from '../../../local/fixtures/callback';
import { DATABASE_URL, freshPostgres } from '../../../local/fixtures/db';
import { fcEvent } from '../../../local/fixtures/events';
import { migrate } from '../../../shared/records/migrate';

type Entry = typeof import('../../../functions/upload-callback/index');

/** A fresh module instance (a cold start) with this environment. */
async function coldStart(env: Record<string, string>): Promise<Entry> {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return import('../../../functions/upload-callback/index');
}

const initialized = (entry: Entry) =>
  new Promise<unknown[]>((resolve) => entry.initialize({}, (...args) => resolve(args)));

/** A genuine callback, valid by the system clock (the entry point uses it). */
const genuine = (id: string) => {
  const c = claims({ id, exp: Math.floor(Date.now() / 1000) + 3600 });
  return fcEvent(ossCallback({ claims: { ...c, key: `uploads/user-1/${id}.png` } }));
};

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeAll(() => process.on('unhandledRejection', onRejection));
afterAll(() => process.off('unhandledRejection', onRejection));
afterEach(() => {
  vi.unstubAllEnvs();
  rejections.length = 0;
});

describe('upload-callback entry point', () => {
  it('with the database down: the Initializer succeeds, the first callback gets 503, nothing is unhandled', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const entry = await coldStart(
        callbackEnv({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test`, LOG_LEVEL: 'error' }),
      );
      expect(await initialized(entry)).toEqual([null, '']);
      const res = await entry.handler(genuine('5f1c3e2a-8b4d-4c6e-9f0a-1b2c3d4e5f60'), {});
      expect(res.statusCode).toBe(503);
      expect(JSON.parse(res.body as string).error.code).toBe('StoreUnavailable');
      expect(rejections).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('with a configuration error: the Initializer succeeds and requests get the 500 ConfigurationError', async () => {
    const entry = await coldStart(callbackEnv({ OSS_BUCKET: 'Not A Bucket', LOG_LEVEL: 'error' }));
    expect(await initialized(entry)).toEqual([null, '']);
    const res = await entry.handler(genuine('5f1c3e2a-8b4d-4c6e-9f0a-1b2c3d4e5f61'), {});
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body as string).error.code).toBe('ConfigurationError');
  });

  it.skipIf(!DATABASE_URL)('on PostgreSQL: the Initializer connects, the first callback is recorded', async () => {
    const t = await freshPostgres();
    await migrate(t.db);
    try {
      const entry = await coldStart(callbackEnv({ DATABASE_URL: t.url!, LOG_LEVEL: 'error' }));
      expect(await initialized(entry)).toEqual([null, '']);
      const id = '5f1c3e2a-8b4d-4c6e-9f0a-1b2c3d4e5f62';
      expect((await entry.handler(genuine(id), {})).statusCode).toBe(200);
      expect((await t.db.query('SELECT 1 FROM uploads WHERE upload_id = $1', [id])).rows).toHaveLength(1);
    } finally {
      await t.drop();
    }
  });
});
