/**
 * The server side of V4: checks a presigned request or a PostObject form the way OSS does. Used by the local
 * OSS stand-in, and by tests that re-verify what sign-upload hands out from the URL and fields alone.
 * @see ../../../shared/spec/oss-signing.md §4–§5
 */
import { timingSafeEqual } from 'node:crypto';
import { formatDateTime } from './encoding';
import { type PolicyCondition, signPostPolicyV4 } from './post-policy';
import { MAX_PRESIGN_EXPIRES_SECONDS } from './sign-request';
import { ALGORITHM, canonicalRequest, scope, signature, signingKey, stringToSign } from './sign-v4';

export type V4Failure =
  | 'unsupported-signature-version'
  | 'malformed-credential'
  | 'unknown-access-key'
  | 'malformed-date'
  | 'bad-expires'
  | 'request-expired'
  | 'request-not-yet-valid'
  | 'missing-security-token'
  | 'signature-mismatch';

export interface PresignedRequest {
  method: string;
  bucket: string;
  key: string;
  /** Decoded query parameters, including the signer's x-oss-* ones and x-oss-signature. */
  query: Record<string, string>;
  /** Request headers as received (any case). */
  headers: Record<string, string>;
}

/** Secret for an access key id, and whether it is an STS id whose token must accompany it. */
export type SecretLookup = (accessKeyId: string) => { secret: string; securityToken?: string } | undefined;

export type V4Result = { ok: true; accessKeyId: string } | { ok: false; reason: V4Failure };

/** OSS tolerates 15 minutes of client clock skew on x-oss-date. */
const SKEW_MS = 15 * 60 * 1000;
const DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const CREDENTIAL = /^([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aliyun_v4_request$/;

export function parseOssDate(value: string | undefined): Date | undefined {
  const m = DATE.exec(value ?? '');
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) || formatDateTime(date) !== value ? undefined : date;
}

interface Credential {
  accessKeyId: string;
  date: Date;
  region: string;
  product: string;
  secret: string;
  securityToken?: string;
}

function readCredential(
  credential: string | undefined,
  xOssDate: string | undefined,
  lookup: SecretLookup,
): Credential | V4Failure {
  const m = CREDENTIAL.exec(credential ?? '');
  if (!m) return 'malformed-credential';
  const [, accessKeyId = '', day, region = '', product = ''] = m;
  const date = parseOssDate(xOssDate);
  if (!date || formatDateTime(date).slice(0, 8) !== day) return 'malformed-date';
  const found = lookup(accessKeyId);
  if (!found) return 'unknown-access-key';
  return {
    accessKeyId,
    date,
    region,
    product,
    secret: found.secret,
    ...(found.securityToken ? { securityToken: found.securityToken } : {}),
  };
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function verifyPresigned(req: PresignedRequest, lookup: SecretLookup, now: Date): V4Result {
  const { query } = req;
  if (query['x-oss-signature-version'] !== ALGORITHM) return { ok: false, reason: 'unsupported-signature-version' };
  const cred = readCredential(query['x-oss-credential'], query['x-oss-date'], lookup);
  if (typeof cred === 'string') return { ok: false, reason: cred };
  const expires = Number(query['x-oss-expires']);
  if (!/^\d+$/.test(query['x-oss-expires'] ?? '') || expires < 1 || expires > MAX_PRESIGN_EXPIRES_SECONDS) {
    return { ok: false, reason: 'bad-expires' };
  }
  if (now.getTime() > cred.date.getTime() + expires * 1000) return { ok: false, reason: 'request-expired' };
  if (now.getTime() < cred.date.getTime() - SKEW_MS) return { ok: false, reason: 'request-not-yet-valid' };
  if (cred.securityToken && query['x-oss-security-token'] !== cred.securityToken) {
    return { ok: false, reason: 'missing-security-token' };
  }

  const { 'x-oss-signature': given = '', ...signedQuery } = query;
  const additional = query['x-oss-additional-headers']?.split(';').filter(Boolean) ?? [];
  const canonical = canonicalRequest({ ...req, query: signedQuery, additionalHeaders: additional });
  const toSign = stringToSign(cred.date, scope(cred.date, cred.region, cred.product), canonical);
  const expected = signature(signingKey(cred.secret, cred.date, cred.region, cred.product), toSign);
  return sameHex(given, expected)
    ? { ok: true, accessKeyId: cred.accessKeyId }
    : { ok: false, reason: 'signature-mismatch' };
}

export interface AuthorizedRequest {
  method: string;
  bucket: string;
  key?: string;
  /** Decoded query parameters (subresources such as `uploads`, `uploadId`, `list-type`). */
  query: Record<string, string>;
  /** Request headers as received (any case), including Authorization. */
  headers: Record<string, string>;
}

const AUTHORIZATION =
  /^OSS4-HMAC-SHA256 Credential=([^,\s]+)(?:,\s*AdditionalHeaders=([a-z0-9;-]+))?,\s*Signature=([0-9a-f]{64})$/;

/**
 * Header mode, as OSS checks a server-side call: `Authorization: OSS4-HMAC-SHA256 Credential=…,
 * [AdditionalHeaders=…,]Signature=…` over the canonical request, dated by `x-oss-date` (15 minutes of skew).
 */
export function verifyAuthorization(req: AuthorizedRequest, lookup: SecretLookup, now: Date): V4Result {
  const lower = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const m = AUTHORIZATION.exec(lower.authorization ?? '');
  if (!m) return { ok: false, reason: 'unsupported-signature-version' };
  const [, credential, additionalNames, given = ''] = m;
  const cred = readCredential(credential, lower['x-oss-date'], lookup);
  if (typeof cred === 'string') return { ok: false, reason: cred };
  if (Math.abs(now.getTime() - cred.date.getTime()) > SKEW_MS) return { ok: false, reason: 'request-expired' };
  if (cred.securityToken && lower['x-oss-security-token'] !== cred.securityToken) {
    return { ok: false, reason: 'missing-security-token' };
  }
  const { authorization: _signature, ...headers } = lower;
  const additional = additionalNames?.split(';').filter(Boolean) ?? [];
  const canonical = canonicalRequest({ ...req, headers, additionalHeaders: additional });
  const toSign = stringToSign(cred.date, scope(cred.date, cred.region, cred.product), canonical);
  const expected = signature(signingKey(cred.secret, cred.date, cred.region, cred.product), toSign);
  return sameHex(given, expected)
    ? { ok: true, accessKeyId: cred.accessKeyId }
    : { ok: false, reason: 'signature-mismatch' };
}

export interface PostPolicy {
  expiration: string;
  conditions: PolicyCondition[];
}

export type PostResult =
  | { ok: true; accessKeyId: string; policy: PostPolicy }
  | { ok: false; reason: V4Failure | 'malformed-policy' | 'policy-expired' };

/** Checks the form's V4 fields and the policy signature; conditions are checked by `policyViolation`. */
export function verifyPostObject(fields: Record<string, string>, lookup: SecretLookup, now: Date): PostResult {
  if (fields['x-oss-signature-version'] !== ALGORITHM) return { ok: false, reason: 'unsupported-signature-version' };
  const cred = readCredential(fields['x-oss-credential'], fields['x-oss-date'], lookup);
  if (typeof cred === 'string') return { ok: false, reason: cred };
  if (cred.securityToken && fields['x-oss-security-token'] !== cred.securityToken) {
    return { ok: false, reason: 'missing-security-token' };
  }
  const policyBase64 = fields.policy ?? '';
  const expected = signPostPolicyV4(
    policyBase64,
    { accessKeyId: cred.accessKeyId, accessKeySecret: cred.secret },
    {
      region: cred.region,
      product: cred.product,
      now: cred.date,
    },
  );
  if (!sameHex(fields['x-oss-signature'] ?? '', expected)) return { ok: false, reason: 'signature-mismatch' };
  let policy: PostPolicy;
  try {
    policy = JSON.parse(Buffer.from(policyBase64, 'base64').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed-policy' };
  }
  if (typeof policy?.expiration !== 'string' || !Array.isArray(policy.conditions))
    return { ok: false, reason: 'malformed-policy' };
  const expiration = Date.parse(policy.expiration);
  if (Number.isNaN(expiration)) return { ok: false, reason: 'malformed-policy' };
  if (now.getTime() > expiration) return { ok: false, reason: 'policy-expired' };
  return { ok: true, accessKeyId: cred.accessKeyId, policy };
}

export type PolicyViolation = { kind: 'content-length'; message: string } | { kind: 'condition'; message: string };

/**
 * The first condition the form breaks, or undefined. `bucket` is compared with the bucket posted to;
 * field names compare case-insensitively, as OSS does for form fields.
 */
export function policyViolation(
  policy: PostPolicy,
  fields: Record<string, string>,
  bucket: string,
  contentLength: number,
): PolicyViolation | undefined {
  const lower = new Map(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
  lower.set('bucket', bucket);
  const field = (name: string) => lower.get(name.replace(/^\$/, '').toLowerCase());
  for (const condition of policy.conditions) {
    if (!Array.isArray(condition)) {
      for (const [name, value] of Object.entries(condition)) {
        if (field(name) !== value)
          return {
            kind: 'condition',
            message: `Invalid according to Policy: Policy Condition failed: ["eq", "$${name}", "${value}"]`,
          };
      }
      continue;
    }
    const [op, a, b] = condition;
    if (op === 'content-length-range') {
      if (contentLength < Number(a) || contentLength > Number(b)) {
        return { kind: 'content-length', message: `Your proposed upload size ${contentLength} is outside ${a}..${b}` };
      }
      continue;
    }
    const ok = conditionHolds(op, field(String(a)), b);
    if (!ok)
      return {
        kind: 'condition',
        message: `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`,
      };
  }
  return undefined;
}

function conditionHolds(op: string, actual: string | undefined, expected: unknown): boolean {
  switch (op) {
    case 'eq':
      return actual === expected;
    case 'starts-with':
      return actual?.startsWith(String(expected)) ?? false;
    case 'in':
      return Array.isArray(expected) && actual !== undefined && expected.includes(actual);
    case 'not-in':
      return Array.isArray(expected) && (actual === undefined || !expected.includes(actual));
    default:
      return false; // OSS rejects unknown operators such as ends-with
  }
}
