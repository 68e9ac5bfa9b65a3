/**
 * `POST /s3/complete/<upload grant>?key=…`, a URL sign-upload handed to Uppy (no JWT: the grant in the path is
 * the credential, bound to user, key and limits by its MAC). OSS answers a Complete that carries a callback with
 * the callback's JSON, Uppy wants S3's XML; and a presigned Complete would not sign its part list
 * (oss-events-multipart.md §5). So we read the client's part list (its values strictly; 400 MalformedXML), list
 * the parts, refuse and abort an upload whose parts add up to more than the signed size (it can never complete),
 * refuse without aborting a part number beyond the grant's signed part count (the client can send a list
 * without it), complete with the callback and forbid-overwrite, and answer `CompleteMultipartUploadResult`.
 * OSS's own part rules (EntityTooSmall, InvalidPart…) are OSS's answer at Complete, passed on, so no setting
 * changed mid-upload can abort a legitimate upload. One use: after success OSS has no such upload, so a replay
 * is answered 404 NoSuchUpload and changes nothing.
 */
import { badRequest, forbidden, HttpError, tooLarge } from '../../../shared/errors';
import { objectUrl, xmlBlocks, xmlValue } from '../../../shared/oss';
import { OssRequestError } from '../../../shared/oss-client';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  type ListedPart,
  listParts,
  partEtag,
} from '../../../shared/oss-client/multipart';
import type { HttpEvent, HttpResult } from '../../../shared/platform';
import { type GrantClaims, maxPartNumber } from '../../../shared/proof';
import { grantCallback } from './grant';
import { grantOfPath, ossCall, ossError, type ServerCallContext } from './oss-call';
import { completeResult } from './xml';

/** 10,000 `<Part>` entries of Uppy's shape are under 1 MB. */
export const MAX_COMPLETE_BODY_BYTES = 1024 * 1024;

const PART_NUMBER = /^\d{1,5}$/;
/** An MD5 in hex, quoted or not (S3 clients send `"…"`, Uppy strips the quotes; `&quot;` is decoded first). */
const ETAG = /^"?[0-9A-Fa-f]{32}"?$/;
const malformed = (why: string) =>
  badRequest('MalformedXML', `the body must be a CompleteMultipartUpload part list: ${why}`);

/**
 * The client's part list: each `<Part>` has a `PartNumber` of 1..10000 and an MD5 `ETag`, checked strictly;
 * anything else is 400 MalformedXML (S3's and OSS's code), never a 500. Elements are found by name, not by an
 * XML parser (no comment, CDATA or root-element rules): what that admits is the client's own list, which OSS
 * checks again against the uploaded parts at Complete.
 */
export function requestedParts(body: Buffer): { partNumber: number; etag: string }[] {
  if (body.length > MAX_COMPLETE_BODY_BYTES) throw tooLarge('RequestTooLarge', 'the part list is too long');
  const blocks = xmlBlocks(body.toString('utf8'), 'Part');
  if (blocks.length === 0) throw malformed('no parts');
  if (blocks.length > 10_000) throw malformed('more than 10,000 parts');
  return blocks.map((block) => {
    const number = xmlValue(block, 'PartNumber') ?? '';
    const etag = xmlValue(block, 'ETag') ?? '';
    const partNumber = Number(number);
    if (!PART_NUMBER.test(number) || partNumber < 1 || partNumber > 10_000)
      throw malformed('a PartNumber is not 1..10000');
    if (!ETAG.test(etag)) throw malformed('an ETag is not an MD5');
    return { partNumber, etag: partEtag(etag) };
  });
}

/** Matches the client's list to the listed parts: every part must exist with that ETag, in ascending order. */
function chosenParts(requested: { partNumber: number; etag: string }[], listed: ListedPart[]): ListedPart[] {
  const byNumber = new Map(listed.map((p) => [p.partNumber, p]));
  return requested.map((r, i) => {
    const part = byNumber.get(r.partNumber);
    if (!part || part.etag !== r.etag)
      throw badRequest('InvalidPart', `part ${r.partNumber} was not uploaded as listed`);
    if (i > 0 && r.partNumber <= (requested[i - 1]?.partNumber ?? 0))
      throw badRequest('InvalidPartOrder', 'the parts must be listed in ascending order');
    return part;
  });
}

/** The parts add up to more than the signed size: this upload can never complete within its grant. */
function overSize(parts: ListedPart[], claims: GrantClaims): HttpError | undefined {
  const total = parts.reduce((sum, p) => sum + p.size, 0);
  if (total <= claims.maxSize) return undefined;
  return tooLarge('EntityTooLarge', `the parts add up to ${total} bytes, over the signed ${claims.maxSize}-byte limit`);
}

/** Fewer bytes than the route's minimum: refused, not aborted (a list with more of the parts may follow). */
function underSize(parts: ListedPart[], claims: GrantClaims): HttpError | undefined {
  const total = parts.reduce((sum, p) => sum + p.size, 0);
  if (!claims.minSize || total >= claims.minSize) return undefined;
  return badRequest(
    'FileTooSmall',
    `the parts add up to ${total} bytes, under the route's ${claims.minSize}-byte minimum`,
  );
}

export async function completeUpload(ctx: ServerCallContext, event: HttpEvent): Promise<HttpResult> {
  const { key, claims } = grantOfPath(ctx, event, 'upload');
  const ossUploadId = claims.ossUploadId as string;
  const requested = requestedParts(event.rawBody);
  // The part count signed at create (the grant's part size), never today's UPLOAD_MULTIPART_PART_BYTES; and
  // not aborted: the client can complete with a list that leaves the part out.
  const highest = maxPartNumber(claims.maxSize, claims.partSize);
  if (requested.some((p) => p.partNumber > highest)) {
    throw forbidden('PartNumberNotAllowed', `a part number is beyond the ${highest} parts this upload allows`);
  }
  const listed = await ossCall(() => listParts(ctx.client, key, ossUploadId));
  const parts = chosenParts(requested, listed);
  const refused = overSize(parts, claims);
  if (refused) {
    await ossCall(() => abortMultipartUpload(ctx.client, key, ossUploadId));
    ctx.log.outcome = 'refused-aborted';
    throw new HttpError(refused.status, refused.code, `${refused.message}; the upload was aborted`);
  }
  const small = underSize(parts, claims);
  if (small) throw small;
  const { callback } = grantCallback(ctx.config, key, claims);
  const headers: Record<string, string> = { 'x-oss-callback': callback };
  if (ctx.config.UPLOAD_FORBID_OVERWRITE) headers['x-oss-forbid-overwrite'] = 'true';
  let answer: Awaited<ReturnType<typeof completeMultipartUpload>>;
  try {
    answer = await completeMultipartUpload(ctx.client, key, ossUploadId, parts, headers);
  } catch (error) {
    // The key is taken: this upload can never complete, so stop paying for its parts.
    if (error instanceof OssRequestError && error.code === 'FileAlreadyExists') {
      await abortMultipartUpload(ctx.client, key, ossUploadId).catch(() => undefined);
    }
    throw ossError(error);
  }
  // 203: stored, but the callback failed (OSS's own status for that); the record comes by the event path.
  ctx.log.outcome = answer.status === 203 ? 'completed-callback-failed' : 'completed';
  const location = objectUrl(ctx.client.location, key);
  return completeResult(answer.status, location, ctx.config.OSS_BUCKET, key, answer.headers.get('etag') ?? '');
}
