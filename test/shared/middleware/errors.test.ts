/** The chain's error answers: an HttpError keeps its status and code; anything else is a 500 with no internals. */
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { badRequest, ConfigError, HttpError, unavailable } from '../../../shared/errors';
import { memoryLogger } from '../../../shared/log';
import { errorResponses } from '../../../shared/middleware/errors';
import type { HttpResult, PlatformContext } from '../../../shared/platform';

async function answer(error: unknown) {
  const logger = memoryLogger();
  const context: PlatformContext = {};
  const handler = middy(async (): Promise<HttpResult> => {
    throw error;
  }).use(errorResponses(logger));
  const result = (await handler({} as never, context as never)) as HttpResult;
  return { result, body: JSON.parse(result.body ?? '{}'), lines: logger.lines, fields: context.logFields };
}

describe('errorResponses', () => {
  it('answers a client error with its status, code, message and headers, and logs nothing', async () => {
    const { result, body, lines, fields } = await answer(
      new HttpError(405, 'MethodNotAllowed', 'use POST', { headers: { allow: 'POST' } }),
    );
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('POST');
    expect(body).toEqual({ error: { code: 'MethodNotAllowed', message: 'use POST' } });
    expect(lines).toEqual([]);
    expect(fields).toEqual({ code: 'MethodNotAllowed' });
  });

  it('exposes a 5xx message only when marked so, and logs it with its cause', async () => {
    const { result, body, lines } = await answer(unavailable('StoreUnavailable', 'not now', new Error('ECONNREFUSED')));
    expect(result.statusCode).toBe(503);
    expect(body.error).toEqual({ code: 'StoreUnavailable', message: 'not now' });
    expect(lines).toMatchObject([{ level: 'ERROR', message: 'not now', cause: 'Error: ECONNREFUSED' }]);
    const hidden = await answer(new HttpError(502, 'UpstreamError', 'internal detail', { expose: false }));
    expect(hidden.body.error).toEqual({ code: 'UpstreamError', message: 'Internal server error' });
  });

  it('names the variable of a configuration error (a 500 whose message is exposed)', async () => {
    const { result, body } = await answer(new ConfigError('Invalid configuration: OSS_BUCKET: required'));
    expect(result.statusCode).toBe(500);
    expect(body.error).toEqual({ code: 'ConfigurationError', message: 'Invalid configuration: OSS_BUCKET: required' });
  });

  it('turns anything else into a 500 InternalError without its message', async () => {
    const { result, body, lines } = await answer(new TypeError('password=hunter2 in a stack'));
    expect(result.statusCode).toBe(500);
    expect(body).toEqual({ error: { code: 'InternalError', message: 'Internal server error' } });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(lines).toMatchObject([{ level: 'ERROR', message: 'unhandled error' }]);
  });

  it('keeps a 4xx it did not make itself (badRequest) a 4xx', async () => {
    expect((await answer(badRequest('Nope', 'bad input'))).result.statusCode).toBe(400);
  });
});
