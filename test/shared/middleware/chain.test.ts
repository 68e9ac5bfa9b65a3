import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { eventFor, header, PLATFORMS, type RequestSpec } from '../../../local/fixtures/events';
import { badRequest } from '../../../shared/errors';
import { memoryLogger } from '../../../shared/log';
import { httpChain, logFields } from '../../../shared/middleware/chain';
import { cors } from '../../../shared/middleware/cors';
import { parseJsonBody } from '../../../shared/middleware/json-body';
import { jsonResponse } from '../../../shared/middleware/response';
import type { HttpEvent } from '../../../shared/platform';

/** A handler that reports what it saw, to compare platforms. */
function echoHandler() {
  const logger = memoryLogger();
  const handler = httpChain(
    async (event: HttpEvent, context) => {
      if (event.rawPath === '/fail') throw badRequest('Nope', 'bad input here');
      if (event.rawPath === '/crash') throw new Error('database password is hunter2');
      logFields(context).user = 'u1';
      const json = event.headers['content-type']?.startsWith('application/json')
        ? parseJsonBody(event, z.object({ n: z.number() }), 64)
        : undefined;
      return jsonResponse(
        200,
        {
          method: event.requestContext.http.method,
          path: event.rawPath,
          query: event.queryStringParameters ?? {},
          contentType: event.headers['content-type'] ?? null,
          custom: event.headers['x-custom-thing'] ?? null,
          raw: event.rawBody.toString('base64'),
          json,
        },
        { 'content-length': '999', connection: 'keep-alive' },
      );
    },
    {
      logger,
      name: 'echo',
      cors: cors({
        origins: ['https://app.example.com'],
        methods: 'POST,OPTIONS',
        headers: 'authorization,content-type',
        maxAge: 600,
      }),
    },
  );
  return { handler, logger };
}

const cases: [string, RequestSpec][] = [
  [
    'GET with a query',
    { method: 'GET', path: '/things/a%20b', query: 'x=1&y=two', headers: { 'X-Custom-Thing': 'v' } },
  ],
  ['POST JSON', { method: 'POST', path: '/', headers: { 'Content-Type': 'application/json' }, body: '{"n":1}' }],
  [
    'POST form',
    {
      method: 'POST',
      path: '/form',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=%2F',
    },
  ],
  [
    'base64 body',
    {
      method: 'POST',
      path: '/bin',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.from([0, 255, 1, 254]),
      base64: true,
    },
  ],
];

describe('the same handler answers the same on both platforms', () => {
  it.each(cases)('%s', async (_name, spec) => {
    const answers = [];
    for (const platform of PLATFORMS) {
      const { handler } = echoHandler();
      const result = await handler(eventFor(platform, spec));
      expect(result.statusCode).toBe(200);
      answers.push(JSON.parse(result.body as string));
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0].raw).toBe(Buffer.from(spec.body ?? '').toString('base64'));
  });

  it.each(PLATFORMS)('%s: answers a CORS preflight without running the handler', async (platform) => {
    const { handler } = echoHandler();
    const result = await handler(
      eventFor(platform, {
        method: 'OPTIONS',
        path: '/fail',
        headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
      }),
    );
    expect(result.statusCode).toBe(204);
    expect(header(result, 'access-control-allow-origin')).toBe('https://app.example.com');
    expect(header(result, 'access-control-allow-methods')).toBe('POST,OPTIONS');
    expect(header(result, 'access-control-allow-headers')).toBe('authorization,content-type');
  });

  it.each(PLATFORMS)('%s: gives no CORS grant to another origin', async (platform) => {
    const { handler } = echoHandler();
    const result = await handler(
      eventFor(platform, { method: 'OPTIONS', path: '/', headers: { Origin: 'https://evil.example' } }),
    );
    expect(header(result, 'access-control-allow-origin')).toBeUndefined();
  });

  it.each(PLATFORMS)('%s: a known error becomes its status and a JSON body, with CORS headers', async (platform) => {
    const { handler } = echoHandler();
    const result = await handler(
      eventFor(platform, { method: 'POST', path: '/fail', headers: { Origin: 'https://app.example.com' } }),
    );
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body as string)).toEqual({ error: { code: 'Nope', message: 'bad input here' } });
    expect(header(result, 'content-type')).toMatch(/^application\/json/);
    expect(header(result, 'access-control-allow-origin')).toBe('https://app.example.com');
  });

  it.each(PLATFORMS)('%s: an unknown error is a 500 that leaks nothing', async (platform) => {
    const { handler, logger } = echoHandler();
    const result = await handler(eventFor(platform, { method: 'GET', path: '/crash' }));
    expect(result.statusCode).toBe(500);
    expect(result.body).toBe('{"error":{"code":"InternalError","message":"Internal server error"}}');
    expect(logger.lines.some((l) => l.message === 'unhandled error')).toBe(true);
  });

  it.each(PLATFORMS)('%s: body validation errors are 4xx with codes', async (platform) => {
    const { handler } = echoHandler();
    const send = async (body: string) =>
      handler(eventFor(platform, { method: 'POST', path: '/', headers: { 'Content-Type': 'application/json' }, body }));
    expect(JSON.parse((await send('{"n":"x"}')).body as string).error.code).toBe('InvalidRequest');
    expect(JSON.parse((await send('{nope')).body as string).error.code).toBe('InvalidJson');
    expect((await send(`{"n":1,"pad":"${'x'.repeat(100)}"}`)).statusCode).toBe(413);
  });

  it('writes one log line per request with the fields the handler added', async () => {
    const { handler, logger } = echoHandler();
    await handler(eventFor('lambda', { method: 'GET', path: '/' }));
    const lines = logger.lines.filter((l) => l.message === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ user: 'u1', status: 200, platform: 'lambda', method: 'GET' });
  });

  it('strips response headers FC forbids, and only on FC', async () => {
    const { handler } = echoHandler();
    const fc = await handler(eventFor('fc', { method: 'GET', path: '/' }));
    const lambda = await handler(eventFor('lambda', { method: 'GET', path: '/' }));
    expect(header(fc, 'content-length')).toBeUndefined();
    expect(header(fc, 'connection')).toBeUndefined();
    expect(header(lambda, 'content-length')).toBe('999');
  });
});
