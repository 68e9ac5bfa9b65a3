/**
 * What users feel: the time from an upload to its record, in the local run on PostgreSQL, at 1, 8, 32 and 64
 * uploads in flight. Each upload is made as a client makes it (a dev JWT, `POST /sign`, the signed PUT of 2 KiB to
 * the local OSS); the clock starts as the PUT is sent (the signing is not counted) and stops at the record's
 * `created_at` (PostgreSQL's clock, the same machine's). Two local servers, each its own process and database:
 * one whose OSS events are dropped (the record is upload-callback's, written before OSS answers the PUT), one
 * whose callbacks are dropped (OSS answers 203 and the record comes from the OSS event through upload-event).
 * With both on, the event often records first (it races the callback), which would mix the two paths.
 */
import { writeFileSync } from 'node:fs';
import { DATABASE_URL, freshPostgres } from '../local/fixtures/db';
import { migrate } from '../shared/records/migrate';
import { fmt, percentile, type Row } from './harness';
import { startServerProcess } from './http-load';
import { type LatencyPoint, latencyPlot } from './plot';

export const CONCURRENCY = [1, 8, 32, 64] as const;

type Server = Awaited<ReturnType<typeof startServerProcess>>;

interface Upload {
  uploadId: string;
  sentAt: number;
}

async function devToken(url: string): Promise<string> {
  const res = await fetch(`${url}/dev/token`, { method: 'POST', body: JSON.stringify({ sub: 'bench-user' }) });
  return ((await res.json()) as { token: string }).token;
}

/** One upload: signed, then PUT; answers its id and when its PUT was sent. */
async function upload(url: string, jwt: string, body: Buffer): Promise<Upload> {
  const res = await fetch(`${url}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ filename: 'bench.txt', contentType: 'text/plain', size: body.length }),
  });
  if (res.status !== 200) throw new Error(`sign-upload answered ${res.status}: ${await res.text()}`);
  const signed = (await res.json()) as { uploadId: string; put: { url: string; headers: Record<string, string> } };
  const sentAt = Date.now();
  const put = await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers, body });
  await put.arrayBuffer();
  // 203: OSS's answer when the callback failed (here: dropped); the object is stored all the same.
  if (put.status !== 200 && put.status !== 203) throw new Error(`the local OSS answered the PUT ${put.status}`);
  return { uploadId: signed.uploadId, sentAt };
}

async function uploadsAt(server: Server, jwt: string, count: number, concurrency: number): Promise<Upload[]> {
  const body = Buffer.alloc(2048, 'b');
  const done: Upload[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) done.push(await upload(server.info.url, jwt, body));
    }),
  );
  return done;
}

/** Each upload's time to its record, once all are recorded (the event path's come a little later). */
async function toRecord(server: Server, uploads: Upload[], source: string): Promise<number[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const written = new Map((await server.records()).map((r) => [r.uploadId, r]));
    const found = uploads.map((u) => written.get(u.uploadId));
    if (found.every(Boolean)) {
      const wrong = found.filter((r) => r?.source !== source).length;
      if (wrong > 0) throw new Error(`${wrong} of ${uploads.length} records were not written by the ${source} path`);
      return uploads.map((u, i) => (found[i]?.createdAt ?? 0) - u.sentAt);
    }
    if (Date.now() > deadline) throw new Error(`${found.filter((r) => !r).length} uploads never recorded`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function benchLatency(perLevel: number, plotPath?: string): Promise<Row[]> {
  if (!DATABASE_URL) return [['latency', 'upload to record', 'skipped', 'needs DATABASE_URL']];
  const dbs = [await freshPostgres(), await freshPostgres()];
  for (const pg of dbs) await migrate(pg.db);
  const servers = {
    callback: await startServerProcess(dbs[0]?.url, { LOCAL_FAULTS: JSON.stringify({ event: { drop: 1 } }) }),
    event: await startServerProcess(dbs[1]?.url, { LOCAL_FAULTS: JSON.stringify({ callback: { drop: 1 } }) }),
  };
  const points: LatencyPoint[] = [];
  try {
    for (const concurrency of CONCURRENCY) {
      for (const path of ['callback', 'event'] as const) {
        const server = servers[path];
        const uploads = await uploadsAt(server, await devToken(server.info.url), perLevel, concurrency);
        const ms = await toRecord(server, uploads, path);
        points.push({ path, concurrency, p50: percentile(ms, 50), p99: percentile(ms, 99) });
      }
    }
  } finally {
    await Promise.all([servers.callback.close(), servers.event.close()]);
    await Promise.all(dbs.map((pg) => pg.drop()));
  }
  if (plotPath) writeFileSync(plotPath, latencyPlot(points));
  return points.map((p) => [
    'latency',
    `upload to record, ${p.path} path, ${p.concurrency} in flight (PostgreSQL, ${perLevel} uploads)`,
    `p50 ${fmt(p.p50, 1)} ms`,
    `p99 ${fmt(p.p99, 1)} ms`,
  ]);
}
