/**
 * The hooks' lease under failure, on PostgreSQL: a worker killed (`kill -9`) in the middle of a delivery leaves
 * it leased, and it is delivered once the lease runs out; a database outage while deliveries go on loses
 * nothing and never has one event sent twice at the same time. Every wait is on a condition.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_URL, freshPostgres, recordInput, type TestDatabase } from '../../local/fixtures/db';
import { deliverDue, secretKey } from '../../shared/hooks';
import { silentLogger } from '../../shared/log';
import { openStore } from '../../shared/records/drivers';
import { migrate } from '../../shared/records/migrate';
import type { HookOutbox, RecordStore } from '../../shared/records/types';
import { closedPort, TcpProxy, waitFor } from '../helpers/local';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

interface Receiver {
  url: string;
  server: Server;
  /** Per webhook-id: attempts seen, answered 2xx, and the most in flight at once. */
  seen: Map<string, { attempts: number; ok: number; inFlight: number; maxInFlight: number }>;
  verified: boolean[];
}

async function receiver(answer: (req: IncomingMessage, res: ServerResponse, attempt: number) => Promise<void>) {
  const hook = new Webhook(SECRET);
  const r: Partial<Receiver> = { seen: new Map(), verified: [] };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const id = String(req.headers['webhook-id']);
    try {
      hook.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
      r.verified?.push(true);
    } catch {
      r.verified?.push(false);
    }
    const s = r.seen?.get(id) ?? { attempts: 0, ok: 0, inFlight: 0, maxInFlight: 0 };
    r.seen?.set(id, s);
    s.attempts++;
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    res.on('close', () => {
      s.inFlight--;
    });
    await answer(req, res, s.attempts);
    if (res.statusCode < 300 && res.writableEnded) s.ok++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.server = server;
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return r as Receiver;
}

describe.skipIf(!DATABASE_URL)('hook deliveries when things break, on PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  const deps = (outbox: HookOutbox, leaseMs: number) => ({
    outbox,
    keys: [secretKey(SECRET)],
    timeoutMs: 1000,
    leaseMs,
    schedule: [10, 20, 40, 80, 160, 320, 640],
    batch: 10,
    clock: { now: () => new Date() },
    logger: silentLogger,
  });

  it('delivers a delivery whose worker was killed mid-request, once its lease runs out', async () => {
    const t: TestDatabase = await freshPostgres();
    await migrate(t.db);
    cleanups.push(() => t.drop());
    let killed: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      killed = resolve;
    });
    let child: ChildProcess | undefined;
    const hook = await receiver(async (_req, res, attempt) => {
      if (attempt === 1) {
        // The worker dies while this request is open: no answer, ever.
        child?.kill('SIGKILL');
        killed();
        return;
      }
      res.writeHead(204).end();
    });
    cleanups.push(() => new Promise((resolve) => hook.server.close(() => resolve(undefined))));
    hook.server.on('connection', (socket) => cleanups.push(async () => void socket.destroy()));

    const store = await openStore({ databaseUrl: t.url as string, hookUrl: () => hook.url });
    cleanups.push(() => store.close());
    const upload = recordInput({ uploadId: randomUUID() });
    await store.record(upload, 'callback');

    // `npm run hooks -- --deliver` as the worker: HOOK_TIMEOUT_MS 1500, so its lease is 8 s (2 × timeout + 5 s).
    child = spawn(process.execPath, ['scripts/run-ts.mjs', 'scripts/hooks.ts', '--deliver'], {
      env: { ...process.env, DATABASE_URL: t.url, HOOK_SECRETS: SECRET, HOOK_TIMEOUT_MS: '1500', LOG_LEVEL: 'error' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child?.on('exit', (_code, signal) => resolve(signal)),
    );
    await held;
    expect(await exited).toBe('SIGKILL');

    const outbox = store.outbox as HookOutbox;
    const [row] = await outbox.list();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row?.lockedUntil?.getTime()).toBeGreaterThan(row?.queuedAt.getTime() ?? 0);
    // Leased: another worker takes nothing while the lease runs.
    const early = await deliverDue(deps(outbox, 60_000));
    const stillLeased = (await outbox.list())[0]?.lockedUntil;
    if (stillLeased && stillLeased.getTime() > Date.now()) expect(early.claimed).toBe(0);

    await waitFor(
      'the delivery after the lease',
      async () =>
        (await deliverDue(deps(outbox, 60_000))).delivered > 0 || (await outbox.list())[0]?.status === 'delivered',
      60_000,
      250,
    );
    const [after] = await outbox.list();
    expect(after).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204 });
    const [id, seen] = [...hook.seen][0] ?? [];
    expect(hook.seen.size).toBe(1);
    expect(id).toMatch(/^msg_/);
    expect(seen).toMatchObject({ attempts: 2, maxInFlight: 1 });
    expect(hook.verified).toEqual([true, true]);
  }, 90_000);

  it('loses nothing and never sends one event twice at once through a database outage mid-delivery', async () => {
    const t: TestDatabase = await freshPostgres();
    await migrate(t.db);
    cleanups.push(() => t.drop());
    const target = new URL(t.url as string);
    const proxy = new TcpProxy(await closedPort(), { host: target.hostname, port: Number(target.port || 5432) });
    await proxy.start();
    cleanups.push(() => proxy.stop());
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);

    const hook = await receiver(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      res.writeHead(200).end('ok');
    });
    cleanups.push(() => new Promise((resolve) => hook.server.close(() => resolve(undefined))));
    const N = 80;
    const writer = await openStore({ databaseUrl: t.url as string, hookUrl: () => hook.url });
    cleanups.push(() => writer.close());
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const uploadId = randomUUID();
      ids.push(uploadId);
      await writer.record(recordInput({ uploadId, key: `uploads/u/${uploadId}.png` }), 'event');
    }

    // Two workers (two instances: a pool each) through the proxy, delivering in a loop until told to stop.
    const workers: RecordStore[] = [];
    for (let w = 0; w < 2; w++) {
      const s = await openStore({ databaseUrl: target.toString(), statementTimeoutMs: 2000 });
      workers.push(s);
      cleanups.push(() => s.close());
    }
    let stop = false;
    let errors = 0;
    const loops = workers.map(async (s) => {
      while (!stop) {
        try {
          const summary = await deliverDue({ ...deps(s.outbox as HookOutbox, 3000), batch: 5 });
          errors += summary.unsettled;
          if (summary.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        } catch {
          errors++;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    });
    const okCount = () => [...hook.seen.values()].filter((s) => s.ok > 0).length;
    await waitFor('a first part delivered', async () => okCount() >= 10, 30_000, 10);
    await proxy.stop();
    await waitFor('the workers to meet the outage', async () => errors >= 4, 30_000, 20);
    await proxy.start();
    await waitFor(
      'every delivery settled as delivered',
      async () => (await writer.outbox?.list({ status: ['delivered'], limit: 1000 }))?.length === N && okCount() === N,
      90_000,
      200,
    );
    stop = true;
    await Promise.all(loops);

    expect(hook.seen.size).toBe(N);
    expect([...hook.seen.values()].every((s) => s.maxInFlight === 1 && s.ok >= 1)).toBe(true);
    expect(hook.verified.every(Boolean)).toBe(true);
    expect(await writer.outbox?.list({ status: ['pending', 'failed'], limit: 1000 })).toEqual([]);
  }, 150_000);
});
