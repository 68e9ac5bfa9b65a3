/** The platform adapter against recorded FC and Lambda events: one request shape in, whatever came. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventFor } from '../../../local/fixtures/events';
import { normalizeEvent, UnsupportedEventError } from '../../../shared/platform';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/events/${path}`, import.meta.url));

describe('normalizeEvent with recorded event shapes', () => {
  it('turns the FC Buffer event into a v2 event with lower-case headers and the raw body', () => {
    const event = normalizeEvent(fixture('fc/http-post-json.json'));
    expect(event.platform).toBe('fc');
    expect(event.version).toBe('2.0');
    expect(event.rawPath).toBe('/example%20path');
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.headers['Content-Type']).toBeUndefined();
    expect(event.queryStringParameters).toEqual({ a: '1', b: 'x,y' });
    expect(event.rawQueryIsExact).toBe(false);
    expect(event.requestContext.timeEpoch).toBe(1795586400000);
    expect(event.requestContext.http.method).toBe('POST');
    expect(event.rawBody.toString()).toBe('{"hello":"world"}');
  });

  it('keeps a Lambda Function URL event, decoding its base64 body into rawBody', () => {
    const event = normalizeEvent(JSON.parse(fixture('lambda/function-url-post-json.json').toString()));
    expect(event.platform).toBe('lambda');
    expect(event.rawQueryString).toBe('a=1&b=x&b=y');
    expect(event.rawQueryIsExact).toBe(true);
    expect(event.cookies).toEqual(['session=abc']);
    expect(event.rawBody.toString()).toBe('{"hello":"world"}');
  });

  it('FC: no query gives an empty raw query and no parameters; odd parameter names stay keys', () => {
    const bare = normalizeEvent(eventFor('fc', { method: 'GET', path: '/' }));
    expect(bare.rawQueryString).toBe('');
    expect(Object.hasOwn(bare, 'queryStringParameters')).toBe(false);
    expect(Object.hasOwn(bare, 'cookies')).toBe(false);
    const odd = normalizeEvent(
      Buffer.from(
        '{"version":"v1","rawPath":"/","queryParameters":{"__proto__":"x","a":"1"},"requestContext":{"http":{"method":"GET"}}}',
      ),
    );
    expect(Object.keys(odd.queryStringParameters ?? {})).toEqual(['__proto__', 'a']);
    expect(odd.rawQueryString).toBe('__proto__=x&a=1');
    expect(Object.keys(odd).slice(0, 8)).toEqual([
      'version',
      'routeKey',
      'rawPath',
      'rawQueryString',
      'rawQueryIsExact',
      'headers',
      'queryStringParameters',
      'requestContext',
    ]);
  });

  it('rejects anything else', () => {
    expect(() => normalizeEvent(Buffer.from('not json'))).toThrow(UnsupportedEventError);
    expect(() => normalizeEvent({ httpMethod: 'GET', path: '/' })).toThrow(UnsupportedEventError);
  });
});
