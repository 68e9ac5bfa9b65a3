/**
 * Child process for the memory figure: N signs or N callbacks through the in-process handler, then RSS.
 * `node scripts/run-ts.mjs bench/rss.ts sign|callback N` prints one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { loadSignConfig } from '../functions/sign-upload/config';
import { createHandler as createSign } from '../functions/sign-upload/handler';
import { loadCallbackConfig } from '../functions/upload-callback/config';
import { createHandler as createCallback } from '../functions/upload-callback/handler';
import { callbackEnv, claims, ossCallback } from '../local/fixtures/callback';
import { freshPglite, freshPostgres } from '../local/fixtures/db';
import { fcEvent } from '../local/fixtures/events';
import { KEYS, NOW, signEnv } from '../local/fixtures/sign';
import { ANONYMOUS } from '../shared/auth';
import { fixedClock } from '../shared/clock';
import { migrate } from '../shared/records/migrate';
import { createSqlStore } from '../shared/records/sql-store';
import { devNullLogger } from './sink';

const [what = 'sign', countArg = '10000'] = process.argv.slice(2);
const n = Number(countArg);
const before = process.memoryUsage().rss;

if (what === 'sign') {
  const handler = createSign({
    config: loadSignConfig(signEnv()),
    env: KEYS,
    clock: fixedClock(NOW),
    logger: devNullLogger('sign-upload'),
    authenticate: async () => ANONYMOUS,
  });
  const event = fcEvent({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json' },
    body: '{"filename":"a.png","contentType":"image/png","size":10}',
  });
  for (let i = 0; i < n; i++) if ((await handler(event)).statusCode !== 200) throw new Error('sign failed');
} else {
  const t = process.env.DATABASE_URL ? await freshPostgres() : await freshPglite();
  await migrate(t.db);
  const store = createSqlStore(t.db);
  const handler = createCallback({
    config: loadCallbackConfig(callbackEnv({ CALLBACK_CONFIRM: 'false' })),
    env: {},
    clock: fixedClock(NOW),
    logger: devNullLogger('upload-callback'),
    store: async () => store,
  });
  for (let i = 0; i < n; i++) {
    const c = claims({ id: randomUUID() });
    const res = await handler(fcEvent(ossCallback({ claims: { ...c, key: `uploads/rss/${c.id}` } })));
    if (res.statusCode !== 200) throw new Error(`callback failed: ${res.body}`);
  }
  await t.drop();
}
const after = process.memoryUsage();
console.log(
  JSON.stringify({
    what,
    n,
    rssMb: after.rss / 2 ** 20,
    startRssMb: before / 2 ** 20,
    heapUsedMb: after.heapUsed / 2 ** 20,
  }),
);
