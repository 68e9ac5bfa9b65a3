/**
 * What the sign rows share: sign-upload built as in production (real logger at info level into /dev/null), its
 * events built once outside every timed closure, one answer of each kind to take the peers' inputs from, and
 * ali-oss signing exactly what the handler signs (its PUT headers, the ~1 KB x-oss-callback among them, and its
 * PostObject policy text).
 */
import { createRequire } from 'node:module';
import { loadSignConfig } from '../functions/sign-upload/config';
import { createHandler } from '../functions/sign-upload/handler';
import { JWT_SECRET, jwt, KEYS, NOW, signEnv } from '../local/fixtures/sign';
import { ANONYMOUS, type Authenticate, createAuthenticator } from '../shared/auth';
import { fixedClock } from '../shared/clock';
import { signRequest } from './sign-events';
import { devNullLogger } from './sink';

export const signDeps = (authenticate: Authenticate) => ({
  config: loadSignConfig(signEnv()),
  env: KEYS,
  clock: fixedClock(NOW),
  logger: devNullLogger('sign-upload'),
  authenticate,
});

export const signHandler = (authenticate: Authenticate) => createHandler(signDeps(authenticate));

export type SignEntry = (event: Buffer) => Promise<{ statusCode?: number; body?: string }>;

/** The answer's JSON; a refused request would make a fast, meaningless figure, so anything but 200 throws. */
export async function signAnswer(handler: SignEntry, event: Buffer, who = 'sign') {
  const res = await handler(event);
  if (res.statusCode !== 200) throw new Error(`${who} answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body as string);
}

/** The HS256 rules sign-upload runs with (signEnv's issuer and audience, the default age and skew). */
export const hs256Config = () => {
  const env = signEnv();
  return { mode: 'jwt' as const, jwtSecret: JWT_SECRET, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE };
};

export async function signFixture() {
  const clock = fixedClock(NOW);
  const withJwt = signHandler(createAuthenticator(hs256Config(), clock));
  const noJwt = signHandler(async () => ANONYMOUS);
  const token = await jwt();
  const events = {
    putJwt: signRequest('put', token),
    put: signRequest('put'),
    postJwt: signRequest('post', token),
    post: signRequest('post'),
  };
  const answers = { put: await signAnswer(withJwt, events.putJwt), post: await signAnswer(withJwt, events.postJwt) };
  return {
    clock,
    withJwt,
    noJwt,
    token,
    events,
    answers,
    key: answers.put.key as string,
    putHeaders: answers.put.put.headers as Record<string, string>,
    policyText: Buffer.from(answers.post.post.fields.policy, 'base64').toString('utf8'),
  };
}

export type SignFixture = Awaited<ReturnType<typeof signFixture>>;

/** Bare ali-oss signing the handler's own PUT headers and policy text: the signer alone, no request around it. */
export function aliOssSigners(f: SignFixture) {
  const OSS = createRequire(import.meta.url)('ali-oss');
  const client = new OSS({
    region: 'oss-cn-hangzhou',
    bucket: 'example-bucket',
    accessKeyId: KEYS.OSS_ACCESS_KEY_ID,
    accessKeySecret: KEYS.OSS_ACCESS_KEY_SECRET,
    authorizationV4: true,
  });
  return {
    put: () => client.signatureUrlV4('PUT', 600, { headers: f.putHeaders }, f.key),
    post: () => client.signPostObjectPolicyV4(f.policyText, new Date()),
  };
}
