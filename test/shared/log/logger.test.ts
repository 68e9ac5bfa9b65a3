import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventFor } from '../../../local/fixtures/events';
import { createLogger, type LogFields, memoryLogger, userHasher } from '../../../shared/log';
import { httpChain, logFields, requestLog } from '../../../shared/middleware/chain';
import { jsonResponse } from '../../../shared/middleware/response';

const capture = (level?: string) => {
  const lines: LogFields[] = [];
  const logger = createLogger({}, { level, write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
};

function chain() {
  const logger = memoryLogger();
  const handler = httpChain(
    async (_event, context) => {
      logFields(context).uploadId = 'u-1';
      requestLog(context).debug('working', { step: 1 });
      return jsonResponse(200, {});
    },
    { logger, name: 'fallback-name' },
  );
  return { handler, logger };
}

describe('Powertools keys on both platforms', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('FC: request id and function name from the context; cold_start only on the first request', async () => {
    const { handler, logger } = chain();
    const context = { requestId: 'fc-req-1', function: { name: 'oss-upload-callback' } };
    await handler(eventFor('fc', { method: 'POST', path: '/' }), context);
    await handler(eventFor('fc', { method: 'POST', path: '/' }), { ...context, requestId: 'fc-req-2' });
    const requests = logger.lines.filter((l) => l.message === 'request');
    expect(requests).toEqual([
      expect.objectContaining({
        level: 'INFO',
        service: 'oss-upload-callback',
        cold_start: true,
        function_name: 'oss-upload-callback',
        function_request_id: 'fc-req-1',
        uploadId: 'u-1',
        latency: expect.any(Number),
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
      expect.objectContaining({ cold_start: false, function_request_id: 'fc-req-2' }),
    ]);
    // The handler's debug line carries the same request keys.
    expect(logger.lines.find((l) => l.message === 'working')).toMatchObject({
      level: 'DEBUG',
      function_request_id: 'fc-req-1',
      step: 1,
    });
  });

  it('FC: without a context request id, the x-fc-request-id header; the name from FC_FUNCTION_NAME', async () => {
    vi.stubEnv('FC_FUNCTION_NAME', 'from-env');
    const { handler, logger } = chain();
    await handler(eventFor('fc', { method: 'POST', path: '/', headers: { 'x-fc-request-id': 'hdr-1' } }), {});
    expect(logger.lines.find((l) => l.message === 'request')).toMatchObject({
      function_name: 'from-env',
      function_request_id: 'hdr-1',
    });
  });

  it('Lambda: context.awsRequestId and context.functionName', async () => {
    const { handler, logger } = chain();
    await handler(eventFor('lambda', { method: 'POST', path: '/' }), {
      awsRequestId: 'aws-1',
      functionName: 'upload-callback-prod',
    });
    expect(logger.lines.find((l) => l.message === 'request')).toMatchObject({
      cold_start: true,
      function_name: 'upload-callback-prod',
      function_request_id: 'aws-1',
    });
  });

  it('names the function itself where the platform does not (local runs)', async () => {
    const { handler, logger } = chain();
    await handler(eventFor('lambda', { method: 'POST', path: '/' }), {});
    expect(logger.lines.find((l) => l.message === 'request')?.function_name).toBe('fallback-name');
  });
});

describe('the request line', () => {
  it.each([
    ['a base without function_name', {}, {}],
    ['a base with function_name', { function_name: 'from-base' }, {}],
    ['a base with function_request_id', { function_request_id: 'base' }, {}],
    ['a handler field named function_request_id', {}, { function_request_id: 'handler' }],
    ['a handler field named cold_start', {}, { cold_start: 'handler' }],
  ])('is the line logger.child(requestKeys(…)) would write, for %s', async (_, base, extra) => {
    const lines: string[] = [];
    const logger = createLogger(base, { write: (line) => lines.push(line) });
    const handler = httpChain(
      async (_event, context) => {
        Object.assign(logFields(context), { uploadId: 'u-1' }, extra);
        return jsonResponse(200, {});
      },
      { logger, name: 'fallback-name' },
    );
    const context = { requestId: 'fc-req-1', function: { name: 'fn' } };
    await handler(eventFor('fc', { method: 'POST', path: '/' }), context);
    await handler(eventFor('fc', { method: 'POST', path: '/' }), { ...context, requestId: 'fc-req-2' });
    const reference: string[] = [];
    const referenceLogger = createLogger(base, { write: (line) => reference.push(line) });
    for (const [coldStart, id] of [[true, 'fc-req-1'] as const, [false, 'fc-req-2'] as const]) {
      referenceLogger
        .child({ cold_start: coldStart, function_name: 'fn', function_request_id: id })
        .info('request', { platform: 'fc', method: 'POST', status: 200, uploadId: 'u-1', ...extra, latency: 0 });
    }
    const shape = (line: string) => line.replace(/"timestamp":"[^"]*"/, '').replace(/"latency":[\d.]+/, '');
    expect(lines.map(shape)).toEqual(reference.map(shape));
  });
});

describe('levels', () => {
  it('LOG_LEVEL=debug writes debug lines; info (the default) does not', () => {
    const debug = capture('debug');
    const info = capture(undefined);
    for (const { logger } of [debug, info]) {
      logger.debug('detail');
      logger.info('event');
    }
    expect(debug.lines.map((l) => l.level)).toEqual(['DEBUG', 'INFO']);
    expect(info.lines.map((l) => l.level)).toEqual(['INFO']);
  });

  it('accepts the level in either case and falls back to info for an unknown one', () => {
    const upper = capture('ERROR');
    upper.logger.warn('w');
    upper.logger.error('e');
    expect(upper.lines.map((l) => l.level)).toEqual(['ERROR']);
    const odd = capture('verbose');
    odd.logger.debug('d');
    odd.logger.info('i');
    expect(odd.lines.map((l) => l.level)).toEqual(['INFO']);
  });
});

describe('redaction', () => {
  it('replaces secret-named fields and secret-shaped values, keeps the rest', () => {
    const { logger, lines } = capture();
    logger.info('x', {
      authorization: 'Bearer abc',
      tokenSecret: 'abc',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln',
      url: 'https://b.oss-cn-hangzhou.aliyuncs.com/k?x-oss-signature=abc&x-oss-credential=x',
      header: 'OSS4-HMAC-SHA256 Credential=LTAI/20261125/cn-hangzhou/oss/aliyun_v4_request,Signature=ab',
      db: 'postgres://app:hunter2@db.example.com/uploads',
      uploadId: 'kept',
    });
    expect(lines[0]).toMatchObject({
      authorization: '[redacted]',
      tokenSecret: '[redacted]',
      jwt: '[redacted]',
      url: '[redacted]',
      header: '[redacted]',
      db: '[redacted]',
      uploadId: 'kept',
    });
  });
});

describe('userHasher', () => {
  it('gives 16 hex digits, the same for the same user and secret, different under another secret', () => {
    const a = userHasher('secret-a-0123456789abcdef0123456789');
    const b = userHasher('secret-b-0123456789abcdef0123456789');
    expect(a('alice')).toMatch(/^[0-9a-f]{16}$/);
    expect(a('alice')).toBe(a('alice'));
    expect(a('alice')).not.toBe(a('bob'));
    expect(a('alice')).not.toBe(b('alice'));
  });
});
