/** The pure side of `npm run bucket`: OSS's CORS matching, the plans, the RAM policies for several prefixes. */
import { describe, expect, it } from 'vitest';
import { corsRuleFor, planCors, UPLOAD_CORS_RULE, wildcardMatch } from '../../../shared/oss/bucket-cors';
import { abortDaysFor, abortRule, parseLifecycleXml, planLifecycle } from '../../../shared/oss/bucket-lifecycle';
import { functionPolicies } from '../../../shared/oss/ram-policy';

const spec = { prefixes: ['uploads/'], days: 2, minDays: 2, windowSeconds: 86_400 };

describe('CORS', () => {
  it('matches one * against any run of characters, and nothing else loosely', () => {
    expect(wildcardMatch('https://*.example.com', 'https://a.b.example.com')).toBe(true);
    expect(wildcardMatch('https://*.example.com', 'https://example.com')).toBe(false);
    expect(wildcardMatch('x-oss-*', 'x-oss-meta-upload-token')).toBe(true);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('https://app.example.com', 'https://app.example.com:8443')).toBe(false);
  });

  it('applies the first rule matching origin, method and every requested header (case-insensitive)', () => {
    const narrow = { origins: ['*'], methods: ['GET'], headers: [], expose: [] };
    const upload = { origins: ['https://app.example.com'], ...UPLOAD_CORS_RULE };
    const config = { rules: [narrow, upload] };
    expect(corsRuleFor(config, { origin: 'https://app.example.com', method: 'GET', headers: [] })).toBe(narrow);
    expect(corsRuleFor(config, { origin: 'https://app.example.com', method: 'GET', headers: ['Content-Type'] })).toBe(
      upload,
    );
    expect(corsRuleFor(config, { origin: 'https://app.example.com', method: 'PUT', headers: ['range'] })).toBe(
      undefined,
    );
  });

  it('finds an earlier rule that wins without exposing ETag, and puts the upload rule before it', () => {
    const greedy = { origins: ['*'], methods: ['PUT', 'POST', 'GET', 'DELETE', 'HEAD'], headers: ['*'], expose: [] };
    const plan = planCors({ rules: [greedy] }, ['https://app.example.com']);
    expect(plan.findings).toEqual([
      'CORS rule for origin https://app.example.com exposes no ETag, x-oss-request-id (browsers cannot read part ETags, so multipart uploads fail at Complete)',
    ]);
    expect(plan.next?.rules).toEqual([{ origins: ['https://app.example.com'], ...UPLOAD_CORS_RULE }, greedy]);
    expect(planCors(plan.next, ['https://app.example.com']).findings).toEqual([]);
  });

  it('cannot add an 11th rule', () => {
    const rules = Array.from({ length: 10 }, (_, i) => ({
      origins: [`https://${i}.example`],
      methods: ['GET'],
      headers: [],
      expose: [],
    }));
    const plan = planCors({ rules }, ['https://app.example.com']);
    expect(plan.next).toBeUndefined();
    expect(plan.blocked).toBe("the bucket has 10 CORS rules, OSS's most: merge or remove one, then run --apply again");
  });
});

describe('lifecycle', () => {
  it('aborts one whole day after the multipart window, at the earliest', () => {
    expect([abortDaysFor(60), abortDaysFor(86_400), abortDaysFor(86_401), abortDaysFor(7 * 86_400)]).toEqual([
      2, 2, 3, 8,
    ]);
  });

  it('takes a rule over a shorter prefix as covering, but not one that aborts too soon, is disabled or tagged', () => {
    const rule = (inner: string) => parseLifecycleXml(`<Rule>${inner}</Rule>`);
    const abort = (days: number) => `<AbortMultipartUpload><Days>${days}</Days></AbortMultipartUpload>`;
    const whole = rule(`<ID>all</ID><Prefix></Prefix><Status>Enabled</Status>${abort(3)}`);
    expect(planLifecycle(whole, spec)).toMatchObject({ findings: [], ok: [expect.stringContaining('"all"')] });
    for (const inner of [
      `<ID>soon</ID><Prefix></Prefix><Status>Enabled</Status>${abort(1)}`,
      `<ID>off</ID><Prefix></Prefix><Status>Disabled</Status>${abort(3)}`,
      `<ID>tag</ID><Prefix></Prefix><Status>Enabled</Status><Tag><Key>a</Key><Value>b</Value></Tag>${abort(3)}`,
    ]) {
      const plan = planLifecycle(rule(inner), spec);
      expect(plan.next).toBeUndefined();
      expect(plan.findings[0]?.blocked).toMatch(/OSS refuses overlapping AbortMultipartUpload rules/);
    }
  });

  it('replaces its own rule when it aborts too soon, and keeps the Days of an Expiration apart', () => {
    const ours = abortRule('uploads/', 1);
    const logs = parseLifecycleXml(
      '<Rule><ID>logs</ID><Prefix>logs/</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>',
    );
    expect(logs[0]?.aborts).toBe(false);
    expect(logs[0]?.abortDays).toBeUndefined();
    const plan = planLifecycle([...logs, ours], spec);
    expect(plan.next).toEqual([...logs, abortRule('uploads/', 2)]);
    expect(plan.findings[0]?.change).toBe(
      'lifecycle: rule "abort-multipart uploads/" now aborts unfinished multipart uploads under uploads/ after 2 days',
    );
  });

  it('adds one rule for nested prefixes, the shorter, whatever their order', () => {
    const plan = planLifecycle(undefined, { ...spec, prefixes: ['uploads/a/', 'uploads/'] });
    expect(plan.next).toEqual([abortRule('uploads/', 2)]);
    expect(plan.ok).toEqual([expect.stringContaining('under uploads/a/')]);
  });
});

describe('RAM policies', () => {
  it('grants each prefix once and holds listing to them', () => {
    const policies = functionPolicies('b', ['photos/', 'docs/', 'photos/']);
    expect(policies['sign-upload'].Statement[0]?.Resource).toEqual(['acs:oss:*:*:b/docs/*', 'acs:oss:*:*:b/photos/*']);
    // /s3/create lists the uploads at its key: a bucket action, on the bucket.
    expect(policies['sign-upload'].Statement[1]).toEqual({
      Effect: 'Allow',
      Action: ['oss:ListMultipartUploads'],
      Resource: ['acs:oss:*:*:b'],
    });
    expect(policies['upload-event'].Statement[1]?.Condition).toEqual({
      StringLike: { 'oss:Prefix': ['docs/*', 'photos/*'] },
    });
  });

  it('refuses a prefix whose * or ? would widen the grant', () => {
    expect(() => functionPolicies('b', ['a*/'])).toThrow(RangeError);
  });
});
