/** The public API of the pure OSS protocol core: signing, callback parameters, callback verification. */
export {
  buildCallback,
  buildCallbackVar,
  CALLBACK_VAR_NAME,
  type CallbackBodyType,
  type CallbackConfig,
  type CallbackInput,
  CallbackParamError,
  callbackBodyTemplate,
  callbackEncoder,
  callbackJson,
  encodeParam,
  FORM_BODY_TYPE,
  isPrivateHost,
  JSON_BODY_TYPE,
  MAX_CALLBACK_BASE64_BYTES,
  SYSTEM_VARIABLES,
  type SystemVariable,
  validateCallback,
} from './callback-build';
export { decodeCallback, decodeCallbackVar } from './callback-decode';
export { renderCallbackBody, signCallbackRequest } from './callback-render';
export {
  type CallbackRequest,
  callbackStringToSign,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
  verifyOssCallback,
  verifyRsaMd5,
} from './callback-verify';
export { isCrc64 } from './crc64';
export { formatDateTime, uriEncode } from './encoding';
export {
  buildPostObjectForm,
  type PolicyCondition,
  type PostObjectForm,
  type PostObjectInput,
  signPostPolicyV4,
} from './post-policy';
export { OSS_CALLBACK_PUBLIC_KEY_PEM, OSS_CALLBACK_PUBLIC_KEY_URLS } from './public-key';
export { ossRequestIdOf } from './request-id';
export { authorizeV4, MAX_PRESIGN_EXPIRES_SECONDS, presignV4 } from './sign-request';
export {
  ALGORITHM,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  normalizeRegion,
  type OssCredentials,
  type SignableRequest,
  type SignContext,
  scope,
  signature,
  signingKey,
  stringToSign,
} from './sign-v4';
export { type Addressing, type BucketLocation, bucketBaseUrl, objectUrl, withQuery } from './url';
export {
  type AuthorizedRequest,
  type PolicyViolation,
  type PostPolicy,
  type PresignedRequest,
  parseOssDate,
  policyViolation,
  type SecretLookup,
  type V4Failure,
  verifyAuthorization,
  verifyPostObject,
  verifyPresigned,
} from './verify-v4';
export { decodeXmlText, escapeXml, xmlBlocks, xmlValue } from './xml';
