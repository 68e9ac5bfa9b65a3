import { describe, expect, it } from 'vitest';
import { parseCallbackBody } from '../../../functions/upload-callback/callback-body';
import { loadCallbackConfig } from '../../../functions/upload-callback/config';
import { callbackEnv } from '../../../local/fixtures/callback';

const form =
  'bucket=b&object=a%2Fmy+file.png&etag=E&size=10&mimeType=image%2Fpng&crc64=18446744073709551615&x:album=summer';

describe('callback bodies', () => {
  it('decodes form bodies, with "+" or "%20" for spaces', () => {
    expect(parseCallbackBody('application/x-www-form-urlencoded', Buffer.from(form)).object).toBe('a/my file.png');
    expect(parseCallbackBody('application/x-www-form-urlencoded', Buffer.from(form.replace('+', '%20'))).object).toBe(
      'a/my file.png',
    );
  });

  it('keeps a bare 64-bit crc64 in JSON exact and reads numbers as numbers', () => {
    const json =
      '{"bucket":"b","object":"k","etag":"E","size":10,"mimeType":"text/plain","crc64":18446744073709551615,"imageInfo.width":null}';
    const body = parseCallbackBody('application/json', Buffer.from(json));
    expect(body.crc64).toBe('18446744073709551615');
    expect(body.size).toBe(10);
    expect(body['imageInfo.width']).toBeNull();
  });

  it.each([
    ['2147483647', 2147483647],
    ['0396', 396],
    ['2147483648', null],
    ['99999999999999999999', null],
    ['', null],
  ])('records an image side of %s as %s, never refusing the callback for it', (side, expected) => {
    for (const field of ['imageInfo.width', 'imageInfo.height'] as const) {
      const body = parseCallbackBody('application/x-www-form-urlencoded', Buffer.from(`${form}&${field}=${side}`));
      expect(body[field]).toBe(expected);
    }
  });

  it('collects the x: variables', () => {
    expect(parseCallbackBody('application/x-www-form-urlencoded', Buffer.from(form)).vars).toEqual({
      'x:album': 'summer',
    });
  });

  it.each([
    ['a missing size', 'bucket=b&object=k&etag=E&mimeType=m'],
    ['a negative size', 'bucket=b&object=k&etag=E&size=-1&mimeType=m'],
    ['a crc64 with letters', 'bucket=b&object=k&etag=E&size=1&mimeType=m&crc64=12ab'],
    ['an image side that is not digits', 'bucket=b&object=k&etag=E&size=1&mimeType=m&imageInfo.width=-1'],
    ['an image side of 21 digits', `bucket=b&object=k&etag=E&size=1&mimeType=m&imageInfo.height=${'9'.repeat(21)}`],
  ])('rejects %s with MalformedCallbackBody', (_name, body) => {
    expect(() => parseCallbackBody('application/x-www-form-urlencoded', Buffer.from(body))).toThrow(
      expect.objectContaining({ status: 400, code: 'MalformedCallbackBody' }),
    );
  });

  it.each([
    ['a repeated form field', `${form}&bucket=other`],
    ['a repeated form field spelled with an escape', `${form}&%62ucket=other`],
    ['a repeated x: variable', `${form}&x:album=winter`],
  ])('rejects %s with MalformedCallbackBody', (_name, body) => {
    expect(() => parseCallbackBody('application/x-www-form-urlencoded', Buffer.from(body))).toThrow(
      expect.objectContaining({ status: 400, code: 'MalformedCallbackBody' }),
    );
  });

  const json = '{"bucket":"b","object":"k","etag":"E","size":10,"mimeType":"text/plain"';
  it.each([
    ['a repeated key', `${json},"bucket":"other"}`],
    ['a repeated key spelled with an escape', `${json},"\\u0062ucket":"other"}`],
    ['a repeated key inside a nested object', '{"bucket":"b","x":{"a":1,"a":2}}'],
  ])('rejects JSON with %s with MalformedCallbackBody', (_name, body) => {
    expect(() => parseCallbackBody('application/json', Buffer.from(body))).toThrow(
      expect.objectContaining({ status: 400, code: 'MalformedCallbackBody' }),
    );
  });

  it('accepts key-like text inside a string value', () => {
    const body = `${json},"x:a":"\\"bucket\\":1","crc64":1}`;
    expect(parseCallbackBody('application/json', Buffer.from(body)).vars).toEqual({ 'x:a': '"bucket":1' });
  });

  it('keeps a field named __proto__ as a field, not a prototype', () => {
    expect(() =>
      parseCallbackBody('application/x-www-form-urlencoded', Buffer.from(`${form}&__proto__=1&__proto__=2`)),
    ).toThrow(expect.objectContaining({ code: 'MalformedCallbackBody' }));
  });

  it.each([
    ['a form value', `${form}&clientIp=1%00`],
    ['a form name', `${form}&x:a%00=1`],
  ])('rejects U+0000 in %s (PostgreSQL cannot store it) with MalformedCallbackBody', (_name, body) => {
    expect(() => parseCallbackBody('application/x-www-form-urlencoded', Buffer.from(body))).toThrow(
      expect.objectContaining({ status: 400, code: 'MalformedCallbackBody' }),
    );
  });

  it('rejects other body types', () => {
    expect(() => parseCallbackBody('text/xml', Buffer.from('<a/>'))).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('upload-callback configuration', () => {
  it.each([
    [{ OSS_CALLBACK_TRUSTED_KEYS: 'not json' }, 'OSS_CALLBACK_TRUSTED_KEYS'],
    [{ OSS_CALLBACK_TRUSTED_KEYS: '{"http://x/k.pem":"not a key"}' }, 'OSS_CALLBACK_TRUSTED_KEYS'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ CALLBACK_TOKEN_SECRET: '' }, 'CALLBACK_TOKEN_SECRET'],
    [{ CALLBACK_TOKEN_PREVIOUS_SECRETS: 'too-short' }, 'CALLBACK_TOKEN_PREVIOUS_SECRETS'],
    [{ CALLBACK_DEADLINE_MS: '9000' }, 'CALLBACK_DEADLINE_MS'],
  ])('names the bad variable in one line: %o', (env, name) => {
    expect(() => loadCallbackConfig(callbackEnv(env))).toThrow(new RegExp(`^Invalid configuration: ${name}: [^\\n]+$`));
  });
});
