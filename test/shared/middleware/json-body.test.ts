/** Request bodies: size first, then JSON's media type, UTF-8, syntax, and the schema; each a clear 4xx. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { HttpError } from '../../../shared/errors';
import { parseJsonBody } from '../../../shared/middleware/json-body';
import type { HttpEvent } from '../../../shared/platform';

const schema = z.strictObject({ n: z.number() });
const event = (body: Buffer | string, type = 'application/json') =>
  ({ rawBody: Buffer.from(body), headers: type ? { 'content-type': type } : {} }) as unknown as HttpEvent;

function refusal(e: HttpEvent, max = 64): [number, string] {
  try {
    parseJsonBody(e, schema, max);
  } catch (error) {
    if (error instanceof HttpError) return [error.status, error.code];
    throw error;
  }
  throw new Error('accepted');
}

describe('parseJsonBody', () => {
  it('returns the parsed, checked body', () => {
    expect(parseJsonBody(event('{"n":1}'), schema, 64)).toEqual({ n: 1 });
    expect(parseJsonBody(event('{"n":2}', 'application/json; charset=utf-8'), schema, 64)).toEqual({ n: 2 });
  });

  it('refuses, in this order: too large, not JSON by type, not UTF-8, not JSON, not the schema', () => {
    expect(refusal(event('{"n":1}', 'text/plain'), 3)).toEqual([413, 'RequestTooLarge']);
    expect(refusal(event('{"n":1}', 'text/plain'))).toEqual([415, 'UnsupportedMediaType']);
    expect(refusal(event('{"n":1}', ''))).toEqual([415, 'UnsupportedMediaType']);
    expect(refusal(event(Buffer.from([0x7b, 0xff, 0x7d])))).toEqual([400, 'InvalidJson']);
    expect(refusal(event('{"n":'))).toEqual([400, 'InvalidJson']);
    expect(refusal(event('{"n":"1"}'))).toEqual([400, 'InvalidRequest']);
    expect(refusal(event('{"n":1,"m":2}'))).toEqual([400, 'InvalidRequest']);
  });

  it('names the field the schema refused in the message', () => {
    try {
      parseJsonBody(event('{"n":"x"}'), schema, 64);
    } catch (error) {
      expect((error as Error).message).toMatch(/^n: /);
    }
    expect.assertions(1);
  });
});
