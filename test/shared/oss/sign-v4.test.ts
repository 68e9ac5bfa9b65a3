import { describe, expect, it } from 'vitest';
import { byId, loadVectors } from '../../../local/fixtures/vectors';
import {
  authorizeV4,
  canonicalQuery,
  canonicalUri,
  parseOssDate,
  presignV4,
  signingKey,
  signPostPolicyV4,
  uriEncode,
} from '../../../shared/oss';

const { vectors } = loadVectors('signing-vectors.json');
const byKind = (kind: string) => byId(vectors.filter((v: any) => v.kind === kind));

const creds = (i: any) => ({
  accessKeyId: i.accessKeyId,
  accessKeySecret: i.accessKeySecret,
  ...(i.securityToken ? { securityToken: i.securityToken } : {}),
});

/** The request a vector describes: caller headers and decoded query, as the SDK tests build them. */
const requestOf = (i: any) => ({
  method: i.method,
  bucket: i.bucket,
  key: i.key,
  headers: i.callerHeaders,
  query: i.query,
  additionalHeaders: i.additionalHeaders,
});

describe('V4 header mode (golden vectors)', () => {
  it.each(byKind('v4-header'))('%s: every recorded stage matches', (_id, v: any) => {
    const i = v.inputs;
    const result = authorizeV4(requestOf(i), creds(i), {
      region: i.region,
      product: i.product,
      now: new Date(i.signTime),
    });
    expect(result.canonicalRequest).toBe(v.expected.canonicalRequest ?? v.derived.canonicalRequest);
    expect(result.stringToSign).toBe(v.expected.stringToSign ?? v.derived.stringToSign);
    expect(result.signature).toBe(v.expected.signature);
    expect(result.authorization).toBe(v.expected.authorization);
    for (const [name, value] of Object.entries(i.signerAddedHeaders)) expect(result.headers[name]).toBe(value);
  });
});

describe('V4 presigned mode (golden vectors)', () => {
  it.each(byKind('v4-query'))('%s: signature, signer query and URL match', (_id, v: any) => {
    const i = v.inputs;
    const result = presignV4(requestOf(i), creds(i), {
      region: i.region,
      product: i.product,
      now: new Date(i.signTime),
      expiresSeconds: i.expiresSeconds,
    });
    expect(result.canonicalRequest).toBe(v.derived.canonicalRequest);
    expect(result.stringToSign).toBe(v.derived.stringToSign);
    expect(result.signature).toBe(v.expected.signature);
    if (v.derived.signingKeyHex) {
      expect(signingKey(i.accessKeySecret, new Date(i.signTime), i.region).toString('hex')).toBe(
        v.derived.signingKeyHex,
      );
    }
    expect(result.query).toEqual({ ...i.query, ...v.expected.query, 'x-oss-signature': v.expected.signature });

    // The golden URL, compared structurally: path decodes to the key, query is the same multiset of pairs.
    const golden = new URL(v.expected.url);
    expect(decodeURIComponent(golden.pathname.slice(1))).toBe(i.key);
    const pairs = [...golden.searchParams].sort();
    expect(Object.entries(result.query).sort()).toEqual(pairs);
  });

  it.each([0, -1, 604_801, 1.5, Number.NaN])('rejects expiresSeconds %s', (expiresSeconds) => {
    expect(() =>
      presignV4(
        { method: 'PUT', bucket: 'b', key: 'k' },
        { accessKeyId: 'ak', accessKeySecret: 'sk' },
        {
          region: 'cn-hangzhou',
          now: new Date(),
          expiresSeconds,
        },
      ),
    ).toThrow(RangeError);
  });

  it('accepts the bounds 1 and 604800', () => {
    for (const expiresSeconds of [1, 604_800]) {
      const { query } = presignV4(
        { method: 'PUT', bucket: 'b', key: 'k' },
        { accessKeyId: 'ak', accessKeySecret: 'sk' },
        {
          region: 'cn-hangzhou',
          now: new Date(),
          expiresSeconds,
        },
      );
      expect(query['x-oss-expires']).toBe(String(expiresSeconds));
    }
  });
});

describe('V4 PostObject policy', () => {
  it.each(byKind('v4-post-policy'))('%s: base64 of the policy and its signature match', (_id, v: any) => {
    const i = v.inputs;
    const policyBase64 = Buffer.from(i.policyJson, 'utf8').toString('base64');
    expect(policyBase64).toBe(v.expected.policyBase64);
    const now = parseOssDate(i.xOssDate) as Date;
    expect(signingKey(i.accessKeySecret, now, i.region, i.product).toString('hex')).toBe(v.derived.signingKeyHex);
    expect(signPostPolicyV4(policyBase64, creds(i), { region: i.region, product: i.product, now })).toBe(
      v.expected.signature,
    );
  });
});

describe('canonicalisation steps', () => {
  it('encodes like UriEncode: space as %20, upper-case hex, UTF-8 bytes', () => {
    expect(uriEncode('a b+c~_.-/é')).toBe('a%20b%2Bc~_.-%2F%C3%A9');
    expect(uriEncode('a/b', true)).toBe('a/b');
  });

  it('sorts the query in byte order, not locale order', () => {
    expect(canonicalQuery({ b: '1', B: '2', a: '', _: 'x' })).toBe('B=2&_=x&a&b=1');
  });

  it('joins an empty name with an empty value like any other pair, as the URL query writes it', () => {
    expect(canonicalQuery({ '': '', a: '1' })).toBe('&a=1');
    expect(canonicalQuery({ a: '1', '': '' })).toBe('&a=1');
  });

  it('keeps the bucket in the canonical URI and encodes the key', () => {
    expect(canonicalUri('bucket', 'key 123.txt')).toBe('/bucket/key%20123.txt');
    expect(canonicalUri('bucket')).toBe('/bucket/');
    expect(canonicalUri('')).toBe('/');
  });

  it('signs additional headers and names them in the Authorization header', () => {
    const result = authorizeV4(
      {
        method: 'GET',
        bucket: 'b',
        key: 'k',
        headers: { ZAbc: 'v', abc: 'v', 'x-oss-head1': 'v' },
        additionalHeaders: ['x-oss-no-exist', 'ZAbc', 'x-oss-head1', 'abc'],
      },
      { accessKeyId: 'ak', accessKeySecret: 'sk' },
      { region: 'cn-hangzhou', now: new Date('2023-12-16T16:20:57Z') },
    );
    expect(result.authorization).toContain(',AdditionalHeaders=abc;zabc,Signature=');
    expect(result.canonicalRequest).toContain(
      'abc:v\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:v\nzabc:v\n\nabc;zabc\n',
    );
  });

  it('strips an oss- prefix from the region', () => {
    const a = signingKey('sk', new Date('2023-12-17T02:54:37Z'), 'oss-cn-hangzhou');
    const b = signingKey('sk', new Date('2023-12-17T02:54:37Z'), 'cn-hangzhou');
    expect(a.equals(b)).toBe(true);
  });
});
