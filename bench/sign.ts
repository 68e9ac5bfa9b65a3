/**
 * Sign: sign-upload in-process (PUT and POST form with an HS256 JWT) against the handler a user would write
 * instead (bench/peer-sign.ts: same chain, jose and ali-oss) and against the essential-work floor, each with
 * its goal; then against bare ali-oss signing the very same headers and policy, with requests in flight, and
 * JWKS tokens. Events are built once, outside the timed closures; every handler logs through the real logger.
 */
import { signCore } from '../functions/sign-upload/handler';
import { jwt, KEYS } from '../local/fixtures/sign';
import { createAuthenticator } from '../shared/auth';
import { buildPostObjectForm, presignV4 } from '../shared/oss';
import { normalizeEvent } from '../shared/platform';
import { fmt, goal, paired, pairedInFlight, type Row } from './harness';
import { createPeerSignHandler } from './peer-sign';
import { signRequest } from './sign-events';
import { aliOssSigners, hs256Config, type SignFixture, signAnswer, signDeps, signFixture } from './sign-fixture';
import { signFloors } from './sign-floor';
import { jwksRows } from './sign-jwks';
import { routesRows } from './sign-routes';
import { devNullLogger } from './sink';

const IN_FLIGHT = 16;
/** Goals of the performance issue: our rate ≥ 3x the peer's, our time ≤ 6x the floor's. */
const PEER_GOAL = 3;
const FLOOR_GOAL = 6;

type Paired = Awaited<ReturnType<typeof paired>>;

const vsAli = (name: string, m: Paired, peer: string): Row => [
  'sign',
  name,
  `${fmt(m.a.opsPerSec)}/s`,
  `${fmt(m.times, 2)}x ${peer} (${fmt(m.b.opsPerSec)}/s)`,
];

export async function benchSign(ops: number, rounds: number): Promise<Row[]> {
  const f = await signFixture();
  return [
    ...(await signerRows(f, ops, rounds)),
    ...(await peerRows(f, ops, rounds)),
    ...(await floorRows(f, ops, rounds)),
    // A 5 % bound needs more rounds than the rest: 5 rounds of two identical handlers differed by up to 14 %.
    ...(await routesRows(f, ops, rounds * 6 + 1)),
    ...(await bareAliRows(f, ops, rounds)),
    ...(await jwksRows(ops, rounds)),
  ];
}

/** Our two signers alone against ali-oss's, on the handler's own PUT headers and policy. */
async function signerRows(f: SignFixture, ops: number, rounds: number): Promise<Row[]> {
  const ali = aliOssSigners(f);
  const creds = { accessKeyId: KEYS.OSS_ACCESS_KEY_ID, accessKeySecret: KEYS.OSS_ACCESS_KEY_SECRET };
  const presign = () =>
    presignV4({ method: 'PUT', bucket: 'example-bucket', key: f.key, headers: f.putHeaders }, creds, {
      region: 'cn-hangzhou',
      now: new Date(),
      expiresSeconds: 600,
    });
  const input = {
    bucket: 'example-bucket',
    key: f.key,
    contentLength: { min: 1, max: 2048 },
    contentType: 'image/png',
    callback: f.putHeaders['x-oss-callback'],
  };
  const postForm = () =>
    buildPostObjectForm({ ...input, expiration: new Date(Date.now() + 600_000) }, creds, {
      region: 'cn-hangzhou',
      now: new Date(),
    });
  return [
    vsAli(
      "presignV4 (our signer, the handler's PUT headers)",
      await paired(presign, ali.put, ops, rounds),
      'ali-oss signatureUrlV4',
    ),
    vsAli(
      'buildPostObjectForm (our PostObject signer)',
      await paired(postForm, ali.post, ops, rounds),
      'ali-oss signPostObjectPolicyV4',
    ),
  ];
}

/** The peer handler (bench/peer-sign.ts) on the same events; checked to answer alike, and to refuse a bad token. */
async function peerHandler(f: SignFixture) {
  const deps = signDeps(async () => ({ sub: 'unused' }));
  const callback = JSON.parse(Buffer.from(f.putHeaders['x-oss-callback'] ?? '', 'base64').toString('utf8'));
  const peer = createPeerSignHandler({
    config: deps.config,
    keys: KEYS,
    clock: f.clock,
    logger: devNullLogger('sign-upload'),
    callbackBody: callback.callbackBody,
    callbackBodyType: callback.callbackBodyType,
  });
  for (const mode of ['put', 'post'] as const) {
    const ours = shape(f.answers[mode]);
    const theirs = shape(await signAnswer(peer, mode === 'put' ? f.events.putJwt : f.events.postJwt, 'the peer'));
    if (ours !== theirs) throw new Error(`the peer's ${mode} answer differs in shape: ${theirs} vs ours ${ours}`);
  }
  const refused = await peer(signRequest('put', await jwt({ aud: 'another-audience' })));
  if (refused.statusCode !== 401) throw new Error(`the peer accepted another audience's token (${refused.statusCode})`);
  return peer;
}

/** An answer's field names, nested, in a stable order: what "the same JSON shape" compares. */
function shape(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([name, v]) => `${name}:${shape(v)}`).join(',')}}`;
}

async function peerRows(f: SignFixture, ops: number, rounds: number): Promise<Row[]> {
  const peer = await peerHandler(f);
  const rows: Row[] = [];
  for (const [mode, event] of [
    ['PUT', f.events.putJwt],
    ['POST form', f.events.postJwt],
  ] as const) {
    const m = await paired(
      () => f.withJwt(event),
      () => peer(event),
      ops,
      rounds,
    );
    rows.push([
      'sign',
      `handler ${mode}, HS256 JWT, vs the peer handler (same chain and schema; jose, ali-oss)`,
      `${fmt(m.a.opsPerSec)}/s`,
      `${fmt(m.times, 2)}x the peer (${fmt(m.b.opsPerSec)}/s) · ${goal(m.times, '≥', PEER_GOAL)}`,
    ]);
  }
  return rows;
}

/** Our time per request over the essential-work floor's (bench/sign-floor.ts), PUT and POST form. */
async function floorRows(f: SignFixture, ops: number, rounds: number): Promise<Row[]> {
  const floors = signFloors(f);
  const rows: Row[] = [];
  for (const [mode, event, floor, work] of [
    ['PUT', f.events.putJwt, floors.put, 'UUID, 2 token HMACs, SHA-256, V4 HMAC'],
    ['POST form', f.events.postJwt, floors.post, 'UUID, 2 token HMACs, policy Base64, V4 HMAC'],
  ] as const) {
    const m = await paired(floor, () => f.withJwt(event), ops, rounds);
    rows.push([
      'sign',
      `handler ${mode}, HS256 JWT: time per request vs the essential-work floor`,
      `${fmt(m.b.usPerOp, 1)} µs`,
      `${fmt(m.times, 2)}x the floor (${fmt(m.a.usPerOp, 1)} µs: ${work}) · ${goal(m.times, '≤', FLOOR_GOAL)}`,
    ]);
  }
  return rows;
}

/** The handler against bare ali-oss signing its own headers and policy (the earlier targets' peer). */
async function bareAliRows(f: SignFixture, ops: number, rounds: number): Promise<Row[]> {
  const ali = aliOssSigners(f);
  const { events } = f;
  const rows = [
    vsAli(
      'handler PUT, HS256 JWT checked',
      await paired(() => f.withJwt(events.putJwt), ali.put, ops, rounds),
      'ali-oss PUT, same headers',
    ),
    vsAli(
      'handler PUT, JWT excluded',
      await paired(() => f.noJwt(events.put), ali.put, ops, rounds),
      'ali-oss PUT, same headers',
    ),
    vsAli(
      'handler POST, HS256 JWT checked',
      await paired(() => f.withJwt(events.postJwt), ali.post, ops, rounds),
      'ali-oss POST, same policy',
    ),
    vsAli(
      'handler POST, JWT excluded',
      await paired(() => f.noJwt(events.post), ali.post, ops, rounds),
      'ali-oss POST, same policy',
    ),
  ];
  // What the chain's layers cost: the same work without parsing FC's event, middy, CORS and the log line.
  const core = signCore(signDeps(createAuthenticator(hs256Config(), f.clock)));
  const normalised = normalizeEvent(events.putJwt);
  rows.push(
    vsAli(
      'handler core alone, PUT with JWT (no FC event, middy, CORS, log line)',
      await paired(() => core(normalised, {}), ali.put, ops, rounds),
      'ali-oss PUT, same headers',
    ),
  );
  const flight = await pairedInFlight(() => f.withJwt(events.putJwt), ali.put, ops, rounds, IN_FLIGHT);
  rows.push([
    'sign',
    `handler PUT with JWT, ${IN_FLIGHT} requests in flight`,
    `${fmt(flight.a)}/s`,
    `${fmt(flight.times, 2)}x ali-oss PUT (${fmt(flight.b)}/s)`,
  ]);
  return rows;
}
