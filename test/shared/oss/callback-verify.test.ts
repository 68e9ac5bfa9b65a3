import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byId, loadVectors } from '../../../local/fixtures/vectors';
import {
  callbackStringToSign,
  OSS_CALLBACK_PUBLIC_KEY_PEM,
  OSS_CALLBACK_PUBLIC_KEY_URLS,
  verifyOssCallback,
  verifyRsaMd5,
} from '../../../shared/oss';
import { anyText, runs } from '../../helpers/properties';

const cv = loadVectors('callback-vectors.json');
const pinned = cv.publicKeys.callback_pub_key_v1;

describe('pinned OSS callback key', () => {
  it('has the SPKI SHA-256 the vectors record', async () => {
    const { createPublicKey } = await import('node:crypto');
    const der = createPublicKey(OSS_CALLBACK_PUBLIC_KEY_PEM).export({ type: 'spki', format: 'der' });
    expect(createHash('sha256').update(der).digest('hex')).toBe(pinned.spkiDerSha256Hex);
  });

  it('is allowed at exactly the URLs the vectors list', () => {
    expect([...OSS_CALLBACK_PUBLIC_KEY_URLS]).toEqual(pinned.urls);
    for (const [scheme, header] of Object.entries(pinned.xOssPubKeyUrlHeaderValues)) {
      expect(Buffer.from(header as string, 'base64').toString()).toBe(
        pinned.urls.find((u: string) => u.startsWith(`${scheme}:`)),
      );
    }
  });
});

describe.each(byId(cv.signatureVectors))('signature vector %s', (_id, v: any) => {
  const body = Buffer.from(v.request.body, 'utf8');

  it('builds the recorded string to sign', () => {
    expect(callbackStringToSign(v.request.rawPath, v.request.rawQuery, body)?.toString('utf8')).toBe(v.stringToSign);
    expect(body.length).toBe(v.bodyByteLength);
    expect(createHash('md5').update(body).digest('base64')).toBe(v.bodyContentMd5Base64);
  });

  it(`verifies as ${v.expectedValid}`, async () => {
    expect(verifyRsaMd5(Buffer.from(v.stringToSign, 'utf8'), v.authorization, pinned.pem)).toBe(v.expectedValid);
    const result = await verifyOssCallback({
      rawPath: v.request.rawPath,
      rawQuery: v.request.rawQuery,
      body,
      authorization: v.authorization,
      pubKeyUrl: v.pubKeyUrlHeader,
    });
    expect(result.ok).toBe(v.expectedValid);
    if (result.ok) expect(result.keyUrl).toBe(v.pubKeyUrlDecoded);
    else expect(result.reason).toBe('signature-mismatch');
  });
});

describe.each(byId(cv.derivedNegativeSignatureVectors))('derived negative %s', (_id, v: any) => {
  it('fails the verifier core', () => {
    expect(verifyRsaMd5(Buffer.from(v.stringToSign, 'utf8'), v.authorization, pinned.pem)).toBe(v.expectedValid);
  });
});

describe('verifyOssCallback', () => {
  const good = cv.signatureVectors.find((v: any) => v.id === 'oss-doc-bestpractice-capture-snappython');
  const base = {
    rawPath: good.request.rawPath,
    rawQuery: '',
    body: Buffer.from(good.request.body),
    authorization: good.authorization,
    pubKeyUrl: good.pubKeyUrlHeader,
  };

  it.each([
    ['missing-authorization', { authorization: undefined }],
    ['missing-pub-key-url', { pubKeyUrl: '' }],
    ['malformed-pub-key-url', { pubKeyUrl: '%%%' }],
    [
      'untrusted-key-url',
      { pubKeyUrl: Buffer.from('http://100.100.100.200/latest/meta-data/key.pem').toString('base64') },
    ],
    [
      'untrusted-key-url',
      {
        pubKeyUrl: Buffer.from('https://gosspublic.alicdn.com.evil.example/callback_pub_key_v1.pem').toString('base64'),
      },
    ],
    ['malformed-signature', { authorization: 'OSS not-base64!' }],
    ['malformed-path', { rawPath: '/%E0%A4%A' }],
    ['signature-mismatch', { body: Buffer.from(`${good.request.body}&x=1`) }],
    ['signature-mismatch', { rawQuery: 'a=1' }],
    ['signature-mismatch', { rawPath: '/other' }],
  ])('returns %s', async (reason, change) => {
    expect(await verifyOssCallback({ ...base, ...change })).toEqual({ ok: false, reason });
  });

  it('accepts a key only where configured, and never an unpinned one by default', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const url = 'http://127.0.0.1:9000/oss/callback-key.pem';
    const body = Buffer.from('bucket=b&object=o');
    const authorization = sign('md5', Buffer.concat([Buffer.from('/cb/tok\n'), body]), privateKey).toString('base64');
    const input = {
      rawPath: '/cb/tok',
      rawQuery: '',
      body,
      authorization,
      pubKeyUrl: Buffer.from(url).toString('base64'),
    };
    expect(await verifyOssCallback(input)).toEqual({ ok: false, reason: 'untrusted-key-url' });
    expect(await verifyOssCallback(input, { trustedKeys: { [url]: pem } })).toEqual({ ok: true, keyUrl: url });
  });

  it('decodes the path before signing and keeps the raw query as received', () => {
    expect(callbackStringToSign('/a%20b/c%2Fd', 'x=%2F&y', Buffer.from('z'))?.toString()).toBe('/a b/c/d?x=%2F&y\nz');
  });

  it('builds the same bytes as decoding, encoding and concatenating, for any path, query and body', () => {
    const reference = (rawPath: string, rawQuery: string, body: Uint8Array) => {
      let path: string;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        return undefined;
      }
      return Buffer.concat([Buffer.from(`${path}${rawQuery ? `?${rawQuery}` : ''}\n`, 'utf8'), body]);
    };
    const path = fc.oneof(
      anyText(60),
      fc
        .array(fc.oneof(anyText(4), fc.constantFrom('%', '%2F', '%E0%A4', '%E0%A4%A4', '%ED%A0%80', '/', '%G0')), {
          maxLength: 12,
        })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(path, anyText(20), fc.uint8Array({ maxLength: 200 }), (rawPath, rawQuery, body) => {
        expect(callbackStringToSign(rawPath, rawQuery, body)).toEqual(reference(rawPath, rawQuery, body));
      }),
      runs(),
    );
  });
});
