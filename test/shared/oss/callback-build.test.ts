import { describe, expect, it } from 'vitest';
import { byId, loadVectors } from '../../../local/fixtures/vectors';
import {
  buildCallback,
  buildCallbackVar,
  CallbackParamError,
  callbackBodyTemplate,
  decodeCallback,
  decodeCallbackVar,
  encodeParam,
  SYSTEM_VARIABLES,
  validateCallback,
} from '../../../shared/oss';

const cv = loadVectors('callback-vectors.json');
const examples = byId(cv.callbackParameterExamples);

describe('callback parameter examples from the docs', () => {
  it.each(examples)('%s decodes byte-exact and round-trips', (_id, e: any) => {
    const json = Buffer.from(e.base64, 'base64').toString('utf8');
    expect(json).toBe(e.decodedJson);
    const decoded = 'callbackUrl' in e.parsed ? decodeCallback(e.base64) : decodeCallbackVar(e.base64);
    expect(decoded).toEqual(e.parsed);
    expect(Buffer.from(e.decodedJson, 'utf8').toString('base64')).toBe(e.base64);
  });

  it.each(['doc-2015-postobject-form-callback', 'doc-2015-postobject-policy-callback-condition'])(
    'the validator rejects %s (private IP, $(var) syntax)',
    (id) => {
      const e = cv.callbackParameterExamples.find((x: any) => x.id === id);
      expect(() => validateCallback(decodeCallback(e.base64))).toThrow(CallbackParamError);
    },
  );
});

describe('derived SDK encodings', () => {
  it.each(byId(cv.derivedEncodings))('%s: encoder output matches', (_id, e: any) => {
    if (e.xOssCallback) {
      expect(encodeParam({ callbackUrl: e.input.url, callbackBody: e.input.body })).toBe(e.xOssCallback);
      expect(decodeCallback(e.xOssCallback)).toEqual(JSON.parse(e.json));
      // The 192.168.1.1 URL is an encoding fixture only: as a real callback it is refused.
      expect(() => buildCallback({ url: e.input.url, body: e.input.body })).toThrow(CallbackParamError);
    } else {
      expect(buildCallbackVar(e.input).base64).toBe(e.xOssCallbackVar);
      expect(decodeCallbackVar(e.xOssCallbackVar)).toEqual(e.input);
    }
  });
});

describe('buildCallback', () => {
  const body = 'bucket=${bucket}&object=${object}';

  it('is JSON-safe: quotes and backslashes in the body survive', () => {
    const tricky = 'a="${object}"\\&b=${x:note}';
    const { json, base64 } = buildCallback({
      url: 'https://cb.example.com/x',
      body: tricky,
      sni: true,
      bodyType: 'application/json',
    });
    expect(decodeCallback(base64)).toEqual(json);
    expect(json).toEqual({
      callbackUrl: 'https://cb.example.com/x',
      callbackBody: tricky,
      callbackBodyType: 'application/json',
      callbackSNI: true,
    });
  });

  it('joins several URLs with ";" and accepts five', () => {
    const urls = [1, 2, 3, 4, 5].map((n) => `https://cb${n}.example.com/`);
    expect(buildCallback({ url: urls, body }).json.callbackUrl).toBe(urls.join(';'));
  });

  it.each([
    ['six URLs', { url: [1, 2, 3, 4, 5, 6].map((n) => `https://cb${n}.example.com/`), body }],
    ['no URL', { url: [], body }],
    ['an ftp URL', { url: 'ftp://cb.example.com/', body }],
    ['a URL without scheme', { url: 'cb.example.com/x', body }],
    ['a private address', { url: 'http://10.1.2.3/cb', body }],
    ['a loopback address', { url: 'http://127.0.0.1:9000/cb', body }],
    ['the metadata address', { url: 'http://100.100.100.200/latest/meta-data', body }],
    ['an IPv6 address', { url: 'http://[2001:db8::1]/cb', body }],
    ['an empty body', { url: 'https://cb.example.com/', body: '' }],
    ['$(var) syntax', { url: 'https://cb.example.com/', body: 'a=$(object)' }],
    ['an unknown variable', { url: 'https://cb.example.com/', body: 'a=${objekt}' }],
    ['an upper-case custom variable', { url: 'https://cb.example.com/', body: 'a=${x:Uid}' }],
    ['a body over 5 KB of base64', { url: 'https://cb.example.com/', body: `a=${'x'.repeat(4000)}` }],
  ])('rejects %s', (_name, input: any) => {
    expect(() => buildCallback(input)).toThrow(CallbackParamError);
  });

  it('allows private hosts only when asked (the local OSS stand-in)', () => {
    expect(
      buildCallback({ url: 'http://127.0.0.1:9000/callback/t', body }, { allowPrivateHosts: true }).json.callbackUrl,
    ).toBe('http://127.0.0.1:9000/callback/t');
  });
});

describe('buildCallbackVar', () => {
  it.each([
    ['no variables', {}],
    ['a name without x:', { uid: '1' }],
    ['an upper-case name', { 'x:Uid': '1' }],
    ['a non-string value', { 'x:uid': 1 }],
    ['more than 10 variables', Object.fromEntries(Array.from({ length: 11 }, (_, n) => [`x:v${n}`, '1']))],
    ['more than 512 bytes', { 'x:note': 'y'.repeat(600) }],
  ])('rejects %s', (_name, vars: any) => {
    expect(() => buildCallbackVar(vars)).toThrow(CallbackParamError);
  });

  it('takes a configurable hard limit', () => {
    expect(() => buildCallbackVar({ 'x:note': 'y'.repeat(600) }, { maxBytes: 1024 })).not.toThrow();
    expect(() => buildCallbackVar({ 'x:note': 'y'.repeat(100) }, { maxBytes: 64 })).toThrow(/64-byte limit/);
  });
});

describe('decoders', () => {
  it.each([
    ['not base64', '!!!'],
    ['unpadded base64', 'eyJ4Ijoi'],
    ['base64 of non-JSON', Buffer.from('not json').toString('base64')],
    ['a JSON array', Buffer.from('[1]').toString('base64')],
    ['callbackUrl missing', Buffer.from('{"callbackBody":"a"}').toString('base64')],
    [
      'callbackSNI as a string',
      Buffer.from('{"callbackUrl":"https://a.b","callbackBody":"a","callbackSNI":"true"}').toString('base64'),
    ],
  ])('decodeCallback rejects %s with a clear error', (_name, value) => {
    expect(() => decodeCallback(value)).toThrow(CallbackParamError);
  });

  it('decodeCallbackVar rejects non-string values', () => {
    expect(() => decodeCallbackVar(Buffer.from('{"x:a":1}').toString('base64'))).toThrow(/not a string/);
  });
});

describe('callbackBodyTemplate', () => {
  it('renders all 14 system variables and custom ones as a form body', () => {
    const template = callbackBodyTemplate({ custom: ['x:uid'] });
    expect(SYSTEM_VARIABLES).toHaveLength(14);
    expect(template.split('&')).toHaveLength(15);
    expect(template).toMatch(/^bucket=\$\{bucket\}&object=\$\{object\}&etag=\$\{etag\}/);
    expect(template).toContain('imageInfo.height=${imageInfo.height}');
    expect(template.endsWith('&x:uid=${x:uid}')).toBe(true);
  });

  it('renders a JSON body with unquoted variables', () => {
    expect(callbackBodyTemplate({ system: ['object', 'size'], custom: ['x:a'], bodyType: 'application/json' })).toBe(
      '{"object":${object},"size":${size},"x:a":${x:a}}',
    );
  });

  it('produces a body that buildCallback accepts', () => {
    expect(() =>
      buildCallback({ url: 'https://cb.example.com/', body: callbackBodyTemplate({ custom: ['x:uid'] }) }),
    ).not.toThrow();
  });
});
