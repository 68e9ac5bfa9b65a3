/**
 * The multipart grant as the Uppy endpoints use it (shared/proof/multipart-grant.ts is its codec): signed when
 * an upload is described or started, verified on every later request with its upload id (and the previous
 * secret that verified it, while CALLBACK_TOKEN_SECRET is rotated) on the request's log line, and the upload
 * token and callback its claims give, the same at Create and at Complete.
 */
import { badRequest, forbidden, type HttpError } from '../../../shared/errors';
import {
  createGrant,
  type GrantClaims,
  GrantClaimsError,
  type GrantFailure,
  routeRulesOf,
  type TokenObject,
  tokenSecrets,
  verifiedBy,
  verifyGrant,
} from '../../../shared/proof';
import { boundCallback } from '../bound-callback';
import type { SignConfig } from '../config';

const GRANT_ERRORS: Record<GrantFailure, [string, string]> = {
  'malformed-grant': ['UploadNotAllowed', 'uploadId is not one this server issued'],
  'bad-grant-mac': ['UploadNotAllowed', 'this uploadId was not issued for this key'],
  'wrong-grant-kind': ['UploadNotAllowed', 'uploadId is not one this server issued'],
  'grant-expired': ['UploadExpired', 'this multipart upload is past its signing window; start a new one'],
};

export function grantError(reason: GrantFailure): HttpError {
  const [code, message] = GRANT_ERRORS[reason];
  return forbidden(code, message);
}

/** A grant for claims it cannot carry exactly (a 256-byte `sub`, say) is a 400, never a 500 or a clamped grant. */
export function signedGrant(claims: GrantClaims, object: TokenObject, secret: string): string {
  try {
    return createGrant(claims, object, secret);
  } catch (error) {
    if (error instanceof GrantClaimsError) {
      throw badRequest('CannotSign', `this upload cannot be signed: ${error.message}`);
    }
    throw error;
  }
}

export interface GrantCheck {
  /** Only this user's grant (the JWT's `sub`; /s3/create and /s3/complete carry no JWT). */
  user?: string;
  /** Accept a grant past its window: AbortMultipartUpload only. */
  allowExpired?: boolean;
}

/**
 * The claims of a `kind` grant issued for `key` in this bucket, under the current or a previous secret: a
 * refusal is the client's 403. The upload id goes on the request's log line once the grant is known to be
 * this user's.
 */
export function verifiedGrant(
  config: SignConfig,
  request: { grant: string; kind: GrantClaims['kind']; key: string; now: Date; log: Record<string, unknown> },
  check: GrantCheck = {},
): GrantClaims {
  const verified = verifyGrant(
    request.grant,
    request.kind,
    { bucket: config.OSS_BUCKET, key: request.key },
    config.CALLBACK_TOKEN_SECRET,
    request.now,
    { allowExpired: check.allowExpired, previousSecrets: tokenSecrets(config).previous },
  );
  if (!verified.ok) throw grantError(verified.reason);
  if (check.user !== undefined && verified.claims.user !== check.user) {
    throw forbidden('UploadNotAllowed', 'this upload was not signed for you');
  }
  request.log.uploadId = verified.claims.id;
  if (verified.previousSecret) request.log.verifiedBy = verifiedBy(verified.previousSecret);
  return verified.claims;
}

/** The upload token the object carries and the callback names: the same claims at Create and at Complete. */
export function grantCallback(config: SignConfig, key: string, claims: GrantClaims) {
  return boundCallback(config, {
    id: claims.id,
    key,
    file: { contentType: claims.contentType, size: claims.maxSize },
    user: claims.user,
    vars: {},
    expiresAt: new Date(claims.exp * 1000),
    // The grant's route and rules, as signed: the route's declaration may have changed since.
    ...(claims.route !== undefined ? { rules: routeRulesOf(claims) } : {}),
  });
}
