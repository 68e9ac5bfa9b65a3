/** What the /s3/create and /s3/complete tests share: a scripted OSS, the grants' claims, one request through the handler. */

import { eventFor, type PlatformName } from '../../../../local/fixtures/events';
import { KEYS, NOW, signHandler, TOKEN_SECRET } from '../../../../local/fixtures/sign';
import type { Env } from '../../../../shared/config';
import { createGrant } from '../../../../shared/proof';

export const lookup = (id: string) =>
  id === KEYS.OSS_ACCESS_KEY_ID ? { secret: KEYS.OSS_ACCESS_KEY_SECRET } : undefined;
export const MiB = 1024 * 1024;
export const KEY = 'uploads/user-1/2026/11/0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10-clip.mp4';
export const OBJECT = { bucket: 'example-bucket', key: KEY };
export const OSS_ID = '0004B9894A22E5B1888A1E29F8230001';
export const claims = {
  id: '0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10',
  maxSize: 12 * MiB,
  partSize: 5 * MiB,
  contentType: 'video/mp4',
  user: 'user-1',
  exp: Math.floor(NOW.getTime() / 1000) + 3600,
};

export interface Seen {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** A scripted OSS: answers by `<METHOD> <query names>` (each answer sees its request), records every request. */
export function fakeOss(answers: Record<string, (request: Seen) => Response>) {
  const seen: Seen[] = [];
  const fetch = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const request = { method: init.method ?? 'GET', url, headers, body: String(init.body ?? '') };
    seen.push(request);
    const route = `${init.method} ${[...url.searchParams.keys()].sort().join('&')}`;
    const answer = answers[route];
    if (!answer) throw new Error(`unexpected OSS call ${route}`);
    return answer(request);
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

export const xml = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'application/xml', ...headers } });
export const listed = (sizes: number[]) =>
  xml(
    `<ListPartsResult><IsTruncated>false</IsTruncated>${sizes
      .map(
        (s, i) =>
          `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${'AB'.repeat(15)}${i}0"</ETag><Size>${s}</Size></Part>`,
      )
      .join('')}</ListPartsResult>`,
  );
export const partList = (n: number) =>
  `<CompleteMultipartUpload>${Array.from({ length: n }, (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${'ab'.repeat(15)}${i}0</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

export async function call(
  platform: PlatformName,
  path: string,
  body: string,
  oss: ReturnType<typeof fakeOss>,
  env: Env = {},
) {
  const { handler, logger } = signHandler({ UPLOAD_ALLOWED_TYPES: 'video/*', ...env }, { ossFetch: oss.fetch });
  const result = await handler(
    eventFor(platform, {
      method: 'POST',
      path,
      query: `key=${encodeURIComponent(KEY)}`,
      headers: { 'content-type': 'application/xml', origin: 'https://app.example.com' },
      body,
    }),
    {},
  );
  return {
    status: result.statusCode,
    body: result.body as string,
    type: result.headers?.['content-type'],
    lines: logger.lines,
  };
}

export const tag = (body: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
export const uploadGrant = () => createGrant({ ...claims, kind: 'upload', ossUploadId: OSS_ID }, OBJECT, TOKEN_SECRET);

/** ListMultipartUploads as sign-upload asks it: `GET /?uploads&prefix=<key>&max-uploads=1000`. */
export const LIST_UPLOADS = 'GET max-uploads&prefix&uploads';
export interface LiveUpload {
  uploadId: string;
  initiated: string;
}
export const uploadsXml = (uploads: LiveUpload[], key = KEY) =>
  xml(
    `<ListMultipartUploadsResult><Prefix>${key}</Prefix><IsTruncated>false</IsTruncated>${uploads
      .map(
        (u) =>
          `<Upload><Key>${key}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${u.initiated}</Initiated></Upload>`,
      )
      .join('')}</ListMultipartUploadsResult>`,
  );
export const initiateXml = (uploadId: string) =>
  xml(`<InitiateMultipartUploadResult><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`);

/**
 * A scripted OSS that keeps the key's uploads: Initiate starts the next of `ids` (Initiated `initiated`),
 * ListMultipartUploads lists the live ones, Abort ends one (404 NoSuchUpload when it is gone).
 */
export function uploadsOss(ids: string[], initiated = '2026-11-25T06:00:00.000Z', start: LiveUpload[] = []) {
  const live = [...start];
  const next = [...ids];
  const oss = fakeOss({
    'POST uploads': () => {
      const uploadId = next.shift() ?? 'none-left';
      live.push({ uploadId, initiated });
      return initiateXml(uploadId);
    },
    [LIST_UPLOADS]: () => uploadsXml(live),
    'DELETE uploadId': (request) => {
      const at = live.findIndex((u) => u.uploadId === request.url.searchParams.get('uploadId'));
      if (at < 0) return xml('<Error><Code>NoSuchUpload</Code></Error>', 404);
      live.splice(at, 1);
      return new Response(null, { status: 204 });
    },
  });
  return Object.assign(oss, { live });
}
