import { describe, expect, it } from 'vitest';
import { POST_POLICY_MAX_SECONDS } from '../../../functions/sign-upload/handler';
import { eventFor, header, PLATFORMS, type PlatformName } from '../../../local/fixtures/events';
import { jwt, KEYS, NOW, parsePresignedUrl, signHandler, TOKEN_SECRET } from '../../../local/fixtures/sign';
import {
  decodeCallback,
  decodeCallbackVar,
  policyViolation,
  SYSTEM_VARIABLES,
  verifyPostObject,
  verifyPresigned,
} from '../../../shared/oss';
import { verifyUploadToken } from '../../../shared/proof';

const lookup = (id: string) => (id === KEYS.OSS_ACCESS_KEY_ID ? { secret: KEYS.OSS_ACCESS_KEY_SECRET } : undefined);

async function post(
  platform: PlatformName,
  body: unknown,
  options: { token?: string | null; handler?: ReturnType<typeof signHandler>; context?: object } = {},
) {
  const { handler } = options.handler ?? signHandler();
  const token = options.token === undefined ? await jwt() : options.token;
  const result = await handler(
    eventFor(platform, {
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/json',
        origin: 'https://app.example.com',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      base64: Buffer.isBuffer(body),
    }),
    options.context ?? {},
  );
  return { status: result.statusCode, json: JSON.parse(result.body as string), result };
}

const photo = { filename: 'Holiday photo.PNG', contentType: 'image/png', size: 2048, vars: { album: 'summer-2026' } };

describe.each(PLATFORMS)('sign-upload on %s', (platform) => {
  it('signs a presigned PUT that OSS would accept, carrying the bound callback', async () => {
    const { status, json, result } = await post(platform, photo);
    expect(status).toBe(200);
    expect(header(result, 'access-control-allow-origin')).toBe('https://app.example.com');
    expect(json.key).toMatch(/^uploads\/user-1\/2026\/11\/[0-9a-f-]{36}-Holiday-photo\.PNG$/);
    expect(json.key).toContain(json.uploadId);
    expect(json.expiresAt).toBe(new Date(NOW.getTime() + 600_000).toISOString());
    expect(json.put.method).toBe('PUT');

    // Recompute the signature from the URL and headers alone, as OSS would.
    const url = parsePresignedUrl(json.put.url);
    expect(new URL(json.put.url).host).toBe('example-bucket.oss-cn-hangzhou.aliyuncs.com');
    expect(url.key).toBe(json.key);
    const req = { method: 'PUT', bucket: url.bucket, key: url.key, query: url.query, headers: json.put.headers };
    expect(verifyPresigned(req, lookup, NOW)).toEqual({ ok: true, accessKeyId: KEYS.OSS_ACCESS_KEY_ID });
    expect(url.query['x-oss-expires']).toBe('600');
    // A client that drops or changes a signed header fails.
    const { 'x-oss-callback-var': _dropped, ...fewer } = json.put.headers;
    expect(verifyPresigned({ ...req, headers: fewer }, lookup, NOW)).toEqual({
      ok: false,
      reason: 'signature-mismatch',
    });
    // The object's proof is a signed header too, and it is the callback's token.
    const { 'x-oss-meta-upload-token': proof, ...noProof } = json.put.headers;
    expect(verifyPresigned({ ...req, headers: noProof }, lookup, NOW).ok).toBe(false);
    expect(
      verifyPresigned({ ...req, headers: { ...json.put.headers, 'Content-Type': 'text/html' } }, lookup, NOW).ok,
    ).toBe(false);
    expect(verifyPresigned(req, lookup, new Date(NOW.getTime() + 601_000))).toEqual({
      ok: false,
      reason: 'request-expired',
    });

    expect(json.put.headers['x-oss-forbid-overwrite']).toBe('true');
    expect(json.put.headers['Content-Type']).toBe('image/png');
    expect(decodeCallbackVar(json.put.headers['x-oss-callback-var'])).toEqual({ 'x:album': 'summer-2026' });

    const callback = decodeCallback(json.put.headers['x-oss-callback']);
    expect(callback.callbackSNI).toBe(true);
    expect(callback.callbackBodyType).toBeUndefined(); // form, the default
    for (const name of SYSTEM_VARIABLES) expect(callback.callbackBody).toContain(`\${${name}}`);
    expect(callback.callbackBody).toContain('x:album=${x:album}');
    expect(callback.callbackUrl.startsWith('https://cb.example.com/callback/')).toBe(true);
    const token = callback.callbackUrl.slice('https://cb.example.com/callback/'.length);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(proof).toBe(token);
    const bound = verifyUploadToken(token, TOKEN_SECRET, NOW, { bucket: 'example-bucket', key: json.key });
    expect(bound).toEqual({
      ok: true,
      claims: {
        id: json.uploadId,
        bucket: 'example-bucket',
        key: json.key,
        maxSize: 2048,
        contentType: 'image/png',
        user: 'user-1',
        exp: Math.floor(NOW.getTime() / 1000) + 600 + 3600,
        vars: { 'x:album': 'summer-2026' },
      },
    });
  });

  it('signs a PostObject form whose policy pins key, size, type, callback and vars', async () => {
    const { status, json } = await post(platform, { ...photo, mode: 'post' });
    expect(status).toBe(200);
    expect(json.post.url).toBe('https://example-bucket.oss-cn-hangzhou.aliyuncs.com/');
    const fields: Record<string, string> = json.post.fields;
    expect(Object.keys(fields)).toEqual([
      'key',
      'policy',
      'x-oss-signature-version',
      'x-oss-credential',
      'x-oss-date',
      'x-oss-signature',
      'Content-Type',
      'success_action_status',
      'callback',
      'x:album',
      'x-oss-meta-upload-token',
    ]);
    expect(fields.key).toBe(json.key);
    const verified = verifyPostObject(fields, lookup, NOW);
    if (!verified.ok) throw new Error(verified.reason);
    expect(verified.policy.expiration).toBe(json.expiresAt);
    expect(Date.parse(json.expiresAt) - NOW.getTime()).toBeLessThanOrEqual(POST_POLICY_MAX_SECONDS * 1000);
    expect(verified.policy.conditions).toContainEqual(['content-length-range', 1, 2048]);

    expect(policyViolation(verified.policy, fields, 'example-bucket', 2048)).toBeUndefined();
    expect(policyViolation(verified.policy, fields, 'example-bucket', 2049)?.kind).toBe('content-length');
    expect(policyViolation(verified.policy, fields, 'other-bucket', 10)?.kind).toBe('condition');
    for (const [name, value] of [
      ['key', 'uploads/user-1/evil.png'],
      ['Content-Type', 'text/html'],
      [
        'callback',
        Buffer.from('{"callbackUrl":"https://evil.example/","callbackBody":"a=${object}"}').toString('base64'),
      ],
      ['x:album', 'other'],
      ['x-oss-meta-upload-token', 'forged'],
    ]) {
      expect(
        policyViolation(verified.policy, { ...fields, [name as string]: value as string }, 'example-bucket', 10)?.kind,
      ).toBe('condition');
    }
    // Tampering with the policy itself breaks the signature.
    const tampered = {
      ...fields,
      policy: Buffer.from(Buffer.from(fields.policy!, 'base64').toString().replace('2048', '9999999')).toString(
        'base64',
      ),
    };
    expect(verifyPostObject(tampered, lookup, NOW)).toEqual({ ok: false, reason: 'signature-mismatch' });
  });

  it('signs with the STS credentials FC puts on the context, token included', async () => {
    const sts = { accessKeyId: 'STS.role-id', accessKeySecret: 'role-secret', securityToken: 'CAIS-token+/=' };
    const put = await post(platform, photo, { context: { credentials: sts } });
    const url = parsePresignedUrl(put.json.put.url);
    expect(url.query['x-oss-security-token']).toBe(sts.securityToken);
    expect(url.query['x-oss-credential']).toMatch(/^STS\.role-id\//);
    const stsLookup = (id: string) =>
      id === sts.accessKeyId ? { secret: sts.accessKeySecret, securityToken: sts.securityToken } : undefined;
    expect(verifyPresigned({ method: 'PUT', ...url, headers: put.json.put.headers }, stsLookup, NOW).ok).toBe(true);

    const form = await post(platform, { ...photo, mode: 'post' }, { context: { credentials: sts } });
    expect(form.json.post.fields['x-oss-security-token']).toBe(sts.securityToken);
    const verified = verifyPostObject(form.json.post.fields, stsLookup, NOW);
    expect(verified.ok && verified.policy.conditions).toContainEqual({ 'x-oss-security-token': sts.securityToken });
  });

  it.each([
    ['no token', { token: null }, photo, 401, 'MissingToken'],
    [
      'a token signed with another secret',
      { tokenArgs: [{}, 'another-secret-that-is-long-enough-000000'] },
      photo,
      401,
      'InvalidToken',
    ],
    // Expired by more than the 60 s clock skew AUTH_CLOCK_SKEW_SECONDS allows.
    ['an expired token', { tokenArgs: [{ exp: Math.floor(NOW.getTime() / 1000) - 61 }] }, photo, 401, 'TokenExpired'],
    ['a token for another audience', { tokenArgs: [{ aud: 'billing' }] }, photo, 401, 'InvalidToken'],
    ['a token from another issuer', { tokenArgs: [{ iss: 'https://evil.example' }] }, photo, 401, 'InvalidToken'],
    ['a token without subject', { tokenArgs: [{ sub: '' }] }, photo, 401, 'InvalidToken'],
    ['a file over the size limit', {}, { ...photo, size: 1048577 }, 413, 'FileTooLarge'],
    ['a disallowed content type', {}, { ...photo, contentType: 'text/html' }, 403, 'ContentTypeNotAllowed'],
    ['a content type with parameters', {}, { ...photo, contentType: 'image/png; charset=x' }, 400, 'InvalidRequest'],
    ['a zero size', {}, { ...photo, size: 0 }, 400, 'InvalidRequest'],
    ['path traversal in the file name', {}, { ...photo, filename: '../../etc/passwd' }, 400, 'InvalidFilename'],
    ['a backslash path in the file name', {}, { ...photo, filename: '..\\boot.ini' }, 400, 'InvalidFilename'],
    ['a control character in the file name', {}, { ...photo, filename: 'a\u0000b.png' }, 400, 'InvalidFilename'],
    ['a bidi override in the file name', {}, { ...photo, filename: 'gnp.\u202eexe' }, 400, 'InvalidFilename'],
    ['a variable that is not allowed', {}, { ...photo, vars: { admin: 'true' } }, 403, 'VarNotAllowed'],
    ['a badly named variable', {}, { ...photo, vars: { 'x:Album': 'a' } }, 403, 'VarNotAllowed'],
    ['a too long variable', {}, { ...photo, vars: { album: 'a'.repeat(129) } }, 400, 'InvalidVars'],
    ['a variable with unsafe characters', {}, { ...photo, vars: { album: 'a&b=c' } }, 400, 'InvalidVars'],
    ['an unknown field', {}, { ...photo, bucket: 'other' }, 400, 'InvalidRequest'],
    ['a body over 16 KB', {}, { ...photo, filename: 'a'.repeat(17_000) }, 413, 'RequestTooLarge'],
    ['a non-JSON body', {}, 'filename=a.png', 400, 'InvalidJson'],
    ...(['ff fe', 'c0 af', 'ed a0 80'] as const).map(
      (bytes) =>
        [
          `bytes ${bytes} in the file name (not UTF-8)`,
          {},
          Buffer.concat([
            Buffer.from('{"filename":"a'),
            Buffer.from(bytes.replaceAll(' ', ''), 'hex'),
            Buffer.from('.png","contentType":"image/png","size":10}'),
          ]),
          400,
          'InvalidJson',
        ] as const,
    ),
  ] as const)('rejects %s', async (_name, opts: any, body, status, code) => {
    const token = opts.tokenArgs ? await jwt(...(opts.tokenArgs as [object, string?])) : opts.token;
    const res = await post(platform, body, { token });
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.message).toEqual(expect.any(String));
    if (status === 401) expect(header(res.result, 'www-authenticate')).toBe('Bearer');
  });

  it.each([
    ['"__proto__"', '{"__proto__":"x"}'],
    ['"__proto__" beside an allowed one', '{"album":"a","__proto__":"b"}'],
    ['"constructor"', '{"constructor":"x"}'],
  ])('rejects the variable name %s as given with VarNotAllowed', async (_name, vars) => {
    const body = `{"filename":"a.png","contentType":"image/png","size":10,"vars":${vars}}`;
    const res = await post(platform, body);
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('VarNotAllowed');
  });

  it('rejects too many variables', async () => {
    const many = signHandler({ UPLOAD_VARS: Array.from({ length: 12 }, (_, n) => `v${n}`).join(',') });
    const vars = Object.fromEntries(Array.from({ length: 11 }, (_, n) => [`v${n}`, 'x']));
    const res = await post(platform, { ...photo, vars }, { handler: many });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('InvalidVars');
  });

  it('answers the CORS preflight', async () => {
    const { handler } = signHandler();
    const result = await handler(
      eventFor(platform, {
        method: 'OPTIONS',
        path: '/',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      }),
    );
    expect(result.statusCode).toBe(204);
    expect(header(result, 'access-control-allow-headers')).toBe('authorization,content-type');
  });
});

describe('sign-upload details', () => {
  it('fails with one clear configuration error when no credentials exist', async () => {
    const res = await post('fc', photo, { handler: signHandler({}, { env: {} }) });
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe('ConfigurationError');
    expect(res.json.error.message).toMatch(/OSS_ACCESS_KEY_ID/);
  });

  it('falls back to the FC role variables', async () => {
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'STS.env',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's',
      ALIBABA_CLOUD_SECURITY_TOKEN: 't',
    };
    const res = await post('fc', photo, { handler: signHandler({}, { env }) });
    expect(parsePresignedUrl(res.json.put.url).query['x-oss-security-token']).toBe('t');
  });

  it('never logs signatures, tokens, secrets or the raw user id', async () => {
    const h = signHandler();
    const res = await post('lambda', photo, { handler: h });
    const logged = JSON.stringify(h.logger.lines);
    const url = parsePresignedUrl(res.json.put.url);
    expect(h.logger.lines.find((l) => l.message === 'request')).toMatchObject({
      userHash: expect.stringMatching(/^[0-9a-f]{16}$/),
      uploadId: res.json.uploadId,
      outcome: 'signed',
      status: 200,
    });
    // The key holds the user id too, so neither appears.
    expect(logged).not.toContain('user-1');
    for (const secret of [
      url.query['x-oss-signature'],
      res.json.put.headers['x-oss-callback'],
      KEYS.OSS_ACCESS_KEY_SECRET,
      TOKEN_SECRET,
    ]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('uses a path-style endpoint for a local OSS', async () => {
    const h = signHandler({
      OSS_ENDPOINT: 'http://127.0.0.1:9000/oss',
      OSS_ADDRESSING: 'path',
      CALLBACK_BASE_URL: 'http://127.0.0.1:9000/callback',
      CALLBACK_ALLOW_PRIVATE: 'true',
    });
    const res = await post('fc', photo, { handler: h });
    expect(res.status).toBe(200);
    expect(res.json.put.url.startsWith(`http://127.0.0.1:9000/example-bucket/uploads/user-1/`)).toBe(true);
    expect(decodeCallback(res.json.put.headers['x-oss-callback']).callbackSNI).toBeUndefined();
  });

  it('refuses a private callback address at cold start unless configured for local use', () => {
    expect(() => signHandler({ CALLBACK_BASE_URL: 'http://127.0.0.1:9000/callback' })).toThrow(
      /^Invalid configuration: CALLBACK_BASE_URL: OSS refuses private callback addresses/,
    );
  });

  it.each([
    [{ CALLBACK_TOKEN_SECRET: 'short' }, 'CALLBACK_TOKEN_SECRET'],
    [{ CALLBACK_TOKEN_PREVIOUS_SECRETS: 'short' }, 'CALLBACK_TOKEN_PREVIOUS_SECRETS'],
    [{ OSS_BUCKET: 'Bad_Bucket' }, 'OSS_BUCKET'],
    [{ UPLOAD_EXPIRES_SECONDS: '604801' }, 'UPLOAD_EXPIRES_SECONDS'],
    [{ AUTH_JWT_SECRET: '' }, 'AUTH_JWT_SECRET'],
    [{ UPLOAD_PREFIX: '../x/' }, 'UPLOAD_PREFIX'],
    [{ UPLOAD_PREFIX: 'a/'.repeat(257) }, 'UPLOAD_PREFIX'],
    [{ OSS_ADDRESSING: 'path' }, 'OSS_ENDPOINT'],
  ])('names the bad variable in one line: %o', (env, name) => {
    expect(() => signHandler(env)).toThrow(new RegExp(`^Invalid configuration: ${name}: [^\\n]+$`));
  });

  it('accepts AUTH_MODE=none as the anonymous user', async () => {
    const h = signHandler({ AUTH_MODE: 'none', AUTH_JWT_SECRET: '' });
    const res = await post('fc', photo, { handler: h, token: null });
    expect(res.status).toBe(200);
    expect(res.json.key.startsWith('uploads/anonymous/')).toBe(true);
  });

  it('rejects methods other than POST, naming OPTIONS as allowed only where CORS answers it', async () => {
    const withCors = await signHandler().handler(eventFor('fc', { method: 'GET', path: '/' }));
    expect(withCors.statusCode).toBe(405);
    expect(header(withCors, 'allow')).toBe('POST, OPTIONS');
    const { handler } = signHandler({ CORS_ORIGINS: '' });
    for (const method of ['GET', 'OPTIONS']) {
      const result = await handler(eventFor('fc', { method, path: '/' }));
      expect(result.statusCode).toBe(405);
      expect(header(result, 'allow')).toBe('POST');
    }
  });
});
