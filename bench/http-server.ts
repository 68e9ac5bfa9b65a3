/**
 * The local server in a process of its own for the loopback benchmark (so the load generator does not share
 * its event loop), with a 512-bit callback key like OSS's and the real logger at info level; its functions'
 * settings (CALLBACK_CONFIRM, LOCAL_FAULTS) from the environment the parent gives it. Talks to the
 * parent over IPC: announces itself, answers `count` and `cpu` (its own process.cpuUsage), stops on `close`.
 */
import { startLocalServer } from '../local/server';
import { devNullLogger } from './sink';

const local = await startLocalServer({
  port: 0,
  memory: true,
  dataDir: '.cache/bench-local',
  logger: devNullLogger('local'),
  callbackKeyBits: 512,
  // BENCH_HOOK_URL: every record queues a hook delivery, sent on the upload's OSS event (no hooks timer).
  // HeadObject's and the callback's largest limits (4 s, 4.5 s; OSS waits 5 s), as the e2e tests' server has:
  // at 32-64 in flight on 2 cores the defaults (1.5 s, 4 s) were overrun now and then (a 203, nothing recorded).
  env: {
    CALLBACK_CONFIRM: process.env.CALLBACK_CONFIRM,
    HOOK_URL: process.env.BENCH_HOOK_URL,
    OSS_TIMEOUT_MS: '4000',
    CALLBACK_DEADLINE_MS: '4500',
  },
  ...(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : {}),
});
process.send?.({
  url: local.url,
  bucket: local.bucket,
  tokenSecret: local.tokenSecret,
  callbackKey: local.callbackKey,
  credentials: local.credentials,
});
process.on('message', async (message) => {
  if (message === 'count') process.send?.({ count: (await local.store.list(1_000_000)).length });
  if (message === 'records') {
    const records = await local.store.list(1_000_000);
    process.send?.({
      records: records.map((r) => ({ uploadId: r.uploadId, createdAt: r.createdAt.getTime(), source: r.firstSource })),
    });
  }
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (message === 'close') {
    await local.close();
    process.exit(0);
  }
});
