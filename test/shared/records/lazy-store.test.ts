/**
 * lazyStore's `openNow` (upload-callback's cold start connects while it verifies): the early connect is one of
 * the pool's own connections and is reused by the first statement; a database that is down fails nothing at
 * start, leaks no unhandled rejection, and the request path still reports it as StoreUnavailable.
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, freshPostgres, type TestDatabase } from '../../../local/fixtures/db';
import { lazyStore, type StoreSettings } from '../../../shared/records/drivers';
import { migrate } from '../../../shared/records/migrate';
import { StoreUnavailableError } from '../../../shared/records/types';
import { waitFor } from '../../helpers/local';

/** A TCP server that accepts and at once closes every connection, counting them: a database that is down. */
async function closingServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/test`,
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const settings = (url: string): StoreSettings => ({
  DATABASE_URL: url,
  DB_POOL_MAX: 2,
  DB_STATEMENT_TIMEOUT_MS: 1000,
});

/** Waits for `done` (a condition, with a deadline far past what a busy machine needs: no measured duration). */
const until = (done: () => boolean) => waitFor('the condition', async () => done(), 15_000, 5);

describe('lazyStore({ openNow }) with the database down', () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  beforeAll(() => process.on('unhandledRejection', onRejection));
  afterAll(() => process.off('unhandledRejection', onRejection));
  afterEach(() => {
    rejections.length = 0;
  });

  it('starts connecting at once, and its failure is no unhandled rejection', async () => {
    const db = await closingServer();
    try {
      lazyStore(settings(db.url), { openNow: true });
      await until(() => db.connections() > 0);
      expect(db.connections()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rejections).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('a request still waiting for the early connect gets StoreUnavailable; a later one connects again', async () => {
    const db = await closingServer();
    try {
      const store = lazyStore(settings(db.url), { openNow: true });
      await expect(store()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(db.connections()).toBe(1);
      await expect(store()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(db.connections()).toBe(2);
      expect(rejections).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('without openNow nothing connects before the first call (upload-event keeps opening on first use)', async () => {
    const db = await closingServer();
    try {
      const store = lazyStore(settings(db.url));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(db.connections()).toBe(0);
      // pg connects on the first statement, not on open: the open itself succeeds.
      const opened = await store();
      await expect(opened.close()).resolves.toBeUndefined();
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!DATABASE_URL)('lazyStore({ openNow }) on PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshPostgres();
    await migrate(t.db);
  });
  afterAll(async () => t?.drop());

  /** Server connections carrying `name` as their application_name. */
  async function connectionsNamed(name: string): Promise<number> {
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [name],
      );
      return rows[0]?.n ?? 0;
    } finally {
      await admin.end();
    }
  }

  it('holds one connection before any statement, and the first statement reuses it', async () => {
    const name = `warm-${process.pid}-${Date.now()}`;
    const url = new URL(t.url!);
    url.searchParams.set('application_name', name);
    const store = lazyStore(settings(url.toString()), { openNow: true });
    const opened = await store();
    try {
      expect(await connectionsNamed(name)).toBe(1);
      expect(await opened.list(1)).toEqual([]);
      expect(await connectionsNamed(name)).toBe(1);
    } finally {
      await opened.close();
    }
  });
});
