/**
 * `/s3/create` on both platforms, against a scripted OSS: the upload sign-upload starts itself (header-signed,
 * the object's proof, forbid-overwrite), the grant it answers with, one live upload per grant however often
 * or concurrently the create URL is used, and what it refuses before calling OSS.
 */
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../../../local/fixtures/events';
import { NOW, TOKEN_SECRET } from '../../../../local/fixtures/sign';
import { verifyAuthorization } from '../../../../shared/oss';
import { createGrant, UPLOAD_TOKEN_META, verifyGrant, verifyUploadToken } from '../../../../shared/proof';
import {
  call,
  claims,
  fakeOss,
  initiateXml,
  KEY,
  LIST_UPLOADS,
  lookup,
  MiB,
  OBJECT,
  OSS_ID,
  partList,
  tag,
  uploadsOss,
  uploadsXml,
  xml,
} from './harness';

const createUrl = () => `/s3/create/${createGrant({ ...claims, kind: 'create' }, OBJECT, TOKEN_SECRET)}`;
/** The OSS UploadId and window the answer's upload grant carries. */
function answered(body: string) {
  const verified = verifyGrant(tag(body, 'UploadId') ?? '', 'upload', OBJECT, TOKEN_SECRET, NOW);
  if (!verified.ok) throw new Error(verified.reason);
  return { ossUploadId: verified.claims.ossUploadId, exp: verified.claims.exp };
}
const at = (secondsFromNow: number) => new Date(NOW.getTime() + secondsFromNow * 1000).toISOString();
const WINDOW = 86_400;
const nowSeconds = NOW.getTime() / 1000;

describe.each(PLATFORMS)('sign-upload /s3/create on %s', (platform) => {
  it('initiates the upload itself with the signed type, forbid-overwrite and the object proof', async () => {
    const oss = uploadsOss([OSS_ID]);
    const res = await call(platform, createUrl(), '', oss);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/xml');
    // Lists the key first (nothing there), starts the upload, lists again (only its own).
    expect(oss.seen.map((s) => `${s.method} ${s.url.search}`)).toEqual([
      `GET ?uploads&prefix=${encodeURIComponent(KEY)}&max-uploads=1000`,
      'POST ?uploads',
      `GET ?uploads&prefix=${encodeURIComponent(KEY)}&max-uploads=1000`,
    ]);
    expect(oss.seen[0]?.url.pathname).toBe('/');
    const listing = oss.seen[0];
    const listAuthorized = verifyAuthorization(
      {
        method: 'GET',
        bucket: 'example-bucket',
        query: Object.fromEntries(listing?.url.searchParams ?? []),
        headers: listing?.headers ?? {},
      },
      lookup,
      NOW,
    );
    expect(listAuthorized.ok).toBe(true);
    const init = oss.seen[1];
    expect(init?.url.pathname).toBe(`/${KEY}`);
    expect(init?.headers['content-type']).toBe('video/mp4');
    expect(init?.headers['x-oss-forbid-overwrite']).toBe('true');
    const authorized = verifyAuthorization(
      { method: 'POST', bucket: 'example-bucket', key: KEY, query: { uploads: '' }, headers: init?.headers ?? {} },
      lookup,
      NOW,
    );
    expect(authorized.ok).toBe(true);
    const proof = verifyUploadToken(init?.headers[UPLOAD_TOKEN_META] ?? '', TOKEN_SECRET, NOW, OBJECT);
    expect(proof).toMatchObject({ ok: true, claims: { maxSize: 12 * MiB, user: 'user-1', contentType: 'video/mp4' } });
    // Uppy's UploadId is our upload grant, carrying OSS's.
    const uploadId = tag(res.body, 'UploadId') ?? '';
    expect(tag(res.body, 'Key')).toBe(KEY);
    // The upload's window starts now; the object proof (and later the callback) outlive it by the grace period.
    const exp = Math.floor(NOW.getTime() / 1000) + 86_400;
    expect(verifyGrant(uploadId, 'upload', OBJECT, TOKEN_SECRET, NOW)).toMatchObject({
      ok: true,
      claims: { ossUploadId: OSS_ID, maxSize: 12 * MiB, exp },
    });
    expect(proof).toMatchObject({ claims: { exp: exp + 3600 } });
  });

  it('refuses a create URL used after its window', async () => {
    const oss = fakeOss({});
    const grant = createGrant(
      { ...claims, kind: 'create', exp: Math.floor(NOW.getTime() / 1000) - 1 },
      OBJECT,
      TOKEN_SECRET,
    );
    const res = await call(platform, `/s3/create/${grant}`, '', oss);
    expect([res.status, tag(res.body, 'Code')]).toEqual([403, 'UploadExpired']);
    expect(oss.seen).toEqual([]);
  });

  it('refuses a forged or reused grant before calling OSS', async () => {
    const oss = fakeOss({});
    const forged = createGrant({ ...claims, kind: 'create' }, OBJECT, 'another-secret-0123456789abcdef0123');
    const res = await call(platform, `/s3/create/${forged}`, '', oss);
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('UploadNotAllowed');
    const asComplete = await call(
      platform,
      `/s3/complete/${createGrant({ ...claims, kind: 'create' }, OBJECT, TOKEN_SECRET)}`,
      partList(1),
      oss,
    );
    expect(asComplete.status).toBe(403);
    expect(oss.seen).toEqual([]);
  });

  describe('while CALLBACK_TOKEN_SECRET is rotated', () => {
    const NEW_SECRET = 'the-new-callback-token-secret-0123456789abcd';
    const rotated = { CALLBACK_TOKEN_SECRET: NEW_SECRET, CALLBACK_TOKEN_PREVIOUS_SECRETS: TOKEN_SECRET };

    it('starts an upload from a create URL signed before the rotation, its new grant under the new secret', async () => {
      const res = await call(platform, createUrl(), '', uploadsOss([OSS_ID]), rotated);
      expect(res.status).toBe(200);
      const uploadId = tag(res.body, 'UploadId') ?? '';
      expect(verifyGrant(uploadId, 'upload', OBJECT, NEW_SECRET, NOW)).toMatchObject({ ok: true });
    });
  });

  describe('one live upload per grant', () => {
    it('answers a replayed create with the upload already started, never a second one', async () => {
      const oss = uploadsOss([OSS_ID, 'A-SECOND-UPLOAD-ID']);
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(answered((await call(platform, createUrl(), '', oss)).body));
      expect(answers).toEqual(Array(3).fill({ ossUploadId: OSS_ID, exp: nowSeconds + WINDOW }));
      expect(oss.live.map((u) => u.uploadId)).toEqual([OSS_ID]);
      expect(oss.seen.filter((s) => s.method === 'POST')).toHaveLength(1);
    });

    it('keeps the window of the upload it answers with: a replay never lengthens it', async () => {
      const oss = uploadsOss([], undefined, [{ uploadId: OSS_ID, initiated: at(-300) }]);
      const res = await call(platform, createUrl(), '', oss);
      expect(answered(res.body)).toEqual({ ossUploadId: OSS_ID, exp: nowSeconds - 300 + WINDOW });
      expect(res.lines.find((l) => l.message === 'request')).toMatchObject({ outcome: 'existing-upload' });
      expect(oss.seen.map((s) => s.method)).toEqual(['GET']);
    });

    it('aborts every upload at the key but the earliest (by Initiated, then UploadId)', async () => {
      const oss = uploadsOss([], undefined, [
        { uploadId: 'C-LATER', initiated: at(-10) },
        { uploadId: 'B-SAME-SECOND', initiated: at(-60) },
        { uploadId: 'A-EARLIEST', initiated: at(-60) },
      ]);
      const res = await call(platform, createUrl(), '', oss);
      expect(answered(res.body).ossUploadId).toBe('A-EARLIEST');
      expect(oss.live.map((u) => u.uploadId)).toEqual(['A-EARLIEST']);
      expect(res.lines.find((l) => l.message === 'request')).toMatchObject({ abortedUploads: 2 });
    });

    it('gives up its own upload when a concurrent create started one earlier', async () => {
      let lists = 0;
      const oss = fakeOss({
        [LIST_UPLOADS]: () =>
          // Empty before it initiates; then the other create's upload shows, a second earlier.
          lists++ === 0
            ? uploadsXml([])
            : uploadsXml([
                { uploadId: 'OURS', initiated: at(0) },
                { uploadId: 'THEIRS', initiated: at(-1) },
              ]),
        'POST uploads': () => initiateXml('OURS'),
        'DELETE uploadId': () => new Response(null, { status: 204 }),
      });
      const res = await call(platform, createUrl(), '', oss);
      expect(answered(res.body)).toEqual({ ossUploadId: 'THEIRS', exp: nowSeconds - 1 + WINDOW });
      const aborted = oss.seen.filter((s) => s.method === 'DELETE').map((s) => s.url.searchParams.get('uploadId'));
      expect(aborted).toEqual(['OURS']);
    });

    it('leaves one live upload after concurrent creates, and answers it', async () => {
      const ids = ['ID-4', 'ID-2', 'ID-3', 'ID-1'];
      const oss = uploadsOss(ids);
      const results = await Promise.all(ids.map(() => call(platform, createUrl(), '', oss)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(oss.live).toHaveLength(1);
      // Whichever create listed last kept the survivor and answered it.
      expect(results.map((r) => answered(r.body).ossUploadId)).toContain(oss.live[0]?.uploadId);
    });

    it('starts nothing when it cannot list the key (the role lacks oss:ListMultipartUploads)', async () => {
      const oss = fakeOss({
        [LIST_UPLOADS]: () => xml('<Error><Code>AccessDenied</Code><Message>denied</Message></Error>', 403),
      });
      const res = await call(platform, createUrl(), '', oss);
      expect([res.status, tag(res.body, 'Code')]).toEqual([502, 'UpstreamError']);
      expect(oss.seen.map((s) => s.method)).toEqual(['GET']);
    });
  });
});
