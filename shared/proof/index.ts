/**
 * The proof of an upload: what sign-upload decided, MAC'd so that every later path checks it without a
 * database. The upload token (in the callback URL and on the object as `x-oss-meta-upload-token`), the
 * multipart grant (Uppy's UploadId), the object key's shape, and the one check all three ways in ask.
 * Pure: node:crypto only, no clock, no I/O.
 */
export {
  type CheckFailure,
  type CheckResult,
  check,
  checkStoredObject,
  InvalidObservationError,
  type ObservedObject,
  type ProofFailure,
  type ProofOptions,
  type ProofResult,
  type StoredObjectHead,
} from './check';
export { isLegacyToken, verifyLegacyUploadToken } from './legacy-token';
export {
  createGrant,
  type GrantClaims,
  GrantClaimsError,
  type GrantFailure,
  type GrantResult,
  MAX_GRANT_LENGTH,
  maxPartNumber,
  partLimit,
  verifyGrant,
} from './multipart-grant';
export { safeFileName, uploadIdOfKey, userSegment } from './object-key';
export { DEFAULT_ROUTE, MAX_ROUTE_BYTES, type RouteRules, routeOf, routeRulesOf } from './route-rules';
export { tokenSecrets, verifiedBy } from './secrets';
export { isUploadId } from './upload-id';
export {
  createUploadToken,
  MAX_CONTENT_TYPE_BYTES,
  MAX_TOKEN_LENGTH,
  MAX_USER_BYTES,
  maxTokenLength,
  readUploadToken,
  type SignedToken,
  TokenClaimsError,
  type TokenFailure,
  type TokenObject,
  type TokenResult,
  UPLOAD_TOKEN_META,
  type UploadClaims,
  verifyUploadToken,
} from './upload-token';
