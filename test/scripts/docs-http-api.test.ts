/**
 * docs/openapi.json is a valid OpenAPI 3.1 document, and the error codes it and docs/http-api.md list are the
 * ones the handlers answer: each one thrown is listed with its status, each one listed is thrown.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { callbackHandler, ossCallback } from '../../local/fixtures/callback';
import { eventFor } from '../../local/fixtures/events';
import { jwt, signHandler } from '../../local/fixtures/sign';
import { COMMON_ERRORS, ENDPOINTS } from '../../scripts/docs-http-api';
import { OPENAPI_FILE } from '../../scripts/docs-openapi';
import { StoreUnavailableError } from '../../shared/records/types';

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });

/** The code that answers HTTP: the two HTTP functions and what they share (upload-event has no HTTP API). */
const httpSources = () => [
  ...sources('functions/sign-upload'),
  ...sources('functions/upload-callback'),
  ...sources('shared'),
];

const HELPER_STATUS: Record<string, number> = {
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  tooLarge: 413,
  unavailable: 503,
};

/** Every `status code` pair the code throws with a literal code. */
function thrownErrors(): Set<string> {
  const thrown = new Set<string>();
  for (const file of httpSources()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:new HttpError|super)\(\s*(\d{3}),\s*'([A-Za-z]+)'/g))
      thrown.add(`${m[1]} ${m[2]}`);
    for (const m of text.matchAll(/\b(badRequest|unauthorized|forbidden|tooLarge|unavailable)\(\s*'([A-Za-z]+)'/g)) {
      thrown.add(`${HELPER_STATUS[m[1] as string]} ${m[2]}`);
    }
    // A table of codes handed to forbidden() (the multipart grant's refusals).
    if (text.includes('forbidden(code, message)')) {
      for (const m of text.matchAll(/\[\s*'([A-Z][A-Za-z]+)',/g)) thrown.add(`403 ${m[1]}`);
    }
  }
  thrown.add('500 InternalError'); // shared/errors.ts INTERNAL_ERROR: anything unexpected
  return thrown;
}

const documented = () =>
  new Set([...ENDPOINTS.flatMap((e) => e.errors), ...COMMON_ERRORS].map((e) => `${e.status} ${e.code}`));

describe('docs/openapi.json', () => {
  const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));

  it('validates as OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(validator.version).toBe('3.1');
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('would not validate with an answer that lacks its description (the validator checks)', async () => {
    const broken = structuredClone(document);
    broken.paths['/'].post.responses['200'] = { content: {} };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('has every endpoint, each a POST, with a response per documented status', () => {
    expect(Object.keys(document.paths)).toEqual([
      '/',
      '/s3/sign',
      '/s3/create/{grant}',
      '/s3/complete/{grant}',
      '/{token}',
    ]);
    for (const endpoint of ENDPOINTS) {
      const responses = document.paths[endpoint.path].post.responses;
      for (const e of endpoint.errors) {
        expect(responses[String(e.status)]?.description, `${endpoint.path} ${e.code}`).toContain(e.code);
      }
    }
  });
});

describe('the documented error codes', () => {
  it('list every code the handlers throw, with its status', () => {
    const thrown = thrownErrors();
    expect(thrown.size).toBeGreaterThan(40);
    const known = documented();
    expect([...thrown].filter((pair) => !known.has(pair)).sort()).toEqual([]);
  });

  it('list no code the code does not have', () => {
    const text = httpSources()
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const codes = [...documented()].map((pair) => pair.split(' ')[1] as string);
    expect(codes.filter((code) => !text.includes(`'${code}'`))).toEqual([]);
  });
});

const documentedFor = (path: string) => {
  const endpoint = ENDPOINTS.find((e) => e.path === path);
  return new Set([...(endpoint?.errors ?? []), ...COMMON_ERRORS].map((e) => `${e.status} ${e.code}`));
};

describe('POST /{token} answers as documented', () => {
  const down = async () => {
    throw new StoreUnavailableError('the database is down');
  };

  it.each([
    ['an unsigned request', ossCallback({ pubKeyUrl: null }), 'CallbackNotSigned'],
    ['a query string', ossCallback({ query: 'a=1' }), 'UnexpectedQuery'],
    ["a key that is not OSS's", ossCallback({ pubKeyUrl: 'https://keys.example.com/k.pem' }), 'UntrustedPublicKey'],
    [
      'a body changed after signing',
      ossCallback({ tamperBody: (b) => b.replace('2048', '1') }),
      'InvalidCallbackSignature',
    ],
    ['a token we never signed', ossCallback({ token: 'not-a-token' }), 'InvalidCallbackToken'],
    ['the database down', ossCallback(), 'StoreUnavailable'],
  ])('refuses %s with a documented status and code', async (_, spec, code) => {
    const { handler } = callbackHandler(down);
    const result = await handler(eventFor('fc', spec));
    const json = JSON.parse(result.body as string);
    expect(json.error.code).toBe(code);
    expect(documentedFor('/{token}').has(`${result.statusCode} ${code}`), `${result.statusCode} ${code}`).toBe(true);
  });
});

describe('POST / answers as documented', () => {
  async function post(body: unknown, headers: Record<string, string> = {}) {
    const { handler } = signHandler();
    const result = await handler(
      eventFor('lambda', {
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await jwt()}`, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
      {},
    );
    return { status: result.statusCode as number, json: JSON.parse(result.body as string) };
  }

  const file = { filename: 'photo.png', contentType: 'image/png', size: 2048 };

  it.each([
    ['no JWT', file, { authorization: '' }, 'MissingToken'],
    ['a body that is not JSON', '{', {}, 'InvalidJson'],
    ['another content type', JSON.stringify(file), { 'content-type': 'text/plain' }, 'UnsupportedMediaType'],
    ['a missing field', { filename: 'photo.png', size: 1 }, {}, 'InvalidRequest'],
    ['a file over the limit', { ...file, size: 10 * 1024 ** 3 }, {}, 'FileTooLarge'],
    ['a type not allowed', { ...file, contentType: 'text/html' }, {}, 'ContentTypeNotAllowed'],
    ['a path for a name', { ...file, filename: '../x.png' }, {}, 'InvalidFilename'],
    ['an unknown variable', { ...file, vars: { other: '1' } }, {}, 'VarNotAllowed'],
    ['an unknown route', { ...file, route: 'avatar' }, {}, 'UnknownRoute'],
  ])('refuses %s with a documented status and code', async (_, body, headers, code) => {
    const { status, json } = await post(body, headers);
    expect(json.error.code).toBe(code);
    expect(documentedFor('/').has(`${status} ${code}`), `${status} ${code}`).toBe(true);
  });

  it('signs with every field the documented answer requires', async () => {
    const { status, json } = await post(file);
    expect(status).toBe(200);
    const answer = ENDPOINTS[0]?.answers[0]?.schema as { required: string[] };
    expect(Object.keys(json)).toEqual(expect.arrayContaining([...answer.required, 'put']));
  });
});
