/**
 * The statement timeout, before and after the pooler fix: round trips and latency of one callback upsert.
 * - before: `statement_timeout` as a start-up parameter (PgBouncer refuses the connection, so direct only),
 * - now: BEGIN + SET LOCAL / upsert / COMMIT pipelined on one connection (shared/records/pg-database.ts),
 * - the same three messages awaited one by one, for comparison.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pgDatabase } from '../shared/records/pg-database';
import { createSqlStore } from '../shared/records/sql-store';
import type { Queryable, RecordStore, UploadRecordInput } from '../shared/records/types';
import { fmt, percentile, type Row } from './harness';
import { type CountingProxy, countingProxy } from './round-trips';

const record = (): UploadRecordInput => ({
  uploadId: randomUUID(),
  bucket: 'example-bucket',
  key: `uploads/rt/${randomUUID()}.png`,
  etag: '5B3C1A2E053D763E1B002CC607C5A0FE',
  size: 2048,
  mimeType: 'image/png',
  crc64: '18446744073709551615',
  contentMd5: null,
  imageWidth: null,
  imageHeight: null,
  imageFormat: null,
  vpcId: null,
  clientIp: '203.0.113.7',
  ossRequestId: null,
  operation: 'PutObject',
  user: 'user-1',
  vars: {},
  lastModified: null,
  route: 'default',
});

type Variant = 'before' | 'now' | 'awaited';

function queryable(variant: Exclude<Variant, 'now'>, url: string): Queryable & { close(): Promise<void> } {
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    ...(variant === 'before' ? { statement_timeout: 3000 } : {}),
  });
  return {
    async query<R>(text: string, values?: unknown[]) {
      if (variant === 'before') return (await pool.query(text, values)) as unknown as { rows: R[] };
      const client = await pool.connect();
      try {
        await client.query('BEGIN; SET LOCAL statement_timeout = 3000');
        const result = await client.query(text, values);
        await client.query('COMMIT');
        return result as unknown as { rows: R[] };
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

interface Subject {
  name: string;
  variant: Variant;
  proxy: CountingProxy;
  store: RecordStore;
  db: { close(): Promise<void> };
  latencies: number[];
  turns: number;
}

async function open(name: string, variant: Variant, url: string): Promise<Subject> {
  const proxy = await countingProxy(url);
  const via = proxy.url(url);
  const db = variant === 'now' ? pgDatabase({ connectionString: via, max: 1 }) : queryable(variant, via);
  const store = createSqlStore(db);
  for (let i = 0; i < 50; i++) await store.record(record(), 'callback'); // connect and warm up
  return { name, variant, proxy, store, db, latencies: [], turns: 0 };
}

const LABEL: Record<Variant, string> = {
  before: 'before: start-up parameter',
  now: 'now: pipelined SET LOCAL transaction',
  awaited: 'same three messages awaited one by one',
};

/**
 * `n` sequential upserts of distinct uploads per variant, in `rounds` alternating rounds (every variant sees the
 * same moments of a noisy machine), counting round trips through a proxy.
 */
export async function benchStatementTimeout(
  targets: { name: string; url: string }[],
  n: number,
  rounds = 10,
): Promise<Row[]> {
  const subjects: Subject[] = [];
  for (const { name, url } of targets) {
    const variants: Variant[] = name === 'direct' ? ['before', 'now', 'awaited'] : ['now', 'awaited'];
    for (const variant of variants) subjects.push(await open(name, variant, url));
  }
  try {
    for (let round = 0; round < rounds; round++) {
      for (const s of subjects) {
        const before = s.proxy.turns();
        for (let i = 0; i < n / rounds; i++) {
          const t0 = performance.now();
          await s.store.record(record(), 'callback');
          s.latencies.push(performance.now() - t0);
        }
        s.turns += s.proxy.turns() - before;
      }
    }
  } finally {
    for (const s of subjects) {
      await s.db.close();
      await s.proxy.close();
    }
  }
  return subjects.map(
    (s): Row => [
      'statement timeout',
      `${LABEL[s.variant]} (${s.name}), ${s.latencies.length} upserts`,
      `${fmt(s.turns / s.latencies.length, 2)} round trips`,
      `p50 ${fmt(percentile(s.latencies, 50), 2)} ms, p99 ${fmt(percentile(s.latencies, 99), 2)} ms`,
    ],
  );
}
