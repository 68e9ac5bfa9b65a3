/**
 * A steady loop of one handler, for `node --cpu-prof`: `npm run build` first, then
 *   node scripts/run-ts.mjs bench/profile.ts sign|sign-core|callback [N]     (writes nothing but the profile)
 * with NODE_OPTIONS=--cpu-prof, and `node scripts/cpu-profile-top.mjs <file>.cpuprofile` for the top functions.
 * sign: PUT with an HS256 JWT; sign-core: the same through signCore alone (an event normalised once, no chain);
 * callback: a genuine callback (512-bit key) with a store that answers at once.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { loadSignConfig } from '../functions/sign-upload/config';
import { createHandler as createSign, signCore } from '../functions/sign-upload/handler';
import { loadCallbackConfig } from '../functions/upload-callback/config';
import { createHandler as createCallback } from '../functions/upload-callback/handler';
import { callbackEnv, claims, ossCallback } from '../local/fixtures/callback';
import { fcEvent } from '../local/fixtures/events';
import { JWT_SECRET, jwt, KEYS, NOW, signEnv } from '../local/fixtures/sign';
import { createAuthenticator } from '../shared/auth';
import { fixedClock } from '../shared/clock';
import { normalizeEvent } from '../shared/platform';
import type { RecordStore } from '../shared/records/types';
import { devNullLogger } from './sink';

const [what = 'sign', countArg = '50000'] = process.argv.slice(2);
const n = Number(countArg);
const clock = fixedClock(NOW);

if (what === 'sign' || what === 'sign-core') {
  const env = signEnv();
  const deps = {
    config: loadSignConfig(env),
    env: KEYS,
    clock,
    logger: devNullLogger('sign-upload'),
    authenticate: createAuthenticator(
      { mode: 'jwt', jwtSecret: JWT_SECRET, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE },
      clock,
    ),
  };
  const event = fcEvent({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await jwt()}` },
    body: JSON.stringify({ filename: 'photo.png', contentType: 'image/png', size: 2048, vars: { album: 'a1' } }),
  });
  if (what === 'sign') {
    const handler = createSign(deps);
    for (let i = 0; i < n; i++) if ((await handler(event)).statusCode !== 200) throw new Error('sign failed');
  } else {
    const core = signCore(deps);
    const normalised = normalizeEvent(event);
    for (let i = 0; i < n; i++) if ((await core(normalised, {})).statusCode !== 200) throw new Error('sign failed');
  }
} else {
  const key = generateKeyPairSync('rsa', { modulusLength: 512 });
  const keyUrl = 'https://bench.invalid/callback_pub_key.pem';
  const recorded = { outcome: 'created', counts: { callback: 1, event: 0, sweep: 0 }, firstSource: 'callback' };
  const store = { record: async () => recorded } as unknown as RecordStore;
  const handler = createCallback({
    config: loadCallbackConfig(
      callbackEnv({
        CALLBACK_CONFIRM: 'false',
        OSS_CALLBACK_TRUSTED_KEYS: JSON.stringify({
          [keyUrl]: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        }),
      }),
    ),
    env: {},
    clock,
    logger: devNullLogger('upload-callback'),
    store: async () => store,
  });
  const privateKey = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const events = Array.from({ length: Math.min(n, 5000) }, () => {
    const c = claims({ id: randomUUID() });
    return fcEvent(ossCallback({ claims: { ...c, key: `uploads/p/${c.id}.png` }, privateKey, pubKeyUrl: keyUrl }));
  });
  for (let i = 0; i < n; i++) {
    const res = await handler(events[i % events.length]);
    if (res.statusCode !== 200) throw new Error(`callback failed: ${res.body}`);
  }
}
