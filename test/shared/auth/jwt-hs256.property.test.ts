/**
 * The synchronous HS256 path against jose itself: for thousands of valid, expired, not-yet-valid, tampered,
 * wrong-algorithm, wrongly-encoded and malformed tokens, under random clock skews, maximum ages, issuers and
 * audiences, the authenticator with the fast path and one sending every token through jose must accept and
 * refuse identically (same status, code and message), and accepted tokens must yield jose's exact claims.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../shared/auth';
import { verifyHs256 } from '../../../shared/auth/jwt-hs256';
import { fixedClock } from '../../../shared/clock';
import type { HttpError } from '../../../shared/errors';
import { anyText, runs } from '../../helpers/properties';

const NOW = new Date('2026-11-25T06:00:00.750Z');
const T = Math.floor(NOW.getTime() / 1000);
const SECRET = 'cross-check-secret-0123456789abcdef0123456789';
const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'uploads';

const b64url = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');
const hs256 = (input: string, secret = SECRET) => createHmac('sha256', secret).update(input).digest('base64url');

/** A time near the interesting edges: now, the skew, the maximum age, in whole and fractional seconds. */
const time = fc.oneof(
  // Exactly at, just inside and just past every edge: ±(maximum age + skew) ± 1 s.
  fc
    .tuple(
      fc.constantFrom(-1, 1),
      fc.constantFrom(0, 60, 300, 86_400, 30 * 86_400),
      fc.constantFrom(0, 1, 60, 300),
      fc.constantFrom(-1, 0, 1),
    )
    .map(([sign, age, skew, nudge]) => T + sign * (age + skew) + nudge),
  fc.integer({ min: -400, max: 400 }).map((d) => T + d),
  fc.double({ min: T - 90_000, max: T + 90_000, noNaN: true }),
  fc.constantFrom(0, -1, 2 ** 53, T + 0.5, T - 0.5),
);

/** A claim value of a wrong type, or an odd one. */
const oddValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.string({ maxLength: 12 }),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 1 }),
);

const SAME = Symbol('same');
/** Mostly the valid value, sometimes `arb`. */
const sometimes = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant<typeof SAME>(SAME) }, { weight: 1, arbitrary: arb });

/** Valid claims with some of them dropped or replaced: most tokens are near the edge of acceptance. */
const claimsArb = fc
  .record({
    overrides: fc.record({
      sub: sometimes(
        fc.oneof(
          fc.constantFrom('user-1', 'a'.repeat(255), 'a'.repeat(256), 'é'.repeat(128), 'a\u0000b', 'a\ud800', ''),
          anyText(40),
          oddValue,
        ),
      ),
      iat: sometimes(fc.oneof(time, time, oddValue)),
      exp: sometimes(fc.oneof(time, time, oddValue)),
      nbf: sometimes(fc.oneof(time, oddValue)),
      iss: sometimes(fc.oneof(fc.constantFrom(ISSUER, `${ISSUER}/`, 'other'), oddValue)),
      aud: sometimes(
        fc.oneof(
          fc.constantFrom(AUDIENCE, 'billing'),
          fc.array(fc.constantFrom(AUDIENCE, 'billing', 'x'), { maxLength: 3 }),
          oddValue,
        ),
      ),
      jti: sometimes(fc.string({ maxLength: 8 })),
    }),
    drop: fc.subarray(['sub', 'iat', 'exp', 'iss', 'aud']),
    dropSome: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  })
  .map(({ overrides, drop, dropSome }) => {
    const claims: Record<string, unknown> = { sub: 'user-1', iat: T - 10, exp: T + 600, iss: ISSUER, aud: AUDIENCE };
    for (const [name, value] of Object.entries(overrides)) if (value !== SAME) claims[name] = value;
    if (dropSome) for (const name of drop) delete claims[name];
    return claims;
  });

const headerArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '{"alg":"HS256"}',
      '{"alg":"HS256","typ":"JWT"}',
      '{"typ":"JWT","alg":"HS256"}',
      '{ "alg" : "HS256" }',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '{"alg":"HS256","crit":["b64"],"b64":true}',
      '{"alg":"HS256","crit":["exp"]}',
      '{"alg":"HS256","crit":[]}',
      '{"alg":"HS256","b64":false}',
      '{"alg":"HS256","kid":"k1","typ":"at+jwt"}',
      '{"alg":"HS384"}',
      '{"alg":"none"}',
      '{"alg":"RS256"}',
      '{"alg":"hs256"}',
      '{"typ":"JWT"}',
      '{"alg":["HS256"]}',
      '{"alg":"HS256","alg":"none"}',
      '{"alg":"none","alg":"HS256"}',
      '\ufeff{"alg":"HS256"}',
      '["alg","HS256"]',
      'null',
      '{"alg":"HS256"',
    ),
  },
);

/** A token made from parts: the header and payload JSON, and what is done to it after signing. */
const tokenArb = fc
  .record({
    header: headerArb,
    claims: claimsArb,
    payloadText: fc.oneof(
      { weight: 9, arbitrary: fc.constant(null) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '[]',
          '1',
          '"x"',
          'null',
          '{',
          '\ufeff{"sub":"u","iat":1,"exp":9999999999}',
          '{"sub":"u","iat":1e400,"exp":1e400}',
          '{"sub":"u","iat":1,"exp":9999999999,"__proto__":{"x":1}}',
        ),
      },
    ),
    badUtf8: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    secret: fc.oneof({ weight: 8, arbitrary: fc.constant(SECRET) }, fc.constantFrom(`${SECRET}x`, '')),
    change: fc.oneof(
      { weight: 12, arbitrary: fc.constant('none') },
      fc.constantFrom(
        'sig-bits',
        'sig-char',
        'payload-char',
        'header-char',
        'payload-bits',
        'header-bits',
        'drop-sig',
        'extra-part',
        'pad',
      ),
    ),
    at: fc.nat(),
  })
  .map(({ header, claims, payloadText, badUtf8, secret, change, at }) => {
    let payload = b64url(payloadText ?? JSON.stringify(claims));
    if (badUtf8) payload = b64url(Buffer.concat([Buffer.from(payloadText ?? JSON.stringify(claims)), Buffer.of(0xc3)]));
    let head = b64url(header);
    const flip = (s: string) => {
      if (!s) return s;
      const i = at % s.length;
      return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    };
    // The last character's low bits carry nothing: another character for the same bytes (non-canonical).
    const bits = (s: string) => {
      if (!s) return s;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(s.at(-1) ?? 'A');
      const spare = s.length % 4 === 2 ? 15 : s.length % 4 === 3 ? 3 : 0;
      return spare ? s.slice(0, -1) + alphabet[(last & ~spare) | ((last + 1 + (at % spare)) & spare)] : s;
    };
    if (change === 'payload-bits') payload = bits(payload);
    if (change === 'header-bits') head = bits(head);
    let sig = hs256(`${head}.${payload}`, secret);
    if (change === 'sig-bits') sig = bits(sig);
    if (change === 'sig-char') sig = flip(sig);
    if (change === 'payload-char') payload = flip(payload);
    if (change === 'header-char') head = flip(head);
    let token = `${head}.${payload}.${sig}`;
    if (change === 'drop-sig') token = `${head}.${payload}`;
    if (change === 'extra-part') token = `${token}.${sig}`;
    if (change === 'pad') token = `${head}.${payload}.${sig}=`;
    return token;
  });

/** Text from the token alphabet: mostly nonsense, sometimes three parts. */
const malformedArb = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'ABCabc012-_.'), maxLength: 80 }),
  fc
    .tuple(fc.base64String({ maxLength: 40 }), fc.base64String({ maxLength: 40 }), fc.base64String({ maxLength: 60 }))
    .map((p) => p.join('.').replace(/[+/=]/g, '')),
);

const rulesArb = fc.record({
  maxTokenAgeSeconds: fc.constantFrom(60, 300, 86_400, 30 * 86_400),
  clockSkewSeconds: fc.constantFrom(0, 1, 60, 300),
  issuer: fc.option(fc.constant(ISSUER)),
  audience: fc.option(fc.constant(AUDIENCE)),
});

type Rules = typeof rulesArb extends fc.Arbitrary<infer R> ? R : never;
type Outcome = { sub: string } | { status: number; code: string; message: string };
const outcome = (p: Promise<{ sub: string }>): Promise<Outcome> =>
  p.then(
    (principal) => ({ ...principal }),
    (e: HttpError) => ({ status: e.status, code: e.code, message: e.message }),
  );

describe('HS256 fast path against jose', () => {
  const seen = new Map<string, number>();
  const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

  const crossCheck = async (token: string, rules: Rules) => {
    const config = {
      mode: 'jwt' as const,
      jwtSecret: SECRET,
      maxTokenAgeSeconds: rules.maxTokenAgeSeconds,
      clockSkewSeconds: rules.clockSkewSeconds,
      ...(rules.issuer ? { issuer: rules.issuer } : {}),
      ...(rules.audience ? { audience: rules.audience } : {}),
    };
    const fast = createAuthenticator(config, fixedClock(NOW));
    const viaJose = createAuthenticator(config, fixedClock(NOW), { joseOnly: true });
    const [a, b] = await Promise.all([outcome(fast(`Bearer ${token}`)), outcome(viaJose(`Bearer ${token}`))]);
    expect(a).toEqual(b);
    const direct = /^[A-Za-z0-9_.-]+$/.test(token)
      ? verifyHs256(
          token,
          Buffer.from(SECRET),
          {
            requiredClaims: ['sub', 'exp'],
            maxTokenAge: rules.maxTokenAgeSeconds,
            clockTolerance: rules.clockSkewSeconds,
            ...(rules.issuer ? { issuer: rules.issuer } : {}),
            ...(rules.audience ? { audience: rules.audience } : {}),
          },
          NOW,
        )
      : undefined;
    if (direct?.ok) {
      const { payload } = await jwtVerify(token, Buffer.from(SECRET), {
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp'],
        maxTokenAge: rules.maxTokenAgeSeconds,
        clockTolerance: rules.clockSkewSeconds,
        currentDate: NOW,
        ...(rules.issuer ? { issuer: rules.issuer } : {}),
        ...(rules.audience ? { audience: rules.audience } : {}),
      });
      expect(direct.claims).toEqual(payload);
    }
    count(
      direct === undefined
        ? 'left to jose'
        : direct.ok
          ? 'fast: verified, claims equal to jose'
          : `fast: refused (${'code' in a ? a.code : ''})`,
    );
    count('code' in a ? `refused ${a.code}: ${a.message.replace(/ \d+ bytes.*/, '')}` : 'accepted');
  };

  it('accepts and refuses built tokens (valid, expired, early, tampered, wrong alg, non-canonical) as jose does', async () => {
    await fc.assert(fc.asyncProperty(tokenArb, rulesArb, crossCheck), runs());
    await fc.assert(fc.asyncProperty(tokenArb, rulesArb, crossCheck), runs());
  });

  it('places iat, nbf and exp exactly at the configured skew and maximum age as jose does', async () => {
    const edge = (at: number) => fc.constantFrom(at - 1, at, at + 1, at - 0.5, at + 0.5);
    const edgeCase = rulesArb.chain((rules) => {
      const skew = rules.clockSkewSeconds;
      const claims = fc.record({
        iat: fc.oneof(fc.constant(T - 10), edge(T - rules.maxTokenAgeSeconds - skew), edge(T + skew)),
        exp: fc.oneof(fc.constant(T + 600), edge(T - skew)),
        nbf: fc.oneof(fc.constant(undefined), edge(T + skew)),
      });
      return fc.tuple(
        claims.map((times) => {
          const payload = b64url(JSON.stringify({ sub: 'u', iss: ISSUER, aud: AUDIENCE, ...times }));
          const head = b64url('{"alg":"HS256","typ":"JWT"}');
          return `${head}.${payload}.${hs256(`${head}.${payload}`)}`;
        }),
        fc.constant(rules),
      );
    });
    await fc.assert(
      fc.asyncProperty(edgeCase, ([token, rules]) => crossCheck(token, rules)),
      runs(),
    );
  });

  it('refuses malformed tokens as jose does', async () => {
    await fc.assert(fc.asyncProperty(malformedArb, rulesArb, crossCheck), runs());
  });

  it('covered every category (printed for the record)', () => {
    const total = [...seen.entries()]
      .filter(([k]) => k.startsWith('fast') || k === 'left to jose')
      .reduce((s, [, n]) => s + n, 0);
    if (process.env.FC_SEED === undefined) {
      expect(seen.get('accepted') ?? 0).toBeGreaterThan(50);
      expect(seen.get('fast: verified, claims equal to jose') ?? 0).toBeGreaterThan(50);
      expect(seen.get('left to jose') ?? 0).toBeGreaterThan(50);
    }
    console.log(
      `${total} tokens cross-checked:\n${[...seen.entries()]
        .sort()
        .map(([k, n]) => `  ${n}\t${k}`)
        .join('\n')}`,
    );
  });
});
