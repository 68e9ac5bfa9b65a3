/** A function's entry point: built once; a configuration error is one log line and a 500 on every request. */
import { describe, expect, it } from 'vitest';
import { fcEvent } from '../../../local/fixtures/events';
import { ConfigError } from '../../../shared/errors';
import { memoryLogger } from '../../../shared/log';
import { coldStart } from '../../../shared/middleware/cold-start';
import { jsonResponse } from '../../../shared/middleware/response';

describe('coldStart', () => {
  it('builds the handler once and hands it every request', async () => {
    let builds = 0;
    const entry = coldStart(() => {
      builds++;
      return async () => jsonResponse(200, { ok: true });
    }, memoryLogger());
    await entry(fcEvent({ method: 'POST', path: '/' }));
    await entry(fcEvent({ method: 'POST', path: '/' }));
    expect(builds).toBe(1);
  });

  it('logs a configuration error once, then answers each request 500 ConfigurationError in the platform shape', async () => {
    const logger = memoryLogger();
    const entry = coldStart(() => {
      throw new ConfigError('Invalid configuration: CALLBACK_TOKEN_SECRET: required');
    }, logger);
    const result = await entry(fcEvent({ method: 'POST', path: '/' }));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body ?? '')).toEqual({
      error: { code: 'ConfigurationError', message: 'Invalid configuration: CALLBACK_TOKEN_SECRET: required' },
    });
    expect(result.isBase64Encoded).toBe(false); // FC's result shape
    expect(logger.lines).toMatchObject([{ level: 'ERROR', code: 'ConfigurationError' }]);
  });

  it('lets any other build failure crash the cold start (the platform reports it)', () => {
    expect(() =>
      coldStart(() => {
        throw new TypeError('a bug');
      }, memoryLogger()),
    ).toThrow(TypeError);
  });
});
