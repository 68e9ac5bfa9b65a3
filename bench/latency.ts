/**
 * What users feel, in the local run on PostgreSQL at 1, 8, 32 and 64 uploads in flight: the time from an upload
 * to its record, and from the record to its hook delivery. Each upload is made as a client makes it (a dev JWT,
 * `POST /sign`, the signed PUT of 2 KiB to the local OSS); the clock starts as the PUT is sent (the signing is not
 * counted) and stops at the record's `created_at` (PostgreSQL's clock, the same machine's), then at the moment a
 * receiver in this process has the signed `upload.recorded`. Two local servers, each its own process and
 * database, both with a hook: one whose uploads are recorded by upload-callback (its OSS events come after the
 * callback, as in production, and send the hook), one whose callbacks are dropped (OSS answers 203; the OSS event
 * records the upload through upload-event, which then sends the hook).
 */
import { writeFileSync } from 'node:fs';
import { DATABASE_URL, freshPostgres } from '../local/fixtures/db';
import { type ClientUpload, clientUploads } from '../local/fixtures/uploads';
import { migrate } from '../shared/records/migrate';
import { fmt, percentile, type Row } from './harness';
import { startServerProcess } from './http-load';
import { type LatencyPoint, latencyPlot } from './plot';
import { startReceiver } from './receiver';

export const CONCURRENCY = [1, 8, 32, 64] as const;

type Server = Awaited<ReturnType<typeof startServerProcess>>;

const pause = () => new Promise((resolve) => setTimeout(resolve, 100));

/**
 * Each upload's time to its record and from its record to its hook, once all are recorded by `source` and
 * delivered.
 */
async function timings(server: Server, uploads: ClientUpload[], source: string, arrived: Map<string, number>) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const written = new Map((await server.records()).map((r) => [r.uploadId, r]));
    const found = uploads.map((u) => written.get(u.uploadId));
    if (found.every(Boolean) && uploads.every((u) => arrived.has(u.uploadId))) {
      const wrong = found.filter((r) => r?.source !== source).length;
      if (wrong > 0) throw new Error(`${wrong} of ${uploads.length} records were not written by the ${source} path`);
      const recordedAt = (i: number) => found[i]?.createdAt ?? 0;
      return {
        toRecord: uploads.map((u, i) => recordedAt(i) - u.sentAt),
        toHook: uploads.map((u, i) => (arrived.get(u.uploadId) ?? 0) - recordedAt(i)),
      };
    }
    if (Date.now() > deadline) {
      const missing = uploads.filter((u, i) => !found[i] || !arrived.has(u.uploadId)).length;
      throw new Error(`${missing} uploads never recorded and delivered`);
    }
    await pause();
  }
}

const point = (series: string, concurrency: number, ms: number[]): LatencyPoint => ({
  series,
  concurrency,
  p50: percentile(ms, 50),
  p99: percentile(ms, 99),
});

export async function benchLatency(perLevel: number, plotPath?: string): Promise<Row[]> {
  if (!DATABASE_URL) return [['latency', 'upload to record', 'skipped', 'needs DATABASE_URL']];
  const receiver = await startReceiver();
  const dbs = [await freshPostgres(), await freshPostgres()];
  for (const pg of dbs) await migrate(pg.db);
  const hook = { BENCH_HOOK_URL: receiver.url };
  const servers = {
    callback: await startServerProcess(dbs[0]?.url, hook),
    event: await startServerProcess(dbs[1]?.url, { ...hook, LOCAL_FAULTS: JSON.stringify({ callback: { drop: 1 } }) }),
  };
  const points: LatencyPoint[] = [];
  try {
    for (const concurrency of CONCURRENCY) {
      for (const path of ['callback', 'event'] as const) {
        const server = servers[path];
        const { uploads } = await clientUploads(server.info.url, perLevel, concurrency);
        const t = await timings(server, uploads, path, receiver.arrived);
        points.push(point(`record (${path} path)`, concurrency, t.toRecord));
        points.push(point(`hook after the record (${path} path)`, concurrency, t.toHook));
      }
    }
  } finally {
    await Promise.all([servers.callback.close(), servers.event.close()]);
    await Promise.all(dbs.map((pg) => pg.drop()));
    await receiver.close();
  }
  if (plotPath) writeFileSync(plotPath, latencyPlot(points));
  return points.map((p) => [
    'latency',
    `${p.series.startsWith('hook') ? 'record to hook' : 'upload to record'}, ${p.series.replace(/^.*\(|\)$/g, '')}, ${p.concurrency} in flight (PostgreSQL, ${perLevel} uploads)`,
    `p50 ${fmt(p.p50, 1)} ms`,
    `p99 ${fmt(p.p99, 1)} ms`,
  ]);
}
