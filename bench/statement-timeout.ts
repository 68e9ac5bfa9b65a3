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
import type { Queryable, UploadRecordInput } from '../shared/records/types';
import { fmt, percentile, type Row } from './harness';
import { countingProxy } from './round-trips';

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

/** `n` sequential upserts of distinct uploads over `url`, counting round trips through a proxy. */
async function measure(variant: Variant, url: string, n: number) {
  const proxy = await countingProxy(url);
  const via = proxy.url(url);
  const db = variant === 'now' ? pgDatabase({ connectionString: via, max: 1 }) : queryable(variant, via);
  const store = createSqlStore(db);
  try {
    for (let i = 0; i < 50; i++) await store.upsert(record()); // connect and warm up
    const turnsBefore = proxy.turns();
    const latencies: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await store.upsert(record());
      latencies.push(performance.now() - t0);
    }
    return { roundTrips: (proxy.turns() - turnsBefore) / n, latencies };
  } finally {
    await db.close();
    await proxy.close();
  }
}

export async function benchStatementTimeout(targets: { name: string; url: string }[], n: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { name, url } of targets) {
    const variants: Variant[] = name === 'direct' ? ['before', 'now', 'awaited'] : ['now', 'awaited'];
    for (const variant of variants) {
      const { roundTrips, latencies } = await measure(variant, url, n);
      rows.push([
        'statement timeout',
        `${variant === 'before' ? 'before: start-up parameter' : variant === 'now' ? 'now: pipelined SET LOCAL transaction' : 'same, awaited one by one'} (${name}), ${n} upserts`,
        `${fmt(roundTrips, 2)} round trips`,
        `p50 ${fmt(percentile(latencies, 50), 2)} ms, p99 ${fmt(percentile(latencies, 99), 2)} ms`,
      ]);
    }
  }
  return rows;
}
