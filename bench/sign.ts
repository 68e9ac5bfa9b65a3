/**
 * Sign: sign-upload in-process (PUT and POST form with an HS256 JWT) against the essential-work floor, with
 * its goal; then against bare ali-oss signing the very same headers and policy, with requests in flight, and
 * JWKS tokens. Events are built once, outside the timed closures; every handler logs through the real logger.
 */
import { signCore } from '../functions/sign-upload/handler';
import { createAuthenticator } from '../shared/auth';
import { buildPostObjectForm, presignV4 } from '../shared/oss';
import { normalizeEvent } from '../shared/platform';
import { KEYS } from '../test/helpers/sign';
import { fmt, goal, paired, pairedInFlight, type Row } from './harness';
import { aliOssSigners, hs256Config, type SignFixture, signDeps, signFixture } from './sign-fixture';
import { signFloors } from './sign-floor';
import { jwksRows } from './sign-jwks';

const IN_FLIGHT = 16;
/** Goal of the performance issue: our time per request ≤ 6x the essential-work floor's. */
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
    ...(await floorRows(f, ops, rounds)),
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
