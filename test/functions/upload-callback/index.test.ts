/**
 * The deployed entry point: the store starts connecting while the module loads, FC's Initializer hook waits for
 * that connection and never fails, and with the database down the cold start still answers (503), as before.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALLBACK_OSS_KEYS, callbackEnv, claims, ossCallback, storedObject } from '../../../local/fixtures/callback';
import { DATABASE_URL, freshPostgres } from '../../../local/fixtures/db';
import { fcEvent } from '../../../local/fixtures/events';
import { fakeOss, serveFakeOss } from '../../../local/fixtures/fake-oss';
import { migrate } from '../../../shared/records/migrate';
import { captureStdoutLogs } from '../../helpers/logs';

type Entry = typeof import('../../../functions/upload-callback/index');

/** A fresh module instance (a cold start) with this environment. */
async function coldStart(env: Record<string, string>): Promise<Entry> {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return import('../../../functions/upload-callback/index');
}

const initialized = (entry: Entry) =>
  new Promise<unknown[]>((resolve) => entry.initialize({}, (...args) => resolve(args)));

/** The bucket HeadObject confirms callbacks against: the objects of the genuine callbacks below. */
const oss = fakeOss('example-bucket');
let ossServer: Awaited<ReturnType<typeof serveFakeOss>>;
/** The entry point's environment: the test callback key, keys for HeadObject, OSS at the loopback stand-in. */
const entryEnv = (overrides: Record<string, string>) =>
  callbackEnv({
    ...CALLBACK_OSS_KEYS,
    OSS_ENDPOINT: ossServer.url,
    OSS_ADDRESSING: 'path',
    LOG_LEVEL: 'error',
    ...overrides,
  });

/** A genuine callback, valid by the system clock (the entry point uses it), for an object in the bucket. */
const genuine = (id: string) => {
  const c = claims({ id, exp: Math.floor(Date.now() / 1000) + 3600, key: `uploads/user-1/2026/11/${id}-a.png` });
  oss.objects.set(c.key, { ...storedObject(c), lastModified: new Date().toUTCString() });
  return fcEvent(ossCallback({ claims: c }));
};

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
/** The entry point logs to stdout (LOG_LEVEL=error): its lines, asserted where a test expects one. */
const logs = captureStdoutLogs();
const errorLines = () =>
  logs.lines.filter((l) => l.level === 'ERROR').map((l) => ({ message: l.message, code: l.code }));
beforeEach(() => logs.start());
beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  ossServer = await serveFakeOss(oss);
});
afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await ossServer.close();
});
afterEach(() => {
  logs.stop();
  vi.unstubAllEnvs();
  rejections.length = 0;
});

describe('upload-callback entry point', () => {
  it('with the database down: the Initializer succeeds, the first callback gets 503, nothing is unhandled', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const entry = await coldStart(entryEnv({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` }));
      expect(await initialized(entry)).toEqual([null, '']);
      const res = await entry.handler(genuine('5f1c3e2a-8b4d-4c6e-9f0a-1b2c3d4e5f60'), {});
      expect(res.statusCode).toBe(503);
      expect(JSON.parse(res.body as string).error.code).toBe('StoreUnavailable');
      expect(rejections).toEqual([]);
      expect(errorLines()).toEqual([{ message: 'the upload could not be recorded now', code: 'StoreUnavailable' }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('with a configuration error: the Initializer succeeds and requests get the 500 ConfigurationError', async () => {
    const entry = await coldStart(entryEnv({ OSS_BUCKET: 'Not A Bucket' }));
    expect(await initialized(entry)).toEqual([null, '']);
    const res = await entry.handler(genuine('5f1c3e2a-8b4d-4c6e-9f0a-1b2c3d4e5f61'), {});
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body as string).error.code).toBe('ConfigurationError');
    expect(errorLines()).toEqual([expect.objectContaining({ code: 'ConfigurationError' })]);
  });

  it.skipIf(!DATABASE_URL)('on PostgreSQL: the Initializer connects, the first callback is recorded', async () => {
    const t = await freshPostgres();
    await migrate(t.db);
    try {
      const entry = await coldStart(entryEnv({ DATABASE_URL: t.url! }));
      expect(await initialized(entry)).toEqual([null, '']);
      const id = '5f1c3e2a-8b4d-4c6e-9f0a-1b2c3d4e5f62';
      expect((await entry.handler(genuine(id), {})).statusCode).toBe(200);
      expect((await t.db.query('SELECT 1 FROM uploads WHERE upload_id = $1', [id])).rows).toHaveLength(1);
      expect(errorLines()).toEqual([]);
    } finally {
      await t.drop();
    }
  });
});
