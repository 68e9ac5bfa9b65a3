/**
 * `/s3/create` on both platforms, against a scripted OSS: the upload sign-upload starts itself (header-signed,
 * the object's proof, forbid-overwrite), the grant it answers with, and what it refuses before calling OSS.
 */
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../../../local/fixtures/events';
import { NOW, TOKEN_SECRET } from '../../../../local/fixtures/sign';
import { verifyAuthorization } from '../../../../shared/oss';
import { createGrant, UPLOAD_TOKEN_META, verifyGrant, verifyUploadToken } from '../../../../shared/proof';
import { call, claims, fakeOss, KEY, lookup, MiB, OBJECT, OSS_ID, partList, tag, xml } from './harness';

describe.each(PLATFORMS)('sign-upload /s3/create on %s', (platform) => {
  it('initiates the upload itself with the signed type, forbid-overwrite and the object proof', async () => {
    const oss = fakeOss({
      'POST uploads': () =>
        xml(`<InitiateMultipartUploadResult><UploadId>${OSS_ID}</UploadId></InitiateMultipartUploadResult>`),
    });
    const grant = createGrant({ ...claims, kind: 'create' }, OBJECT, TOKEN_SECRET);
    const res = await call(platform, `/s3/create/${grant}`, '', oss);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/xml');
    const [init] = oss.seen;
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
      const oss = fakeOss({
        'POST uploads': () =>
          xml(`<InitiateMultipartUploadResult><UploadId>${OSS_ID}</UploadId></InitiateMultipartUploadResult>`),
      });
      const grant = createGrant({ ...claims, kind: 'create' }, OBJECT, TOKEN_SECRET);
      const res = await call(platform, `/s3/create/${grant}`, '', oss, rotated);
      expect(res.status).toBe(200);
      const uploadId = tag(res.body, 'UploadId') ?? '';
      expect(verifyGrant(uploadId, 'upload', OBJECT, NEW_SECRET, NOW)).toMatchObject({ ok: true });
    });
  });
});
