/**
 * The callback against real PostgreSQL through a loopback TCP proxy we can cut: refused connections and a
 * silent (hanging) server both give a fast 503 with nothing written, and the next callback after recovery
 * succeeds on the same pool. Needs DATABASE_URL (CI sets it).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackHandler, claims, ossCallback, storedObject } from '../../../local/fixtures/callback';
import { DATABASE_URL, freshPostgres, type TestDatabase } from '../../../local/fixtures/db';
import { eventFor } from '../../../local/fixtures/events';
import { openStore } from '../../../shared/records/drivers';
import { migrate } from '../../../shared/records/migrate';
import type { RecordStore } from '../../../shared/records/types';

class TcpProxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private target: { host: string; port: number },
  ) {}

  async start(mode: 'forward' | 'hang' = 'forward') {
    this.server = net.createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => {});
      if (mode === 'hang') return;
      const upstream = net.connect(this.target.port, this.target.host);
      this.sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async stop() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The cause logged with the handler's 503 ("the upload could not be recorded now"). */
const causeOf = (lines: Record<string, unknown>[]) =>
  JSON.stringify(lines.filter((l) => l.level === 'ERROR').map((l) => l.cause));

describe.skipIf(!DATABASE_URL)('upload-callback with PostgreSQL unreachable', () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  let store: RecordStore;

  beforeAll(async () => {
    t = await freshPostgres();
    await migrate(t.db);
    const url = new URL(t.url!);
    proxy = new TcpProxy(await freePort(), { host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    store = await openStore({ databaseUrl: url.toString(), statementTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await store?.close();
    await proxy?.stop();
    await t?.drop();
  });

  const rows = async () => (await t.db.query('SELECT 1 FROM uploads')).rows.length;

  it('refused: 503 fast, nothing written; after recovery the same callback is recorded', async () => {
    // The longest deadline the configuration allows: had the refusal not answered, the deadline would have,
    // and the logged cause would say so.
    const { handler, logger } = callbackHandler(store, { CALLBACK_DEADLINE_MS: '4500' });
    const down = await handler(eventFor('fc', ossCallback()));
    expect(down.statusCode).toBe(503);
    expect(JSON.parse(down.body as string).error.code).toBe('StoreUnavailable');
    // Fast because of what happened, not how long it took: the answer rests on the refused connection, the
    // deadline never fired.
    expect(causeOf(logger.lines)).toMatch(/ECONNREFUSED/);
    expect(causeOf(logger.lines)).not.toMatch(/no answer within/);
    expect(await rows()).toBe(0);

    await proxy.start();
    const up = await handler(eventFor('fc', ossCallback()));
    expect(up.statusCode).toBe(200);
    expect(await rows()).toBe(1);
    expect(JSON.parse(up.body as string).uploadId).toBe(claims().id);
    await proxy.stop();
  });

  it('silent server: 503 within the deadline, nothing written, then recovery', async () => {
    await proxy.start('hang');
    const { handler, oss, logger } = callbackHandler(store, { CALLBACK_DEADLINE_MS: '1500' });
    const other = claims({ id: '0b7f5a52-2c1c-4d6e-9a55-3f0e1c2d4b6b', key: 'uploads/user-1/x.png' });
    oss.objects.set(other.key, storedObject(other));
    const started = performance.now();
    const res = await handler(eventFor('lambda', ossCallback({ claims: other })));
    expect(res.statusCode).toBe(503);
    // The deadline answered (not an instant connection error, nor the 1 s statement timeout of a query that
    // never got a connection): its cause names it, and no timer fires early. That the deadline stays under
    // OSS's 5 s is the configuration's bound (CALLBACK_DEADLINE_MS at most 4500), not a time measured here,
    // which a busy machine would stretch.
    expect(causeOf(logger.lines)).toMatch(/no answer within 1[45]\d\d ms/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
    await proxy.stop();
    expect((await t.db.query('SELECT 1 FROM uploads WHERE upload_id = $1', [other.id])).rows).toHaveLength(0);

    await proxy.start();
    expect((await handler(eventFor('lambda', ossCallback({ claims: other })))).statusCode).toBe(200);
    await proxy.stop();
  });
});

describe.skipIf(!DATABASE_URL)('upload-callback on PostgreSQL', () => {
  it('records, and a replay leaves one row with callback count 2', async () => {
    const t = await freshPostgres();
    await migrate(t.db);
    const store = await openStore({ databaseUrl: t.url! });
    try {
      const { handler } = callbackHandler(store);
      expect((await handler(eventFor('fc', ossCallback()))).statusCode).toBe(200);
      expect((await handler(eventFor('lambda', ossCallback()))).statusCode).toBe(200);
      const { rows } = await t.db.query<{ callback_count: number }>('SELECT callback_count FROM uploads');
      expect(rows).toEqual([{ callback_count: 2 }]);
    } finally {
      await store.close();
      await t.drop();
    }
  });
});
