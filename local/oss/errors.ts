/** OSS-style errors the local stand-in answers with (`<Error><Code/><Message/>…`, see protocol.ts). */
export class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const V4_FAILURES: Record<string, [number, string, string]> = {
  'signature-mismatch': [
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided.',
  ],
  'request-expired': [403, 'AccessDenied', 'Request has expired.'],
  'policy-expired': [403, 'AccessDenied', 'Invalid according to Policy: Policy expired.'],
  'unknown-access-key': [
    403,
    'InvalidAccessKeyId',
    'The OSS Access Key Id you provided does not exist in our records.',
  ],
  'missing-security-token': [403, 'InvalidAccessKeyId', 'The security token you provided is invalid.'],
  'malformed-policy': [400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.'],
};

export function v4Error(reason: string): OssError {
  const [status, code, message] = V4_FAILURES[reason] ?? [403, 'AccessDenied', `Authorization failed: ${reason}`];
  return new OssError(status, code, message);
}

export const noSuchKey = () => new OssError(404, 'NoSuchKey', 'The specified key does not exist.');
export const tooLargeEntity = () =>
  new OssError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');
export const fileAlreadyExists = () =>
  new OssError(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.');
export const malformedXml = () =>
  new OssError(
    400,
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );
