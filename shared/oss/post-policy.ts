/**
 * PostObject (browser form upload) with V4: the policy JSON, its conditions and the ordered form fields.
 * Signature = hex(HMAC-SHA256(SigningKey, policyBase64)): the exact `policy` field value is signed, with no
 * canonical request. @see ../../../shared/spec/oss-signing.md §5
 */
import { formatDateTime } from './encoding';
import {
  ALGORITHM,
  DEFAULT_PRODUCT,
  type OssCredentials,
  type SignContext,
  scope,
  signature,
  signingKey,
} from './sign-v4';

/** Signs the exact Base64 policy string that will be sent as the `policy` form field. */
export function signPostPolicyV4(policyBase64: string, creds: OssCredentials, ctx: SignContext): string {
  return signature(
    signingKey(creds.accessKeySecret, ctx.now, ctx.region, ctx.product ?? DEFAULT_PRODUCT),
    policyBase64,
  );
}

export type PolicyCondition =
  | Record<string, string>
  | ['eq' | 'starts-with', `$${string}`, string]
  | ['in' | 'not-in', `$${string}`, string[]]
  | ['content-length-range', number, number];

export interface PostObjectInput {
  bucket: string;
  key: string;
  /** Policy expiration instant; the docs' 15-minute window applies to `x-oss-date`, keep it short. */
  expiration: Date;
  contentLength: { min: number; max: number };
  contentType?: string;
  /** Base64 callback (pinned with an exact `{"callback": …}` condition). */
  callback?: string;
  /** `x:` variables, each its own form field, each pinned with `eq`. */
  callbackVars?: Record<string, string>;
  /** User metadata (`x-oss-meta-*` fields, stored with the object), each pinned with `eq`. */
  meta?: Record<string, string>;
  successActionStatus?: '200' | '201' | '204';
}

export interface PostObjectForm {
  policyJson: string;
  policyBase64: string;
  signature: string;
  /** In the order the form must send them; `file` (not included) must come last. */
  fields: [string, string][];
}

/**
 * Builds the policy (bucket, exact key, content-length-range, Content-Type, pinned callback and vars, the V4
 * fields, STS token) and the form fields that satisfy it, signed.
 */
export function buildPostObjectForm(input: PostObjectInput, creds: OssCredentials, ctx: SignContext): PostObjectForm {
  const { min, max } = input.contentLength;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
    throw new RangeError(`content-length-range must be integers with 0 <= min <= max, got ${min}..${max}`);
  }
  if (input.expiration.getTime() <= ctx.now.getTime()) throw new RangeError('policy expiration must be after now');

  const fields: [string, string][] = [['key', input.key]];
  if (input.contentType !== undefined) fields.push(['Content-Type', input.contentType]);
  if (input.successActionStatus) fields.push(['success_action_status', input.successActionStatus]);
  if (input.callback !== undefined) fields.push(['callback', input.callback]);
  for (const [name, value] of Object.entries(input.callbackVars ?? {})) fields.push([name, value]);
  for (const [name, value] of Object.entries(input.meta ?? {})) fields.push([name, value]);

  const v4Fields: [string, string][] = [
    ['x-oss-signature-version', ALGORITHM],
    ['x-oss-credential', `${creds.accessKeyId}/${scope(ctx.now, ctx.region, ctx.product)}`],
    ['x-oss-date', formatDateTime(ctx.now)],
  ];
  if (creds.securityToken) v4Fields.push(['x-oss-security-token', creds.securityToken]);

  const conditions: PolicyCondition[] = [
    { bucket: input.bucket },
    ...v4Fields.map(([name, value]) => ({ [name]: value })),
    ['eq', '$key', input.key],
    ['content-length-range', min, max],
  ];
  if (input.contentType !== undefined) conditions.push(['eq', '$Content-Type', input.contentType]);
  if (input.successActionStatus) conditions.push(['eq', '$success_action_status', input.successActionStatus]);
  if (input.callback !== undefined) conditions.push({ callback: input.callback });
  for (const [name, value] of Object.entries(input.callbackVars ?? {})) conditions.push(['eq', `$${name}`, value]);
  for (const [name, value] of Object.entries(input.meta ?? {})) {
    if (!/^x-oss-meta-[a-z0-9-]+$/.test(name)) throw new RangeError(`${name} is not an x-oss-meta-* name`);
    conditions.push(['eq', `$${name}`, value]);
  }

  const policyJson = JSON.stringify({ expiration: input.expiration.toISOString(), conditions });
  const policyBase64 = Buffer.from(policyJson, 'utf8').toString('base64');
  const sig = signPostPolicyV4(policyBase64, creds, ctx);
  return {
    policyJson,
    policyBase64,
    signature: sig,
    fields: [
      ...fields.slice(0, 1),
      ['policy', policyBase64],
      ...v4Fields,
      ['x-oss-signature', sig],
      ...fields.slice(1),
    ],
  };
}
